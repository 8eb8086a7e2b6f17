// The imagery side of a regime: evaluates the rules about imagery, flight tracks and routes
// (sensor_limit, route, coverage) once per run, after the detection pass, and the helpers those
// rules share to build findings about images and flights.
//
//   avf::fusion::ImageryRecords in{images, tracks, routes, run_period};
//   avf::fusion::ImageryOutputs out = avf::fusion::evaluate_imagery(regime, in);
//   out.findings;   // sorted like every finding (rule, target, time, id)
//   out.coverage;   // sorted by rule, zone, period
//
// Deterministic: every input is taken in id order and every output is sorted, so the result does
// not depend on file order or threads.
#pragma once

#include "fusion/regime.hpp"
#include "fusion/rule.hpp"

#include <string>
#include <vector>

namespace avf::fusion {

/// Runs evaluate_imagery() of every rule of the regime, then sorts the outputs. The inputs must
/// be sorted by id (images) and flight id (tracks, routes), as the readers leave them.
ImageryOutputs evaluate_imagery(const Regime& regime, const ImageryRecords& in);

/// The evidence record of an image (record_kind "image") or a flight ("flight"; the position
/// names the first and last fix the finding rests on, e.g. "line 12-line 17").
Evidence evidence_of(const ImageRecord& image);
Evidence evidence_of(const FlightTrack& track, std::size_t first_fix, std::size_t last_fix);

/// A finding about one image: rule, target, observing party, sensor category as class, the
/// acquisition as span, the footprint's centre as location, the image as evidence and a content
/// id (rule, target, image id, file, `aspect`). The rule adds the rest.
Finding image_finding(const std::string& rule_id, const std::string& rule_type, const std::string& article, const std::string& target_id,
                      const ImageRecord& image, const std::string& aspect);

/// A point inside (or on) a polygon set, for a finding's location: the centroid when it lies
/// inside, else a point on the surface of the largest part.
GeoPoint representative_point(const MultiPolygon& mp);

/// "optical image OS5023-017 (flight OS5023, USA over RUS) taken 2027-03-04T10:15:00Z"
std::string describe_image(const ImageRecord& image);

/// "0.25 m" / "3.0 m": a resolution or height with the digits that matter.
std::string format_meters(double m);

} // namespace avf::fusion
