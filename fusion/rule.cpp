#include "fusion/rule.hpp"

#include "fusion/rules/ceiling.hpp"
#include "fusion/rules/prohibited.hpp"
#include "fusion/rules/standoff.hpp"
#include "fusion/rules/band.hpp"
#include "fusion/rules/coverage.hpp"
#include "fusion/rules/route.hpp"
#include "fusion/rules/sensor_limit.hpp"
#include "fusion/rules/declaration_match.hpp"
#include "fusion/rules/notification.hpp"
#include "fusion/toml_reader.hpp"

#include <algorithm>
#include <functional>
#include <map>

namespace avf::fusion {

void Rule::read_common(TomlReader& r, const Taxonomy& taxonomy, const Interval& regime_in_force) {
    m_id = r.required_string("id");
    if (m_id.size() > max_id_length) r.fail("id", "rule id is too long", "at most 64 bytes");
    m_type = r.required_string("type");
    m_article = r.optional_string("article").value_or("");
    m_description = r.optional_string("description").value_or("");
    for (const auto& p : r.string_list("parties")) m_parties.insert(p);
    for (const auto& c : r.string_list("classes")) {
        const std::string* canonical = taxonomy.resolve(c);
        if (!canonical) r.fail("classes", "unknown equipment class '" + c + "'", "a class or alias declared in [classes]");
        m_classes.insert(*canonical);
    }
    m_valid = regime_in_force;
    if (auto t = r.optional_time("valid_from")) m_valid.from = std::max(m_valid.from, *t);
    if (auto t = r.optional_time("valid_to")) m_valid.to = std::min(m_valid.to, *t);
    if (m_valid.empty()) r.fail("valid_to", "the rule's validity (within the regime's in_force period) is empty");

    if (const toml::array* waivers = r.optional_array("waivers")) {
        std::size_t i = 0;
        for (const auto& node : *waivers) {
            const toml::table* t = node.as_table();
            std::string path = r.path() + ".waivers[" + std::to_string(i++) + "]";
            if (!t) r.fail("waivers", "every waiver must be a table", "[[rules.waivers]]");
            TomlReader w(*t, r.file(), path);
            Waiver waiver;
            waiver.id = w.required_string("id");
            for (const auto& c : w.string_list("classes")) {
                const std::string* canonical = taxonomy.resolve(c);
                if (!canonical) w.fail("classes", "unknown equipment class '" + c + "'", "a class or alias declared in [classes]");
                waiver.classes.push_back(*canonical);
            }
            waiver.parties = w.string_list("parties");
            waiver.zones = w.string_list("zones");
            waiver.max_count = w.optional_integer("max_count");
            if (waiver.max_count && *waiver.max_count < 0) w.fail("max_count", "must not be negative", "an integer ≥ 0");
            auto from = w.optional_time("valid_from");
            auto to = w.optional_time("valid_to");
            if (!from || !to) w.fail(from ? "valid_to" : "valid_from", "a waiver must be time-bounded", "valid_from and valid_to");
            waiver.valid = Interval{*from, *to};
            if (waiver.valid.empty()) w.fail("valid_to", "waiver ends before it starts");
            waiver.basis = w.required_string("basis");
            w.finish();
            m_waivers.push_back(std::move(waiver));
        }
    }
}

bool Rule::in_scope(const Detection& d) const {
    if (!m_valid.contains(d.time)) return false;
    if (!m_classes.empty() && !m_classes.count(d.equipment_class)) return false;
    if (!m_parties.empty() && !d.party.empty() && !m_parties.count(d.party)) return false;
    return true;
}

const Waiver* Rule::waiver_for(const Detection& d, const std::string& zone_id) const {
    for (const auto& w : m_waivers) {
        if (!w.valid.contains(d.time)) continue;
        if (!w.classes.empty() && std::find(w.classes.begin(), w.classes.end(), d.equipment_class) == w.classes.end()) continue;
        if (!w.parties.empty() && std::find(w.parties.begin(), w.parties.end(), d.party) == w.parties.end()) continue;
        if (!w.zones.empty() && std::find(w.zones.begin(), w.zones.end(), zone_id) == w.zones.end()) continue;
        if (w.max_count && d.count > *w.max_count) continue;
        return &w;
    }
    return nullptr;
}

namespace {
using Factory = std::function<std::unique_ptr<Rule>(TomlReader&, const Taxonomy&, const Interval&)>;

// The explicit registry of rule types.
const std::map<std::string, Factory>& registry() {
    static const std::map<std::string, Factory> types = {
        {"prohibited", [](TomlReader& r, const Taxonomy& t, const Interval& i) { return std::make_unique<ProhibitedRule>(r, t, i); }},
        {"ceiling", [](TomlReader& r, const Taxonomy& t, const Interval& i) { return std::make_unique<CeilingRule>(r, t, i); }},
        {"standoff", [](TomlReader& r, const Taxonomy& t, const Interval& i) { return std::make_unique<StandoffRule>(r, t, i); }},
        {"band", [](TomlReader& r, const Taxonomy& t, const Interval& i) { return std::make_unique<BandRule>(r, t, i); }},
        // the observation side (evaluate_imagery)
        {"sensor_limit", [](TomlReader& r, const Taxonomy& t, const Interval& i) { return std::make_unique<SensorLimitRule>(r, t, i); }},
        {"route", [](TomlReader& r, const Taxonomy& t, const Interval& i) { return std::make_unique<RouteRule>(r, t, i); }},
        {"coverage", [](TomlReader& r, const Taxonomy& t, const Interval& i) { return std::make_unique<CoverageRule>(r, t, i); }},
        // the declarations side (after the detection pass)
        {"declaration_match", [](TomlReader& r, const Taxonomy& t, const Interval& i) { return std::make_unique<DeclarationMatchRule>(r, t, i); }},
        {"notification", [](TomlReader& r, const Taxonomy& t, const Interval& i) { return std::make_unique<NotificationRule>(r, t, i); }},
    };
    return types;
}
} // namespace

std::vector<std::string> builtin_rule_types() {
    std::vector<std::string> out;
    for (const auto& [name, f] : registry()) out.push_back(name);
    return out;
}

std::unique_ptr<Rule> make_rule(TomlReader& r, const Taxonomy& taxonomy, const Interval& regime_in_force) {
    auto type = r.optional_string("type");
    if (!type) r.fail("type", "missing required key", "a rule type");
    auto it = registry().find(*type);
    if (it == registry().end()) {
        std::string list;
        for (const auto& n : builtin_rule_types()) list += (list.empty() ? "" : ", ") + n;
        r.fail("type", "unknown rule type '" + *type + "'", "one of: " + list);
    }
    return it->second(r, taxonomy, regime_in_force);
}

} // namespace avf::fusion
