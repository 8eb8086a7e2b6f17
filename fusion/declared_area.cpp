#include "fusion/declared_area.hpp"

#include "fusion/dedup.hpp"
#include "fusion/finding_builder.hpp"
#include "fusion/zone_set_view.hpp"
#include "geo/geodesic.hpp"
#include "geo/segment_index.hpp" // geo::expand_by

#include <boost/geometry.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace avf::fusion {
namespace {

// Boxes are a metre larger than the reach: computed distances are off by nanometres.
constexpr double k_box_margin_m = 1.0;

// Points are never wrapped: a box leaving [-180, 180] in longitude (near the antimeridian) takes
// the whole range rather than miss a point on the other side.
Box whole_longitudes_past_antimeridian(Box b) {
    if (b.min_corner().x() < -180.0 || b.max_corner().x() > 180.0) {
        b.min_corner().x(-180.0);
        b.max_corner().x(180.0);
    }
    return b;
}

// A lon/lat box holding the geodesic from a to b: the box of its ends widened by twice its bulge
// poleward of the straight lon/lat chord (about L²·tan φ / (8R)) plus a metre — the envelope
// geo::SegmentIndex gives each segment (geo/segment_index.cpp).
Box geodesic_envelope(const GeoPoint& a, const GeoPoint& b) {
    constexpr double deg = M_PI / 180.0;
    constexpr double min_meters_per_deg_lat = 110'000.0; // never too few degrees for a distance
    const double len = geo::central_angle(a, b) * geo::sphere_radius;
    const double phi = std::min(89.0, std::max(std::abs(a.y()), std::abs(b.y())));
    const double pad = (2.0 * len * len * std::tan(phi * deg) / (8.0 * geo::sphere_radius) + 1.0) / min_meters_per_deg_lat;
    return Box{GeoPoint{std::min(a.x(), b.x()) - pad, std::min(a.y(), b.y()) - pad},
               GeoPoint{std::max(a.x(), b.x()) + pad, std::max(a.y(), b.y()) + pad}};
}

} // namespace

Box box_within(const GeoPoint& p, double distance_m) {
    return whole_longitudes_past_antimeridian(geo::expand_by(p, Meters{distance_m + k_box_margin_m}));
}

DeclaredArea DeclaredArea::of(const Declaration& d, const ZoneSetView* zones) {
    DeclaredArea a;
    if (d.has_area()) {
        a.polygon = d.area;
    } else if (d.point_given) {
        a.is_point = true;
        a.centre = d.location;
        a.radius_m = d.radius.value;
        a.resolved = true;
        return a;
    } else if (zones) {
        if (auto z = zones->zone_index(d.site_id)) a.polygon = zones->zones()[*z].geometry;
    }
    if (a.polygon.empty()) return a; // unresolved site
    a.resolved = true;
    boost::geometry::centroid(a.polygon, a.centre);
    return a;
}

double DeclaredArea::distance(const GeoPoint& p) const {
    if (is_point) return geo::distance(p, centre).value;
    if (boost::geometry::covered_by(p, polygon)) return 0.0;
    double best = std::numeric_limits<double>::infinity();
    auto ring_distance = [&](const Ring& r) {
        for (std::size_t i = 1; i < r.size(); ++i) best = std::min(best, geo::distance_to_segment(p, r[i - 1], r[i]).distance.value);
    };
    for (const auto& poly : polygon) {
        ring_distance(poly.outer());
        for (const auto& inner : poly.inners()) ring_distance(inner);
    }
    return best;
}

double DeclaredArea::reach(double tolerance_m) const {
    return (is_point ? radius_m + tolerance_m : tolerance_m) + k_distance_slack_m;
}

bool DeclaredArea::within(const GeoPoint& p, double tolerance_m) const {
    if (!resolved) return false;
    return distance(p) <= reach(tolerance_m);
}

Box DeclaredArea::reach_box(double reach_m) const {
    if (is_point) return box_within(centre, reach_m);
    // Inside (distance 0): within the polygon's envelope. Outside: within reach of a point of an
    // edge, the geodesic between two vertices, which stays within the box of its ends widened by
    // its bulge (geodesic_envelope). So: the envelope of those boxes, widened by the reach.
    Box box;
    boost::geometry::envelope(polygon, box);
    auto ring_box = [&](const Ring& ring) {
        for (std::size_t i = 1; i < ring.size(); ++i) boost::geometry::expand(box, geodesic_envelope(ring[i - 1], ring[i]));
    };
    for (const auto& poly : polygon) {
        ring_box(poly.outer());
        for (const auto& inner : poly.inners()) ring_box(inner);
    }
    // Widened by the reach: geo::expand_by of a point q of the box spans the latitudes of q ± the
    // reach, within those of the corners', and a longitude span that grows with the larger |latitude|
    // it reaches — at most the span of the corner at that latitude, on the same side. So the
    // corners' four boxes hold every q's.
    const auto& lo = box.min_corner();
    const auto& hi = box.max_corner();
    Box out = box;
    for (const GeoPoint& corner : {lo, hi, GeoPoint{lo.x(), hi.y()}, GeoPoint{hi.x(), lo.y()}})
        boost::geometry::expand(out, geo::expand_by(corner, Meters{reach_m + k_box_margin_m}));
    return whole_longitudes_past_antimeridian(out);
}

MultiPolygon DeclaredArea::coverage_area() const {
    if (!is_point) return polygon;
    Polygon disk;
    const double r = std::max(radius_m, 1.0);
    for (int i = 0; i < 64; ++i) disk.outer().push_back(geo::destination(centre, -360.0 * i / 64.0, Meters{r})); // counter-clockwise
    disk.outer().push_back(disk.outer().front());
    boost::geometry::correct(disk);
    return MultiPolygon{disk};
}

std::string DeclaredArea::describe(const Declaration& d) const {
    if (!resolved) return "at site " + d.site_id + " (not in the zone set)";
    if (is_point) return "within " + format_distance(radius_m) + " of " + format_position(centre);
    if (!d.has_area()) return "at site " + d.site_id;
    return "in its declared area around " + format_position(centre);
}

void DeclaredAreaIndex::add(std::size_t key, const DeclaredArea& place, double reach_m) {
    if (place.resolved) m_entries.emplace_back(place.reach_box(reach_m), key);
}

void DeclaredAreaIndex::build() {
    m_tree = decltype(m_tree)(m_entries.begin(), m_entries.end());
    std::vector<Entry>().swap(m_entries);
}

void DeclaredAreaIndex::near(const GeoPoint& p, double extra_m, std::vector<std::size_t>& out) const {
    out.clear();
    // A point within reach + extra of a place is within extra of a point within reach of it
    // (on the geodesic between them), so its box of radius extra meets the place's box.
    const Box query = box_within(p, extra_m);
    for (auto it = m_tree.qbegin(boost::geometry::index::intersects(query)); it != m_tree.qend(); ++it) out.push_back(it->second);
    std::sort(out.begin(), out.end());
}

} // namespace avf::fusion
