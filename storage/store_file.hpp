// Internal to storage/: what the writer and the reader share about a store file — the root
// attributes and their check, and commit records.
//
//   int version = check_store_root(file.get(), path);      // IoError / InputError
//   std::string digest = write_commit_record(group, entries, run_commit_entries(RunLayout::v4, false), path);
#pragma once

#include "storage/content_digest.hpp"
#include "storage/hdf5_handle.hpp"

#include <string>
#include <utility>
#include <vector>

namespace avf::storage {

/// "avf 0.1.0 (git 1234abcd5678)": the root attribute created_by.
std::string created_by();

/// Writes the root attributes of a new store: schema_version, format, created_by.
void write_store_root(hid_t file, const std::string& path);

/// Checks the root attributes; returns schema_version. IoError when the file is not an avf store,
/// InputError when its schema_version is newer than this build supports.
int check_store_root(hid_t file, const std::string& path);

/// Writes commit_blocks, then the commit table (one row per entry, commit_blocks last) and its
/// `digest` attribute. `entries` must follow `expected` without its final commit_blocks entry.
/// Returns the digest.
std::string write_commit_record(hid_t group, const std::vector<std::pair<std::string, DigestResult>>& entries,
                                const std::vector<std::string>& expected, const std::string& path);

/// Member files (schema 5): each zone set and run written by this build is a file of its own,
/// `<store>.d/zones/<name>.h5` or `<store>.d/runs/<id>.h5`, whose root group is the set's or the
/// run's group; the store file links it as /zones/<name> or /runs/<id> with an external link
/// whose file name is relative to the store's directory (docs/store-format.md §7a).
///
///   member_link_name("/data/avf.h5", layout::runs, "r1")  == "avf.h5.d/runs/r1.h5"
///   member_path("/data/avf.h5", "avf.h5.d/runs/r1.h5")     == "/data/avf.h5.d/runs/r1.h5"
///
/// `kind` is layout::zones or layout::runs.
std::string member_folder(const std::string& store_target);
std::string member_link_name(const std::string& store_target, const char* kind, const std::string& name);
std::string member_path(const std::string& store_target, const std::string& link_file);
/// Whether an external link's file name has the one form avf writes for member `name` of `kind`:
/// `<X>.d/<kind>/<name>.h5`, relative, three components, no `.` or `..`. A link anywhere else
/// (an absolute path, another folder) is not part of the store format.
bool is_member_link_name(const std::string& link_file, const char* kind, const std::string& name);

/// The named attributes as (name, value) pairs; IoError when one is missing.
std::vector<std::pair<std::string, std::string>> read_attributes(hid_t object, const std::vector<std::string>& names, const std::string& path);

} // namespace avf::storage
