// Internal to the detections reader (not for other modules): the field validation shared by the
// CSV fast path (detection_reader.cpp) and the OGR sources (detection_ogr.cpp), so that a record
// gives the same Detection, or the same problem, whatever format it came in.
//
//   detail::RawDetection raw;                       // trimmed text per field; "" = absent/empty
//   raw[DetectionField::id] = "D-1"; ...
//   detail::RecordPosition where{.file = &path, .line = 7, .index = 5, .order = 7};
//   Detection d;
//   if (detail::build_detection(raw, nullptr, where, taxonomy, d, problems)) use(d);   // CSV: lon/lat from raw
#pragma once

#include "ingest/detection_reader.hpp"

#include <optional>

namespace avf::ingest::detail {

/// Field values as text, already trimmed. Views into the caller's buffers.
struct RawDetection {
    std::array<std::string_view, detection_field_count> value{};
    std::string_view& operator[](DetectionField f) { return value[static_cast<std::size_t>(f)]; }
    std::string_view operator[](DetectionField f) const { return value[static_cast<std::size_t>(f)]; }
};

/// Where a record is: a line of a text file, or a feature of an OGR layer.
struct RecordPosition {
    const std::string* file = nullptr;
    std::string_view layer;            ///< "" for text formats
    std::string_view feature;          ///< OGR feature id as text (unused when `line` is set)
    std::optional<std::uint64_t> line; ///< 1-based line for text formats
    std::uint64_t index = 0;           ///< 0-based record / feature index
    std::uint64_t order = 0;           ///< Problem::order: the line, or the feature index
};

/// The position of an OGR record: its Point in lon/lat, or why there is none.
struct GeometryPosition {
    std::optional<GeoPoint> point;
    ProblemCode defect = ProblemCode::empty_geometry; ///< when there is no point
    std::string reason;                               ///< when there is no point
};

/// Validates one record (see detection_reader.hpp for the rules and the problem each defect
/// gives). When `geometry` is not null (OGR), it gives the position and the lon/lat texts are
/// ignored. Returns true and fills `out` when the record is good; otherwise reports exactly one
/// rejected problem and leaves `out` untouched. May also report a `note` for a good record.
bool build_detection(const RawDetection& raw, const GeometryPosition* geometry, const RecordPosition& where, const Taxonomy& taxonomy, Detection& out,
                     ProblemSink& problems);

/// Without surrounding spaces and tabs.
std::string_view trim(std::string_view s);

/// The OGR path of open_detections (detection_ogr.cpp).
std::unique_ptr<DetectionSource> open_ogr_detections(const std::string& path, const DetectionParseOptions& options);

} // namespace avf::ingest::detail
