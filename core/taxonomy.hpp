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
// A class may carry its maximum range (missiles and their launchers, for `reach` rules): as its
// owner declares it and/or as others assess it — the two may differ (the 9M729: 480 km declared,
// assessed within 500–5,500 km) and both are kept, with the source of the figures.
//
//   t.set_range("ssc8", ClassRange{kilometers(480), kilometers(500), kilometers(5500), "…"});
//   t.range("ssc8")->largest();    // 5500 km
//
// Read-only use (resolve, range) is thread-safe.
#pragma once

#include "core/units.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace avf {

/// A class's maximum range. At least one of declared / assessed is given; an assessment is an
/// interval [assessed_min, assessed_max] (equal ends for a single figure).
struct ClassRange {
    std::optional<Meters> declared;
    std::optional<Meters> assessed_min, assessed_max;
    std::string source; ///< where the figures come from (quoted in findings)

    /// The smallest and largest range the class may have, over the declared and assessed figures.
    Meters smallest() const;
    Meters largest() const;
};

class Taxonomy {
public:
    /// Adds a class with its aliases. Returns false when the name or an alias is already taken
    /// by another class (the regime loader reports that as an error).
    bool add_class(const std::string& name, const std::vector<std::string>& aliases);
    /// The canonical class for a class name or alias; nullptr when unknown.
    const std::string* resolve(std::string_view name_or_alias) const;
    bool has_class(std::string_view name) const;
    /// Gives a canonical class its range; false when the class is unknown.
    bool set_range(std::string_view name, ClassRange range);
    /// The range of a canonical class; nullptr when it has none (or the class is unknown).
    const ClassRange* range(std::string_view name) const;
    const std::vector<std::string>& classes() const { return m_classes; }
    bool empty() const { return m_classes.empty(); }

private:
    static std::string key(std::string_view s);
    std::vector<std::string> m_classes;
    std::vector<std::optional<ClassRange>> m_ranges;       // by index in m_classes
    std::unordered_map<std::string, std::size_t> m_lookup; // normalized name/alias → index in m_classes
};

} // namespace avf
