#include "fusion/toml_reader.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace avf::fusion {

TomlReader::TomlReader(const toml::table& table, std::string file, std::string path)
    : m_table(table), m_file(std::move(file)), m_path(std::move(path)) {}

Context TomlReader::where(const std::string& key) const {
    Context c = Context{}.file(m_file);
    const toml::node* n = key.empty() ? nullptr : m_table.get(key);
    const auto& src = n ? n->source() : m_table.source();
    if (src.begin.line > 0) c.line(static_cast<long>(src.begin.line)).column(static_cast<long>(src.begin.column));
    std::string full = m_path.empty() ? key : (key.empty() ? m_path : m_path + "." + key);
    if (!full.empty()) c.field(full);
    return c;
}

void TomlReader::fail(const std::string& key, const std::string& message, const std::string& expected) const {
    Context c = where(key);
    if (!expected.empty()) c.expected(expected);
    throw InputError(message, c);
}

bool TomlReader::has(const std::string& key) const {
    return m_table.contains(key);
}

const toml::node* TomlReader::get(const std::string& key) {
    m_used.insert(key);
    return m_table.get(key);
}

std::optional<std::string> TomlReader::optional_string(const std::string& key) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (auto v = n->value<std::string>()) {
        check_text(key, *v);
        return *v;
    }
    fail(key, "wrong type", "a string");
}

void TomlReader::check_text(const std::string& key, std::string_view text) const {
    // The store keeps text in NUL-padded fixed-length columns and NUL-terminated attributes.
    if (text.find('\0') != std::string_view::npos) fail(key, "contains a NUL byte (\\u0000), which the store cannot keep", "text without \\u0000");
}

std::string TomlReader::required_string(const std::string& key) {
    auto v = optional_string(key);
    if (!v) fail(key, "missing required key", "a string");
    if (v->empty()) fail(key, "must not be empty", "a non-empty string");
    return *v;
}

std::optional<double> TomlReader::optional_number(const std::string& key) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (n->is_integer() || n->is_floating_point()) {
        double d = *n->value<double>();
        if (!std::isfinite(d)) fail(key, "must be a finite number", "a finite number");
        return d;
    }
    fail(key, "wrong type", "a number");
}

double TomlReader::required_number(const std::string& key) {
    auto v = optional_number(key);
    if (!v) fail(key, "missing required key", "a number");
    return *v;
}

std::optional<std::int64_t> TomlReader::optional_integer(const std::string& key) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (auto v = n->value_exact<std::int64_t>()) return *v;
    fail(key, "wrong type", "an integer");
}

std::optional<bool> TomlReader::optional_bool(const std::string& key) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (auto v = n->value_exact<bool>()) return *v;
    fail(key, "wrong type", "true or false");
}

std::vector<std::string> TomlReader::string_list(const std::string& key) {
    const toml::node* n = get(key);
    std::vector<std::string> out;
    if (!n) return out;
    if (auto s = n->value_exact<std::string>()) {
        check_text(key, *s);
        return {*s};
    }
    const toml::array* a = n->as_array();
    if (!a) fail(key, "wrong type", "a list of strings");
    for (const auto& e : *a) {
        auto s = e.value_exact<std::string>();
        if (!s || s->empty()) fail(key, "every element must be a non-empty string", "a list of strings");
        check_text(key, *s);
        out.push_back(*s);
    }
    return out;
}

std::optional<UtcTime> TomlReader::optional_time(const std::string& key) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    std::string text;
    if (auto s = n->value_exact<std::string>()) {
        text = *s;
    } else if (auto d = n->value_exact<toml::date>()) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", int(d->year), int(d->month), int(d->day));
        text = buf;
    } else if (auto dt = n->value_exact<toml::date_time>()) {
        if (!dt->offset) fail(key, "a date-time needs a UTC offset (Z or ±hh:mm)", "an ISO-8601 UTC time");
        char buf[64];
        int off = dt->offset->minutes;
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", int(dt->date.year), int(dt->date.month), int(dt->date.day),
                      int(dt->time.hour), int(dt->time.minute), int(dt->time.second), off < 0 ? '-' : '+', std::abs(off) / 60, std::abs(off) % 60);
        text = buf;
    } else {
        fail(key, "wrong type", "an ISO-8601 date or UTC time");
    }
    auto t = parse_utc(text);
    if (!t) fail(key, "not an ISO-8601 date or UTC time: '" + text + "'", "YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ");
    return t;
}

