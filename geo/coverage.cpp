#include "geo/coverage.hpp"

#include "geo/geodesic.hpp"

#include <boost/geometry.hpp>

#include <algorithm>

namespace avf::geo {
namespace bg = boost::geometry;

MultiPolygon union_of(const std::vector<const MultiPolygon*>& parts) {
    // Pairwise (tree) union: merging similar-sized pieces keeps the overlay work near
    // n log n vertices instead of growing one accumulator polygon by one footprint at a time.
    std::vector<MultiPolygon> level;
    level.reserve(parts.size());
    for (const MultiPolygon* p : parts)
        if (p && !p->empty()) level.push_back(*p);
    if (level.empty()) return {};
    while (level.size() > 1) {
        std::vector<MultiPolygon> next;
        next.reserve((level.size() + 1) / 2);
        for (std::size_t i = 0; i + 1 < level.size(); i += 2) {
            MultiPolygon u;
            bg::union_(level[i], level[i + 1], u);
            next.push_back(std::move(u));
        }
        if (level.size() % 2) next.push_back(std::move(level.back()));
        level = std::move(next);
    }
    return std::move(level.front());
}

Coverage coverage(const MultiPolygon& zone, const std::vector<const MultiPolygon*>& footprints) {
    Coverage c;
    c.zone_area_m2 = zone_area(zone);
    const MultiPolygon all = union_of(footprints);
    if (all.empty() || !bg::intersects(all, zone)) {
        c.uncovered = zone;
        return c; // nothing imaged: exactly 0
    }
    bg::intersection(zone, all, c.covered);
    bg::difference(zone, all, c.uncovered);
    if (c.uncovered.empty()) {
        c.covered_area_m2 = c.zone_area_m2;
        c.fraction = 1.0; // nothing left: exactly 1
        return c;
    }
    c.covered_area_m2 = c.covered.empty() ? 0.0 : zone_area(c.covered);
    c.fraction = c.zone_area_m2 > 0 ? std::clamp(c.covered_area_m2 / c.zone_area_m2, 0.0, 1.0) : 0.0;
    return c;
}

} // namespace avf::geo
