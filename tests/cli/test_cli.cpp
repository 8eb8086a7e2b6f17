#include "storage/store.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

using avf::test::run_command;
using avf::test::source_path;

namespace {
std::string avf() {
    return avf::test::avf_binary();
}
std::string q(const std::string& s) {
    return "'" + s + "'";
}

// Runs avf with arguments from the repository root; returns the exit code.
int avf_run(const std::string& args, std::string& out) {
    return run_command("cd " + q(AVF_SOURCE_DIR) + " && " + q(avf()) + " " + args, out);
}

std::string import_demo(const avf::test::TempDir& tmp) {
    std::string store = (tmp.path() / "demo.h5").string();
    std::string out;
    int code = avf_run("zones import datasets/korea/zones.geojson datasets/korea/lines.geojson datasets/baltic/zones.geojson "
                       "datasets/baltic/lines.geojson datasets/mission/zones.geojson --store " +
                           q(store) + " --set demo",
                       out);
    INFO(out);
    REQUIRE(code == 0);
    return store;
}
} // namespace

TEST_CASE("every command has --help, usage errors exit 2", "[cli]") {
    std::string out;
    for (const char* cmd : {"", "zones", "zones import", "zones validate", "zones list", "zones show", "regime check", "run", "findings list",
                            "findings show", "findings export"}) {
        INFO(cmd);
        CHECK(avf_run(std::string(cmd) + " --help", out) == 0);
        CHECK(out.find("Usage:") != std::string::npos);
    }
    CHECK(avf_run("--version", out) == 0);
    CHECK(out.rfind("avf 0.", 0) == 0);
    CHECK(avf_run("zones import --bogus", out) == 2);
    CHECK(avf_run("frobnicate", out) == 2);
    CHECK(avf_run("run --regime x.toml --store s.h5 --detections d.csv --threads -3", out) == 2);
    CHECK(out.find("--threads") != std::string::npos);
}

TEST_CASE("zones validate names each malformed fixture's defect and feature, nothing crashes", "[cli][malformed]") {
    struct Case {
        const char* file;
        int exit;
        const char* code;
        const char* feature;
    };
    const Case cases[] = {
        {"unclosed_ring.geojson", 0, "ring_not_closed", "Z-UNCLOSED"},
        {"bowtie.geojson", 1, "self_intersection", "Z-BOWTIE"},
        {"lat95.geojson", 1, "coordinate_out_of_range", "Z-LAT95"},
        {"nan_coordinate.geojson", 1, "not_finite", "Z-NAN"},
        {"duplicate_id.geojson", 1, "duplicate_id", "Z-GOOD"},
        {"spike.geojson", 0, "spike", "Z-SPIKE"},
        {"duplicate_vertex.geojson", 0, "duplicate_vertex", "Z-DUPVERT"},
        {"antimeridian.geojson", 1, "crosses_antimeridian", "Z-ANTIMERIDIAN"},
        {"empty_geometry.geojson", 1, "empty_geometry", "Z-EMPTY"},
        {"null_geometry.geojson", 1, "empty_geometry", "Z-NULL"},
        {"empty_layer.geojson", 1, "empty_layer", ""},
        {"truncated.geojson", 1, "unreadable", ""},
        {"no_crs/no_crs.shp", 1, "missing_crs", ""},
    };
    for (const auto& c : cases) {
        std::string out;
        int code = avf_run("zones validate datasets/malformed/" + std::string(c.file), out);
        INFO(c.file << "\n" << out);
        CHECK(code == c.exit);
        CHECK(out.find(c.code) != std::string::npos);
        if (*c.feature) CHECK(out.find("id=" + std::string(c.feature)) != std::string::npos);
    }
    std::string out;
    CHECK(avf_run("zones validate datasets/malformed/no_crs/no_crs.shp --assume-crs EPSG:4326", out) == 0);
    CHECK(avf_run("zones validate datasets/malformed/bowtie.geojson -f json", out) == 1);
    CHECK(out.find("\"code\": \"self_intersection\"") != std::string::npos);
}

