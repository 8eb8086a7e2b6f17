// Flight tracks and planned routes of observation flights (Open Skies–style missions).
//
// Tracks — fixes with time, position, height above ground and whether a sensor was operating:
//   * CSV with the columns flight_id, time, lon, lat (required), height_m, sensor_on (optional;
//     height unknown = NaN, sensor_on default false; true/false, 1/0, yes/no, on/off), read by
//     ingest/csv.hpp; names matched case-insensitively, other columns ignored;
//   * any OGR point layer with the same attributes (position from the geometry, any CRS);
//   * any OGR line layer of legs: flight_id, start_time, end_time, height_m, sensor_on per
//     feature; the vertices get times spread along the leg in proportion to geodesic length.
// Aircraft and drone tracks (the `airspace` rule) add, per fix, a track id, party, category and
// altitude, and optionally the radius of the position error:
//   * CSV: track_id (or flight_id), time, lon, lat, altitude_m (metres above mean sea level),
//     party, category (fixed_wing | rotary_wing | uav | balloon; also fixed-wing, helicopter,
//     drone…), position_error_m (default 0);
//   * OGR points: the same attributes; the altitude may be the geometry's Z and the time its M
//     (seconds since 1970-01-01T00:00:00Z) instead of altitude_m and time;
//   * OGR lines with Z and/or M: each vertex is a fix, its altitude the Z and its time the M (when
//     every vertex has one; else start_time/end_time spread along the line);
//   * GPX: every <trkpt> of every <trk> (layer track_points, altitude <ele>, time <time>); the track
//     id is the <trk>'s <name>, its category its <type>, its party an <avf:party> extension
//     (<extensions><avf:party>PRK</avf:party></extensions>, any namespace prefix avf).
// A fix of a track with a category is rejected — a problem, the run goes on — when it has no
// altitude (missing_field), when its time is earlier than the track's previous fix in the same
// file (time going backwards, bad_time), when reaching it from the previous kept fix needs an
// impossible speed (max_speed(category), after subtracting both fixes' position errors;
// bad_value), and when it names another party or category than the track's first fix.
// Routes (the planned route of each flight): any OGR line layer (GeoJSON, GPKG, CSV with a WKT
// column taken as EPSG:4326) with a flight_id attribute; one line per flight.
//
//   std::vector<avf::FlightTrack> tracks;
//   avf::CollectingProblemSink problems;
//   avf::ingest::read_tracks("track.csv", {}, tracks, problems);     // fixes grouped by flight, sorted by time
//   std::vector<avf::PlannedRoute> routes;
//   avf::ingest::read_routes("plan.geojson", {}, routes, problems);
//
// A bad fix or route becomes one Problem (rejected) with file, line or feature, flight id, field,
// value and reason; reading goes on. A second fix of the same flight at the same time is rejected
// (duplicate_id) and so is a second route for one flight. Fixes of one flight may come from
// several files and in any order: they are merged and sorted by time.
#pragma once

#include "core/problem.hpp"
#include "core/records.hpp"
#include "ingest/gdal_support.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace avf::ingest {

struct TrackReadOptions {
    /// OGR sources: layer and the CRS assumed for layers without one (CSV routes: EPSG:4326).
    VectorSourceOptions vector;
};

struct TrackFileReport {
    std::string path;
    std::string format;         ///< "csv" or the OGR driver name
    std::uint64_t records = 0;  ///< rows / features seen
    std::uint64_t accepted = 0; ///< fixes (tracks) or routes accepted
    std::uint64_t rejected = 0;
};

/// The canonical aircraft category of `text` (case, '-' and ' ' ignored; helicopter, drone, uas,
/// airplane accepted), nullopt when unknown.
std::optional<std::string> aircraft_category(std::string_view text);
/// The fastest a category can fly, in metres per second (a bound, not a performance figure):
/// fixed_wing and uav 1,200, rotary_wing and balloon 150; infinite for "" (observation flights).
Meters max_speed(std::string_view category);

/// Appends the fixes of `path` to `tracks` (one FlightTrack per flight id, sorted by flight id,
/// fixes sorted by time). Throws IoError when unreadable, InputError when a required CSV column
/// is missing or an OGR layer has no CRS.
TrackFileReport read_tracks(const std::string& path, const TrackReadOptions& options, std::vector<FlightTrack>& tracks, ProblemSink& problems);

/// Appends the planned routes of `path` to `routes` (sorted by flight id).
TrackFileReport read_routes(const std::string& path, const TrackReadOptions& options, std::vector<PlannedRoute>& routes, ProblemSink& problems);

} // namespace avf::ingest
