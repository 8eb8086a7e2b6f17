// The command line that fits (issue 19, item 4), through the real binary on the demo store:
// filter values validated, an unknown command named as such, -f accepting GDAL driver names in
// any case with --json as an alias, the export format taken from the output's extension, the
// store given positionally or with --store, `avf runs list`, tables that fit 100 columns unless
// --wide, and a final progress line that states the result.
#include "tests/reliability/workload.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <gdal_priv.h>
#include <nlohmann/json.hpp>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace avf;
using avf::reliability::q;
using avf::reliability::run_avf;
using avf::reliability::run_avf_stdout;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

std::size_t display_width(const std::string& s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::size_t widest_line(const std::string& text) {
    std::size_t w = 0;
    for (const auto& l : lines_of(text)) w = std::max(w, display_width(l));
    return w;
}

} // namespace

TEST_CASE("a filter value that is not one of the valid ones is a usage error listing them", "[cli][command_line]") {
    test::TempDir tmp;
    const std::string store = reliability::demo_store_with_run(tmp.path() / "s.h5");
    std::string out;
    CHECK(run_avf("findings list " + q(store) + " --kind violatoin", out) == 2);
    CHECK(out.find("'violatoin' is not a finding kind") != std::string::npos);
    CHECK(out.find("violation, discrepancy, coverage_gap, unverifiable, exempted") != std::string::npos);
    CHECK(run_avf("findings export " + q(store) + " --certainty sure -o " + q((tmp.path() / "x.csv").string()), out) == 2);
    CHECK(out.find("certain, possible") != std::string::npos);
    CHECK_FALSE(fs::exists(tmp.path() / "x.csv"));
    CHECK(run_avf("run --regime datasets/demo/regime.toml --store " + q(store) + " --fail-on everything", out) == 2);
    CHECK(out.find("violation, finding, problem") != std::string::npos);
    // A valid value still filters: every listed finding is of that kind.
    REQUIRE(run_avf_stdout("findings list " + q(store) + " --kind violation -f json", out) == 0);
    auto j = nlohmann::json::parse(out);
    REQUIRE(!j.empty());
    for (const auto& f : j) CHECK(f["kind"] == "violation");
}

TEST_CASE("an unknown command is named as such, with the commands there are", "[cli][command_line]") {
    std::string out;
    CHECK(run_avf("fnidings list", out) == 2);
    CHECK(out.find("'fnidings' is not a command of avf") != std::string::npos);
    CHECK(out.find("findings") != std::string::npos);
    CHECK(out.find("runs") != std::string::npos);
    CHECK(run_avf("findings lsit --store x.h5", out) == 2);
    CHECK(out.find("'lsit' is not a command of avf findings") != std::string::npos);
    CHECK(out.find("list, show, export, diff") != std::string::npos);
}

TEST_CASE("the format option takes GDAL driver names in any case, --json is -f json, the store may come first", "[cli][command_line]") {
    test::TempDir tmp;
    const std::string store = reliability::demo_store_with_run(tmp.path() / "s.h5");
    std::string by_option, positional, upper, json_flag, json_format;
    REQUIRE(run_avf_stdout("findings list --store " + q(store) + " -f csv", by_option) == 0);
    REQUIRE(run_avf_stdout("findings list " + q(store) + " -f CSV", positional) == 0);
    REQUIRE(run_avf_stdout("findings list " + q(store) + " --format Csv", upper) == 0);
    CHECK(lines_of(by_option).size() > 10);
    CHECK(positional == by_option);
    CHECK(upper == by_option);
    REQUIRE(run_avf_stdout("findings list " + q(store) + " --json", json_flag) == 0);
    REQUIRE(run_avf_stdout("findings list " + q(store) + " -f JSON", json_format) == 0);
    CHECK(json_flag == json_format);
    CHECK(nlohmann::json::parse(json_flag).size() == lines_of(by_option).size() - 1);
    std::string geojson;
    REQUIRE(run_avf_stdout("findings list " + q(store) + " -f GeoJSON", geojson) == 0);
    CHECK(nlohmann::json::parse(geojson)["features"].size() == lines_of(by_option).size() - 1);
    std::string out;
    CHECK(run_avf("findings list " + q(store) + " -f shapefile", out) == 2);
    CHECK(out.find("table, csv, json, geojson") != std::string::npos);
    CHECK(run_avf("findings list " + q(store) + " --json -f csv", out) == 2);
    // The positional store everywhere it is natural, and --store on the others.
    CHECK(run_avf("audit verify --store " + q(store), out) == 0);
    CHECK(run_avf("audit verify " + q(store), out) == 0);
    CHECK(run_avf("zones list " + q(store) + " --json", out) == 0);
    CHECK(run_avf("coverage --store " + q(store), out) == 0);
}

