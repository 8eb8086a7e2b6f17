// Monitoring-mission sighting reports and their gazetteer: compass points and bearings, the
// precision a statement carries (compass sector, distance rounding, the place's extent) and the
// disk that covers it, places looked up by name (unknown and ambiguous names are problems naming
// the candidates), and every bad row kept as a problem with its line and field.
#include "core/error.hpp"
#include "geo/geodesic.hpp"
#include "ingest/report_reader.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace avf;
using namespace avf::ingest;

namespace {

Taxonomy make_taxonomy() {
    Taxonomy t;
    t.add_class("battle_tank", {"T-72B3", "tank"});
    t.add_class("mlrs", {"BM-21"});
    t.add_class("troops", {});
    return t;
}

ReportReadOptions options_for(const Taxonomy& t) {
    ReportReadOptions o;
    o.taxonomy = &t;
    return o;
}

// Alpha once; Novoselivka twice (two villages of one name: the usual case); Zolote with an
// alternate name and an extent.
const std::string k_gazetteer = "id,name,alt_names,lon,lat,radius_m\n"
                                "G-A,Alpha,,37.80,48.00,\n"
                                "G-N1,Novoselivka,,37.90,48.10,\n"
                                "G-N2,Novoselivka,Novoselivka Druha,38.30,48.60,\n"
                                "G-Z,Zolote,\"Zolote-4; Zoloto\",38.50,48.70,1500\n";

const std::string k_header = "report_id,id,time,place,place_id,bearing,distance_km,counts,means,heading,party,confidence\n";

Gazetteer gazetteer(const test::TempDir& tmp) {
    CollectingProblemSink problems;
    Gazetteer g = read_gazetteer(tmp.write("places.csv", k_gazetteer), {}, problems);
    REQUIRE(problems.size() == 0);
    return g;
}

// Planar radius of the disk around the destination that covers the sector-annulus.
double planar_radius(double d, double eps, double half_width_deg) {
    const double c = std::cos(half_width_deg * M_PI / 180.0);
    double best = 0;
    for (double r : {std::max(0.0, d - eps), d + eps}) best = std::max(best, std::sqrt(d * d + r * r - 2 * d * r * c));
    return best;
}

std::vector<std::string> rejected(const CollectingProblemSink& s) {
    std::vector<std::string> out;
    for (const auto& p : s.problems())
        if (p.severity == Severity::rejected)
            out.push_back(std::to_string(p.where.line().value_or(-1)) + " " + std::string(to_string(p.code)) + " " + p.where.field());
    return out;
}

} // namespace

TEST_CASE("reports: compass points name 8- and 16-point sectors, bearings in degrees carry their rounding") {
    const char* names[16] = {"N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW"};
    for (int i = 0; i < 16; ++i) {
        INFO(names[i]);
        auto b = parse_bearing(names[i]);
        REQUIRE(b);
        CHECK(b->degrees == 22.5 * i);
        CHECK(b->half_width == (i % 2 == 0 ? 22.5 : 11.25));
    }
    CHECK(parse_bearing("ne")->degrees == 45.0);
    CHECK(parse_bearing(" north-east ")->degrees == 45.0);
    CHECK(parse_bearing("Northeast")->degrees == 45.0);
    CHECK(parse_bearing("north-north-west")->degrees == 337.5);
    CHECK(parse_bearing("north-north-west")->half_width == 11.25);
    CHECK(parse_bearing("east south east")->degrees == 112.5);
    CHECK(parse_bearing("45")->half_width == 0.5);
    CHECK(parse_bearing("45.5")->degrees == 45.5);
    CHECK(parse_bearing("45.5")->half_width == Approx(0.05));
    CHECK(parse_bearing("360")->degrees == 0.0);
    CHECK(parse_bearing("0")->degrees == 0.0);
    for (const char* bad : {"", "NNNE", "NEN", "north-by-east", "nord", "361", "-5", "nan", "inf", "45°"}) {
        INFO(bad);
        CHECK_FALSE(parse_bearing(bad));
    }
}

