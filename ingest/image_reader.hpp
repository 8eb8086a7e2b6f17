// Image metadata ingest (Open Skies–style imagery): STAC Items — a single Item, an ItemCollection,
// or one Item per line (GeoJSONSeq / NDJSON) — read with nlohmann-json, and CSV files (footprint in
// a `WKT` column, EPSG:4326 unless the file says otherwise) or any OGR polygon layer with the same
// fields. Field names and their meaning are in docs/imagery-format.md.
//
//   std::vector<avf::ImageRecord> images;
//   avf::CollectingProblemSink problems;
//   auto report = avf::ingest::read_images("mission.json", {}, images, problems);
//   report.records;   // items seen; report.accepted + rejected == records
//
// Every footprint goes through geo::normalize_polygons, as zones do (closed, oriented, in range,
// not crossing the antimeridian). A bad item becomes one Problem (rejected) naming the file, the
// item (feature index, JSON line or OGR feature id), its id when known, the field, the value and
// the reason, and the reading goes on. Only a file unusable as a whole throws: IoError when it
// cannot be opened, InputError when it is not JSON at all or is JSON of another kind (not a
// Feature / FeatureCollection), or an OGR layer has no CRS.
//
// Ids must be unique across everything read into the same vector: a repeated id is rejected
// (duplicate_id) naming the first occurrence.
#pragma once

#include "core/problem.hpp"
#include "core/records.hpp"
#include "ingest/gdal_support.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace avf::ingest {

struct ImageReadOptions {
    /// OGR sources: layer ("" = the only one, or every layer) and the CRS assumed when a layer has
    /// none. CSV files are taken as EPSG:4326 when assume_crs is empty (their WKT has no CRS).
    VectorSourceOptions vector;
};

struct ImageFileReport {
    std::string path;
    std::string format;        ///< "stac-item" | "stac-itemcollection" | "stac-lines" | the OGR driver name
    std::uint64_t records = 0; ///< items / features / lines seen
    std::uint64_t accepted = 0;
    std::uint64_t rejected = 0;
};

/// Appends the good records of `path` to `out` (see the header comment).
ImageFileReport read_images(const std::string& path, const ImageReadOptions& options, std::vector<ImageRecord>& out, ProblemSink& problems);

/// True when `path` is read as JSON (STAC): its extension is .json, .geojson, .ndjson, .jsonl,
/// .geojsonl or .geojsons, or its first non-blank byte is '{'.
bool is_stac_json(const std::string& path);

} // namespace avf::ingest
