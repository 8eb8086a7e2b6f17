// The distance grid's bound (and the index's bounds-only search it stores) never exceeds the exact
// geodesic distance — at random points, at the corners of cells, near the standoff limits and the
// grid's reach, at every latitude band the grid is built for — and it decides the points clearly
// beyond a limit by itself. Where its neighbourhood would take in a pole or wrap at ±180° it is not
// built, and every query goes to the index.
#include "geo/distance_grid.hpp"
#include "geo/geodesic.hpp"
#include "geo/segment_index.hpp"
#include "tests/geo/line_fixtures.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>

using namespace avf;

using test::brute_force;
using test::random_line;

namespace {

// A point `d` metres from a random point of the line's lon/lat chords, in a random direction.
GeoPoint near_line(std::mt19937_64& rng, const LineString& l, double d) {
    std::uniform_real_distribution<double> u(0.0, 1.0), az(0.0, 360.0);
    const std::size_t i = static_cast<std::size_t>(u(rng) * static_cast<double>(l.size() - 1)) % (l.size() - 1);
    const double t = u(rng);
    const GeoPoint on{l[i].x() + t * (l[i + 1].x() - l[i].x()), l[i].y() + t * (l[i + 1].y() - l[i].y())};
    return geo::destination(on, az(rng), Meters{d});
}

struct Shape {
    const char* name;
    LineString line;
};

std::vector<Shape> shapes(std::mt19937_64& rng) {
    return {
        {"Korea, 8 km steps", random_line(rng, 126.6, 37.8, 30, 8.0)},
        {"Baltic, 1 km pieces", geo::densify(random_line(rng, 24.0, 56.0, 12, 25.0), Meters{1'000.0})},
        {"across the equator", random_line(rng, 10.0, -0.2, 25, 10.0)},
        {"southern mid-latitudes", random_line(rng, -60.0, -45.0, 20, 15.0)},
        {"78°N", random_line(rng, 15.0, 78.0, 15, 10.0)},
        {"one long segment", LineString{GeoPoint{30.0, 50.0}, GeoPoint{33.5, 51.5}}},
    };
}

} // namespace

TEST_CASE("the distance grid's bound never exceeds the exact distance, near the limits and the reach too", "[distance_grid]") {
    std::mt19937_64 rng(41);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    constexpr double reach = 80'000.0;
    std::size_t checked = 0, decisive = 0, beyond = 0;
    for (const Shape& shape : shapes(rng)) {
        const MultiLineString lines{shape.line};
        const geo::SegmentIndex index(lines);
        for (double side : {0.0, 2'000.0}) {
            const geo::DistanceGrid grid(index, Meters{reach}, Meters{side});
            INFO(shape.name << ", cells of " << side << " m");
            REQUIRE(grid.usable());
            REQUIRE(grid.columns() * grid.rows() > 0);
            const double cell_m = side > 0.0 ? side : reach / 8.0;
            auto check = [&](const GeoPoint& p) {
                const double exact = brute_force(lines, p);
                const double lb = grid.lower_bound(p).value;
                const double at_point = index.lower_bound(p, Meters{reach}).value;
                INFO("point " << p.x() << ", " << p.y() << ": exact " << exact << " m, grid " << lb << " m, index " << at_point << " m");
                REQUIRE(lb <= exact);
                REQUIRE(lb <= reach);
                REQUIRE(at_point <= exact);
                REQUIRE(index.lower_bound(p, Meters{reach}, Meters{5'000.0}).value <= at_point);
                // Within the bounds' slack, and the stray from its great circle (~30 m) the bound
                // gives away for the 280 km segment.
                if (exact < reach) CHECK(at_point >= 0.99 * exact - 50.0);
                ++checked;
                // Clearly beyond a standoff (a percent and three cells past it): decided by the lookup.
                for (double limit : {50'000.0, 70'000.0}) {
                    if (exact < 1.01 * limit + 3.0 * cell_m) continue;
                    ++beyond;
                    if (lb >= limit) ++decisive;
                    CHECK(lb >= limit);
                }
            };
            for (int k = 0; k < 150; ++k) {
                // Uniform out to past the reach, and concentrated at the limits and the reach.
                const double edge = k % 3 == 0 ? 50'000.0 : k % 3 == 1 ? 70'000.0 : reach;
                const double d = k % 2 == 0 ? u(rng) * 1.5 * reach : edge + (u(rng) - 0.5) * 6'000.0;
                check(near_line(rng, shape.line, d));
            }
            // The corners of cells: the points of a cell farthest from its centre.
            for (int k = 0; k < 40; ++k) {
                const auto column = static_cast<std::size_t>(u(rng) * static_cast<double>(grid.columns()));
                const auto row = static_cast<std::size_t>(u(rng) * static_cast<double>(grid.rows()));
                const Box b = grid.cell_box(column, row);
                for (const GeoPoint& corner : {b.min_corner(), b.max_corner(), GeoPoint{b.min_corner().x(), b.max_corner().y()},
                                               GeoPoint{b.max_corner().x(), b.min_corner().y()}})
                    check(corner);
            }
        }
    }
    CHECK(checked == std::size_t{6} * 2 * (150 + 40 * 4));
    INFO("decided by the lookup: " << decisive << " of " << beyond);
    CHECK(beyond > 500);
    CHECK(decisive == beyond);
}

TEST_CASE("the grid's yes/no is the exact query's", "[distance_grid]") {
    // What the standoff rule asks: a line whose grid bound is at least D + r + 1 mm is not within the
    // limit. The exact query must say the same for every such point, and the lookup must decide most
    // of the points beyond the limit.
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    const MultiLineString lines{random_line(rng, 24.0, 56.0, 40, 15.0), random_line(rng, 25.0, 55.5, 20, 15.0)};
    const geo::SegmentIndex index(lines);
    const geo::DistanceGrid grid(index, Meters{80'000.0});
    std::size_t beyond = 0, by_lookup = 0;
    for (int k = 0; k < 3'000; ++k) {
        const GeoPoint p = near_line(rng, lines[static_cast<std::size_t>(k % 2)], u(rng) * 200'000.0);
        const double limit = (k % 2 ? 50'000.0 : 70'000.0) + (k % 3 == 0 ? u(rng) * 5'000.0 : 0.0) + 1e-3;
        const auto exact = index.distance_within(p, Meters{limit});
        const bool lookup_says_beyond = grid.lower_bound(p).value >= limit;
        INFO("point " << p.x() << ", " << p.y() << ", limit " << limit << ", exact " << exact.distance.value);
        if (lookup_says_beyond) REQUIRE_FALSE(exact.found);
        if (!exact.found) ++beyond, by_lookup += lookup_says_beyond;
    }
    INFO(by_lookup << " of " << beyond << " points beyond the limit decided by the lookup");
    CHECK(beyond > 1'000);
    CHECK(by_lookup > beyond * 8 / 10);
}

TEST_CASE("no grid where its neighbourhood takes in a pole or wraps at ±180°; near them it holds", "[distance_grid]") {
    constexpr double reach = 80'000.0;
    const geo::SegmentIndex polar(MultiLineString{LineString{GeoPoint{10.0, 88.3}, GeoPoint{40.0, 88.5}}});
    const geo::SegmentIndex east(MultiLineString{LineString{GeoPoint{179.2, 10.0}, GeoPoint{179.8, 10.3}}});
    const geo::SegmentIndex west(MultiLineString{LineString{GeoPoint{-179.7, -20.0}, GeoPoint{-179.1, -20.4}}});
    for (const geo::SegmentIndex* index : {&polar, &east, &west}) {
        const geo::DistanceGrid grid(*index, Meters{reach});
        CHECK_FALSE(grid.usable());
        // Every point goes to the index: the bound says nothing.
        CHECK(grid.lower_bound(GeoPoint{0.0, 0.0}).value == 0.0);
        CHECK(grid.lower_bound(GeoPoint{179.9, 10.1}).value == 0.0);
    }

    // A few degrees short of the antimeridian and of 89°: built, and the bound holds up to the edges
    // of its area.
    std::mt19937_64 rng(43);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    const MultiLineString lines{LineString{GeoPoint{165.0, 80.0}, GeoPoint{169.0, 81.0}, GeoPoint{171.5, 80.5}}};
    const geo::SegmentIndex index(lines);
    const geo::DistanceGrid grid(index, Meters{reach}, Meters{3'000.0});
    REQUIRE(grid.usable());
    int checked = 0;
    for (int k = 0; k < 300; ++k) {
        const GeoPoint p = near_line(rng, lines[0], u(rng) * 1.3 * reach);
        const double exact = brute_force(lines, p);
        INFO("point " << p.x() << ", " << p.y() << ": exact " << exact);
        REQUIRE(grid.lower_bound(p).value <= exact);
        ++checked;
    }
    CHECK(checked > 200);

    // No segment at all: every point is farther than the reach. A position that is not finite gets no bound.
    const geo::SegmentIndex none{MultiLineString{}};
    const geo::DistanceGrid empty(none, Meters{reach});
    CHECK(empty.usable());
    CHECK(empty.lower_bound(GeoPoint{24.0, 56.0}).value == reach);
    CHECK(grid.lower_bound(GeoPoint{NAN, 80.5}).value == 0.0);
}
