// The imagery side of a compliance run: reads the imagery, track and route files given to
// `avf run` (before any detection, so a bad file fails fast), keeps their problems and
// provenance, links detections to the images they name, and turns flights and coverage into the
// store's imagery members.
//
//   ImageryInputs in = read_imagery_inputs(options, /*strict=*/false);   // IoError / InputError
//   in.problems;                         // bad items, in file order
//   link_image(finding, detection, in);  // adds the image as evidence when the detection names it
//   storage::RunImagery stored = to_store(in, std::move(coverage));
#pragma once

#include "core/problem.hpp"
#include "core/records.hpp"
#include "storage/store.hpp"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace avf::pipeline {

struct ImageryFile {
    std::string role; ///< imagery | tracks | routes
    std::string path;
    std::string sha256;
    std::uint64_t size = 0;
    std::uint64_t read = 0, rejected = 0;
};

struct ImageryInputs {
    std::vector<ImageRecord> images;  ///< sorted by id
    std::vector<FlightTrack> tracks;  ///< sorted by flight id
    std::vector<PlannedRoute> routes; ///< sorted by flight id
    std::vector<ImageryFile> files;   ///< in the order given: imagery, tracks, routes
    std::vector<Problem> problems;    ///< in file order
    std::unordered_map<std::string, std::size_t> image_by_id;
};

/// Reads every file (see ingest/image_reader.hpp, ingest/track_reader.hpp). With `strict`, the
/// first rejected record throws InputError (exit 3), as for detections.
ImageryInputs read_imagery_inputs(const std::vector<std::string>& imagery, const std::vector<std::string>& tracks,
                                  const std::vector<std::string>& routes, bool strict);

/// When `d` names an image of the run (Detection::source_record == image id), appends that image
/// to the finding's evidence (record_kind "image"). Thread-safe (reads `in` only).
void link_image(Finding& f, const Detection& d, const ImageryInputs& in);

/// The flights (one per track or route, by flight id) and the given coverage records, for
/// storage::RunWriter::write_imagery.
storage::RunImagery to_store(const ImageryInputs& in, std::vector<CoverageRecord> coverage);

} // namespace avf::pipeline
