// The fast zone test (geo::ZoneGrid, used by geo::ZoneIndex) against the plain Boost.Geometry
// predicates (bg::within, bg::covered_by over the whole zone): random points, every vertex,
// points on edges (interpolated, so a rounding away from the exact edge), points a hair off the
// edges, points sharing a vertex's longitude or latitude — on hand-made shapes and on the real
// demo zone sets. The answers must be identical, boundary included.
//
// ctest runs 10^5 random points per demo zone set; `make bench` (bench/run.sh) runs the same test
// with AVF_GRID_POINTS=1000000 (10^6 random points per zone set, plus the edge cases). Under the
// sanitizers (`make test-asan`, ~20x slower) the demo test takes 10^4 random points and the edge
// cases of every 16th edge; the full sizes run in every other build.
#include "geo/zone_grid.hpp"
#include "geo/zone_index.hpp"
#include "ingest/zone_reader.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/geometry.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <iomanip>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

using namespace avf;
namespace bg = boost::geometry;

namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool sanitized = true;
#else
constexpr bool sanitized = false;
#endif

Location plain(const GeoPoint& p, const MultiPolygon& g) {
    if (!bg::covered_by(p, g)) return Location::outside;
    return bg::within(p, g) ? Location::inside : Location::boundary;
}

const char* name(Location l) {
    return l == Location::inside ? "inside" : l == Location::boundary ? "boundary" : "outside";
}

struct Tally {
    std::size_t points = 0, inside = 0, boundary = 0, disagreements = 0;
    std::string first_disagreement;
};

// Points for one zone: `random` uniform in the envelope widened by 10 %, and for every edge: the
// vertex, a point interpolated on it, that point nudged by ±1e-9…1e-12°, and points on the
// vertex's meridian and parallel.
std::vector<GeoPoint> test_points(const MultiPolygon& g, std::size_t random, std::uint64_t seed, std::size_t edge_stride = 1) {
    std::vector<GeoPoint> pts;
    std::mt19937_64 rng(seed);
    Box box;
    bg::envelope(g, box);
    const double dx = (box.max_corner().x() - box.min_corner().x()) * 0.1 + 1e-6, dy = (box.max_corner().y() - box.min_corner().y()) * 0.1 + 1e-6;
    std::uniform_real_distribution<double> lon(box.min_corner().x() - dx, box.max_corner().x() + dx);
    std::uniform_real_distribution<double> lat(box.min_corner().y() - dy, box.max_corner().y() + dy);
    for (std::size_t i = 0; i < random; ++i) pts.emplace_back(lon(rng), lat(rng));
    std::uniform_real_distribution<double> t(0.0, 1.0), sign(-1.0, 1.0);
    const double nudges[] = {1e-9, 3e-10, 1e-11, 1e-12};
    auto edge_points = [&](const Ring& r) {
        for (std::size_t i = 0; i + 1 < r.size(); i += edge_stride) {
            const GeoPoint& a = r[i];
            const GeoPoint& b = r[i + 1];
            pts.push_back(a);
            const double s = t(rng);
            GeoPoint on{a.x() + s * (b.x() - a.x()), a.y() + s * (b.y() - a.y())};
            pts.push_back(on);
            pts.push_back(GeoPoint{0.5 * (a.x() + b.x()), 0.5 * (a.y() + b.y())});
            for (double n : nudges) pts.emplace_back(on.x() + n * sign(rng), on.y() + n * sign(rng));
            pts.emplace_back(a.x(), lat(rng)); // same longitude as a vertex: Boost's "equal x" path
            pts.emplace_back(lon(rng), a.y()); // same latitude
            pts.emplace_back(a.x(), on.y());
        }
    };
    for (const auto& poly : g) {
        edge_points(poly.outer());
        for (const auto& h : poly.inners()) edge_points(h);
    }
    return pts;
}