std::optional<std::string> TomlReader::optional_stored_string(const std::string& key, std::size_t max_bytes) {
    auto v = optional_string(key);
    if (v && v->size() > max_bytes)
        fail(key, "'" + *v + "' is " + std::to_string(v->size()) + " bytes long; the store keeps at most " + std::to_string(max_bytes),
             "at most " + std::to_string(max_bytes) + " bytes (UTF-8)");
    return v;
}

std::optional<Duration> TomlReader::optional_duration(const std::string& key, bool allow_zero) {
    auto s = optional_string(key);
    if (!s) return std::nullopt;
    const std::string expected = std::string("P1D, PT6H, 14d, 6h…") + (allow_zero ? ", or 0" : "") + ", at most a century (P36525D)";
    if (allow_zero && (*s == "0" || *s == "PT0S")) return Duration{0};
    // parse_duration multiplies its numbers unchecked: refuse, before it runs, any text whose
    // terms could leave 64 bits (each number below 10^7, at most 8 terms), then bound the sum.
    std::size_t terms = 0;
    for (std::size_t i = 0; i < s->size();) {
        if ((*s)[i] < '0' || (*s)[i] > '9') {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < s->size() && (*s)[j] >= '0' && (*s)[j] <= '9') ++j;
        if (j - i > 7 || ++terms > 8) fail(key, "duration '" + *s + "' is longer than a century", expected);
        i = j;
    }
    auto d = parse_duration(*s);
    if (!d) fail(key, "not a positive duration: '" + *s + "'", expected);
    if (*d > max_duration) fail(key, "duration '" + *s + "' is longer than a century", expected);
    return d;
}

double TomlReader::checked_km(const std::string& key, double km, bool allow_zero) const {
    if (km < 0 || (!allow_zero && km == 0))
        fail(key, allow_zero ? "must not be negative" : "must be positive", allow_zero ? "a distance in km ≥ 0" : "a distance in km > 0");
    if (km * 1000.0 > max_distance_m)
        fail(key, "a distance on the Earth is at most half its circumference", "a distance in km ≤ 20004 (the longest geodesic on WGS84)");
    return km * 1000.0;
}

std::optional<double> TomlReader::optional_km(const std::string& key, bool allow_zero) {
    auto v = optional_number(key);
    if (!v) return std::nullopt;
    return checked_km(key, *v, allow_zero);
}

std::optional<std::pair<double, double>> TomlReader::optional_km_interval(const std::string& key) {
    if (!has(key)) return std::nullopt;
    const toml::array* a = m_table.get(key)->as_array();
    if (!a) {
        double d = *optional_km(key);
        return std::pair{d, d};
    }
    m_used.insert(key);
    const std::string expected = "a distance in km or an interval [min, max] of them, e.g. [500, 5500]";
    if (a->size() != 2) fail(key, "an interval has exactly two ends", expected);
    double ends[2];
    for (std::size_t i = 0; i < 2; ++i) {
        const toml::node& n = *a->get(i);
        if (!n.is_integer() && !n.is_floating_point()) fail(key, "wrong type", expected);
        double v = *n.value<double>();
        if (!std::isfinite(v)) fail(key, "must be finite numbers", expected);
        ends[i] = checked_km(key, v, false);
    }
    if (ends[0] > ends[1]) fail(key, "the interval's minimum is above its maximum", "[min, max] with min ≤ max");
    return std::pair{ends[0], ends[1]};
}

std::optional<double> TomlReader::optional_meters(const std::string& key) {
    auto v = optional_number(key);
    if (!v) return std::nullopt;
    if (*v < 0) fail(key, "must not be negative", "metres ≥ 0");
    if (*v > max_distance_m)
        fail(key, "a distance on the Earth is at most half its circumference", "metres ≤ 20004000 (the longest geodesic on WGS84)");
    return *v;
}

const toml::table* TomlReader::optional_table(const std::string& key) {
    const toml::node* n = get(key);
    if (!n) return nullptr;
    if (auto t = n->as_table()) return t;
    fail(key, "wrong type", "a table");
}

const toml::array* TomlReader::optional_array(const std::string& key) {
    const toml::node* n = get(key);
    if (!n) return nullptr;
    if (auto a = n->as_array()) return a;
    fail(key, "wrong type", "an array");
}

void TomlReader::finish(const std::vector<std::string>& also_allowed) {
    for (const auto& [k, v] : m_table) {
        std::string key(k.str());
        if (m_used.count(key)) continue;
        if (std::find(also_allowed.begin(), also_allowed.end(), key) != also_allowed.end()) continue;
        std::string known;
        for (const auto& u : m_used) known += (known.empty() ? "" : ", ") + u;
        fail(key, "unknown key '" + key + "'", "one of: " + known);
    }
}

} // namespace avf::fusion