TEST_CASE("reports: a distance's precision is half a unit of its last written digit") {
    CHECK(rounding_half_width("2") == 0.5);
    CHECK(rounding_half_width("20") == 0.5);
    CHECK(rounding_half_width("2.5") == Approx(0.05));
    CHECK(rounding_half_width("2.50") == Approx(0.005));
    CHECK(rounding_half_width("0.5") == Approx(0.05));
    CHECK(rounding_half_width("1e1") == 5.0);
    CHECK(rounding_half_width("1.5e1") == Approx(0.5));
}

TEST_CASE("reports: the sighting is at the geodesic destination, its disk covers the whole sector-annulus") {
    const GeoPoint place{37.8, 48.0};
    SECTION("2 km north-east: ±22.5°, ±0.5 km") {
        auto s = place_sighting(place, Meters{0}, StatedBearing{45.0, 22.5}, Meters{2000}, Meters{500});
        const GeoPoint d = geo::destination(place, 45.0, Meters{2000});
        CHECK(s.position.x() == d.x());
        CHECK(s.position.y() == d.y());
        CHECK(geo::distance(place, s.position).value == Approx(2000.0).margin(1e-6));
        // In the plane: max(√(d² + r² − 2dr·cos δ)) over r ∈ {1.5, 2.5} km = 1005.6 m; the ellipsoid
        // differs by far less than a millimetre at this size.
        CHECK(planar_radius(2000, 500, 22.5) == Approx(1005.59).margin(0.01));
        CHECK(s.uncertainty.value == Approx(planar_radius(2000, 500, 22.5)).margin(1e-3));
    }
    SECTION("16-point sector and degrees are narrower") {
        auto nne = place_sighting(place, Meters{0}, StatedBearing{22.5, 11.25}, Meters{2000}, Meters{500});
        CHECK(nne.uncertainty.value == Approx(664.94).margin(0.01));
        auto deg = place_sighting(place, Meters{0}, StatedBearing{45.0, 0.5}, Meters{2000}, Meters{500});
        CHECK(deg.uncertainty.value == Approx(500.38).margin(0.01));
    }
    SECTION("the place's extent is added") {
        auto s = place_sighting(place, Meters{1500}, StatedBearing{45.0, 22.5}, Meters{2000}, Meters{500});
        CHECK(s.uncertainty.value == Approx(planar_radius(2000, 500, 22.5) + 1500).margin(1e-3));
    }
    SECTION("at the place: no direction, the rounding of 0 km") {
        auto s = place_sighting(place, Meters{200}, StatedBearing{0.0, 180.0}, Meters{0}, Meters{500});
        CHECK(s.position.x() == place.x());
        CHECK(s.uncertainty.value == Approx(700.0).margin(1e-6));
    }
    SECTION("every point of the sector-annulus is inside the disk, and a corner is on its edge") {
        for (const auto& [bearing, d, eps] :
             {std::tuple{StatedBearing{45.0, 22.5}, 2000.0, 500.0}, std::tuple{StatedBearing{350.0, 11.25}, 25000.0, 5000.0},
              std::tuple{StatedBearing{200.0, 22.5}, 400.0, 500.0}}) {
            const auto s = place_sighting(place, Meters{0}, bearing, Meters{d}, Meters{eps});
            double farthest = 0;
            for (int i = 0; i <= 40; ++i)
                for (int j = 0; j <= 40; ++j) {
                    const double az = bearing.degrees - bearing.half_width + 2 * bearing.half_width * i / 40.0;
                    const double r = std::max(0.0, d - eps) + (d + eps - std::max(0.0, d - eps)) * j / 40.0;
                    const GeoPoint p = r > 0 ? geo::destination(place, az, Meters{r}) : place;
                    farthest = std::max(farthest, geo::distance(s.position, p).value);
                }
            INFO("bearing " << bearing.degrees << " d " << d);
            CHECK(farthest <= s.uncertainty.value + 1e-6);
            CHECK(farthest == Approx(s.uncertainty.value).margin(1e-6)); // the corners are among the samples
        }
    }
}

