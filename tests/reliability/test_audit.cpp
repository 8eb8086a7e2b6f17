// The auditor's commands end to end, through the real avf binary: `avf audit verify` on a fresh
// demo store and after tampering with the file's bytes (tests/reliability/tamper.py), `avf audit
// report`, `avf findings diff` after a regime change, reproducibility of the stored results, and
// a full disk during `avf run`.
#include "storage/store.hpp"
#include "tests/reliability/workload.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

using namespace avf;
using namespace avf::reliability;
namespace fs = std::filesystem;

namespace {

const std::string python = "/usr/bin/python3";

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string tamper(const std::string& args) {
    std::string out;
    int code = test::run_command(python + " " + q(test::source_path("tests/reliability/tamper.py")) + " " + args, out);
    INFO(out);
    REQUIRE(code == 0);
    return out;
}

/// A demo store with two runs of the demo regime (1 and 2 threads); returns their ids.
std::pair<std::string, std::string> demo_with_two_runs(const std::string& store) {
    demo_store(store);
    std::string ids[2];
    for (int threads : {1, 2}) {
        std::string out;
        REQUIRE(run_avf("run --regime datasets/demo/regime.toml --detections datasets/demo/detections.csv --quiet --top 0 --threads " +
                        std::to_string(threads) + " --store " + q(store),
                    out) == 0);
    }
    storage::StoreReader reader(store);
    auto chain = reader.audit_chain();
    REQUIRE(chain.size() == 2);
    return {chain[0].run_id, chain[1].run_id};
}

/// A copy of `regime` with `replacements` (exact text, each must occur once) applied.
std::string regime_copy(const test::TempDir& tmp, const std::string& name, const std::vector<std::pair<std::string, std::string>>& replacements) {
    std::string text = read_file(test::source_path("datasets/demo/regime.toml"));
    for (const auto& [from, to] : replacements) {
        auto at = text.find(from);
        REQUIRE(at != std::string::npos);
        REQUIRE(text.find(from, at + 1) == std::string::npos);
        text.replace(at, from.size(), to);
    }
    return tmp.write(name, text);
}

} // namespace

