// The records that flow between stages: what was agreed (zones, lines), observed (detections,
// images), declared (declarations) and concluded (findings). Plain data, no behaviour.
#pragma once

#include "core/geometry.hpp"
#include "core/ids.hpp"
#include "core/time.hpp"
#include "core/units.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace avf {

/// Longest identifiers and names the store keeps in fixed-size columns. Readers reject longer
/// values as problems (bad_value); nothing is ever truncated.
inline constexpr std::size_t max_id_length = 64;     ///< ids, classes, parties, kinds
inline constexpr std::size_t max_name_length = 128;  ///< human-readable names

/// Where a record came from: the input file, the layer (for multi-layer sources), the feature id
/// or line number, and the record's position in its source (for stable ordering).
struct SourceRef {
    std::string file;
    std::string layer;
    std::string feature;      ///< OGR FID, or the 1-based line number for text formats
    std::uint64_t index = 0;  ///< 0-based position of the record in its source
};

/// A treaty zone: DMZ, buffer, limited-force zone, restricted airspace, area of application…
struct Zone {
    ZoneId id;
    std::string name;
    std::string kind;                 ///< dmz | buffer | limited | restricted_airspace | exclusion | area_of_application | …
    std::string parties;              ///< the parties/side it applies to, comma-separated ("" = all)
    std::string parent;               ///< id of the enclosing zone, "" when none (nesting)
    Interval valid;
    MultiPolygon geometry;            ///< normalized: closed, counter-clockwise outer rings
    SourceRef source;
};

/// A reference line: line of contact, demarcation line, border.
struct ReferenceLine {
    LineId id;
    std::string name;
    std::string kind;
    std::string parties;
    Interval valid;
    MultiLineString geometry;
    SourceRef source;
};

/// One observed item or group of identical items.
struct Detection {
    DetectionId id;
    UtcTime time;
    GeoPoint position;                ///< lon/lat
    Meters uncertainty{0.0};          ///< radius of the location uncertainty disk
    std::string equipment_class;      ///< canonical class from the regime taxonomy
    std::string model;                ///< raw model name as given (e.g. "T-72B3"), "" when absent
    std::int64_t count = 1;
    double confidence = 1.0;          ///< 0..1
    std::string party;                ///< owner if known, "" otherwise
    std::string source;               ///< imagery | inspection | monitor_report | open_source | …
    std::string source_record;        ///< e.g. the image id the detection was made on
    SourceRef origin;
};

enum class SensorCategory : std::uint8_t { optical, video, infrared, sar };

/// Open Skies–style image metadata.
struct ImageRecord {
    ImageId id;
    std::string mission;
    std::string flight_id;
    std::string observing_party;
    std::string observed_party;
    SensorCategory sensor = SensorCategory::optical;
    Interval acquisition;
    MultiPolygon footprint;
    Meters gsd{0.0};
    Meters height{0.0};
    std::string platform;
    SourceRef origin;
};

/// A party's declared deployment, exercise, notification or movement.
struct Declaration {
    DeclarationId id;
    std::string party;
    std::string unit;
    std::string equipment_class;
    std::int64_t quantity = 0;
    GeoPoint location;
    Meters radius{0.0};
    MultiPolygon area;                ///< used instead of location+radius when not empty
    std::string site_id;
    Interval valid;
    std::string kind;                 ///< deployment | exercise | notification | movement
    std::string reference;
    SourceRef origin;
};

enum class FindingKind : std::uint8_t { violation, discrepancy, coverage_gap, unverifiable, exempted };
enum class Certainty : std::uint8_t { certain, possible, not_applicable };

/// One input record a finding rests on.
struct Evidence {
    std::string record_kind;   ///< detection | image | declaration | flight
    std::string record_id;
    std::string source_file;
    std::string source_position; ///< line number or feature id in that file
};

/// A conclusion with its evidence and a sentence a person can read.
struct Finding {
    std::string id;            ///< content-derived (rule, target, evidence, window): reruns match
    FindingKind kind = FindingKind::violation;
    Certainty certainty = Certainty::certain;
    std::string rule_id;
    std::string rule_type;     ///< prohibited | ceiling | standoff | band | …
    std::string article;
    std::string target_id;     ///< the zone or line the rule refers to
    std::string party;
    std::string equipment_class;
    Interval span;             ///< time span of the evidence (or the window)
    GeoPoint location;         ///< representative location (the detection, or the zone's first evidence)
    double measured = 0.0;     ///< distance in km, or count
    double limit = 0.0;
    std::string unit;          ///< "km" | "count" | "m" | "fraction"
    double confidence = 1.0;
    std::string waiver_id;     ///< set on exempted findings
    std::vector<Evidence> evidence;
    std::string explanation;
};

std::string_view to_string(FindingKind k);
std::string_view to_string(Certainty c);
std::string_view to_string(SensorCategory s);

} // namespace avf
