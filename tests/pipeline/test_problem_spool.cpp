// The compliance run's problem spool (pipeline/problem_spool.hpp): problems come back once each,
// in the order they were added, with every field, whether they stayed in memory or went through
// the spill file, in batches of the size asked for.
#include "core/spill/record_codec.hpp"
#include "pipeline/problem_spool.hpp"
#include "tests/storage/sample_store.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace avf;
using namespace avf::pipeline;

namespace {

// Every field set, differently per problem; line and column absent for some, present and 0 for
// others (0 must come back as a known line, not as none).
std::vector<Problem> make_problems(std::size_t n) {
    std::vector<Problem> out;
    for (std::size_t i = 0; i < n; ++i) {
        Problem p;
        p.severity = static_cast<Severity>(i % 3);
        p.code = static_cast<ProblemCode>(i % 24);
        p.message = "problem " + std::to_string(i) + std::string(i % 90, '.');
        p.where.file("f" + std::to_string(i % 5) + ".csv").layer(i % 4 ? "" : "layer").feature(std::to_string(i)).record("D-" + std::to_string(i));
        p.where.field("lon").value(std::string(i % 13, 'x')).expected("a number");
        if (i % 3 == 0) p.where.line(static_cast<long>(i % 7)); // includes line 0
        if (i % 5 == 1) p.where.column(static_cast<long>(i % 2));
        p.order = 1000 - i; // not the order they are added in: the spool keeps the added order
        out.push_back(std::move(p));
    }
    return out;
}

} // namespace

TEST_CASE("problems come back in the order added, across the spill file, in batches", "[pipeline][problems]") {
    test::TempDir tmp;
    const std::vector<Problem> problems = make_problems(1000);
    // 1 byte: every problem spilled at once; 5000 bytes: spilled every few problems, some left in
    // memory; 1 GiB: none spilled.
    for (std::size_t budget : {std::size_t{1}, std::size_t{5000}, std::size_t{1} << 30})
        for (std::size_t batch : {std::size_t{1}, std::size_t{64}, std::size_t{1000}, std::size_t{5000}}) {
            INFO("budget " << budget << ", batch " << batch);
            ProblemSpool spool(tmp.path().string(), budget);
            for (const auto& p : problems) spool.add(p);
            CHECK(spool.count() == problems.size());
            CHECK(spool.spilled() == (budget < (std::size_t{1} << 30)));
            if (budget == 5000) CHECK(spool.in_memory() > 0); // some in the file, the last ones in memory
            if (budget == 1) CHECK(spool.in_memory() == 0);

            std::vector<Problem> got;
            std::vector<std::size_t> sizes;
            spool.drain(batch, [&](std::vector<Problem>&& b) {
                sizes.push_back(b.size());
                for (auto& p : b) got.push_back(std::move(p));
            });
            REQUIRE(got.size() == problems.size());
            for (std::size_t i = 0; i < got.size(); ++i) test::check_same(problems[i], got[i]);
            // Full batches, then the rest.
            REQUIRE(sizes.size() == (problems.size() + batch - 1) / batch);
            for (std::size_t i = 0; i + 1 < sizes.size(); ++i) CHECK(sizes[i] == batch);
            CHECK(sizes.back() == problems.size() - batch * (sizes.size() - 1));
        }
}

TEST_CASE("an empty problem spool drains no batch", "[pipeline][problems]") {
    test::TempDir tmp;
    ProblemSpool spool(tmp.path().string(), 1);
    std::size_t calls = 0;
    spool.drain(8, [&](std::vector<Problem>&&) { ++calls; });
    CHECK(calls == 0);
    CHECK(spool.count() == 0);
}

TEST_CASE("a problem's spilled record decodes to the same problem", "[pipeline][problems]") {
    for (const Problem& p : make_problems(30)) {
        spill::ByteWriter w;
        spill::encode_problem(w, p);
        spill::ByteReader r(w.bytes());
        test::check_same(p, spill::decode_problem(r));
        CHECK(r.done());
    }
}
