// FindingCursor: a run's findings read a batch at a time, in stored order, the same findings as
// read_findings whatever the batch size — at the batch boundaries (0, 1, 4095, 4096, 4097 rows),
// with findings resting on one record (inline), several (evidence rows) or none, records shared
// with findings far back in the run, a filter applied before evidence is read, and the old layouts.
#include "core/error.hpp"
#include "core/explanation.hpp"
#include "storage/store.hpp"
#include "tests/storage/sample_store.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <filesystem>

using namespace avf;
using namespace avf::storage;

namespace {

/// `n` findings in stored order (rule, target, start, id). Finding i rests on one record
/// (det-i), or on none (every 11th), or on three (every 7th: det-i, a record of a finding far
/// back, and a declaration); every 13th rests on the record of finding i/2 only.
std::vector<Finding> many_findings(std::size_t n) {
    std::vector<Finding> out;
    out.reserve(n);
    const std::string templates[] = {"{class} {party_of} seen {from} at {position}: record {record} of {records}; {verdict|prohibited}",
                                     "In {target} {rule_ref}: {records} records, first {record}"};
    for (std::size_t i = 0; i < n; ++i) {
        Finding f;
        f.id = fmt::format("{:016x}{:016x}", i + 1, i * 7919);
        f.kind = i % 5 == 0 ? FindingKind::discrepancy : FindingKind::violation;
        f.certainty = i % 3 == 0 ? Certainty::possible : Certainty::certain;
        f.rule_id = i < n / 2 ? "R-1" : "R-2";
        f.rule_type = "prohibited";
        f.article = "Art. " + f.rule_id;
        f.target_id = fmt::format("ZONE-{:03}", (i / 1000) % 1000);
        f.party = i % 2 ? "KP" : "KR";
        f.equipment_class = i % 4 ? "battle_tank" : "artillery";
        f.span = Interval{UtcTime{1'800'000'000'000 + static_cast<std::int64_t>(i) * 1000},
                          UtcTime{1'800'000'000'001 + static_cast<std::int64_t>(i) * 1000}};
        f.location = GeoPoint(127.0 + static_cast<double>(i) * 1e-5, 38.0 - static_cast<double>(i) * 1e-6);
        f.measured = static_cast<double>(i) * 0.5;
        f.limit = 0.0;
        f.unit = "km";
        f.confidence = 0.25 + static_cast<double>(i % 3) * 0.25;
        auto detection = [](std::size_t k) { return Evidence{"detection", fmt::format("det-{}", k), "obs/detections.csv", std::to_string(k + 2)}; };
        if (i % 11 == 0) {
        } else if (i % 7 == 0) {
            f.evidence = {detection(i), detection(i / 3), {"declaration", fmt::format("decl-{}", i % 17), "obs/declarations.json", "feature 1"}};
        } else if (i % 13 == 0) {
            f.evidence = {detection(i / 2)};
        } else {
            f.evidence = {detection(i)};
        }
        f.explanation_template = templates[i % 2];
        f.explanation = render_explanation(f.explanation_template, f, {});
        out.push_back(std::move(f));
    }
    return out;
}

void write_run(const std::string& path, const std::vector<Finding>& findings) {
    StoreTransaction tx(path);
    RunHeader header = test::sample_run_header("run-1");
    auto run = tx.begin_run(header);
    // In batches of 1000, as the pipeline appends them.
    for (std::size_t i = 0; i < findings.size(); i += 1000) {
        run.append_findings(std::vector<Finding>(findings.begin() + static_cast<std::ptrdiff_t>(i),
                                                 findings.begin() + static_cast<std::ptrdiff_t>(std::min(findings.size(), i + 1000))));
    }
    run.finish(test::sample_summary());
    tx.commit();
}

void check_same_list(const std::vector<Finding>& expected, const std::vector<Finding>& actual) {
    REQUIRE(actual.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        INFO("finding " << i);
        test::check_same(expected[i], actual[i]);
    }
}

} // namespace

