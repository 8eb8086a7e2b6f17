// Internal to the detections reader (not for other modules): the field validation
// (detection_fields.cpp, on ingest/fields.hpp's RecordCheck) shared by the CSV fast path
// (detection_reader.cpp) and the OGR sources (detection_ogr.cpp), so that a record gives the same
// Detection, or the same problem, whatever format it came in.
//
//   detail::RawDetection raw;                       // trimmed text per field; "" = absent/empty
//   raw[DetectionField::id] = "D-1"; ...
//   RecordPosition where{.file = path, .line = 7, .index = 5, .order = 7};
//   Detection d;
//   if (detail::build_detection(raw, nullptr, where, taxonomy, d, problems)) use(d);   // CSV: lon/lat from raw
#pragma once

#include "ingest/detection_reader.hpp"
#include "ingest/fields.hpp"

#include <optional>

namespace avf::ingest::detail {

/// Field values as text, already trimmed. Views into the caller's buffers.
struct RawDetection {
    std::array<std::string_view, detection_field_count> value{};
    std::string_view& operator[](DetectionField f) { return value[static_cast<std::size_t>(f)]; }
    std::string_view operator[](DetectionField f) const { return value[static_cast<std::size_t>(f)]; }
};

/// The position of an OGR record: its Point in lon/lat, or why there is none.
struct GeometryPosition {
    std::optional<GeoPoint> point;
    ProblemCode defect = ProblemCode::empty_geometry; ///< when there is no point
    std::string reason;                               ///< when there is no point
};

/// Validates one record (see detection_reader.hpp for the rules and the problem each defect
/// gives). `where` is a line of a CSV file (Problem::order: the line) or a feature of an OGR layer
/// (order: the feature index); its problems name the record by the id field. When `geometry` is not null (OGR), it
/// gives the position and the lon/lat texts are ignored. Returns true and fills `out` when the record is good; otherwise reports exactly one
/// rejected problem and leaves `out` untouched. May also report a `note` for a good record.
bool build_detection(const RawDetection& raw, const GeometryPosition* geometry, const RecordPosition& where, const Taxonomy& taxonomy, Detection& out,
                     ProblemSink& problems);

/// The OGR path of open_detections (detection_ogr.cpp).
std::unique_ptr<DetectionSource> open_ogr_detections(const std::string& path, const DetectionParseOptions& options);

} // namespace avf::ingest::detail
