// Aircraft and drone tracks (the airspace rule's input): track id, party, category, altitude and
// position error from CSV, GPX, OGR points with Z/M and OGR lines with Z/M; bad fixes — time
// going backwards, impossible speed, missing altitude — are problems and reading goes on.
#include "core/error.hpp"
#include "geo/geodesic.hpp"
#include "ingest/track_reader.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace avf;

namespace {

struct Read {
    std::vector<FlightTrack> tracks;
    CollectingProblemSink problems;
    ingest::TrackFileReport report;
};

Read read(const std::string& path, const std::string& assume_crs = "") {
    Read r;
    ingest::TrackReadOptions options;
    options.vector.assume_crs = assume_crs;
    r.report = ingest::read_tracks(path, options, r.tracks, r.problems);
    return r;
}

const FlightTrack& track(const Read& r, const std::string& id) {
    for (const auto& t : r.tracks)
        if (t.flight_id == id) return t;
    FAIL("no track " << id);
    return r.tracks.front();
}

} // namespace

TEST_CASE("aircraft tracks from CSV: id, party, category, altitude, position error", "[ingest][tracks][aircraft]") {
    test::TempDir tmp;
    auto r = read(tmp.write("aircraft.csv", "track_id,time,lon,lat,altitude_m,party,category,position_error_m\n"
                                            "H-1,2027-03-04T10:00:00Z,127.00,38.00,300,PRK,helicopter,25\n"
                                            "H-1,2027-03-04T10:01:00Z,127.05,38.00,320.5,PRK,rotary-wing,\n"
                                            "U-9,2027-03-04T10:00:00Z,127.00,37.90,-12.5,KOR,UAV,0\n"));
    REQUIRE(r.problems.size() == 0);
    REQUIRE(r.tracks.size() == 2);
    const FlightTrack& h = track(r, "H-1");
    CHECK(h.party == "PRK");
    CHECK(h.category == "rotary_wing");
    REQUIRE(h.points.size() == 2);
    CHECK(h.points[0].altitude.value == 300.0);
    CHECK(h.points[0].position_error.value == 25.0);
    CHECK(h.points[1].altitude.value == 320.5);
    CHECK(h.points[1].position_error.value == 0.0);
    CHECK(std::isnan(h.points[0].height.value));
    CHECK(track(r, "U-9").category == "uav");
    CHECK(track(r, "U-9").points[0].altitude.value == -12.5);
    CHECK(r.report.accepted == 3);

    // Observation flights keep reading as before: no category, no altitude needed.
    auto os = read(tmp.write("os.csv", "flight_id,time,lon,lat,height_m\nOS1,2027-03-04T10:00:00Z,127,38,900\n"));
    REQUIRE(os.tracks.size() == 1);
    CHECK(os.tracks[0].category.empty());
    CHECK(std::isnan(os.tracks[0].points[0].altitude.value));
}

