// The equipment-class taxonomy of a regime: canonical classes and the aliases that map raw model
// names onto them (e.g. "T-72B3" → battle_tank). Matching of aliases is case-insensitive and
// ignores surrounding spaces; canonical names are lower_snake_case.
//
//   avf::Taxonomy t;
//   t.add_class("battle_tank", {"T-72", "T-72B3", "K2"});
//   t.resolve("t-72b3");           // "battle_tank"
//   t.resolve("battle_tank");      // "battle_tank"
//   t.resolve("bicycle");          // nullptr
//
// Read-only use (resolve) is thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace avf {

class Taxonomy {
public:
    /// Adds a class with its aliases. Returns false when the name or an alias is already taken
    /// by another class (the regime loader reports that as an error).
    bool add_class(const std::string& name, const std::vector<std::string>& aliases);
    /// The canonical class for a class name or alias; nullptr when unknown.
    const std::string* resolve(std::string_view name_or_alias) const;
    bool has_class(std::string_view name) const;
    const std::vector<std::string>& classes() const { return m_classes; }
    bool empty() const { return m_classes.empty(); }

private:
    static std::string key(std::string_view s);
    std::vector<std::string> m_classes;
    std::unordered_map<std::string, std::size_t> m_lookup; // normalized name/alias → index in m_classes
};

} // namespace avf
