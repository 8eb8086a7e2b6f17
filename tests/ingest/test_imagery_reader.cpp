// Imagery metadata (STAC Items, ItemCollections, one Item per line, CSV with WKT), flight tracks
// and planned routes: every field read, every defect a problem with its position, never a crash.
#include "core/error.hpp"
#include "ingest/image_reader.hpp"
#include "ingest/track_reader.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/geometry.hpp>
#include <catch2/catch.hpp>

#include <cmath>

using namespace avf;

namespace {

// A STAC Item over a 0.02° square near (127.0, 38.0); `props` and `geometry` replace the defaults.
std::string item(const std::string& id, const std::string& props = "", const std::string& geometry = "") {
    std::string g =
        geometry.empty() ? R"({"type":"Polygon","coordinates":[[[127.0,38.0],[127.02,38.0],[127.02,38.02],[127.0,38.02],[127.0,38.0]]]})" : geometry;
    std::string p = props.empty() ? R"("datetime":"2027-03-04T10:15:00Z","gsd":0.35,"avf:sensor":"optical")" : props;
    return R"({"type":"Feature","stac_version":"1.0.0","id":")" + id + R"(","geometry":)" + g + R"(,"properties":{)" + p + "}}";
}

struct Read {
    std::vector<ImageRecord> images;
    CollectingProblemSink problems;
    ingest::ImageFileReport report;
};

Read read(const std::string& path) {
    Read r;
    r.report = ingest::read_images(path, {}, r.images, r.problems);
    return r;
}

} // namespace

TEST_CASE("a full STAC Item: every field the issue lists, and avf's own", "[imagery]") {
    test::TempDir tmp;
    auto path = tmp.write("item.json",
                          item("OS5023-F001", R"("start_datetime":"2027-03-04T10:15:00Z","end_datetime":"2027-03-04T10:15:02.500Z","datetime":null,)"
                                              R"("gsd":0.31,"platform":"OC-135B","instruments":["KS-87E","vertical"],"mission":"OS5023",)"
                                              R"("view:off_nadir":2.5,"avf:observing_party":"USA","avf:observed_party":"RUS",)"
                                              R"("avf:flight_id":"OS5023","avf:sensor":"optical","avf:height_m":905.5)"));
    auto r = read(path);
    REQUIRE(r.problems.size() == 0);
    REQUIRE(r.images.size() == 1);
    const ImageRecord& im = r.images[0];
    CHECK(r.report.format == "stac-item");
    CHECK(im.id.str() == "OS5023-F001");
    CHECK(format_utc(im.acquisition.from) == "2027-03-04T10:15:00Z");
    CHECK(format_utc(im.acquisition.to) == "2027-03-04T10:15:02.500Z");
    CHECK(im.gsd.value == 0.31);
    CHECK(im.platform == "OC-135B");
    CHECK(im.instruments == "KS-87E,vertical");
    CHECK(im.mission == "OS5023");
    CHECK(im.off_nadir == 2.5);
    CHECK(im.observing_party == "USA");
    CHECK(im.observed_party == "RUS");
    CHECK(im.flight_id == "OS5023");
    CHECK(im.sensor == SensorCategory::optical);
    CHECK(im.height.value == 905.5);
    CHECK(im.origin.file == path);
    REQUIRE(im.footprint.size() == 1);
    CHECK(boost::geometry::area(im.footprint) > 0); // counter-clockwise after normalization
}

TEST_CASE("SAR items: the sensor and the resolution come from the sar: fields", "[imagery]") {
    test::TempDir tmp;
    auto path = tmp.write("sar.json", item("S1", R"("datetime":"2027-03-04T11:00:00Z","sar:resolution_range":3.2,"sar:resolution_azimuth":2.9,)"
                                                 R"("sar:polarizations":["VV","VH"])"));
    auto r = read(path);
    REQUIRE(r.problems.size() == 0);
    REQUIRE(r.images.size() == 1);
    CHECK(r.images[0].sensor == SensorCategory::sar);
    CHECK(r.images[0].gsd.value == 2.9); // the finer of the two
    CHECK(r.images[0].sar_polarizations == "VV,VH");
    CHECK(std::isnan(r.images[0].height.value));
    CHECK(std::isnan(r.images[0].off_nadir));
}