TEST_CASE("aircraft tracks: bad fixes are problems, the rest is read", "[ingest][tracks][aircraft]") {
    test::TempDir tmp;
    // 0.05° of longitude at 38°N is about 4.4 km: 60 s for it is 73 m/s, 1 s is 4.4 km/s.
    auto r = read(tmp.write("bad.csv", "track_id,time,lon,lat,altitude_m,party,category,position_error_m\n"
                                       "F-1,2027-03-04T10:00:00Z,127.00,38.00,5000,PRK,fixed_wing,\n"   // 2
                                       "F-1,2027-03-04T10:01:00Z,127.05,38.00,5000,PRK,fixed_wing,\n"   // 3
                                       "F-1,2027-03-04T10:00:30Z,127.02,38.00,5000,PRK,fixed_wing,\n"   // 4 backwards
                                       "F-1,2027-03-04T10:01:01Z,127.10,38.00,5000,PRK,fixed_wing,\n"   // 5 4.4 km in 1 s
                                       "F-1,2027-03-04T10:02:00Z,127.10,38.00,,PRK,fixed_wing,\n"       // 6 no altitude
                                       "F-1,2027-03-04T10:03:00Z,127.15,38.00,5000,KOR,fixed_wing,\n"   // 7 another party
                                       "F-1,2027-03-04T10:04:00Z,127.20,38.00,5000,PRK,uav,\n"          // 8 another category
                                       "Z-1,2027-03-04T10:00:00Z,127.00,38.00,100,PRK,zeppelin,\n"      // 9 unknown category
                                       "F-1,2027-03-04T10:05:00Z,127.25,38.00,+-5000,PRK,fixed_wing,\n" // 10 bad number (which sign?)
                                       "F-1,2027-03-04T10:06:00Z,127.30,38.00,5000,PRK,fixed_wing,\n"   // 11
                                       "R-1,2027-03-04T10:00:00Z,127.00,38.00,100,PRK,balloon,\n"       // 12
                                       "R-1,2027-03-04T10:00:10Z,127.02,38.00,100,PRK,balloon,2000\n"   // 13: 1.76 km in 10 s, less 2 km of error
                                       "R-1,2027-03-04T10:00:20Z,127.08,38.00,100,PRK,balloon,0\n"));   // 14: 5.3 km less 2 km in 10 s: too fast
    const FlightTrack& f = track(r, "F-1");
    REQUIRE(f.points.size() == 3);
    CHECK(f.points[2].source_position == "line 11");
    CHECK(track(r, "R-1").points.size() == 2);
    std::vector<std::string> seen;
    for (const auto& p : r.problems.problems())
        seen.push_back(std::to_string(p.where.line().value_or(-1)) + " " + std::string(to_string(p.code)) + " " + p.where.field());
    // Problems while reading (in file order), then those found once a track is sorted (speed).
    CHECK(seen == std::vector<std::string>{"4 bad_time time", "6 missing_field altitude_m", "7 bad_value party", "8 bad_value category",
                                           "9 bad_value category", "10 bad_number altitude_m", "-1 bad_value position", "-1 bad_value position"});
    // The speed problems name the fix by its line (the track is sorted first).
    const Problem& fast = r.problems.problems()[6];
    CHECK(fast.where.feature() == "line 5");
    CHECK(fast.message.find("impossible speed") != std::string::npos);
    CHECK(fast.message.find("a fixed_wing flies at most 1200 m/s") != std::string::npos);
    CHECK(r.problems.problems()[7].where.feature() == "line 14");
    CHECK(r.problems.problems()[0].message.find("time goes backwards") != std::string::npos);
    CHECK(r.report.records == 13);
    CHECK(r.report.rejected == 8);
    CHECK(r.report.accepted == 5);
}