// Compares on two threads (the plain predicate is slow on big zones).
Tally compare(const geo::ZoneGrid& grid, const MultiPolygon& g, const std::vector<GeoPoint>& pts) {
    Tally total;
    std::mutex m;
    auto work = [&](std::size_t first) {
        Tally t;
        for (std::size_t i = first; i < pts.size(); i += 2) {
            const GeoPoint& p = pts[i];
            const Location fast = grid.classify(p), ref = plain(p, g);
            ++t.points;
            t.inside += ref == Location::inside;
            t.boundary += ref == Location::boundary;
            if (fast != ref) {
                if (t.disagreements++ == 0) {
                    std::ostringstream s;
                    s << std::setprecision(17) << "(" << p.x() << ", " << p.y() << "): grid " << name(fast) << ", Boost " << name(ref);
                    t.first_disagreement = s.str();
                }
            }
        }
        std::lock_guard lock(m);
        total.points += t.points;
        total.inside += t.inside;
        total.boundary += t.boundary;
        total.disagreements += t.disagreements;
        if (total.first_disagreement.empty()) total.first_disagreement = t.first_disagreement;
    };
    std::thread a(work, 0), b(work, 1);
    a.join();
    b.join();
    return total;
}

MultiPolygon wkt(const std::string& text) {
    MultiPolygon g;
    bg::read_wkt(text, g);
    bg::correct(g); // counter-clockwise outer rings, clockwise holes (the project's model)
    return g;
}

std::size_t random_points_per_set() {
    const char* env = std::getenv("AVF_GRID_POINTS");
    return env ? static_cast<std::size_t>(std::atol(env)) : sanitized ? 10'000 : 100'000;
}

} // namespace

