// Explanations rendered from templates (core/explanation.hpp): every field, the escapes, and the
// templates refused before any finding is rendered with them.
#include "core/error.hpp"
#include "core/explanation.hpp"

#include <catch2/catch.hpp>

#include <limits>

using namespace avf;

namespace {

Finding sample_finding() {
    Finding f;
    f.id = "0123456789abcdef0123456789abcdef";
    f.kind = FindingKind::violation;
    f.certainty = Certainty::certain;
    f.rule_id = "dmz-1";
    f.rule_type = "prohibited";
    f.article = "Armistice art. I";
    f.target_id = "DMZ-N";
    f.party = "PRK";
    f.equipment_class = "battle_tank";
    f.span = Interval{UtcTime{1'804'155'300'000}, UtcTime{1'804'155'300'001}}; // 2027-03-04T10:15:00Z
    f.location = GeoPoint(127.02, 38.31);
    f.measured = 1.4321;
    f.limit = 0.0;
    f.unit = "km";
    f.confidence = 0.875;
    f.evidence.push_back(Evidence{"detection", "D-17", "detections.csv", "18"});
    return f;
}

constexpr const char* prohibited_inside =
    "{class} {party_of} observed {from} at {position}, {measured_distance} inside {target} {rule_ref}: {verdict|prohibited}";

} // namespace

TEST_CASE("A template renders a finding's sentence from its row", "[explanation]") {
    Finding f = sample_finding();
    CHECK(render_explanation(prohibited_inside, f, "") ==
          "battle_tank of PRK observed 2027-03-04T10:15:00Z at 38.3100N 127.0200E, 1.4 km inside DMZ-N (rule dmz-1, Armistice art. I): "
          "prohibited; certain");
    SECTION("possible") {
        f.certainty = Certainty::possible;
        CHECK(render_explanation("{verdict|violation}", f, "") == "violation; possible");
    }
    SECTION("exempted") {
        f.kind = FindingKind::exempted;
        f.waiver_id = "W-3";
        CHECK(render_explanation("{verdict|violation}", f, "exercise notified") == "exempted by waiver W-3 (exercise notified)");
    }
    SECTION("no party, no article") {
        f.party.clear();
        f.article.clear();
        CHECK(render_explanation("{party_of} {rule_ref}", f, "") == "of unknown party (rule dmz-1)");
    }
}

TEST_CASE("Every template field renders its value", "[explanation]") {
    Finding f = sample_finding();
    f.kind = FindingKind::exempted;
    f.waiver_id = "W-3";
    auto r = [&](const char* t) { return render_explanation(t, f, "basis B"); };
    CHECK(r("{rule}|{type}|{article}|{target}") == "dmz-1|prohibited|Armistice art. I|DMZ-N");
    CHECK(r("{class}|{party}|{unit}|{kind}|{certainty}") == "battle_tank|PRK|km|exempted|certain");
    CHECK(r("{waiver}|{waiver_basis}") == "W-3|basis B");
    CHECK(r("{from}|{to}|{date}") == "2027-03-04T10:15:00Z|2027-03-04T10:15:00.001Z|2027-03-04");
    CHECK(r("{last}") == "2027-03-04T10:15:00Z"); // a span of records ends 1 ms after its last one
    CHECK(r("{lon|2} {lat|0} {measured|3} {limit|1} {confidence|2}") == "127.02 38 1.432 0.0 0.88");
    CHECK(r("{record} of {records}") == "D-17 of 1");
    f.measured = -0.85;
    f.limit = 50.0;
    CHECK(r("{measured_distance} / {limit_distance}") == "850 m / 50.0 km");
    f.location = GeoPoint(-3.5, -12.25);
    CHECK(r("{position}") == "12.2500S 3.5000W");
    f.span = Interval{};
    CHECK(r("{from} {to} {last}") == "-inf +inf +inf");
    f.evidence.clear();
    CHECK(r("[{record}] {records}") == "[] 0");
}

TEST_CASE("Doubled braces are literal braces", "[explanation]") {
    CHECK(render_explanation("{{{rule}}} }}{{", sample_finding(), "") == "{dmz-1} }{");
    CHECK(render_explanation("", sample_finding(), "").empty());
}

TEST_CASE("Templates that cannot be rendered are refused", "[explanation]") {
    CHECK_FALSE(template_error(prohibited_inside));
    for (const char* bad : {"{nope}", "{rule|x}", "{measured}", "{measured|10}", "{verdict}", "a } b", "{rule", "{verdict|a{b}"}) {
        INFO(bad);
        CHECK(template_error(bad));
        CHECK_THROWS_AS(render_explanation(bad, sample_finding(), ""), InternalError);
    }
    CHECK(template_error("{nope}")->find("unknown field 'nope'") != std::string::npos);
}