TEST_CASE("gazetteer: CSV and GeoJSON, names and alternate names, bad entries as problems") {
    test::TempDir tmp;
    SECTION("CSV") {
        auto path = tmp.write("g.csv", k_gazetteer + "G-X,,,38.0,48.0,\n"        // line 6: no name
                                                     "G-Y,Yar,,181,48.0,\n"      // line 7
                                                     "G-W,Wolf,,38.0,48.0,-5\n"  // line 8
                                                     "G-A,Alpha again,,38,48,\n" // line 9: id used before
                                                     "G-V,Vil,,abc,48,\n");      // line 10
        CollectingProblemSink problems;
        Gazetteer g = read_gazetteer(path, {}, problems);
        CHECK(rejected(problems) == std::vector<std::string>{"6 missing_field name", "7 coordinate_out_of_range lon", "8 bad_value radius_m",
                                                             "9 duplicate_id id", "10 bad_number lon"});
        REQUIRE(g.entries().size() == 4);
        CHECK(g.find("alpha").size() == 1);
        CHECK(g.find("  ZOLOTE-4 ").front()->id == "G-Z");
        CHECK(g.find("zoloto").front()->radius.value == 1500.0);
        CHECK(g.find("Novoselivka").size() == 2);
        CHECK(g.find("novoselivka   druha").size() == 1);
        CHECK(g.find("Zolote 4").empty());
        CHECK(g.by_id("G-N2")->position.x() == 38.3);
        CHECK(g.by_id("g-n2") == nullptr); // ids are exact
        auto near = g.near_names("Zolotoe");
        REQUIRE(near.size() == 1);
        CHECK(near.front()->id == "G-Z");
    }
    SECTION("GeoJSON: Point features; another geometry is a problem") {
        auto path = tmp.write("g.geojson", R"({"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"id": "P-1", "name": "Shchastia", "alternate_names": "Shchastya, Schastye", "radius_m": 800},
  "geometry": {"type": "Point", "coordinates": [39.23, 48.74]}},
 {"type": "Feature", "properties": {"id": "P-2", "name": "Area"},
  "geometry": {"type": "Polygon", "coordinates": [[[39, 48], [39.1, 48], [39.1, 48.1], [39, 48]]]}}]})");
        CollectingProblemSink problems;
        Gazetteer g = read_gazetteer(path, {}, problems);
        REQUIRE(g.entries().size() == 1);
        CHECK(g.find("schastye").front()->position.y() == 48.74);
        CHECK(g.entries()[0].radius.value == 800.0);
        REQUIRE(problems.size() == 1);
        CHECK(problems.problems()[0].code == ProblemCode::unsupported_geometry);
        CHECK(problems.problems()[0].where.record() == "P-2");
    }
}

TEST_CASE("reports CSV: each sighting becomes detections at the destination point, source monitor_report") {
    test::TempDir tmp;
    Taxonomy tax = make_taxonomy();
    Gazetteer g = gazetteer(tmp);
    auto path = tmp.write("r.csv", k_header + "SMM-61,,2027-03-04T10:00:00Z,Alpha,,NE,2,4 tanks; 2 BM-21,patrol,,ukr,\n"
                                              "SMM-61,S-2,2027-03-04,zolote-4,,90,12.5,1 troops,mini-UAV,SW,,0.7\n"
                                              "SMM-61,,2027-03-04T11:00:00Z,Novoselivka Druha,,N,0,3 T-72B3,long-range UAV,,,\n"
                                              "SMM-62,,2027-03-05T11:00:00Z,,G-N1,,0,1 tank,camera,,,\n");
    CollectingProblemSink problems;
    auto s = read_reports(path, g, options_for(tax), problems);
    REQUIRE(problems.size() == 0);
    REQUIRE(s.size() == 4);

    // Row 1: two classes → two detections "<id>/1", "<id>/2"; default id SMM-61-1.
    CHECK(s[0].id == "SMM-61-1");
    CHECK(s[0].place_id == "G-A");
    CHECK(s[0].means == ObservationMeans::patrol);
    REQUIRE(s[0].detections.size() == 2);
    const Detection& tanks = s[0].detections[0];
    CHECK(tanks.id.str() == "SMM-61-1/1");
    CHECK(tanks.equipment_class == "battle_tank");
    CHECK(tanks.model == "tanks");
    CHECK(tanks.count == 4);
    CHECK(tanks.source == "monitor_report");
    CHECK(tanks.source_record == "SMM-61");
    CHECK(tanks.party == "UKR");
    CHECK(tanks.confidence == 1.0);
    CHECK(tanks.origin.feature == "2");
    const GeoPoint ne = geo::destination(GeoPoint{37.80, 48.00}, 45.0, Meters{2000});
    CHECK(tanks.position.x() == ne.x());
    CHECK(tanks.position.y() == ne.y());
    CHECK(tanks.uncertainty.value == Approx(planar_radius(2000, 500, 22.5)).margin(1e-3));
    CHECK(s[0].detections[1].id.str() == "SMM-61-1/2");
    CHECK(s[0].detections[1].equipment_class == "mlrs");
    CHECK(s[0].detections[1].count == 2);

    // Row 2: its own id, degrees (±0.5°), 12.5 km (±0.05 km), the place's 1.5 km extent.
    CHECK(s[1].id == "S-2");
    REQUIRE(s[1].detections.size() == 1);
    CHECK(s[1].detections[0].id.str() == "S-2");
    CHECK(s[1].distance_half_width.value == Approx(50.0));
    CHECK(s[1].heading->degrees == 225.0);
    CHECK(s[1].detections[0].confidence == 0.7);
    CHECK(s[1].detections[0].uncertainty.value == Approx(planar_radius(12500, 50, 0.5) + 1500).margin(1e-2));

    // Row 3: 0 km: at the place, within the rounding of "0" (±0.5 km). Default id counts every row
    // of the report.
    CHECK(s[2].id == "SMM-61-3");
    CHECK(s[2].detections[0].position.x() == 38.30);
    CHECK(s[2].detections[0].uncertainty.value == Approx(500.0).margin(1e-6));
    CHECK(s[2].detections[0].model == "T-72B3");

    // Row 4: place_id, no bearing, no place name.
    CHECK(s[3].place_id == "G-N1");
    CHECK(s[3].means == ObservationMeans::camera);
    CHECK(s[3].detections[0].id.str() == "SMM-62-1");
}

