// Text values from input files that end up in the store: the store keeps strings in zero-filled
// fixed-size columns and byte heaps read back as UTF-8, so a NUL byte or invalid UTF-8 would
// corrupt them (or silently change on reading). Every reader checks its text values with this.
//
//   if (auto defect = avf::ingest::encoding_defect(value); !defect.empty())
//       reject(ProblemCode::bad_encoding, "value " + std::string(defect));
#pragma once

#include <string>
#include <string_view>

namespace avf::ingest {

/// Why `s` cannot be stored ("contains a NUL byte", "is not valid UTF-8 (…)"), or "" when it can.
std::string_view encoding_defect(std::string_view s);

/// `s` with every byte that is not printable UTF-8 written as \xNN: safe to quote in a problem.
std::string printable(std::string_view s);

} // namespace avf::ingest
