// Flight tracks and planned routes of observation flights (Open Skies–style missions).
//
// Tracks — fixes with time, position, height above ground and whether a sensor was operating:
//   * CSV with the columns flight_id, time, lon, lat (required), height_m, sensor_on (optional;
//     height unknown = NaN, sensor_on default false; true/false, 1/0, yes/no, on/off), read by
//     ingest/csv.hpp; names matched case-insensitively, other columns ignored;
//   * any OGR point layer with the same attributes (position from the geometry, any CRS);
//   * any OGR line layer of legs: flight_id, start_time, end_time, height_m, sensor_on per
//     feature; the vertices get times spread along the leg in proportion to geodesic length.
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
#include <string>
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

/// Appends the fixes of `path` to `tracks` (one FlightTrack per flight id, sorted by flight id,
/// fixes sorted by time). Throws IoError when unreadable, InputError when a required CSV column
/// is missing or an OGR layer has no CRS.
TrackFileReport read_tracks(const std::string& path, const TrackReadOptions& options, std::vector<FlightTrack>& tracks, ProblemSink& problems);

/// Appends the planned routes of `path` to `routes` (sorted by flight id).
TrackFileReport read_routes(const std::string& path, const TrackReadOptions& options, std::vector<PlannedRoute>& routes, ProblemSink& problems);

} // namespace avf::ingest
