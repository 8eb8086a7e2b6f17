// Validation and normalization of zone and line geometry, before any predicate sees it.
//
// GDAL reads latitude 95, NaN, unclosed rings and bow-ties without complaint, and Boost.Geometry
// answers predicates silently wrong on them, so every geometry passes through here. Each defect
// becomes a Problem (with the caller's context: file, layer, feature, id):
//
//   rejected   not_finite, coordinate_out_of_range, empty_geometry, too_few_points,
//              crosses_antimeridian, polar, self_intersection, invalid_geometry
//   corrected  ring_not_closed (closed by repeating the first vertex), duplicate_vertex (removed),
//              spike (the spike vertex removed)
//
// Orientation is normalized silently (outer rings counter-clockwise, holes clockwise): both
// orientations are legitimate conventions (Shapefile vs RFC 7946), not defects.
//
//   avf::MultiPolygon g = ...;
//   if (avf::geo::normalize_polygons(g, sink, avf::Context{}.file(f).feature(fid).record(id)))
//       use(g);   // valid, closed, oriented
#pragma once

#include "core/geometry.hpp"
#include "core/problem.hpp"

namespace avf::geo {

/// Validates and normalizes in place. Returns false when the geometry was rejected (the reason
/// is reported); corrections are reported and the corrected geometry is kept.
bool normalize_polygons(MultiPolygon& geometry, ProblemSink& sink, const Context& where);

/// Same for reference lines: finite in-range coordinates, no duplicate consecutive vertices
/// (removed), at least 2 distinct points per part, no antimeridian crossing.
bool normalize_lines(MultiLineString& geometry, ProblemSink& sink, const Context& where);

/// Checks one coordinate pair; reports not_finite / coordinate_out_of_range and returns false.
bool check_coordinate(double lon, double lat, ProblemSink& sink, const Context& where);

} // namespace avf::geo