TEST_CASE("audit verify: ok on a fresh demo store, and names run, table and rows after a flipped byte, a forged chunk, a deleted row, a removed "
          "commit record",
          "[reliability][audit]") {
    test::TempDir tmp;
    std::string pristine = (tmp.path() / "pristine.h5").string();
    auto [run_a, run_b] = demo_with_two_runs(pristine);
    std::string store = (tmp.path() / "store.h5").string();
    fs::copy_file(pristine, store);
    std::string out;

    REQUIRE(run_avf("audit verify " + q(store), out) == 0);
    CHECK_THAT(out, Catch::StartsWith("ok: 2 runs, 1 zone sets, 2 chain rows;"));
    CHECK_THAT(out, Catch::Contains("every digest matches its commit record"));
    CHECK_THAT(out, Catch::Contains("chain head: "));
    const std::string findings = "/runs/" + run_b + "/findings";
    // The demo regime's finding count, and the row ranges audit verify names for it.
    const std::size_t n = storage::StoreReader(pristine).read_findings(run_b).size();
    REQUIRE(n > 2);
    const std::string all_rows = "rows 0-" + std::to_string(n - 1);

    // One byte flipped inside a findings row's stored chunk, in the file's bytes: fletcher32 catches it first.
    SECTION("(a) a flipped byte: fletcher32 catches it") {
        CHECK_THAT(tamper("flip-raw " + q(store) + " " + findings + " 1"), Catch::Contains("flipped the byte at file offset"));
        CHECK(run_avf("audit verify " + q(store), out) == 4);
        INFO(out);
        CHECK_THAT(out, Catch::Contains("MISMATCH: run " + run_b + ", table findings, " + all_rows + ": unreadable (fletcher32 checksum"));
        CHECK_THAT(out, Catch::Contains("the store fails verification"));
        CHECK(run_avf("audit verify --run " + q(run_a) + " " + q(store), out) == 0); // the other run is intact
        CHECK(run_avf("findings list --store " + q(store) + " --run " + run_b, out) == 4); // and readers refuse the damaged one
    }
    // One byte of a findings row changed and its chunk rewritten with a valid fletcher32: only the digest can tell.
    SECTION("(a') a forged chunk: only the digest tells") {
        // Byte 582 of the row is inside `measured` (a float64 at offset 576): a forged distance.
        CHECK_THAT(tamper("forge-raw " + q(store) + " " + findings + " 1 582"), Catch::Contains("with a valid fletcher32"));
        CHECK(run_avf("findings list --store " + q(store) + " --run " + run_b + " -f csv", out) == 0); // reads "fine"
        CHECK(run_avf("audit verify " + q(store), out) == 4);
        INFO(out);
        CHECK_THAT(out, Catch::Contains("MISMATCH: run " + run_b +
                                        ", table findings, " + all_rows + ": digest mismatch: the SHA-256 of these rows differs from the commit record"));
    }
    // The dataset rewritten one row shorter, same type, filters and attributes.
    SECTION("(b) a findings row deleted") {
        CHECK_THAT(tamper("delete-row " + q(store) + " " + findings + " 1"), Catch::Contains(std::to_string(n) + " -> " + std::to_string(n - 1) + " rows"));
        CHECK(run_avf("audit verify " + q(store), out) == 4);
        INFO(out);
        CHECK_THAT(out, Catch::Contains("MISMATCH: run " + run_b +
                                        ", table findings, count: the commit record says " + std::to_string(n) + " rows, the dataset has " +
                                        std::to_string(n - 1) + "; the first block that differs from its recorded digest is rows 0-" +
                                        std::to_string(n - 2)));
    }
    // The run is incomplete and never a result.
    SECTION("(c) a run's commit record removed") {
        CHECK_THAT(tamper("delete " + q(store) + " /runs/" + run_b + "/commit"), Catch::Contains("deleted"));
        CHECK(run_avf("audit verify " + q(store), out) == 4);
        INFO(out);
        CHECK_THAT(out, Catch::Contains("MISMATCH: run " + run_b + ", table commit, missing: no commit record: the run is incomplete"));
        CHECK(run_avf("findings list --store " + q(store) + " --run " + run_b, out) == 3);
        CHECK_THAT(out, Catch::Contains("is incomplete"));
        REQUIRE(run_avf("findings list --store " + q(store) + " -f json", out) == 0); // the latest *committed* run
        CHECK(nlohmann::json::parse(out).size() == n);
        CHECK(storage::StoreReader(store).latest_run() == run_a);
    }
    SECTION("--json gives the same verdict for machines") {
        tamper("delete-row " + q(store) + " " + findings + " 5");
        CHECK(run_avf_stdout("audit verify --json " + q(store), out) == 4);
        auto j = nlohmann::json::parse(out);
        CHECK(j["ok"] == false);
        CHECK(j["mismatch"]["run"] == run_b);
        CHECK(j["mismatch"]["table"] == "findings");
        CHECK(j["mismatch"]["location"] == "count");
    }
}

TEST_CASE("audit verify lists an interrupted write's temporary file as not part of the store", "[reliability][audit]") {
    test::TempDir tmp;
    std::string store = demo_store(tmp.path() / "s.h5");
    tmp.write("s.h5.tmp-4242", "half-written copy");
    std::string out;
    REQUIRE(run_avf("audit verify " + q(store), out) == 0);
    CHECK_THAT(out, Catch::Contains("s.h5.tmp-4242 is the temporary file of an interrupted write, not part of the store"));
    REQUIRE(run_avf("run --regime datasets/demo/regime.toml --detections datasets/demo/detections.csv --quiet --top 0 --store " + q(store), out) == 0);
    CHECK_FALSE(fs::exists(tmp.path() / "s.h5.tmp-4242")); // the next writer removed it
}

