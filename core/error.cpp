#include "core/error.hpp"

namespace avf {

std::string Context::location() const {
    std::string s = m_file;
    auto add = [&s](const std::string& part) {
        if (!s.empty()) s += ", ";
        s += part;
    };
    if (!m_layer.empty()) add("layer " + m_layer);
    if (!m_feature.empty()) add("feature " + m_feature);
    if (!m_record.empty()) {
        if (m_feature.empty())
            add("record " + m_record);
        else
            s += " (id=" + m_record + ")";
    }
    if (m_line) {
        std::string l = "line " + std::to_string(*m_line);
        if (m_column) l += ":" + std::to_string(*m_column);
        add(l);
    }
    return s;
}

std::string Context::detail() const {
    std::string s;
    if (!m_field.empty()) {
        s = "field '" + m_field + "'";
        if (!m_value.empty()) s += " = '" + m_value + "'";
    } else if (!m_value.empty()) {
        s = "value '" + m_value + "'";
    }
    if (!m_expected.empty()) {
        if (!s.empty()) s += " ";
        s += "(expected " + m_expected + ")";
    }
    return s;
}

std::string Context::format(const std::string& text) const {
    std::string loc = location();
    std::string det = detail();
    std::string s = loc.empty() ? text : loc + ": " + text;
    if (!det.empty()) s += "; " + det;
    return s;
}

} // namespace avf
