// Which inputs `avf run` needs (issue 16, item 13), through the real binary: detections are
// optional when imagery, tracks, routes or declarations give something to evaluate; a zone set
// is optional when the regime refers to no zone or line (the run records an empty zone set name,
// and a store that does not exist yet is created); a run with nothing to evaluate is a usage error
// naming the inputs it could be given.
#include "storage/store.hpp"
#include "tests/reliability/workload.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

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

const std::string k_mission = " --imagery datasets/mission/images.json --tracks datasets/mission/tracks.csv --routes datasets/mission/route.geojson";

/// The demo regime cut down to rules that refer to no zone or line: sensor limits (imagery),
/// declared holdings and notifiable activities (declarations, detections).
std::string zone_free_regime(const test::TempDir& tmp) {
    std::ifstream in(test::source_path("datasets/demo/regime.toml"));
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    std::string out = text.substr(0, text.find("[[rules]]"));
    for (const char* id : {"os-sensor-limits", "blr-declared-holdings", "vd11-activities"}) {
        const auto at = text.find("id = \"" + std::string(id) + "\"");
        REQUIRE(at != std::string::npos);
        const auto begin = text.rfind("[[rules]]", at);
        const auto end = text.find("[[rules]]", at);
        out += text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    }
    return tmp.write("zone_free.toml", out);
}

nlohmann::json run_json(const std::string& args) {
    std::string out;
    const int code = run_avf_stdout(args + " --quiet --json", out);
    INFO(args << "\n" << out);
    REQUIRE(code == 0);
    return nlohmann::json::parse(out);
}

std::size_t findings_of(const nlohmann::json& run, const std::string& rule) {
    std::size_t n = 0;
    for (const auto& row : run["summary"])
        if (row["rule"] == rule) n += row["findings"].get<std::size_t>();
    return n;
}

} // namespace

TEST_CASE("avf run without --detections: imagery only or declarations only", "[cli][run][inputs]") {
    test::TempDir tmp;
    const std::string store = reliability::demo_store(tmp.path() / "s.h5");
    const std::string base = "run --regime datasets/demo/regime.toml --from 2027-03-01 --to 2027-04-01 --store " + q(store);

    // Imagery, tracks and routes only: the imagery-side rules give the findings they give in
    // the demo run with detections (sensor limits 3, route 2, one coverage gap).
    const auto imagery = run_json(base + k_mission);
    CHECK(imagery["images"] == 37);
    CHECK(findings_of(imagery, "os-sensor-limits") == 3);
    CHECK(findings_of(imagery, "os-route") == 2);
    CHECK(findings_of(imagery, "oa-coverage") == 1);
    CHECK(findings_of(imagery, "dmz-no-military") == 0);
    CHECK(imagery["inputs"].empty());

    // Declarations only: each declaration is judged (unverifiable: nothing observed, no imagery).
    const auto declared = run_json(base + " --declarations datasets/demo/declarations.csv");
    CHECK(declared["inputs"].size() == 1);
    CHECK(declared["inputs"][0]["role"] == "declarations");
    CHECK(findings_of(declared, "blr-declared-holdings") > 1);

    // The summary says which rules saw no detection.
    std::string out;
    REQUIRE(run_avf(base + " --quiet --declarations datasets/demo/declarations.csv", out) == 0);
    CHECK_THAT(out, Catch::Contains("No --detections given; these rules saw no detection: dmz-no-military"));

    // The three runs are committed and verify.
    REQUIRE(run_avf("audit verify " + q(store), out) == 0);
    CHECK_THAT(out, Catch::StartsWith("ok: 3 runs"));

    // Nothing to evaluate at all: a usage error naming what could be given; the store untouched.
    const std::string before = reliability::file_sha256(store);
    CHECK(run_avf("run --regime datasets/demo/regime.toml --quiet --store " + q(store), out) == 2);
    CHECK_THAT(out, Catch::Contains("nothing to evaluate: give --detections, --imagery, --tracks, --routes or --declarations"));
    CHECK(reliability::file_sha256(store) == before);
}

