// The auditor's commands end to end, through the real avf binary: `avf audit verify` on a fresh
// demo store and after tampering with the file's bytes (tests/reliability/tamper.py), `avf audit
// report`, `avf findings diff` after a regime change, reproducibility of the stored results, and
// a full disk during `avf run`. Issue 16, item 15: consistent forgeries against signed heads,
// receipts and expected heads, a rewritten zone set, members no commit record lists, and a sweep
// of byte flips over the file's HDF5 metadata; item 7: ENOSPC while copying the store.
#include "storage/store.hpp"
#include "tests/reliability/workload.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
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
    // A copy with its member files (tampering it must leave the pristine store's alone).
    std::string store = test::copy_store(pristine, tmp.path() / "work" / "pristine.h5");
    std::string out;

    REQUIRE(run_avf("audit verify " + q(store), out) == 0);
    CHECK_THAT(out, Catch::StartsWith("ok: 2 runs, 1 zone sets, 3 chain rows;"));
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
        CHECK(run_avf("audit verify --run " + q(run_a) + " " + q(store), out) == 0);       // the other run is intact
        CHECK(run_avf("findings list --store " + q(store) + " --run " + run_b, out) == 4); // and readers refuse the damaged one
    }
    // One byte of a findings row changed and its chunk rewritten with a valid fletcher32: only the digest can tell.
    SECTION("(a') a forged chunk: only the digest tells") {
        // Byte 582 of the row is inside `measured` (a float64 at offset 576): a forged distance.
        CHECK_THAT(tamper("forge-raw " + q(store) + " " + findings + " 1 582"), Catch::Contains("with a valid fletcher32"));
        CHECK(run_avf("findings list --store " + q(store) + " --run " + run_b + " -f csv", out) == 0); // reads "fine"
        CHECK(run_avf("audit verify " + q(store), out) == 4);
        INFO(out);
        CHECK_THAT(out, Catch::Contains("MISMATCH: run " + run_b + ", table findings, " + all_rows +
                                        ": digest mismatch: the SHA-256 of these rows differs from the commit record"));
    }
    // The dataset rewritten one row shorter, same type, filters and attributes.
    SECTION("(b) a findings row deleted") {
        CHECK_THAT(tamper("delete-row " + q(store) + " " + findings + " 1"),
                   Catch::Contains(std::to_string(n) + " -> " + std::to_string(n - 1) + " rows"));
        CHECK(run_avf("audit verify " + q(store), out) == 4);
        INFO(out);
        CHECK_THAT(out, Catch::Contains("MISMATCH: run " + run_b + ", table findings, count: the commit record says " + std::to_string(n) +
                                        " rows, the dataset has " + std::to_string(n - 1) +
                                        "; the first block that differs from its recorded digest is rows 0-" + std::to_string(n - 2)));
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
    REQUIRE(run_avf("run --regime datasets/demo/regime.toml --detections datasets/demo/detections.csv --quiet --top 0 --store " + q(store), out) ==
            0);
    CHECK_FALSE(fs::exists(tmp.path() / "s.h5.tmp-4242")); // the next writer removed it
}

