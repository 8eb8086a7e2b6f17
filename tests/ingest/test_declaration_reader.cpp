// The declarations reader: every field in CSV, JSON and an OGR source (GeoJSON), the three kinds
// of location, and every defect as a problem with its file, position, field and reason.
#include "core/error.hpp"
#include "ingest/declaration_reader.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace avf;
using namespace avf::ingest;

namespace {

Taxonomy make_taxonomy() {
    Taxonomy t;
    t.add_class("battle_tank", {"T-72B3", "K2"});
    t.add_class("troops", {});
    return t;
}

DeclarationReadOptions options_for(const Taxonomy& t) {
    DeclarationReadOptions o;
    o.taxonomy = &t;
    return o;
}

const std::string k_header = "id,party,unit,class,quantity,lon,lat,radius_m,area_wkt,site_id,valid_from,valid_to,kind,reference,notified\n";

const Problem* find_problem(const CollectingProblemSink& s, ProblemCode code) {
    for (const auto& p : s.problems())
        if (p.code == code) return &p;
    return nullptr;
}

} // namespace

TEST_CASE("declarations CSV: point, polygon and site locations with every field") {
    test::TempDir tmp;
    Taxonomy tax = make_taxonomy();
    auto path = tmp.write(
        "d.csv", k_header +
                     "DEC-1,BLR,6th Guards Bde,T-72B3,40,26.0,53.1,2000,,,2027-03-01,2027-04-01,deployment,AEMI-2027/BLR,\n"
                     "DEC-2,BLR,,troops,12700,,,,\"POLYGON((25 53,27 53,27 54,25 54,25 53))\",,2027-03-10,2027-03-25,exercise,VD-NOT-17,2027-01-20\n"
                     "DEC-3,KOR,,battle_tank,0,,,,,DMZ-S,2027-03-01T00:00:00Z,2027-03-02T00:00:00Z,movement,,\n");
    CollectingProblemSink problems;
    auto ds = read_declarations(path, options_for(tax), problems);
    REQUIRE(problems.size() == 0);
    REQUIRE(ds.size() == 3);
    CHECK(ds[0].id.str() == "DEC-1");
    CHECK(ds[0].equipment_class == "battle_tank");
    CHECK(ds[0].quantity == 40);
    CHECK(ds[0].point_given);
    CHECK(ds[0].location.x() == 26.0);
    CHECK(ds[0].radius.value == 2000.0);
    CHECK(ds[0].unit == "6th Guards Bde");
    CHECK(ds[0].reference == "AEMI-2027/BLR");
    CHECK(ds[0].kind == "deployment");
    CHECK(ds[0].origin.feature == "2");
    CHECK(ds[1].has_area());
    CHECK(ds[1].quantity == 12700);
    CHECK(format_utc(ds[1].notified) == "2027-01-20T00:00:00Z");
    CHECK(ds[2].has_site());
    CHECK(ds[2].site_id == "DMZ-S");
    CHECK(ds[2].quantity == 0);
    CHECK(ds[2].notified.is_min());
}