TEST_CASE("audit report: a self-contained HTML page with summary, provenance, findings by rule and problems, every value escaped",
          "[reliability][audit]") {
    test::TempDir tmp;
    std::string store = demo_store(tmp.path() / "s.h5");
    // An article and a waiver basis with markup: they must come out as text, never as HTML.
    std::string regime = regime_copy(tmp, "regime.toml",
                                     {{"article = \"Armistice Agreement (1953) art. I ¶6-10\"",
                                       "article = \"Armistice <script>alert('x')</script> & \\\"art. I\\\"\""}});
    std::string out;
    REQUIRE(run_avf("run --regime " + q(regime) +
                    " --detections datasets/demo/detections.csv datasets/malformed/detections_bad.csv --quiet --top 0 --store " + q(store),
                out) == 0);
    std::string html = (tmp.path() / "report.html").string();
    REQUIRE(run_avf("audit report --store " + q(store) + " --output " + q(html), out) == 0);
    std::string page = read_file(html);
    storage::StoreReader reader(store);
    std::string run = *reader.latest_run();
    auto info = reader.run_info(run);

    CHECK_THAT(page, Catch::StartsWith("<!DOCTYPE html>"));
    for (const char* section : {"<h2>Verification</h2>", "<h2>Summary</h2>", "<h2>Provenance</h2>", "<h2>Findings by rule</h2>",
                                "<h2>Problems with input records</h2>", "<h3>Regime text"})
        CHECK_THAT(page, Catch::Contains(section));
    for (const char* rule : {"dmz-no-military", "arty-standoff-mdl", "kor-forward-tanks", "baltic-strip-tanks", "baltic-aoa-tanks"})
        CHECK_THAT(page, Catch::Contains(std::string("<h3 id=\"rule-") + rule + "\">Rule " + rule));
    // Provenance: tool version, regime id, inputs with SHA-256, zone set digest, content digest, chain position.
    CHECK_THAT(page, Catch::Contains(info.header.tool_version));
    CHECK_THAT(page, Catch::Contains("demo-korea-baltic"));
    CHECK_THAT(page, Catch::Contains(file_sha256(test::source_path("datasets/demo/detections.csv"))));
    CHECK_THAT(page, Catch::Contains(file_sha256(regime)));
    CHECK_THAT(page, Catch::Contains(info.zone_set_digest));
    CHECK_THAT(page, Catch::Contains(info.content_digest));
    CHECK_THAT(page, Catch::Contains(info.results_digest));
    CHECK_THAT(page, Catch::Contains("row 1 of 1"));
    // Findings with their explanation and evidence ids; problems with their reason.
    auto findings = reader.read_findings(run);
    CHECK_THAT(page, Catch::Contains(findings.front().id));
    // The last finding with evidence (findings such as "no declarations were given" cite none).
    auto with_evidence = std::find_if(findings.rbegin(), findings.rend(), [](const Finding& f) { return !f.evidence.empty(); });
    REQUIRE(with_evidence != findings.rend());
    CHECK_THAT(page, Catch::Contains(with_evidence->evidence.front().record_id));
    auto problems = reader.read_problems(run);
    REQUIRE_FALSE(problems.empty());
    // Self-contained and inert: no script, no external resource, every string escaped.
    CHECK_THAT(page, Catch::Contains("Armistice &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;art. I&quot;"));
    CHECK_THAT(page, !Catch::Contains("<script"));
    CHECK_THAT(page, !Catch::Contains("href="));
    CHECK_THAT(page, !Catch::Contains("src="));
    CHECK_THAT(page, !Catch::Contains("http://"));
    CHECK_THAT(page, !Catch::Contains("https://"));
    CHECK_THAT(page, !Catch::Contains("<link"));

    // Python's HTML parser sees only the expected elements, balanced.
    std::string script = tmp.write("parse.py", R"(import sys
from html.parser import HTMLParser
VOID = {"meta", "br"}
class P(HTMLParser):
    def __init__(self):
        super().__init__(); self.stack = []; self.tags = set()
    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag not in VOID: self.stack.append(tag)
    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-3:])
        self.stack.pop()
p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read()); p.close()
assert not p.stack, p.stack
extra = p.tags - {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "b", "span", "dl", "dt", "dd", "table", "tr", "th", "td", "pre", "code"}
assert not extra, extra
print("balanced", sorted(p.tags))
)");
    CHECK(test::run_command(python + " " + q(script) + " " + q(html), out) == 0);
    INFO(out);

    // A run that fails verification gets no report.
    tamper("forge-raw " + q(store) + " /runs/" + run + "/findings 0 582");
    CHECK(run_avf("audit report --store " + q(store) + " --output " + q(html + "2"), out) == 4);
    CHECK_THAT(out, Catch::Contains("fails verification"));
    CHECK_FALSE(fs::exists(html + "2"));
}

