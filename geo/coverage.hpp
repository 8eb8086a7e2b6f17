// Coverage of a zone by image footprints: the union of the footprints intersected with the zone,
// the part of the zone left unimaged (zone minus union, a MultiPolygon), and the fraction of the
// zone's geodesic area that was imaged.
//
//   std::vector<const avf::MultiPolygon*> footprints = {&a.footprint, &b.footprint};
//   avf::geo::Coverage c = avf::geo::coverage(zone.geometry, footprints);
//   c.fraction;    // covered area / zone area, both geodesic on WGS84 (m², GeographicLib)
//   c.uncovered;   // what a coverage_gap finding stores
//
// Both inputs follow the project's geometry model: edges straight in lon/lat, normalized by
// geo::normalize_polygons (closed, counter-clockwise, no antimeridian crossing). The overlay
// (union, intersection, difference) is Boost.Geometry's on lon/lat, which is exact for that
// model; the areas are geodesic (geo::zone_area: edges densified to ≤ 100 m, then Karney's
// polygon area), so a degree is never an area.
//
// Fractions are exact at both ends: a zone with nothing left uncovered is 1.0, a zone no
// footprint touches is 0.0; in between, covered / zone area clamped to [0, 1].
#pragma once

#include "core/geometry.hpp"

#include <vector>

namespace avf::geo {

struct Coverage {
    double zone_area_m2 = 0.0;
    double covered_area_m2 = 0.0;
    double fraction = 0.0;  ///< covered / zone area, in [0, 1]
    MultiPolygon covered;   ///< zone ∩ union of the footprints
    MultiPolygon uncovered; ///< zone minus the union of the footprints
};

/// Union of polygons (normalized, possibly overlapping) as one MultiPolygon.
MultiPolygon union_of(const std::vector<const MultiPolygon*>& parts);

/// Coverage of `zone` by `footprints` (see the header comment).
Coverage coverage(const MultiPolygon& zone, const std::vector<const MultiPolygon*>& footprints);

} // namespace avf::geo
