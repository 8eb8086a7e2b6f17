#include "fusion/rule.hpp"

#include "core/store_limits.hpp"
#include "fusion/toml_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace avf::fusion {

const std::vector<std::string>& detection_sources() {
    static const std::vector<std::string> sources = {"imagery", "inspection", "monitor_report", "open_source"};
    return sources;
}

namespace {

// Classes named at `key` (canonical names or aliases), each declared in [classes].
std::set<std::string> read_classes(TomlReader& r, const std::string& key, const Taxonomy& taxonomy) {
    std::set<std::string> out;
    for (const auto& c : r.string_list(key)) {
        const std::string* canonical = taxonomy.resolve(c);
        if (!canonical) r.fail(key, "unknown equipment class '" + c + "'", "a class or alias declared in [classes]");
        out.insert(*canonical);
    }
    return out;
}

bool same_source(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

} // namespace

void Rule::read_common(TomlReader& r, const RuleContext& context) {
    m_id = r.required_string("id");
    if (m_id.size() > store_limits::rule_id) r.fail("id", "rule id is too long", fmt::format("at most {} bytes", store_limits::rule_id));
    m_type = r.required_string("type");
    m_article = r.optional_stored_string("article", store_limits::article).value_or("");
    m_description = r.optional_string("description").value_or("");
    m_declared_parties = context.parties.set();
    m_parties = context.parties.require_list(r, "parties");

    if (r.has("classes") && r.has("classes_except"))
        r.fail("classes_except", "give either classes or classes_except, not both", "classes = [\"…\"] or classes_except = [\"…\"]");
    m_classes = read_classes(r, "classes", context.taxonomy);
    if (r.has("classes_except")) {
        m_classes_except = read_classes(r, "classes_except", context.taxonomy);
        if (m_classes_except.empty()) r.fail("classes_except", "must name at least one class", "classes_except = [\"personnel\"]");
        // Every class of the taxonomy but these: a class added to [classes] later is in scope.
        for (const auto& c : context.taxonomy.classes())
            if (!m_classes_except.count(c)) m_classes.insert(c);
        if (m_classes.empty()) r.fail("classes_except", "leaves no class in the rule's scope", "fewer classes than [classes] declares");
    }

    for (const auto& s : r.string_list("sources")) {
        auto known = std::find_if(detection_sources().begin(), detection_sources().end(), [&](const std::string& k) { return same_source(k, s); });
        if (known == detection_sources().end())
            r.fail("sources", "unknown detection source '" + s + "'", fmt::format("one of: {}", fmt::join(detection_sources(), ", ")));
        if (std::find(m_sources.begin(), m_sources.end(), *known) == m_sources.end()) m_sources.push_back(*known);
    }

    m_valid = context.in_force;
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
            if (waiver.id.size() > store_limits::waiver_id)
                w.fail("id", "waiver id is too long", fmt::format("at most {} bytes", store_limits::waiver_id));
            for (const auto& c : read_classes(w, "classes", context.taxonomy)) waiver.classes.push_back(c);
            waiver.parties = context.parties.require_list(w, "parties");
            waiver.zones = w.string_list("zones");
            for (const auto& z : waiver.zones)
                if (z.size() > store_limits::target_id)
                    w.fail("zones", "zone id '" + z + "' is too long", fmt::format("at most {} bytes", store_limits::target_id));
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

void Rule::refuse_sources(TomlReader& r) const {
    if (!m_sources.empty()) r.fail("sources", "sources filters detections; this rule judges imagery, tracks and routes", "no sources key");
}

std::string Rule::classes_phrase() const {
    if (!m_classes_except.empty()) return fmt::format("items except {}", fmt::join(m_classes_except, "/"));
    if (m_classes.empty()) return "items";
    return fmt::format("{}", fmt::join(m_classes, "/"));
}

bool Rule::in_scope(const Detection& d) const {
    if (!m_valid.contains(d.time)) return false;
    if (!m_classes.empty() && !m_classes.count(d.equipment_class)) return false;
    if (!m_parties.empty() && attributed(d.party) && !m_parties.count(d.party)) return false;
    if (!m_sources.empty() && std::none_of(m_sources.begin(), m_sources.end(), [&](const std::string& s) { return same_source(s, d.source); }))
        return false;
    return true;
}

const Waiver* Rule::waiver_for(const Detection& d, const std::string& zone_id) const {
    for (const auto& w : m_waivers) {
        if (!w.valid.contains(d.time)) continue;
        if (!w.classes.empty() && std::find(w.classes.begin(), w.classes.end(), d.equipment_class) == w.classes.end()) continue;
        if (!w.parties.empty() && !w.parties.count(d.party)) continue;
        if (!w.zones.empty() && std::find(w.zones.begin(), w.zones.end(), zone_id) == w.zones.end()) continue;
        if (w.max_count && d.count > *w.max_count) continue;
        return &w;
    }
    return nullptr;
}

} // namespace avf::fusion