TEST_CASE("zones import, list and show, sets are immutable", "[cli][store]") {
    avf::test::TempDir tmp;
    std::string store = import_demo(tmp);
    std::string out;
    REQUIRE(avf_run("zones list --store " + q(store), out) == 0);
    CHECK(out.find("demo") != std::string::npos);
    REQUIRE(avf_run("zones list --store " + q(store) + " --set demo -f csv", out) == 0);
    CHECK(out.find("DMZ-N,") != std::string::npos);
    CHECK(out.find("MDL,") != std::string::npos);
    REQUIRE(avf_run("zones show DMZ-S --store " + q(store) + " -f json", out) == 0);
    CHECK(out.find("\"parent\": \"DMZ\"") != std::string::npos);
    CHECK(out.find("\"source_sha256\"") != std::string::npos);
    CHECK(avf_run("zones show NOPE --store " + q(store), out) == 3);
    // Importing under an existing name is refused and leaves the store untouched.
    auto before = std::filesystem::file_size(store);
    CHECK(avf_run("zones import datasets/korea/zones.geojson --store " + q(store) + " --set demo", out) == 3);
    CHECK(out.find("already exists") != std::string::npos);
    CHECK(std::filesystem::file_size(store) == before);
    // A strict import stops at the first rejected feature and writes nothing.
    CHECK(avf_run("zones import datasets/malformed/bowtie.geojson --store " + q(store) + " --set bad --strict", out) == 3);
    CHECK(avf_run("zones list --store " + q(store) + " -f csv", out) == 0);
    CHECK(out.find("bad,") == std::string::npos);
}

TEST_CASE("the demo run: every rule type fires, 1 and 2 threads give byte-identical tables, exports open", "[cli][run]") {
    avf::test::TempDir tmp;
    std::string store = import_demo(tmp);
    std::string out;
    REQUIRE(avf_run("regime check datasets/demo/regime.toml --store " + q(store), out) == 0);
    std::string runs[2];
    for (int threads : {1, 2}) {
        int code = avf_run("run --regime datasets/demo/regime.toml --store " + q(store) +
                               " --detections datasets/demo/detections.csv --quiet --json --threads " + std::to_string(threads),
                           out);
        INFO(out);
        REQUIRE(code == 0);
        auto pos = out.find("\"run_id\": \"");
        REQUIRE(pos != std::string::npos);
        runs[threads - 1] = out.substr(pos + 11, out.find('"', pos + 11) - pos - 11);
        for (const char* rule : {"dmz-no-military", "arty-standoff-mdl", "kor-forward-tanks", "baltic-strip-tanks", "baltic-aoa-tanks"})
            CHECK(out.find(rule) != std::string::npos);
    }
    REQUIRE(runs[0] != runs[1]);

    // The stored tables, read independently with h5py, are byte-identical.
    std::string script = tmp.write("same.py", R"(import sys, h5py
f = h5py.File(sys.argv[1], "r")
a, b = f["runs"][sys.argv[2]], f["runs"][sys.argv[3]]
for name in ("findings", "evidence", "problems"):
    x, y = a[name][()], b[name][()]
    assert x.tobytes() == y.tobytes(), name
    print(name, len(x))
)");
    REQUIRE(run_command("/usr/bin/python3 " + q(script) + " " + q(store) + " " + runs[0] + " " + runs[1], out) == 0);
    // 79 findings of the detection rules, plus one `unverifiable` finding per fusion rule
    // (blr-declared-holdings, lva-declared-holdings, vd11-activities): this run was given no --declarations.
    CHECK(out.find("findings 82") != std::string::npos);

    REQUIRE(avf_run("findings list --store " + q(store) + " --rule baltic-strip-tanks -f csv", out) == 0);
    CHECK(out.find("exempted") != std::string::npos);
    CHECK(out.find("lva-exercise-0312") != std::string::npos);

    std::string gpkg = (tmp.path() / "f.gpkg").string();
    REQUIRE(avf_run("findings export --store " + q(store) + " --format gpkg --output " + q(gpkg), out) == 0);
    REQUIRE(run_command("ogrinfo -so " + q(gpkg) + " findings", out) == 0);
    CHECK(out.find("Feature Count: 82") != std::string::npos);
    std::string geojson = (tmp.path() / "f.geojson").string();
    REQUIRE(avf_run("findings export --store " + q(store) + " --format geojson --kind violation --output " + q(geojson), out) == 0);
    REQUIRE(run_command("ogrinfo -so -al " + q(geojson), out) == 0);
    CHECK(out.find("Feature Count: 78") != std::string::npos);

    // show by id prefix
    REQUIRE(avf_run("findings list --store " + q(store) + " --rule baltic-aoa-tanks -f csv", out) == 0);
    auto line = out.substr(out.find('\n') + 1);
    std::string id = line.substr(0, 10);
    REQUIRE(avf_run("findings show " + id + " --store " + q(store), out) == 0);
    CHECK(out.find("Evidence (37)") != std::string::npos);
}