TEST_CASE("findings diff after a regime change lists the expected added, removed and changed findings", "[reliability][diff]") {
    test::TempDir tmp;
    std::string store = demo_store(tmp.path() / "s.h5");
    std::string out;
    std::string base = "--detections datasets/demo/detections.csv --quiet --json --store " + q(store) + " --regime ";
    auto run = [&](const std::string& regime) {
        REQUIRE(run_avf_stdout("run " + base + q(regime), out) == 0);
        return nlohmann::json::parse(out)["run_id"].get<std::string>();
    };
    std::string before = run(test::source_path("datasets/demo/regime.toml"));
    std::string same = run(test::source_path("datasets/demo/regime.toml"));
    // Korean band: 30 -> 35 tanks a day (34 and 33 are no longer over, 38 still is);
    // Baltic area ceiling: 150 -> 94 (95 on 2027-03-10 now is, 157 still is).
    std::string changed_regime = regime_copy(tmp, "regime-v2.toml",
                                             {{"max_count = 30\nwindow = \"P1D\"", "max_count = 35\nwindow = \"P1D\""},
                                              {"max_count = 150", "max_count = 94"}});
    std::string after = run(changed_regime);

    // Same inputs, same regime: nothing differs.
    REQUIRE(run_avf("findings diff " + before + " " + same + " --store " + q(store) + " --fail-on-change", out) == 0);
    CHECK_THAT(out, Catch::Contains("(none)"));
    CHECK_THAT(out, Catch::Contains("0 added, 0 removed, 0 changed, 82 unchanged"));

    REQUIRE(run_avf_stdout("findings diff " + before + " " + after + " --store " + q(store) + " -f json", out) == 0);
    auto rows = nlohmann::json::parse(out);
    std::map<std::string, std::vector<nlohmann::json>> by;
    for (const auto& r : rows) by[r["change"].get<std::string>()].push_back(r);
    INFO(rows.dump(1));
    REQUIRE(by["added"].size() == 1);
    CHECK(by["added"][0]["rule"] == "baltic-aoa-tanks");
    CHECK(by["added"][0]["after"]["measured"] == 95);
    CHECK(by["added"][0]["after"]["limit"] == 94);
    REQUIRE(by["removed"].size() == 2);
    for (const auto& r : by["removed"]) {
        CHECK(r["rule"] == "kor-forward-tanks");
        CHECK(r["before"]["limit"] == 30);
    }
    std::set<double> removed_counts = {by["removed"][0]["before"]["measured"].get<double>(), by["removed"][1]["before"]["measured"].get<double>()};
    CHECK(removed_counts == std::set<double>{33, 34});
    REQUIRE(by["changed"].size() == 2);
    std::map<std::string, nlohmann::json> changed;
    for (const auto& r : by["changed"]) changed[r["rule"].get<std::string>()] = r;
    CHECK(changed["kor-forward-tanks"]["before"]["limit"] == 30);
    CHECK(changed["kor-forward-tanks"]["after"]["limit"] == 35);
    CHECK(changed["baltic-aoa-tanks"]["before"]["limit"] == 150);
    CHECK(changed["baltic-aoa-tanks"]["after"]["limit"] == 94);
    for (const auto& [rule, r] : changed) {
        CHECK_THAT(r["fields"].get<std::string>(), Catch::Contains("limit"));
        CHECK_FALSE(r["after"].contains("measured")); // the same days were counted: only the limit (and its wording) changed
    }

    // Table and CSV for people and spreadsheets; --fail-on-change for scripts.
    REQUIRE(run_avf_stdout("findings diff " + before + " " + after + " --store " + q(store) + " -f csv", out) == 0);
    CHECK_THAT(out, Catch::StartsWith("change,id,rule,target,party,kind,fields,before,after\n"));
    CHECK(run_avf("findings diff " + before + " " + after + " --store " + q(store), out) == 0);
    CHECK_THAT(out, Catch::Contains("1 added, 2 removed, 2 changed, 78 unchanged"));
    CHECK(run_avf("findings diff " + before + " " + after + " --store " + q(store) + " --fail-on-change", out) == 1);
    CHECK(run_avf("findings diff " + before + " nope --store " + q(store), out) == 3);
}