TEST_CASE("an ItemCollection: bad items become problems naming the feature and field, good ones are kept", "[imagery][malformed]") {
    test::TempDir tmp;
    std::string antimeridian = R"({"type":"Polygon","coordinates":[[[179.9,10],[-179.9,10],[-179.9,10.1],[179.9,10.1],[179.9,10]]]})";
    std::string bowtie = R"({"type":"Polygon","coordinates":[[[127,38],[127.1,38.1],[127.1,38],[127,38.1],[127,38]]]})";
    std::string features =
        item("good-1") + "," +                                                                               // 0
        item("no-time", R"("gsd":0.5,"avf:sensor":"optical")") + "," +                                       // 1
        item("bad-gsd", R"("datetime":"2027-03-04T10:00:00Z","gsd":"+-0.3","avf:sensor":"optical")") + "," + // 2
        item("bad-sensor", R"("datetime":"2027-03-04T10:00:00Z","gsd":0.5,"avf:sensor":"lidar")") + "," +    // 3
        item("anti", "", antimeridian) + "," +                                                               // 4
        item("bow", "", bowtie) + "," +                                                                      // 5
        item("pt", "", R"({"type":"Point","coordinates":[127,38]})") + "," +                                 // 6
        item("good-1") + "," +                                                                               // 7 duplicate
        item("neg", R"("datetime":"2027-03-04T10:00:00Z","gsd":-1,"avf:sensor":"optical")") + "," +          // 8
        item("rev", R"("start_datetime":"2027-03-04T10:00:00Z","end_datetime":"2027-03-04T09:00:00Z","gsd":1,"avf:sensor":"optical")") + "," + // 9
        item("good-2", "",
             R"({"type":"MultiPolygon","coordinates":[[[[127,38],[127,38.01],[127.01,38.01],[127.01,38],[127,38]]]]})"); // 10 (clockwise)
    auto path = tmp.write("collection.json", R"({"type":"FeatureCollection","features":[)" + features + "]}");
    auto r = read(path);
    CHECK(r.report.format == "stac-itemcollection");
    CHECK(r.report.records == 11);
    CHECK(r.report.accepted == 2);
    CHECK(r.report.rejected == 9);
    REQUIRE(r.images.size() == 2);
    CHECK(r.images[1].id.str() == "good-2");
    CHECK(boost::geometry::area(r.images[1].footprint) > 0); // re-oriented
    struct Expect {
        const char* feature;
        const char* record;
        ProblemCode code;
        const char* field;
    };
    const Expect expected[] = {
        {"1", "no-time", ProblemCode::missing_field, "datetime"},  {"2", "bad-gsd", ProblemCode::bad_number, "gsd"},
        {"3", "bad-sensor", ProblemCode::bad_value, "avf:sensor"}, {"4", "anti", ProblemCode::crosses_antimeridian, ""},
        {"5", "bow", ProblemCode::self_intersection, ""},          {"6", "pt", ProblemCode::unsupported_geometry, "geometry"},
        {"7", "good-1", ProblemCode::duplicate_id, "id"},          {"8", "neg", ProblemCode::bad_value, "gsd"},
        {"9", "rev", ProblemCode::bad_value, "end_datetime"},
    };
    REQUIRE(r.problems.size() == std::size(expected));
    for (std::size_t i = 0; i < std::size(expected); ++i) {
        const Problem& p = r.problems.problems()[i];
        INFO(p.describe());
        CHECK(p.severity == Severity::rejected);
        CHECK(p.code == expected[i].code);
        CHECK(p.where.file() == path);
        CHECK(p.where.feature() == expected[i].feature);
        CHECK(p.where.record() == expected[i].record);
        if (*expected[i].field) CHECK(p.where.field() == expected[i].field);
    }
}

