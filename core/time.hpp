// UTC instants and half-open intervals, with strict ISO-8601 parsing and formatting.
//
//   auto t = avf::parse_utc("2027-03-04T10:15:00Z");           // std::optional<UtcTime>
//   avf::Interval valid{*parse_utc("2027-01-01"), UtcTime::max()};
//   valid.contains(*t);                                        // from <= t < to
//   avf::format_utc(*t);                                       // "2027-03-04T10:15:00Z"
//
// Time is milliseconds since 1970-01-01T00:00:00Z (no leap seconds, as in POSIX). Accepted input
// forms: YYYY-MM-DD, YYYY-MM-DDThh:mm[:ss[.fff]] followed by Z or ±hh:mm (a time without a zone
// designator is refused: times in verification data must be unambiguous).
#pragma once

#include <compare>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace avf {

struct UtcTime {
    std::int64_t ms = 0; ///< milliseconds since the Unix epoch, UTC

    static constexpr UtcTime min() { return UtcTime{std::numeric_limits<std::int64_t>::min()}; }
    static constexpr UtcTime max() { return UtcTime{std::numeric_limits<std::int64_t>::max()}; }
    constexpr bool is_min() const { return ms == std::numeric_limits<std::int64_t>::min(); }
    constexpr bool is_max() const { return ms == std::numeric_limits<std::int64_t>::max(); }
    constexpr auto operator<=>(const UtcTime&) const = default; // NOLINT(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
};

/// A duration in milliseconds.
struct Duration {
    std::int64_t ms = 0;
    constexpr auto operator<=>(const Duration&) const = default;
};

/// Half-open interval [from, to). UtcTime::min()/max() stand for "unbounded".
struct Interval {
    UtcTime from = UtcTime::min();
    UtcTime to = UtcTime::max();

    constexpr bool contains(UtcTime t) const { return from <= t && t < to; }
    constexpr bool empty() const { return !(from < to); }
    constexpr bool overlaps(const Interval& o) const { return from < o.to && o.from < to; }
    constexpr auto operator<=>(const Interval&) const = default;
};

/// Parses an ISO-8601 UTC instant (see the header comment); nullopt when malformed.
std::optional<UtcTime> parse_utc(std::string_view text);

/// Formats as YYYY-MM-DDThh:mm:ssZ, with .fff only when the milliseconds are not zero.
/// min()/max() format as "-inf"/"+inf".
std::string format_utc(UtcTime t);

/// YYYY-MM-DD of the instant.
std::string format_date(UtcTime t);

/// Parses a duration: "P1D", "PT6H", "P14D" (ISO-8601 days/hours/minutes/seconds) or the short
/// forms "14d", "6h", "30m", "45s". nullopt when malformed or not positive.
std::optional<Duration> parse_duration(std::string_view text);

std::string format_interval(const Interval& i);

/// Start of the window of length `window` (aligned to the epoch) containing t.
UtcTime window_start(UtcTime t, Duration window);

} // namespace avf
