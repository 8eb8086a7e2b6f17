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

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

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
    zone_cases.push_back({"infinite coordinate", tmp.write("inf.geojson", collection({feature("Z-GOOD", good_box),
        feature("Z-INF", R"({"type":"Polygon","coordinates":[[[127.0,38.0],[1e999,38.0],[127.1,38.1],[127.0,38.0]]]})")})), "not_finite", "Z-INF"});
    zone_cases.push_back({"projected metres declared as degrees", tmp.write("metres.geojson", collection({feature("Z-GOOD", good_box),
        feature("Z-METRES", R"({"type":"Polygon","coordinates":[[[500000,4200000],[510000,4200000],[510000,4210000],[500000,4210000],[500000,4200000]]]})")})),
        "coordinate_out_of_range", "Z-METRES"});
    zone_cases.push_back({"polar polygon (touches the pole)", tmp.write("polar.geojson", collection({feature("Z-GOOD", good_box),
        feature("Z-POLAR", R"({"type":"Polygon","coordinates":[[[0,80],[90,80],[90,90],[0,90],[0,80]]]})")})), "polar", "Z-POLAR"});
    {
        std::string latin1 = collection({feature("Z-GOOD", good_box), feature("Z-LATIN1", good_box, R"(,"name":"Gr)" + std::string("\xfc") + R"(nz")")});
        zone_cases.push_back({"wrong encoding (Latin-1 name)", tmp.write("latin1.geojson", latin1), "bad_encoding", "Z-LATIN1"});
    }
    zone_cases.push_back({"empty file (0 bytes)", tmp.write("empty.geojson", ""), "unreadable", ""});

    std::size_t right = 0;
    std::vector<std::string> wrong;
    for (const auto& c : zone_cases) {
        std::string seen;
        if (has(validate(c.file), c.expected, c.record, seen)) ++right;
        else wrong.push_back(c.category + ": expected " + c.expected + ", got " + seen);
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
                               q((tmp.path() / "z.h5").string()) + " --set s --json", out) == 0);
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
    const int code = run_avf_stdout("run --regime datasets/demo/regime.toml --detections " + q(csv.string()) + " --quiet --json --store " + q(store), out);
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
        if (has(problems, r.code, r.code == "duplicate_id" ? "" : (r.code == "unreadable" ? "" : id), seen)) ++right;
        else wrong.push_back("detections, " + r.category + ": expected " + r.code + ", got " + seen);
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