TEST_CASE("declarations CSV: each defect is a problem naming line, field and reason, the rest is read") {
    test::TempDir tmp;
    Taxonomy tax = make_taxonomy();
    struct Case {
        std::string row;
        ProblemCode code;
        std::string field;
    };
    std::vector<Case> cases = {
        {"X,BLR,,T-72B3,4,26,53,10,,,2027-03-01,2027-04-01,deployment,,", ProblemCode::duplicate_id, "id"}, // placeholder replaced below
        {"E2,BLR,,bicycle,4,26,53,10,,,2027-03-01,2027-04-01,deployment,,", ProblemCode::unknown_class, "class"},
        {"E3,BLR,,T-72B3,2.5,26,53,10,,,2027-03-01,2027-04-01,deployment,,", ProblemCode::bad_value, "quantity"},
        {"E4,BLR,,T-72B3,-1,26,53,10,,,2027-03-01,2027-04-01,deployment,,", ProblemCode::bad_value, "quantity"},
        {"E5,BLR,,T-72B3,4,26,95,10,,,2027-03-01,2027-04-01,deployment,,", ProblemCode::coordinate_out_of_range, "lat"},
        {"E6,BLR,,T-72B3,4,26,53,10,,,2027-03-01,yesterday,deployment,,", ProblemCode::bad_time, "valid_to"},
        {"E7,BLR,,T-72B3,4,26,53,10,,,2027-04-01,2027-03-01,deployment,,", ProblemCode::bad_value, "valid_to"},
        {"E8,BLR,,T-72B3,4,26,53,10,,,2027-03-01,2027-04-01,parade,,", ProblemCode::bad_value, "kind"},
        {"E9,BLR,,T-72B3,4,,,,,,2027-03-01,2027-04-01,deployment,,", ProblemCode::missing_field, ""},
        {"E10,BLR,,T-72B3,4,,,,\"LINESTRING(0 0,1 1)\",,2027-03-01,2027-04-01,deployment,,", ProblemCode::invalid_geometry, "area_wkt"},
        {"E11,BLR,,T-72B3,4,26,53,-5,,,2027-03-01,2027-04-01,deployment,,", ProblemCode::bad_value, "radius_m"},
        {"E12,,,T-72B3,4,26,53,5,,,2027-03-01,2027-04-01,deployment,,", ProblemCode::missing_field, "party"},
        {"E13,BLR,,T-72B3,4,26,nan,5,,,2027-03-01,2027-04-01,deployment,,", ProblemCode::not_finite, "lat"},
        {"E14,BLR,,T-72B3,4,+-26,53,5,,,2027-03-01,2027-04-01,deployment,,", ProblemCode::bad_number, "lon"}, // which sign?
    };
    cases[0].row = "GOOD,BLR,,T-72B3,4,26,53,10,,,2027-03-01,2027-04-01,deployment,,";
    std::string text = k_header;
    for (const auto& c : cases) text += c.row + "\n";
    text += "GOOD,BLR,,T-72B3,4,26,53,10,,,2027-03-01,2027-04-01,deployment,,\n"; // repeated id
    auto path = tmp.write("bad.csv", text);
    CollectingProblemSink problems;
    auto ds = read_declarations(std::vector<std::string>{path}, options_for(tax), problems);
    REQUIRE(ds.size() == 1);
    REQUIRE(problems.count(Severity::rejected) == cases.size());
    for (std::size_t i = 1; i < cases.size(); ++i) {
        INFO(cases[i].row);
        const Problem& p = problems.problems()[i - 1];
        CHECK(p.code == cases[i].code);
        CHECK(p.where.file() == path);
        CHECK(p.where.line() == static_cast<long>(i + 2));
        CHECK(p.where.field() == cases[i].field);
    }
    const Problem* dup = find_problem(problems, ProblemCode::duplicate_id);
    REQUIRE(dup);
    CHECK(dup->where.feature() == std::to_string(cases.size() + 2));
}

TEST_CASE("declarations CSV: a missing required column refuses the file") {
    test::TempDir tmp;
    Taxonomy tax = make_taxonomy();
    auto path = tmp.write("d.csv", "id,party,class,valid_from,valid_to,kind\nA,BLR,troops,2027-03-01,2027-04-01,exercise\n");
    CollectingProblemSink problems;
    CHECK_THROWS_AS(read_declarations(path, options_for(tax), problems), InputError);
}