TEST_CASE("a store written by a run opens with h5dump and shows the zone table", "[cli][store]") {
    avf::test::TempDir tmp;
    std::string store = import_demo(tmp);
    std::string out;
    REQUIRE(run_command("h5dump -H " + q(store), out) == 0);
    CHECK(out.find("GROUP \"zones\"") != std::string::npos);
    CHECK(out.find("DATASET \"zones\"") != std::string::npos);
    REQUIRE(run_command("/usr/bin/python3 -c \"import h5py; f = h5py.File('" + store +
                            "', 'r'); z = f['zones/demo/zones'][()]; print(len(z)); print(sorted(x.decode() for x in z['id']))\"",
                        out) == 0);
    CHECK(out.rfind("11\n", 0) == 0); // 9 Natural Earth zones, 2 observation areas of the mission
    CHECK(out.find("'DMZ-N'") != std::string::npos);
}

TEST_CASE("store pack: one file that audit verify accepts alone and that lists the same findings", "[cli][store][pack]") {
    avf::test::TempDir tmp;
    std::string store = import_demo(tmp);
    std::string out;
    REQUIRE(avf_run("run --regime datasets/demo/regime.toml --detections datasets/demo/detections.csv --quiet --top 0 --store " + q(store), out) ==
            0);
    // Schema 5: the run and the zone set are member files beside the store file.
    CHECK(std::filesystem::is_directory(store + ".d/runs"));
    std::string listed;
    REQUIRE(avf_run("findings list --store " + q(store), listed) == 0);
    std::filesystem::create_directories(tmp.path() / "handover");
    const std::string packed = (tmp.path() / "handover" / "one.h5").string();
    REQUIRE(avf_run("store pack " + q(store) + " -o " + q(packed), out) == 0);
    CHECK_THAT(out, Catch::Contains("1 runs and 1 zone sets copied from member files"));
    CHECK_FALSE(std::filesystem::exists(packed + ".d"));
    std::filesystem::remove_all(store + ".d"); // the packed file needs nothing else
    CHECK(avf_run("audit verify " + q(packed), out) == 0);
    CHECK_THAT(out, Catch::StartsWith("ok: 1 runs, 1 zone sets, 2 chain rows;"));
    std::string listed_packed;
    REQUIRE(avf_run("findings list --store " + q(packed), listed_packed) == 0);
    CHECK(listed_packed == listed);
    CHECK(avf_run("store pack " + q(packed) + " -o " + q(packed), out) == 2); // never over a file
    CHECK(avf_run("store pack " + q(packed), out) == 2);                      // -o is required
}

TEST_CASE("bad input: problems are stored and counted, --strict stops, --fail-on", "[cli][run]") {
    avf::test::TempDir tmp;
    std::string store = import_demo(tmp);
    std::string out;
    std::string base = "run --regime datasets/demo/regime.toml --store " + q(store) + " --detections datasets/malformed/detections_bad.csv --quiet";
    REQUIRE(avf_run(base, out) == 0);
    CHECK(out.find("9 problems with input records") != std::string::npos);
    REQUIRE(avf_run("findings list --problems --store " + q(store) + " -f csv", out) == 0);
    CHECK(out.find("coordinate_out_of_range") != std::string::npos);
    CHECK(out.find("duplicate_id") != std::string::npos);
    CHECK(avf_run(base + " --strict", out) == 3);
    CHECK(out.find("--strict") != std::string::npos);
    CHECK(avf_run(base + " --fail-on problem", out) == 1);
    CHECK(avf_run("run --regime datasets/demo/regime.toml --store " + q(store) + " --detections missing.csv --quiet", out) == 4);
    CHECK(avf_run("run --regime datasets/demo/regime.toml --store " + q((tmp.path() / "none.h5").string()) +
                      " --detections datasets/demo/detections.csv --quiet",
                  out) == 4);
}

