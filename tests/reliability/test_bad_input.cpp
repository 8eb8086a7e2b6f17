// The bad-input corpus (issue 8, item 4): every category of the reliability plan, fed to the real
// avf binary, must be rejected or handled with its specific reason while everything usable in the
// same input still goes through. Zone files go through `avf zones validate -f json`; detections
// through `avf run` (then `avf findings list --problems -f json`). The figures (cases, rejected
// with the right reason) are printed for docs/reliability.md.
#include "tests/reliability/workload.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

using namespace avf;
using namespace avf::reliability;
namespace fs = std::filesystem;

namespace {

struct Case {
    std::string category;
    std::string file;     ///< absolute path
    std::string expected; ///< the problem code that must be reported
    std::string record;   ///< the record it must name ("" = any / the file)
};

struct Outcome {
    bool right_reason = false;
    std::string detail;
};

std::string feature(const std::string& id, const std::string& geometry, const std::string& extra = "") {
    return R"({"type":"Feature","properties":{"id":")" + id + R"(","kind":"dmz")" + extra + R"(},"geometry":)" + geometry + "}";
}
const std::string good_box = R"({"type":"Polygon","coordinates":[[[127.0,37.95],[127.1,37.95],[127.1,38.0],[127.0,38.0],[127.0,37.95]]]})";
std::string collection(const std::vector<std::string>& features) {
    std::string s = R"({"type":"FeatureCollection","features":[)";
    for (std::size_t i = 0; i < features.size(); ++i) s += (i ? "," : "") + features[i];
    return s + "]}";
}

// Problems of `avf zones validate`, as JSON.
nlohmann::json validate(const std::string& file) {
    std::string out;
    run_avf_stdout("zones validate " + q(file) + " -f json", out);
    auto j = nlohmann::json::parse(out, nullptr, false);
    return j.is_discarded() ? nlohmann::json::array() : j;
}

bool has(const nlohmann::json& problems, const std::string& code, const std::string& record, std::string& seen) {
    for (const auto& p : problems) {
        seen += p.value("code", "?") + " ";
        if (p.value("code", "") == code && (record.empty() || p.value("where", "").find(record) != std::string::npos)) return true;
    }
    return false;
}

} // namespace

