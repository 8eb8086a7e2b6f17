// The segment index's lower bound never exceeds the exact geodesic distance, and its answers are
// those of a brute-force minimum over every segment — including exactly at the limit.
#include "geo/geodesic.hpp"
#include "geo/segment_index.hpp"
#include "tests/geo/line_fixtures.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <thread>

using namespace avf;

using test::brute_force;
using test::random_line;

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

TEST_CASE("the lower bound weighs east-west gaps with the prime-vertical radius", "[segment_index]") {
    // Points due east or west of a north-south segment, due north or south of an east-west one, and
    // along diagonals, at every latitude band (both hemispheres), 1 m to 500 km away, segments of
    // 1-400 km (long east-west geodesics bulge poleward of both ends): the bound never exceeds the
    // exact distance. East-west it must be tighter than the meridional radius alone allows (M/N is
    // 0.9956 at 37°N): the bound is what lets the depth query skip the neighbours of the nearest
    // segment without solving them.
    std::size_t checked = 0;
    double worst_east_west = 1.0; // smallest bound / exact, 5-200 km due east or west of 40 km segments, |lat| ≤ 60°
    for (double lat : {-84.0, -60.0, -37.0, -5.0, 0.0, 0.3, 12.0, 37.0, 45.5, 55.0, 70.0, 84.0}) {
        for (double seg_km : {1.0, 40.0, 400.0}) {
            for (double seg_azimuth : {0.0, 90.0, 45.0, 135.0}) {
                const GeoPoint mid{20.0, lat};
                const GeoPoint a = geo::destination(mid, seg_azimuth + 180.0, Meters{seg_km * 500.0});
                const GeoPoint b = geo::destination(mid, seg_azimuth, Meters{seg_km * 500.0});
                geo::SegmentIndex index(MultiLineString{LineString{a, b}});
                for (double bearing = 0.0; bearing < 360.0; bearing += 22.5) {
                    for (double d_km : {0.001, 0.5, 5.0, 50.0, 200.0, 500.0}) {
                        const GeoPoint p = geo::destination(mid, seg_azimuth + bearing, Meters{d_km * 1000.0});
                        const double exact = geo::distance_to_segment(p, a, b).distance.value;
                        const double lb = index.segment_lower_bound(0, p);
                        INFO("lat " << lat << ", segment " << seg_km << " km at " << seg_azimuth << "°, point " << d_km << " km at "
                                    << seg_azimuth + bearing << "°: exact " << exact << " m, bound " << lb << " m");
                        REQUIRE(lb <= exact);
                        ++checked;
                        const bool east_west = seg_azimuth == 0.0 && (bearing == 90.0 || bearing == 270.0);
                        // (40 km segments: a 400 km one may stray 50 m from its great circle, which the
                        // bound must give away however near the point is.)
                        if (east_west && std::abs(lat) <= 60.0 && d_km >= 5.0 && d_km <= 200.0 && seg_km == 40.0)
                            worst_east_west = std::min(worst_east_west, lb / exact);
                    }
                }
            }
        }
    }
    CHECK(checked == 12 * 3 * 4 * 16 * 6);
    INFO("smallest bound / exact east-west: " << worst_east_west);
    CHECK(worst_east_west > 0.999);
}

