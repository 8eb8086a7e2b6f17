#include "tests/fusion/fusion_fixtures.hpp"

#include <catch2/catch.hpp>

using namespace avf;
using avf::test::regime_text;

namespace {
std::string error_of(const std::string& text) {
    try {
        fusion::parse_regime(text, "r.toml");
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}
} // namespace

TEST_CASE("a complete regime parses into typed rules", "[regime]") {
    auto r = fusion::parse_regime(regime_text(R"(
[[rules]]
id = "dmz-1"
type = "prohibited"
article = "art. I"
zones = ["DMZ"]

[[rules]]
id = "arty"
type = "standoff"
classes = ["artillery", "BM-30"]
line = "MDL"
distance_km = 20
)"),
                                  "r.toml");
    CHECK(r.meta.id == "test");
    REQUIRE(r.rules.size() == 2);
    CHECK(r.rules[0]->type() == "prohibited");
    CHECK(r.rules[1]->id() == "arty");
    CHECK(*r.taxonomy.resolve("k9") == "artillery");
}

TEST_CASE("regime errors name the file, line and key", "[regime]") {
    SECTION("unknown key in a rule") {
        auto e = error_of(regime_text("[[rules]]\nid = \"a\"\ntype = \"prohibited\"\nzones = [\"Z\"]\ndistanse_km = 5\n"));
        CHECK(e.find("r.toml, line 16:15: unknown key 'distanse_km'") != std::string::npos);
        CHECK(e.find("rules[0].distanse_km") != std::string::npos);
    }
    SECTION("unknown rule type lists the known ones") {
        auto e = error_of(regime_text("[[rules]]\nid = \"a\"\ntype = \"prohibitted\"\n"));
        CHECK(e.find("unknown rule type 'prohibitted'") != std::string::npos);
        CHECK(e.find("airspace, band, ceiling, coverage, declaration_match, notification, prohibited, reach, route, sensor_limit, standoff") !=
              std::string::npos);
    }
    SECTION("unknown class") {
        auto e = error_of(regime_text("[[rules]]\nid = \"a\"\ntype = \"prohibited\"\nzones = [\"Z\"]\nclasses = [\"bicycle\"]\n"));
        CHECK(e.find("unknown equipment class 'bicycle'") != std::string::npos);
    }
    SECTION("a distance of the wrong type") {
        auto e = error_of(regime_text("[[rules]]\nid = \"a\"\ntype = \"standoff\"\nline = \"L\"\ndistance_km = \"20 km\"\n"));
        CHECK(e.find("wrong type") != std::string::npos);
        CHECK(e.find("expected a number") != std::string::npos);
    }
    SECTION("missing parameter") {
        auto e = error_of(regime_text("[[rules]]\nid = \"a\"\ntype = \"ceiling\"\nzones = [\"Z\"]\n"));
        CHECK(e.find("max_count") != std::string::npos);
        CHECK(e.find("missing required key") != std::string::npos);
    }
    SECTION("duplicate rule id") {
        auto e = error_of(regime_text(
            "[[rules]]\nid = \"a\"\ntype = \"prohibited\"\nzones = [\"Z\"]\n[[rules]]\nid = \"a\"\ntype = \"prohibited\"\nzones = [\"Z\"]\n"));
        CHECK(e.find("duplicate rule id 'a'") != std::string::npos);
    }
    SECTION("TOML syntax error") {
        auto e = error_of("[regime\nid = 1\n");
        CHECK(e.find("r.toml, line 1") != std::string::npos);
        CHECK(e.find("TOML syntax error") != std::string::npos);
    }
    SECTION("a waiver must be time-bounded") {
        auto e = error_of(regime_text("[[rules]]\nid = \"a\"\ntype = \"prohibited\"\nzones = [\"Z\"]\n[[rules.waivers]]\nid = \"w\"\nbasis = "
                                      "\"x\"\nvalid_from = \"2027-01-01\"\n"));
        CHECK(e.find("time-bounded") != std::string::npos);
    }
}

TEST_CASE("references to zones and lines are resolved at bind time, with the regime line", "[regime]") {
    std::vector<Zone> zones{test::zone("DMZ", "POLYGON((127 38,128 38,128 39,127 39,127 38))")};
    try {
        test::Harness h("[[rules]]\nid = \"a\"\ntype = \"prohibited\"\nzones = [\"DMZ\", \"NOPE\"]\n", zones, {});
        FAIL("bind should have thrown");
    } catch (const InputError& e) {
        std::string m = e.what();
        CHECK(m.find("zone 'NOPE' does not exist") != std::string::npos);
        CHECK(m.find("test.toml, line 15") != std::string::npos);
    }
    CHECK_THROWS_WITH(test::Harness("[[rules]]\nid = \"s\"\ntype = \"standoff\"\nline = \"MDL\"\ndistance_km = 5\n", zones, {}),
                      Catch::Contains("reference line 'MDL' does not exist"));
}