TEST_CASE("bad-input corpus: every category rejected or handled with its specific reason, and the rest goes through", "[reliability][badinput]") {
    test::TempDir tmp;
    std::vector<Case> zone_cases;
    auto malformed = [&](const std::string& category, const std::string& file, const std::string& code, const std::string& record) {
        zone_cases.push_back({category, test::source_path("datasets/malformed/" + file), code, record});
    };
    malformed("NaN coordinate", "nan_coordinate.geojson", "not_finite", "Z-NAN");
    malformed("out-of-range latitude (95)", "lat95.geojson", "coordinate_out_of_range", "Z-LAT95");
    malformed("missing CRS (Shapefile without .prj)", "no_crs/no_crs.shp", "missing_crs", "");
    malformed("duplicate ids", "duplicate_id.geojson", "duplicate_id", "Z-GOOD");
    malformed("bow-tie", "bowtie.geojson", "self_intersection", "Z-BOWTIE");
    malformed("unclosed ring", "unclosed_ring.geojson", "ring_not_closed", "Z-UNCLOSED");
    malformed("antimeridian-crossing polygon", "antimeridian.geojson", "crosses_antimeridian", "Z-ANTIMERIDIAN");
    malformed("truncated file", "truncated.geojson", "unreadable", "");
    malformed("empty layer", "empty_layer.geojson", "empty_layer", "");
    zone_cases.push_back(
        {"infinite coordinate",
         tmp.write("inf.geojson",
                   collection({feature("Z-GOOD", good_box),
                               feature("Z-INF", R"({"type":"Polygon","coordinates":[[[127.0,38.0],[1e999,38.0],[127.1,38.1],[127.0,38.0]]]})")})),
         "not_finite", "Z-INF"});
    zone_cases.push_back(
        {"projected metres declared as degrees",
         tmp.write(
             "metres.geojson",
             collection(
                 {feature("Z-GOOD", good_box),
                  feature(
                      "Z-METRES",
                      R"({"type":"Polygon","coordinates":[[[500000,4200000],[510000,4200000],[510000,4210000],[500000,4210000],[500000,4200000]]]})")})),
         "coordinate_out_of_range", "Z-METRES"});
    zone_cases.push_back(
        {"polar polygon (touches the pole)",
         tmp.write("polar.geojson", collection({feature("Z-GOOD", good_box),
                                                feature("Z-POLAR", R"({"type":"Polygon","coordinates":[[[0,80],[90,80],[90,90],[0,90],[0,80]]]})")})),
         "polar", "Z-POLAR"});
    {
        std::string latin1 =
            collection({feature("Z-GOOD", good_box), feature("Z-LATIN1", good_box, R"(,"name":"Gr)" + std::string("\xfc") + R"(nz")")});
        zone_cases.push_back({"wrong encoding (Latin-1 name)", tmp.write("latin1.geojson", latin1), "bad_encoding", "Z-LATIN1"});
    }
    zone_cases.push_back({"empty file (0 bytes)", tmp.write("empty.geojson", ""), "unreadable", ""});

    std::size_t right = 0;
    std::vector<std::string> wrong;
    for (const auto& c : zone_cases) {
        std::string seen;
        if (has(validate(c.file), c.expected, c.record, seen))
            ++right;
        else
            wrong.push_back(c.category + ": expected " + c.expected + ", got " + seen);
    }
    // A 10^6-vertex coastline (a wiggly ring, valid): handled — accepted, whole, in seconds.
    double coast_seconds = 0;
    {
        std::string ring;
        ring.reserve(40u << 20);
        const std::size_t n = 1'000'000;
        std::string first;
        for (std::size_t i = 0; i < n; ++i) {
            const double t = 2.0 * 3.14159265358979323846 * static_cast<double>(i) / static_cast<double>(n);
            const double r = 5.0 * (1.0 + 0.01 * std::sin(static_cast<double>(i) * 0.37));
            std::string p = fmt::format("[{:.9f},{:.9f}]", 20.0 + r * std::cos(t), 55.0 + 0.6 * r * std::sin(t));
            if (i == 0) first = p;
            ring += p + ",";
        }
        ring += first;
        const std::string file = tmp.write("coast.geojson", collection({feature("Z-COAST", R"({"type":"Polygon","coordinates":[[)" + ring + "]]}")}));
        const auto t0 = std::chrono::steady_clock::now();
        const auto problems = validate(file);
        coast_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        INFO(problems.dump());
        CHECK(problems.empty());
    }

    // The good feature next to each bad one is not lost: `zones import` of a file with one bad
    // feature keeps the good one.
    {
        std::string out;
        REQUIRE(run_avf_stdout("zones import " + q(test::source_path("datasets/malformed/bowtie.geojson")) + " --store " +
                                   q((tmp.path() / "z.h5").string()) + " --set s --json",
                               out) == 0);
        auto j = nlohmann::json::parse(out);
        INFO(out);
        CHECK(j.dump().find("\"zones\":1") != std::string::npos);
    }

    // ---- detections: one CSV with a bad record of each kind between good ones, and a 1 GB line.
    const std::string header = "id,time,lon,lat,class,count,confidence,source,uncertainty_m,party\n";
    const std::string good = ",2027-03-02T00:00:00Z,127.72,38.07,battle_tank,1,0.9,imagery,10,KOR\n";
    struct Row {
        std::string category, line, code;
    };
    std::vector<Row> rows = {
        {"NaN longitude", "B-NAN,2027-03-02T00:00:00Z,nan,38.07,battle_tank,1,0.9,imagery,10,KOR", "not_finite"},
        {"infinite latitude", "B-INF,2027-03-02T00:00:00Z,127.7,inf,battle_tank,1,0.9,imagery,10,KOR", "not_finite"},
        {"longitude 181", "B-LON,2027-03-02T00:00:00Z,181,38.07,battle_tank,1,0.9,imagery,10,KOR", "coordinate_out_of_range"},
        {"metres as degrees", "B-METRES,2027-03-02T00:00:00Z,350000,4210000,battle_tank,1,0.9,imagery,10,KOR", "coordinate_out_of_range"},
        {"huge number (1e308 as latitude)", "B-HUGE,2027-03-02T00:00:00Z,127.7,1e308,battle_tank,1,0.9,imagery,10,KOR", "coordinate_out_of_range"},
        {"duplicate id", "G-1,2027-03-02T00:00:00Z,127.72,38.07,battle_tank,1,0.9,imagery,10,KOR", "duplicate_id"},
        {"Latin-1 party", "B-ENC,2027-03-02T00:00:00Z,127.72,38.07,battle_tank,1,0.9,imagery,10,K\xd6R", "bad_encoding"},
        {"bad time", "B-TIME,2027-02-30T00:00:00Z,127.72,38.07,battle_tank,1,0.9,imagery,10,KOR", "bad_time"},
        {"unknown class", "B-CLASS,2027-03-02T00:00:00Z,127.72,38.07,bicycle,1,0.9,imagery,10,KOR", "unknown_class"},
        {"too few fields", "B-SHORT,2027-03-02T00:00:00Z,127.72", "unreadable"},
    };
    const fs::path csv = tmp.path() / "detections.csv";
    {
        std::ofstream out(csv, std::ios::binary);
        out << header;
        int g = 0;
        for (const auto& r : rows) out << "G-" << ++g << good << r.line << "\n";
        out << "G-" << ++g << good;
        out << "B-HUGELINE,";
        out.flush();
    }
    // A 1 GB line: a hole of 2^30 zero bytes (sparse, so it costs no disk), then a good record.
    {
        const auto size = fs::file_size(csv);
        fs::resize_file(csv, size + (std::uint64_t{1} << 30));
        std::ofstream out(csv, std::ios::binary | std::ios::app);
        out << "\nG-LAST" << good;
    }
    rows.push_back({"a 1 GB line", "B-HUGELINE", "unreadable"});
    const std::string store = (tmp.path() / "d.h5").string();
    demo_store(store);
    std::string out;
    const int code =
        run_avf_stdout("run --regime datasets/demo/regime.toml --detections " + q(csv.string()) + " --quiet --json --store " + q(store), out);
    INFO(out);
    REQUIRE(code == 0); // the run goes on and is committed
    const auto summary = nlohmann::json::parse(out);
    REQUIRE(summary["inputs"].size() == 1);
    // Every good record went through: one before each bad row, one after them, one after the 1 GB line.
    const std::size_t good_rows = rows.size() - 1 + 2;
    CHECK(summary["inputs"][0]["evaluated"].get<std::size_t>() == good_rows);
    CHECK(summary["inputs"][0]["rejected"].get<std::size_t>() == rows.size());
    REQUIRE(run_avf_stdout("findings list --problems -f json --store " + q(store), out) == 0);
    auto problems = nlohmann::json::parse(out);
    for (const auto& r : rows) {
        std::string seen;
        const std::string id = r.line.substr(0, r.line.find(','));
        if (has(problems, r.code, r.code == "duplicate_id" ? "" : (r.code == "unreadable" ? "" : id), seen))
            ++right;
        else
            wrong.push_back("detections, " + r.category + ": expected " + r.code + ", got " + seen);
    }

    const std::size_t total = zone_cases.size() + rows.size();
    std::cout << fmt::format("\n== 10^6-vertex coastline: validated and accepted in {:.1f} s\n", coast_seconds);
    std::cout << fmt::format("\n== bad-input corpus: {} cases ({} zone files, {} detection records), rejected with the right reason: {} ({:.0f} %)\n",
                             total, zone_cases.size(), rows.size(), right, 100.0 * static_cast<double>(right) / static_cast<double>(total));
    for (const auto& w : wrong) std::cout << "  wrong: " << w << "\n";
    std::string list;
    for (const auto& w : wrong) list += w + "\n";
    INFO(list);
    CHECK(right == total);
}

