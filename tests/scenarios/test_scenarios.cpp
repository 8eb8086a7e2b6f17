// Runs every scenario folder under tests/scenarios/ through the real pipeline: zone import into
// a store, compliance run (1 and 2 threads, two batch sizes, the second spilling everything), and
// compares the stored findings and problems with expected.csv / problems.csv (rejected records)
// and notes.csv (records kept with a note), where a scenario has them.
#include "pipeline/compliance_run.hpp"
#include "pipeline/zone_import.hpp"
#include "storage/store.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <toml++/toml.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace fs = std::filesystem;
using namespace avf;

namespace {

std::vector<std::vector<std::string>> read_csv(const fs::path& p) {
    std::vector<std::vector<std::string>> rows;
    std::ifstream in(p);
    std::string line;
    std::getline(in, line); // header
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        std::vector<std::string> cells;
        std::stringstream ss(line);
        std::string cell;
        while (std::getline(ss, cell, ',')) cells.push_back(cell);
        if (!line.empty() && line.back() == ',') cells.push_back("");
        rows.push_back(cells);
    }
    return rows;
}

std::string key(const Finding& f) {
    std::string ev;
    for (const auto& e : f.evidence) ev += (ev.empty() ? "" : ";") + e.record_id;
    return f.rule_id + "," + f.target_id + "," + std::string(to_string(f.kind)) + "," + std::string(to_string(f.certainty)) + "," + ev;
}

struct Outcome {
    std::vector<Finding> findings;
    std::vector<Problem> problems;
};

Outcome run_scenario(const fs::path& dir, const toml::table& options, int threads, std::size_t batch, std::size_t spill_bytes, std::size_t fan_in) {
    test::TempDir tmp;
    std::string store = (tmp.path() / "s.h5").string();
    pipeline::ZoneImportOptions zi;
    zi.sources = {(dir / "zones.geojson").string()};
    zi.set_name = "scenario";
    zi.store_path = store;
    pipeline::ZoneImportJob(zi).run();

    pipeline::RunOptions ro;
    ro.regime_path = (dir / "regime.toml").string();
    ro.store_path = store;
    // Detections and the imagery side, when the scenario has them (imagery has no detections).
    if (fs::exists(dir / "detections.csv")) ro.detections = {(dir / "detections.csv").string()};
    if (fs::exists(dir / "images.json")) ro.imagery = {(dir / "images.json").string()};
    if (fs::exists(dir / "tracks.csv")) ro.tracks = {(dir / "tracks.csv").string()};
    if (fs::exists(dir / "route.geojson")) ro.routes = {(dir / "route.geojson").string()};
    if (fs::exists(dir / "declarations.csv")) ro.declarations = {(dir / "declarations.csv").string()};
    if (fs::exists(dir / "reports.csv")) { // sighting reports and the places they name
        ro.reports = {(dir / "reports.csv").string()};
        ro.gazetteer = (dir / "gazetteer.geojson").string();
    }
    ro.threads = threads;
    ro.batch_size = batch;
    ro.spill_bytes = spill_bytes;
    ro.merge_fan_in = fan_in;
    if (auto f = options["from"].value<std::string>()) ro.from = parse_utc(*f);
    if (auto t = options["to"].value<std::string>()) ro.to = parse_utc(*t);
    auto result = pipeline::ComplianceRun(ro).run();
    storage::StoreReader reader(store);
    REQUIRE(reader.latest_run() == result.run_id);
    return Outcome{reader.read_findings(result.run_id), reader.read_problems(result.run_id)};
}

} // namespace

TEST_CASE("data-driven scenarios", "[scenarios]") {
    fs::path root = test::source_path("tests/scenarios");
    std::vector<fs::path> dirs;
    for (const auto& e : fs::directory_iterator(root))
        if (e.is_directory() && fs::exists(e.path() / "expected.csv")) dirs.push_back(e.path());
    std::sort(dirs.begin(), dirs.end());
    REQUIRE(dirs.size() >= 8);

    for (const auto& dir : dirs) {
        toml::table options = toml::parse_file((dir / "scenario.toml").string());
        std::string name = dir.filename().string();
        DYNAMIC_SECTION(name << ": " << options["description"].value_or(std::string())) {
            Outcome one = run_scenario(dir, options, 1, 16'384, std::size_t{64} << 20, 1024);
            // 256 bytes of spill budget: findings, problems and counted evidence go to spill files
            // after every few records, and the findings come back through merges of two runs at a
            // time, pass after pass, then the final k-way merge.
            Outcome two = run_scenario(dir, options, 2, 2, 256, 2);

            std::multiset<std::string> actual, expected;
            for (const auto& f : one.findings) actual.insert(key(f));
            for (const auto& row : read_csv(dir / "expected.csv")) {
                REQUIRE(row.size() >= 5);
                expected.insert(row[0] + "," + row[1] + "," + row[2] + "," + row[3] + "," + row[4]);
                if (row.size() >= 6 && !row[5].empty()) {
                    // The measured value, to half a unit of its last written decimal.
                    auto dot = row[5].find('.');
                    int decimals = dot == std::string::npos ? 0 : static_cast<int>(row[5].size() - dot - 1);
                    double tolerance = 0.5 * std::pow(10.0, -decimals);
                    std::string k = row[0] + "," + row[1] + "," + row[2] + "," + row[3] + "," + row[4];
                    auto it = std::find_if(one.findings.begin(), one.findings.end(), [&](const Finding& f) { return key(f) == k; });
                    INFO(name << ": " << k);
                    REQUIRE(it != one.findings.end());
                    CHECK(it->measured == Approx(std::stod(row[5])).margin(tolerance));
                }
            }
            INFO("scenario " << name);
            CHECK(actual == expected);

            // Same findings, byte for byte in every field, with 2 threads, tiny batches and spilling.
            REQUIRE(one.findings.size() == two.findings.size());
            for (std::size_t i = 0; i < one.findings.size(); ++i) {
                CHECK(one.findings[i].id == two.findings[i].id);
                CHECK(one.findings[i].explanation == two.findings[i].explanation);
                CHECK(key(one.findings[i]) == key(two.findings[i]));
            }

            std::multiset<std::string> problems_expected, problems_actual;
            if (fs::exists(dir / "problems.csv"))
                for (const auto& row : read_csv(dir / "problems.csv")) problems_expected.insert(row[0] + "," + row[1] + "," + row[2]);
            for (const auto& p : one.problems) {
                if (p.severity != Severity::rejected) continue;
                problems_actual.insert(std::to_string(p.where.line().value_or(-1)) + "," + std::string(to_string(p.code)) + "," + p.where.field());
            }
            CHECK(problems_actual == problems_expected);

            // Records kept with a note (notes.csv, where a scenario has one).
            if (fs::exists(dir / "notes.csv")) {
                std::multiset<std::string> notes_expected, notes_actual;
                for (const auto& row : read_csv(dir / "notes.csv")) notes_expected.insert(row[0] + "," + row[1] + "," + row[2]);
                for (const auto& p : one.problems)
                    if (p.severity == Severity::note)
                        notes_actual.insert(std::to_string(p.where.line().value_or(-1)) + "," + std::string(to_string(p.code)) + "," +
                                            p.where.field());
                CHECK(notes_actual == notes_expected);
            }
        }
    }
}