TEST_CASE("reports: an unknown or ambiguous place is a problem naming the candidates, nothing is guessed") {
    test::TempDir tmp;
    Taxonomy tax = make_taxonomy();
    Gazetteer g = gazetteer(tmp);
    auto path = tmp.write("r.csv", k_header + "R-1,,2027-03-04,Novoselivka,,NE,2,1 tank,patrol,,,\n"     // line 2: two entries
                                              "R-1,,2027-03-04,Zolotoe,,NE,2,1 tank,patrol,,,\n"         // line 3: unknown, close to Zoloto/Zolote
                                              "R-1,,2027-03-04,Atlantis,,NE,2,1 tank,patrol,,,\n"        // line 4: unknown, nothing close
                                              "R-1,,2027-03-04,Novoselivka,G-N2,NE,2,1 tank,patrol,,,\n" // line 5: place_id chooses
                                              "R-1,,2027-03-04,Alpha,G-N2,NE,2,1 tank,patrol,,,\n" // line 6: place_id and a name of another entry
                                              "R-1,,2027-03-04,,G-Q,NE,2,1 tank,patrol,,,\n"       // line 7: no such id
                                              "R-1,,2027-03-04,,,NE,2,1 tank,patrol,,,\n");        // line 8: no place at all
    CollectingProblemSink problems;
    auto s = read_reports(path, g, options_for(tax), problems);
    CHECK(rejected(problems) == std::vector<std::string>{"2 ambiguous_place place", "3 unknown_place place", "4 unknown_place place",
                                                         "6 bad_value place", "7 unknown_place place_id", "8 missing_field place"});
    REQUIRE(s.size() == 1);
    CHECK(s[0].place_id == "G-N2");
    CHECK(s[0].id == "R-1-4");

    const auto& ambiguous = problems.problems()[0];
    CHECK(ambiguous.message.find("2 gazetteer entries") != std::string::npos);
    CHECK(ambiguous.message.find("id G-N1") != std::string::npos);
    CHECK(ambiguous.message.find("id G-N2") != std::string::npos);
    CHECK(ambiguous.where.value() == "Novoselivka");
    CHECK(ambiguous.where.expected().find("place_id") != std::string::npos);
    CHECK(problems.problems()[1].message.find("closest names: Zolote (id G-Z") != std::string::npos);
    CHECK(problems.problems()[2].message.find("closest") == std::string::npos);
}

