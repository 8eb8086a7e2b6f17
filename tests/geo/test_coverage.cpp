// Coverage of zones by footprints: exact at 0 and 1, geodesic areas checked against GeographicLib's
// PolygonArea on an independently densified outline, and a case half covered by construction.
#include "geo/coverage.hpp"
#include "geo/geodesic.hpp"

#include <GeographicLib/PolygonArea.hpp>
#include <boost/geometry.hpp>
#include <catch2/catch.hpp>

#include <cmath>

using namespace avf;
namespace bg = boost::geometry;

namespace {

MultiPolygon box(double lon0, double lat0, double lon1, double lat1) {
    Polygon p;
    p.outer() = {{lon0, lat0}, {lon1, lat0}, {lon1, lat1}, {lon0, lat1}, {lon0, lat0}};
    MultiPolygon mp;
    mp.push_back(p);
    return mp;
}

MultiPolygon wkt(const std::string& text) {
    MultiPolygon mp;
    bg::read_wkt(text, mp);
    bg::correct(mp);
    return mp;
}

// Independent reference: GeographicLib's PolygonArea over the outline with every lon/lat-straight
// edge cut into 2000 pieces by linear interpolation of lon/lat (not geo::densify).
double reference_area(const MultiPolygon& mp) {
    double total = 0;
    auto ring_area = [](const Ring& ring) {
        GeographicLib::PolygonArea poly(GeographicLib::Geodesic::WGS84());
        for (std::size_t i = 0; i + 1 < ring.size(); ++i)
            for (int k = 0; k < 2000; ++k) {
                double t = k / 2000.0;
                poly.AddPoint(ring[i].y() + t * (ring[i + 1].y() - ring[i].y()), ring[i].x() + t * (ring[i + 1].x() - ring[i].x()));
            }
        double perimeter = 0, area = 0;
        poly.Compute(/*reverse=*/false, /*sign=*/false, perimeter, area);
        return area;
    };
    for (const auto& p : mp) {
        total += ring_area(p.outer());
        for (const auto& h : p.inners()) total -= ring_area(h);
    }
    return total;
}

} // namespace

TEST_CASE("a zone exactly covered by footprints has coverage 1.0 and nothing uncovered", "[coverage]") {
    auto zone = box(127.0, 38.0, 127.2, 38.1);
    // Four footprints tiling the zone exactly (shared vertices), one overlapping two of them.
    auto a = box(127.0, 38.0, 127.1, 38.05), b = box(127.1, 38.0, 127.2, 38.05), c = box(127.0, 38.05, 127.1, 38.1),
         d = box(127.1, 38.05, 127.2, 38.1);
    auto e = box(127.05, 38.02, 127.15, 38.08);
    auto cov = geo::coverage(zone, {&a, &b, &c, &d, &e});
    CHECK(cov.fraction == 1.0);
    CHECK(cov.uncovered.empty());
    CHECK(cov.covered_area_m2 == cov.zone_area_m2);

    // One footprint larger than the zone.
    auto big = box(126.0, 37.0, 128.0, 39.0);
    CHECK(geo::coverage(zone, {&big}).fraction == 1.0);
}

TEST_CASE("a zone no footprint touches has coverage 0.0 and is uncovered whole", "[coverage]") {
    auto zone = box(127.0, 38.0, 127.2, 38.1);
    auto far = box(128.0, 38.0, 128.2, 38.1);
    auto touching = box(127.2, 38.0, 127.3, 38.1); // shares an edge only
    for (auto fps : {std::vector<const MultiPolygon*>{}, std::vector<const MultiPolygon*>{&far}, std::vector<const MultiPolygon*>{&far, &touching}}) {
        auto cov = geo::coverage(zone, fps);
        CHECK(cov.fraction == 0.0);
        CHECK(cov.covered_area_m2 == 0.0);
        CHECK(geo::zone_area(cov.uncovered) == Approx(cov.zone_area_m2).epsilon(1e-12));
    }
}

TEST_CASE("geodesic areas agree with GeographicLib PolygonArea to 0.1 %", "[coverage][geodesic]") {
    const MultiPolygon shapes[] = {
        box(127.0, 38.0, 127.2, 38.1), // ~19 km × 11 km
        box(20.0, 54.0, 23.0, 56.0),   // ~190 km × 220 km (Baltic)
        wkt("MULTIPOLYGON(((126.6 37.7,127.4 37.75,127.9 38.3,127.1 38.6,126.5 38.2,126.6 37.7),(126.9 38.0,127.2 38.0,127.1 38.2,126.9 38.0)))"),
        wkt("MULTIPOLYGON(((10 60,30 60,30 70,10 70,10 60)))"), // large, high latitude
    };
    for (const auto& s : shapes) {
        const double ours = geo::zone_area(s), ref = reference_area(s);
        INFO(bg::wkt(s) << ": " << ours << " m² vs " << ref << " m²");
        CHECK(std::abs(ours - ref) / ref < 1e-3);
        CHECK(std::abs(ours - ref) / ref < 1e-5); // in fact far closer
    }
}

TEST_CASE("a known half-covered zone, and covered + uncovered = zone", "[coverage]") {
    // The western half in longitude of a lon/lat box: both halves have the same geodesic area
    // (the ellipsoid is symmetric about its axis). The footprint reaches beyond the zone.
    auto zone = box(127.0, 38.0, 127.2, 38.1);
    auto west = box(126.9, 37.9, 127.1, 38.2);
    auto cov = geo::coverage(zone, {&west});
    CHECK(cov.fraction == Approx(0.5).epsilon(1e-6)); // zone_area densifies to 100 m pieces: ~1e-7 relative
    CHECK(cov.covered_area_m2 == Approx(reference_area(box(127.0, 38.0, 127.1, 38.1))).epsilon(1e-5));
    CHECK(geo::zone_area(cov.uncovered) == Approx(reference_area(box(127.1, 38.0, 127.2, 38.1))).epsilon(1e-5));
    CHECK(bg::within(GeoPoint{127.15, 38.05}, cov.uncovered));
    CHECK_FALSE(bg::within(GeoPoint{127.05, 38.05}, cov.uncovered));

    // A quarter: two overlapping footprints both inside the south-west quarter.
    auto q1 = box(127.0, 38.0, 127.08, 38.05), q2 = box(127.05, 38.0, 127.1, 38.05);
    auto quarter = geo::coverage(zone, {&q1, &q2});
    const double expected = reference_area(box(127.0, 38.0, 127.1, 38.05)) / reference_area(zone);
    CHECK(quarter.fraction == Approx(expected).epsilon(1e-5));
    CHECK(quarter.fraction == Approx(0.25).epsilon(1e-3)); // close to a quarter, not exactly (latitude)
    CHECK(quarter.covered_area_m2 + geo::zone_area(quarter.uncovered) == Approx(quarter.zone_area_m2).epsilon(1e-9));
}