TEST_CASE("a regime that refers to no zone or line runs without a zone set", "[cli][run][inputs]") {
    test::TempDir tmp;
    const std::string regime = zone_free_regime(tmp);
    const std::string store = (tmp.path() / "new.h5").string();
    std::string out;

    // A store that does not exist yet: created by the run, which records an empty zone set name.
    const auto first = run_json("run --regime " + q(regime) + " --store " + q(store) + " --from 2027-03-01 --to 2027-04-01" + k_mission +
                                " --detections datasets/demo/detections.csv --declarations datasets/demo/declarations.csv");
    CHECK(first["zone_set"] == "");
    CHECK(findings_of(first, "os-sensor-limits") == 3);
    {
        storage::StoreReader reader(store);
        CHECK(reader.zone_sets().empty());
        const auto info = reader.run_info(first["run_id"].get<std::string>());
        CHECK(info.header.zone_set.empty());
        CHECK(info.zone_set_digest.empty());
        CHECK(reader.verify().ok);
    }
    // A second run into that store (which has runs and no zone set), imagery only: the image's
    // resolution and height findings (the low sensor-on fixes need the track).
    const auto second = run_json("run --regime " + q(regime) + " --store " + q(store) + " --imagery datasets/mission/images.json");
    CHECK(findings_of(second, "os-sensor-limits") == 2);
    REQUIRE(run_avf("audit verify " + q(store), out) == 0);
    CHECK_THAT(out, Catch::StartsWith("ok: 2 runs, 0 zone sets"));
    REQUIRE(run_avf("regime check " + q(regime) + " --store " + q(store), out) == 0);
    CHECK_THAT(out, Catch::Contains("it refers to no zone or line, so it needs no zone set"));
    REQUIRE(run_avf("findings list --store " + q(store) + " --rule os-sensor-limits -f csv", out) == 0);
    CHECK_THAT(out, Catch::Contains("0.24"));

    // A regime that does refer to zones still needs a zone set, and says which reference and why.
    const std::string before = reliability::file_sha256(store);
    CHECK(run_avf("run --regime datasets/demo/regime.toml --quiet --store " + q(store) + k_mission, out) == 3);
    CHECK_THAT(out, Catch::Contains("regime.toml, line"));
    CHECK_THAT(out, Catch::Contains("has no zone set; import one with `avf zones import`"));
    CHECK(reliability::file_sha256(store) == before);
    CHECK(run_avf("regime check datasets/demo/regime.toml --store " + q(store), out) == 3);
    CHECK_THAT(out, Catch::Contains("has no zone set"));
    // And a missing store is an I/O error, not created.
    const std::string missing = (tmp.path() / "missing.h5").string();
    CHECK(run_avf("run --regime datasets/demo/regime.toml --quiet --store " + q(missing) + k_mission, out) == 4);
    CHECK_THAT(out, Catch::Contains("does not exist"));
    CHECK(!fs::exists(missing));
}

TEST_CASE("a coverage rule without min_fraction: avf coverage reports the fractions and judges none", "[cli][run][inputs][coverage]") {
    test::TempDir tmp;
    const std::string store = reliability::demo_store(tmp.path() / "s.h5");
    std::ifstream in(test::source_path("datasets/demo/regime.toml"));
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    const auto at = text.find("min_fraction = 0.9\n");
    REQUIRE(at != std::string::npos);
    text.erase(at, std::string("min_fraction = 0.9\n").size());
    const std::string regime = tmp.write("no_minimum.toml", text);

    const auto run = run_json("run --regime " + q(regime) + " --from 2027-03-01 --to 2027-04-01 --store " + q(store) + k_mission);
    CHECK(findings_of(run, "oa-coverage") == 0);
    std::string out;
    REQUIRE(run_avf_stdout("coverage --store " + q(store) + " --rule oa-coverage -f csv", out) == 0);
    // Every zone and period is listed with its fraction, status "reported", the required column empty.
    CHECK_THAT(out, Catch::Contains("oa-coverage,OA-DGP,"));
    CHECK_THAT(out, Catch::Contains(",reported,"));
    CHECK(out.find(",covered,") == std::string::npos);
    CHECK(out.find(",gap,") == std::string::npos);
    REQUIRE(run_avf_stdout("coverage --store " + q(store) + " --gaps -f csv", out) == 0);
    CHECK(out.find("oa-coverage") == std::string::npos);
}