TEST_CASE("reports: each bad row is a problem naming its line and field, the rest is read") {
    test::TempDir tmp;
    Taxonomy tax = make_taxonomy();
    Gazetteer g = gazetteer(tmp);
    auto path = tmp.write("r.csv", k_header + ",,2027-03-04,Alpha,,NE,2,1 tank,patrol,,,\n"              // 2 no report id
                                              "R,,2027-13-04,Alpha,,NE,2,1 tank,patrol,,,\n"             // 3 bad time
                                              "R,,2027-03-04,Alpha,,NEN,2,1 tank,patrol,,,\n"            // 4 bad bearing
                                              "R,,2027-03-04,Alpha,,,2,1 tank,patrol,,,\n"               // 5 distance without bearing
                                              "R,,2027-03-04,Alpha,,NE,-2,1 tank,patrol,,,\n"            // 6 negative distance
                                              "R,,2027-03-04,Alpha,,NE,2 km,1 tank,patrol,,,\n"          // 7 distance with its unit
                                              "R,,2027-03-04,Alpha,,NE,2,tanks,patrol,,,\n"              // 8 no count
                                              "R,,2027-03-04,Alpha,,NE,2,0 tank,patrol,,,\n"             // 9 zero
                                              "R,,2027-03-04,Alpha,,NE,2,2 bicycles,patrol,,,\n"         // 10 unknown class
                                              "R,,2027-03-04,Alpha,,NE,2,1 tank,satellite,,,\n"          // 11 unknown means
                                              "R,,2027-03-04,Alpha,,NE,2,1 tank,patrol,up,,\n"           // 12 bad heading
                                              "R,,2027-03-04,Alpha,,NE,2,1 tank,patrol,,,1.5\n"          // 13 confidence
                                              "R,,2027-03-04,Alpha,,NE,2,1 tank,,,,\n"                   // 14 no means
                                              "R,,2027-03-04,Alpha,,NE,2,,patrol,,,\n"                   // 15 nothing counted
                                              "R,,2027-03-04,Alpha,,NE,2,1 tank,patrol\n"                // 16 too few fields
                                              "R,,2027-03-04T12:00:00Z,Alpha,,NE,2,1 tank,patrol,,,\n"); // 17 good
    CollectingProblemSink problems;
    auto s = read_reports(path, g, options_for(tax), problems);
    CHECK(rejected(problems) == std::vector<std::string>{"2 missing_field report_id", "3 bad_time time", "4 bad_value bearing",
                                                         "5 missing_field bearing", "6 bad_value distance_km", "7 bad_number distance_km",
                                                         "8 bad_value counts", "9 bad_value counts", "10 unknown_class counts", "11 bad_value means",
                                                         "12 bad_value heading", "13 bad_value confidence", "14 missing_field means",
                                                         "15 missing_field counts", "16 unreadable "});
    REQUIRE(s.size() == 1);
    CHECK(s[0].id == "R-14"); // the report's 14th row read (the first had no report id, line 16 could not be read)
}

TEST_CASE("reports CSV: a missing required column refuses the file") {
    test::TempDir tmp;
    Taxonomy tax = make_taxonomy();
    Gazetteer g = gazetteer(tmp);
    CollectingProblemSink problems;
    auto no_place = tmp.write("a.csv", "report_id,time,bearing,distance_km,counts,means\nR,2027-03-04,NE,2,1 tank,patrol\n");
    CHECK_THROWS_AS(read_reports(no_place, g, options_for(tax), problems), InputError);
    auto no_counts = tmp.write("b.csv", "report_id,time,place,bearing,distance_km,means\nR,2027-03-04,Alpha,NE,2,patrol\n");
    CHECK_THROWS_AS(read_reports(no_counts, g, options_for(tax), problems), InputError);
    CHECK_THROWS_AS(read_reports(no_counts, g, ReportReadOptions{}, problems), UsageError);
}