TEST_CASE("reproducibility: the same inputs and regime give byte-identical result tables and the same results digest", "[reliability][repro]") {
    test::TempDir tmp;
    std::string store = demo_store(tmp.path() / "s.h5");
    std::string out;
    std::vector<std::string> ids;
    // Different thread counts and batch sizes, with bad records so the problems table is not empty.
    for (const char* options : {"--threads 1 --batch-size 97", "--threads 2", "--threads 2 --batch-size 5000"}) {
        REQUIRE(run_avf_stdout("run --regime datasets/demo/regime.toml --detections datasets/demo/detections.csv datasets/malformed/detections_bad.csv "
                    "--quiet --json --store " + q(store) + " " + options,
                    out) == 0);
        ids.push_back(nlohmann::json::parse(out)["run_id"].get<std::string>());
    }
    storage::StoreReader reader(store);
    auto first = reader.run_info(ids[0]);
    CHECK(first.problems > 0);
    for (std::size_t i = 1; i < ids.size(); ++i) {
        auto other = reader.run_info(ids[i]);
        CHECK(other.results_digest == first.results_digest);
        CHECK(other.content_digest != first.content_digest); // the run id and times are part of the content
    }
    // The same, recomputed without avf, and the tables compared byte for byte with h5py.
    std::string script = tmp.write("same.py", R"(import sys, h5py
f = h5py.File(sys.argv[1], "r")
runs = [f["runs"][r] for r in sys.argv[2:]]
for name in ("findings", "explanations", "evidence", "problems", "problem_text", "summary", "inputs", "regime_text"):
    blobs = {(r[name][()].tobytes() if name != "regime_text" else r[name][()]) for r in runs}
    assert len(blobs) == 1, name
    print(name, "identical", len(next(iter(blobs))), "bytes")
)");
    REQUIRE(test::run_command(python + " " + q(script) + " " + q(store) + " " + ids[0] + " " + ids[1] + " " + ids[2], out) == 0);
    CHECK_THAT(out, Catch::Contains("findings identical"));
    CHECK_THAT(out, Catch::Contains("problems identical"));
    REQUIRE(test::run_command(python + " " + q(test::source_path("tests/reliability/verify_store.py")) + " " + q(store), out) == 0);
    auto j = nlohmann::json::parse(out);
    for (const auto& id : ids) CHECK(j["runs"][id]["results"] == first.results_digest);
}

TEST_CASE("a full disk during avf run is fatal: exit 4, the path named, nothing published", "[reliability][diskfull]") {
    test::TempDir tmp;
    std::string store = demo_store(tmp.path() / "s.h5");
    std::string detections = make_detections(tmp.path() / "d.csv", 20000);
    std::string before = file_sha256(store);
    auto limit_kib = fs::file_size(store) / 1024 + 64; // room for the copy, not for the run
    std::string out;
    // RLIMIT_FSIZE stands in for a full disk (write() fails with EFBIG instead of ENOSPC); SIGXFSZ
    // is ignored so the write error reaches avf instead of killing it.
    int code = test::run_command("cd " + q(AVF_SOURCE_DIR) + " && bash -c " +
                                     q("trap '' XFSZ; ulimit -f " + std::to_string(limit_kib) + "; exec " + q(test::avf_binary()) +
                                       " run --regime datasets/demo/regime.toml --quiet --top 0 --detections " + q(detections) + " --store " +
                                       q(store)),
                                 out);
    INFO(out);
    CHECK(code == 4);
    CHECK_THAT(out, Catch::Contains(store + ".tmp-"));
    CHECK_THAT(out, Catch::Contains("File too large"));
    CHECK(file_sha256(store) == before);
    CHECK(storage::leftover_temporary_files(store).empty()); // the abandoned copy was removed
    CHECK(storage::StoreReader(store).verify().ok);
}
