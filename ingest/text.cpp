#include "ingest/text.hpp"

#include <fmt/format.h>

#include <bit>
#include <cstring>
#include <filesystem>
#include <iostream>

namespace avf::ingest {
namespace {

// Length of the valid UTF-8 sequence starting at s[i] (overlongs, surrogates and code points above
// U+10FFFF are invalid), 0 when it is not one.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) return 1;
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1Fu;
    } else if ((c & 0xF0u) == 0xE0u) {
        len = 3;
        cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07u;
    } else {
        return 0;
    }
    if (i + len > s.size()) return 0;
    for (std::size_t k = 1; k < len; ++k) {
        const auto cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xC0u) != 0x80u) return 0;
        cp = (cp << 6) | (cc & 0x3Fu);
    }
    if (len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return 0;
    if (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return 0;
    return len;
}

// U+FDD0, what mark_invalid_utf8 puts in place of an invalid byte.
constexpr std::string_view k_marker = "\xEF\xB7\x90";

} // namespace

std::size_t mark_invalid_utf8(std::string& text) {
    if (encoding_defect(text).empty()) return 0; // the usual case: one fast pass, no copy
    std::string out;
    out.reserve(text.size() + 16);
    std::size_t replaced = 0;
    for (std::size_t i = 0; i < text.size();) {
        if (text[i] == '\0') { // NUL is valid UTF-8; JSON refuses it where it must
            out += text[i++];
            continue;
        }
        const std::size_t len = utf8_sequence(text, i);
        if (len == 0) {
            out += k_marker;
            ++replaced;
            ++i;
        } else {
            out.append(text, i, len);
            i += len;
        }
    }
    text = std::move(out);
    return replaced;
}

std::string_view encoding_defect(std::string_view s) {
    std::size_t i = 0;
    // Fast path: eight plain ASCII bytes at a time (no high bit set, no NUL).
    if constexpr (std::endian::native == std::endian::little) {
        constexpr std::uint64_t high = 0x8080808080808080ULL;
        constexpr std::uint64_t low7 = 0x7F7F7F7F7F7F7F7FULL;
        for (; i + 8 <= s.size(); i += 8) {
            std::uint64_t w = 0;
            std::memcpy(&w, s.data() + i, 8);
            const std::uint64_t nul = ~(((w & low7) + low7) | w | low7);
            if ((w & high) != 0 || nul != 0) break;
        }
    }
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c != 0 && c < 0x80) {
            ++i;
            continue;
        }
        if (c == 0) return "contains a NUL byte";
        const std::size_t len = utf8_sequence(s, i);
        if (len == 0 || s.substr(i, len) == k_marker) return "is not valid UTF-8 (convert the file to UTF-8)";
        i += len;
    }
    return {};
}

std::string printable(std::string_view s) {
    constexpr std::size_t limit = 120;
    std::string out;
    std::size_t i = 0;
    while (i < s.size() && out.size() < limit) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t len = utf8_sequence(s, i);
        if (len == 0 || c < 0x20 || c == 0x7F) {
            out += fmt::format("\\x{:02X}", c);
            ++i;
        } else if (s.substr(i, len) == k_marker) {
            out += "\\x??"; // a byte mark_invalid_utf8 replaced
            i += len;
        } else {
            out.append(s, i, len);
            i += len;
        }
    }
    if (i < s.size()) out += fmt::format("... ({} bytes)", s.size());
    return out;
}

std::string canonical_party(std::string_view code) {
    std::string out(code);
    for (char& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

void report_no_records(const std::string& file, const std::string& layer, std::string_view what, ProblemSink& problems,
                       std::optional<std::uint64_t> bytes) {
    if (!bytes || *bytes == 0) {
        std::error_code ec;
        const auto size = std::filesystem::file_size(file, ec);
        if (!ec) bytes = static_cast<std::uint64_t>(size);
    }
    const std::string message =
        bytes ? fmt::format("no {} could be read from the file's {} bytes (only a header? a format or line endings avf does not recognise?)", what,
                            *bytes)
              : fmt::format("no {} could be read from the source (an empty layer?)", what);
    Context where = Context{}.file(file);
    if (!layer.empty()) where.layer(layer);
    // A warning where a person sees it, whatever the command prints on stdout; then the problem,
    // which a strict sink turns into an InputError.
    std::cerr << "avf: warning: " << where.format(message) << "\n";
    problems.report(Problem::rejected(ProblemCode::empty_layer, message, std::move(where)));
}

} // namespace avf::ingest
