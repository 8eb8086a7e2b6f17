// Internal to storage/: a TEST HOOK that kills the process at a named point of a store write, so
// the crash harness (tests/reliability/) can prove that a kill at every phase boundary leaves the
// published store intact. It is inert unless the environment variable AVF_TEST_CRASH_AT is set.
//
//   AVF_TEST_CRASH_AT=run-commit avf run ...       # dies right after the run's commit record
//   AVF_TEST_CRASH_AT=chunk-write#3 avf run ...    # dies after the 3rd chunk written to the temp file
//
//   crash_point("rename");                         // in the writer, at a phase boundary
//
// The value is `<point>` (first time the point is reached) or `<point>#<n>` (the n-th time, from
// 1). The process then sends itself SIGKILL: no destructor, atexit handler or stdio flush runs,
// exactly as with `kill -9` (exit status 137 in a shell). The points, in the order a transaction
// passes them, are listed in docs/store-format.md §7 ("Test hook").
#pragma once

#include <string_view>

namespace avf::storage {

/// Kills the process with SIGKILL when AVF_TEST_CRASH_AT names this point (and occurrence).
/// Costs one comparison when the variable is unset (it is read once per process).
void crash_point(std::string_view point);

/// Every point a transaction can pass, in order (for the harness and the docs).
inline constexpr std::string_view crash_points[] = {
    "lock",             // the store's lock is held, nothing written yet
    "raise-move",       // (first write of a schema 1-4 store) one inline zone set or run was moved to its member file (once per group)
    "copy",             // the published store was copied to the temporary file (or, when groups were moved, written afresh)
    "open",             // the temporary file is open (or created) as an HDF5 file
    "zone-set-tables",  // a zone set's tables are written, its commit record is not
    "zone-set-commit",  // a zone set's commit record is written (in its member file)
    "member-close",     // a zone set's or run's member file is closed (complete), under its temporary name
    "member-fsync",     // the member file is fsynced
    "member-rename",    // the member file is renamed into place; its folder not fsynced, the store file not linking it yet
    "member-dir-fsync", // the member folder is fsynced; the link and chain row are not written
    "run-begin",        // a run's group, attributes and regime text are written
    "findings-batch",   // a batch of findings was appended (once per batch)
    "chunk-write",      // a chunk of a table or heap was handed to HDF5 (once per chunk)
    "problems",         // the run's problems were appended
    "run-tables",       // the run's inputs and summary are written, its commit record is not
    "run-commit",       // the run's commit record is written, the chain row is not (then the member-* points)
    "chain",            // the run is linked and its audit-chain row is written
    "close",            // the temporary file is closed (HDF5 flushed everything)
    "fsync",            // the temporary file is fsynced
    "rename",           // the temporary file was renamed over the store; the directory not fsynced
    "dir-fsync",        // the directory is fsynced; the lock is still held
};

} // namespace avf::storage
