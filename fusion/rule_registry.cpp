#include "fusion/rule_registry.hpp"

#include "fusion/rules/airspace.hpp"
#include "fusion/rules/band.hpp"
#include "fusion/rules/ceiling.hpp"
#include "fusion/rules/coverage.hpp"
#include "fusion/rules/declaration_match.hpp"
#include "fusion/rules/notification.hpp"
#include "fusion/rules/prohibited.hpp"
#include "fusion/rules/reach.hpp"
#include "fusion/rules/route.hpp"
#include "fusion/rules/sensor_limit.hpp"
#include "fusion/rules/standoff.hpp"
#include "fusion/toml_reader.hpp"

#include <functional>
#include <map>

namespace avf::fusion {

namespace {
using Factory = std::function<std::unique_ptr<Rule>(TomlReader&, const RuleContext&)>;

// The explicit registry of rule types: adding a rule type is one class and one line here.
const std::map<std::string, Factory>& registry() {
    static const std::map<std::string, Factory> types = {
        {"prohibited", [](TomlReader& r, const RuleContext& c) { return std::make_unique<ProhibitedRule>(r, c); }},
        {"ceiling", [](TomlReader& r, const RuleContext& c) { return std::make_unique<CeilingRule>(r, c); }},
        {"standoff", [](TomlReader& r, const RuleContext& c) { return std::make_unique<StandoffRule>(r, c); }},
        {"band", [](TomlReader& r, const RuleContext& c) { return std::make_unique<BandRule>(r, c); }},
        {"reach", [](TomlReader& r, const RuleContext& c) { return std::make_unique<ReachRule>(r, c); }},
        // the imagery side (evaluate_imagery)
        {"sensor_limit", [](TomlReader& r, const RuleContext& c) { return std::make_unique<SensorLimitRule>(r, c); }},
        {"route", [](TomlReader& r, const RuleContext& c) { return std::make_unique<RouteRule>(r, c); }},
        {"airspace", [](TomlReader& r, const RuleContext& c) { return std::make_unique<AirspaceRule>(r, c); }},
        {"coverage", [](TomlReader& r, const RuleContext& c) { return std::make_unique<CoverageRule>(r, c); }},
        // the declarations side (after the detection pass)
        {"declaration_match", [](TomlReader& r, const RuleContext& c) { return std::make_unique<DeclarationMatchRule>(r, c); }},
        {"notification", [](TomlReader& r, const RuleContext& c) { return std::make_unique<NotificationRule>(r, c); }},
    };
    return types;
}
} // namespace

std::vector<std::string> builtin_rule_types() {
    std::vector<std::string> out;
    for (const auto& [name, f] : registry()) out.push_back(name);
    return out;
}

std::unique_ptr<Rule> make_rule(TomlReader& r, const RuleContext& context) {
    auto type = r.optional_string("type");
    if (!type) r.fail("type", "missing required key", "a rule type");
    auto it = registry().find(*type);
    if (it == registry().end()) {
        std::string list;
        for (const auto& n : builtin_rule_types()) list += (list.empty() ? "" : ", ") + n;
        r.fail("type", "unknown rule type '" + *type + "'", "one of: " + list);
    }
    return it->second(r, context);
}

} // namespace avf::fusion