TEST_CASE("reports JSON: counts as an object, numbers as strings keep their written precision") {
    test::TempDir tmp;
    Taxonomy tax = make_taxonomy();
    Gazetteer g = gazetteer(tmp);
    auto path = tmp.write("r.json", R"({"sightings": [
 {"report_id": "SMM-7", "time": "2027-03-04T09:00:00Z", "place": "Alpha", "bearing": "E", "distance_km": "2.50",
  "counts": {"tanks": 3, "BM-21": "1"}, "means": "camera"},
 {"report_id": "SMM-7", "time": "2027-03-04T09:00:00Z", "place": "Alpha", "bearing": 90, "distance_km": 2.5,
  "counts": "2 troops", "means": "patrol"},
 {"report_id": "SMM-7", "time": "2027-03-04T09:00:00Z", "place": "Alpha", "bearing": 90, "distance_km": 2,
  "counts": {"tanks": 2.5}, "means": "patrol"},
 "not an object"]})");
    CollectingProblemSink problems;
    auto s = read_reports(path, g, options_for(tax), problems);
    REQUIRE(s.size() == 2);
    CHECK(s[0].distance_half_width.value == Approx(5.0));  // "2.50": ±5 m
    CHECK(s[1].distance_half_width.value == Approx(50.0)); // 2.5: ±50 m
    REQUIRE(s[0].detections.size() == 2);
    CHECK(s[0].detections[0].equipment_class == "mlrs"); // object keys in their sorted order
    CHECK(s[0].detections[1].count == 3);
    CHECK(s[0].detections[1].origin.feature == "#0");
    REQUIRE(problems.size() == 2);
    CHECK(problems.problems()[0].code == ProblemCode::bad_value);
    CHECK(problems.problems()[0].where.feature() == "#2");
    CHECK(problems.problems()[1].code == ProblemCode::unreadable);
}

TEST_CASE("reports as a detection source: batches in order, problems with the first batch") {
    test::TempDir tmp;
    Taxonomy tax = make_taxonomy();
    Gazetteer g = gazetteer(tmp);
    auto path = tmp.write("r.csv", k_header + "R,,2027-03-04,Alpha,,NE,2,4 tanks; 2 BM-21,patrol,,,\n"
                                              "R,,2027-03-04,Novoselivka,,NE,2,1 tank,patrol,,,\n"
                                              "R,,2027-03-04,Zolote,,S,1,1 tank,patrol,,,\n");
    auto source = open_reports(path, g, options_for(tax));
    CollectingProblemSink problems;
    std::vector<Detection> batch;
    std::vector<std::string> ids;
    REQUIRE(source->next_batch(batch, problems, 2));
    CHECK(problems.size() == 1);
    for (const auto& d : batch) ids.push_back(d.id.str());
    REQUIRE(source->next_batch(batch, problems, 2));
    for (const auto& d : batch) ids.push_back(d.id.str());
    CHECK_FALSE(source->next_batch(batch, problems, 2));
    CHECK(ids == std::vector<std::string>{"R-1/1", "R-1/2", "R-3"});
    CHECK(source->records_seen() == 3);
    CHECK(problems.size() == 1);
}

TEST_CASE("gazetteer: of a GeoPackage with several layers, the named layer or the only point layer, otherwise an error listing them") {
    test::TempDir tmp;
    const auto points = tmp.write("places.geojson", R"({"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"id": "P-1", "name": "Zilupe"}, "geometry": {"type": "Point", "coordinates": [28.1214, 56.3869]}}]})");
    const auto more = tmp.write("villages.geojson", R"({"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"id": "V-1", "name": "Pasiene"}, "geometry": {"type": "Point", "coordinates": [28.16, 56.25]}}]})");
    const auto areas = tmp.write("districts.geojson", R"({"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"id": "D-1", "name": "Ludza"},
  "geometry": {"type": "Polygon", "coordinates": [[[27.5, 56.3], [28.3, 56.3], [28.3, 56.8], [27.5, 56.3]]]}}]})");
    const std::string gpkg = (tmp.path() / "g.gpkg").string();
    std::string output;
    REQUIRE(test::run_command("ogr2ogr -f GPKG -nln places " + gpkg + " " + points, output) == 0);
    REQUIRE(test::run_command("ogr2ogr -update -nln districts " + gpkg + " " + areas, output) == 0);

    CollectingProblemSink problems;
    // One point layer among two: it is the gazetteer.
    Gazetteer g = read_gazetteer(gpkg, {}, problems);
    REQUIRE(g.entries().size() == 1);
    CHECK(g.entries()[0].id == "P-1");
    CHECK(g.entries()[0].origin.layer == "places");

    // Two point layers: no guess; the message lists the layers with their geometry types.
    REQUIRE(test::run_command("ogr2ogr -update -nln villages " + gpkg + " " + more, output) == 0);
    try {
        read_gazetteer(gpkg, {}, problems);
        FAIL("expected an InputError");
    } catch (const InputError& e) {
        const std::string what = e.what();
        CHECK_THAT(what, Catch::Contains("3 layers, 2 of them point layers"));
        CHECK_THAT(what, Catch::Contains("--gazetteer-layer"));
        CHECK_THAT(what, Catch::Contains("places (Point)"));
        CHECK_THAT(what, Catch::Contains("villages (Point)"));
        CHECK_THAT(what, Catch::Contains("districts (Polygon)"));
    }
    // The layer named.
    GazetteerReadOptions options;
    options.vector.layer = "villages";
    g = read_gazetteer(gpkg, options, problems);
    REQUIRE(g.entries().size() == 1);
    CHECK(g.entries()[0].id == "V-1");
    // A layer that is not there: an error naming the layers that are.
    options.vector.layer = "towns";
    CHECK_THROWS_AS(read_gazetteer(gpkg, options, problems), InputError);
    CHECK(problems.size() == 0);
}