// ---- Issue 16: inputs that gave a wrong answer with exit 0, or broke the store later ----

namespace {

// Problems of the latest run, as JSON.
nlohmann::json run_problems(const std::string& store) {
    std::string out;
    REQUIRE(run_avf_stdout("findings list --problems -f json --limit 0 --store " + q(store), out) == 0);
    return nlohmann::json::parse(out);
}

nlohmann::json run_findings(const std::string& store, const std::string& rule) {
    std::string out;
    REQUIRE(run_avf_stdout("findings list -f json --limit 0 --rule " + rule + " --store " + q(store), out) == 0);
    return nlohmann::json::parse(out);
}

std::string problem_codes(const nlohmann::json& problems) {
    std::string seen;
    for (const auto& p : problems) seen += p.value("code", "?") + "@" + p.value("where", "") + "; ";
    return seen;
}

} // namespace

TEST_CASE("issue 16: a count beyond the per-record maximum is a problem and cannot wrap a ceiling's sum", "[reliability][badinput][issue16]") {
    test::TempDir tmp;
    const std::string store = demo_store(tmp.path() / "s.h5");
    // 44 real tanks in the Estonian buffer strip (ceiling 40 per day: baltic-strip-tanks), and two
    // claims whose sum with 44 is 40 modulo 2^64. Sightings 6 h apart: not merged by [dedup].
    const std::string csv = tmp.write("huge.csv", "id,time,lon,lat,class,count,confidence,source,uncertainty_m,party\n"
                                                  "T-REAL,2027-05-02T02:00:00Z,27.95,59.35,battle_tank,44,0.9,imagery,10,RUS\n"
                                                  "T-HUGE-1,2027-05-02T08:00:00Z,27.95,59.35,battle_tank,9223372036854775807,0.9,imagery,10,RUS\n"
                                                  "T-HUGE-2,2027-05-02T14:00:00Z,27.95,59.35,battle_tank,9223372036854775805,0.9,imagery,10,RUS\n"
                                                  "T-MAX,2027-05-03T02:00:00Z,27.95,59.35,battle_tank,1000000,0.9,imagery,10,RUS\n"
                                                  "T-FAR,2027-05-04T02:00:00Z,27.95,59.35,battle_tank,1,0.9,imagery,1e308,RUS\n");
    std::string out;
    REQUIRE(run_avf("run --regime datasets/demo/regime.toml --detections " + q(csv) + " --quiet --store " + q(store), out) == 0);
    const auto problems = run_problems(store);
    INFO(problem_codes(problems));
    std::string seen;
    CHECK(has(problems, "bad_value", "T-HUGE-1", seen));
    CHECK(has(problems, "bad_value", "T-HUGE-2", seen));
    CHECK(has(problems, "bad_value", "T-FAR", seen)); // an uncertainty radius of 1e308 m
    CHECK(problems.size() == 3);                      // 10^6 items in one record is still a claim avf takes
    const auto findings = run_findings(store, "baltic-strip-tanks");
    INFO(findings.dump());
    std::map<std::string, double> measured; // day → count
    for (const auto& f : findings)
        if (f.value("kind", "") == "violation" && f.value("target", "") == "BUF-EST")
            measured[f.value("time", "").substr(1, 10)] = f.value("measured", 0.0);
    CHECK(measured == std::map<std::string, double>{{"2027-05-02", 44.0}, {"2027-05-03", 1e6}}); // 44 > 40, not a wrapped 40
}

