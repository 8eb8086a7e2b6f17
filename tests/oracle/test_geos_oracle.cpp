// avf's zone index (Boost.Geometry, planar lon/lat) against GEOS prepared geometries on the real
// demo zones: random points near the borders, every vertex, and points a hair off the edges.
#include "geo/zone_index.hpp"
#include "ingest/zone_reader.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/geometry.hpp>
#include <catch2/catch.hpp>
#include <geos_c.h>

#include <iomanip>
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

const char* name(Location l) { return l == Location::inside ? "inside" : l == Location::boundary ? "boundary" : "outside"; }

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
            INFO(zone.id.str() << " " << what << " (" << std::setprecision(17) << p.x() << ", " << p.y() << "): avf " << name(ours)
                               << ", GEOS " << name(theirs));
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