TEST_CASE("gazetteer: names compared after Unicode case folding and normalization (Cyrillic, decomposed accents)") {
    test::TempDir tmp;
    auto path = tmp.write("g.csv", "id,name,alt_names,lon,lat\n"
                                   "G-NA,Novoazovsk,Новоазовськ; Новоазовск,38.15,47.11\n"
                                   "G-KA,Kārsava,Карсава,27.686,56.785\n"
                                   "G-DS,Daeseong-dong,대성동,126.679,37.941\n");
    CollectingProblemSink problems;
    Gazetteer g = read_gazetteer(path, {}, problems);
    REQUIRE(g.entries().size() == 3);
    REQUIRE(g.find("НОВОАЗОВСЬК").size() == 1);
    CHECK(g.find("НОВОАЗОВСЬК").front()->id == "G-NA");
    CHECK(g.find("новоазовськ").size() == 1);
    CHECK(g.find("карсава").front()->id == "G-KA");
    CHECK(g.find("KĀRSAVA").front()->id == "G-KA");
    CHECK(g.find("Ka\xCC\x84rsava").front()->id == "G-KA"); // a + combining macron (NFD)
    CHECK(g.find("Karsava").empty());                       // folding keeps accents
    CHECK(g.find("대성동").front()->id == "G-DS");
    CHECK(g.find("ＤＡＥＳＥＯＮＧ-ＤＯＮＧ").front()->id == "G-DS"); // full-width letters
    CHECK(g.find("Novoazovsk\xC2\xA0").size() == 1);                  // a trailing no-break space
    CHECK(Gazetteer::fold("Новоазовськ") == Gazetteer::fold("НОВОАЗОВСЬК"));
    auto near = g.near_names("Карсаво");
    REQUIRE(near.size() == 1);
    CHECK(near.front()->id == "G-KA");
}

TEST_CASE("read_report_observations: each record's means and heading by its evidence position, CSV and JSON") {
    test::TempDir tmp;
    auto csv = tmp.write("r.csv", "report_id,time,place,bearing,distance_km,counts,means,heading\n"
                                  "SMM-1,2027-03-04T10:00:00Z,Alpha,NE,2,4 tanks,patrol,SW\n"
                                  "SMM-1,2027-03-04T10:00:00Z,Alpha,NE,2,4 tanks,Long-range UAV,135\n"
                                  "SMM-2,2027-03-04T10:00:00Z,Nowhere,NE,2,4 tanks,balloon,\n");
    auto o = read_report_observations(csv);
    REQUIRE(o.size() == 3);
    CHECK(o.at("2").report_id == "SMM-1");
    CHECK(o.at("2").means == "patrol");
    CHECK(o.at("2").heading == "SW (225°)");
    CHECK(o.at("3").means == "long_range_uav");
    CHECK(o.at("3").heading == "135°");
    CHECK(o.at("4").means == "balloon"); // as written: the run refused it, the text is still shown
    CHECK(o.at("4").heading.empty());
    auto json =
        tmp.write("r.json", R"({"sightings": [{"report_id": "SMM-3", "means": "mini-UAV", "heading": "north-east", "counts": {"tanks": 1}}, 7]})");
    auto j = read_report_observations(json);
    REQUIRE(j.size() == 1);
    CHECK(j.at("#0").means == "mini_uav");
    CHECK(j.at("#0").heading == "north-east (45°)");
}
