// Fast, exact point-in-zone for zones with many vertices (10^4–10^6): a uniform grid over the
// zone's envelope whose cells are known to be inside, outside or on the boundary, with exact edge
// tests only for points in boundary cells.
//
//   avf::geo::ZoneGrid grid(zone.geometry);
//   avf::Location where = grid.classify(p);       // == Boost.Geometry within / covered_by, bit for bit
//   switch (grid.cover(box)) { ... }                // does a box avoid the boundary entirely?
//
// Exactness. The answer is defined as Boost.Geometry's (point_in_geometry with its default
// cartesian winding strategy — what bg::within and bg::covered_by return): 1 inside, 0 on the
// boundary, -1 outside, with Boost's own epsilon rules for "on". The grid never approximates it:
//   * a cell is a *boundary* cell when any edge, widened by a margin, touches the closed cell. The
//     margin (≥ 1e-9°, more for very short edges) is far wider than the band where Boost's
//     floating-point and epsilon tests can disagree with the exact geometry, so for a point in a
//     non-boundary cell every per-edge decision Boost makes is the geometrically true one, Boost
//     returns the true answer, and the true answer is the same throughout the connected run of
//     non-boundary cells: the cell's label (computed once per run of cells, exactly).
//   * for a point in a boundary cell the answer is computed with Boost's own per-edge winding
//     strategy, called on exactly the edges that can contribute: Boost counts an edge only when
//     it spans the point's longitude (within epsilon), so only the edges of the point's column
//     strip are visited, ring by ring, and the rings are combined as Boost combines them
//     (exterior, then holes; polygons in order, the first non-outside answer wins).
// tests/geo/test_zone_grid.cpp compares classify() with bg::within/bg::covered_by on millions of
// random points, every vertex, points on edges and points a hair off them.
//
// Cost: construction O(cells + edges × columns spanned); classify O(1) outside boundary cells,
// O(edges in the column strip) inside them. Thread-safe (const after construction).
#pragma once

#include "core/geometry.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace avf::geo {

class ZoneGrid {
public:
    struct Options {
        std::size_t cells_per_edge = 16;                ///< target label cells per edge (default 16)
        std::size_t max_cells = std::size_t{1} << 22;   ///< cap on label cells (default 4 Mi: 20 MB with the prefix sums)
        std::size_t edges_per_column = 8;               ///< target edges per column strip (default 8)
        std::size_t max_columns = std::size_t{1} << 17; ///< cap on column strips (default 128 Ki)
    };

    ZoneGrid() = default;
    explicit ZoneGrid(const MultiPolygon& zone) : ZoneGrid(zone, Options{}) {}
    ZoneGrid(const MultiPolygon& zone, const Options& options);

    /// Inside / boundary / outside, exactly as Boost.Geometry decides (see the header comment).
    Location classify(const GeoPoint& p) const;

    /// What a lon/lat box covers: `outside` / `inside` when every point of the box is outside /
    /// inside the zone and at least `margin` (see above) from its boundary; `mixed` otherwise.
    enum class Cover : std::uint8_t { outside, inside, mixed };
    Cover cover(const Box& box) const;

    /// Label cells, boundary cells and column-strip entries (for reports and tests).
    struct Stats {
        std::size_t edges = 0, cells = 0, boundary_cells = 0, columns = 0, column_entries = 0;
        double margin = 0.0;
    };
    const Stats& stats() const { return m_stats; }

private:
    enum : std::uint8_t { cell_outside = 0, cell_inside = 1, cell_boundary = 2 };
    struct Entry {
        std::uint32_t ring;
        std::uint32_t edge; // the edge from ring point `edge` to `edge + 1`
    };

    int exact(const GeoPoint& p) const; // Boost's 1 / 0 / -1, from the point's column strip
    std::size_t column_of(double x) const;

    std::vector<const Ring*> m_rings;          // Boost's order: polygon 0 exterior, its holes, polygon 1…
    std::vector<std::uint32_t> m_ring_polygon; // polygon of each ring
    std::vector<std::uint8_t> m_ring_exterior; // 1 for exterior rings
    double m_margin = 1e-9;
    Box m_envelope; // widened by the margin
    // Label grid.
    std::size_t m_nx = 0, m_ny = 0;
    double m_x0 = 0, m_y0 = 0, m_cell_w = 1, m_cell_h = 1;
    std::vector<std::uint8_t> m_cells;         // row-major, m_ny rows of m_nx
    std::vector<std::uint32_t> m_boundary_sum; // 2-D prefix sums of boundary cells, (m_ny+1)×(m_nx+1)
    // Column strips (finer in x than the label grid): entries grouped by ring, in ring order.
    std::size_t m_ncol = 0;
    double m_col_w = 1;
    std::vector<std::uint32_t> m_col_start; // m_ncol + 1
    std::vector<Entry> m_entries;
    Stats m_stats;
};

} // namespace avf::geo
