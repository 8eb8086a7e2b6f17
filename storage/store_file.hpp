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

/// The named attributes as (name, value) pairs; IoError when one is missing.
std::vector<std::pair<std::string, std::string>> read_attributes(hid_t object, const std::vector<std::string>& names, const std::string& path);

} // namespace avf::storage
