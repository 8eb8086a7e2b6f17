// The zones a rule refers to — by id (`zones = ["DMZ-N", "DMZ-S"]`) or by selector
// (`zone_selector = { kind = "dmz", party = "KOR" }`) — resolved against a zone set at bind time.
#pragma once

#include "core/error.hpp"
#include "fusion/parties.hpp"
#include "fusion/toml_reader.hpp"
#include "fusion/zone_set_view.hpp"

#include <string>
#include <vector>

namespace avf::fusion {

class ZoneTargets {
public:
    /// Reads `zones` or `zone_selector` (one of them is required). Zone ids longer than the
    /// store's target column and selector parties the regime does not declare are errors.
    void read(TomlReader& r, const PartyRoster& parties);
    /// Resolves to zone indices; InputError (regime file, line, key) for an unknown id or a
    /// selector that matches nothing.
    void bind(const ZoneSetView& zones);
    bool contains(std::size_t zone) const { return zone < m_member.size() && m_member[zone]; }
    const std::vector<std::size_t>& indices() const { return m_indices; }

private:
    std::vector<std::string> m_ids;
    std::string m_kind, m_party;
    bool m_selector = false;
    Context m_where;
    std::vector<std::size_t> m_indices;
    std::vector<bool> m_member;
};

/// Resolves a reference line id; InputError with the regime location when missing.
std::size_t bind_line(const ZoneSetView& zones, const std::string& id, const Context& where);

/// Zone or line ids named at `key` (a string or a list), each at most the store's target column
/// wide (core/store_limits.hpp): findings carry them as their target.
std::vector<std::string> read_target_ids(TomlReader& r, const std::string& key);

} // namespace avf::fusion
