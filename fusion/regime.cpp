#include "fusion/regime.hpp"

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "core/store_limits.hpp"
#include "fusion/rule_registry.hpp"
#include "fusion/toml_reader.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

namespace avf::fusion {

WaiverBases waiver_bases(const Regime& regime) {
    WaiverBases out;
    for (const auto& rule : regime.rules)
        for (const Waiver& w : rule->waivers()) out.emplace(std::make_pair(rule->id(), w.id), w.basis);
    return out;
}

namespace {

// `range_km = { declared = 480, assessed = [500, 5500], source = "…" }`: at least one figure, and a source.
ClassRange read_class_range(TomlReader& r) {
    ClassRange range;
    if (auto d = r.optional_km("declared")) range.declared = Meters{*d};
    if (auto a = r.optional_km_interval("assessed")) {
        range.assessed_min = Meters{a->first};
        range.assessed_max = Meters{a->second};
    }
    if (!range.declared && !range.assessed_min)
        r.fail("", "a range needs a declared and/or an assessed figure", "range_km = { declared = 480, assessed = [500, 5500], source = \"…\" }");
    range.source = r.required_string("source");
    r.finish();
    return range;
}

} // namespace

Regime load_regime(const std::string& path) {
    return parse_regime(read_file(path), path); // IoError on any read error, never a truncated regime
}

Regime parse_regime(const std::string& text, const std::string& path) {
    Regime regime;
    regime.path = path;
    regime.text = text;
    toml::table root;
    try {
        root = toml::parse(text, path);
    } catch (const toml::parse_error& e) {
        throw InputError("TOML syntax error: " + std::string(e.description()),
                         Context{}.file(path).line(static_cast<long>(e.source().begin.line)).column(static_cast<long>(e.source().begin.column)));
    }
    TomlReader top(root, path, "");

    const toml::table* meta = top.optional_table("regime");
    if (!meta) top.fail("regime", "missing the [regime] table", "[regime] with id, name, parties, in_force_from");
    TomlReader m(*meta, path, "regime");
    regime.meta.id = m.required_string("id");
    regime.meta.name = m.optional_string("name").value_or(regime.meta.id);
    regime.meta.parties.read(m, "parties");
    if (auto t = m.optional_time("in_force_from")) regime.meta.in_force.from = *t;
    if (auto t = m.optional_time("in_force_to")) regime.meta.in_force.to = *t;
    if (regime.meta.in_force.empty()) m.fail("in_force_to", "the regime's in-force period is empty");
    m.finish({"description"});

    const toml::table* classes = top.optional_table("classes");
    if (!classes || classes->empty()) top.fail("classes", "missing the [classes] table", "[classes] with class = [\"alias\", …]");
    TomlReader c(*classes, path, "classes");
    for (const auto& [name, value] : *classes) {
        std::string cls(name.str());
        // `class = ["alias", …]`, or `class = { aliases = […], range_km = { … } }` for a class with a range.
        std::vector<std::string> aliases;
        std::optional<ClassRange> range;
        if (value.is_table()) {
            TomlReader t(*c.optional_table(cls), path, "classes." + cls);
            aliases = t.string_list("aliases");
            if (const toml::table* rt = t.optional_table("range_km")) {
                TomlReader rr(*rt, path, "classes." + cls + ".range_km");
                range = read_class_range(rr);
            }
            t.finish();
        } else {
            aliases = c.string_list(cls);
        }
        c.check_text(cls, cls);
        if (cls.size() > store_limits::equipment_class)
            c.fail(cls, "class name is too long", "at most " + std::to_string(store_limits::equipment_class) + " bytes");
        if (!regime.taxonomy.add_class(cls, aliases)) c.fail(cls, "class '" + cls + "' or one of its aliases is already used by another class");
        if (range) regime.taxonomy.set_range(cls, std::move(*range));
    }
    c.finish();

    if (const toml::table* dedup = top.optional_table("dedup")) {
        TomlReader d(*dedup, path, "dedup");
        regime.dedup = read_dedup_policy(d, regime.taxonomy);
    }

    const toml::array* rules = top.optional_array("rules");
    if (!rules || rules->empty()) top.fail("rules", "the regime has no rules", "[[rules]] tables");
    std::set<std::string> ids;
    std::size_t i = 0;
    for (const auto& node : *rules) {
        const toml::table* t = node.as_table();
        if (!t) top.fail("rules", "every rule must be a table", "[[rules]]");
        TomlReader r(*t, path, "rules[" + std::to_string(i++) + "]");
        auto rule = make_rule(r, RuleContext{regime.taxonomy, regime.meta.in_force, regime.meta.parties});
        if (!ids.insert(rule->id()).second) r.fail("id", "duplicate rule id '" + rule->id() + "'", "a unique id per rule");
        regime.rules.push_back(std::move(rule));
    }
    top.finish();
    return regime;
}

} // namespace avf::fusion
