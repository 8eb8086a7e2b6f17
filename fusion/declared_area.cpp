#include "fusion/declared_area.hpp"

#include "fusion/dedup.hpp"
#include "fusion/finding_builder.hpp"
#include "fusion/zone_set_view.hpp"
#include "geo/geodesic.hpp"

#include <boost/geometry.hpp>

#include <algorithm>
#include <limits>

namespace avf::fusion {

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

bool DeclaredArea::within(const GeoPoint& p, double tolerance_m) const {
    if (!resolved) return false;
    if (is_point) return distance(p) <= radius_m + tolerance_m + k_distance_slack_m;
    return distance(p) <= tolerance_m + k_distance_slack_m;
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

} // namespace avf::fusion
