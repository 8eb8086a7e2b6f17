// Sums of item counts that never wrap. Every rule that adds counts (ceilings, bands, thresholds
// and notifications, declaration matching, activity peaks, waiver allowances) adds them through
// CountSum: a sum that would leave the signed 64-bit range saturates at the limit and says so,
// so a huge count can only make a total larger, never wrap it back below a ceiling.
//
//   avf::fusion::CountSum total;
//   total += d.count;                       // saturating add
//   total.exceeds(limit);                   // true for any limit once saturated upwards
//   format_count(total);                    // "44", or "more than 9223372036854775807"
//
// Readers bound what one record may claim (core/records.hpp); this is the second line: rules
// called in-process with any counts, and sums of many records, stay exact or flagged.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

namespace avf::fusion {

/// a + b in 64 bits, saturated at the int64 limits; `overflowed` is set when it saturated.
inline std::int64_t checked_add(std::int64_t a, std::int64_t b, bool& overflowed) {
    std::int64_t out = 0;
    if (!__builtin_add_overflow(a, b, &out)) return out;
    overflowed = true;
    return b > 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
}

/// A running sum of counts: exact, or saturated and flagged (never wrapped).
class CountSum {
public:
    constexpr CountSum() = default;
    constexpr explicit CountSum(std::int64_t value) : m_value(value) {}

    /// Adds n; once saturated the sum stays at its limit (it only says "beyond this").
    CountSum& operator+=(std::int64_t n) {
        if (m_overflowed) return *this;
        m_value = checked_add(m_value, n, m_overflowed);
        return *this;
    }
    CountSum& operator+=(const CountSum& o) {
        if (o.m_overflowed && !m_overflowed) {
            m_overflowed = true;
            m_value = o.m_value;
            return *this;
        }
        return *this += o.m_value;
    }
    /// Subtracts n (for differences such as observed − declared), saturating like +=.
    CountSum& operator-=(std::int64_t n) {
        if (m_overflowed) return *this;
        std::int64_t out = 0;
        if (!__builtin_sub_overflow(m_value, n, &out)) {
            m_value = out;
        } else {
            m_overflowed = true;
            m_value = n < 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
        }
        return *this;
    }
    friend CountSum operator+(CountSum a, const CountSum& b) { return a += b; }
    friend CountSum operator+(CountSum a, std::int64_t b) { return a += b; }

    /// The sum, or the int64 limit it saturated at.
    std::int64_t value() const { return m_value; }
    /// True when the real sum lies beyond value() (outside the int64 range).
    bool overflowed() const { return m_overflowed; }
    /// The real sum is > limit (a sum saturated upwards exceeds every limit).
    bool exceeds(std::int64_t limit) const { return m_overflowed ? m_value > 0 : m_value > limit; }
    /// The real sum is ≥ limit.
    bool reaches(std::int64_t limit) const { return exceeds(limit) || (!m_overflowed && m_value == limit); }
    /// Compares real sums (for peaks): a saturated sum is larger than any exact one.
    bool greater_than(const CountSum& o) const {
        if (m_overflowed != o.m_overflowed) return m_overflowed ? m_value > 0 : o.m_value < 0;
        return m_value > o.m_value;
    }
    /// As a double (for Finding::measured): the saturation limit when overflowed.
    double as_double() const { return static_cast<double>(m_value); }

private:
    std::int64_t m_value = 0;
    bool m_overflowed = false;
};

/// "12700" ("12,700" with `group`), every int64 including the most negative.
std::string format_count(std::int64_t n, bool group = false);
/// The same for a sum; a saturated one reads "more than 9223372036854775807" (or "less than" the
/// negative limit), so an explanation never states a wrapped or clipped number as a count.
std::string format_count(const CountSum& n, bool group = false);

} // namespace avf::fusion
