// The `reach` rule and the taxonomy's ranges: a range exactly reaching a border, declared vs
// assessed figures, uncertainty disks straddling the reach, range bands, and refused input.
#include "tests/fusion/fusion_fixtures.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cmath>
#include <map>

using namespace avf;
using test::detection;
using test::Harness;

namespace {
const char* square = "POLYGON((127 38,128 38,128 39,127 39,127 38))";

// A point `m` metres west of the square's west edge at 38.5°N. The edge lies on a meridian, a
// geodesic, so the point's nearest point of the square is (127, 38.5) and the distance is `m`.
GeoPoint west_of(double m) {
    return geo::destination({127.0, 38.5}, 270.0, Meters{m});
}

// Classes with ranges, appended to the fixture's [classes] table, then the rules.
std::string with_ranges(const std::string& classes, const std::string& rules) {
    return classes + "\n" + rules;
}

const std::string ranged =
    R"(ssc8 = { aliases = ["9M729"], range_km = { declared = 480, assessed = [500, 5500], source = "declared 2019; US assessment 2019" } }
iskander_m = { aliases = ["9M723"], range_km = { declared = 500, source = "illustrative" } }
short_range = { range_km = { declared = 300, source = "illustrative" } }
overstated = { range_km = { declared = 700, assessed = [300, 400], source = "illustrative" } }
)";

std::map<std::string, Finding> by_record(const std::vector<Finding>& f) {
    std::map<std::string, Finding> out;
    for (const auto& x : f) out.emplace(x.evidence[0].record_id, x);
    return out;
}

std::string error_of(const std::string& classes, const std::string& rules) {
    try {
        fusion::parse_regime(test::regime_text(with_ranges(classes, rules)), "r.toml");
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}
} // namespace