TEST_CASE("one Item per line: a broken line is one problem with its line number", "[imagery][malformed]") {
    test::TempDir tmp;
    auto path = tmp.write("items.ndjson", item("a") + "\n\n{\"type\":\"Feature\", broken\n" + item("b") + "\n[1,2]\n");
    auto r = read(path);
    CHECK(r.report.format == "stac-lines");
    REQUIRE(r.images.size() == 2);
    CHECK(r.images[1].origin.feature == "4");
    REQUIRE(r.problems.size() == 2);
    CHECK(r.problems.problems()[0].code == ProblemCode::unreadable);
    CHECK(r.problems.problems()[0].where.line() == 3);
    CHECK(r.problems.problems()[1].code == ProblemCode::bad_value);
    CHECK(r.problems.problems()[1].where.line() == 5);
}

TEST_CASE("a .json file of Items one per line is recognised too, JSON that is no STAC is refused whole", "[imagery][malformed]") {
    test::TempDir tmp;
    auto r = read(tmp.write("lines.json", item("a") + "\n" + item("b") + "\n"));
    CHECK(r.images.size() == 2);
    CHECK_THROWS_AS(read(tmp.write("array.json", "[1, 2, 3]")), InputError);
    CHECK_THROWS_AS(read(tmp.write("garbage.json", "{ not json at all")), InputError);
    CHECK_THROWS_AS(read(tmp.path().string() + "/missing.json"), IoError);
}

TEST_CASE("CSV with a WKT footprint reads the same fields", "[imagery]") {
    test::TempDir tmp;
    auto path =
        tmp.write("images.csv",
                  "id,datetime,gsd,avf:sensor,avf:flight_id,avf:height_m,avf:observing_party,avf:observed_party,platform,WKT\n"
                  "C1,2027-03-04T10:15:00Z,0.30,optical,OS5023,900,USA,RUS,OC-135B,\"POLYGON((127 38,127.02 38,127.02 38.02,127 38.02,127 38))\"\n"
                  "C2,2027-03-04T10:16:00Z,0.2x,optical,OS5023,900,USA,RUS,OC-135B,\"POLYGON((127 38,127.02 38,127.02 38.02,127 38.02,127 38))\"\n"
                  "C3,2027-03-04T10:17:00Z,0.30,optical,OS5023,900,USA,RUS,OC-135B,\"POLYGON((127 38,127.02 38,127.02 38.02,127 98,127 38))\"\n");
    auto r = read(path);
    REQUIRE(r.images.size() == 1);
    CHECK(r.images[0].id.str() == "C1");
    CHECK(r.images[0].gsd.value == 0.30);
    CHECK(r.images[0].flight_id == "OS5023");
    CHECK(r.images[0].height.value == 900.0);
    REQUIRE(r.problems.size() == 2);
    CHECK(r.problems.problems()[0].code == ProblemCode::bad_number);
    CHECK(r.problems.problems()[0].where.field() == "gsd");
    CHECK(r.problems.problems()[1].code == ProblemCode::coordinate_out_of_range);
    CHECK(r.problems.problems()[1].where.record() == "C3");
}