TEST_CASE("the demo mission: sensor, route and coverage findings, identical for 1 and 2 threads, avf coverage, audit verify", "[cli][run][imagery]") {
    avf::test::TempDir tmp;
    std::string store = import_demo(tmp);
    std::string out;
    const std::string mission =
        " --imagery datasets/mission/images.json --tracks datasets/mission/tracks.csv --routes datasets/mission/route.geojson";
    std::string runs[2];
    for (int threads : {1, 2}) {
        int code = avf_run("run --regime datasets/demo/regime.toml --store " + q(store) +
                               " --detections datasets/demo/detections.csv --from 2027-03-01 "
                               "--to 2027-04-01 --quiet --json --threads " +
                               std::to_string(threads) + mission,
                           out);
        INFO(out);
        REQUIRE(code == 0);
        auto pos = out.find("\"run_id\": \"");
        REQUIRE(pos != std::string::npos);
        runs[threads - 1] = out.substr(pos + 11, out.find('"', pos + 11) - pos - 11);
        CHECK(out.find("\"images\": 37") != std::string::npos);
        CHECK(out.find("\"flights\": 1") != std::string::npos);
    }
    std::string script = tmp.write("same.py", R"(import sys, h5py
f = h5py.File(sys.argv[1], "r")
a, b = f["runs"][sys.argv[2]], f["runs"][sys.argv[3]]
for name in ("findings", "evidence", "problems", "images", "image_wkb", "flights", "flight_wkb", "coverage", "coverage_wkb"):
    x, y = a[name][()], b[name][()]
    assert x.tobytes() == y.tobytes(), name
    print(name, len(x))
)");
    REQUIRE(run_command("/usr/bin/python3 " + q(script) + " " + q(store) + " " + runs[0] + " " + runs[1], out) == 0);
    CHECK(out.find("images 37") != std::string::npos);
    CHECK(out.find("flights 1") != std::string::npos);
    CHECK(out.find("coverage 2") != std::string::npos);

    // The image below the limit (0.24 m at 700 m): resolution and height; the low sensor-on fixes.
    REQUIRE(avf_run("findings list --store " + q(store) + " --rule os-sensor-limits -f csv", out) == 0);
    CHECK(std::count(out.begin(), out.end(), '\n') == 4); // header + 3
    CHECK(out.find("0.24") != std::string::npos);
    // The leg outside the 50 km corridor and the pass within 10 km of the Belarusian border.
    REQUIRE(avf_run("findings list --store " + q(store) + " --rule os-route -f csv", out) == 0);
    CHECK(out.find("LVA-BLR") != std::string::npos);
    CHECK(out.find("OS7012") != std::string::npos);
    // The Rezekne site half imaged at <= 0.5 m: a coverage gap; Daugavpils covered.
    REQUIRE(avf_run("findings list --store " + q(store) + " --rule oa-coverage -f csv", out) == 0);
    CHECK(out.find("coverage_gap") != std::string::npos);
    CHECK(out.find("OA-REZ") != std::string::npos);
    CHECK(out.find("OA-DGP") == std::string::npos);
    REQUIRE(avf_run("coverage --store " + q(store) + " -f csv", out) == 0);
    CHECK(out.find("oa-coverage,OA-DGP,") != std::string::npos);
    CHECK(out.find("covered") != std::string::npos);
    CHECK(out.find("gap") != std::string::npos);
    REQUIRE(avf_run("coverage --store " + q(store) + " --gaps -f json", out) == 0);
    CHECK(out.find("OA-REZ") != std::string::npos);
    CHECK(out.find("OA-DGP") == std::string::npos);

    REQUIRE(avf_run("audit verify " + q(store), out) == 0);
    // Without the mission the imagery rules are not evaluated, and the run says so.
    REQUIRE(avf_run("run --regime datasets/demo/regime.toml --store " + q(store) + " --detections datasets/demo/detections.csv --quiet", out) == 0);
    CHECK(out.find("Not evaluated (no --imagery, --tracks or --routes given): os-sensor-limits, os-route, oa-coverage") != std::string::npos);
}

