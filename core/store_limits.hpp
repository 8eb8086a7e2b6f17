// The widths of the store's fixed-size text columns that hold values a regime supplies: rule ids
// and types, articles, zone and line ids (a finding's target), party codes, class names, units and
// waiver ids. storage/schema.hpp declares those columns with these constants, and the regime
// loader refuses a longer value when it parses the regime (file:line), so a regime that passes
// `avf regime check` or `avf run --dry-run` can always be stored: nothing fails at write time and
// nothing is ever truncated.
//
//   if (article.size() > avf::store_limits::article) reader.fail("article", "too long", "at most 64 bytes");
#pragma once

#include "core/records.hpp"

#include <cstddef>

namespace avf::store_limits {

inline constexpr std::size_t rule_id = max_id_length;         ///< findings, summary, coverage: rule_id
inline constexpr std::size_t rule_type = max_id_length;       ///< findings: rule_type
inline constexpr std::size_t article = max_id_length;         ///< findings: article
inline constexpr std::size_t target_id = max_id_length;       ///< findings: target_id; coverage: zone_id (zone and line ids)
inline constexpr std::size_t party = max_id_length;           ///< findings: party
inline constexpr std::size_t equipment_class = max_id_length; ///< findings: equipment_class
inline constexpr std::size_t unit = max_id_length;            ///< findings: unit
inline constexpr std::size_t waiver_id = max_id_length;       ///< findings: waiver_id

} // namespace avf::store_limits
