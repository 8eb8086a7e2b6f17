#include "core/taxonomy.hpp"

#include <algorithm>

namespace avf {

std::string Taxonomy::key(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    std::string k(s);
    std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
    return k;
}

bool Taxonomy::add_class(const std::string& name, const std::vector<std::string>& aliases) {
    std::size_t index = m_classes.size();
    std::vector<std::string> keys{key(name)};
    for (const auto& a : aliases) keys.push_back(key(a));
    for (const auto& k : keys) {
        auto it = m_lookup.find(k);
        if (it != m_lookup.end() && it->second != index) return false;
    }
    m_classes.push_back(name);
    m_ranges.emplace_back();
    for (auto& k : keys) m_lookup.emplace(std::move(k), index);
    return true;
}

const std::string* Taxonomy::resolve(std::string_view name_or_alias) const {
    auto it = m_lookup.find(key(name_or_alias));
    return it == m_lookup.end() ? nullptr : &m_classes[it->second];
}

bool Taxonomy::has_class(std::string_view name) const {
    return std::find(m_classes.begin(), m_classes.end(), name) != m_classes.end();
}

bool Taxonomy::set_range(std::string_view name, ClassRange range) {
    auto it = std::find(m_classes.begin(), m_classes.end(), name);
    if (it == m_classes.end()) return false;
    m_ranges[static_cast<std::size_t>(it - m_classes.begin())] = std::move(range);
    return true;
}

const ClassRange* Taxonomy::range(std::string_view name) const {
    auto it = std::find(m_classes.begin(), m_classes.end(), name);
    if (it == m_classes.end()) return nullptr;
    const auto& r = m_ranges[static_cast<std::size_t>(it - m_classes.begin())];
    return r ? &*r : nullptr;
}

Meters ClassRange::smallest() const {
    if (declared && assessed_min) return Meters{std::min(declared->value, assessed_min->value)};
    return declared ? *declared : assessed_min.value_or(Meters{0.0});
}

Meters ClassRange::largest() const {
    if (declared && assessed_max) return Meters{std::max(declared->value, assessed_max->value)};
    return declared ? *declared : assessed_max.value_or(Meters{0.0});
}

} // namespace avf
