// Reading a run that spans several batches of the store's cursor (4096 rows): `findings list
// --limit N` prints the first N findings in stored order, filters apply while the run is streamed,
// the streamed GeoJSON is the whole run, and `findings diff` (a merge of the two runs' stored
// order) matches a finding whose target or start changed by its id, and falls back to comparing
// in memory for a run that is not in stored order.
#include "core/explanation.hpp"
#include "storage/store.hpp"
#include "tests/storage/sample_store.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>
#include <tuple>
#include <vector>

using namespace avf;
using avf::test::run_command;

namespace {

std::string q(const std::string& s) {
    return "'" + s + "'";
}

/// avf's stdout (stderr to `err` when given); returns the exit code.
int avf_out(const std::string& args, std::string& out, const avf::test::TempDir& tmp, std::string* err = nullptr) {
    const std::string err_file = (tmp.path() / "stderr.txt").string();
    // In a subshell: run_command sends the stderr of the whole command to `out`.
    int code = run_command("(" + q(avf::test::avf_binary()) + " " + args + " 2>" + q(err_file) + ")", out);
    if (err) {
        std::string text;
        run_command("cat " + q(err_file), text);
        *err = text;
    }
    return code;
}

/// `n` findings in stored order (rule, target, start, id): rule R-1 then R-2, ten targets.
std::vector<Finding> findings(std::size_t n) {
    std::vector<Finding> out;
    for (std::size_t i = 0; i < n; ++i) {
        Finding f;
        f.id = fmt::format("{:016x}{:016x}", i + 1, i * 31);
        f.kind = i % 3 ? FindingKind::violation : FindingKind::discrepancy;
        f.certainty = Certainty::certain;
        f.rule_id = i < n / 2 ? "R-1" : "R-2";
        f.rule_type = "prohibited";
        const std::size_t half = (n + 1) / 2, j = i < n / 2 ? i : i - n / 2; // the row within its rule
        f.target_id = fmt::format("Z-{:02}", j * 10 / half);
        f.party = i % 2 ? "KP" : "KR";
        f.equipment_class = "battle_tank";
        f.span = Interval{UtcTime{1'800'000'000'000 + static_cast<std::int64_t>(i) * 60'000},
                          UtcTime{1'800'000'000'001 + static_cast<std::int64_t>(i) * 60'000}};
        f.location = GeoPoint(127.0 + static_cast<double>(i) * 1e-4, 38.0);
        f.measured = static_cast<double>(i);
        f.unit = "km";
        f.confidence = 0.5;
        f.evidence = {{"detection", fmt::format("det-{}", i), "obs/detections.csv", std::to_string(i + 2)}};
        f.explanation_template = "{class} {party_of} in {target} at {from} (record {record}) {rule_ref}";
        f.explanation = render_explanation(f.explanation_template, f, {});
        out.push_back(std::move(f));
    }
    return out;
}

void write_run(const std::string& store, const std::string& run_id, const std::vector<Finding>& list) {
    storage::StoreTransaction tx(store);
    auto run = tx.begin_run(test::sample_run_header(run_id));
    run.append_findings(list);
    run.finish(test::sample_summary());
    tx.commit();
}

std::vector<std::string> csv_ids(const std::string& csv) {
    std::vector<std::string> ids;
    std::istringstream in(csv);
    std::string line;
    std::getline(in, line); // header
    while (std::getline(in, line)) ids.push_back(line.substr(0, line.find(',')));
    return ids;
}

} // namespace

TEST_CASE("findings list --limit N prints the first N findings of a run in stored order, filters applied while reading", "[cli][reading]") {
    avf::test::TempDir tmp;
    const std::string store = (tmp.path() / "s.h5").string();
    const std::vector<Finding> all = findings(10000);
    write_run(store, "run-a", all);
    std::string out;

    REQUIRE(avf_out("findings list --store " + q(store) + " -f csv --limit 0", out, tmp) == 0);
    const std::vector<std::string> every = csv_ids(out);
    REQUIRE(every.size() == all.size());
    for (std::size_t i = 0; i < all.size(); ++i) REQUIRE(every[i] == all[i].id);

    for (std::size_t n : {1, 2, 4095, 4096, 4097, 9999, 10000}) {
        INFO("--limit " << n);
        REQUIRE(avf_out("findings list --store " + q(store) + " -f csv --limit " + std::to_string(n), out, tmp) == 0);
        CHECK(csv_ids(out) == std::vector<std::string>(every.begin(), every.begin() + static_cast<std::ptrdiff_t>(n)));
    }
    // A filter: the first three of R-2's discrepancies, which lie past the first batch.
    std::vector<std::string> expected;
    for (const Finding& f : all)
        if (f.rule_id == "R-2" && f.kind == FindingKind::discrepancy && expected.size() < 3) expected.push_back(f.id);
    REQUIRE(avf_out("findings list --store " + q(store) + " -f csv --rule R-2 --kind discrepancy --limit 3", out, tmp) == 0);
    CHECK(csv_ids(out) == expected);
    // The table: a header, its rule and the first two findings (their explanations name det-0, det-1).
    REQUIRE(avf_out("findings list --store " + q(store) + " --limit 2 --wide", out, tmp) == 0);
    CHECK(std::count(out.begin(), out.end(), '\n') == 4);
    CHECK(out.find("(record det-0)") != std::string::npos);
    CHECK(out.find("(record det-1)") != std::string::npos);

    // GeoJSON, streamed a feature at a time, is one valid collection of the whole run.
    REQUIRE(avf_out("findings list --store " + q(store) + " -f geojson", out, tmp) == 0);
    auto fc = nlohmann::json::parse(out);
    REQUIRE(fc["features"].size() == all.size());
    CHECK(fc["features"][4096]["id"] == all[4096].id);
    CHECK(fc["features"][4096]["properties"]["explanation"] == all[4096].explanation);
    REQUIRE(avf_out("findings list --store " + q(store) + " -f geojson --rule none", out, tmp) == 0);
    CHECK(nlohmann::json::parse(out)["features"].empty());
}

TEST_CASE("findings diff merges two runs in stored order: a changed target or start is a change, not an addition", "[cli][reading]") {
    avf::test::TempDir tmp;
    const std::string store = (tmp.path() / "s.h5").string();
    const std::vector<Finding> a = findings(9000);
    std::vector<Finding> b = a;
    b.erase(b.begin() + 5000);  // removed: a[5000]
    b[100].measured = 1e6;      // changed in place
    b[7000].span.from.ms += 1;  // changed under another key (its start)
    b[8000].target_id = "Z-00"; // changed under another key (its target): it moves
    const std::vector<std::string> changed_ids = {b[100].id, b[7000].id, b[8000].id};
    Finding extra = a[10];
    extra.id = "ffffffffffffffffffffffffffffffff";
    b.push_back(extra); // added
    std::sort(b.begin(), b.end(), [](const Finding& x, const Finding& y) {
        return std::tie(x.rule_id, x.target_id, x.span.from, x.id) < std::tie(y.rule_id, y.target_id, y.span.from, y.id);
    });
    for (Finding& f : b) f.explanation = render_explanation(f.explanation_template, f, {});
    write_run(store, "run-a", a);
    write_run(store, "run-b", b);
    std::vector<Finding> shuffled = a;
    std::swap(shuffled[1], shuffled[8000]);
    write_run(store, "run-shuffled", shuffled);

    std::string out, err;
    REQUIRE(avf_out("findings diff run-a run-a --store " + q(store) + " --fail-on-change", out, tmp, &err) == 0);
    CHECK(err.find("0 added, 0 removed, 0 changed, 9000 unchanged") != std::string::npos);

    REQUIRE(avf_out("findings diff run-a run-b --store " + q(store) + " -f csv", out, tmp, &err) == 0);
    CHECK(err.find("1 added, 1 removed, 3 changed, 8996 unchanged") != std::string::npos);
    CHECK(err.find("note:") == std::string::npos);
    std::vector<std::string> lines;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) lines.push_back(line.substr(0, line.find(',', line.find(',') + 1)));
    // Added, removed, then the changed ones in run B's order (the moved finding first: Z-00).
    REQUIRE(lines.size() == 6);
    CHECK(lines[1] == "added," + extra.id);
    CHECK(lines[2] == "removed," + a[5000].id);
    std::vector<std::string> expected_changed;
    for (const Finding& f : b)
        if (std::find(changed_ids.begin(), changed_ids.end(), f.id) != changed_ids.end()) expected_changed.push_back("changed," + f.id);
    CHECK(std::vector<std::string>(lines.begin() + 3, lines.end()) == expected_changed);

    // A run not in stored order: compared in memory, with a note, and the same answer.
    REQUIRE(avf_out("findings diff run-a run-shuffled --store " + q(store), out, tmp, &err) == 0);
    CHECK(err.find("note: a run's findings are not stored in (rule, target, start, id) order") != std::string::npos);
    CHECK(err.find("0 added, 0 removed, 0 changed, 9000 unchanged") != std::string::npos);
}
