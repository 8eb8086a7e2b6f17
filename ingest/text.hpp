// Text values from input files, checked the same way by every reader (detections, declarations,
// imagery, tracks, routes, zones) at read time. The store keeps strings in zero-filled fixed-size
// columns and byte heaps read back as UTF-8, so a NUL byte or invalid UTF-8 (a Latin-1 byte)
// would corrupt them or make a whole run unreadable later; a reader rejects such a value as a
// problem on its record (bad_encoding), and nothing else.
//
//   if (auto defect = avf::ingest::encoding_defect(value); !defect.empty())
//       reject(ProblemCode::bad_encoding, "value " + std::string(defect));
//   Context{}.value(avf::ingest::printable(value));        // safe to quote in a problem
//   record.party = avf::ingest::canonical_party(" prk ");   // "PRK"
//
// Also here: what every reader does with party codes, and with a file that yields no record.
// (How a field is read, and how its defect becomes a problem: ingest/fields.hpp.)
#pragma once

#include "core/problem.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace avf::ingest {

/// Why `s` cannot be stored ("contains a NUL byte", "is not valid UTF-8 (…)"), or "" when it can.
std::string_view encoding_defect(std::string_view s);

/// For JSON, which must be UTF-8 as a whole (nlohmann-json refuses a whole document for one bad
/// byte): replaces every byte of `text` that is not part of valid UTF-8 by U+FDD0, a Unicode
/// noncharacter (kept for a program's internal use, never interchanged), which encoding_defect()
/// reports as invalid UTF-8 — so a Latin-1 byte becomes a problem on the one record holding it.
/// Returns how many bytes were replaced.
std::size_t mark_invalid_utf8(std::string& text);

/// `s` made safe for a problem message: invalid UTF-8 and control bytes as \xNN, and at most
/// 120 bytes (longer values are cut at a character boundary and their length given).
std::string printable(std::string_view s);

/// A party code (or a comma-separated list of them) in its canonical form: ASCII letters
/// upper-cased, every other byte as it is. Party codes are ISO 3166 alpha-3 style ("PRK"); a record
/// saying "prk" means the same party, and rules compare codes exactly.
std::string canonical_party(std::string_view code);

/// A source that yielded no record at all (only a header, an empty layer, or bytes no reader
/// recognised): reports one rejected problem (empty_layer) naming the file, its size (`bytes`,
/// else the file's size when known) and the likely causes, so that --strict stops with exit 3,
/// and prints a warning line on stderr. `what` names a record ("detection").
void report_no_records(const std::string& file, const std::string& layer, std::string_view what, ProblemSink& problems,
                       std::optional<std::uint64_t> bytes = std::nullopt);

} // namespace avf::ingest
