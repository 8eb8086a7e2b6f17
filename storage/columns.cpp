#include "storage/columns.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <chrono>

namespace avf::storage {

std::uint64_t TableSchema::chunk_rows() const {
    constexpr std::uint64_t target_bytes = std::uint64_t{1024} * 1024;
    std::uint64_t rows = std::bit_floor(target_bytes / std::max<std::size_t>(m_row_size, 1));
    return std::clamp<std::uint64_t>(rows, 1024, 16384);
}

bool is_valid_utf8(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        auto c = static_cast<unsigned char>(text[i]);
        std::size_t extra = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        }
        if ((c & 0xE0) == 0xC0) {
            extra = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + extra >= text.size()) {
            return false; // truncated sequence
        }
        for (std::size_t k = 1; k <= extra; ++k) {
            auto cc = static_cast<unsigned char>(text[i + k]);
            if ((cc & 0xC0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (cc & 0x3F);
        }
        static constexpr std::uint32_t min_for_length[] = {0, 0x80, 0x800, 0x10000};
        if (cp < min_for_length[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        i += extra + 1;
    }
    return true;
}

namespace col {
namespace {

/// A value quoted in an error message: long values are shortened there (and only there).
std::string quoted(std::string_view value) {
    constexpr std::size_t shown = 80;
    return value.size() <= shown ? std::string(value) : std::string(value.substr(0, shown)) + "...";
}

std::string field(std::string_view table, std::string_view column) {
    return std::string(table) + "." + std::string(column);
}

Context where(std::string_view value, std::string_view column, const WriteContext& c) {
    return Context{}.record(std::string(c.record)).field(field(c.table, column)).value(quoted(value));
}

} // namespace

void text_too_long(std::string_view value, std::size_t bytes, std::string_view column, const WriteContext& c) {
    throw InputError("value of " + std::to_string(value.size()) + " bytes does not fit column " + field(c.table, column) + " (at most " +
                         std::to_string(bytes) + " bytes; the store never truncates)",
                     where(value, column, c));
}

void text_has_nul(std::string_view value, std::string_view column, const WriteContext& c) {
    throw InputError("value contains a NUL byte, which a fixed-length string column cannot keep", where(value, column, c));
}

void text_not_utf8(std::string_view value, std::string_view column, const WriteContext& c) {
    throw InputError("value is not valid UTF-8", where(value, column, c));
}

void time_out_of_range(UtcTime t, std::string_view column, const WriteContext& c) {
    throw InputError(field(c.table, column) + " " + format_utc(t) + " lies outside the years 0000-9999 that the store keeps",
                     Context{}.record(std::string(c.record)));
}

void bad_time(std::string_view text, std::string_view column, const ReadContext& c) {
    throw IoError("malformed time '" + std::string(text) + "' in " + field(c.table, column), Context{}.file(c.path));
}

void bad_name(std::string_view text, std::string_view column, const ReadContext& c) {
    throw IoError("unknown " + field(c.table, column) + " '" + std::string(text) + "' in the store", Context{}.file(c.path));
}

bool time_fits_text(UtcTime t) {
    using namespace std::chrono;
    // The store's text form is exactly four year digits: 0000-01-01 up to, not including, 10000-01-01.
    constexpr std::int64_t first_ms = duration_cast<milliseconds>(sys_days{year{0} / January / 1}.time_since_epoch()).count();
    constexpr std::int64_t end_ms = duration_cast<milliseconds>(sys_days{year{10000} / January / 1}.time_since_epoch()).count();
    return t.is_min() || t.is_max() || (t.ms >= first_ms && t.ms < end_ms);
}

std::optional<UtcTime> parse_time_text(std::string_view text) {
    if (text == "-inf") return UtcTime::min();
    if (text == "+inf") return UtcTime::max();
    return parse_utc(text);
}

} // namespace col
} // namespace avf::storage