TEST_CASE("tracks from CSV: fixes grouped by flight and sorted by time, bad rows as problems", "[imagery][tracks]") {
    test::TempDir tmp;
    auto path = tmp.write("track.csv",
                          "flight_id,time,lon,lat,height_m,sensor_on\n"
                          "OS5023,2027-03-04T10:02:00Z,127.02,38.0,910,true\n"
                          "OS5023,2027-03-04T10:00:00Z,127.00,38.0,900,false\n"
                          "OS5024,2027-03-04T11:00:00Z,127.10,38.1,,0\n"
                          "OS5023,2027-03-04T10:01:00Z,127.01,38.0,905,on\n"
                          "OS5023,2027-03-04T10:03:00Z,127.03,95.0,900,true\n"  // lat out of range
                          "OS5023,2027-03-04T10:04:00Z,127.04,38.0,900,maybe\n" // bad sensor_on
                          "OS5023,2027-03-04T10:02:00Z,127.05,38.0,900,true\n"  // same time as line 2
                          ",2027-03-04T10:05:00Z,127.05,38.0,900,true\n");      // no flight
    std::vector<FlightTrack> tracks;
    CollectingProblemSink problems;
    auto report = ingest::read_tracks(path, {}, tracks, problems);
    REQUIRE(tracks.size() == 2);
    CHECK(tracks[0].flight_id == "OS5023");
    REQUIRE(tracks[0].points.size() == 3);
    CHECK(format_utc(tracks[0].points[0].time) == "2027-03-04T10:00:00Z");
    CHECK_FALSE(tracks[0].points[0].sensor_on);
    CHECK(tracks[0].points[1].sensor_on);
    CHECK(tracks[0].points[2].height.value == 910.0);
    CHECK(tracks[0].points[2].source_position == "line 2");
    CHECK(std::isnan(tracks[1].points[0].height.value));
    CHECK(report.records == 8);
    CHECK(report.accepted == 4);
    CHECK(report.rejected == 4);
    REQUIRE(problems.size() == 4);
    CHECK(problems.problems()[0].code == ProblemCode::coordinate_out_of_range);
    CHECK(problems.problems()[0].where.line() == 6);
    CHECK(problems.problems()[1].code == ProblemCode::bad_value);
    CHECK(problems.problems()[1].where.field() == "sensor_on");
    CHECK(problems.problems()[2].code == ProblemCode::missing_field);
    CHECK(problems.problems()[2].where.line() == 9);
    CHECK(problems.problems()[3].code == ProblemCode::duplicate_id);

    CHECK_THROWS_AS(ingest::read_tracks(tmp.write("nolat.csv", "flight_id,time,lon\nA,2027-03-04T10:00:00Z,1\n"), {}, tracks, problems), InputError);
}

TEST_CASE("tracks from OGR points and legs, routes from OGR lines", "[imagery][tracks]") {
    test::TempDir tmp;
    auto fixes = tmp.write("fixes.geojson", R"({"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"flight_id":"F1","time":"2027-03-04T10:00:00Z","height_m":900,"sensor_on":"true"},"geometry":{"type":"Point","coordinates":[127,38]}},
        {"type":"Feature","properties":{"flight_id":"F1","start_time":"2027-03-04T10:01:00Z","end_time":"2027-03-04T10:03:00Z","height_m":950,"sensor_on":"false"},
         "geometry":{"type":"LineString","coordinates":[[127.01,38],[127.02,38],[127.03,38]]}},
        {"type":"Feature","properties":{"flight_id":"F1","time":"2027-03-04T10:05:00Z"},"geometry":{"type":"Polygon","coordinates":[[[127,38],[127.1,38],[127.1,38.1],[127,38]]]}}
    ]})");
    std::vector<FlightTrack> tracks;
    CollectingProblemSink problems;
    ingest::read_tracks(fixes, {}, tracks, problems);
    REQUIRE(tracks.size() == 1);
    REQUIRE(tracks[0].points.size() == 4);
    CHECK(format_utc(tracks[0].points[2].time) == "2027-03-04T10:02:00Z"); // the leg's midpoint by length
    CHECK(tracks[0].points[3].height.value == 950.0);
    REQUIRE(problems.size() == 1);
    CHECK(problems.problems()[0].code == ProblemCode::unsupported_geometry);

    auto plan = tmp.write("plan.geojson", R"({"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"flight_id":"F1"},"geometry":{"type":"LineString","coordinates":[[127,38],[127.5,38],[127.5,38.5]]}},
        {"type":"Feature","properties":{"flight_id":"F1"},"geometry":{"type":"LineString","coordinates":[[127,38],[128,38]]}},
        {"type":"Feature","properties":{"flight_id":"F2"},"geometry":{"type":"LineString","coordinates":[[179.9,38],[-179.9,38]]}}
    ]})");
    std::vector<PlannedRoute> routes;
    CollectingProblemSink rp;
    auto report = ingest::read_routes(plan, {}, routes, rp);
    REQUIRE(routes.size() == 1);
    CHECK(routes[0].route.size() == 3);
    CHECK(report.rejected == 2);
    REQUIRE(rp.size() == 2);
    CHECK(rp.problems()[0].code == ProblemCode::duplicate_id);
    CHECK(rp.problems()[1].code == ProblemCode::crosses_antimeridian);
}

