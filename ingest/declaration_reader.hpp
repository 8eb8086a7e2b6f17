// Declarations ingest: what the parties declared — deployments, exercises, notifications and
// movements — read from CSV, JSON or any OGR vector source (GeoJSON, GeoPackage, Shapefile…)
// into avf::Declaration records. As with detections, every field is validated and a record that
// cannot be used becomes a Problem (severity rejected) naming the file, line or feature, the
// record id when known, the field, the value and the reason; the reading goes on. Only a file
// that is unusable as a whole (cannot be opened, not JSON, no header, a missing required column)
// throws. Declarations are few (a data exchange, not a sensor feed), so a file is read whole.
//
//   avf::CollectingProblemSink problems;
//   avf::ingest::DeclarationReadOptions options;
//   options.taxonomy = &regime.taxonomy;
//   std::vector<avf::Declaration> decls = avf::ingest::read_declarations("declarations.csv", options, problems);
//
// Fields (CSV columns, JSON object keys or OGR attributes; names matched case-insensitively):
//   required  id, party, class, quantity, valid_from, valid_to, kind
//   location  one of: lon + lat (+ radius_m, metres, default 0) — a point and radius;
//             area — a polygon: WKT in CSV and OGR attributes ("area_wkt" is accepted too), a
//             GeoJSON Polygon/MultiPolygon object in JSON; an OGR feature's own Point or Polygon
//             geometry (reprojected to lon/lat); site_id — the id of a zone of the zone set.
//             When several are given, area wins over the point, the point over site_id.
//   optional  unit, reference (the document), notified (when it was notified: ISO-8601; used for
//             lead times), site_id
//
// Values and their problems (one problem per rejected record: its first defect):
//   * empty required value or no location at all: missing_field;
//   * class: a canonical class or alias of the regime's taxonomy; unknown: unknown_class;
//   * quantity: a whole number from 0 ("0" declares an absence) to avf::max_items_per_record
//     (10^6): bad_value / bad_number;
//   * party: upper-cased ("blr" is BLR);
//   * kind: deployment | exercise | notification | movement: bad_value;
//   * valid_from, valid_to, notified: ISO-8601 with a zone (avf::parse_utc): bad_time;
//     valid_to not after valid_from: bad_value;
//   * lon/lat out of range: coordinate_out_of_range; NaN/Inf: not_finite; radius_m < 0 or beyond
//     avf::max_distance_m: bad_value;
//   * area: unparsable WKT / GeoJSON or not a polygon: invalid_geometry; ring defects as for
//     zones (geo::normalize_polygons: corrected or rejected);
//   * id, party, unit, site_id, reference longer than avf::max_id_length (unit, reference:
//     max_name_length) bytes: bad_value; not valid UTF-8 or holding a NUL byte: bad_encoding
//     (in JSON too: a Latin-1 byte costs its record, not the file; ingest/text.hpp);
//   * a file with no declaration at all: empty_layer (rejected, once);
//   * a repeated id (in this file or an earlier one of the same reader call): duplicate_id.
// JSON: the file is an array of objects, or an object with a "declarations" array; numbers may
// be JSON numbers or strings. Origins: CSV and JSON records get {file, "", line or "#index",
// index}; OGR records {file, layer, FID, index}.
#pragma once

#include "core/problem.hpp"
#include "core/records.hpp"
#include "core/taxonomy.hpp"
#include "ingest/gdal_support.hpp"

#include <string>
#include <vector>

namespace avf::ingest {

struct DeclarationReadOptions {
    const Taxonomy* taxonomy = nullptr; ///< required: resolves class names and aliases
    VectorSourceOptions vector;         ///< OGR sources: layer, assume_crs
};

/// Reads one declarations file: CSV when its extension is .csv, JSON when .json, OGR otherwise.
/// Good records are returned in input order; bad ones are reported to `problems`.
/// Throws UsageError (no taxonomy), IoError (cannot open/read), InputError (unusable file).
std::vector<Declaration> read_declarations(const std::string& path, const DeclarationReadOptions& options, ProblemSink& problems);

/// Reads several files in order, rejecting ids repeated across them (duplicate_id).
std::vector<Declaration> read_declarations(const std::vector<std::string>& paths, const DeclarationReadOptions& options, ProblemSink& problems);

} // namespace avf::ingest
