// The spilled form of findings and problems (core/spill/record_codec.hpp): a decoded record is the
// record encoded — every field, doubles bit for bit (-0.0, NaN), a line 0 known and a missing
// line missing — and the decoder reads exactly what the encoder wrote. Re-encoding the decoded
// record gives the same bytes, so no encoded field is lost or misplaced. (tests/pipeline/
// test_problem_spool.cpp compares decoded problems field by field, too.)
#include "core/spill/record_codec.hpp"

#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

using namespace avf;

namespace {

bool same_bits(double a, double b) {
    return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

Finding sample_finding(std::size_t evidence) {
    Finding f;
    f.id = "F-1";
    f.kind = FindingKind::discrepancy;
    f.certainty = Certainty::possible;
    f.rule_id = "ceiling-dmz";
    f.rule_type = "ceiling";
    f.article = "Art. IV";
    f.target_id = "DMZ-1";
    f.party = "";
    f.equipment_class = "tank";
    f.span = Interval{UtcTime{-86'400'000}, UtcTime{1'700'000'000'000}};
    f.location = GeoPoint{-0.0, 51.5};
    f.measured = std::numeric_limits<double>::quiet_NaN();
    f.limit = 3.0;
    f.unit = "count";
    f.confidence = 0.25;
    f.waiver_id = "W-9";
    for (std::size_t i = 0; i < evidence; ++i) f.evidence.push_back(Evidence{"detection", "D-" + std::to_string(i), "d.csv", std::to_string(i + 2)});
    f.explanation = std::string(300, 'e');
    return f;
}

} // namespace

TEST_CASE("a spilled finding decodes to the finding encoded", "[spill][codec]") {
    for (std::size_t evidence : {0, 1, 40}) {
        const Finding f = sample_finding(evidence);
        spill::ByteWriter w;
        spill::encode_finding(w, f);
        spill::ByteReader r(w.bytes());
        const Finding g = spill::decode_finding(r);
        CHECK(r.done());
        CHECK(g.id == f.id);
        CHECK(g.kind == f.kind);
        CHECK(g.certainty == f.certainty);
        CHECK(g.span == f.span);
        CHECK(same_bits(g.location.x(), -0.0));
        CHECK(std::isnan(g.measured));
        CHECK(g.waiver_id == f.waiver_id);
        REQUIRE(g.evidence.size() == evidence);
        if (evidence > 0) CHECK(g.evidence.back().source_position == f.evidence.back().source_position);
        CHECK(g.explanation == f.explanation);
        spill::ByteWriter again;
        spill::encode_finding(again, g);
        CHECK(again.bytes() == w.bytes());
    }
}

TEST_CASE("a spilled problem keeps whether its line and column are known", "[spill][codec]") {
    for (int known = 0; known < 2; ++known) {
        Problem p = Problem::rejected(ProblemCode::bad_value, "not a number", Context{}.file("d.csv").record("D-7").field("lon").value("x"));
        p.order = 12;
        if (known) p.where.line(0).column(0);
        spill::ByteWriter w;
        spill::encode_problem(w, p);
        spill::ByteReader r(w.bytes());
        const Problem q = spill::decode_problem(r);
        CHECK(r.done());
        CHECK(q.where.line() == p.where.line());
        CHECK(q.where.column() == p.where.column());
        CHECK(q.describe() == p.describe());
        CHECK(q.order == 12);
        spill::ByteWriter again;
        spill::encode_problem(again, q);
        CHECK(again.bytes() == w.bytes());
    }
}

TEST_CASE("reading a spilled record past its end is an internal error", "[spill][codec]") {
    spill::ByteWriter w;
    spill::encode_problem(w, Problem{});
    const std::string cut = w.bytes().substr(0, w.size() - 1);
    spill::ByteReader r(cut);
    CHECK_THROWS_AS(spill::decode_problem(r), InternalError);
}
