// Monitoring-mission sighting reports (OSCE SMM style): "4 tanks 2 km north-east of <place>"
// with a date, a means of observation and sometimes a heading, read from CSV or JSON, placed
// against a gazetteer (any OGR point layer, or CSV with lon/lat) and turned into detections with
// `source = monitor_report` — so every detection rule, de-duplication and confidence applies to
// them as to any other detection. Rules are in docs/input-files.md ("Monitoring-mission reports").
//
//   avf::CollectingProblemSink problems;
//   avf::ingest::Gazetteer places = avf::ingest::read_gazetteer("places.geojson", {}, problems);
//   avf::ingest::ReportReadOptions options{.taxonomy = &regime.taxonomy};
//   std::vector<avf::ingest::ReportedSighting> s = avf::ingest::read_reports("smm.csv", places, options, problems);
//   s[0].detections;   // one per class counted, at the geodesic destination point
//   auto source = avf::ingest::open_reports("smm.csv", places, options);   // the same, as a DetectionSource
//
// Where a sighting is (place_sighting): the destination point D of the geodesic from the place P
// along the stated bearing θ for the stated distance d (GeographicLib, geo::destination). The
// statement only says that the object lies in the sector-annulus
//   S = { destination(P, φ, r) : |φ − θ| ≤ δ, max(0, d − ε) ≤ r ≤ d + ε }
// (δ: the bearing's half-width — ±22.5° for an 8-point compass name, ±11.25° for a 16-point one,
// half a unit of the last written digit of a bearing in degrees; ε: the distance's half-width —
// half a unit of the last written digit, "2" km → ±0.5 km, "2.5" → ±0.05 km), around a place
// that is itself anywhere within its extent e of P. The uncertainty radius is the radius of the
// disk around D that covers all of it:
//   R = max over the four corners c = destination(P, θ ± δ, max(0, d − ε) | d + ε) of distance(D, c)  +  e
// In the plane the farthest point of S from D is always a corner (the distance from D to
// (r, φ) grows with |φ − θ| up to 180°, and is convex in r), i.e.
//   R − e = max(√(d² + r² − 2·d·r·cos δ)) for r ∈ {max(0, d − ε), d + ε};
// the corners are solved on the ellipsoid, where at report distances (tens of km) the farthest
// point stays within micrometres of a corner. Adding e covers a place anywhere within its extent
// (each point of the shifted sector lies within e of the unshifted one).
//
// Reports — CSV columns or JSON object keys, matched case-insensitively:
//   required  report_id, time (ISO-8601), place (a gazetteer name or alternate name) or place_id
//             (a gazetteer id), distance_km, means (patrol | mini_uav | long_range_uav | camera;
//             "mini-UAV", "long-range UAV" accepted), and what was seen: counts ("4 tanks; 2 MLRS")
//             or class + count
//   bearing   degrees clockwise from north (0 to 360) or a compass point (N, NNE, NE … NNW, or
//             the words north, north-north-east, north-east …); required unless distance_km is 0
//   optional  id (the sighting's; default <report_id>-<n>, n = 1, 2… within the report in file
//             order), bearing_error_deg, distance_error_km (override the half-widths above),
//             heading (degrees or a compass point), party, confidence (0..1, default 1)
// JSON: an array of objects, or an object with a "sightings" array; counts may be a string or
// an object {"tanks": 4}; numbers may be JSON numbers or strings (a string keeps its written
// precision: "2.50").
//
// Each counted class becomes one detection: id = the sighting's id (or "<id>/<k>" for the k-th of
// several classes), source = monitor_report, source_record = report_id (so that two sightings of
// one report are never merged as one object), model = the class as written when it is an alias.
// A class is resolved through the regime's taxonomy; when the text is no class or alias and ends
// in "s", it is resolved without that "s" ("4 tanks" with an alias "tank").
//
// Problems (one per rejected sighting, its first defect in the order: report_id, id, time,
// bearing, bearing_error_deg, distance_km, distance_error_km, counts, means, heading, party,
// confidence, place): missing_field, bad_number, not_finite, bad_value, bad_time, unknown_class,
// bad_encoding as in the other readers; a place no gazetteer entry is named (names and
// alternate names, Unicode case-insensitive, blanks collapsed): unknown_place, naming the closest names;
// a name several entries carry: ambiguous_place, naming every candidate (id, name, lon/lat) —
// nothing is guessed: give place_id. Origins: CSV {file, "", line, index}, JSON {file, "",
// "#index", index}.
//
// Gazetteer — any OGR point layer (GeoJSON, GeoPackage, Shapefile…; reprojected to lon/lat) or a
// CSV with lon and lat columns. Of a source with several layers, the one named by
// GazetteerReadOptions::vector.layer (`--gazetteer-layer`), else its only point layer; without
// either, InputError listing the layers with their geometry types. Fields: required id, name; optional alt_names (also alternate_names;
// separated by ',' or ';'), radius_m (the place's extent, metres, default 0). Rejected entries:
// missing_field, bad_number, not_finite, coordinate_out_of_range, bad_value (radius < 0),
// unsupported_geometry / empty_geometry, duplicate_id (an id given twice), bad_encoding.
#pragma once

#include "core/problem.hpp"
#include "core/records.hpp"
#include "core/taxonomy.hpp"
#include "ingest/detection_reader.hpp"
#include "ingest/gdal_support.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace avf::ingest {