TEST_CASE("avf run --reports --gazetteer: sightings evaluated as detections, both files recorded as inputs", "[cli][run][inputs][reports]") {
    test::TempDir tmp;
    const std::string store = (tmp.path() / "s.h5").string();
    const std::string dir = "tests/scenarios/reports/";
    std::string out;
    REQUIRE(run_avf("zones import " + dir + "zones.geojson --store " + q(store) + " --set reports", out) == 0);
    const std::string base = "run --regime " + dir + "regime.toml --store " + q(store);

    // The scenario's reports: 9 sightings read, 3 rejected (ambiguous and unknown place, bad time),
    // 6 detections; 5 findings of rule p (two certain, three possible), none of the imagery-only rule.
    const auto run = run_json(base + " --reports " + dir + "reports.csv --gazetteer " + dir + "gazetteer.geojson");
    REQUIRE(run["inputs"].size() == 2);
    CHECK(run["inputs"][0]["role"] == "reports");
    CHECK(run["inputs"][0]["read"] == 9);
    CHECK(run["inputs"][0]["rejected"] == 3);
    CHECK(run["inputs"][0]["evaluated"] == 6);
    CHECK(run["inputs"][1]["role"] == "gazetteer");
    CHECK(run["inputs"][1]["evaluated"] == 6);
    CHECK(run["problems"] == 3);
    CHECK(findings_of(run, "p") == 5);
    CHECK(findings_of(run, "p-imagery") == 0);
    {
        storage::StoreReader reader(store);
        const auto info = reader.run_info(run["run_id"].get<std::string>());
        std::vector<std::string> roles;
        for (const auto& in : info.header.inputs) roles.push_back(in.role);
        CHECK(roles == std::vector<std::string>{"regime", "reports", "gazetteer"});
        CHECK_THAT(info.header.options_json, Catch::Contains("\"gazetteer\":\"" + dir + "gazetteer.geojson\""));
        const auto findings = reader.read_findings(run["run_id"].get<std::string>());
        REQUIRE(!findings.empty());
        CHECK(findings[0].evidence.at(0).source_file == dir + "reports.csv");
        CHECK(reader.verify().ok);
    }

    // The ambiguous place is printed with its candidates.
    REQUIRE(run_avf(base + " --quiet --dry-run --reports " + dir + "reports.csv --gazetteer " + dir + "gazetteer.geojson", out) == 0);
    CHECK_THAT(out, Catch::Contains("ambiguous_place"));
    CHECK_THAT(out, Catch::Contains("id G-D1"));

    // --reports needs --gazetteer, and --gazetteer alone is no input.
    CHECK(run_avf(base + " --quiet --reports " + dir + "reports.csv", out) == 2);
    CHECK_THAT(out, Catch::Contains("--reports needs --gazetteer"));
    CHECK(run_avf(base + " --quiet --gazetteer " + dir + "gazetteer.geojson", out) == 2);
    // --gazetteer-layer names the layer (a GeoJSON file's one layer is named after the file); a
    // layer that is not there is refused, naming those that are; without --gazetteer it is no input.
    const auto layered = run_json(base + " --reports " + dir + "reports.csv --gazetteer " + dir + "gazetteer.geojson --gazetteer-layer gazetteer");
    CHECK(findings_of(layered, "p") == 5);
    CHECK(run_avf(base + " --quiet --reports " + dir + "reports.csv --gazetteer " + dir + "gazetteer.geojson --gazetteer-layer towns", out) != 0);
    CHECK_THAT(out, Catch::Contains("towns"));
    CHECK(run_avf(base + " --quiet --reports " + dir + "reports.csv --gazetteer-layer gazetteer", out) == 2);
}

