// Regime keys that narrow a rule's scope (issue 16, item 14): every class except some, and the
// detection's source. (aggregation = "period" is in test_declarations.cpp, coverage without a
// minimum in test_imagery_rules.cpp.)
#include "tests/fusion/fusion_fixtures.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace avf;
using test::detection;
using test::Harness;

namespace {
const char* square = "POLYGON((127 38,128 38,128 39,127 39,127 38))";

std::string error_of(const std::string& rules) {
    try {
        fusion::parse_regime(test::regime_text(rules), "r.toml");
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

std::map<std::string, Finding> by_evidence(const std::vector<Finding>& fs) {
    std::map<std::string, Finding> out;
    for (const auto& f : fs) out[f.evidence.at(0).record_id] = f;
    return out;
}
} // namespace

TEST_CASE("classes_except: every class but those, including classes declared after the rule was written", "[regime][language]") {
    Harness h("[[rules]]\nid = \"p\"\ntype = \"prohibited\"\nzones = [\"Z\"]\nclasses_except = [\"troops\", \"BM-30\"]\n", {test::zone("Z", square)},
              {});
    auto f = by_evidence(h.run({detection("tank", {127.5, 38.5}, "K2"), detection("gun", {127.5, 38.6}, "artillery"),
                                detection("men", {127.5, 38.7}, "troops", 40), detection("rockets", {127.5, 38.8}, "mlrs")}));
    CHECK(f.size() == 2);
    CHECK(f.count("tank"));
    CHECK(f.count("gun"));

    // A class added to [classes] later is in scope without touching the rule.
    auto regime = fusion::parse_regime(R"([regime]
id = "x"
parties = ["KOR"]
[classes]
battle_tank = []
troops = []
drone = ["Orlan-10"]
[[rules]]
id = "c"
type = "ceiling"
zones = ["Z"]
max_count = 0
classes_except = ["troops"]
)",
                                       "r.toml");
    Detection drone = detection("uav", {127.5, 38.5}, "drone");
    Detection men = detection("men", {127.5, 38.5}, "troops");
    CHECK(regime.rules[0]->in_scope(drone));
    CHECK_FALSE(regime.rules[0]->in_scope(men));
}

TEST_CASE("classes_except: errors name the line", "[regime][language]") {
    auto both = error_of("[[rules]]\nid = \"p\"\ntype = \"prohibited\"\nzones = [\"Z\"]\nclasses = [\"troops\"]\nclasses_except = [\"mlrs\"]\n");
    CHECK(both.find("r.toml, line 17") != std::string::npos);
    CHECK(both.find("give either classes or classes_except, not both") != std::string::npos);
    CHECK(error_of("[[rules]]\nid = \"p\"\ntype = \"prohibited\"\nzones = [\"Z\"]\nclasses_except = [\"bicycle\"]\n")
              .find("unknown equipment class 'bicycle'") != std::string::npos);
    CHECK(error_of("[[rules]]\nid = \"p\"\ntype = \"prohibited\"\nzones = [\"Z\"]\nclasses_except = [\"battle_tank\", \"artillery\", \"mlrs\", "
                   "\"troops\"]\n")
              .find("leaves no class") != std::string::npos);
    CHECK(error_of("[[rules]]\nid = \"p\"\ntype = \"prohibited\"\nzones = [\"Z\"]\nclasses_except = []\n").find("at least one class") !=
          std::string::npos);
}

TEST_CASE("sources: only detections from the named sources, names checked against the vocabulary", "[regime][language]") {
    Harness h("[[rules]]\nid = \"p\"\ntype = \"prohibited\"\nzones = [\"Z\"]\nsources = [\"imagery\", \"Inspection\"]\n", {test::zone("Z", square)},
              {});
    std::vector<Detection> ds{detection("img", {127.5, 38.5}, "troops"), detection("insp", {127.5, 38.6}, "troops"),
                              detection("osint", {127.5, 38.7}, "troops"), detection("report", {127.5, 38.8}, "troops")};
    ds[1].source = "inspection";
    ds[2].source = "open_source";
    ds[3].source = "monitor_report";
    auto f = by_evidence(h.run(ds));
    CHECK(f.size() == 2);
    CHECK(f.count("img"));
    CHECK(f.count("insp"));

    auto e = error_of("[[rules]]\nid = \"p\"\ntype = \"prohibited\"\nzones = [\"Z\"]\nsources = [\"satellite\"]\n");
    CHECK(e.find("r.toml, line 16") != std::string::npos);
    CHECK(e.find("unknown detection source 'satellite'") != std::string::npos);
    CHECK(e.find("imagery, inspection, monitor_report, open_source") != std::string::npos);
    CHECK(error_of("[[rules]]\nid = \"s\"\ntype = \"sensor_limit\"\nsources = [\"imagery\"]\n").find("sources filters detections") !=
          std::string::npos);
}
