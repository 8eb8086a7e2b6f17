// A lookup of conservative distance bounds to a SegmentIndex's line: answers "is p surely farther
// than D from the line?" in a few nanoseconds, without solving a geodesic, for most points — the
// yes/no of a standoff rule, whose exact distance is then needed only near or within the limit.
//
//   avf::geo::DistanceGrid grid(index, avf::kilometers(80));   // cells over the line ± 80 km
//   if (grid.lower_bound(p) >= limit) return;                  // index.distance_within(p, limit) is not found
//   auto near = index.distance_within(p, limit);               // only the rest are solved
//
// A uniform lon/lat grid over the line's envelope widened by `reach` (expand_by(Box, reach): every
// point within reach of the line lies inside). Each cell holds a lower bound of the geodesic
// distance from any of its points to the line: SegmentIndex::lower_bound at the cell's centre (the
// bounds alone, capped at reach) less the most any point of the cell can lie from the centre (a
// meridian arc and then a parallel, each at most the largest radius of curvature of WGS84,
// 6 399 594 m, times its angle, the parallel at the cell's latitude nearest the equator), rounded
// down to a float. So lower_bound(p) never exceeds the exact distance (the triangle inequality),
// and points outside the grid are at least `reach` away. It is within the bounds' slack (0.1-0.4 %)
// plus a cell's diagonal of the exact distance: points farther than that beyond the limit are
// decided by one lookup.
//
// Not built (usable() false, lower_bound() 0: every query goes to the index) when the widened
// envelope reaches within 1° of a pole or past ±180° — where expand_by does not hold or the
// neighbourhood wraps. Cells: about reach / 8 on a side (at least 500 m), at most max_cells —
// measured on the bench's lines (bench/standoff_decision.cpp), cells of reach / 24 cost as much
// per lookup (the few points within a cell of the limit go to the index, ~1 µs each) and 8× the
// construction.
// Cost: construction one bounds-only search per cell (no geodesic), 4 bytes per cell; lookups
// O(1), const and thread-safe.
#pragma once

#include "core/geometry.hpp"
#include "core/units.hpp"

#include <cstddef>
#include <vector>

namespace avf::geo {

class SegmentIndex;

class DistanceGrid {
public:
    static constexpr std::size_t max_cells = std::size_t{1} << 20;

    DistanceGrid() = default;
    /// Bounds for every point within `reach` of the line; `cell` the side of a cell (metres, north-
    /// south; 0 = reach / 8, at least 500 m), made larger when the grid would exceed max_cells.
    DistanceGrid(const SegmentIndex& index, Meters reach, Meters cell = Meters{0.0});

    /// A lower bound of the distance from p to the nearest segment: never more than the exact
    /// distance, nor than reach(); 0 when !usable() or p is not a finite position.
    Meters lower_bound(const GeoPoint& p) const;

    bool usable() const { return m_usable; }
    Meters reach() const { return Meters{m_reach}; }
    std::size_t columns() const { return m_nx; }
    std::size_t rows() const { return m_ny; }
    /// The lon/lat box one cell covers, for tests: (column, row).
    Box cell_box(std::size_t column, std::size_t row) const;

private:
    bool m_usable = false;
    double m_reach = 0.0;
    double m_lon0 = 0.0, m_lat0 = 0.0;       // south-west corner of cell (0, 0)
    double m_dlon = 0.0, m_dlat = 0.0;       // degrees per cell
    double m_per_lon = 0.0, m_per_lat = 0.0; // cells per degree
    std::size_t m_nx = 0, m_ny = 0;
    std::vector<float> m_lower; // metres, row-major (row = latitude)
};

} // namespace avf::geo