TEST_CASE("distance_within restricted to a part's vertex range is the brute-force minimum over it", "[segment_index]") {
    // Standoff rules give parts of a line different limits: the query sees only the segments of
    // one part whose first vertex is in [first, last). The index groups segments in runs of 16,
    // so ranges here start and end inside runs, span several, or hold one segment.
    std::mt19937_64 rng(13);
    std::uniform_real_distribution<double> u(0.0, 1.0), az(0.0, 360.0);
    for (int trial = 0; trial < 20; ++trial) {
        MultiLineString lines{random_line(rng, 126.0 + u(rng), 37.5 + u(rng), 60, 6.0), random_line(rng, 126.2 + u(rng), 37.6 + u(rng), 45, 6.0)};
        geo::SegmentIndex index(lines);
        for (int k = 0; k < 20; ++k) {
            const std::size_t part = static_cast<std::size_t>(k % 2);
            const LineString& l = lines[part];
            const std::size_t segments = l.size() - 1;
            const std::size_t first = static_cast<std::size_t>(u(rng) * static_cast<double>(segments));
            const std::size_t last = k % 5 == 0 ? first + 1 : first + 1 + static_cast<std::size_t>(u(rng) * static_cast<double>(segments - first));
            const GeoPoint p =
                geo::destination(l[static_cast<std::size_t>(u(rng) * static_cast<double>(l.size()))], az(rng), Meters{u(rng) * 80'000.0});
            double exact = std::numeric_limits<double>::infinity();
            for (std::size_t i = first; i < last; ++i) exact = std::min(exact, geo::distance_to_segment(p, l[i], l[i + 1]).distance.value);
            for (double limit : {30'000.0, 70'000.0, 20'000'000.0}) {
                INFO("part " << part << " [" << first << ", " << last << "), limit " << limit << ", exact " << exact);
                auto n = index.distance_within(p, Meters{limit}, part, first, last);
                REQUIRE(n.found == (exact < limit));
                if (n.found) {
                    REQUIRE(n.distance.value == exact);
                    CHECK(n.part == part);
                    CHECK((n.segment >= first && n.segment < last));
                }
            }
        }
    }
}

TEST_CASE("a densified boundary answers as brute force, from four threads on a fresh index too", "[segment_index]") {
    // Zone boundaries are cut into 250 m geodesic pieces: the nearest segment's neighbours (and
    // both segments at a nearest vertex) are where the index skips segments by their ends and
    // solves each segment's geodesic once, kept for every later query (published across threads).
    std::mt19937_64 rng(13);
    std::uniform_real_distribution<double> u(0.0, 1.0), az(0.0, 360.0);
    LineString coarse = random_line(rng, 127.0, 37.8, 12, 20.0);
    MultiLineString lines{geo::densify(coarse, Meters{250.0})};
    REQUIRE(lines[0].size() > 300);
    std::vector<GeoPoint> points;
    std::vector<double> exact;
    for (int k = 0; k < 240; ++k) {
        const GeoPoint& v = lines[0][static_cast<std::size_t>(u(rng) * static_cast<double>(lines[0].size() - 1))];
        points.push_back(geo::destination(v, az(rng), Meters{k % 3 == 0 ? u(rng) * 500.0 : u(rng) * 60'000.0}));
        exact.push_back(brute_force(lines, points.back()));
    }
    auto check_all = [&](const geo::SegmentIndex& index, std::size_t first, std::size_t step, std::vector<int>& wrong) {
        for (std::size_t i = first; i < points.size(); i += step) {
            auto n = index.distance_within(points[i], Meters{20'000'000.0});
            if (!n.found || n.distance.value != exact[i]) wrong.push_back(static_cast<int>(i));
        }
    };
    {
        geo::SegmentIndex index(lines);
        std::vector<int> wrong;
        check_all(index, 0, 1, wrong);
        CHECK(wrong.empty());
        check_all(index, 0, 1, wrong); // the second time every geodesic is already solved
        CHECK(wrong.empty());
    }
    const std::size_t kept_before = geo::SegmentIndex::solved_kept();
    {
        // Past the budget of kept segments, queries solve for themselves: the same answers.
        const std::size_t limit = geo::SegmentIndex::limit_solved(kept_before + 20);
        geo::SegmentIndex index(lines);
        std::vector<int> wrong;
        check_all(index, 0, 1, wrong);
        CHECK(wrong.empty());
        CHECK(geo::SegmentIndex::solved_kept() == kept_before + 20);
        geo::SegmentIndex::limit_solved(limit);
    }
    CHECK(geo::SegmentIndex::solved_kept() == kept_before); // an index gives its kept segments back
    {
        geo::SegmentIndex index(lines);
        std::vector<std::vector<int>> wrong(4);
        std::vector<std::thread> threads;
        for (std::size_t t = 0; t < 4; ++t)
            threads.emplace_back([&, t] { check_all(index, t % 2, 2, wrong[t]); }); // pairs of threads race on the same points
        for (auto& th : threads) th.join();
        for (const auto& w : wrong) CHECK(w.empty());
    }
}

TEST_CASE("a boundary of metre-long pieces answers as brute force", "[segment_index]") {
    // Zones of 10^6 vertices have edges of metres: runs then grow past run_length segments (to
    // run_extent, or run_most), most candidates are dropped by their nearer end's distance less
    // the segment's length, and a query kilometres off a long gentle stretch solves more ends than
    // a scan should look through (the hash index of ends).
    std::mt19937_64 rng(29);
    std::uniform_real_distribution<double> u(0.0, 1.0), az(0.0, 360.0);
    const GeoPoint start{24.1, 57.3};
    const GeoPoint bend = geo::destination(start, 80.0, Meters{3'000.0});
    const LineString gentle{start, bend, geo::destination(bend, 84.0, Meters{3'000.0})};
    const std::vector<std::pair<LineString, bool>> shapes = {{random_line(rng, 24.1, 57.3, 8, 1.0), false}, {gentle, true}};
    for (const auto& [coarse, far] : shapes) {
        MultiLineString lines{geo::densify(coarse, Meters{1.0})};
        REQUIRE(lines[0].size() > 2000);
        geo::SegmentIndex index(lines);
        int wrong = 0;
        for (int k = 0; k < 40; ++k) {
            const std::size_t at = static_cast<std::size_t>((far ? 0.2 + 0.6 * u(rng) : u(rng)) * static_cast<double>(lines[0].size() - 1));
            const GeoPoint& v = lines[0][at];
            // Near the gentle line: across it, 1-20 km off. Near the other: 0-3 m or 0-300 m off.
            const GeoPoint p = far ? geo::destination(v, (k % 2 ? 172.0 : -8.0) + 20.0 * u(rng), Meters{1'000.0 + u(rng) * 19'000.0})
                                   : geo::destination(v, az(rng), Meters{k % 2 ? u(rng) * 3.0 : u(rng) * 300.0});
            const double exact = brute_force(lines, p);
            auto n = index.distance_within(p, Meters{20'000'000.0});
            if (!n.found || n.distance.value != exact) ++wrong;
            for (double limit : {exact, std::nextafter(exact, INFINITY)}) { // strictly below the limit only
                auto m = index.distance_within(p, Meters{limit});
                if (m.found != (exact < limit) || (m.found && m.distance.value != exact)) ++wrong;
            }
        }
        CHECK(wrong == 0);
    }
}
