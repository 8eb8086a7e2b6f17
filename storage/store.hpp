// The avf store: one HDF5 file holding zone sets, compliance runs and the audit chain, readable by
// h5dump, h5py, PyTables and pandas (layout: docs/store-format.md).
//
// Writing is copy-on-write and atomic: a StoreTransaction copies the published store (if any) to
// a temporary file in the same directory, all writes go there from one thread, and commit()
// closes, fsyncs, renames over the published name and fsyncs the directory. A crash, kill or
// failed write at any moment leaves the published store exactly as it was. Every HDF5 or POSIX
// error is fatal (IoError naming the path); nothing half-written is ever published.
//
//   avf::storage::StoreTransaction tx("demo.h5");          // takes demo.h5.lock, copies demo.h5
//   tx.write_zone_set(set);
//   auto run = tx.begin_run(header);
//   run.append_findings(batch);  run.append_problems(problems);
//   run.finish(summary);                                    // writes the run's commit record last
//   tx.commit();                                            // publish atomically
//
//   avf::storage::StoreReader store("demo.h5");
//   for (auto& s : store.zone_sets()) ...; store.read_findings(store.latest_run());
//
// HDF5 is linked PRIVATE: no hid_t crosses this header.
#pragma once

#include "core/problem.hpp"
#include "core/records.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace avf::storage {

/// Version of the on-disk layout written by this build (root attribute `schema_version`).
inline constexpr int schema_version = 1;

/// An input file as recorded for provenance.
struct InputFile {
    std::string role;          ///< zones | lines | detections | regime | imagery | declarations | tracks
    std::string path;          ///< as given on the command line
    std::string sha256;        ///< hex digest of the file's bytes
    std::uint64_t size = 0;    ///< bytes
    std::uint64_t records_read = 0;
    std::uint64_t records_rejected = 0;
};

/// A named, immutable zone set (zones + reference lines + the problems found importing them).
struct ZoneSet {
    std::string name;
    std::string imported_utc;  ///< ISO-8601
    std::string options_json;  ///< the import options, as JSON
    std::vector<InputFile> sources;
    std::vector<Zone> zones;
    std::vector<ReferenceLine> lines;
    std::vector<Problem> problems;
};

struct ZoneSetInfo {
    std::string name;
    std::string imported_utc;
    std::uint64_t zones = 0, lines = 0, problems = 0;
    std::vector<InputFile> sources;
};

/// Everything known about a run before its data is written.
struct RunHeader {
    std::string run_id;
    std::string zone_set;
    std::string regime_id;
    std::string regime_text;   ///< the full regime file, verbatim
    std::string options_json;  ///< the run's options, as JSON
    std::string tool_version;
    UtcTime started;
    /// The run's input files (path, role, size, SHA-256 known at start). Evidence rows refer to
    /// them by index (matched on Evidence::source_file == InputFile::path); the record counts
    /// are completed by RunSummary::inputs at finish().
    std::vector<InputFile> inputs;
};

/// One row of the run summary: count of findings per rule, kind and certainty.
struct SummaryRow {
    std::string rule_id;
    std::string kind;          ///< to_string(FindingKind)
    std::string certainty;     ///< to_string(Certainty)
    std::uint64_t findings = 0;
};

struct RunSummary {
    UtcTime finished;
    std::string status;        ///< "complete" (written by finish)
    std::vector<InputFile> inputs;
    std::vector<SummaryRow> rows;
};

struct RunInfo {
    RunHeader header;
    RunSummary summary;
    std::uint64_t findings = 0, evidence = 0, problems = 0;
    bool committed = false;    ///< the run's commit record is present
};

class StoreTransaction;

/// Writes one run inside a transaction. Findings must be appended in their final (sorted) order.
class RunWriter {
public:
    RunWriter(RunWriter&&) noexcept;
    ~RunWriter();
    void append_findings(const std::vector<Finding>& findings);
    void append_problems(const std::vector<Problem>& problems);
    /// Writes inputs, summary and, last, the run's commit record (row counts + SHA-256 of the
    /// canonical bytes of every table).
    void finish(const RunSummary& summary);

private:
    friend class StoreTransaction;
    struct Impl;
    explicit RunWriter(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

class StoreTransaction {
public:
    /// Locks `path` (flock on path + ".lock"), copies the published store to a temporary file,
    /// or creates a new one. Throws IoError.
    explicit StoreTransaction(std::string path);
    /// Without commit(), the temporary file is removed and the published store is untouched.
    ~StoreTransaction();
    StoreTransaction(const StoreTransaction&) = delete;
    StoreTransaction& operator=(const StoreTransaction&) = delete;

    bool has_zone_set(const std::string& name) const;
    bool has_run(const std::string& run_id) const;
    /// Throws InputError when a set of that name exists (sets are immutable; import a new name).
    void write_zone_set(const ZoneSet& set);
    RunWriter begin_run(const RunHeader& header);
    /// Close, fsync, rename over the published name, fsync the directory.
    void commit();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// Read-only access to a published store. Throws IoError when the file is missing or not an avf
/// store, InputError when its schema_version is newer than this build understands.
class StoreReader {
public:
    explicit StoreReader(std::string path);
    ~StoreReader();
    StoreReader(StoreReader&&) noexcept;

    int schema_version() const;
    std::vector<ZoneSetInfo> zone_sets() const;
    ZoneSet read_zone_set(const std::string& name) const;
    /// Runs in commit order; runs without their commit record are listed with committed = false.
    std::vector<RunInfo> runs() const;
    /// The latest committed run; nullopt when there is none.
    std::optional<std::string> latest_run() const;
    RunInfo run_info(const std::string& run_id) const;
    std::vector<Finding> read_findings(const std::string& run_id) const;
    std::vector<Problem> read_problems(const std::string& run_id) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace avf::storage
