// The compliance run's duplicate-id check (pipeline/id_digests.hpp): the id digests, the digest
// spool's repeated() across spilled blocks, and the two-pass check (digests first, then
// DuplicateIdFilter on the repeated ids only) judging exactly like the one-pass filter.
#include "pipeline/id_digests.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

using namespace avf;
using namespace avf::pipeline;

namespace {

Detection detection(const std::string& id, std::size_t line) {
    Detection d;
    d.id = DetectionId(id);
    d.origin.file = "d.csv";
    d.origin.feature = std::to_string(line);
    d.origin.index = line - 2;
    return d;
}

// 5000 records of 4000 ids: some ids twice, some three times, in scattered positions.
std::vector<Detection> detections_with_repeats(unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<std::string> ids;
    for (int i = 0; i < 4000; ++i) ids.push_back("D-" + std::to_string(i));
    for (int i = 0; i < 800; ++i) ids.push_back("D-" + std::to_string(rng() % 4000));
    for (int i = 0; i < 200; ++i) ids.push_back("D-" + std::to_string(rng() % 100));
    std::shuffle(ids.begin(), ids.end(), rng);
    std::vector<Detection> out;
    for (std::size_t i = 0; i < ids.size(); ++i) out.push_back(detection(ids[i], i + 2));
    return out;
}

struct Judged {
    std::vector<std::size_t> admitted; // positions
    std::vector<Problem> problems;
};

Judged judge(DuplicateIdCheck& check, const std::vector<Detection>& ds) {
    Judged j;
    CollectingProblemSink sink;
    for (std::size_t i = 0; i < ds.size(); ++i)
        if (check.admit(ds[i], check.needs_digests() ? digest_of(ds[i].id) : IdDigest{}, sink)) j.admitted.push_back(i);
    j.problems = std::move(sink.problems());
    return j;
}

} // namespace

TEST_CASE("id digests are the same for the same id and differ between ids", "[pipeline][ids]") {
    std::set<IdDigest> seen;
    for (int i = 0; i < 100'000; ++i) {
        const DetectionId id("D-" + std::to_string(i));
        const IdDigest d = digest_of(id);
        CHECK(d == digest_of(DetectionId("D-" + std::to_string(i))));
        seen.insert(d);
    }
    CHECK(seen.size() == 100'000);
    CHECK(digest_of(DetectionId("")) != digest_of(DetectionId(" ")));
}

TEST_CASE("the digest spool finds every repeated digest once, across spilled blocks", "[pipeline][ids]") {
    test::TempDir tmp;
    const std::vector<Detection> ds = detections_with_repeats(3);
    std::map<std::string, int> times;
    for (const auto& d : ds) ++times[d.id.str()];
    std::vector<IdDigest> expected;
    for (const auto& [id, n] : times)
        if (n > 1) expected.push_back(digest_of(DetectionId(id)));
    std::sort(expected.begin(), expected.end());
    REQUIRE(expected.size() > 500);

    // Block of 2 digests: most partitions spill several blocks and keep one digest in memory.
    for (std::size_t block : {std::size_t{1}, std::size_t{2}, std::size_t{4096}}) {
        INFO("block " << block);
        DigestSpool spool(tmp.path().string(), block);
        for (const auto& d : ds) spool.add(digest_of(d.id));
        if (block < 4096)
            CHECK(spool.spilled_blocks() >= ds.size() / block - DigestSpool::partitions);
        else
            CHECK(spool.spilled_blocks() == 0);
        CHECK(spool.repeated() == expected);
    }

    DigestSpool none(tmp.path().string(), 2);
    for (int i = 0; i < 3000; ++i) none.add(digest_of(DetectionId("U-" + std::to_string(i))));
    CHECK(none.spilled_blocks() > 0);
    CHECK(none.repeated().empty());
}

TEST_CASE("the two-pass duplicate-id check judges exactly like the one-pass filter", "[pipeline][ids]") {
    test::TempDir tmp;
    const std::vector<Detection> ds = detections_with_repeats(9);

    DuplicateIdCheck strict(/*strict=*/true, nullptr, tmp.path().string());
    CHECK_FALSE(strict.needs_digests());
    CHECK_FALSE(strict.collects_digests());
    const Judged one_pass = judge(strict, ds);
    CHECK(strict.repeated().empty());
    REQUIRE(one_pass.problems.size() == 1000); // every record after the first of its id
    CHECK(one_pass.admitted.size() == 4000);

    DuplicateIdCheck first(false, nullptr, tmp.path().string());
    CHECK(first.needs_digests());
    CHECK(first.collects_digests());
    const Judged first_pass = judge(first, ds);
    CHECK(first_pass.admitted.size() == ds.size()); // nothing judged yet
    CHECK(first_pass.problems.empty());
    const std::vector<IdDigest> repeated = first.repeated();
    REQUIRE_FALSE(repeated.empty());

    DuplicateIdCheck second(false, &repeated, tmp.path().string());
    CHECK_FALSE(second.collects_digests());
    const Judged second_pass = judge(second, ds);
    CHECK(second_pass.admitted == one_pass.admitted);
    REQUIRE(second_pass.problems.size() == one_pass.problems.size());
    for (std::size_t i = 0; i < one_pass.problems.size(); ++i) {
        CHECK(second_pass.problems[i].code == ProblemCode::duplicate_id);
        CHECK(second_pass.problems[i].describe() == one_pass.problems[i].describe()); // names the same first line
    }
}

TEST_CASE("without a repeated id the first pass asks for no second", "[pipeline][ids]") {
    test::TempDir tmp;
    std::vector<Detection> ds;
    for (std::size_t i = 0; i < 5000; ++i) ds.push_back(detection("U-" + std::to_string(i), i + 2));
    DuplicateIdCheck first(false, nullptr, tmp.path().string());
    const Judged j = judge(first, ds);
    CHECK(j.admitted.size() == ds.size());
    CHECK(first.repeated().empty());
}
