// Reading the fields of an input record, the same way in every reader (detections, declarations,
// imagery, tracks, routes, zones): text trimmed and case-folded in ASCII (never the C locale),
// numbers, whole numbers and booleans read with std::from_chars, comma-separated lists; and the one
// way a record's first bad field becomes its Problem — RecordCheck, which names the file, the line
// or feature, the record id when known, the field, the value (through printable()), the reason and
// what was expected. Whether a text can be stored (UTF-8, no NUL) is ingest/text.hpp's.
//
//   RecordPosition where{.file = path, .line = 7, .record = id, .index = 5, .order = 7};
//   RecordCheck check(problems, where);
//   double lon = 0;
//   if (parse_number(text, lon) != NumberText::ok)
//       return check.reject(ProblemCode::bad_number, "lon", text, "not a number", "decimal degrees");
//   // → "d.csv, record D-1, line 7: rejected (bad_number): not a number; field 'lon' = '12,5'
//   //    (expected decimal degrees)"
//
// Internal to ingest/ (no other module reads input fields).
#pragma once

#include "core/error.hpp"
#include "core/problem.hpp"
#include "core/records.hpp"

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace avf::ingest {

/// Without surrounding spaces and tabs: how detection and declaration values are trimmed.
inline std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

/// Without surrounding spaces, tabs, CRs and LFs: how imagery, track, route and zone values are
/// trimmed (they also drop a line break left around a value).
std::string_view trim_space(std::string_view s);

/// ASCII case folding: only A-Z change, whatever the locale.
inline char ascii_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}
std::string ascii_lower(std::string_view s);
/// Equal but for ASCII case.
bool iequals(std::string_view a, std::string_view b);

/// The extension of a path's file name, lower-case, without the dot ("" when there is none):
/// "dir.v2/Images.JSON" → "json".
std::string file_extension(std::string_view path);

/// What a number's text holds.
enum class NumberText : std::uint8_t {
    ok,
    malformed,    ///< not a number (or trailing text)
    out_of_range, ///< a number, but beyond what the type holds (1e400)
};

namespace detail {
// "+12.5" → "12.5": from_chars refuses the plus sign, people and some tools write it. A plus
// before another sign ("+-5", "++5") is left, so it reads as malformed: which sign was meant is
// not for avf to guess.
inline std::string_view without_plus(std::string_view s) {
    if (s.size() > 1 && s.front() == '+' && s[1] != '-' && s[1] != '+') return s.substr(1);
    return s;
}
template <typename T> NumberText from_chars_whole(std::string_view s, T& out) {
    T value{};
    const char* end = s.data() + s.size();
    const auto [ptr, ec] = std::from_chars(s.data(), end, value);
    if (ec == std::errc::result_out_of_range && ptr == end) return NumberText::out_of_range;
    if (s.empty() || ec != std::errc() || ptr != end) return NumberText::malformed;
    out = value;
    return NumberText::ok;
}
} // namespace detail

/// A decimal number read with std::from_chars (locale-proof: "12,5" is not a number), the whole
/// text or nothing; a leading '+' is accepted, but not before another sign ("+-5" is malformed). "nan" and "inf" are read (callers check finiteness
/// and say so). Leaves `out` alone unless the result is `ok`. (Inline: the detections CSV reads
/// three numbers per record.)
inline NumberText parse_number(std::string_view text, double& out) {
    return detail::from_chars_whole(detail::without_plus(text), out);
}
/// A whole number, the same way ("3.0" is malformed here: read it with parse_number).
inline NumberText parse_integer(std::string_view text, std::int64_t& out) {
    return detail::from_chars_whole(detail::without_plus(text), out);
}

/// true/false, 1/0, yes/no, on/off (any case, surrounding blanks ignored); nullopt otherwise.
std::optional<bool> parse_bool(std::string_view text);

/// "a, b,c" → {"a", "b", "c"}: items trimmed (trim_space), empty items dropped.
std::vector<std::string> split_list(std::string_view text);

/// Where a record is: a line of a text file, or a feature (an item) of a layer or a document.
/// Views: the texts must outlive the position.
struct RecordPosition {
    std::string_view file;
    std::string_view layer;            ///< "" for text formats and documents
    std::optional<std::uint64_t> line; ///< 1-based line, for line-oriented formats
    std::string_view feature;          ///< feature id or item index ("" for none); used when `line` is not set
    std::string_view record;           ///< the record's id as read, once known ("" for none); shown through printable()
    std::uint64_t index = 0;           ///< 0-based record / feature index (SourceRef::index)
    std::uint64_t order = 0;           ///< Problem::order of the record's problems

    /// file, layer, line or feature, record: the location part of the record's problems.
    Context context() const;
    /// {file, layer, the line (as text) or the feature, index}: where a good record came from.
    SourceRef origin() const;
};

class Feature; // ingest/gdal_support.hpp

/// Where feature `f` of the vector source read from `file` is: the file, the feature's layer, its
/// fid (as text) and its index, which is also the Problem::order of its problems. The views point
/// into `file` and `f`: valid inside the for_each_feature callback. (Defined in gdal_support.cpp.)
RecordPosition feature_position(std::string_view file, const Feature& f);

/// One record being read, and the sink its problems go to. A reader validates the record's fields
/// in its documented order and stops at the first defect: `return check.reject(...)`.
class RecordCheck {
public:
    RecordCheck(ProblemSink& problems, const RecordPosition& where) : m_problems(problems), m_where(where) {}

    /// Reports the record's defect — a `rejected` problem with `code` and `reason`, on `field`
    /// (none when "") holding `value` (raw text, shown through printable(); none when ""), with
    /// what was `expected` (none when "") — and returns false.
    bool reject(ProblemCode code, std::string_view field, std::string_view value, std::string reason, std::string expected = {}) const;

    /// Reports a `note` on a field of the record (which is still used).
    void note(ProblemCode code, std::string_view field, std::string_view value, std::string message) const;

    /// The record's context, on `field` holding `value` when given: for the geo validators,
    /// which report their own problems.
    Context context(std::string_view field = {}, std::string_view value = {}) const;

    const RecordPosition& where() const { return m_where; }
    ProblemSink& problems() const { return m_problems; }

private:
    ProblemSink& m_problems;
    const RecordPosition& m_where;
};

} // namespace avf::ingest