TEST_CASE("issue 16: CR line ends are read as lines, and a file with no record is a problem (exit 3 with --strict)",
          "[reliability][badinput][issue16]") {
    test::TempDir tmp;
    const std::string store = demo_store(tmp.path() / "s.h5");
    std::string lf;
    {
        std::ifstream in(test::source_path("datasets/demo/detections.csv"), std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        lf = ss.str();
    }
    std::string cr = lf;
    std::replace(cr.begin(), cr.end(), '\n', '\r');
    const std::string lf_file = tmp.write("lf.csv", lf), cr_file = tmp.write("mac.csv", cr);
    auto run_json = [&](const std::string& file, nlohmann::json& summary) {
        std::string out;
        const int code =
            run_avf_stdout("run --regime datasets/demo/regime.toml --detections " + q(file) + " --quiet --json --store " + q(store), out);
        summary = nlohmann::json::parse(out, nullptr, false);
        return code;
    };
    nlohmann::json with_lf, with_cr;
    REQUIRE(run_json(lf_file, with_lf) == 0);
    REQUIRE(run_json(cr_file, with_cr) == 0);
    CHECK(with_cr["inputs"][0]["read"] == with_lf["inputs"][0]["read"]);
    CHECK(with_cr["inputs"][0]["read"].get<std::size_t>() == 868);
    CHECK(with_cr["findings"] == with_lf["findings"]);
    CHECK(with_cr["problems"] == 0);

    // A header and nothing else: a problem, a warning on stderr; --strict stops (exit 3).
    const std::string empty = tmp.write("header-only.csv", "id,time,lon,lat,class,count,confidence,source\n");
    std::string out;
    CHECK(run_avf("run --regime datasets/demo/regime.toml --detections " + q(empty) + " --quiet --strict --store " + q(store), out) == 3);
    CHECK(out.find("header-only.csv") != std::string::npos);
    REQUIRE(run_avf("run --regime datasets/demo/regime.toml --detections " + q(empty) + " --quiet --store " + q(store), out) == 0);
    CHECK(out.find("warning") != std::string::npos);
    std::string seen;
    CHECK(has(run_problems(store), "empty_layer", "header-only.csv", seen));
}

TEST_CASE("issue 16: a Latin-1 byte in any text field is a bad_encoding problem on its record, and the run stays readable",
          "[reliability][badinput][issue16]") {
    test::TempDir tmp;
    const std::string store = demo_store(tmp.path() / "s.h5");
    const std::string latin1 = "\xe9"; // é in Latin-1: not UTF-8
    std::string decl = "id,party,unit,class,quantity,lon,lat,radius_m,valid_from,valid_to,kind,reference\n";
    decl += "ENC-OK,BLR,unit 1,mlrs,1,26.6,55.39,3000,2027-03-01,2027-04-01,deployment,AEMI-2027\n";
    decl += "ENC-UNIT,BLR,unit" + latin1 + ",mlrs,1,26.6,55.39,3000,2027-03-01,2027-04-01,deployment,AEMI-2027\n";
    decl += "ENC-REF,BLR,unit 3,mlrs,1,26.6,55.39,3000,2027-03-01,2027-04-01,deployment,r" + latin1 + "f\n";
    decl += "ENC-ID" + latin1 + ",BLR,unit 4,mlrs,1,26.6,55.39,3000,2027-03-01,2027-04-01,deployment,AEMI-2027\n";
    const std::string decl_csv = tmp.write("decl.csv", decl);
    const std::string decl_json = tmp.write("decl.json", R"([{"id": "J-OK", "party": "LVA", "class": "mlrs", "quantity": 1, "lon": 26.5, "lat": 56.0,
        "valid_from": "2027-03-01", "valid_to": "2027-04-01", "kind": "deployment"},
        {"id": "J-ENC", "party": "LVA", "class": "mlrs", "quantity": 1, "lon": 26.5, "lat": 56.0, "unit": "br)" +
                                                             latin1 + R"(",
        "valid_from": "2027-03-01", "valid_to": "2027-04-01", "kind": "deployment"}])");
    std::string images;
    {
        std::ifstream in(test::source_path("datasets/mission/images.json"), std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        images = ss.str();
        const auto at = images.find("\"platform\": \"");
        REQUIRE(at != std::string::npos);
        images.insert(at + 13, latin1);
    }
    const std::string images_file = tmp.write("images.json", images);
    std::string tracks;
    {
        std::ifstream in(test::source_path("datasets/mission/tracks.csv"), std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        tracks = ss.str();
    }
    tracks += "OS7012" + latin1 + ",2027-03-16T12:00:00Z,24.0,56.9,3000,false\n";
    const std::string tracks_file = tmp.write("tracks.csv", tracks);

    std::string out;
    REQUIRE(run_avf("run --regime datasets/demo/regime.toml --detections datasets/demo/detections.csv --declarations " + q(decl_csv) + " " +
                        q(decl_json) + " --imagery " + q(images_file) + " --tracks " + q(tracks_file) +
                        " --routes datasets/mission/route.geojson --quiet --store " + q(store),
                    out) == 0);
    const auto problems = run_problems(store);
    INFO(problem_codes(problems));
    std::string seen;
    CHECK(has(problems, "bad_encoding", "ENC-UNIT", seen));
    CHECK(has(problems, "bad_encoding", "ENC-REF", seen));
    CHECK(has(problems, "bad_encoding", "record ENC-ID\\xE9, line 5", seen)); // the id itself, shown escaped
    CHECK(has(problems, "bad_encoding", "J-ENC", seen));
    CHECK(has(problems, "bad_encoding", "images.json", seen));
    CHECK(has(problems, "bad_encoding", "tracks.csv", seen));
    std::size_t encoding = 0;
    for (const auto& p : problems) encoding += p.value("code", "") == "bad_encoding" ? 1 : 0;
    CHECK(encoding == 6);
    // The whole run lists and exports (it exited 70 when the bytes reached the store).
    CHECK(run_avf_stdout("findings list -f json --limit 0 --store " + q(store), out) == 0);
    CHECK(run_avf_stdout("findings list -f geojson --limit 0 --store " + q(store), out) == 0);
    CHECK(run_avf("findings export --format json --output " + q((tmp.path() / "all.json").string()) + " --store " + q(store), out) == 0);
    CHECK(run_avf("findings export --format geojson --output " + q((tmp.path() / "all.geojson").string()) + " --store " + q(store), out) == 0);
}

TEST_CASE("issue 16: party codes are upper-cased at read time: a prk detection is in scope of a PRK rule", "[reliability][badinput][issue16]") {
    test::TempDir tmp;
    const std::string store = demo_store(tmp.path() / "s.h5");
    // Artillery 16 km north of the MDL (rule arty-standoff-mdl: KOR and PRK artillery >= 20 km away), two days.
    const std::string csv = tmp.write("party.csv", "id,time,lon,lat,class,count,confidence,source,uncertainty_m,party\n"
                                                   "P-UPPER,2027-03-02T06:00:00Z,127.5,38.45,artillery,1,0.9,imagery,10,PRK\n"
                                                   "P-LOWER,2027-03-03T06:00:00Z,127.5,38.45,artillery,1,0.9,imagery,10,prk\n");
    std::string out;
    REQUIRE(run_avf("run --regime datasets/demo/regime.toml --detections " + q(csv) + " --quiet --store " + q(store), out) == 0);
    const auto findings = run_findings(store, "arty-standoff-mdl");
    INFO(findings.dump());
    REQUIRE(findings.size() == 2);
    for (const auto& f : findings) CHECK(f.value("party", "") == "PRK");
}

TEST_CASE("issue 16: zones converted by ogr2ogr to KML, FlatGeobuf and CSV keep their dates", "[reliability][badinput][issue16]") {
    test::TempDir tmp;
    std::string out;
    REQUIRE(test::run_command("command -v ogr2ogr", out) == 0); // gdal-bin (scripts/install-deps.sh)
    // Dates as zone sources carry them: a date, a UTC time, an offset; ogr2ogr writes them as
    // "1953/07/27 00:00:00" (no zone) or "2030/01/01 00:00:00+00".
    const std::string source = tmp.write("dated.geojson", R"({"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"id": "Z-DATE", "kind": "dmz", "valid_from": "1953-07-27", "valid_to": "2030-01-01T00:00:00Z"},
  "geometry": {"type": "Polygon", "coordinates": [[[127.0, 37.95], [127.1, 37.95], [127.1, 38.0], [127.0, 38.0], [127.0, 37.95]]]}},
 {"type": "Feature", "properties": {"id": "Z-TIME", "kind": "dmz", "valid_from": "1953-07-27T12:00:00Z", "valid_to": "2030-01-01T06:30:00+02:00"},
  "geometry": {"type": "Polygon", "coordinates": [[[127.2, 37.95], [127.3, 37.95], [127.3, 38.0], [127.2, 38.0], [127.2, 37.95]]]}}]})");
    struct Format {
        std::string driver, file, options;
    };
    for (const Format& f :
         {Format{"KML", "dated.kml", ""}, Format{"FlatGeobuf", "dated.fgb", ""}, Format{"CSV", "dated.csv", "-lco GEOMETRY=AS_WKT"}}) {
        INFO(f.driver);
        const std::string file = (tmp.path() / f.file).string();
        REQUIRE(test::run_command("ogr2ogr -f " + f.driver + " " + f.options + " " + q(file) + " " + q(source), out) == 0);
        const std::string store = (tmp.path() / (f.file + ".h5")).string();
        REQUIRE(run_avf("zones import " + q(file) + " --assume-crs EPSG:4326 --set s --json --store " + q(store), out) == 0);
        for (const auto& [id, from, to] : {std::tuple{"Z-DATE", "1953-07-27T00:00:00Z", "2030-01-01T00:00:00Z"},
                                           std::tuple{"Z-TIME", "1953-07-27T12:00:00Z", "2030-01-01T04:30:00Z"}}) {
            REQUIRE(run_avf_stdout("zones show " + std::string(id) + " -f json --store " + q(store), out) == 0);
            const auto z = nlohmann::json::parse(out);
            CHECK(z.value("valid_from", "") == from);
            CHECK(z.value("valid_to", "") == to);
        }
        // The time without a zone is taken as UTC, and a note says so.
        REQUIRE(run_avf_stdout("zones validate " + q(file) + " --assume-crs EPSG:4326 -f json", out) == 0);
        std::string seen;
        CHECK(has(nlohmann::json::parse(out), "bad_time", "Z-DATE", seen));
    }
    // When nothing can be imported, the problems the error refers to are shown.
    const std::string bad = tmp.write("bad-dates.geojson", R"({"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"id": "Z-BAD", "kind": "dmz", "valid_from": "27.07.1953"},
  "geometry": {"type": "Polygon", "coordinates": [[[127.0, 37.95], [127.1, 37.95], [127.1, 38.0], [127.0, 38.0], [127.0, 37.95]]]}}]})");
    CHECK(run_avf("zones import " + q(bad) + " --set s --store " + q((tmp.path() / "bad.h5").string()), out) == 3);
    CHECK(out.find("see the problems above") != std::string::npos);
    CHECK(out.find("bad_time") != std::string::npos);
    CHECK(out.find("Z-BAD") != std::string::npos);
}
