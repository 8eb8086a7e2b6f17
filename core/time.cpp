#include "core/time.hpp"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <charconv>
#include <chrono>

namespace avf {
namespace {

// Reads exactly n decimal digits at text[pos]; advances pos.
bool read_digits(std::string_view text, std::size_t& pos, std::size_t n, int& out) {
    if (pos + n > text.size()) return false;
    for (std::size_t i = 0; i < n; ++i) {
        char c = text[pos + i];
        if (c < '0' || c > '9') return false;
    }
    auto [p, ec] = std::from_chars(text.data() + pos, text.data() + pos + n, out);
    if (ec != std::errc{} || p != text.data() + pos + n) return false;
    pos += n;
    return true;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
    if (pos < text.size() && text[pos] == c) {
        ++pos;
        return true;
    }
    return false;
}

constexpr std::int64_t ms_per_s = 1000;
constexpr std::int64_t ms_per_min = 60 * ms_per_s;
constexpr std::int64_t ms_per_h = 60 * ms_per_min;
constexpr std::int64_t ms_per_day = 24 * ms_per_h;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
}

} // namespace

std::optional<UtcTime> parse_utc(std::string_view text) {
    using namespace std::chrono;
    std::size_t pos = 0;
    int y = 0, mo = 0, d = 0;
    if (!read_digits(text, pos, 4, y) || !expect(text, pos, '-') || !read_digits(text, pos, 2, mo) || !expect(text, pos, '-') ||
        !read_digits(text, pos, 2, d))
        return std::nullopt;
    year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) return std::nullopt;
    std::int64_t ms = static_cast<std::int64_t>(sys_days{ymd}.time_since_epoch().count()) * ms_per_day;
    if (pos == text.size()) return UtcTime{ms}; // a bare date is midnight UTC

    if (!(expect(text, pos, 'T') || expect(text, pos, ' '))) return std::nullopt;
    int hh = 0, mm = 0, ss = 0, frac = 0;
    if (!read_digits(text, pos, 2, hh) || !expect(text, pos, ':') || !read_digits(text, pos, 2, mm)) return std::nullopt;
    if (expect(text, pos, ':')) {
        if (!read_digits(text, pos, 2, ss)) return std::nullopt;
        if (expect(text, pos, '.')) {
            // Up to millisecond precision is kept; further digits must still be digits.
            std::size_t start = pos;
            while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
            std::size_t n = pos - start;
            if (n == 0) return std::nullopt;
            int scale = 100;
            for (std::size_t i = 0; i < n && i < 3; ++i) {
                frac += (text[start + i] - '0') * scale;
                scale /= 10;
            }
        }
    }
    if (hh > 23 || mm > 59 || ss > 59) return std::nullopt; // no leap seconds
    ms += hh * ms_per_h + mm * ms_per_min + ss * ms_per_s + frac;

    if (expect(text, pos, 'Z') || expect(text, pos, 'z')) {
        return pos == text.size() ? std::optional<UtcTime>{UtcTime{ms}} : std::nullopt;
    }
    if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
        int sign = text[pos] == '+' ? 1 : -1;
        ++pos;
        int oh = 0, om = 0;
        if (!read_digits(text, pos, 2, oh)) return std::nullopt;
        expect(text, pos, ':');
        if (!read_digits(text, pos, 2, om) || oh > 23 || om > 59 || pos != text.size()) return std::nullopt;
        ms -= sign * (oh * ms_per_h + om * ms_per_min);
        return UtcTime{ms};
    }
    return std::nullopt; // no zone designator
}

std::string format_utc(UtcTime t) {
    using namespace std::chrono;
    if (t.is_min()) return "-inf";
    if (t.is_max()) return "+inf";
    std::int64_t days = floor_div(t.ms, ms_per_day);
    std::int64_t rem = t.ms - days * ms_per_day;
    year_month_day ymd{sys_days{std::chrono::days{days}}};
    int hh = static_cast<int>(rem / ms_per_h);
    int mm = static_cast<int>((rem % ms_per_h) / ms_per_min);
    int ss = static_cast<int>((rem % ms_per_min) / ms_per_s);
    int frac = static_cast<int>(rem % ms_per_s);
    // fmt's compiled formats: this runs for every finding (ids, explanations, the store's text).
    const int year = static_cast<int>(ymd.year());
    const unsigned month = static_cast<unsigned>(ymd.month()), day = static_cast<unsigned>(ymd.day());
    if (frac != 0) return fmt::format(FMT_COMPILE("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z"), year, month, day, hh, mm, ss, frac);
    return fmt::format(FMT_COMPILE("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z"), year, month, day, hh, mm, ss);
}

std::string format_date(UtcTime t) {
    std::string s = format_utc(t);
    return s.size() >= 10 && !t.is_min() && !t.is_max() ? s.substr(0, 10) : s;
}

std::optional<Duration> parse_duration(std::string_view text) {
    if (text.empty()) return std::nullopt;
    auto number_then_unit = [](std::string_view s, std::size_t& pos, std::int64_t& n) {
        auto [p, ec] = std::from_chars(s.data() + pos, s.data() + s.size(), n);
        if (ec != std::errc{} || p == s.data() + pos) return false;
        pos = static_cast<std::size_t>(p - s.data());
        return pos < s.size();
    };
    // total += n * unit, refused (nullopt) when it leaves int64 milliseconds: "P9999999999999999D"
    // is no duration, never a wrapped one.
    auto add_scaled = [](std::int64_t& total, std::int64_t n, std::int64_t unit_ms) {
        std::int64_t ms = 0;
        return !__builtin_mul_overflow(n, unit_ms, &ms) && !__builtin_add_overflow(total, ms, &total);
    };
    std::int64_t total = 0;
    std::size_t pos = 0;
    if (text[0] == 'P') {
        pos = 1;
        bool in_time = false;
        bool any = false;
        while (pos < text.size()) {
            if (text[pos] == 'T') {
                if (in_time) return std::nullopt;
                in_time = true;
                ++pos;
                continue;
            }
            std::int64_t n = 0;
            if (!number_then_unit(text, pos, n) || n < 0) return std::nullopt;
            char unit = text[pos++];
            std::int64_t unit_ms = 0;
            if (!in_time && unit == 'D')
                unit_ms = ms_per_day;
            else if (!in_time && unit == 'W')
                unit_ms = 7 * ms_per_day;
            else if (in_time && unit == 'H')
                unit_ms = ms_per_h;
            else if (in_time && unit == 'M')
                unit_ms = ms_per_min;
            else if (in_time && unit == 'S')
                unit_ms = ms_per_s;
            else
                return std::nullopt;
            if (!add_scaled(total, n, unit_ms)) return std::nullopt;
            any = true;
        }
        if (!any || total <= 0) return std::nullopt;
        return Duration{total};
    }
    std::int64_t n = 0;
    if (!number_then_unit(text, pos, n) || pos + 1 != text.size() || n <= 0) return std::nullopt;
    std::int64_t unit_ms = 0;
    switch (text[pos]) {
    case 'd': unit_ms = ms_per_day; break;
    case 'h': unit_ms = ms_per_h; break;
    case 'm': unit_ms = ms_per_min; break;
    case 's': unit_ms = ms_per_s; break;
    default: return std::nullopt;
    }
    if (!add_scaled(total, n, unit_ms)) return std::nullopt;
    return Duration{total};
}

std::string format_interval(const Interval& i) {
    return "[" + format_utc(i.from) + ", " + format_utc(i.to) + ")";
}

UtcTime window_start(UtcTime t, Duration window) {
    return UtcTime{floor_div(t.ms, window.ms) * window.ms};
}

} // namespace avf
