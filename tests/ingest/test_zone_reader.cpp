#include "core/error.hpp"
#include "ingest/gdal_support.hpp"
#include "ingest/zone_reader.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/geometry.hpp>
#include <catch2/catch.hpp>

using namespace avf;
using avf::test::source_path;

namespace {
struct Read {
    ingest::ZoneCollection set;
    CollectingProblemSink problems;
};

Read read(const std::string& path, ingest::ZoneReadOptions opt = {}) {
    Read r;
    ingest::read_zones(path, opt, r.set, r.problems);
    return r;
}

std::string malformed(const std::string& name) {
    return source_path("datasets/malformed/" + name);
}
} // namespace

TEST_CASE("every malformed fixture gives its exact problem, naming the feature", "[zones][malformed]") {
    struct Case {
        const char* file;
        ProblemCode code;
        Severity severity;
        const char* record;
        std::size_t zones_kept;
    };
    const Case cases[] = {
        {"unclosed_ring.geojson", ProblemCode::ring_not_closed, Severity::corrected, "Z-UNCLOSED", 2},
        {"bowtie.geojson", ProblemCode::self_intersection, Severity::rejected, "Z-BOWTIE", 1},
        {"lat95.geojson", ProblemCode::coordinate_out_of_range, Severity::rejected, "Z-LAT95", 1},
        {"nan_coordinate.geojson", ProblemCode::not_finite, Severity::rejected, "Z-NAN", 1},
        {"duplicate_id.geojson", ProblemCode::duplicate_id, Severity::rejected, "Z-GOOD", 1},
        {"spike.geojson", ProblemCode::spike, Severity::corrected, "Z-SPIKE", 2},
        {"duplicate_vertex.geojson", ProblemCode::duplicate_vertex, Severity::corrected, "Z-DUPVERT", 2},
        {"antimeridian.geojson", ProblemCode::crosses_antimeridian, Severity::rejected, "Z-ANTIMERIDIAN", 1},
        {"empty_geometry.geojson", ProblemCode::empty_geometry, Severity::rejected, "Z-EMPTY", 1},
        {"null_geometry.geojson", ProblemCode::empty_geometry, Severity::rejected, "Z-NULL", 1},
    };
    for (const auto& c : cases) {
        INFO(c.file);
        auto r = read(malformed(c.file));
        REQUIRE(r.problems.size() == 1);
        const Problem& p = r.problems.problems()[0];
        CHECK(p.code == c.code);
        CHECK(p.severity == c.severity);
        CHECK(p.where.record() == c.record);
        CHECK(p.where.file() == malformed(c.file));
        CHECK_FALSE(p.where.feature().empty());
        CHECK(r.set.zones.size() == c.zones_kept);
    }
}

TEST_CASE("the bow-tie is located and a duplicate names the first feature", "[zones][malformed]") {
    auto bow = read(malformed("bowtie.geojson"));
    CHECK(bow.problems.problems()[0].message.find("(127.05, 38.15)") != std::string::npos);
    auto dup = read(malformed("duplicate_id.geojson"));
    CHECK(dup.problems.problems()[0].message.find("already used by") != std::string::npos);
    CHECK(dup.problems.problems()[0].message.find("feature 0") != std::string::npos);
}

TEST_CASE("file-level defects: empty layer, truncated file, missing CRS", "[zones][malformed]") {
    auto empty = read(malformed("empty_layer.geojson"));
    REQUIRE(empty.problems.size() == 1);
    CHECK(empty.problems.problems()[0].code == ProblemCode::empty_layer);

    CHECK_THROWS_AS(read(malformed("truncated.geojson")), IoError);
    CHECK_THROWS_WITH(read(malformed("truncated.geojson")), Catch::Contains("unreadable"));

    CHECK_THROWS_AS(read(malformed("no_crs/no_crs.shp")), ingest::MissingCrsError);
    ingest::ZoneReadOptions assume;
    assume.assume_crs = "EPSG:4326";
    auto ok = read(malformed("no_crs/no_crs.shp"), assume);
    CHECK(ok.set.zones.size() == 1);
}

