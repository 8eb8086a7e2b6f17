// The records that flow between stages: what was agreed (zones, lines), observed (detections,
// images), declared (declarations) and concluded (findings). Plain data, no behaviour.
#pragma once

#include "core/geometry.hpp"
#include "core/ids.hpp"
#include "core/time.hpp"
#include "core/units.hpp"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace avf {

/// Longest identifiers and names the store keeps in fixed-size columns. Readers reject longer
/// values as problems (bad_value); nothing is ever truncated.
inline constexpr std::size_t max_id_length = 64;    ///< ids, classes, parties, kinds
inline constexpr std::size_t max_name_length = 128; ///< human-readable names

/// The most items one record may claim: a detection's `count`, a declaration's `quantity`.
/// Readers reject more as a problem (bad_value). Why 10^6: the largest figures in real regimes
/// are tens of thousands — CFE's group ceiling is 20,000 battle tanks, its largest national
/// ceiling 13,150; the Vienna Document notifies exercises from 9,000 troops and the largest
/// declared exercises (Zapad, Vostok) name 12,700 to 300,000 troops — so 10^6 leaves a margin of
/// three over the largest claim ever made, while a sum of bounded counts cannot overflow 64 bits
/// before 9·10^12 records (counting rules still check their sums).
inline constexpr std::int64_t max_items_per_record = 1'000'000;

/// The longest distance a record may state, in metres: half the Earth's equatorial circumference
/// (π · 6,378,137 m ≈ 20,037.5 km; no two points on the WGS84 ellipsoid are farther apart along
/// the surface). Location uncertainty radii, declared radii, ground sample distances and SAR
/// resolutions beyond it (or not finite) are rejected (bad_value / not_finite).
inline constexpr double max_distance_m = 20'037'508.34;

/// The greatest height above ground a record may state, in metres: 100,000 km, above the
/// geostationary orbit (35,786 km), the highest any imaging sensor works from.
inline constexpr double max_height_m = 1e8;

/// Where a record came from: the input file, the layer (for multi-layer sources), the feature id
/// or line number, and the record's position in its source (for stable ordering).
struct SourceRef {
    std::string file;
    std::string layer;
    std::string feature;     ///< OGR FID, or the 1-based line number for text formats
    std::uint64_t index = 0; ///< 0-based position of the record in its source
};

/// A treaty zone: DMZ, buffer, limited-force zone, restricted airspace, area of application…
struct Zone {
    ZoneId id;
    std::string name;
    std::string kind;    ///< dmz | buffer | limited | restricted_airspace | exclusion | area_of_application | …
    std::string parties; ///< the parties/side it applies to, comma-separated ("" = all)
    std::string parent;  ///< id of the enclosing zone, "" when none (nesting)
    Interval valid;
    MultiPolygon geometry; ///< normalized: closed, counter-clockwise outer rings
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
    GeoPoint position;           ///< lon/lat
    Meters uncertainty{0.0};     ///< radius of the location uncertainty disk
    std::string equipment_class; ///< canonical class from the regime taxonomy
    std::string model;           ///< raw model name as given (e.g. "T-72B3"), "" when absent
    std::int64_t count = 1;
    double confidence = 1.0;   ///< 0..1
    std::string party;         ///< owner if known, "" otherwise
    std::string source;        ///< imagery | inspection | monitor_report | open_source | …
    std::string source_record; ///< e.g. the image id the detection was made on
    SourceRef origin;
};

enum class SensorCategory : std::uint8_t { optical, video, infrared, sar };

/// Open Skies–style image metadata (from a STAC Item, a CSV row or an OGR feature; see
/// docs/imagery-format.md). Unknown numbers are NaN.
struct ImageRecord {
    ImageId id;
    std::string mission;
    std::string flight_id; ///< observation flight reference, e.g. "OS5023"
    std::string observing_party;
    std::string observed_party;
    SensorCategory sensor = SensorCategory::optical;
    Interval acquisition;   ///< [start, end); from == to for an instant (`datetime` only)
    MultiPolygon footprint; ///< normalized like zones: closed, counter-clockwise
    Meters gsd{0.0};        ///< ground sample distance; for SAR the finer of range/azimuth when `gsd` is absent
    Meters height{0.0};     ///< height above ground; NaN when unknown
    std::string platform;
    std::string instruments;          ///< STAC `instruments`, comma-separated
    double off_nadir = 0.0;           ///< degrees; NaN when unknown
    Meters sar_range_resolution{0.0}; ///< NaN unless SAR
    Meters sar_azimuth_resolution{0.0};
    std::string sar_polarizations; ///< comma-separated ("VV,VH")
    SourceRef origin;
};

