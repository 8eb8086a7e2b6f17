// Small helpers shared by the imagery and track readers (internal to ingest/): reading text values
// locale-proof, and the "first defect of a record" exception that each reader turns into one
// Problem with the record's position.
//
//   try { double h = *parse_number("  +912.5 "); } catch (const Defect& d) { report(d); }
#pragma once

#include "core/problem.hpp"

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace avf::ingest {

/// The first defect found in a record; the reader adds the position and reports it.
struct Defect {
    ProblemCode code;
    std::string field;
    std::string value;
    std::string reason;
    std::string expected;
};

inline std::string trim(std::string_view s) {
    auto b = s.find_first_not_of(" \t\r\n");
    auto e = s.find_last_not_of(" \t\r\n");
    return b == std::string_view::npos ? std::string() : std::string(s.substr(b, e - b + 1));
}

/// A decimal number read with std::from_chars (never the C locale), a leading '+' accepted,
/// surrounding blanks ignored. "nan"/"inf" are read (callers check finiteness and say so).
inline std::optional<double> parse_number(std::string_view text) {
    std::string t = trim(text);
    std::string_view v = t;
    if (!v.empty() && v.front() == '+') v.remove_prefix(1);
    double out = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (v.empty() || ec != std::errc{} || p != v.data() + v.size()) return std::nullopt;
    return out;
}

/// true/false, 1/0, yes/no, on/off (any case); nullopt otherwise.
inline std::optional<bool> parse_bool(std::string_view text) {
    std::string t = trim(text);
    for (auto& c : t) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (t == "true" || t == "1" || t == "yes" || t == "on") return true;
    if (t == "false" || t == "0" || t == "no" || t == "off") return false;
    return std::nullopt;
}

/// "a, b,c" → {"a", "b", "c"} (empty items dropped).
inline std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t end = text.find(',', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string item = trim(text.substr(pos, end - pos));
        if (!item.empty()) out.push_back(std::move(item));
        pos = end + 1;
    }
    return out;
}

} // namespace avf::ingest
