// Zone import as a job: read one or more vector sources, validate, and (unless validating only)
// write them as a named, immutable zone set into the store — atomically.
//
//   avf::pipeline::ZoneImportJob job({.sources = {"dmz.geojson", "mdl.geojson"}, .set_name = "korea",
//                                     .store_path = "avf.h5", .strict = false});
//   auto result = job.run();          // setup() validated the options without touching a file
//   result.collection.zones.size(); result.problems.problems();
#pragma once

#include "core/error.hpp"
#include "core/problem.hpp"
#include "ingest/zone_reader.hpp"
#include "storage/signing.hpp"
#include "storage/store.hpp"

#include <string>
#include <vector>

namespace avf::pipeline {

struct ZoneImportOptions {
    std::vector<std::string> sources;
    std::string set_name;       ///< required to write; ignored when validate_only
    std::string store_path;     ///< required to write
    bool strict = false;        ///< stop at the first rejected feature
    bool validate_only = false; ///< read and validate; write nothing
    /// Signs the set's audit-chain row in the transaction that commits it (nullptr: unsigned). Not owned.
    const storage::SigningKey* sign_key = nullptr;
    ingest::ZoneReadOptions reader;
};

struct ZoneImportResult {
    ingest::ZoneCollection collection;
    CollectingProblemSink problems;
    std::vector<storage::InputFile> inputs; ///< with SHA-256, for provenance
    bool written = false;
};

/// Thrown by ZoneImportJob::run when no zone or line is left to import (exit 3): it carries the
/// problems that rejected every feature, for the caller to show.
class NothingToImport : public InputError {
public:
    NothingToImport(const std::string& message, Context where, std::vector<Problem> problems)
        : InputError(message, std::move(where)), m_problems(std::move(problems)) {}
    const std::vector<Problem>& problems() const { return m_problems; }

private:
    std::vector<Problem> m_problems;
};

class ZoneImportJob {
public:
    /// Checks the options (no I/O): throws UsageError naming what is missing or wrong.
    explicit ZoneImportJob(ZoneImportOptions options);
    /// Reads, validates and (unless validate_only) writes the zone set.
    ZoneImportResult run();

private:
    ZoneImportOptions m_options;
};

/// Set names are used as HDF5 group names: letters, digits, '-', '_', '.', 1–64 characters.
bool valid_set_name(const std::string& name);

} // namespace avf::pipeline