TEST_CASE("the demo run with declarations: every fusion outcome, identical with 1 and 2 threads and with shuffled inputs",
          "[cli][run][declarations]") {
    avf::test::TempDir tmp;
    std::string store = import_demo(tmp);
    std::string out;
    const std::string base = "run --regime datasets/demo/regime.toml --store " + q(store) + " --from 2027-03-01 --to 2027-04-01 --quiet --json ";
    const std::string mission =
        " --imagery datasets/mission/images.json --tracks datasets/mission/tracks.csv --routes datasets/mission/route.geojson";
    std::string runs[2];
    for (int threads : {1, 2}) {
        int code = avf_run(base +
                               "--detections datasets/demo/detections.csv datasets/demo/exercise_detections.csv "
                               "--declarations datasets/demo/declarations.csv --threads " +
                               std::to_string(threads) + mission,
                           out);
        INFO(out);
        REQUIRE(code == 0);
        auto pos = out.find("\"run_id\": \"");
        REQUIRE(pos != std::string::npos);
        runs[threads - 1] = out.substr(pos + 11, out.find('"', pos + 11) - pos - 11);
        CHECK(out.find("\"role\": \"declarations\"") != std::string::npos);
    }
    std::string script = tmp.write("same.py", R"(import sys, h5py
f = h5py.File(sys.argv[1], "r")
a, b = f["runs"][sys.argv[2]], f["runs"][sys.argv[3]]
for name in ("findings", "evidence", "problems"):
    assert a[name][()].tobytes() == b[name][()].tobytes(), name
print("same")
)");
    REQUIRE(run_command("/usr/bin/python3 " + q(script) + " " + q(store) + " " + runs[0] + " " + runs[1], out) == 0);

    auto listing = [&](const std::string& run) {
        std::string csv;
        REQUIRE(avf_run("findings list --store " + q(store) + " --run " + run + " --rule blr-declared-holdings -f csv", csv) == 0);
        std::string more;
        REQUIRE(avf_run("findings list --store " + q(store) + " --run " + run + " --rule vd11-activities -f csv", more) == 0);
        std::string lva;
        REQUIRE(avf_run("findings list --store " + q(store) + " --run " + run + " --rule lva-declared-holdings -f csv", lva) == 0);
        return csv + more + lva;
    };
    const std::string fused = listing(runs[0]);
    for (const char* what : {"undeclared:", "count mismatch:", "coverage gap:", "unconfirmed:", "LVA-AEMI-101",
                             "not notified:", "late notification:", "under-declared:", "observation threshold", "observed", "confidence 0.",
                             "BLR-VD-EX1-T"}) // schema 4: the sentence holds what the row holds (no declared quantity, no sources)
        CHECK(fused.find(what) != std::string::npos);

    // Shuffled rows and file order: the same findings (ids name the files, so explanations,
    // kinds and values are compared).
    auto shuffled = [&](const std::string& rel, const std::string& name) {
        std::ifstream in(source_path(rel));
        std::string header, line;
        std::getline(in, header);
        std::vector<std::string> rows;
        while (std::getline(in, line)) rows.push_back(line);
        std::reverse(rows.begin(), rows.end());
        std::rotate(rows.begin(), rows.begin() + static_cast<long>(rows.size() / 3), rows.end());
        std::string text = header + "\n";
        for (const auto& r : rows) text += r + "\n";
        return tmp.write(name, text);
    };
    const std::string dets = shuffled("datasets/demo/exercise_detections.csv", "exercise_detections.csv");
    const std::string decls = shuffled("datasets/demo/declarations.csv", "declarations.csv");
    REQUIRE(avf_run(base + "--detections " + q(dets) + " datasets/demo/detections.csv --declarations " + q(decls) + " --threads 2" + mission, out) ==
            0);
    auto pos = out.find("\"run_id\": \"");
    const std::string run3 = out.substr(pos + 11, out.find('"', pos + 11) - pos - 11);
    auto essentials = [](const std::string& csv) {
        // kind, certainty, rule, target, party, class, time, lon, lat, measured, limit, unit, confidence, evidence count, explanation
        std::vector<std::string> rows;
        std::istringstream in(csv);
        std::string line;
        std::getline(in, line);
        while (std::getline(in, line)) rows.push_back(line.substr(line.find(',') + 1));
        std::sort(rows.begin(), rows.end());
        return rows;
    };
    CHECK(essentials(listing(run3)) == essentials(fused));
}

