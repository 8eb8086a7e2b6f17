// The compliance run's finding merge (pipeline/finding_spool.hpp, finding_merge.hpp,
// core/spill/kway_merge.hpp): whatever the spill budget, the number of spools and the fan-in, every finding
// comes back once, whole, in output order (rule, target, time, id, then input position); a spool
// spills a sorted run exactly when its budget is reached; more runs than the fan-in are merged in
// passes first.
#include "pipeline/finding_merge.hpp"
#include "pipeline/finding_spool.hpp"
#include "tests/storage/sample_store.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

using namespace avf;
using namespace avf::pipeline;

namespace {

// Few rules, targets and times, so that many findings tie on the key and are ordered by their
// input position alone; evidence and explanations of varied lengths, so that spilled records
// vary in size.
std::vector<Sequenced> make_findings(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<Sequenced> out;
    for (std::size_t i = 0; i < n; ++i) {
        Sequenced s;
        s.detection = rng() % 10 == 0 ? std::numeric_limits<std::uint64_t>::max() : i;
        s.k = static_cast<std::uint32_t>(s.detection == std::numeric_limits<std::uint64_t>::max() ? i : rng() % 3);
        Finding& f = s.finding;
        f.rule_id = "rule-" + std::to_string(rng() % 4);
        f.target_id = "zone-" + std::to_string(rng() % 3);
        f.span = Interval{UtcTime{static_cast<std::int64_t>(rng() % 5) * 60'000}, UtcTime{static_cast<std::int64_t>(rng() % 5 + 5) * 60'000}};
        f.id = rng() % 2 ? "f" + std::to_string(rng() % 4) : "";
        f.kind = rng() % 2 ? FindingKind::violation : FindingKind::discrepancy;
        f.measured = static_cast<double>(i) / 7.0;
        f.explanation = std::string(rng() % 200, static_cast<char>('a' + i % 26));
        for (std::uint32_t e = 0; e < rng() % 3; ++e)
            f.evidence.push_back(Evidence{"detection", "D-" + std::to_string(i) + "-" + std::to_string(e), "d.csv", "line " + std::to_string(i + 2)});
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<Sequenced> sorted(std::vector<Sequenced> v) {
    std::sort(v.begin(), v.end(), SequencedBefore{});
    return v;
}

void require_same(const Sequenced& a, const Sequenced& b) {
    REQUIRE(a.detection == b.detection);
    REQUIRE(a.k == b.k);
    test::check_same(b.finding, a.finding);
}

// The findings dealt round-robin to `spools` spools (as threads would take blocks), each with `budget`.
struct Spools {
    std::vector<std::unique_ptr<FindingSpool>> owned;
    std::vector<FindingSpool*> list;
    Spools(const std::vector<Sequenced>& findings, std::size_t spools, const std::string& dir, std::size_t budget) {
        for (std::size_t i = 0; i < spools; ++i) {
            owned.push_back(std::make_unique<FindingSpool>(dir, budget));
            list.push_back(owned.back().get());
        }
        for (std::size_t i = 0; i < findings.size(); ++i) {
            Sequenced copy = findings[i];
            list[i % spools]->add(std::move(copy));
        }
    }
    std::size_t runs() const {
        std::size_t n = 0;
        for (const auto* s : list) n += s->runs().size();
        return n;
    }
};

std::vector<Sequenced> drain(FindingMerge& merge) {
    std::vector<Sequenced> out;
    for (Sequenced s; merge.next(s);) out.push_back(std::move(s));
    return out;
}

// Passes a merge of `runs` runs takes at `fan_in` before the final merge.
std::size_t passes_for(std::size_t runs, std::size_t fan_in) {
    std::size_t passes = 0;
    for (; runs > fan_in; ++passes) runs = (runs + fan_in - 1) / fan_in;
    return passes;
}

} // namespace

TEST_CASE("a finding spool spills a sorted run exactly when its budget is reached", "[pipeline][merge]") {
    test::TempDir tmp;
    // Ten findings of the same size, in reverse output order (by input position only).
    std::vector<Sequenced> findings;
    for (std::uint64_t i = 0; i < 10; ++i) {
        Sequenced s;
        s.detection = 9 - i;
        s.finding.rule_id = "r";
        findings.push_back(s);
    }
    const std::size_t one = FindingSpool::spooled_bytes(findings[0]);

    SECTION("budget of three") {
        FindingSpool spool(tmp.path().string(), 3 * one);
        for (auto s : findings) spool.add(std::move(s));
        CHECK(spool.runs().size() == 3); // findings 1-3, 4-6, 7-9 spilled; the tenth in memory
        CHECK(spool.in_memory() == 1);
    }
    SECTION("one byte under three") {
        FindingSpool spool(tmp.path().string(), 3 * one - 1);
        for (auto s : findings) spool.add(std::move(s));
        CHECK(spool.runs().size() == 3);
        CHECK(spool.in_memory() == 1);
    }
    SECTION("one byte over three") {
        FindingSpool spool(tmp.path().string(), 3 * one + 1);
        for (auto s : findings) spool.add(std::move(s));
        CHECK(spool.runs().size() == 2); // 1-4, 5-8; two in memory
        CHECK(spool.in_memory() == 2);
    }
    SECTION("budget of ten") {
        FindingSpool spool(tmp.path().string(), 10 * one);
        for (auto s : findings) spool.add(std::move(s));
        CHECK(spool.runs().size() == 1); // the tenth finding reaches the budget: nothing left in memory
        CHECK(spool.in_memory() == 0);
        FindingMerge merge({&spool}, MergeOptions{tmp.path().string(), 1 << 20, 1024});
        std::vector<Sequenced> got = drain(merge);
        REQUIRE(got.size() == 10);
        for (std::uint64_t i = 0; i < 10; ++i) CHECK(got[i].detection == i);
    }
}

TEST_CASE("merged findings come back in output order whatever the spools and spill budget", "[pipeline][merge]") {
    test::TempDir tmp;
    const std::vector<Sequenced> findings = make_findings(3000, 11);
    const std::vector<Sequenced> expected = sorted(findings);
    // Ties on (rule, target, time, id) must be common, or the input position is not what is tested.
    std::size_t ties = 0;
    for (std::size_t i = 1; i < expected.size(); ++i)
        if (!fusion::finding_order(expected[i - 1].finding, expected[i].finding)) ++ties;
    REQUIRE(ties > 1000);

    const std::size_t one = FindingSpool::spooled_bytes(findings[0]);
    for (std::size_t spools : {std::size_t{1}, std::size_t{3}})
        for (std::size_t budget : {std::size_t{1}, 7 * one, 100 * one, std::size_t{1} << 30}) {
            INFO(spools << " spools, budget " << budget);
            Spools s(findings, spools, tmp.path().string(), budget);
            if (budget == 1) CHECK(s.runs() == findings.size()); // every finding its own run
            if (budget == std::size_t{1} << 30) CHECK(s.runs() == 0);
            FindingMerge merge(s.list, MergeOptions{tmp.path().string(), 1 << 20, 1024});
            const std::vector<Sequenced> got = drain(merge);
            REQUIRE(got.size() == expected.size());
            for (std::size_t i = 0; i < got.size(); ++i) require_same(got[i], expected[i]);
        }
}

TEST_CASE("more spilled runs than the fan-in are merged in passes, with the same output", "[pipeline][merge]") {
    test::TempDir tmp;
    const std::vector<Sequenced> findings = make_findings(2000, 23);
    const std::vector<Sequenced> expected = sorted(findings);
    std::size_t average = 0;
    for (const auto& f : findings) average += FindingSpool::spooled_bytes(f);
    average /= findings.size();

    for (std::size_t fan_in : {std::size_t{0}, std::size_t{2}, std::size_t{3}, std::size_t{7}, std::size_t{64}, std::size_t{1024}}) {
        INFO("fan-in " << fan_in);
        Spools s(findings, 4, tmp.path().string(), 20 * average); // about 25 runs a spool, plus what is left in memory
        const std::size_t runs = s.runs();
        REQUIRE(runs > 64);
        FindingMerge merge(s.list, MergeOptions{tmp.path().string(), 1 << 20, fan_in});
        const std::size_t effective = std::max<std::size_t>(2, fan_in); // 0 and 1 merge two at a time
        CHECK(merge.passes() == passes_for(runs, effective));
        CHECK(merge.final_runs() <= effective);
        if (fan_in < runs) CHECK(merge.passes() > 0);
        // Findings only (the writer's path), without their sequence.
        std::vector<Finding> got;
        for (Finding f; merge.next(f);) got.push_back(std::move(f));
        REQUIRE(got.size() == expected.size());
        for (std::size_t i = 0; i < got.size(); ++i) test::check_same(expected[i].finding, got[i]);
    }
}

// A spool sorts on numbers (FindingSpool::Key): rules and targets by the rank of their names, the
// id by its first 16 bytes as integers, the whole id only when those tie. These ids differ only
// after 16 bytes, are prefixes of one another, hold bytes above 0x7f and NULs; rules and targets
// are first used in an order that is not their names' and share names with each other.
TEST_CASE("a finding spool sorts as the output order does when ids share long prefixes and names come in any order", "[pipeline][merge]") {
    test::TempDir tmp;
    const std::vector<std::string> ids = {"",
                                          "a",
                                          "abcdefghijklmnop",
                                          "abcdefghijklmnopq",
                                          "abcdefghijklmnoq",
                                          "abcdefghijklmnop\x01",
                                          "abcdefgh",
                                          "abcdefgh\xff",
                                          "abcdefgh\x7f zz",
                                          std::string("abcdefgh\0\0", 10),
                                          std::string("abcdefgh\0", 9),
                                          "0123456789abcdef0123456789abcdef",
                                          "0123456789abcdef0123456789abcdee",
                                          "0123456789abcdee0123456789abcdef"};
    const std::vector<std::string> names = {"zone-9", "rule-b", "rule-a", "rule", "rule-a2", "zone-1", "\xc3\xa9", "Z"};
    std::mt19937 rng(5);
    std::vector<Sequenced> findings;
    for (std::size_t i = 0; i < 4000; ++i) {
        Sequenced s;
        s.detection = i;
        s.finding.rule_id = names[rng() % names.size()];
        s.finding.target_id = names[rng() % names.size()];
        s.finding.span.from = UtcTime{static_cast<std::int64_t>(rng() % 2)};
        s.finding.id = ids[rng() % ids.size()];
        findings.push_back(std::move(s));
    }
    const std::vector<Sequenced> expected = sorted(findings);
    // The sort must get past the prefixes: ties on the first 16 bytes with different ids occur.
    std::size_t long_ties = 0;
    for (std::size_t i = 1; i < expected.size(); ++i) {
        const auto& a = expected[i - 1].finding;
        const auto& b = expected[i].finding;
        if (a.rule_id == b.rule_id && a.target_id == b.target_id && a.span.from == b.span.from && a.id != b.id &&
            a.id.substr(0, 16) == b.id.substr(0, 16))
            ++long_ties;
    }
    REQUIRE(long_ties > 20);
    const std::size_t one = FindingSpool::spooled_bytes(findings[0]);
    for (std::size_t budget : {std::size_t{1} << 30, 300 * one}) {
        INFO("budget " << budget);
        Spools s(findings, 2, tmp.path().string(), budget);
        FindingMerge merge(s.list, MergeOptions{tmp.path().string(), 1 << 20, 1024});
        const std::vector<Sequenced> got = drain(merge);
        REQUIRE(got.size() == expected.size());
        for (std::size_t i = 0; i < got.size(); ++i) {
            REQUIRE(got[i].detection == expected[i].detection);
            REQUIRE(got[i].finding.id == expected[i].finding.id);
        }
    }
}
