#include "geo/geodesic.hpp"
#include "geo/zone_index.hpp"

#include <boost/geometry.hpp>
#include <boost/geometry/algorithms/covered_by.hpp>
#include <boost/geometry/algorithms/within.hpp>
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

using namespace avf;
namespace bg = boost::geometry;

namespace {
Zone zone(const std::string& id, const std::string& wkt) {
    Zone z;
    z.id = ZoneId{id};
    Polygon p;
    bg::read_wkt(wkt, p);
    z.geometry.push_back(p);
    return z;
}
} // namespace

TEST_CASE("inside, boundary and outside are three answers", "[zone_index]") {
    std::vector<Zone> zones{zone("A", "POLYGON((127 38,128 38,128 39,127 39,127 38))")};
    geo::ZoneIndex index(zones);
    CHECK(index.classify(0, {127.5, 38.5}) == Location::inside);
    CHECK(index.classify(0, {127.0, 38.5}) == Location::boundary); // on an edge
    CHECK(index.classify(0, {128.0, 39.0}) == Location::boundary); // on a vertex
    CHECK(index.classify(0, {126.9, 38.5}) == Location::outside);

    std::vector<geo::ZoneHit> hits;
    index.locate({127.0, 38.5}, Meters{0}, hits);
    REQUIRE(hits.size() == 1);
    CHECK(hits[0].disk == geo::DiskRelation::boundary);
}

TEST_CASE("nested zones are all reported, in zone order", "[zone_index]") {
    std::vector<Zone> zones{zone("OUTER", "POLYGON((126 37,129 37,129 40,126 40,126 37))"),
                            zone("INNER", "POLYGON((127 38,128 38,128 39,127 39,127 38))")};
    geo::ZoneIndex index(zones);
    std::vector<geo::ZoneHit> hits;
    index.locate({127.5, 38.5}, Meters{0}, hits);
    REQUIRE(hits.size() == 2);
    CHECK(hits[0].zone == 0);
    CHECK(hits[1].zone == 1);
}

TEST_CASE("an uncertainty disk is within, partial, or misses", "[zone_index]") {
    std::vector<Zone> zones{zone("A", "POLYGON((127 38,128 38,128 39,127 39,127 38))")};
    geo::ZoneIndex index(zones);
    std::vector<geo::ZoneHit> hits;
    // 1 km east of the west edge (x = 127) at 38.5°N: the boundary is ~1 km away.
    GeoPoint inside = geo::destination({127.0, 38.5}, 90.0, Meters{1000});
    index.locate(inside, Meters{500}, hits);
    REQUIRE(hits.size() == 1);
    CHECK(hits[0].disk == geo::DiskRelation::within);
    index.locate(inside, Meters{1500}, hits);
    REQUIRE(hits.size() == 1);
    CHECK(hits[0].disk == geo::DiskRelation::partial);
    CHECK(hits[0].boundary_distance.value == Approx(1000.0).margin(0.05));
    GeoPoint outside = geo::destination({127.0, 38.5}, 270.0, Meters{1000});
    index.locate(outside, Meters{900}, hits);
    CHECK(hits.empty());
    index.locate(outside, Meters{1100}, hits);
    REQUIRE(hits.size() == 1);
    CHECK(hits[0].centre == Location::outside);
    CHECK(hits[0].disk == geo::DiskRelation::partial);
}

TEST_CASE("the index agrees with the plain Boost.Geometry test on random points", "[zone_index]") {
    std::vector<Zone> zones{
        zone("A", "POLYGON((127 38,128 38.2,128.3 39,127.5 39.4,126.8 38.9,127 38),(127.3 38.4,127.6 38.4,127.5 38.7,127.3 38.4))"),
        zone("B", "POLYGON((127.9 38.1,129 38.1,129 39,127.9 39,127.9 38.1))")};
    geo::ZoneIndex index(zones);
    std::mt19937_64 rng(1);
    std::uniform_real_distribution<double> lon(126.5, 129.5), lat(37.5, 39.8);
    std::vector<geo::ZoneHit> hits;
    for (int i = 0; i < 20000; ++i) {
        GeoPoint p{lon(rng), lat(rng)};
        index.locate(p, Meters{0}, hits);
        for (std::size_t z = 0; z < zones.size(); ++z) {
            bool plain = bg::covered_by(p, zones[z].geometry);
            bool fast = std::any_of(hits.begin(), hits.end(), [&](auto& h) { return h.zone == z; });
            REQUIRE(plain == fast);
        }
    }
}