TEST_CASE("issue 16: GSD, SAR resolutions and heights beyond a physical bound, and text that is not UTF-8, are problems", "[imagery][issue16]") {
    test::TempDir tmp;
    const std::string latin1 = "\xe9";
    auto path = tmp.write(
        "bounds.json",
        R"({"type":"FeatureCollection","features":[)" + item("OK") + "," +
            item("GSD-HUGE", R"("datetime":"2027-03-04T10:15:00Z","gsd":1e308,"avf:sensor":"optical")") + "," +
            item("SAR-HUGE", R"("datetime":"2027-03-04T10:15:00Z","avf:sensor":"sar","sar:resolution_range":3e7,"sar:resolution_azimuth":2)") + "," +
            item("HEIGHT-HUGE", R"("datetime":"2027-03-04T10:15:00Z","gsd":0.3,"avf:sensor":"optical","avf:height_m":1e300)") + "," +
            item("GEO-SAT", R"("datetime":"2027-03-04T10:15:00Z","gsd":20000,"avf:sensor":"optical","avf:height_m":35786000)") + "," +
            item("PLATFORM-ENC", R"("datetime":"2027-03-04T10:15:00Z","gsd":0.3,"avf:sensor":"optical","platform":"Tu-214ON )" + latin1 + R"(")") +
            "," +
            item("PARTY",
                 R"("datetime":"2027-03-04T10:15:00Z","gsd":0.3,"avf:sensor":"optical","avf:observing_party":"rus","avf:observed_party":"Lva")") +
            "]}");
    const Read r = read(path);
    std::vector<std::string> rejected;
    for (const auto& p : r.problems.problems()) rejected.push_back(p.where.record() + " " + std::string(to_string(p.code)) + " " + p.where.field());
    CHECK(rejected == std::vector<std::string>{"GSD-HUGE bad_value gsd", "SAR-HUGE bad_value sar:resolution_range",
                                               "HEIGHT-HUGE bad_value avf:height_m", "PLATFORM-ENC bad_encoding platform"});
    REQUIRE(r.images.size() == 3); // OK, a geostationary satellite's 20 km pixels, PARTY
    CHECK(r.images[1].height.value == 35786000.0);
    CHECK(r.images[2].observing_party == "RUS");
    CHECK(r.images[2].observed_party == "LVA");
}

TEST_CASE("issue 16: a Latin-1 byte in a JSON document costs its item only, not the file", "[imagery][issue16]") {
    test::TempDir tmp;
    auto path = tmp.write(
        "latin1.json",
        R"({"type":"FeatureCollection","features":[)" + item("OK") + "," +
            item("ENC", R"("datetime":"2027-03-04T10:15:00Z","gsd":0.3,"avf:sensor":"optical","mission":"M)" + std::string("\xe9") + R"(")") + "]}");
    const Read r = read(path);
    REQUIRE(r.images.size() == 1);
    REQUIRE(r.problems.size() == 1);
    const Problem& p = r.problems.problems()[0];
    CHECK(p.code == ProblemCode::bad_encoding);
    CHECK(p.where.record() == "ENC");
    CHECK(p.where.field() == "mission");
    CHECK(p.where.value() == "M\\x??");
}