/// One fix of a flight track.
struct TrackPoint {
    UtcTime time;
    GeoPoint position;                                         ///< lon/lat
    Meters height{0.0};                                        ///< above ground; NaN when unknown
    bool sensor_on = false;                                    ///< a sensor was operating at this fix (observation period)
    std::string source_position;                               ///< line number or feature id, for evidence
    Meters altitude{std::numeric_limits<double>::quiet_NaN()}; ///< above mean sea level; NaN when unknown
    Meters position_error{0.0};                                ///< radius of the fix's horizontal position error
};

/// A flown track: fixes ordered by time. Consecutive fixes with sensor_on form the sensor
/// on/off segments (observation periods).
struct FlightTrack {
    std::string flight_id;
    std::vector<TrackPoint> points;
    SourceRef origin;     ///< the file (and layer) it came from
    std::string party;    ///< the aircraft's party, "" when not given
    std::string category; ///< fixed_wing | rotary_wing | uav | balloon; "" for an observation flight's track
};

/// The planned route of a flight (the mission plan), a line in lon/lat.
struct PlannedRoute {
    std::string flight_id;
    LineString route;
    SourceRef origin;
};

/// Coverage of one zone in one period by one coverage rule (a row of the store's `coverage`
/// table; the uncovered part goes to its WKB dataset).
struct CoverageRecord {
    std::string rule_id;
    std::string zone_id;
    Interval period;
    double zone_area_m2 = 0.0;
    double covered_area_m2 = 0.0;
    double fraction = 0.0; ///< covered / zone area (geodesic), [0, 1]
    double required_fraction = 0.0;
    double best_gsd_m = 0.0;                ///< finest GSD among the images used; NaN when none
    UtcTime last_observed = UtcTime::min(); ///< latest acquisition start among them; min() when none
    std::uint64_t images = 0;               ///< images whose footprint touched the zone in the period
    std::string finding_id;                 ///< the coverage_gap finding, "" when the zone was covered
    MultiPolygon uncovered;
};

/// A party's declared deployment, exercise, notification or movement.
struct Declaration {
    DeclarationId id;
    std::string party;
    std::string unit;
    std::string equipment_class;
    std::int64_t quantity = 0;
    GeoPoint location; ///< with `radius`, when point_given
    Meters radius{0.0};
    bool point_given = false;
    MultiPolygon area;   ///< used instead of location+radius when not empty
    std::string site_id; ///< a zone id of the zone set; used when neither area nor point is given
    Interval valid;
    std::string kind;                  ///< deployment | exercise | notification | movement
    std::string reference;             ///< the document it was declared in
    UtcTime notified = UtcTime::min(); ///< when it was notified (lead-time checks); min() = not given
    SourceRef origin;

    bool has_area() const { return !area.empty(); }
    bool has_site() const { return area.empty() && !point_given && !site_id.empty(); }
};

enum class FindingKind : std::uint8_t { violation, discrepancy, coverage_gap, unverifiable, exempted };
enum class Certainty : std::uint8_t { certain, possible, not_applicable };

/// One input record a finding rests on.
struct Evidence {
    std::string record_kind; ///< detection | image | declaration | flight
    std::string record_id;
    std::string source_file;
    std::string source_position; ///< line number or feature id in that file
};

/// A conclusion with its evidence and a sentence a person can read.
struct Finding {
    std::string id; ///< content-derived (rule, target, evidence, window): reruns match
    FindingKind kind = FindingKind::violation;
    Certainty certainty = Certainty::certain;
    std::string rule_id;
    std::string rule_type; ///< prohibited | ceiling | standoff | band | …
    std::string article;
    std::string target_id; ///< the zone or line the rule refers to
    std::string party;
    std::string equipment_class;
    Interval span;         ///< time span of the evidence (or the window)
    GeoPoint location;     ///< representative location (the detection, or the zone's first evidence)
    double measured = 0.0; ///< distance in km, or count
    double limit = 0.0;
    std::string unit; ///< "km" | "count" | "m" | "fraction"
    double confidence = 1.0;
    std::string waiver_id; ///< set on exempted findings
    std::vector<Evidence> evidence;
    /// The sentence a person reads. Rules leave it empty and set `explanation_template` (one per
    /// sentence form of the rule, core/explanation.hpp); a store reader renders it from the template.
    std::string explanation;
    std::string explanation_template;
};

std::string_view to_string(FindingKind k);
std::string_view to_string(Certainty c);
std::string_view to_string(SensorCategory s);
/// "optical" | "video" | "infrared" | "sar" (exact); nullopt otherwise.
inline std::optional<SensorCategory> parse_sensor_category(std::string_view text) {
    if (text == "optical") return SensorCategory::optical;
    if (text == "video") return SensorCategory::video;
    if (text == "infrared") return SensorCategory::infrared;
    if (text == "sar") return SensorCategory::sar;
    return std::nullopt;
}

} // namespace avf
