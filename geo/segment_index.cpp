#include "geo/segment_index.hpp"

#include "geo/geodesic.hpp"

#include <algorithm>
#include <cmath>

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

namespace avf::geo {
namespace {

constexpr double deg = M_PI / 180.0;
// Shortest length of one degree of latitude (at the equator) and of longitude at latitude 0, with
// a small margin: dividing a distance by these never gives too few degrees.
constexpr double min_meters_per_deg_lat = 110'000.0;
constexpr double max_meters_per_deg_lon_equator = 111'400.0;

} // namespace

Box expand_by(const GeoPoint& p, Meters radius) {
    double dlat = radius.value / min_meters_per_deg_lat;
    double lat_lo = std::max(-90.0, p.y() - dlat);
    double lat_hi = std::min(90.0, p.y() + dlat);
    double worst = std::max(std::abs(lat_lo), std::abs(lat_hi));
    double dlon = 360.0;
    if (worst < 89.0) {
        // A degree of longitude is at least cos(lat)·(111.32 km)·(1 − 0.0034) long; use a lower bound.
        dlon = radius.value / (std::cos(worst * deg) * max_meters_per_deg_lon_equator * 0.99);
    }
    if (dlon >= 180.0) return Box{GeoPoint{-180.0, lat_lo}, GeoPoint{180.0, lat_hi}};
    return Box{GeoPoint{p.x() - dlon, lat_lo}, GeoPoint{p.x() + dlon, lat_hi}};
}

SegmentIndex::SegmentIndex(const MultiLineString& lines) {
    std::vector<Entry> entries;
    for (std::size_t part = 0; part < lines.size(); ++part) {
        const auto& ls = lines[part];
        for (std::size_t i = 0; i + 1 < ls.size(); ++i) {
            Segment s{ls[i], ls[i + 1], part, i};
            // A geodesic bows poleward of the straight lon/lat chord by about L²·tan φ / (8R);
            // widen the envelope by twice that plus a metre.
            double len = central_angle(s.a, s.b) * sphere_radius;
            double phi = std::min(89.0, std::max(std::abs(s.a.y()), std::abs(s.b.y())));
            double bulge_m = 2.0 * len * len * std::tan(phi * deg) / (8.0 * sphere_radius) + 1.0;
            double pad = bulge_m / min_meters_per_deg_lat;
            Box box{GeoPoint{std::min(s.a.x(), s.b.x()) - pad, std::min(s.a.y(), s.b.y()) - pad},
                    GeoPoint{std::max(s.a.x(), s.b.x()) + pad, std::max(s.a.y(), s.b.y()) + pad}};
            entries.emplace_back(box, m_segments.size());
            m_segments.push_back(s);
        }
    }
    m_tree = decltype(m_tree)(entries.begin(), entries.end()); // packed (bulk-loaded)
}

template <typename Accept>
SegmentIndex::Nearest SegmentIndex::query(const GeoPoint& p, Meters limit, Accept&& accept) const {
    Nearest best;
    if (m_segments.empty() || !(limit.value > 0.0)) return best;
    Box search = expand_by(p, limit);
    thread_local std::vector<std::pair<double, std::size_t>> candidates;
    candidates.clear();
    auto consider = [&](const Entry& e) {
        const Segment& s = m_segments[e.second];
        if (!accept(s)) return;
        // Triangle inequality on the sphere, scaled to a conservative ellipsoidal lower bound:
        // d(p, X) ≥ (d(p, a) + d(p, b) − |ab|) / 2 for every X on the segment.
        double da = central_angle(p, s.a), db = central_angle(p, s.b), ab = central_angle(s.a, s.b);
        double lb = (sphere_ratio_lower * (da + db) - sphere_ratio_upper * ab) / 2.0 * sphere_radius - 1.0;
        if (lb < limit.value) candidates.emplace_back(std::max(0.0, lb), e.second);
    };
    // Reference lines and zone edges that cross ±180° are rejected at import (geo/validate.hpp),
    // so a query box clamped to [-180, 180] sees every candidate.
    for (auto it = m_tree.qbegin(bgi::intersects(search)); it != m_tree.qend(); ++it) consider(*it);
    std::sort(candidates.begin(), candidates.end());
    double bound = limit.value;
    for (const auto& [lb, index] : candidates) {
        if (lb >= bound) break;
        const Segment& s = m_segments[index];
        SegmentFoot f = distance_to_segment(p, s.a, s.b);
        if (f.distance.value < bound) {
            bound = f.distance.value;
            best = Nearest{true, f.distance, s.part, s.index, f.foot};
        }
    }
    return best;
}

SegmentIndex::Nearest SegmentIndex::distance_within(const GeoPoint& p, Meters limit) const {
    return query(p, limit, [](const Segment&) { return true; });
}

SegmentIndex::Nearest SegmentIndex::distance_within(const GeoPoint& p, Meters limit, std::size_t part, std::size_t first,
                                                    std::size_t last) const {
    return query(p, limit, [&](const Segment& s) { return s.part == part && s.index >= first && s.index < last; });
}

} // namespace avf::geo