TEST_CASE("strict mode stops at the first rejected feature", "[zones]") {
    ingest::ZoneCollection set;
    CollectingProblemSink strict(true);
    CHECK_THROWS_AS(ingest::read_zones(malformed("bowtie.geojson"), {}, set, strict), InputError);
    CollectingProblemSink strict2(true);
    ingest::ZoneCollection set2;
    CHECK_NOTHROW(ingest::read_zones(malformed("unclosed_ring.geojson"), {}, set2, strict2)); // a correction is not a rejection
}

TEST_CASE("the demo geography imports cleanly with attributes and nesting", "[zones]") {
    ingest::ZoneCollection set;
    CollectingProblemSink problems;
    for (auto f : {"datasets/korea/zones.geojson", "datasets/korea/lines.geojson", "datasets/baltic/zones.geojson", "datasets/baltic/lines.geojson"})
        ingest::read_zones(source_path(f), {}, set, problems);
    ingest::check_zone_parents(set, problems);
    CHECK(problems.size() == 0);
    CHECK(set.zones.size() == 9);
    CHECK(set.lines.size() == 8);
    auto dmz_n = std::find_if(set.zones.begin(), set.zones.end(), [](const Zone& z) { return z.id.str() == "DMZ-N"; });
    REQUIRE(dmz_n != set.zones.end());
    CHECK(dmz_n->kind == "dmz");
    CHECK(dmz_n->parent == "DMZ");
    CHECK(dmz_n->parties == "PRK");
    CHECK(format_utc(dmz_n->valid.from) == "1953-07-27T00:00:00Z");
    CHECK(dmz_n->valid.to.is_max());
}

// Axis order: a polygon around Madrid (lon −3.7, lat +40.4): swapped axes would put it in Somalia.
TEST_CASE("any CRS comes back as lon/lat in traditional GIS order", "[zones][crs]") {
    avf::test::TempDir tmp;
    std::string geojson =
        tmp.write("madrid.geojson", R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"MAD","kind":"buffer"},
      "geometry":{"type":"Polygon","coordinates":[[[-3.8,40.3],[-3.6,40.3],[-3.6,40.5],[-3.8,40.5],[-3.8,40.3]]]}}]})");
    std::string out;
    const std::string base = (tmp.path() / "madrid").string();
    struct Variant {
        std::string path, command;
    };
    std::vector<Variant> variants = {
        {base + "_4326.gpkg", "ogr2ogr -f GPKG " + base + "_4326.gpkg " + geojson},
        {base + "_3857.gpkg", "ogr2ogr -f GPKG -t_srs EPSG:3857 " + base + "_3857.gpkg " + geojson},
        {base + "_utm.shp", "ogr2ogr -f 'ESRI Shapefile' -t_srs EPSG:25830 " + base + "_utm.shp " + geojson},
        {base + ".kml", "ogr2ogr -f KML " + base + ".kml " + geojson},
        {base + ".fgb", "ogr2ogr -f FlatGeobuf " + base + ".fgb " + geojson},
        {base + ".csv", "ogr2ogr -f CSV -lco GEOMETRY=AS_WKT " + base + ".csv " + geojson},
    };
    for (const auto& v : variants) {
        INFO(v.command);
        REQUIRE(test::run_command(v.command, out) == 0);
        ingest::ZoneReadOptions opt;
        if (v.path.ends_with(".csv")) opt.assume_crs = "EPSG:4326"; // CSV carries no CRS
        ingest::ZoneCollection set;
        CollectingProblemSink problems;
        ingest::read_zones(v.path, opt, set, problems);
        REQUIRE(set.zones.size() == 1);
        Box b;
        boost::geometry::envelope(set.zones[0].geometry, b);
        CHECK(b.min_corner().x() == Approx(-3.8).margin(1e-6));
        CHECK(b.min_corner().y() == Approx(40.3).margin(1e-6));
        CHECK(b.max_corner().x() == Approx(-3.6).margin(1e-6));
        CHECK(b.max_corner().y() == Approx(40.5).margin(1e-6));
    }
}