TEST_CASE("an export's format comes from the output's extension unless -f says otherwise", "[cli][command_line]") {
    test::TempDir tmp;
    const std::string store = reliability::demo_store_with_run(tmp.path() / "s.h5");
    std::string csv;
    REQUIRE(run_avf_stdout("findings list " + q(store) + " -f csv", csv) == 0);
    const std::size_t findings = lines_of(csv).size() - 1;
    std::string out;
    const std::string gpkg = (tmp.path() / "f.GPKG").string();
    REQUIRE(run_avf("findings export " + q(store) + " -o " + q(gpkg), out) == 0);
    GDALAllRegister();
    {
        std::unique_ptr<GDALDataset> ds(GDALDataset::Open(gpkg.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
        REQUIRE(ds);
        CHECK(std::string(ds->GetDriver()->GetDescription()) == "GPKG");
        CHECK(static_cast<std::size_t>(ds->GetLayer(0)->GetFeatureCount()) == findings);
    }
    const std::string geojson = (tmp.path() / "f.geojson").string();
    REQUIRE(run_avf("findings export " + q(store) + " -o " + q(geojson), out) == 0);
    std::ifstream in(geojson);
    CHECK(nlohmann::json::parse(in)["features"].size() == findings);
    // -f wins over the extension; no extension and no -f is a usage error, and nothing is written.
    const std::string txt = (tmp.path() / "f.txt").string();
    REQUIRE(run_avf("findings export " + q(store) + " -f csv -o " + q(txt), out) == 0);
    std::ifstream t(txt);
    std::stringstream ss;
    ss << t.rdbuf();
    CHECK(ss.str() == csv);
    const std::string bare = (tmp.path() / "findings").string();
    CHECK(run_avf("findings export " + q(store) + " -o " + q(bare), out) == 2);
    CHECK(out.find("from its extension") != std::string::npos);
    CHECK_FALSE(fs::exists(bare));
}

TEST_CASE("avf runs list shows the store's runs in commit order with their counts", "[cli][command_line]") {
    test::TempDir tmp;
    const std::string store = reliability::demo_store_with_run(tmp.path() / "s.h5");
    std::string out;
    REQUIRE(run_avf("run --regime datasets/demo/regime.toml --detections datasets/demo/detections.csv --quiet --top 0 --store " + q(store) +
                        " --from 2027-03-01 --to 2027-03-15",
                    out) == 0);
    REQUIRE(run_avf_stdout("runs list " + q(store) + " -f json", out) == 0);
    auto runs = nlohmann::json::parse(out);
    REQUIRE(runs.size() == 2);
    for (std::size_t i = 0; i < runs.size(); ++i) {
        INFO(runs[i].dump());
        CHECK(runs[i]["sequence"] == i + 2); // row 1 of the chain: the zone set
        CHECK(runs[i]["status"] == "committed");
        std::string findings;
        REQUIRE(run_avf_stdout("findings list " + q(store) + " --run " + runs[i]["run"].get<std::string>() + " --json", findings) == 0);
        CHECK(runs[i]["findings"] == nlohmann::json::parse(findings).size());
    }
    CHECK(runs[0]["findings"] != runs[1]["findings"]);
    std::string table;
    REQUIRE(run_avf_stdout("runs list --store " + q(store), table) == 0);
    CHECK(table.find(runs[1]["run"].get<std::string>()) != std::string::npos);
    CHECK(widest_line(table) <= 100);
}

TEST_CASE("tables fit 100 columns unless --wide asks for every column in full", "[cli][command_line]") {
    test::TempDir tmp;
    const std::string store = reliability::demo_store_with_run(tmp.path() / "s.h5");
    std::string narrow, wide;
    REQUIRE(run_avf_stdout("findings list " + q(store), narrow) == 0);
    REQUIRE(run_avf_stdout("findings list " + q(store) + " --wide", wide) == 0);
    CHECK(widest_line(narrow) <= 100);
    CHECK(widest_line(wide) > 100);
    CHECK(narrow.find("…") != std::string::npos); // cut explanations say so
    CHECK(lines_of(narrow).size() == lines_of(wide).size());
    CHECK(lines_of(narrow)[0].find("explanation") != std::string::npos);
    CHECK(lines_of(wide)[0].find("confidence") != std::string::npos);
    std::string summary;
    REQUIRE(run_avf_stdout("run --regime datasets/demo/regime.toml --detections datasets/demo/detections.csv --quiet --top 3 --dry-run --store " +
                               q(store),
                           summary) == 0);
    const auto rules = summary.find("Findings by rule:");
    REQUIRE(rules != std::string::npos);
    CHECK(widest_line(summary.substr(rules, summary.find("\n\n", rules) - rules)) <= 100); // the table of findings by rule
}

TEST_CASE("the progress option draws on a non-terminal and its last line states the result", "[cli][command_line]") {
    test::TempDir tmp;
    const std::string store = reliability::demo_store_with_run(tmp.path() / "s.h5");
    std::string csv;
    REQUIRE(run_avf_stdout("findings list " + q(store) + " -f csv", csv) == 0);
    const std::size_t findings = lines_of(csv).size() - 1;
    std::string out;
    REQUIRE(run_avf("findings export " + q(store) + " --progress -o " + q((tmp.path() / "f.csv").string()), out) == 0);
    CHECK(out.find("exported " + std::to_string(findings) + " findings\n") != std::string::npos);
    REQUIRE(run_avf("audit verify " + q(store) + " --progress", out) == 0);
    CHECK(out.find("verified: 1 runs, 1 zone sets, 2 chain rows, ok") != std::string::npos);
    std::string runs;
    REQUIRE(run_avf_stdout("runs list " + q(store) + " --json", runs) == 0);
    const std::string run = nlohmann::json::parse(runs).at(0)["run"];
    REQUIRE(run_avf("findings diff --store " + q(store) + " --progress " + run + " " + run, out) == 0);
    CHECK(out.find("compared " + std::to_string(findings) + " with " + std::to_string(findings) + " findings") != std::string::npos);
    // Without --progress, and stderr not a terminal: no progress line at all.
    REQUIRE(run_avf("findings export " + q(store) + " -o " + q((tmp.path() / "g.csv").string()), out) == 0);
    CHECK(out.find("exported ") == std::string::npos);
    CHECK(run_avf("findings export " + q(store) + " --progress -q -o " + q((tmp.path() / "h.csv").string()), out) == 2);
}
