#include "geo/validate.hpp"

#include <boost/geometry.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

using namespace avf;
namespace bg = boost::geometry;

namespace {
MultiPolygon mp(const std::string& wkt) {
    MultiPolygon g;
    if (wkt.rfind("MULTI", 0) == 0) {
        bg::read_wkt(wkt, g);
    } else {
        Polygon p;
        bg::read_wkt(wkt, p);
        g.push_back(p);
    }
    return g;
}

struct Outcome {
    bool ok;
    CollectingProblemSink sink;
};

Outcome check(MultiPolygon g) {
    Outcome o{false, CollectingProblemSink{}};
    o.ok = geo::normalize_polygons(g, o.sink, Context{}.file("t.geojson").feature("1"));
    return o;
}
} // namespace

TEST_CASE("a valid counter-clockwise square passes untouched", "[validate]") {
    auto o = check(mp("POLYGON((127 38,128 38,128 39,127 39,127 38))"));
    CHECK(o.ok);
    CHECK(o.sink.size() == 0);
}

TEST_CASE("a clockwise outer ring is reoriented silently", "[validate]") {
    MultiPolygon g = mp("POLYGON((127 38,127 39,128 39,128 38,127 38))");
    CollectingProblemSink sink;
    REQUIRE(geo::normalize_polygons(g, sink, Context{}));
    CHECK(sink.size() == 0);
    CHECK(bg::area(g) > 0.0);
}

TEST_CASE("each defect gives its exact problem", "[validate]") {
    struct Case {
        const char* wkt;
        ProblemCode code;
        Severity severity;
        bool usable;
    };
    // Boost's WKT reader keeps what it is given, so rings can be left open here on purpose.
    const Case cases[] = {
        {"POLYGON((127 38,128 38,128 39,127 39))", ProblemCode::ring_not_closed, Severity::corrected, true},
        {"POLYGON((127 38,127.1 38.1,127.1 38,127 38.1,127 38))", ProblemCode::self_intersection, Severity::rejected, false},
        {"POLYGON((127 38,128 38,128 95,127 39,127 38))", ProblemCode::coordinate_out_of_range, Severity::rejected, false},
        {"POLYGON((127 38,128 38,128 38,128 39,127 39,127 38))", ProblemCode::duplicate_vertex, Severity::corrected, true},
        {"POLYGON((127 38,128 38,129 38.5,128 38,128 39,127 39,127 38))", ProblemCode::spike, Severity::corrected, true},
        {"POLYGON((179.5 10,-179.5 10,-179.5 11,179.5 11,179.5 10))", ProblemCode::crosses_antimeridian, Severity::rejected, false},
        {"POLYGON((127 38,128 38,127 38))", ProblemCode::too_few_points, Severity::rejected, false},
        {"POLYGON((10 80,20 90,0 90,10 80))", ProblemCode::polar, Severity::rejected, false},
    };
    for (const auto& c : cases) {
        INFO(c.wkt);
        auto o = check(mp(c.wkt));
        CHECK(o.ok == c.usable);
        REQUIRE(o.sink.size() >= 1);
        CHECK(o.sink.problems()[0].code == c.code);
        CHECK(o.sink.problems()[0].severity == c.severity);
        CHECK(o.sink.problems()[0].where.feature() == "1");
    }
}

TEST_CASE("the self-intersection is located", "[validate]") {
    auto o = check(mp("POLYGON((127 38,128 39,128 38,127 39,127 38))"));
    REQUIRE_FALSE(o.ok);
    REQUIRE(o.sink.size() == 1);
    CHECK(o.sink.problems()[0].code == ProblemCode::self_intersection);
    CHECK(o.sink.problems()[0].message.find("127.5, 38.5") != std::string::npos);
}

TEST_CASE("NaN coordinates are rejected before anything else", "[validate]") {
    MultiPolygon g = mp("POLYGON((127 38,128 38,128 39,127 39,127 38))");
    g[0].outer()[2].x(std::nan(""));
    CollectingProblemSink sink;
    CHECK_FALSE(geo::normalize_polygons(g, sink, Context{}));
    REQUIRE(sink.size() == 1);
    CHECK(sink.problems()[0].code == ProblemCode::not_finite);
}

TEST_CASE("empty geometry is rejected", "[validate]") {
    MultiPolygon g;
    CollectingProblemSink sink;
    CHECK_FALSE(geo::normalize_polygons(g, sink, Context{}));
    CHECK(sink.problems().at(0).code == ProblemCode::empty_geometry);
}