TEST_CASE("declarations JSON: an array, GeoJSON areas, numbers as numbers or strings, bad records as problems") {
    test::TempDir tmp;
    Taxonomy tax = make_taxonomy();
    auto path = tmp.write("d.json", R"({"declarations": [
  {"id": "J-1", "party": "BLR", "class": "troops", "quantity": 12700, "valid_from": "2027-03-10", "valid_to": "2027-03-25",
   "kind": "exercise", "reference": "VD-NOT-17", "notified": "2027-01-20",
   "area": {"type": "Polygon", "coordinates": [[[25, 53], [27, 53], [27, 54], [25, 54], [25, 53]]]}},
  {"id": "J-2", "party": "BLR", "class": "K2", "quantity": "8", "lon": 26.5, "lat": 53.5, "radius_m": 1500,
   "valid_from": "2027-03-01", "valid_to": "2027-04-01", "kind": "deployment"},
  {"id": "J-3", "party": "BLR", "class": "troops", "quantity": 10, "lon": 26.5, "lat": 53.5,
   "valid_from": "2027-03-01", "valid_to": "2027-04-01", "kind": "exercise", "area": {"type": "Point", "coordinates": [1, 2]}},
  42
]})");
    CollectingProblemSink problems;
    auto ds = read_declarations(path, options_for(tax), problems);
    REQUIRE(ds.size() == 2);
    CHECK(ds[0].has_area());
    CHECK(ds[0].quantity == 12700);
    CHECK(ds[0].origin.feature == "#0");
    CHECK(ds[1].equipment_class == "battle_tank");
    CHECK(ds[1].quantity == 8);
    CHECK(ds[1].radius.value == 1500.0);
    REQUIRE(problems.size() == 2);
    CHECK(problems.problems()[0].code == ProblemCode::invalid_geometry);
    CHECK(problems.problems()[0].where.feature() == "#2");
    CHECK(problems.problems()[0].where.record() == "J-3");
    CHECK(problems.problems()[1].code == ProblemCode::unreadable);
    auto broken = tmp.write("broken.json", "[{\"id\": ");
    CHECK_THROWS_AS(read_declarations(broken, options_for(tax), problems), InputError);
}

TEST_CASE("declarations from an OGR source: the feature's Point or Polygon is the location") {
    test::TempDir tmp;
    Taxonomy tax = make_taxonomy();
    auto path = tmp.write("d.geojson", R"({"type": "FeatureCollection", "features": [
  {"type": "Feature", "properties": {"id": "G-1", "party": "BLR", "class": "troops", "quantity": 5000, "radius_m": 3000,
    "valid_from": "2027-03-10", "valid_to": "2027-03-25", "kind": "exercise"},
   "geometry": {"type": "Point", "coordinates": [26.0, 53.1]}},
  {"type": "Feature", "properties": {"id": "G-2", "party": "BLR", "class": "T-72B3", "quantity": 30,
    "valid_from": "2027-03-10", "valid_to": "2027-03-25", "kind": "deployment"},
   "geometry": {"type": "Polygon", "coordinates": [[[25, 53], [27, 53], [27, 54], [25, 54], [25, 53]]]}},
  {"type": "Feature", "properties": {"id": "G-3", "party": "BLR", "class": "troops", "quantity": 10,
    "valid_from": "2027-03-10", "valid_to": "2027-03-25", "kind": "exercise"},
   "geometry": {"type": "LineString", "coordinates": [[25, 53], [27, 53]]}}
]})");
    CollectingProblemSink problems;
    auto ds = read_declarations(path, options_for(tax), problems);
    REQUIRE(ds.size() == 2);
    CHECK(ds[0].point_given);
    CHECK(ds[0].location.y() == Approx(53.1));
    CHECK(ds[0].radius.value == 3000.0);
    CHECK(ds[1].has_area());
    CHECK(ds[1].equipment_class == "battle_tank");
    REQUIRE(problems.size() == 1);
    CHECK(problems.problems()[0].code == ProblemCode::invalid_geometry);
    CHECK(problems.problems()[0].where.record() == "G-3");
}