TEST_CASE("issue 16: an ItemCollection without items, a track file without fixes, a route file without routes are problems", "[imagery][issue16]") {
    test::TempDir tmp;
    const Read r = read(tmp.write("none.json", R"({"type":"FeatureCollection","features":[]})"));
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems.problems()[0].code == ProblemCode::empty_layer);
    CHECK(r.problems.problems()[0].severity == Severity::rejected);

    std::vector<FlightTrack> tracks;
    CollectingProblemSink problems;
    ingest::read_tracks(tmp.write("header.csv", "flight_id,time,lon,lat\n"), {}, tracks, problems);
    REQUIRE(problems.size() == 1);
    CHECK(problems.problems()[0].code == ProblemCode::empty_layer);
    CHECK(problems.problems()[0].message.find("23 bytes") != std::string::npos);

    std::vector<PlannedRoute> routes;
    CollectingProblemSink route_problems;
    ingest::read_routes(tmp.write("none.geojson", R"({"type":"FeatureCollection","features":[]})"), {}, routes, route_problems);
    REQUIRE(route_problems.size() == 1);
    CHECK(route_problems.problems()[0].code == ProblemCode::empty_layer);
}

TEST_CASE("issue 16: track heights beyond a physical bound and flight ids that are not UTF-8 are problems", "[imagery][tracks][issue16]") {
    test::TempDir tmp;
    auto path = tmp.write("track.csv", "flight_id,time,lon,lat,height_m,sensor_on\n"
                                       "OS1,2027-03-04T10:00:00Z,127.00,38.0,900,true\n"
                                       "OS1,2027-03-04T10:01:00Z,127.01,38.0,1e300,true\n"
                                       "OS\xe9,2027-03-04T10:02:00Z,127.02,38.0,900,true\n");
    std::vector<FlightTrack> tracks;
    CollectingProblemSink problems;
    ingest::read_tracks(path, {}, tracks, problems);
    REQUIRE(problems.size() == 2);
    CHECK(problems.problems()[0].code == ProblemCode::bad_value);
    CHECK(problems.problems()[0].where.field() == "height_m");
    CHECK(problems.problems()[1].code == ProblemCode::bad_encoding);
    CHECK(problems.problems()[1].where.record() == "OS\\xE9");
    REQUIRE(tracks.size() == 1);
    CHECK(tracks[0].points.size() == 1);
}

// Issue 17 (one field reader): a flight id that passed its checks but holds a control character
// (a tab, a line break) used to be printed raw into the problems that followed it; it is escaped
// like every other id a problem names.
TEST_CASE("a flight id holding control characters is shown escaped in its track and route problems", "[imagery][tracks]") {
    test::TempDir tmp;
    auto csv = tmp.write("track.csv", "flight_id,time,lon,lat\n"
                                      "\"OS\n1\",2027-03-04T10:00:00Z,127.0,95\n");
    auto fixes = tmp.write("fixes.geojson", R"({"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"flight_id":"OS\t2","time":"yesterday"},"geometry":{"type":"Point","coordinates":[127,38]}}
    ]})");
    auto plan = tmp.write("plan.geojson", R"({"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"flight_id":"OS\t3"},"geometry":{"type":"Point","coordinates":[127,38]}}
    ]})");
    std::vector<FlightTrack> tracks;
    CollectingProblemSink problems;
    ingest::read_tracks(csv, {}, tracks, problems);
    ingest::read_tracks(fixes, {}, tracks, problems);
    std::vector<PlannedRoute> routes;
    ingest::read_routes(plan, {}, routes, problems);
    REQUIRE(problems.size() == 3);
    CHECK(problems.problems()[0].code == ProblemCode::coordinate_out_of_range);
    CHECK(problems.problems()[0].where.record() == "OS\\x0A1");
    CHECK(problems.problems()[1].code == ProblemCode::bad_time);
    CHECK(problems.problems()[1].where.record() == "OS\\x092");
    CHECK(problems.problems()[2].code == ProblemCode::unsupported_geometry);
    CHECK(problems.problems()[2].where.record() == "OS\\x093");
    for (const Problem& p : problems.problems()) CHECK(p.describe().find_first_of("\t\n") == std::string::npos);
}