TEST_CASE("the demo's monitoring-mission reports: findings inside and straddling the DMZ, standoffs, an ambiguous and an unknown place",
          "[cli][run][inputs][reports]") {
    test::TempDir tmp;
    const std::string store = reliability::demo_store(tmp.path() / "s.h5");
    const std::string base = "run --regime datasets/demo/regime.toml --from 2027-03-01 --to 2027-04-01 --store " + q(store);
    // The reports alone (datasets/demo/README.md): 13 sightings, 2 refused, 12 detections (one
    // sighting counts two classes); 3 DMZ findings, 2 MDL standoffs, 1 Baltic standoff.
    const auto run = run_json(base + " --reports datasets/demo/reports.csv --gazetteer datasets/demo/gazetteer.geojson");
    REQUIRE(run["inputs"].size() == 2);
    CHECK(run["inputs"][0]["read"] == 13);
    CHECK(run["inputs"][0]["rejected"] == 2);
    CHECK(run["inputs"][0]["evaluated"] == 12);
    CHECK(run["inputs"][1]["evaluated"] == 18);
    CHECK(run["problems"] == 2);
    CHECK(findings_of(run, "dmz-no-military") == 3);
    CHECK(findings_of(run, "arty-standoff-mdl") == 2);
    CHECK(findings_of(run, "rus-blr-arty-standoff") == 1);
    CHECK(findings_of(run, "kor-forward-tanks") == 0);
    CHECK(findings_of(run, "baltic-strip-tanks") == 0);

    std::string out;
    REQUIRE(run_avf_stdout("findings list --store " + q(store) + " --rule dmz-no-military -f csv", out) == 0);
    // 0.5 km NE of Kijong-dong: 834 m inside DMZ-N, its 511 m disk inside (certain); 1 km N of
    // it: 108 m inside, its 992 m disk across the DMZ's northern edge (possible); 0.5 km SSE of
    // 대성동 (Daeseong-dong, named in Hangul): 885 m inside DMZ-S (certain).
    CHECK_THAT(out, Catch::Contains("certain,dmz-no-military,DMZ-N,PRK,troops,2027-03-21T08:10:00Z"));
    CHECK_THAT(out, Catch::Contains("possible,dmz-no-military,DMZ-N,PRK,battle_tank,2027-03-21T09:35:00Z"));
    CHECK_THAT(out, Catch::Contains("certain,dmz-no-military,DMZ-S,KOR,troops,2027-03-21T10:20:00Z"));
    // The store keeps no means of observation or heading: avf findings show reads them back from
    // the reports file the run recorded.
    const auto tank = out.find("possible,dmz-no-military,DMZ-N,PRK,battle_tank");
    REQUIRE(tank != std::string::npos);
    const auto line_start = out.rfind('\n', tank) + 1;
    const std::string id = out.substr(line_start, out.find(',', line_start) - line_start);
    REQUIRE(run_avf_stdout("findings show " + id + " --wide --store " + q(store), out) == 0);
    CHECK_THAT(out, Catch::Contains("observed"));
    CHECK_THAT(out, Catch::Contains("report MMK-0321, mini_uav, heading E (90°)"));
    REQUIRE(run_avf_stdout("findings show " + id + " --store " + q(store) + " --json", out) == 0);
    const auto shown = nlohmann::json::parse(out);
    CHECK(shown["properties"]["evidence"][0]["means"] == "mini_uav");
    CHECK(shown["properties"]["evidence"][0]["heading"] == "E (90°)");
    CHECK(shown["properties"]["evidence"][0]["report_id"] == "MMK-0321");
    REQUIRE(run_avf_stdout("findings list --store " + q(store) + " --problems -f csv", out) == 0);
    CHECK_THAT(out, Catch::Contains("ambiguous_place"));
    CHECK_THAT(out, Catch::Contains("id KOR-GOSEONG"));
    CHECK_THAT(out, Catch::Contains("id PRK-KOSONG"));
    CHECK_THAT(out, Catch::Contains("unknown_place"));
    CHECK_THAT(out, Catch::Contains("closest names: Yeoncheon"));

    // With the rest of the demo's inputs, the same findings for 1 and 2 threads.
    std::string listing[2];
    for (int threads : {1, 2}) {
        const auto whole =
            run_json(base + " --reports datasets/demo/reports.csv --gazetteer datasets/demo/gazetteer.geojson" +
                     " --detections datasets/demo/detections.csv datasets/demo/exercise_detections.csv" +
                     " --declarations datasets/demo/declarations.csv --imagery datasets/mission/images.json" +
                     " --tracks datasets/mission/tracks.csv datasets/korea/aircraft_tracks.csv --routes datasets/mission/route.geojson" +
                     " --threads " + std::to_string(threads));
        REQUIRE(run_avf_stdout("findings list --store " + q(store) + " --run " + whole["run_id"].get<std::string>() + " --limit 0 -f csv",
                               listing[threads - 1]) == 0);
    }
    CHECK(std::count(listing[0].begin(), listing[0].end(), '\n') == 144); // header + the demo's 143 findings
    CHECK(listing[0] == listing[1]);
}