TEST_CASE("distance_to_boundary with a cap: exact below it, the cap beyond, as without one", "[zone_index][limit]") {
    std::vector<Zone> zones{
        zone("A", "POLYGON((127 38,128 38.2,128.3 39,127.5 39.4,126.8 38.9,127 38),(127.3 38.4,127.6 38.4,127.5 38.7,127.3 38.4))")};
    geo::ZoneIndex index(zones);
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> lon(126.6, 128.5), lat(37.8, 39.6);
    const Meters whole = kilometers(20'000);
    int below = 0, beyond = 0;
    for (int i = 0; i < 3000; ++i) {
        const GeoPoint p{lon(rng), lat(rng)};
        const Meters exact = index.distance_to_boundary(0, p, whole);
        for (const Meters cap : {Meters{2'000.0}, kilometers(10)}) {
            INFO(p.x() << " " << p.y() << " cap " << cap.value << " exact " << exact.value);
            const Meters capped = index.distance_to_boundary(0, p, cap);
            if (exact < cap) {
                CHECK(capped.value == exact.value); // the same bits: the same nearest segment, solved alike
                ++below;
            } else {
                CHECK(capped.value == cap.value);
                ++beyond;
            }
        }
    }
    CHECK(below > 500);
    CHECK(beyond > 500);
    // At the cap itself: a point 10 km east of the meridian edge x = 127 (a geodesic). A cap a
    // hair above its distance finds it exactly; a cap at or below it is the answer.
    std::vector<Zone> square{zone("S", "POLYGON((127 38,128 38,128 39,127 39,127 38))")};
    geo::ZoneIndex sq(square);
    const GeoPoint at = geo::destination({127.0, 38.5}, 90.0, kilometers(10));
    const double d = sq.distance_to_boundary(0, at, whole).value;
    CHECK(d == Approx(10'000.0).margin(1e-6));
    CHECK(sq.distance_to_boundary(0, at, Meters{std::nextafter(d, 2 * d)}).value == d);
    CHECK(sq.distance_to_boundary(0, at, Meters{d}).value == d);
    CHECK(sq.distance_to_boundary(0, at, Meters{std::nextafter(d, 0.0)}).value == std::nextafter(d, 0.0));
}

TEST_CASE("a disk near the antimeridian finds the zone on the other side of ±180°", "[zone_index][limit]") {
    // Zones never cross ±180° (import asks for them split there); a point's neighbourhood does.
    std::vector<Zone> zones{zone("E", "POLYGON((-180 60,-179 60,-179 61,-180 61,-180 60))"),
                            zone("W", "POLYGON((179 62,180 62,180 63,179 63,179 62))")};
    geo::ZoneIndex index(zones);
    std::vector<geo::ZoneHit> hits;
    // 1 km west of E's edge on the meridian ±180°: at longitude 179.98…, outside both zones.
    const GeoPoint west_of_e = geo::destination({-180.0, 60.5}, 270.0, Meters{1000});
    REQUIRE(west_of_e.x() > 179.9);
    index.locate(west_of_e, Meters{900}, hits);
    CHECK(hits.empty());
    index.locate(west_of_e, Meters{1100}, hits);
    REQUIRE(hits.size() == 1);
    CHECK(hits[0].zone == 0);
    CHECK(hits[0].centre == Location::outside);
    CHECK(hits[0].disk == geo::DiskRelation::partial);
    CHECK(hits[0].boundary_distance.value == Approx(1000.0).margin(0.05));
    CHECK(index.distance_to_boundary(0, west_of_e, Meters{10'000}).value == Approx(1000.0).margin(0.05));

    // And the other way: 2 km east of W's edge, at longitude −179.96…
    const GeoPoint east_of_w = geo::destination({180.0, 62.5}, 90.0, Meters{2000});
    REQUIRE(east_of_w.x() < -179.9);
    index.locate(east_of_w, Meters{2500}, hits);
    REQUIRE(hits.size() == 1);
    CHECK(hits[0].zone == 1);
    CHECK(hits[0].boundary_distance.value == Approx(2000.0).margin(0.05));
    CHECK(index.distance_to_boundary(1, east_of_w, Meters{10'000}).value == Approx(2000.0).margin(0.05));
    // A disk inside E that reaches over ±180° is partial: its wrapped part is outside.
    const GeoPoint in_e = geo::destination({-180.0, 60.5}, 90.0, Meters{1000});
    index.locate(in_e, Meters{1500}, hits);
    REQUIRE(hits.size() == 1);
    CHECK(hits[0].centre == Location::inside);
    CHECK(hits[0].disk == geo::DiskRelation::partial);
}
