// What the store does not keep, read back from the run's own input files: the location
// uncertainty radius of the detections the findings rest on (the map's uncertainty disks; for a
// report-derived detection the reports file is placed again with the run's gazetteer), the means
// of observation and heading of report-derived evidence (avf findings show) and the
// parties' declarations (the map's declared places). The store records each input's path (as
// given to `avf run`), role and SHA-256, not these records. A file is read only when its bytes
// still have the recorded SHA-256, so what is drawn is what the run read; it is looked for under
// `inputs_dir` first (the recorded path below it, then its file name alone), then at the recorded
// path itself (relative paths from the current directory). When a file cannot be used, the
// answer's `note` says which and why, and the map says that layer is unavailable.
//
//   auto disks = avf::cli::uncertainty_disks(info, findings, "/data/run-2027-03");
//   disks.radius_m[i];      // NaN: no disk for findings[i]
//   auto places = avf::cli::declared_places(info, "");
//   places.declarations;    // the good records of every usable declarations file, in order
#pragma once

#include "core/records.hpp"
#include "ingest/report_reader.hpp"
#include "storage/store.hpp"

#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace avf::cli {

/// Where a recorded input file is now, or why it cannot be used.
struct FoundInput {
    std::string path;   ///< the file with the recorded SHA-256; "" when none was found
    std::string reason; ///< when path is "": "not found (looked at …)" or "its SHA-256 differs from the one the run recorded"
};
FoundInput find_recorded_input(const storage::InputFile& input, const std::string& inputs_dir);

struct UncertaintyDisks {
    /// Per finding, in the order given: the uncertainty radius (m) of the detection at the
    /// finding's location (an evidence detection at exactly that place); NaN when there is none
    /// (findings about zones, declarations, imagery; merged sightings; an unreadable file).
    std::vector<double> radius_m;
    std::size_t with_radius = 0; ///< findings with a radius > 0
    std::string note;            ///< "" when every detections file needed was read
};
UncertaintyDisks uncertainty_disks(const storage::RunInfo& run, const std::vector<Finding>& findings, const std::string& inputs_dir);

/// How the sightings behind report-derived evidence were observed (means, heading), read back
/// from the run's --reports files (role "reports"), which the store records by path and SHA-256 only.
struct ReportObservations {
    /// (recorded file, evidence position) → the record's observation.
    std::map<std::pair<std::string, std::string>, ingest::SightingObservation> by_record;
    std::string note; ///< "" when every reports file needed was read
    const ingest::SightingObservation* find(const Evidence& e) const {
        auto it = by_record.find({e.source_file, e.source_position});
        return it == by_record.end() ? nullptr : &it->second;
    }
};
ReportObservations report_observations(const storage::RunInfo& run, const std::vector<Finding>& findings, const std::string& inputs_dir);

struct DeclaredPlaces {
    std::vector<Declaration> declarations;
    bool given = false; ///< the run was given declarations files
    std::string note;   ///< "" when every declarations file was read
};
DeclaredPlaces declared_places(const storage::RunInfo& run, const std::string& inputs_dir);

} // namespace avf::cli
