#include "geo/geodesic.hpp"
#include "geo/segment_index.hpp"

#include <GeographicLib/Geodesic.hpp>
#include <GeographicLib/GeodesicLine.hpp>
#include <catch2/catch.hpp>

#include <random>

using namespace avf;

namespace {
// Independent reference: the minimum over a dense sampling of the geodesic a–b (GeographicLib
// GeodesicLine positions), refined by golden-section search around the best sample.
double brute_force(const GeoPoint& p, const GeoPoint& a, const GeoPoint& b) {
    const auto& g = GeographicLib::Geodesic::WGS84();
    auto line = g.InverseLine(a.y(), a.x(), b.y(), b.x());
    double len = line.Distance();
    auto dist_at = [&](double s) {
        double lat, lon, d;
        line.Position(s, lat, lon);
        g.Inverse(p.y(), p.x(), lat, lon, d);
        return d;
    };
    const int n = 2000;
    int best = 0;
    double best_d = dist_at(0);
    for (int i = 1; i <= n; ++i) {
        double d = dist_at(len * i / n);
        if (d < best_d) best_d = d, best = i;
    }
    double lo = len * std::max(0, best - 1) / n, hi = len * std::min(n, best + 1) / n;
    const double phi = (std::sqrt(5.0) - 1) / 2;
    for (int k = 0; k < 100; ++k) {
        double m1 = hi - phi * (hi - lo), m2 = lo + phi * (hi - lo);
        if (dist_at(m1) < dist_at(m2))
            hi = m2;
        else
            lo = m1;
    }
    return std::min(best_d, dist_at((lo + hi) / 2));
}
} // namespace

TEST_CASE("point-to-point distance is GeographicLib's", "[geodesic]") {
    // Seoul City Hall to Pyongyang (Kim Il Sung Square), ~195 km.
    double d = geo::distance({126.9780, 37.5665}, {125.7530, 39.0194}).value;
    double ref;
    GeographicLib::Geodesic::WGS84().Inverse(37.5665, 126.9780, 39.0194, 125.7530, ref);
    CHECK(d == ref);
    CHECK(d == Approx(194'800).margin(2'000));
}

TEST_CASE("point-to-segment distance agrees with a dense-sampling reference to 1 mm", "[geodesic]") {
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> lon(120.0, 135.0), lat(30.0, 45.0), off(-1.5, 1.5);
    for (int i = 0; i < 200; ++i) {
        GeoPoint a{lon(rng), lat(rng)};
        GeoPoint b{a.x() + off(rng), a.y() + off(rng)};
        GeoPoint p{a.x() + off(rng), a.y() + off(rng)};
        double ours = geo::distance_to_segment(p, a, b).distance.value;
        double ref = brute_force(p, a, b);
        INFO("a=" << a.x() << "," << a.y() << " b=" << b.x() << "," << b.y() << " p=" << p.x() << "," << p.y());
        CHECK(ours == Approx(ref).margin(1e-3));
        CHECK(ours <= ref + 1e-6); // never above the true minimum
    }
}