TEST_CASE("reach: a range exactly reaching the border reaches it, a metre short does not", "[rules][reach][limit]") {
    const GeoPoint launcher = west_of(300'000.0);
    fusion::ZoneSetView view({test::zone("T", square, "territory")}, {});
    const double d = view.distance_to_boundary(0, launcher, Meters{1e6}).value;
    CHECK(d == Approx(300'000.0).margin(1e-3)); // the distance the point was placed at
    // The smallest range in km whose metres reach d, and the largest that falls short (by an ulp).
    double at = d / 1000.0;
    while (at * 1000.0 < d) at = std::nextafter(at, INFINITY);
    while (std::nextafter(at, 0.0) * 1000.0 >= d) at = std::nextafter(at, 0.0);
    const double below = std::nextafter(at, 0.0);
    auto run = [&](double km) {
        const std::string cls = fmt::format("probe = {{ range_km = {{ declared = {:.17g}, source = \"test\" }} }}\n", km);
        Harness h(with_ranges(cls, "[[rules]]\nid = \"r\"\ntype = \"reach\"\nzones = [\"T\"]\n"), {test::zone("T", square, "territory")}, {});
        return h.run({detection("l", launcher, "probe")});
    };
    auto reached = run(at);
    REQUIRE(reached.size() == 1);
    CHECK(reached[0].certainty == Certainty::certain);
    CHECK(reached[0].measured == d / 1000.0);
    CHECK(reached[0].limit == at);
    CHECK(reached[0].target_id == "T");
    CHECK(reached[0].rule_type == "reach");
    CHECK(reached[0].explanation == fmt::format("probe of PRK observed 2027-03-04T10:00:00Z at 38.4495N 123.5625E, 300.0 km from T, range declared "
                                                "300.0 km (test) (rule r): within reach under the declared range; certain"));
    CHECK(run(below).empty());                  // short by an ulp of the range
    CHECK(run((d - 1.0) / 1000.0).empty());     // short by a metre
    CHECK(run((d + 1.0) / 1000.0).size() == 1); // a metre beyond
}

TEST_CASE("reach: certain under every figure, possible under the declared or the assessed one only", "[rules][reach]") {
    Harness h(with_ranges(ranged, "[[rules]]\nid = \"r\"\ntype = \"reach\"\narticle = \"draft art. 4\"\nzones = [\"T\"]\n"),
              {test::zone("T", square, "territory")}, {});
    auto f = by_record(
        h.run({detection("470", west_of(470e3), "9M729"), detection("490", west_of(490e3), "ssc8"), detection("5499", west_of(5'499e3), "ssc8"),
               detection("5501", west_of(5'501e3), "ssc8"), detection("over-350", west_of(350e3), "overstated"),
               detection("over-500", west_of(500e3), "overstated"), detection("short-310", west_of(310e3), "short_range"),
               detection("tank", west_of(1e3), "battle_tank"), detection("inside", {127.5, 38.5}, "short_range", 1, 2000.0)}));
    REQUIRE(f.size() == 6);
    CHECK(f["470"].certainty == Certainty::certain);
    CHECK(f["470"].limit == 5500.0); // the largest figure
    CHECK(f["470"].explanation.find("range declared 480.0 km, assessed 500.0 km to 5500.0 km (declared 2019; US assessment 2019)") !=
          std::string::npos);
    CHECK(f["470"].explanation.find("within reach under both ranges; certain") != std::string::npos);
    CHECK(f["490"].certainty == Certainty::possible);
    CHECK(f["490"].explanation.find("under the assessed range only; possible") != std::string::npos);
    CHECK(f["5499"].certainty == Certainty::possible);
    CHECK(f["5499"].explanation.find("under the upper part of the assessed range only; possible") != std::string::npos);
    CHECK_FALSE(f.count("5501"));
    CHECK(f["over-350"].certainty == Certainty::possible); // the assessment's low end (300 km) falls short
    CHECK(f["over-500"].certainty == Certainty::possible);
    CHECK(f["over-500"].explanation.find("under the declared range only; possible") != std::string::npos);
    CHECK_FALSE(f.count("short-310"));
    CHECK_FALSE(f.count("tank")); // no range: not in scope
    CHECK(f["inside"].measured == 0.0);
    CHECK(f["inside"].certainty == Certainty::certain);
    CHECK(f["inside"].explanation.find(", inside T, range") != std::string::npos);
}

TEST_CASE("reach: an uncertainty disk straddling the reach is possible, a disk wholly within certain", "[rules][reach][limit]") {
    Harness h(with_ranges(ranged, "[[rules]]\nid = \"r\"\ntype = \"reach\"\nzones = [\"T\"]\nclasses = [\"iskander_m\"]\n"),
              {test::zone("T", square, "territory")}, {});
    auto f =
        by_record(h.run({detection("whole", west_of(498'999.0), "9M723", 1, 1000.0), detection("straddles", west_of(499'500.0), "9M723", 1, 1000.0),
                         detection("edge-out", west_of(501'001.0), "9M723", 1, 1000.0), detection("clear", west_of(502'000.0), "9M723", 1, 1000.0)}));
    REQUIRE(f.size() == 2);
    CHECK(f["whole"].certainty == Certainty::certain);
    CHECK(f["straddles"].certainty == Certainty::possible);
    CHECK(f["straddles"].explanation.find("499.5 km from T") != std::string::npos);
    CHECK(f["straddles"].explanation.find("under the declared range with part of its uncertainty disk; possible") != std::string::npos);
}

TEST_CASE("reach: check = deployed bans classes of a range band inside the zones", "[rules][reach]") {
    const std::string rule =
        "[[rules]]\nid = \"inf\"\ntype = \"reach\"\ncheck = \"deployed\"\nzones = [\"X\"]\nrange_km_min = 500\nrange_km_max = 5500\n";
    Harness h(with_ranges(ranged, rule), {test::zone("X", square, "area")}, {});
    auto f = by_record(h.run({detection("ssc8", {127.5, 38.5}, "9M729"), detection("isk", {127.5, 38.5}, "iskander_m"),
                              detection("short", {127.5, 38.5}, "short_range"), detection("isk-edge", west_of(-300.0), "iskander_m", 1, 500.0),
                              detection("isk-out", west_of(1000.0), "iskander_m", 1, 500.0), detection("over", {127.5, 38.5}, "overstated")}));
    REQUIRE(f.size() == 4);
    CHECK(f["ssc8"].certainty == Certainty::possible); // 480 declared is outside the band, 500-5,500 assessed inside
    CHECK(f["ssc8"].explanation.find("in the band from 500.0 km to 5500.0 km under the assessed range only") != std::string::npos);
    CHECK(f["ssc8"].explanation.find(": deployed; possible") != std::string::npos);
    CHECK(f["isk"].certainty == Certainty::certain); // 500 km: the band is inclusive
    CHECK(f["isk"].measured == 10.0);                // at least the depth horizon inside
    CHECK(f["isk-edge"].certainty == Certainty::possible);
    CHECK(f["isk-edge"].measured == Approx(0.3).margin(1e-6));
    CHECK(f["over"].certainty == Certainty::possible); // declared 700 in the band, assessed 300-400 not
    CHECK_FALSE(f.count("short"));
    CHECK_FALSE(f.count("isk-out"));
}

TEST_CASE("reach: bad ranges and scopes are refused naming the line", "[rules][reach][regime]") {
    const std::string rule = "[[rules]]\nid = \"r\"\ntype = \"reach\"\nzones = [\"T\"]\n";
    CHECK(error_of(ranged, rule).empty());
    // Class ranges: line 12 is the first class added after the fixture's four.
    struct Bad {
        const char* classes;
        const char* field;
        const char* message;
    };
    for (const Bad& b : {
             Bad{"x = { range_km = { source = \"s\" } }", "classes.x.range_km", "a declared and/or an assessed figure"},
             Bad{"x = { range_km = { declared = 480 } }", "classes.x.range_km.source", "missing required key"},
             Bad{"x = { range_km = { declared = -480, source = \"s\" } }", "classes.x.range_km.declared", "must be positive"},
             Bad{"x = { range_km = { declared = \"480\", source = \"s\" } }", "classes.x.range_km.declared", "wrong type"},
             Bad{"x = { range_km = { declared = 1e9, source = \"s\" } }", "classes.x.range_km.declared", "half its circumference"},
             Bad{"x = { range_km = { assessed = [5500, 500], source = \"s\" } }", "classes.x.range_km.assessed", "minimum is above its maximum"},
             Bad{"x = { range_km = { assessed = [0, 500], source = \"s\" } }", "classes.x.range_km.assessed", "must be positive"},
             Bad{"x = { range_km = { assessed = [500], source = \"s\" } }", "classes.x.range_km.assessed", "exactly two ends"},
             Bad{"x = { range_km = { assessed = [500, nan], source = \"s\" } }", "classes.x.range_km.assessed", "finite"},
             Bad{"x = { range_km = { declared = 480, source = \"s\", maximum = 3 } }", "classes.x.range_km.maximum", "unknown key"},
             Bad{"x = { alias = [\"X-1\"] }", "classes.x.alias", "unknown key"},
         }) {
        INFO(b.classes);
        const std::string e = error_of(b.classes, rule);
        CHECK(e.find("r.toml, line 12") != std::string::npos);
        CHECK(e.find(b.field) != std::string::npos);
        CHECK(e.find(b.message) != std::string::npos);
    }
    // Rule scopes: the rule starts at line 17; an extra key is on line 21.
    auto rule_error = [&](const std::string& extra) { return error_of(ranged, rule + extra); };
    CHECK(rule_error("classes = [\"battle_tank\"]\n").find("class 'battle_tank' has no range_km in [classes]") != std::string::npos);
    CHECK(rule_error("classes = [\"battle_tank\"]\n").find("rules[0].classes") != std::string::npos);
    CHECK(rule_error("classes = [\"Scud\"]\n").find("unknown equipment class 'Scud'") != std::string::npos);
    CHECK(rule_error("classes = [\"short_range\"]\nrange_km_min = 500\n").find("lies outside the band from 500.0 km") != std::string::npos);
    CHECK(rule_error("range_km_min = 6000\n").find("no class in scope has a range_km in [classes] in the band") != std::string::npos);
    CHECK(rule_error("range_km_min = 5500\nrange_km_max = 500\n").find("rules[0].range_km_max") != std::string::npos);
    CHECK(rule_error("check = \"strike\"\n").find("unknown check 'strike'") != std::string::npos);
    CHECK(rule_error("range_km_max = -1\n").find("must be positive") != std::string::npos);
    CHECK(error_of("", rule).find("no class in scope has a range_km") != std::string::npos);
    CHECK(rule_error("check = \"strike\"\n").find("r.toml, line 21") != std::string::npos);
}