TEST_CASE("a run citing more records than the records window stores them again and reads back the same findings", "[cli][run][records]") {
    // The records dictionary finds a record again only within its window (2^22 records,
    // storage/finding_codec.hpp); AVF_TEST_RECORD_WINDOW=8 makes the demo span many windows.
    avf::test::TempDir tmp;
    std::string store = import_demo(tmp);
    const std::string run = "run --regime datasets/demo/regime.toml --store " + q(store) +
                            " --from 2027-03-01 --to 2027-04-01 --quiet --json --threads 2 "
                            "--detections datasets/demo/detections.csv datasets/demo/exercise_detections.csv "
                            "--declarations datasets/demo/declarations.csv";
    std::string runs[2], out;
    for (const char* window : {"", "AVF_TEST_RECORD_WINDOW=8 "}) {
        int code = run_command("cd " + q(AVF_SOURCE_DIR) + " && " + window + q(avf::test::avf_binary()) + " " + run, out);
        INFO(out);
        REQUIRE(code == 0);
        auto pos = out.find("\"run_id\": \"");
        REQUIRE(pos != std::string::npos);
        runs[*window ? 1 : 0] = out.substr(pos + 11, out.find('"', pos + 11) - pos - 11);
    }
    REQUIRE(avf_run("audit verify " + q(store), out) == 0);

    // The small window stored records again under new codes: more rows, and every finding rests on
    // the same records (kind, input, id, position), read independently with h5py.
    std::string script = tmp.write("records.py", R"(import sys, h5py
f = h5py.File(sys.argv[1], "r")
def evidence(run):
    g = f["runs"][run]
    text = g["record_text"][()].tobytes()
    records = []
    for r in g["records"][()]:
        at, n, m = int(r["text_offset"]), int(r["id_length"]), int(r["position_length"])
        records.append((int(r["kind"]), int(r["input"]), text[at:at + n], text[at + n:at + n + m]))
    cited = g["evidence"]["record"][()]
    rows = []
    for r in g["findings"][()]:
        count, first = int(r["evidence_count"]), int(r["evidence"])
        codes = [first] if count == 1 else [int(c) for c in cited[first:first + count]]
        rows.append([records[c] for c in codes])
    return len(records), rows
(n0, e0), (n1, e1) = evidence(sys.argv[2]), evidence(sys.argv[3])
assert e0 == e1, "the findings rest on other records"
print(n0, n1, sum(len(e) for e in e0))
)");
    REQUIRE(run_command("/usr/bin/python3 " + q(script) + " " + q(store) + " " + runs[0] + " " + runs[1], out) == 0);
    std::istringstream counts(out);
    std::size_t once = 0, again = 0, cited = 0;
    counts >> once >> again >> cited;
    INFO(out);
    CHECK(once > 8);
    CHECK(again > once);
    CHECK(cited > once); // the default window finds the records cited again

    std::string listed[2];
    for (int i : {0, 1}) {
        REQUIRE(avf_run("findings export --store " + q(store) + " --run " + runs[i] + " --output " +
                            q((tmp.path() / ("f" + std::to_string(i) + ".csv")).string()),
                        out) == 0);
        std::ifstream in(tmp.path() / ("f" + std::to_string(i) + ".csv"));
        listed[i].assign(std::istreambuf_iterator<char>(in), {});
    }
    CHECK(listed[0].size() > 1000);
    CHECK(listed[0] == listed[1]);
    // A fused finding resting on many records shows each of them.
    REQUIRE(avf_run("findings list --store " + q(store) + " --run " + runs[1] + " --rule baltic-aoa-tanks -f csv", out) == 0);
    const std::string id = out.substr(out.find('\n') + 1, 10);
    REQUIRE(avf_run("findings show " + id + " --store " + q(store) + " --run " + runs[1], out) == 0);
    CHECK(out.find("Evidence (37)") != std::string::npos);
}