TEST_CASE("a finding cursor reads every finding in stored order, across batch boundaries", "[store][cursor]") {
    const std::size_t n = GENERATE(0, 1, 4095, 4096, 4097);
    INFO(n << " findings");
    test::TempDir tmp;
    const std::string path = (tmp.path() / "store.h5").string();
    const std::vector<Finding> expected = many_findings(n);
    write_run(path, expected);
    StoreReader store(path);

    SECTION("a batch at a time: batches of 4096 rows, the last one shorter") {
        FindingCursor cursor = store.findings("run-1");
        CHECK(cursor.rows() == n);
        std::vector<Finding> all, batch;
        std::vector<std::size_t> sizes;
        while (cursor.next_batch(batch)) {
            sizes.push_back(batch.size());
            all.insert(all.end(), batch.begin(), batch.end());
            CHECK(cursor.rows_read() == all.size());
        }
        CHECK(batch.empty());
        CHECK_FALSE(cursor.next_batch(batch)); // stays at the end
        std::vector<std::size_t> expected_sizes;
        for (std::size_t left = n; left > 0; left -= std::min<std::size_t>(left, 4096)) expected_sizes.push_back(std::min<std::size_t>(left, 4096));
        CHECK(sizes == expected_sizes);
        check_same_list(expected, all);
    }
    SECTION("one at a time, and in batches of 7 rows: the same findings") {
        for (std::size_t rows : {std::size_t{1} << 20, std::size_t{7}}) {
            FindingCursor cursor = store.findings("run-1", {rows, {}});
            std::vector<Finding> all;
            for (Finding f; cursor.next(f);) all.push_back(std::move(f));
            check_same_list(expected, all);
        }
        check_same_list(expected, store.read_findings("run-1"));
    }
    SECTION("a filter keeps what it accepts, in order, and sees no evidence or explanation") {
        bool saw_completed = false;
        FindingCursorOptions options;
        options.batch_rows = 1000;
        options.keep = [&](const Finding& f) {
            saw_completed = saw_completed || !f.evidence.empty() || !f.explanation.empty();
            return f.rule_id == "R-2" && f.kind == FindingKind::violation && f.party == "KP";
        };
        FindingCursor cursor = store.findings("run-1", options);
        std::vector<Finding> kept;
        for (Finding f; cursor.next(f);) kept.push_back(std::move(f));
        std::vector<Finding> filtered;
        for (const Finding& f : expected)
            if (f.rule_id == "R-2" && f.kind == FindingKind::violation && f.party == "KP") filtered.push_back(f);
        CHECK_FALSE(saw_completed);
        check_same_list(filtered, kept);
        CHECK(cursor.rows_read() == n);
    }
}

TEST_CASE("a finding cursor stops where its reader stops: the first batch holds the first findings", "[store][cursor]") {
    test::TempDir tmp;
    const std::string path = (tmp.path() / "store.h5").string();
    const std::vector<Finding> expected = many_findings(10000);
    write_run(path, expected);
    StoreReader store(path);
    FindingCursor cursor = store.findings("run-1");
    Finding first, second;
    REQUIRE(cursor.next(first));
    REQUIRE(cursor.next(second));
    CHECK(cursor.rows_read() == 4096); // one batch read, not the run
    test::check_same(expected[0], first);
    test::check_same(expected[1], second);
}

TEST_CASE("a finding cursor refuses an incomplete or unknown run, and may outlive its reader", "[store][cursor]") {
    test::TempDir tmp;
    const std::string path = (tmp.path() / "store.h5").string();
    const std::vector<Finding> expected = many_findings(5000);
    write_run(path, expected);
    std::optional<FindingCursor> cursor;
    {
        StoreReader store(path);
        CHECK_THROWS_AS(store.findings("no-such-run"), InputError);
        cursor.emplace(store.findings("run-1"));
    }
    std::vector<Finding> all;
    for (Finding f; cursor->next(f);) all.push_back(std::move(f));
    check_same_list(expected, all);
}

TEST_CASE("a finding cursor reads the committed schema-1, -2 and -3 stores a row at a time", "[store][cursor][v1][v2]") {
    for (const char* fixture : {"tests/data/store-v1.h5", "tests/data/store-v2.h5", "tests/data/store-v3.h5"}) {
        INFO(fixture);
        StoreReader store(test::source_path(fixture));
        for (const RunInfo& info : store.runs()) {
            const std::vector<Finding> whole = store.read_findings(info.header.run_id);
            REQUIRE(whole.size() == info.findings);
            for (std::size_t rows : {1, 2}) {
                FindingCursor cursor = store.findings(info.header.run_id, {rows, {}});
                std::vector<Finding> all, batch;
                while (cursor.next_batch(batch)) {
                    CHECK(batch.size() <= rows);
                    all.insert(all.end(), batch.begin(), batch.end());
                }
                check_same_list(whole, all);
            }
            FindingCursorOptions odd;
            odd.batch_rows = 2;
            std::size_t seen = 0;
            odd.keep = [&](const Finding&) { return seen++ % 2 == 1; };
            FindingCursor cursor = store.findings(info.header.run_id, odd);
            std::vector<Finding> kept;
            for (Finding f; cursor.next(f);) kept.push_back(std::move(f));
            std::vector<Finding> expected;
            for (std::size_t i = 1; i < whole.size(); i += 2) expected.push_back(whole[i]);
            check_same_list(expected, kept);
        }
    }
    // The schema-1 store's findings a row at a time: explanations and evidence as stored.
    StoreReader v1(test::source_path("tests/data/store-v1.h5"));
    FindingCursor cursor = v1.findings("run-2027-03-04", {1, {}});
    std::vector<Finding> all;
    for (Finding f; cursor.next(f);) all.push_back(std::move(f));
    REQUIRE(all.size() == 3);
    CHECK(all[0].id == "f-0001-a3c9");
    REQUIRE(all[0].evidence.size() == 2);
    CHECK(all[0].evidence[1].record_id == "det-18");
    CHECK(all[0].evidence[1].source_file == "obs/detections.csv");
    CHECK(all[0].explanation.starts_with("2 battle_tank of KP observed inside DMZ-N"));
    CHECK(all[1].evidence.empty());
    CHECK(all[2].waiver_id == "W-2027-01");
    REQUIRE(all[2].evidence.size() == 3);
    CHECK(all[2].evidence[2].source_file.empty());
    CHECK(all[2].explanation.ends_with("\nSecond line."));
}