TEST_CASE("audit report: a self-contained HTML page with summary, provenance, findings by rule and problems, every value escaped",
          "[reliability][audit]") {
    test::TempDir tmp;
    std::string store = demo_store(tmp.path() / "s.h5");
    // An article and a waiver basis with markup: they must come out as text, never as HTML.
    std::string regime = regime_copy(
        tmp, "regime.toml",
        {{"article = \"Armistice Agreement (1953) art. I ¶6-10\"", "article = \"Armistice <script>alert('x')</script> & \\\"art. I\\\"\""}});
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
    CHECK_THAT(page, Catch::Contains("row 2 of 2")); // after the zone set's row
    // Findings with their explanation and evidence ids; problems with their reason.
    auto findings = reader.read_findings(run);
    CHECK_THAT(page, Catch::Contains(findings.front().id));
    // The last finding with evidence (findings such as "no declarations were given" cite none).
    auto with_evidence = std::find_if(findings.rbegin(), findings.rend(), [](const Finding& f) { return !f.evidence.empty(); });
    REQUIRE(with_evidence != findings.rend());
    CHECK_THAT(page, Catch::Contains(with_evidence->evidence.front().record_id));
    auto problems = reader.read_problems(run);
    REQUIRE_FALSE(problems.empty());
    // Self-contained: no external resource, every string escaped. The map (issue 19; drawn and
    // checked in a browser by tests/cli/map_browser.sh) is the one part with scripts, all inline,
    // its data JSON with '<', '>' and '&' escaped; the rest of the page is inert.
    const std::string map_begin = "<!-- avf map (cli/map_page.cpp)", map_end = "<!-- end of avf map -->";
    REQUIRE(page.find(map_begin) != std::string::npos);
    REQUIRE(page.find(map_end) != std::string::npos);
    const std::string map = page.substr(page.find(map_begin), page.find(map_end) - page.find(map_begin));
    const std::string rest = page.substr(0, page.find(map_begin)) + page.substr(page.find(map_end) + map_end.size());
    CHECK_THAT(page, !Catch::Contains("<script>alert"));
    CHECK_THAT(map, !Catch::Contains("<script src"));
    CHECK_THAT(map, !Catch::Contains("<link"));
    CHECK_THAT(rest, Catch::Contains("Armistice &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;art. I&quot;"));
    CHECK_THAT(rest, !Catch::Contains("<script"));
    CHECK_THAT(rest, !Catch::Contains("href="));
    CHECK_THAT(rest, !Catch::Contains("src="));
    CHECK_THAT(rest, !Catch::Contains("http://"));
    CHECK_THAT(rest, !Catch::Contains("https://"));
    CHECK_THAT(rest, !Catch::Contains("<link"));

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
extra = p.tags - {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "b", "span", "dl", "dt", "dd", "table", "tr", "th", "td", "pre", "code",
                  "div", "script"}
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
    std::string changed_regime = regime_copy(
        tmp, "regime-v2.toml", {{"max_count = 30\nwindow = \"P1D\"", "max_count = 35\nwindow = \"P1D\""}, {"max_count = 150", "max_count = 94"}});
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
        REQUIRE(
            run_avf_stdout("run --regime datasets/demo/regime.toml --detections datasets/demo/detections.csv datasets/malformed/detections_bad.csv "
                           "--quiet --json --store " +
                               q(store) + " " + options,
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
for name in ("findings", "evidence", "rules", "targets", "classes", "parties", "waivers", "dictionary_text", "records", "record_text",
             "problems", "problem_text", "summary", "inputs", "regime_text"):
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
    int code =
        test::run_command("cd " + q(AVF_SOURCE_DIR) + " && bash -c " +
                              q("trap '' XFSZ; ulimit -f " + std::to_string(limit_kib) + "; exec " + q(test::avf_binary()) +
                                " run --regime datasets/demo/regime.toml --quiet --top 0 --detections " + q(detections) + " --store " + q(store)),
                          out);
    INFO(out);
    CHECK(code == 4);
    // Schema 5: the run is written into its member file (<store>.d/runs/<id>.h5.tmp-<pid>), which
    // is what outgrows the limit; the store file's copy is small.
    CHECK_THAT(out, Catch::Contains(store + ".d/runs/run-") && Catch::Contains(".h5.tmp-"));
    CHECK_THAT(out, Catch::Contains("File too large"));
    CHECK(file_sha256(store) == before);
    CHECK(storage::leftover_temporary_files(store).empty()); // the abandoned copy and member file were removed
    CHECK(fs::is_empty(store + ".d/runs"));
    CHECK(storage::StoreReader(store).verify().ok);
}

// =============================================================================================
// Issue 16, item 15: the audit chain anchored by signed heads and receipts.

namespace {

struct Keys {
    std::string key, pub, other_pub;
};

Keys make_keys(const test::TempDir& tmp) {
    Keys k{(tmp.path() / "key.pem").string(), (tmp.path() / "pub.pem").string(), (tmp.path() / "other-pub.pem").string()};
    std::string other = (tmp.path() / "other.pem").string(), out;
    REQUIRE(test::run_command("openssl genpkey -algorithm ed25519 -out " + q(k.key) + " && openssl pkey -in " + q(k.key) + " -pubout -out " +
                                  q(k.pub) + " && openssl genpkey -algorithm ed25519 -out " + q(other) + " && openssl pkey -in " + q(other) +
                                  " -pubout -out " + q(k.other_pub),
                              out) == 0);
    return k;
}

/// The JSON of the last "receipt: {...}" line avf printed on stderr.
nlohmann::json printed_receipt(const std::string& out) {
    auto at = out.rfind("receipt: {");
    REQUIRE(at != std::string::npos);
    auto end = out.find('\n', at);
    return nlohmann::json::parse(out.substr(at + 9, end == std::string::npos ? std::string::npos : end - at - 9));
}

/// A copy of `store` with its member files, in the folder tmp/`name` (same file name: the store
/// file's links name its member folder).
std::string copy_of(const test::TempDir& tmp, const std::string& store, const std::string& name) {
    return test::copy_store(store, tmp.path() / name / fs::path(store).filename());
}

} // namespace

TEST_CASE("a consistent forgery (rows, commit records and chain recomputed) passes plain verify but not --trusted-key or --expect-head",
          "[reliability][audit][anchor]") {
    test::TempDir tmp;
    Keys keys = make_keys(tmp);
    std::string store = demo_store(tmp.path() / "s.h5");
    std::string out;
    const std::string receipt = (tmp.path() / "run.receipt.json").string();
    REQUIRE(run_avf("run --regime datasets/demo/regime.toml --detections datasets/demo/detections.csv --quiet --top 0 --store " + q(store) +
                        " --sign-key " + q(keys.key) + " --receipt " + q(receipt),
                    out) == 0);
    auto r = nlohmann::json::parse(read_file(receipt));
    const std::string run = r["run_id"].get<std::string>(), head = r["head_digest"].get<std::string>();
    CHECK(r["kind"] == "run");
    CHECK(r["sequence"] == 2); // the zone set's import is row 1
    CHECK(r["store"] == store);
    REQUIRE(r["signature"].is_object());
    CHECK(r["signature"]["public_key"].get<std::string>().size() == 64);
    CHECK(storage::StoreReader(store).chain().back().digest == head);

    // The signature checks out with openssl alone, over the message docs/store-format.md §6a gives.
    std::string message = "avf audit chain head\nsequence 2\ndigest " + head + "\nsigned " + r["signature"]["signed_utc"].get<std::string>() + "\n";
    std::string message_file = tmp.write("message", message);
    REQUIRE(test::run_command(python + " -c 'import sys; open(sys.argv[2], \"wb\").write(bytes.fromhex(sys.argv[1]))' " +
                                  q(r["signature"]["ed25519"].get<std::string>()) + " " + q(message_file + ".sig") +
                                  " && openssl pkeyutl -verify -pubin -inkey " + q(keys.pub) + " -rawin -in " + q(message_file) + " -sigfile " +
                                  q(message_file + ".sig"),
                              out) == 0);
    CHECK_THAT(out, Catch::Contains("Signature Verified Successfully"));

    REQUIRE(run_avf("audit verify " + q(store) + " --trusted-key " + q(keys.pub) + " --expect-head " + head, out) == 0);
    CHECK_THAT(out, Catch::Contains("its latest signature covers row 2"));
    CHECK_THAT(out, Catch::Contains("every row of the chain is covered by that signature"));
    CHECK(run_avf("audit verify " + q(store) + " --trusted-key " + q(keys.other_pub), out) == 1); // signed, but not by that key
    CHECK_THAT(out, Catch::Contains("no signature by the trusted key"));

    SECTION("the forgery passes plain verify and fails both anchors") {
        std::string forged = copy_of(tmp, store, "forged.h5");
        CHECK_THAT(tamper("forge-consistent " + q(forged) + " /runs/" + run), Catch::Contains("removed the signatures"));
        CHECK(storage::StoreReader(forged).read_findings(run).front().measured != storage::StoreReader(store).read_findings(run).front().measured);
        REQUIRE(run_avf("audit verify " + q(forged), out) == 0); // consistent: nothing without a key can tell
        CHECK(run_avf("audit verify " + q(forged) + " --trusted-key " + q(keys.pub), out) == 1);
        CHECK_THAT(out, Catch::Contains("NOT TRUSTED: no signature by the trusted key"));
        CHECK(run_avf("audit verify " + q(forged) + " --expect-head " + head, out) == 1);
        CHECK_THAT(out, Catch::Contains("NOT TRUSTED: the expected head " + head + " is not the digest of any row of the chain"));
        CHECK(run_avf_stdout("audit verify --json " + q(forged) + " --expect-head " + head, out) == 1);
        auto j = nlohmann::json::parse(out);
        CHECK(j["ok"] == true);
        CHECK(j["trust"]["trusted"] == false);
    }
    SECTION("a forgery that keeps the signatures no longer verifies at all") {
        std::string forged = copy_of(tmp, store, "forged.h5");
        tamper("forge-consistent " + q(forged) + " /runs/" + run + " --keep-signatures");
        CHECK(run_avf("audit verify " + q(forged), out) == 4);
        CHECK_THAT(out, Catch::Contains("table signatures") && Catch::Contains("the chain was rewritten after it was signed"));
    }
    SECTION("rows after the latest signature are reported as unsigned, and signing covers them") {
        REQUIRE(run_avf("run --regime datasets/demo/regime.toml --detections datasets/demo/detections.csv --quiet --top 0 --store " + q(store),
                        out) == 0);
        auto unsigned_receipt = printed_receipt(out);
        CHECK(unsigned_receipt["signature"].is_null());
        CHECK(unsigned_receipt["sequence"] == 3);
        REQUIRE(run_avf("audit verify " + q(store) + " --trusted-key " + q(keys.pub) + " --expect-head " + head, out) == 0);
        CHECK_THAT(out, Catch::Contains("UNSIGNED: row 3 (run " + unsigned_receipt["run_id"].get<std::string>() + ")"));
        REQUIRE(run_avf("audit sign --store " + q(store) + " --key " + q(keys.key), out) == 0);
        CHECK(printed_receipt(out)["sequence"] == 3);
        REQUIRE(run_avf("audit verify " + q(store) + " --trusted-key " + q(keys.pub), out) == 0);
        CHECK_THAT(out, Catch::Contains("its latest signature covers row 3"));
        CHECK_THAT(out, !Catch::Contains("UNSIGNED"));
    }
}

TEST_CASE("a zone set that no run uses cannot be rewritten unnoticed", "[reliability][audit][anchor]") {
    test::TempDir tmp;
    Keys keys = make_keys(tmp);
    std::string store = demo_store(tmp.path() / "s.h5");
    std::string out;
    REQUIRE(run_avf("zones import datasets/mission/zones.geojson --store " + q(store) + " --set spare --sign-key " + q(keys.key), out) == 0);
    auto receipt = printed_receipt(out);
    CHECK(receipt["kind"] == "zone_set");
    CHECK(receipt["zone_set"] == "spare");
    CHECK(receipt["sequence"] == 2);
    const std::string head = receipt["head_digest"].get<std::string>();

    SECTION("the set and its commit record rewritten: its chain row no longer matches") {
        tamper("forge-consistent " + q(store) + " /zones/spare --no-chain");
        CHECK(run_avf("audit verify " + q(store), out) == 4);
        CHECK_THAT(out, Catch::Contains("MISMATCH: zone set spare, table chain, digest: the zone set's commit digest differs from the content_digest "
                                        "recorded in the chain"));
    }
    SECTION("the chain recomputed too: only the anchors tell") {
        tamper("forge-consistent " + q(store) + " /zones/spare");
        CHECK(run_avf("audit verify " + q(store), out) == 0);
        CHECK(run_avf("audit verify " + q(store) + " --expect-head " + head, out) == 1);
        CHECK(run_avf("audit verify " + q(store) + " --trusted-key " + q(keys.pub), out) == 1);
    }
}

TEST_CASE("a dataset or an attribute added to a committed group is a mismatch", "[reliability][audit][exact]") {
    test::TempDir tmp;
    std::string store = demo_store(tmp.path() / "s.h5");
    std::string out;
    REQUIRE(run_avf("run --regime datasets/demo/regime.toml --detections datasets/demo/detections.csv --quiet --top 0 --store " + q(store), out) ==
            0);
    const std::string run = *storage::StoreReader(store).latest_run();
    SECTION("a dataset") {
        tamper("add-dataset " + q(store) + " /runs/" + run + " corrections");
        CHECK(run_avf("audit verify " + q(store), out) == 4);
        CHECK_THAT(out, Catch::Contains("MISMATCH: run " + run +
                                        ", table corrections, extra: the group holds 'corrections', which its commit record "
                                        "does not list"));
    }
    SECTION("an attribute of the group") {
        tamper("add-attribute " + q(store) + " /zones/demo approved_by someone");
        CHECK(run_avf("audit verify " + q(store), out) == 4);
        CHECK_THAT(out, Catch::Contains("MISMATCH: zone set demo, table attributes, extra: attribute 'approved_by'"));
    }
    SECTION("an attribute of a member") {
        tamper("add-attribute " + q(store) + " /runs/" + run + "/findings withdrawn yes");
        CHECK(run_avf("audit verify " + q(store), out) == 4);
        CHECK_THAT(out, Catch::Contains("table findings, extra: attribute 'withdrawn'"));
    }
}

TEST_CASE("single-byte flips in the HDF5 metadata: every file audit verify calls ok is fully readable by h5py", "[reliability][audit][sweep]") {
    test::TempDir tmp;
    std::string store = demo_store(tmp.path() / "s.h5");
    std::string out;
    REQUIRE(run_avf("run --regime datasets/demo/regime.toml --detections datasets/demo/detections.csv --quiet --top 0 --store " + q(store), out) ==
            0);
    // 200 seeded positions among the bytes that hold no chunk of data (superblock, object
    // headers, B-trees, heaps): fletcher32 covers the chunks. On the build before issue 16,
    // 49 of the 145 files verify called ok could not be read in full (same sweep).
    REQUIRE(test::run_command(python + " " + q(test::source_path("tests/reliability/tamper.py")) + " flip-sweep " + q(store) + " " +
                                  q(test::avf_binary()) + " 200 16",
                              out) == 0);
    INFO(out);
    auto j = nlohmann::json::parse(out.substr(out.find('{')));
    std::cout << "\n== metadata flip sweep: " << j["trials"] << " flips over " << j["metadata_bytes"] << " metadata bytes: " << j["verify_ok"]
              << " verified ok (all readable: " << j["ok_and_readable"] << "), " << j["verify_mismatch"] << " rejected\n";
    CHECK(j["ok_but_unreadable"].empty());
    CHECK(j["verify_other"].empty());     // never a crash or an internal error: ok or exit 4
    CHECK(j["verify_ok"].get<int>() > 0); // the sweep reached bytes that do not matter, too
    CHECK(j["verify_mismatch"].get<int>() > 0);
}

TEST_CASE("usage and input errors of the anchoring options", "[reliability][audit][anchor]") {
    test::TempDir tmp;
    Keys keys = make_keys(tmp);
    std::string store = demo_store(tmp.path() / "s.h5");
    std::string out;
    CHECK(run_avf("audit verify " + q(store) + " --expect-head 1234", out) == 2);
    CHECK_THAT(out, Catch::Contains("64 lowercase hex characters"));
    CHECK(run_avf("audit verify " + q(store) + " --run x --trusted-key " + q(keys.pub), out) == 2);
    CHECK(run_avf("audit verify " + q(store) + " --trusted-key " + q(store), out) == 3); // not a key
    CHECK(run_avf("audit verify " + q(store) + " --trusted-key " + q((tmp.path() / "none.pem").string()), out) == 4);
    std::string existing = tmp.write("kept.json", "{}\n");
    CHECK(run_avf("audit sign --store " + q(store) + " --key " + q(keys.key) + " --receipt " + q(existing), out) == 2);
    CHECK_THAT(out, Catch::Contains("receipts are never overwritten"));
    CHECK(read_file(existing) == "{}\n");
    CHECK(run_avf("audit sign --store " + q(store) + " --key " + q(keys.pub), out) == 3); // a public key cannot sign
    CHECK(storage::StoreReader(store).signatures().empty());
}

// Issue 16, item 7 (storage half): the store is copied before every write; a full disk there must
// say so. ENOSPC is injected at the first write() of `avf zones import` (the copy) with libfiu.
TEST_CASE("ENOSPC while copying the store: exit 4, 'No space left on device' with the paths, the store untouched", "[reliability][diskfull]") {
    test::TempDir tmp;
    std::string store = demo_store(tmp.path() / "s.h5");
    const std::string before = file_sha256(store);
    REQUIRE(fs::exists("/usr/lib/fiu/fiu_posix_preload.so")); // scripts/install-deps.sh installs fiu-utils
    const std::string preload =
        reliability::asan_runtime_first() + "/usr/lib/fiu/fiu_run_preload.so /usr/lib/fiu/fiu_posix_preload.so " + AVF_FAIL_NTH_LIBRARY;
    std::string out;
    int code = test::run_command("cd " + q(AVF_SOURCE_DIR) + " && env LD_PRELOAD=" + q(preload) +
                                     " FIU_ENABLE= FIU_CTRL_FIFO= AVF_FAIL_POINT=posix/io/rw/write AVF_FAIL_NTH=1 AVF_FAIL_ERRNO=28 " +
                                     q(test::avf_binary()) + " zones import datasets/mission/zones.geojson --store " + q(store) + " --set spare",
                                 out);
    INFO(out);
    CHECK(code == 4);
    CHECK_THAT(out, Catch::Contains("cannot copy the store " + store + " to its temporary copy: No space left on device"));
    CHECK_THAT(out, Catch::Contains(store + ".tmp-"));
    CHECK_THAT(out, !Catch::Contains("Input/output error"));
    CHECK(file_sha256(store) == before);
    CHECK(storage::leftover_temporary_files(store).empty());
}
