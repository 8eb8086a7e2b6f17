// avf's zone index (Boost.Geometry, planar lon/lat) against GEOS prepared geometries on the real
// demo zones: random points near the borders, every vertex, and points a hair off the edges.
#include "geo/validate.hpp"
#include "geo/zone_index.hpp"
#include "ingest/zone_reader.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/geometry.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <geos_c.h>
#include <iomanip>
#include <iostream>
#include <limits>
#include <map>
#include <random>
#include <sstream>

using namespace avf;
namespace bg = boost::geometry;

namespace {

struct Geos {
    GEOSContextHandle_t ctx = GEOS_init_r();
    ~Geos() { GEOS_finish_r(ctx); }
};

Location geos_locate(GEOSContextHandle_t ctx, const GEOSPreparedGeometry* prep, const GeoPoint& p) {
    GEOSCoordSequence* seq = GEOSCoordSeq_create_r(ctx, 1, 2);
    GEOSCoordSeq_setXY_r(ctx, seq, 0, p.x(), p.y());
    GEOSGeometry* pt = GEOSGeom_createPoint_r(ctx, seq);
    Location l = GEOSPreparedContainsProperly_r(ctx, prep, pt) ? Location::inside
                 : GEOSPreparedCovers_r(ctx, prep, pt)         ? Location::boundary
                                                               : Location::outside;
    GEOSGeom_destroy_r(ctx, pt);
    return l;
}

const char* name(Location l) {
    return l == Location::inside ? "inside" : l == Location::boundary ? "boundary" : "outside";
}

} // namespace

TEST_CASE("point-in-zone agrees with GEOS on the demo borders", "[oracle]") {
    ingest::ZoneCollection set;
    CollectingProblemSink problems;
    ingest::read_zones(test::source_path("datasets/korea/zones.geojson"), {}, set, problems);
    ingest::read_zones(test::source_path("datasets/baltic/zones.geojson"), {}, set, problems);
    REQUIRE(problems.size() == 0);
    geo::ZoneIndex index(set.zones);
    Geos geos;
    std::mt19937_64 rng(2027);

    std::size_t checked = 0, on_boundary = 0, inside = 0;
    for (std::size_t z = 0; z < set.zones.size(); ++z) {
        const Zone& zone = set.zones[z];
        if (zone.kind == "territory") continue; // the same borders as the DMZ and strips, many islands
        std::ostringstream wkt;
        wkt << std::setprecision(17) << bg::wkt(zone.geometry);
        GEOSWKTReader* reader = GEOSWKTReader_create_r(geos.ctx);
        GEOSGeometry* g = GEOSWKTReader_read_r(geos.ctx, reader, wkt.str().c_str());
        GEOSWKTReader_destroy_r(geos.ctx, reader);
        REQUIRE(g);
        CHECK(GEOSisValid_r(geos.ctx, g) == 1); // GEOS agrees the imported zone is valid
        const GEOSPreparedGeometry* prep = GEOSPrepare_r(geos.ctx, g);

        auto compare = [&](const GeoPoint& p, const char* what) {
            Location ours = index.classify(z, p);
            Location theirs = geos_locate(geos.ctx, prep, p);
            INFO(zone.id.str() << " " << what << " (" << std::setprecision(17) << p.x() << ", " << p.y() << "): avf " << name(ours) << ", GEOS "
                               << name(theirs));
            CHECK(ours == theirs);
            ++checked;
            on_boundary += ours == Location::boundary;
            inside += ours == Location::inside;
        };

        Box box;
        bg::envelope(zone.geometry, box);
        double dx = (box.max_corner().x() - box.min_corner().x()) * 0.1, dy = (box.max_corner().y() - box.min_corner().y()) * 0.1;
        std::uniform_real_distribution<double> lon(box.min_corner().x() - dx, box.max_corner().x() + dx);
        std::uniform_real_distribution<double> lat(box.min_corner().y() - dy, box.max_corner().y() + dy);
        for (int i = 0; i < 1500; ++i) compare({lon(rng), lat(rng)}, "random");

        // Every vertex lies on the boundary; points nudged by 1e-9° off an edge test robustness.
        std::uniform_real_distribution<double> t(0.0, 1.0), nudge(-1e-9, 1e-9);
        for (const auto& poly : zone.geometry) {
            const auto& ring = poly.outer();
            for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
                compare(ring[i], "vertex");
                double s = t(rng);
                GeoPoint near{ring[i].x() + s * (ring[i + 1].x() - ring[i].x()) + nudge(rng),
                              ring[i].y() + s * (ring[i + 1].y() - ring[i].y()) + nudge(rng)};
                compare(near, "near edge");
            }
        }
        GEOSPreparedGeom_destroy_r(geos.ctx, prep);
        GEOSGeom_destroy_r(geos.ctx, g);
    }
    INFO("points checked " << checked);
    CHECK(checked > 8000);
    CHECK(on_boundary > 1000);
    CHECK(inside > 1000);
}