/// A named place.
struct GazetteerEntry {
    std::string id;
    std::string name;
    std::vector<std::string> alternate_names;
    GeoPoint position;  ///< lon/lat
    Meters radius{0.0}; ///< the place's own extent
    SourceRef origin;
};

struct GazetteerReadOptions {
    VectorSourceOptions vector; ///< OGR sources: layer, assume_crs
};

/// The places, looked up by name or id.
class Gazetteer {
public:
    Gazetteer() = default;
    explicit Gazetteer(std::vector<GazetteerEntry> entries);

    /// The entries named `name` (name or alternate name; Unicode case-insensitive and normalized —
    /// ICU's NFKC_Casefold, so "НОВОАЗОВСЬК" finds "Новоазовськ" — surrounding blanks dropped and
    /// inner runs of blanks read as one space), in gazetteer order.
    std::vector<const GazetteerEntry*> find(std::string_view name) const;
    /// The entry with this id (exact), or nullptr.
    const GazetteerEntry* by_id(std::string_view id) const;
    /// Up to `max` names closest to `name` (edit distance at most 2 UTF-8 bytes after the same folding), for a
    /// problem's message; closest first, then in gazetteer order.
    std::vector<const GazetteerEntry*> near_names(std::string_view name, std::size_t max = 3) const;

    const std::vector<GazetteerEntry>& entries() const { return m_entries; }
    bool empty() const { return m_entries.empty(); }

    /// The folded form names are compared in.
    static std::string fold(std::string_view name);

private:
    std::vector<GazetteerEntry> m_entries;
    std::map<std::string, std::vector<std::size_t>, std::less<>> m_by_name; // folded name → entries
    std::map<std::string, std::size_t, std::less<>> m_by_id;
};

/// Reads a gazetteer: CSV (own reader: lon, lat columns) when the extension is .csv, OGR
/// otherwise. IoError / InputError for an unusable file; bad entries go to `problems`.
Gazetteer read_gazetteer(const std::string& path, const GazetteerReadOptions& options, ProblemSink& problems);

enum class ObservationMeans : std::uint8_t { patrol, mini_uav, long_range_uav, camera };
std::string_view to_string(ObservationMeans m);

/// A stated direction: its centre and half-width, both in degrees.
struct StatedBearing {
    double degrees = 0.0;
    double half_width = 0.0;
};
/// "NE" → {45, 22.5}, "NNE" → {22.5, 11.25}, "north-east" → {45, 22.5}, "45" → {45, 0.5},
/// "45.5" → {45.5, 0.05}; nullopt for anything else (a bearing outside [0, 360] included).
std::optional<StatedBearing> parse_bearing(std::string_view text);

/// Half a unit of the last written digit of a decimal number: "2" → 0.5, "2.5" → 0.05,
/// "2.50" → 0.005, "1e3" → 500 (the unit of the last digit, scaled by the exponent). The text must be a number.
double rounding_half_width(std::string_view number_text);

/// Where a sighting is and how far it may be from there (see the header comment).
struct SightingPlacement {
    GeoPoint position;
    Meters uncertainty{0.0};
};
SightingPlacement place_sighting(const GeoPoint& place, Meters place_radius, const StatedBearing& bearing, Meters distance,
                                 Meters distance_half_width);

/// One sighting as read, with its detections.
struct ReportedSighting {
    std::string report_id;
    std::string id;
    std::string place_id; ///< the gazetteer entry it was placed against
    StatedBearing bearing;
    Meters distance{0.0}, distance_half_width{0.0};
    ObservationMeans means = ObservationMeans::patrol;
    std::optional<StatedBearing> heading;
    std::vector<Detection> detections; ///< one per class counted
};

struct ReportReadOptions {
    const Taxonomy* taxonomy = nullptr; ///< required: resolves class names and aliases
};

/// Reads one reports file whole: JSON when its extension is .json, CSV otherwise. Good sightings
/// in file order; bad ones reported to `problems`. UsageError (no taxonomy), IoError, InputError
/// (not CSV with the required columns, not JSON of the expected shape).
std::vector<ReportedSighting> read_reports(const std::string& path, const Gazetteer& gazetteer, const ReportReadOptions& options,
                                           ProblemSink& problems);

/// How a sighting was observed, as its record states it: what an auditor is shown for evidence
/// resting on a report (`avf findings show`), which the store does not keep.
struct SightingObservation {
    std::string report_id;
    std::string means;   ///< patrol | mini_uav | long_range_uav | camera, or the text as written when it is none of these
    std::string heading; ///< "SW (225°)", "135°", "" when none is given; the text as written when it is no bearing
};
/// Each record of a reports file by the position its detections' evidence names (CSV: the line
/// number, "7"; JSON: "#3"), good records and bad alike; needs no gazetteer. IoError / InputError
/// as read_reports.
std::map<std::string, SightingObservation> read_report_observations(const std::string& path);

/// The same file as a stream of detections (read whole when opened; its problems delivered with
/// the first batch). records_seen() counts sightings (rows), good or bad.
std::unique_ptr<DetectionSource> open_reports(const std::string& path, const Gazetteer& gazetteer, const ReportReadOptions& options);

} // namespace avf::ingest
