#include "fusion/targets.hpp"

#include "core/store_limits.hpp"

namespace avf::fusion {

std::vector<std::string> read_target_ids(TomlReader& r, const std::string& key) {
    std::vector<std::string> ids = r.string_list(key);
    for (const auto& id : ids)
        if (id.size() > store_limits::target_id)
            r.fail(key,
                   "id '" + id + "' is " + std::to_string(id.size()) + " bytes long; the store keeps at most " +
                       std::to_string(store_limits::target_id),
                   "a zone or line id of at most " + std::to_string(store_limits::target_id) + " bytes");
    return ids;
}

void ZoneTargets::read(TomlReader& r, const PartyRoster& parties) {
    bool by_id = r.has("zones"), by_selector = r.has("zone_selector");
    if (by_id == by_selector)
        r.fail("zones", by_id ? "give either zones or zone_selector, not both" : "missing required key",
               "zones = [\"id\", …] or zone_selector = { kind = \"…\" }");
    if (by_id) {
        m_where = r.where("zones");
        m_ids = read_target_ids(r, "zones");
        if (m_ids.empty()) r.fail("zones", "must name at least one zone");
        return;
    }
    m_where = r.where("zone_selector");
    m_selector = true;
    const toml::table* t = r.optional_table("zone_selector");
    TomlReader s(*t, r.file(), r.path() + ".zone_selector");
    m_kind = s.optional_string("kind").value_or("");
    if (auto party = s.optional_string("party")) m_party = parties.require(s, "party", *party);
    s.finish();
    if (m_kind.empty() && m_party.empty()) r.fail("zone_selector", "a selector needs kind and/or party");
}

void ZoneTargets::bind(const ZoneSetView& zones) {
    m_indices.clear();
    if (m_selector) {
        m_indices = zones.select_zones(m_kind, m_party);
        if (m_indices.empty())
            throw InputError("zone_selector {kind = '" + m_kind + "', party = '" + m_party + "'} matches no zone of the zone set", m_where);
    } else {
        for (const auto& id : m_ids) {
            auto i = zones.zone_index(id);
            if (!i) throw InputError("zone '" + id + "' does not exist in the zone set", m_where);
            m_indices.push_back(*i);
        }
    }
    m_member.assign(zones.zones().size(), false);
    for (auto i : m_indices) m_member[i] = true;
}

std::size_t bind_line(const ZoneSetView& zones, const std::string& id, const Context& where) {
    auto i = zones.line_index(id);
    if (!i) throw InputError("reference line '" + id + "' does not exist in the zone set", where);
    return *i;
}

} // namespace avf::fusion
