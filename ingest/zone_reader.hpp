// Reads treaty zones (polygons) and reference lines (lines) from any GDAL vector source —
// GeoPackage, Shapefile, GeoJSON, KML, FlatGeobuf, CSV with a WKT column — reprojected to
// EPSG:4326 lon/lat and validated before anything else sees them.
//
//   avf::ingest::ZoneReadOptions opt;              // id/name/kind/... field names, layer, CRS
//   avf::ingest::ZoneCollection set;
//   avf::CollectingProblemSink problems(strict);
//   avf::ingest::read_zones("dmz.gpkg", opt, set, problems);
//   avf::ingest::read_zones("mdl.geojson", opt, set, problems);   // ids unique across files
//   set.zones; set.lines; set.files[0].features_read;
//
// Polygon features become Zones, line features ReferenceLines; anything else is a problem. Every
// rejected or corrected feature is reported with file, layer, feature id and zone id. Text
// attributes must be UTF-8 (bad_encoding), party codes are upper-cased, and a source without any
// feature is an empty_layer problem (docs/input-files.md).
#pragma once

#include "core/problem.hpp"
#include "core/records.hpp"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace avf::ingest {

struct ZoneReadOptions {
    std::string layer;                     ///< "" = every layer of the source
    std::string assume_crs;                ///< CRS for layers without one; "" = refuse them
    std::string id_field = "id";           ///< unique per set (zones and lines together)
    std::string name_field = "name";       ///< optional; defaults to the id
    std::string kind;                      ///< when set, the kind of every feature
    std::string kind_field = "kind";       ///< else read from this field
    std::string parties_field = "parties"; ///< optional, comma-separated party codes
    std::string parent_field = "parent";   ///< optional, id of the enclosing zone
    /// Optional validity start; empty = unbounded. OGR date fields, ISO-8601 text, or ogr2ogr's
    /// "YYYY/MM/DD[ hh:mm:ss][+hh]"; a time without a zone is taken as UTC with a note
    /// (Feature::time_field).
    std::string valid_from_field = "valid_from";
    std::string valid_to_field = "valid_to"; ///< optional validity end (exclusive), read as valid_from; empty = unbounded
};

/// Per-file counts, for provenance and the import report.
struct ZoneFileReport {
    std::string path;
    std::string driver;
    std::vector<std::string> layers;
    std::string crs; ///< of the first layer, as described by GDAL
    std::uint64_t features_read = 0;
    std::uint64_t zones = 0, lines = 0;
    std::uint64_t rejected = 0, corrected = 0;
};

/// What one or more sources yielded, accumulated across read_zones calls.
struct ZoneCollection {
    std::vector<Zone> zones;
    std::vector<ReferenceLine> lines;
    std::vector<ZoneFileReport> files;
    /// id → "file, feature N" of its first occurrence, for duplicate reports.
    std::unordered_map<std::string, std::string> seen_ids;
};

/// Reads every feature of `path` into `out`. Throws IoError when the source cannot be opened or
/// read (e.g. truncated), InputError when a layer has no CRS and none is assumed, or when the
/// sink is strict and a feature is rejected.
void read_zones(const std::string& path, const ZoneReadOptions& options, ZoneCollection& out, ProblemSink& problems);

/// After all sources are read: reports zones whose parent id names no zone in the collection
/// (bad_value) and parent cycles, and clears those parents.
void check_zone_parents(ZoneCollection& set, ProblemSink& problems);

} // namespace avf::ingest
