#include "geo/distance_grid.hpp"

#include "geo/segment_index.hpp"

#include <algorithm>
#include <cmath>

namespace avf::geo {
namespace {

constexpr double deg = M_PI / 180.0;
// The largest radius of curvature of WGS84 (meridional and prime-vertical, at the poles: a²/b),
// rounded up: no meridian arc or parallel arc of angle θ is longer than this times θ.
constexpr double largest_radius = 6'400'000.0;
// Metres per degree of latitude, roughly (cells are about square; nothing depends on it).
constexpr double meters_per_deg_lat = 110'574.0;
// Degrees added to a cell's half-extents: covers the rounding by which a point may be filed in
// a neighbouring cell (~1e-14°) many times over.
constexpr double cell_margin_deg = 1e-9;

// The largest float not above x (x ≥ 0, finite).
float float_below(double x) {
    auto f = static_cast<float>(x);
    if (static_cast<double>(f) > x) f = std::nextafter(f, 0.0f);
    return f;
}

} // namespace

DistanceGrid::DistanceGrid(const SegmentIndex& index, Meters reach, Meters cell) : m_reach(reach.value) {
    if (!(m_reach > 0.0) || !std::isfinite(m_reach)) return;
    if (index.empty()) {
        // No segment: every point is farther than any reach, and no cell is needed.
        m_usable = true;
        return;
    }
    const Box area = expand_by(index.bounds(), reach);
    if (!(area.min_corner().y() > -89.0 && area.max_corner().y() < 89.0 && area.min_corner().x() >= -180.0 && area.max_corner().x() <= 180.0)) return;

    double side = cell.value > 0.0 ? cell.value : std::max(500.0, m_reach / 8.0);
    const double mid_cos = std::cos(0.5 * (area.min_corner().y() + area.max_corner().y()) * deg);
    const double width = area.max_corner().x() - area.min_corner().x(), height = area.max_corner().y() - area.min_corner().y();
    for (;;) {
        m_dlat = side / meters_per_deg_lat;
        m_dlon = m_dlat / std::max(0.05, mid_cos);
        // One spare cell on every side: a point filed outside the cells lies well outside `area`.
        m_nx = static_cast<std::size_t>(std::ceil(width / m_dlon)) + 2;
        m_ny = static_cast<std::size_t>(std::ceil(height / m_dlat)) + 2;
        if (m_nx * m_ny <= max_cells) break;
        side *= std::sqrt(static_cast<double>(m_nx * m_ny) / static_cast<double>(max_cells)) * 1.01;
    }
    m_lon0 = area.min_corner().x() - m_dlon;
    m_lat0 = area.min_corner().y() - m_dlat;
    m_per_lon = 1.0 / m_dlon;
    m_per_lat = 1.0 / m_dlat;
    m_lower.resize(m_nx * m_ny);
    for (std::size_t row = 0; row < m_ny; ++row) {
        const Box first = cell_box(0, row);
        const double lat_lo = first.min_corner().y() - cell_margin_deg, lat_hi = first.max_corner().y() + cell_margin_deg;
        const double nearest_equator = lat_lo <= 0.0 && lat_hi >= 0.0 ? 0.0 : std::min(std::abs(lat_lo), std::abs(lat_hi));
        // The most a point of a cell of this row lies from the cell's centre: along the meridian to
        // its latitude, then along that parallel (a path, so no shorter than the geodesic).
        const double half_lat = 0.5 * m_dlat + cell_margin_deg, half_lon = 0.5 * m_dlon + cell_margin_deg;
        const double spread = largest_radius * deg * (half_lat + std::cos(nearest_equator * deg) * half_lon) + 1e-3;
        // A cell's bound is a spread short of the exact distance anyway: the centre's bound may
        // give away an eighth of that more, which spares opening the runs near it.
        const double give = spread / 8.0;
        for (std::size_t column = 0; column < m_nx; ++column) {
            const Box b = cell_box(column, row);
            const GeoPoint centre{0.5 * (b.min_corner().x() + b.max_corner().x()), 0.5 * (b.min_corner().y() + b.max_corner().y())};
            // Capped a spread past reach, so that cells at the edge of the area still bound by reach.
            const double at_centre = index.lower_bound(centre, Meters{m_reach + spread}, Meters{give}).value;
            m_lower[row * m_nx + column] = float_below(std::clamp(at_centre - spread, 0.0, m_reach));
        }
    }
    m_usable = true;
}

Box DistanceGrid::cell_box(std::size_t column, std::size_t row) const {
    const double x = m_lon0 + static_cast<double>(column) * m_dlon, y = m_lat0 + static_cast<double>(row) * m_dlat;
    return Box{GeoPoint{x, y}, GeoPoint{x + m_dlon, y + m_dlat}};
}

Meters DistanceGrid::lower_bound(const GeoPoint& p) const {
    if (!m_usable || !std::isfinite(p.x()) || !std::isfinite(p.y())) return Meters{0.0};
    const double fx = (p.x() - m_lon0) * m_per_lon, fy = (p.y() - m_lat0) * m_per_lat;
    if (!(fx >= 0.0 && fy >= 0.0 && fx < static_cast<double>(m_nx) && fy < static_cast<double>(m_ny))) return Meters{m_reach};
    return Meters{static_cast<double>(m_lower[static_cast<std::size_t>(fy) * m_nx + static_cast<std::size_t>(fx)])};
}

} // namespace avf::geo