TEST_CASE("issue 16: quantities and radii beyond their bounds, text that is not UTF-8, party codes, and a file without declarations") {
    test::TempDir tmp;
    Taxonomy tax = make_taxonomy();
    const std::string latin1 = "\xe9";
    auto path = tmp.write("d.csv", k_header +
                                       "OK,blr,,troops,1000000,26.0,53.1,20037508,,,2027-03-01,2027-04-01,deployment,,\n"
                                       "Q-HUGE,BLR,,troops,1000001,26.0,53.1,0,,,2027-03-01,2027-04-01,deployment,,\n"
                                       "R-HUGE,BLR,,troops,1,26.0,53.1,1e308,,,2027-03-01,2027-04-01,deployment,,\n"
                                       "U-ENC,BLR,Bde " +
                                       latin1 +
                                       ",troops,1,26.0,53.1,0,,,2027-03-01,2027-04-01,deployment,,\n"
                                       "R-ENC,BLR,,troops,1,26.0,53.1,0,,,2027-03-01,2027-04-01,deployment,VD-" +
                                       latin1 +
                                       ",\n"
                                       "ID-" +
                                       latin1 + ",BLR,,troops,1,26.0,53.1,0,,,2027-03-01,2027-04-01,deployment,,\n");
    CollectingProblemSink problems;
    auto ds = read_declarations(path, options_for(tax), problems);
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].party == "BLR");
    CHECK(ds[0].quantity == 1'000'000);
    std::vector<std::string> seen;
    for (const auto& p : problems.problems())
        seen.push_back(std::to_string(*p.where.line()) + " " + std::string(to_string(p.code)) + " " + p.where.field());
    CHECK(seen == std::vector<std::string>{"3 bad_value quantity", "4 bad_value radius_m", "5 bad_encoding unit", "6 bad_encoding reference",
                                           "7 bad_encoding id"});

    // JSON: the bad byte costs its record, not the file.
    CollectingProblemSink json_problems;
    auto js = read_declarations(
        tmp.write(
            "d.json",
            R"([{"id":"J1","party":"lva","class":"troops","quantity":5,"site_id":"Z","valid_from":"2027-03-01","valid_to":"2027-04-01","kind":"exercise"},
        {"id":"J2","party":"LVA","class":"troops","quantity":5,"site_id":"Z","valid_from":"2027-03-01","valid_to":"2027-04-01","kind":"exercise","unit":")" +
                latin1 + R"("}])"),
        options_for(tax), json_problems);
    REQUIRE(js.size() == 1);
    CHECK(js[0].party == "LVA");
    REQUIRE(json_problems.size() == 1);
    CHECK(json_problems.problems()[0].code == ProblemCode::bad_encoding);

    // No declaration at all: a problem (rejected, so --strict stops).
    for (const auto& [name, text] : {std::pair<std::string, std::string>{"none.csv", k_header}, {"none.json", "[]"}}) {
        CollectingProblemSink none;
        CHECK(read_declarations(tmp.write(name, text), options_for(tax), none).empty());
        REQUIRE(none.size() == 1);
        CHECK(none.problems()[0].code == ProblemCode::empty_layer);
        CollectingProblemSink strict(true);
        CHECK_THROWS_AS(read_declarations(tmp.write(name, text), options_for(tax), strict), InputError);
    }
}

TEST_CASE("issue 16: declarations_latin1.csv: the Latin-1 unit costs its record only") {
    Taxonomy tax = make_taxonomy();
    CollectingProblemSink problems;
    auto ds = read_declarations(test::source_path("datasets/malformed/declarations_latin1.csv"), options_for(tax), problems);
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].id.str() == "DEC-90001");
    REQUIRE(problems.size() == 1);
    CHECK(problems.problems()[0].code == ProblemCode::bad_encoding);
    CHECK(problems.problems()[0].where.record() == "DEC-90002");
    CHECK(problems.problems()[0].where.field() == "unit");
    CHECK(problems.problems()[0].where.value() == "120th Guards Mech Bde (Minsk) \\xE9");
}

TEST_CASE("declarations JSON: a whole number at or above 2^63 is read as written, not wrapped to a negative one") {
    test::TempDir tmp;
    Taxonomy tax = make_taxonomy();
    // 2^63 and 2^64 - 1: read as int64, they were -2^63 and -1, reported as negative quantities.
    auto path = tmp.write("big.json", R"([
  {"id": "B-1", "party": "BLR", "class": "troops", "quantity": 9223372036854775808, "lon": 26.5, "lat": 53.5,
   "valid_from": "2027-03-01", "valid_to": "2027-04-01", "kind": "deployment"},
  {"id": "B-2", "party": "BLR", "class": "troops", "quantity": 18446744073709551615, "lon": 26.5, "lat": 53.5,
   "valid_from": "2027-03-01", "valid_to": "2027-04-01", "kind": "deployment"}
])");
    CollectingProblemSink problems;
    auto ds = read_declarations(path, options_for(tax), problems);
    CHECK(ds.empty());
    REQUIRE(problems.size() == 2);
    for (const auto& p : problems.problems()) {
        CHECK(p.code == ProblemCode::bad_value);
        CHECK(p.where.field() == "quantity");
        CHECK(p.message.find("above the most one record may claim") != std::string::npos);
        CHECK(p.where.value().find('-') == std::string::npos);
    }
    CHECK(problems.problems()[0].where.value() == "9223372036854775808");
}
