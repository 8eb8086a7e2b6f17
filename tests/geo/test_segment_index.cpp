// The segment index's lower bound never exceeds the exact geodesic distance, and its answers are
// those of a brute-force minimum over every segment — including exactly at the limit.
#include "geo/geodesic.hpp"
#include "geo/segment_index.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace avf;

namespace {

// A random polyline of `n` vertices starting at (lon, lat), steps of up to `step_km`.
LineString random_line(std::mt19937_64& rng, double lon, double lat, std::size_t n, double step_km) {
    std::uniform_real_distribution<double> az(0.0, 360.0), len(0.05, 1.0);
    LineString l{GeoPoint{lon, lat}};
    double heading = az(rng);
    for (std::size_t i = 1; i < n; ++i) {
        heading += std::uniform_real_distribution<double>(-60.0, 60.0)(rng);
        l.push_back(geo::destination(l.back(), heading, Meters{len(rng) * step_km * 1000.0}));
    }
    return l;
}

double brute_force(const MultiLineString& lines, const GeoPoint& p) {
    double best = std::numeric_limits<double>::infinity();
    for (const auto& l : lines)
        for (std::size_t i = 0; i + 1 < l.size(); ++i) best = std::min(best, geo::distance_to_segment(p, l[i], l[i + 1]).distance.value);
    return best;
}

} // namespace

TEST_CASE("the segment lower bound never exceeds the exact distance", "[segment_index]") {
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> lon(-170.0, 170.0), lat(-80.0, 80.0), az(0.0, 360.0), off(0.0, 1.0);
    std::size_t checked = 0;
    double tightest = 0.0; // largest bound / exact seen (how tight the bound is)
    for (int line = 0; line < 300; ++line) {
        const double step_km = line % 3 == 0 ? 800.0 : line % 3 == 1 ? 50.0 : 2.0;
        const double start_lat = line % 10 == 0 ? std::uniform_real_distribution<double>(-1.0, 1.0)(rng) : lat(rng); // some across the equator
        MultiLineString lines{random_line(rng, lon(rng), start_lat, 6, step_km)};
        geo::SegmentIndex index(lines);
        for (int k = 0; k < 40; ++k) {
            const LineString& l = lines[0];
            const std::size_t i = static_cast<std::size_t>(off(rng) * static_cast<double>(l.size() - 1)) % (l.size() - 1);
            const double t = off(rng);
            const GeoPoint on{l[i].x() + t * (l[i + 1].x() - l[i].x()), l[i].y() + t * (l[i + 1].y() - l[i].y())};
            const double d_km = k % 4 == 0 ? off(rng) * 0.01 : off(rng) * 300.0;
            const GeoPoint p = geo::destination(on, az(rng), Meters{d_km * 1000.0});
            for (std::size_t s = 0; s < index.size(); ++s) {
                const double exact = geo::distance_to_segment(p, l[s], l[s + 1]).distance.value;
                const double lb = index.segment_lower_bound(s, p);
                INFO("segment " << s << " step " << step_km << " km, exact " << exact << " m, bound " << lb << " m");
                REQUIRE(lb <= exact);
                if (exact > 1000.0 && exact < 300'000.0) tightest = std::max(tightest, lb / exact);
                ++checked;
            }
        }
    }
    CHECK(checked > 50'000);
    CHECK(tightest > 0.99);
}

TEST_CASE("distance_within is the brute-force minimum, exactly at the limit too", "[segment_index]") {
    std::mt19937_64 rng(12);
    std::uniform_real_distribution<double> u(0.0, 1.0), az(0.0, 360.0);
    for (int trial = 0; trial < 40; ++trial) {
        MultiLineString lines{random_line(rng, 126.0 + u(rng), 37.5 + u(rng), 40, 8.0), random_line(rng, 23.0 + u(rng), 55.0 + u(rng), 30, 5.0)};
        geo::SegmentIndex index(lines);
        for (int k = 0; k < 25; ++k) {
            const LineString& l = lines[static_cast<std::size_t>(k % 2)];
            const GeoPoint p = geo::destination(l[static_cast<std::size_t>(u(rng) * 20)], az(rng), Meters{u(rng) * 120'000.0});
            const double exact = brute_force(lines, p);
            for (double limit : {50'000.0, 70'000.0, 250'000.0, 20'000'000.0}) {
                auto n = index.distance_within(p, Meters{limit});
                REQUIRE(n.found == (exact < limit));
                if (n.found) REQUIRE(n.distance.value == exact);
            }
            // Exactly at the limit: not "within" (strict); a micrometre more: found, same value.
            CHECK_FALSE(index.distance_within(p, Meters{exact}).found);
            auto just = index.distance_within(p, Meters{exact + 1e-6});
            REQUIRE(just.found);
            CHECK(just.distance.value == exact);
        }
    }
}