namespace {

// A random simple polygon: star-shaped around its centre (vertices at sorted angles, random
// radii), optionally with a star-shaped hole well inside its smallest radius.
Zone generated_zone(std::mt19937_64& rng, std::size_t n) {
    std::uniform_real_distribution<double> clon(-170.0, 170.0), clat(-75.0, 75.0), size(0.001, 3.0), u(0.0, 1.0);
    std::uniform_int_distribution<int> vertices(3, 60);
    const double cx = clon(rng), cy = clat(rng), r = size(rng);
    const int k = vertices(rng);
    std::vector<double> angles(static_cast<std::size_t>(k));
    for (auto& a : angles) a = u(rng) * 2.0 * 3.14159265358979323846;
    std::sort(angles.begin(), angles.end());
    angles.erase(std::unique(angles.begin(), angles.end()), angles.end());
    double min_radius = r;
    Polygon poly;
    for (double a : angles) {
        double rr = r * (0.3 + 0.7 * u(rng));
        min_radius = std::min(min_radius, rr);
        poly.outer().push_back(GeoPoint(cx + rr * std::cos(a), cy + rr * std::sin(a)));
    }
    // A hole only when the centre is well inside: every edge's distance from the centre bounds
    // the hole's radius (random angles can leave wide gaps, so the vertex radii alone do not).
    double max_gap = 0.0, edge_distance = r;
    for (std::size_t i = 0; i < angles.size(); ++i) {
        const double next = i + 1 < angles.size() ? angles[i + 1] : angles[0] + 2.0 * 3.14159265358979323846;
        max_gap = std::max(max_gap, next - angles[i]);
    }
    const auto& ring = poly.outer();
    for (std::size_t i = 0; i < ring.size(); ++i) {
        const GeoPoint& a = ring[i];
        const GeoPoint& b = ring[(i + 1) % ring.size()];
        const double dx = b.x() - a.x(), dy = b.y() - a.y(), len = std::hypot(dx, dy);
        if (len > 0) edge_distance = std::min(edge_distance, std::abs(dx * (cy - a.y()) - dy * (cx - a.x())) / len);
    }
    if (max_gap < 0.5 * 3.14159265358979323846 && u(rng) < 0.3) {
        Ring hole;
        const double hr = 0.5 * std::min(min_radius, edge_distance);
        for (int i = 0; i < 7; ++i) {
            double a = 2.0 * 3.14159265358979323846 * i / 7.0;
            hole.push_back(GeoPoint(cx + hr * (0.5 + 0.5 * u(rng)) * std::cos(a), cy + hr * (0.5 + 0.5 * u(rng)) * std::sin(a)));
        }
        poly.inners().push_back(hole);
    }
    bg::correct(poly); // close the rings, outer counter-clockwise, holes clockwise
    Zone z;
    z.id = ZoneId("G" + std::to_string(n));
    z.geometry.push_back(poly);
    return z;
}

} // namespace