TEST_CASE("aircraft tracks from GPX: track name, type, party extension, ele and time", "[ingest][tracks][aircraft][gpx]") {
    test::TempDir tmp;
    auto r = read(tmp.write("flight.gpx", R"(<?xml version="1.0"?>
<gpx version="1.1" creator="avf tests" xmlns="http://www.topografix.com/GPX/1/1" xmlns:avf="https://avf.example/gpx">
<trk><name>B-7</name><type>balloon</type><extensions><avf:party>PRK</avf:party></extensions>
<trkseg>
<trkpt lat="38.0" lon="127.0"><ele>3000</ele><time>2027-03-04T10:00:00Z</time></trkpt>
<trkpt lat="38.01" lon="127.0"><ele>3100.5</ele><time>2027-03-04T10:01:00Z</time></trkpt>
<trkpt lat="38.02" lon="127.0"><time>2027-03-04T10:02:00Z</time></trkpt>
</trkseg></trk>
<trk><name>U-2</name><type>drone</type>
<trkseg><trkpt lat="37.9" lon="126.9"><ele>150</ele><time>2027-03-04T11:00:00Z</time></trkpt></trkseg></trk>
</gpx>
)"));
    CHECK(r.report.format == "GPX");
    REQUIRE(r.tracks.size() == 2);
    const FlightTrack& b = track(r, "B-7");
    CHECK(b.party == "PRK");
    CHECK(b.category == "balloon");
    REQUIRE(b.points.size() == 2);
    CHECK(b.points[1].altitude.value == 3100.5);
    CHECK(b.points[1].position.y() == 38.01);
    CHECK(format_utc(b.points[1].time) == "2027-03-04T10:01:00Z");
    CHECK(track(r, "U-2").category == "uav");
    CHECK(track(r, "U-2").party.empty());
    REQUIRE(r.problems.size() == 1); // the point without <ele>
    CHECK(r.problems.problems()[0].code == ProblemCode::missing_field);
    CHECK(r.problems.problems()[0].where.field() == "altitude_m");
    CHECK(r.problems.problems()[0].where.record() == "B-7");
}

TEST_CASE("aircraft tracks from OGR points with Z and lines with Z and M", "[ingest][tracks][aircraft]") {
    test::TempDir tmp;
    // GeoJSON points: the altitude from Z.
    auto pts = read(tmp.write("fixes.geojson", R"({"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"track_id":"H-3","party":"KOR","category":"rotary_wing","time":"2027-03-04T10:00:00Z"},"geometry":{"type":"Point","coordinates":[127,38,450]}},
        {"type":"Feature","properties":{"track_id":"H-3","party":"KOR","category":"rotary_wing","time":"2027-03-04T10:01:00Z","altitude_m":500},"geometry":{"type":"Point","coordinates":[127.01,38,999]}},
        {"type":"Feature","properties":{"track_id":"H-3","party":"KOR","category":"rotary_wing","time":"2027-03-04T10:02:00Z"},"geometry":{"type":"Point","coordinates":[127.02,38]}}
    ]})"));
    const FlightTrack& h = track(pts, "H-3");
    REQUIRE(h.points.size() == 2);
    CHECK(h.points[0].altitude.value == 450.0);
    CHECK(h.points[1].altitude.value == 500.0); // altitude_m wins over Z
    REQUIRE(pts.problems.size() == 1);          // no altitude at all
    CHECK(pts.problems.problems()[0].where.field() == "altitude_m");

    // A tab-separated OGR CSV with WKT lines: M gives each vertex its time (seconds since 1970), Z
    // its altitude; without M, start_time/end_time spread along the line.
    const std::int64_t t = parse_utc("2027-03-04T10:00:00Z")->ms / 1000;
    auto lines =
        read(tmp.write("legs.tsv", "WKT\ttrack_id\tparty\tcategory\tstart_time\tend_time\n"
                                   "\"LINESTRING ZM (127 38 1000 " +
                                       std::to_string(t) + ", 127.1 38 1200 " + std::to_string(t + 60) + ", 127.2 38 1400 " + std::to_string(t + 90) +
                                       ")\"\tU-5\tPRK\tuav\t\t\n"
                                       "\"LINESTRING Z (127 37 100, 127 37.1 200)\"\tU-6\tPRK\tuav\t2027-03-04T10:00:00Z\t2027-03-04T10:10:00Z\n"),
             "EPSG:4326");
    REQUIRE(lines.problems.size() == 0);
    const FlightTrack& u = track(lines, "U-5");
    REQUIRE(u.points.size() == 3);
    CHECK(format_utc(u.points[1].time) == "2027-03-04T10:01:00Z");
    CHECK(format_utc(u.points[2].time) == "2027-03-04T10:01:30Z");
    CHECK(u.points[2].altitude.value == 1400.0);
    CHECK(u.points[1].source_position == "feature 1 vertex 1");
    const FlightTrack& v = track(lines, "U-6");
    REQUIRE(v.points.size() == 2);
    CHECK(format_utc(v.points[1].time) == "2027-03-04T10:10:00Z");
    CHECK(v.points[1].altitude.value == 200.0);
}