TEST_CASE("a point on the perpendicular at exactly D is at D", "[geodesic]") {
    // Build a point exactly 70 km from the middle of a segment along the geodesic perpendicular.
    GeoPoint a{127.0, 38.0}, b{127.5, 38.2};
    const auto& g = GeographicLib::Geodesic::WGS84();
    auto line = g.InverseLine(a.y(), a.x(), b.y(), b.x());
    double lat, lon, azi;
    line.Position(line.Distance() / 2, lat, lon, azi);
    GeoPoint p = geo::destination({lon, lat}, azi + 90.0, kilometers(70));
    CHECK(geo::distance_to_segment(p, a, b).distance.value == Approx(70'000.0).margin(1e-4));
    CHECK(geo::distance_to_segment(p, a, b).fraction == Approx(0.5).margin(1e-6));
}

TEST_CASE("the segment index returns the exact nearest distance below the limit", "[geodesic][index]") {
    MultiLineString lines;
    lines.resize(1);
    for (int i = 0; i <= 100; ++i) lines[0].push_back(GeoPoint{126.0 + 0.02 * i, 37.8 + 0.3 * std::sin(i / 7.0)});
    geo::SegmentIndex index(lines);
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> lon(125.5, 128.5), lat(37.0, 38.8);
    for (int i = 0; i < 300; ++i) {
        GeoPoint p{lon(rng), lat(rng)};
        double ref = std::numeric_limits<double>::infinity();
        for (std::size_t k = 0; k + 1 < lines[0].size(); ++k)
            ref = std::min(ref, geo::distance_to_segment(p, lines[0][k], lines[0][k + 1]).distance.value);
        auto near = index.distance_within(p, kilometers(50));
        if (ref < 50'000.0) {
            REQUIRE(near.found);
            CHECK(near.distance.value == Approx(ref).margin(1e-6));
        } else {
            CHECK_FALSE(near.found);
        }
    }
}

TEST_CASE("geodesic area of a 1°×1° cell agrees with the authalic-sphere cell area", "[geodesic]") {
    Polygon cell;
    cell.outer() = {{127, 38}, {128, 38}, {128, 39}, {127, 39}, {127, 38}};
    // Independent estimate: the cell on the authalic sphere (R = 6371007.2 m),
    // R² Δλ (sin φ2 − sin φ1). Geodesic top/bottom edges bow slightly, hence the 0.3 % tolerance.
    const double R = 6371007.2, rad = M_PI / 180;
    double sphere = R * R * rad * (std::sin(39 * rad) - std::sin(38 * rad));
    CHECK(geo::geodesic_area(cell) == Approx(sphere).epsilon(3e-3));
}

TEST_CASE("densify cuts each edge into ceil(length / piece) equal lon/lat pieces", "[geodesic]") {
    // Edges from centimetres to a kilometre, many within a millimetre of one or two pieces: an edge
    // surely shorter than a piece stays whole without its geodesic being solved, every other edge
    // is measured exactly.
    std::mt19937_64 rng(31);
    std::uniform_real_distribution<double> u(0.0, 1.0), az(0.0, 360.0);
    const double piece = 250.0;
    const auto& g = GeographicLib::Geodesic::WGS84();
    LineString line{GeoPoint{20.0 + u(rng) * 10.0, u(rng) * 70.0}};
    std::vector<std::size_t> pieces;
    for (int k = 0; k < 600; ++k) {
        const double want = k % 3 == 0 ? u(rng) * 1000.0 : (k % 3 == 1 ? piece : 2.0 * piece) + (u(rng) - 0.5) * 2e-3;
        line.push_back(geo::destination(line.back(), az(rng), Meters{std::max(0.01, want)}));
        double len = 0.0;
        g.Inverse(line[line.size() - 2].y(), line[line.size() - 2].x(), line.back().y(), line.back().x(), len);
        pieces.push_back(static_cast<std::size_t>(std::ceil(len / piece)));
    }
    const LineString dense = geo::densify(line, Meters{piece});
    std::size_t at = 0, whole = 0;
    for (std::size_t i = 1; i < line.size(); ++i) {
        const GeoPoint &a = line[i - 1], &b = line[i];
        REQUIRE(dense[at].x() == a.x());
        REQUIRE(dense[at].y() == a.y());
        const std::size_t n = std::max<std::size_t>(1, pieces[i - 1]);
        whole += n == 1;
        for (std::size_t k = 1; k < n; ++k) {
            const double t = static_cast<double>(k) / static_cast<double>(n);
            REQUIRE(dense[at + k].x() == a.x() + t * (b.x() - a.x()));
            REQUIRE(dense[at + k].y() == a.y() + t * (b.y() - a.y()));
        }
        at += n;
    }
    REQUIRE(at + 1 == dense.size());
    CHECK(whole > 100); // both kinds of edge were there (~150 whole)
    CHECK(whole < 300);
}
