// Strict reading of TOML tables for the regime loader: every key must be known, every value of
// the expected type and unit, and every error names the file, line:column and key.
//
//   TomlReader r(table, "regime.toml", "rules[2]");
//   std::string id = r.required_string("id");
//   double d = r.optional_number("distance_km", 0.0);
//   r.finish();                    // throws InputError for any key that was never asked for
#pragma once

#include "core/error.hpp"
#include "core/time.hpp"

#include <toml++/toml.h>

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace avf::fusion {

/// Physical bounds of regime parameters. A distance on the Earth is at most half its meridian
/// (the longest geodesic on WGS84, 20,003.93 km); a duration (window, lead time, tolerance,
/// period) at most a century, so that adding one to any time avf handles cannot overflow.
inline constexpr double max_distance_m = 20'004'000.0;
inline constexpr Duration max_duration{36'525LL * 86'400'000};

class TomlReader {
public:
    TomlReader(const toml::table& table, std::string file, std::string path);

    std::string required_string(const std::string& key);
    std::optional<std::string> optional_string(const std::string& key);
    double required_number(const std::string& key);
    std::optional<double> optional_number(const std::string& key);
    std::optional<std::int64_t> optional_integer(const std::string& key);
    std::optional<bool> optional_bool(const std::string& key);
    /// A list of strings, or a single string taken as a list of one.
    std::vector<std::string> string_list(const std::string& key);
    /// A string stored in a fixed-width column of the store: at most `max_bytes` long, else an
    /// error naming the limit (store_limits.hpp) — found here, never at write time.
    std::optional<std::string> optional_stored_string(const std::string& key, std::size_t max_bytes);
    std::optional<UtcTime> optional_time(const std::string& key);
    /// A positive duration of at most max_duration ("P1D", "PT6H", "14d"…); with `allow_zero`,
    /// also "0" / "PT0S".
    std::optional<Duration> optional_duration(const std::string& key, bool allow_zero = false);
    /// A distance in kilometres (`*_km`) as metres: finite, ≥ 0 (> 0 unless `allow_zero`) and at
    /// most max_distance_m.
    std::optional<double> optional_km(const std::string& key, bool allow_zero = false);
    /// A distance in km, or an interval [min, max] of them (`assessed = [500, 5500]`), as metres:
    /// each end as optional_km (> 0), min ≤ max; a single distance is the interval [d, d].
    std::optional<std::pair<double, double>> optional_km_interval(const std::string& key);
    /// A distance in metres (`*_m` tolerances): finite, ≥ 0 and at most max_distance_m.
    std::optional<double> optional_meters(const std::string& key);
    const toml::table* optional_table(const std::string& key);
    const toml::array* optional_array(const std::string& key);
    bool has(const std::string& key) const;

    /// Throws InputError naming the first key that is not known to this table.
    void finish(const std::vector<std::string>& also_allowed = {});

    /// An error at `key` unless `text` can be stored (no NUL byte). Strings read by this class are
    /// checked already; table keys used as names (classes) are checked with this.
    void check_text(const std::string& key, std::string_view text) const;
    /// An error at `key` (or at the table itself when key is empty).
    [[noreturn]] void fail(const std::string& key, const std::string& message, const std::string& expected = "") const;
    Context where(const std::string& key) const;
    const std::string& file() const { return m_file; }
    const std::string& path() const { return m_path; }
    const toml::table& table() const { return m_table; }

private:
    const toml::node* get(const std::string& key);
    double checked_km(const std::string& key, double km, bool allow_zero) const; // metres
    const toml::table& m_table;
    std::string m_file;
    std::string m_path;
    std::set<std::string> m_used;
};

} // namespace avf::fusion