TEST_CASE("holes are kept clockwise and a hole outside its shell is invalid", "[validate]") {
    auto ok = check(mp("POLYGON((127 38,128 38,128 39,127 39,127 38),(127.2 38.2,127.8 38.2,127.8 38.8,127.2 38.8,127.2 38.2))"));
    CHECK(ok.ok);
    auto bad = check(mp("POLYGON((127 38,128 38,128 39,127 39,127 38),(129 38.2,129.8 38.2,129.8 38.8,129 38.8,129 38.2))"));
    CHECK_FALSE(bad.ok);
    CHECK(bad.sink.problems().at(0).code == ProblemCode::invalid_geometry);
}

TEST_CASE("lines: duplicates removed, antimeridian refused", "[validate]") {
    MultiLineString l;
    bg::read_wkt("MULTILINESTRING((126 37.8,126 37.8,127 38))", l);
    CollectingProblemSink sink;
    CHECK(geo::normalize_lines(l, sink, Context{}));
    CHECK(l[0].size() == 2);
    CHECK(sink.problems().at(0).code == ProblemCode::duplicate_vertex);

    MultiLineString am;
    bg::read_wkt("MULTILINESTRING((179 60,-179 60))", am);
    CollectingProblemSink sink2;
    CHECK_FALSE(geo::normalize_lines(am, sink2, Context{}));
    CHECK(sink2.problems().at(0).code == ProblemCode::crosses_antimeridian);
}

namespace {
// A closed counter-clockwise ring of n vertices around (cx, cy): a circle of radius r, wiggled.
Ring wiggly_ring(std::size_t n, double cx, double cy, double r, double wiggle) {
    Ring ring;
    for (std::size_t i = 0; i < n; ++i) {
        const double t = 2.0 * 3.14159265358979323846 * static_cast<double>(i) / static_cast<double>(n);
        const double rr = r * (1.0 + wiggle * std::sin(static_cast<double>(i) * 0.37));
        ring.push_back(GeoPoint(cx + rr * std::cos(t), cy + 0.6 * rr * std::sin(t)));
    }
    ring.push_back(ring.front());
    return ring;
}
} // namespace

TEST_CASE("large polygons (sweep path, >= 20,000 vertices) get the same verdicts as bg::is_valid", "[validate][large]") {
    SECTION("a wiggly 50,000-vertex coastline is valid") {
        MultiPolygon g;
        g.resize(1);
        g[0].outer() = wiggly_ring(50'000, 20.0, 55.0, 5.0, 0.01);
        auto copy = g;
        CHECK(bg::is_valid(copy)); // the reference answer (slow, but still seconds at this size)
        auto o = check(g);
        CHECK(o.ok);
        CHECK(o.sink.size() == 0);
    }
    SECTION("the same with one hole inside and a second polygon outside is valid") {
        MultiPolygon g;
        g.resize(2);
        g[0].outer() = wiggly_ring(30'000, 20.0, 55.0, 5.0, 0.01);
        Ring hole = wiggly_ring(1000, 20.0, 55.0, 1.0, 0.0);
        std::reverse(hole.begin(), hole.end());
        g[0].inners().push_back(hole);
        g[1].outer() = wiggly_ring(1000, 40.0, 55.0, 1.0, 0.0);
        CHECK(bg::is_valid(g));
        auto o = check(g);
        CHECK(o.ok);
        CHECK(o.sink.size() == 0);
    }
    // Two swapped vertices (100 apart) make crossings: rejected as a self-intersection, as bg::is_valid says.
    SECTION("two swapped vertices: a self-intersection") {
        MultiPolygon g;
        g.resize(1);
        g[0].outer() = wiggly_ring(30'000, 20.0, 55.0, 5.0, 0.0);
        std::swap(g[0].outer()[1000], g[0].outer()[1100]);
        CHECK_FALSE(bg::is_valid(g));
        auto o = check(g);
        CHECK_FALSE(o.ok);
        REQUIRE(o.sink.size() == 1);
        CHECK(o.sink.problems()[0].code == ProblemCode::self_intersection);
    }
    SECTION("a hole outside its shell is rejected, as bg::is_valid says") {
        MultiPolygon g;
        g.resize(1);
        g[0].outer() = wiggly_ring(30'000, 20.0, 55.0, 5.0, 0.0);
        Ring hole = wiggly_ring(100, 40.0, 55.0, 1.0, 0.0);
        std::reverse(hole.begin(), hole.end());
        g[0].inners().push_back(hole);
        CHECK_FALSE(bg::is_valid(g));
        auto o = check(g);
        CHECK_FALSE(o.ok);
        CHECK(o.sink.size() == 1);
    }
    SECTION("two overlapping polygons are rejected") {
        MultiPolygon g;
        g.resize(2);
        g[0].outer() = wiggly_ring(30'000, 20.0, 55.0, 5.0, 0.0);
        g[1].outer() = wiggly_ring(100, 20.0, 55.0, 1.0, 0.0);
        CHECK_FALSE(bg::is_valid(g));
        CHECK_FALSE(check(g).ok);
    }
}
