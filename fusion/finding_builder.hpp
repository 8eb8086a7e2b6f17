// Building findings: content-derived ids, evidence records and the pieces of the one-sentence
// explanation ("3 battle_tank (T-72B3) of PRK observed 2027-03-04T10:15:00Z at 38.3100N
// 127.0200E, 1.4 km inside DMZ-N (rule dmz-1, Armistice art. I ¶6): prohibited; certain").
#pragma once

#include "core/explanation.hpp" // format_position, format_distance, format_rule_ref
#include "core/records.hpp"

#include <compare>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace avf::fusion {

/// The evidence record for a detection (id, file, line/feature).
Evidence evidence_of(const Detection& d);

/// A finding id derived from content: SHA-256 over the length-prefixed parts, first 32 hex
/// digits. The same rule, target, window and subject always give the same id, so reruns match
/// and `findings diff` can tell a changed finding from a new one.
std::string content_id(std::initializer_list<std::string_view> parts);

struct Waiver;

/// A finding about one detection, with the fields every per-detection rule fills alike: rule,
/// target, party, class, the detection's instant as span, location, confidence, evidence and the
/// content-derived id (rule, target, detection id, file). The rule adds measured/limit/unit,
/// certainty, kind and the explanation.
Finding detection_finding(const std::string& rule_id, const std::string& rule_type, const std::string& article, const std::string& target_id,
                          const Detection& d);

/// Marks the finding exempted when a waiver covers it (kind exempted, waiver_id set), else a
/// violation; the explanation's `{verdict|…}` field says which (core/explanation.hpp).
void apply_waiver(Finding& f, const Waiver* waiver);

/// "3 battle_tank (T-72B3) of PRK" — the party is "of unknown party" when not known.
std::string format_items(const Detection& d);
/// The UTC day(s) of sightings, for "the peak": "on 2027-03-04" when first and last fall on one
/// day, else "from 2027-03-04 to 2027-03-06" — the days things were seen, never the start of an
/// aggregation window (which may lie before the declared period).
std::string format_days(UtcTime first, UtcTime last);

/// The fields of the stable output order, compared in one pass (one comparison per field).
struct FindingOrderKey {
    std::string_view rule_id, target_id;
    std::int64_t from = 0; ///< span.from, ms
    std::string_view id;
    auto operator<=>(const FindingOrderKey&) const = default; // NOLINT(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
};
inline FindingOrderKey order_key(const Finding& f) {
    return FindingOrderKey{f.rule_id, f.target_id, f.span.from.ms, f.id};
}

/// Stable output order: rule, target, start of span, id.
inline bool finding_order(const Finding& a, const Finding& b) {
    return order_key(a) < order_key(b);
}

} // namespace avf::fusion
