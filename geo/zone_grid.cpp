#include "geo/zone_grid.hpp"

#include <boost/geometry/algorithms/envelope.hpp>
#include <boost/geometry/strategies/cartesian/point_in_poly_winding.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace bg = boost::geometry;

namespace avf::geo {
namespace {

// The strategy bg::within / bg::covered_by use for a point in a cartesian polygon.
using Winding = bg::strategy::within::cartesian_winding<>;

constexpr double eps = std::numeric_limits<double>::epsilon();

// Floor of (v - origin) / step, clamped to [0, n-1].
std::size_t bucket(double v, double origin, double step, std::size_t n) {
    const double f = std::floor((v - origin) / step);
    if (!(f > 0.0)) return 0; // also NaN
    if (f >= static_cast<double>(n - 1)) return n - 1;
    return static_cast<std::size_t>(f);
}

} // namespace

ZoneGrid::ZoneGrid(const MultiPolygon& zone, const Options& options) {
    // Rings in the order Boost visits them.
    for (std::size_t p = 0; p < zone.size(); ++p) {
        m_rings.push_back(&zone[p].outer());
        m_ring_polygon.push_back(static_cast<std::uint32_t>(p));
        m_ring_exterior.push_back(1);
        for (const auto& hole : zone[p].inners()) {
            m_rings.push_back(&hole);
            m_ring_polygon.push_back(static_cast<std::uint32_t>(p));
            m_ring_exterior.push_back(0);
        }
    }
    // Boost answers -1 for a ring with fewer than 4 points (closed) without looking at it.
    auto usable = [](const Ring& r) { return r.size() >= 4; };

    std::size_t edges = 0;
    double shortest = std::numeric_limits<double>::infinity();
    double largest_coordinate = 1.0;
    for (const Ring* r : m_rings) {
        if (!usable(*r)) continue;
        for (std::size_t j = 0; j + 1 < r->size(); ++j) {
            const GeoPoint& a = (*r)[j];
            const GeoPoint& b = (*r)[j + 1];
            const double len = std::hypot(b.x() - a.x(), b.y() - a.y());
            if (len > 0.0) shortest = std::min(shortest, len);
            largest_coordinate = std::max({largest_coordinate, std::abs(a.x()), std::abs(a.y())});
            ++edges;
        }
    }
    m_stats.edges = edges;
    // Boost's side test calls a point "on" an edge of length L when their triangle's doubled area
    // is within eps·max(coordinate differences, 1): a band of width ~eps/L. Its x and y equality
    // tests use eps·max(|value|, 1). The margin is a wide multiple of both.
    m_margin = std::max({1e-9, 64.0 * eps / shortest, 64.0 * eps * largest_coordinate});
    m_stats.margin = m_margin;

    bg::envelope(zone, m_envelope);
    if (edges == 0) { // nothing Boost would call inside: every cell outside
        m_nx = m_ny = m_ncol = 1;
        m_cells.assign(1, cell_outside);
        m_boundary_sum.assign(4, 0);
        m_col_start.assign(2, 0);
        return;
    }
    const double pad = 2.0 * m_margin;
    m_envelope.min_corner().x(m_envelope.min_corner().x() - pad);
    m_envelope.min_corner().y(m_envelope.min_corner().y() - pad);
    m_envelope.max_corner().x(m_envelope.max_corner().x() + pad);
    m_envelope.max_corner().y(m_envelope.max_corner().y() + pad);
    m_x0 = m_envelope.min_corner().x();
    m_y0 = m_envelope.min_corner().y();
    const double width = m_envelope.max_corner().x() - m_x0;
    const double height = m_envelope.max_corner().y() - m_y0;

    // Label grid: about cells_per_edge cells per edge, square in degrees.
    const double target = static_cast<double>(std::clamp<std::size_t>(options.cells_per_edge * edges, 64, options.max_cells));
    const double side = std::sqrt(width * height / target);
    m_nx = std::clamp<std::size_t>(static_cast<std::size_t>(std::ceil(width / side)), 1, options.max_cells);
    m_ny = std::clamp<std::size_t>(static_cast<std::size_t>(std::ceil(height / side)), 1, options.max_cells);
    while (m_nx * m_ny > options.max_cells) {
        if (m_nx >= m_ny)
            m_nx = (m_nx + 1) / 2;
        else
            m_ny = (m_ny + 1) / 2;
    }
    m_cell_w = width / static_cast<double>(m_nx);
    m_cell_h = height / static_cast<double>(m_ny);
    m_cells.assign(m_nx * m_ny, cell_outside);

    // Column strips.
    m_ncol = std::clamp<std::size_t>(edges / std::max<std::size_t>(1, options.edges_per_column), 1, options.max_columns);
    m_col_w = width / static_cast<double>(m_ncol);

    // One pass over the edges: count column entries, mark boundary cells; a second fills columns.
    const double m = m_margin;
    const double tol = 1e-12 * (1.0 + largest_coordinate); // rounding of the interpolation below
    std::vector<std::uint32_t> column_count(m_ncol + 1, 0);
    auto for_each_edge = [&](auto&& f) {
        for (std::size_t r = 0; r < m_rings.size(); ++r) {
            const Ring& ring = *m_rings[r];
            if (!usable(ring)) continue;
            for (std::size_t j = 0; j + 1 < ring.size(); ++j) f(r, j, ring[j], ring[j + 1]);
        }
    };
    for_each_edge([&](std::size_t, std::size_t, const GeoPoint& a, const GeoPoint& b) {
        const double xmin = std::min(a.x(), b.x()), xmax = std::max(a.x(), b.x());
        const std::size_t c0 = bucket(xmin - m, m_x0, m_col_w, m_ncol), c1 = bucket(xmax + m, m_x0, m_col_w, m_ncol);
        for (std::size_t c = c0; c <= c1; ++c) ++column_count[c];

        // Every point within distance m of the edge has a nearest edge point s with |Δx|, |Δy| ≤ m.
        // Per column of cells: the edge points s with s.x within the column widened by m, their y
        // range widened by m, gives the rows to mark.
        const std::size_t i0 = bucket(xmin - m - tol, m_x0, m_cell_w, m_nx), i1 = bucket(xmax + m + tol, m_x0, m_cell_w, m_nx);
        const double dx = b.x() - a.x(), dy = b.y() - a.y();
        for (std::size_t i = i0; i <= i1; ++i) {
            const double cx0 = m_x0 + static_cast<double>(i) * m_cell_w - m - tol;
            const double cx1 = m_x0 + static_cast<double>(i + 1) * m_cell_w + m + tol;
            double lo = std::max(cx0, xmin), hi = std::min(cx1, xmax);
            double ylo, yhi;
            // lo > hi can only happen through rounding at the ends; a vertical edge has no slope:
            // both take the whole edge.
            if (lo > hi || dx == 0.0) {
                ylo = std::min(a.y(), b.y());
                yhi = std::max(a.y(), b.y());
            } else {
                const double y_lo = a.y() + (lo - a.x()) * (dy / dx);
                const double y_hi = a.y() + (hi - a.x()) * (dy / dx);
                ylo = std::max(std::min(y_lo, y_hi), std::min(a.y(), b.y()));
                yhi = std::min(std::max(y_lo, y_hi), std::max(a.y(), b.y()));
                if (ylo > yhi) std::swap(ylo, yhi);
            }
            const std::size_t j0 = bucket(ylo - m - tol, m_y0, m_cell_h, m_ny), j1 = bucket(yhi + m + tol, m_y0, m_cell_h, m_ny);
            for (std::size_t jrow = j0; jrow <= j1; ++jrow) m_cells[jrow * m_nx + i] = cell_boundary;
        }
    });
    m_col_start.assign(m_ncol + 1, 0);
    for (std::size_t c = 0; c < m_ncol; ++c) m_col_start[c + 1] = m_col_start[c] + column_count[c];
    m_entries.resize(m_col_start[m_ncol]);
    std::vector<std::uint32_t> fill(m_col_start.begin(), m_col_start.end() - 1);
    for_each_edge([&](std::size_t r, std::size_t j, const GeoPoint& a, const GeoPoint& b) {
        const double xmin = std::min(a.x(), b.x()), xmax = std::max(a.x(), b.x());
        const std::size_t c0 = bucket(xmin - m, m_x0, m_col_w, m_ncol), c1 = bucket(xmax + m, m_x0, m_col_w, m_ncol);
        for (std::size_t c = c0; c <= c1; ++c) m_entries[fill[c]++] = Entry{static_cast<std::uint32_t>(r), static_cast<std::uint32_t>(j)};
    });
    m_stats.columns = m_ncol;
    m_stats.column_entries = m_entries.size();

    // Labels: a run of non-boundary cells in a row shares one answer; compute it at the run's
    // first cell centre (at least half a cell from every edge, so exactly ±1).
    for (std::size_t jrow = 0; jrow < m_ny; ++jrow) {
        std::uint8_t run_label = cell_outside;
        bool in_run = false;
        for (std::size_t i = 0; i < m_nx; ++i) {
            std::uint8_t& cell = m_cells[jrow * m_nx + i];
            if (cell == cell_boundary) {
                in_run = false;
                continue;
            }
            if (!in_run) {
                const GeoPoint centre{m_x0 + (static_cast<double>(i) + 0.5) * m_cell_w, m_y0 + (static_cast<double>(jrow) + 0.5) * m_cell_h};
                const int code = exact(centre);
                if (code == 0) { // cannot happen (the centre is far from every edge); be safe
                    cell = cell_boundary;
                    continue;
                }
                run_label = code > 0 ? cell_inside : cell_outside;
                in_run = true;
            }
            cell = run_label;
        }
    }
    m_boundary_sum.assign((m_nx + 1) * (m_ny + 1), 0);
    for (std::size_t jrow = 0; jrow < m_ny; ++jrow) {
        std::uint32_t row = 0;
        for (std::size_t i = 0; i < m_nx; ++i) {
            const bool b = m_cells[jrow * m_nx + i] == cell_boundary;
            row += b ? 1 : 0;
            m_stats.boundary_cells += b ? 1 : 0;
            m_boundary_sum[(jrow + 1) * (m_nx + 1) + i + 1] = m_boundary_sum[jrow * (m_nx + 1) + i + 1] + row;
        }
    }
    m_stats.cells = m_cells.size();
}

std::size_t ZoneGrid::column_of(double x) const {
    return bucket(x, m_x0, m_col_w, m_ncol);
}

int ZoneGrid::exact(const GeoPoint& p) const {
    const std::size_t c = column_of(p.x());
    const Entry* it = m_entries.data() + m_col_start[c];
    const Entry* end = m_entries.data() + m_col_start[c + 1];

    // Rings are visited in Boost's order; rings without entries here answer -1 (no edge spans
    // the point's longitude). Per polygon: the exterior decides unless it says inside, then the
    // first hole that does not say outside decides (-code); the first polygon not outside wins.
    bool have_polygon = false;
    std::uint32_t polygon = 0;
    int exterior = -1;
    bool decided = false; // a hole decided the current polygon (the point is in the hole)
    while (it != end) {
        const std::uint32_t r = it->ring;
        const Ring& ring = *m_rings[r];
        Winding::state_type state;
        // Boost walks a counter-clockwise ring reversed (normalized_view): edge j as (j+1 → j).
        for (; it != end && it->ring == r; ++it)
            if (!Winding::apply(p, ring[it->edge + 1], ring[it->edge], state)) {
                while (it != end && it->ring == r) ++it;
                break;
            }
        const int code = Winding::result(state);
        if (m_ring_exterior[r]) {
            if (have_polygon && exterior == 1 && !decided) return 1;
            have_polygon = true;
            polygon = m_ring_polygon[r];
            exterior = code;
            decided = false;
            if (code == 0) return 0;
        } else {
            if (!have_polygon || m_ring_polygon[r] != polygon || exterior != 1 || decided) continue;
            if (code == 0) return 0;
            if (code == 1) decided = true; // inside a hole: outside this polygon
        }
    }
    if (have_polygon && exterior == 1 && !decided) return 1;
    return -1;
}

Location ZoneGrid::classify(const GeoPoint& p) const {
    if (!(p.x() >= m_envelope.min_corner().x() && p.x() <= m_envelope.max_corner().x() && p.y() >= m_envelope.min_corner().y() &&
          p.y() <= m_envelope.max_corner().y()))
        return Location::outside; // more than the margin away from the zone (or NaN)
    const std::size_t i = bucket(p.x(), m_x0, m_cell_w, m_nx), j = bucket(p.y(), m_y0, m_cell_h, m_ny);
    switch (m_cells[j * m_nx + i]) {
    case cell_inside: return Location::inside;
    case cell_outside: return Location::outside;
    default: break;
    }
    const int code = exact(p);
    return code > 0 ? Location::inside : code == 0 ? Location::boundary : Location::outside;
}

ZoneGrid::Cover ZoneGrid::cover(const Box& box) const {
    const double bx0 = box.min_corner().x(), by0 = box.min_corner().y(), bx1 = box.max_corner().x(), by1 = box.max_corner().y();
    const double ex0 = m_envelope.min_corner().x(), ey0 = m_envelope.min_corner().y(), ex1 = m_envelope.max_corner().x(),
                 ey1 = m_envelope.max_corner().y();
    if (!(bx0 <= bx1 && by0 <= by1)) return Cover::mixed; // empty or NaN: let the caller decide exactly
    if (bx1 < ex0 || bx0 > ex1 || by1 < ey0 || by0 > ey1) return Cover::outside;
    const bool spills = bx0 < ex0 || by0 < ey0 || bx1 > ex1 || by1 > ey1; // part of the box is beyond the grid (outside)
    const std::size_t i0 = bucket(std::max(bx0, ex0), m_x0, m_cell_w, m_nx), i1 = bucket(std::min(bx1, ex1), m_x0, m_cell_w, m_nx);
    const std::size_t j0 = bucket(std::max(by0, ey0), m_y0, m_cell_h, m_ny), j1 = bucket(std::min(by1, ey1), m_y0, m_cell_h, m_ny);
    const std::size_t w = m_nx + 1;
    const std::uint32_t boundary =
        m_boundary_sum[(j1 + 1) * w + i1 + 1] - m_boundary_sum[j0 * w + i1 + 1] - m_boundary_sum[(j1 + 1) * w + i0] + m_boundary_sum[j0 * w + i0];
    if (boundary != 0) return Cover::mixed;
    // A rectangle of non-boundary cells is connected without crossing the boundary: one label.
    const std::uint8_t label = m_cells[j0 * m_nx + i0];
    if (label == cell_inside) return spills ? Cover::mixed : Cover::inside;
    return Cover::outside;
}

} // namespace avf::geo