TEST_CASE("the zone grid answers exactly as Boost.Geometry on hand-made shapes", "[zone_grid]") {
    const char* shapes[] = {
        "MULTIPOLYGON(((127 38,128 38,128 39,127 39,127 38)))",
        // A hole, a vertex on the hole's ring level, and a second polygon.
        "MULTIPOLYGON(((127 38,128 38.2,128.3 39,127.5 39.4,126.8 38.9,127 38),(127.3 38.4,127.6 38.4,127.5 38.7,127.3 38.4)),"
        "((129 38,130 38,130 39,129 39,129 38)))",
        // Vertical and horizontal edges on shared coordinates, a spike-free comb.
        "MULTIPOLYGON(((0 0,10 0,10 1,1 1,1 2,10 2,10 3,1 3,1 4,10 4,10 5,0 5,0 0)))",
        // Very thin sliver.
        "MULTIPOLYGON(((20 50,21 50.000001,20 50.000002,20 50)))",
        // Tiny zone, tiny edges.
        "MULTIPOLYGON(((24.1 56.1,24.1000001 56.1,24.1000001 56.1000001,24.1 56.1000001,24.1 56.1)))",
    };
    std::uint64_t seed = 7;
    for (const char* s : shapes) {
        const MultiPolygon g = wkt(s);
        for (std::size_t cells_per_edge : {1, 16, 256}) {
            geo::ZoneGrid::Options o;
            o.cells_per_edge = cells_per_edge;
            o.edges_per_column = cells_per_edge == 1 ? 1 : 8;
            geo::ZoneGrid grid(g, o);
            const Tally t = compare(grid, g, test_points(g, 20'000, seed++));
            INFO(s << " cells/edge " << cells_per_edge << ": " << t.first_disagreement);
            CHECK(t.disagreements == 0);
            CHECK(t.boundary > 0);
            CHECK(t.inside > 0);
        }
    }
}

TEST_CASE("a box far from the boundary is covered by one label", "[zone_grid]") {
    const MultiPolygon g = wkt("MULTIPOLYGON(((127 38,128 38,128 39,127 39,127 38),(127.4 38.4,127.4 38.6,127.6 38.6,127.6 38.4,127.4 38.4)))");
    geo::ZoneGrid grid(g);
    CHECK(grid.cover(Box{{127.1, 38.1}, {127.2, 38.2}}) == geo::ZoneGrid::Cover::inside);
    CHECK(grid.cover(Box{{127.45, 38.45}, {127.55, 38.55}}) == geo::ZoneGrid::Cover::outside); // in the hole
    CHECK(grid.cover(Box{{125.0, 36.0}, {126.0, 37.0}}) == geo::ZoneGrid::Cover::outside);
    CHECK(grid.cover(Box{{126.9, 38.1}, {127.1, 38.2}}) == geo::ZoneGrid::Cover::mixed);     // straddles the west edge
    CHECK(grid.cover(Box{{127.35, 38.45}, {127.45, 38.55}}) == geo::ZoneGrid::Cover::mixed); // straddles the hole
    CHECK(grid.cover(Box{{126.0, 37.0}, {129.0, 40.0}}) == geo::ZoneGrid::Cover::mixed);
}

TEST_CASE("the zone index agrees with the plain Boost.Geometry predicate on the demo zone sets", "[zone_grid][demo]") {
    const std::size_t random = random_points_per_set();
    const std::vector<std::vector<std::string>> sets = {
        {"datasets/korea/zones.geojson"}, {"datasets/baltic/zones.geojson"}, {"datasets/baltic/territories.geojson"}};
    std::uint64_t seed = 2027;
    for (const auto& files : sets) {
        ingest::ZoneCollection set;
        CollectingProblemSink problems;
        for (const auto& f : files) ingest::read_zones(test::source_path(f), {}, set, problems);
        REQUIRE(problems.count(Severity::rejected) == 0);
        geo::ZoneIndex index(set.zones);
        // Random points over the whole set (each tested against every zone), plus every zone's
        // vertices and edge points.
        Box all;
        bg::assign_inverse(all);
        for (const auto& z : set.zones) bg::expand(all, bg::return_envelope<Box>(z.geometry));
        std::vector<GeoPoint> pts;
        {
            std::mt19937_64 rng(seed++);
            const double dx = (all.max_corner().x() - all.min_corner().x()) * 0.05, dy = (all.max_corner().y() - all.min_corner().y()) * 0.05;
            std::uniform_real_distribution<double> lon(all.min_corner().x() - dx, all.max_corner().x() + dx);
            std::uniform_real_distribution<double> lat(all.min_corner().y() - dy, all.max_corner().y() + dy);
            for (std::size_t i = 0; i < random; ++i) pts.emplace_back(lon(rng), lat(rng));
        }
        for (const auto& z : set.zones) {
            auto more = test_points(z.geometry, 0, seed++, sanitized ? 16 : 1);
            pts.insert(pts.end(), more.begin(), more.end());
        }
        Tally total;
        for (std::size_t zi = 0; zi < set.zones.size(); ++zi) {
            const Tally t = compare(index.grid(zi), set.zones[zi].geometry, pts);
            INFO(files[0] << " zone " << set.zones[zi].id.str() << ": " << t.first_disagreement);
            CHECK(t.disagreements == 0);
            total.points += t.points;
            total.inside += t.inside;
            total.boundary += t.boundary;
        }
        // Also through ZoneIndex::locate (R-tree + grid) for a sample.
        std::vector<geo::ZoneHit> hits;
        for (std::size_t i = 0; i < pts.size(); i += 61) {
            index.locate(pts[i], Meters{0.0}, hits);
            for (std::size_t zi = 0; zi < set.zones.size(); ++zi) {
                const Location ref = index.classify_plain(zi, pts[i]);
                auto h = std::find_if(hits.begin(), hits.end(), [&](const geo::ZoneHit& x) { return x.zone == zi; });
                REQUIRE((h == hits.end()) == (ref == Location::outside));
                if (h != hits.end()) REQUIRE(h->centre == ref);
            }
        }
        INFO(files[0] << ": " << pts.size() << " points, " << total.points << " point-zone pairs");
        CHECK(total.boundary > (sanitized ? 100u : 1000u));
        CHECK(total.inside > (sanitized ? 100u : 1000u));
    }
}