TEST_CASE("point-in-zone agrees with GEOS on 2,000 generated polygons (random points, vertices, edge points, holes)", "[oracle]") {
    std::mt19937_64 rng(8080);
    std::vector<Zone> zones;
    for (std::size_t i = 0; i < 2000; ++i) zones.push_back(generated_zone(rng, i));
    geo::ZoneIndex index(zones);
    Geos geos;
    std::size_t checked = 0, disagreements = 0, invalid_for_geos = 0, boundary = 0, inside = 0, boundary_tolerance = 0;
    double worst_tolerance = 0.0;
    std::size_t avf_rejects_too = 0;
    std::map<std::string, std::size_t> by_kind;
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (std::size_t z = 0; z < zones.size(); ++z) {
        std::ostringstream wkt;
        wkt << std::setprecision(17) << bg::wkt(zones[z].geometry);
        GEOSWKTReader* reader = GEOSWKTReader_create_r(geos.ctx);
        GEOSGeometry* g = GEOSWKTReader_read_r(geos.ctx, reader, wkt.str().c_str());
        GEOSWKTReader_destroy_r(geos.ctx, reader);
        REQUIRE(g);
        if (GEOSisValid_r(geos.ctx, g) != 1) {
            // Random angles a hair apart can give a sliver GEOS calls invalid: such a polygon is
            // not a valid input: counted, checked to be refused by avf's validator too, and not compared.
            ++invalid_for_geos;
            MultiPolygon copy = zones[z].geometry;
            CollectingProblemSink sink;
            if (!geo::normalize_polygons(copy, sink, Context{}.record(zones[z].id.str()))) ++avf_rejects_too;
            GEOSGeom_destroy_r(geos.ctx, g);
            continue;
        }
        const GEOSPreparedGeometry* prep = GEOSPrepare_r(geos.ctx, g);
        auto compare = [&](const GeoPoint& p, const char* kind) {
            Location ours = index.classify(z, p), plain = index.classify_plain(z, p), theirs = geos_locate(geos.ctx, prep, p);
            ++checked;
            boundary += theirs == Location::boundary;
            inside += theirs == Location::inside;
            if (ours != theirs || plain != theirs) {
                // Boost.Geometry's side test counts a point within a few ulps of an edge as on it;
                // GEOS's predicates are exact. Such points are listed apart, with their distance.
                double nearest = std::numeric_limits<double>::infinity();
                for (const auto& poly : zones[z].geometry) {
                    std::vector<const Ring*> rs{&poly.outer()};
                    for (const auto& hole : poly.inners()) rs.push_back(&hole);
                    for (const Ring* ring : rs)
                        for (std::size_t i = 0; i + 1 < ring->size(); ++i)
                            nearest =
                                std::min(nearest, static_cast<double>(bg::distance(p, bg::model::segment<GeoPoint>((*ring)[i], (*ring)[i + 1]))));
                }
                if (ours == plain && ours == Location::boundary && nearest <= 1e-12) {
                    ++boundary_tolerance;
                    worst_tolerance = std::max(worst_tolerance, nearest);
                    return;
                }
                ++disagreements;
                ++by_kind[kind];
                UNSCOPED_INFO(zones[z].id.str() << " " << kind << " (" << std::setprecision(17) << p.x() << ", " << p.y() << "): avf " << name(ours)
                                                << ", plain " << name(plain) << ", GEOS " << name(theirs));
            }
        };
        Box box;
        bg::envelope(zones[z].geometry, box);
        const double w = box.max_corner().x() - box.min_corner().x(), h = box.max_corner().y() - box.min_corner().y();
        for (int i = 0; i < 20; ++i)
            compare(GeoPoint(box.min_corner().x() - 0.1 * w + 1.2 * w * u(rng), box.min_corner().y() - 0.1 * h + 1.2 * h * u(rng)), "random");
        for (const auto& poly : zones[z].geometry) {
            std::vector<const Ring*> rings{&poly.outer()};
            for (const auto& hole : poly.inners()) rings.push_back(&hole);
            for (const Ring* ring : rings)
                for (std::size_t i = 0; i + 1 < ring->size(); ++i) {
                    const GeoPoint a = (*ring)[i], b = (*ring)[i + 1];
                    compare(a, "vertex");
                    // The rounded midpoint is on the edge or a hair off it: the hardest case for
                    // both predicates.
                    compare(GeoPoint(a.x() + 0.5 * (b.x() - a.x()), a.y() + 0.5 * (b.y() - a.y())), "edge midpoint");
                }
        }
        GEOSPreparedGeom_destroy_r(geos.ctx, prep);
        GEOSGeom_destroy_r(geos.ctx, g);
    }
    std::cout << "GEOS oracle on generated polygons: " << zones.size() << " polygons (" << invalid_for_geos
              << " invalid for GEOS, skipped, of which avf's validator rejects " << avf_rejects_too << "), " << checked << " points (" << inside
              << " inside, " << boundary << " boundary per GEOS); " << boundary_tolerance << " rounded edge points within " << worst_tolerance
              << " deg of an edge are on the boundary for avf (Boost.Geometry's tolerance) and "
                 "strictly inside or outside for GEOS (exact); other disagreements: "
              << disagreements;
    for (const auto& [k, n] : by_kind) std::cout << "; " << k << ": " << n;
    std::cout << "\n";
    CHECK(invalid_for_geos < zones.size() / 100);
    CHECK(avf_rejects_too == invalid_for_geos); // what GEOS calls invalid, avf refuses too
    CHECK(checked > 50000);
    CHECK(boundary > 20000);
    CHECK(disagreements == 0);
}
