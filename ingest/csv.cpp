#include "ingest/csv.hpp"

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "ingest/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <fcntl.h>

namespace avf::ingest {
namespace {

bool is_blank_record(const char* d, std::size_t begin, std::size_t end) {
    return end == begin || (end == begin + 1 && d[begin] == '\r');
}

// The high bit of each byte of `w` that equals `c`, all other bits clear. Exact: unlike the
// classic "has zero byte" trick, no borrow can mark a byte that does not match.
constexpr std::uint64_t bytes_equal(std::uint64_t w, unsigned char c) {
    constexpr std::uint64_t low7 = 0x7F7F7F7F7F7F7F7FULL;
    const std::uint64_t x = w ^ (0x0101010101010101ULL * c);
    return ~(((x & low7) + low7) | x | low7);
}

} // namespace

std::string_view describe(CsvRecordError e) {
    switch (e) {
    case CsvRecordError::none: return "no error";
    case CsvRecordError::quote_in_unquoted_field: return "a quote inside an unquoted field";
    case CsvRecordError::text_after_closing_quote: return "text after the closing quote of a quoted field";
    case CsvRecordError::unterminated_quote: return "a quoted field that is never closed";
    }
    return "malformed quoting";
}

// ---------------------------------------------------------------------------------------------
// CsvCursor

CsvCursor::CsvCursor(std::string_view text, std::uint64_t first_line, std::uint64_t first_record_index)
    : m_text(text), m_line(first_line), m_next_index(first_record_index) {}

bool CsvCursor::next(CsvRecord& record) {
    const char* d = m_text.data();
    const std::size_t n = m_text.size();

    // Blank lines are not records (the block reader counts them the same way).
    while (m_pos < n) {
        if (d[m_pos] == '\n') {
            ++m_pos;
            ++m_line;
        } else if (d[m_pos] == '\r' && (m_pos + 1 == n || d[m_pos + 1] == '\n')) {
            ++m_pos;
        } else {
            break;
        }
    }
    if (m_pos >= n) return false;

    record.line = m_line;
    record.error = CsvRecordError::none;
    record.error_field = 0;
    m_spans.clear();
    m_scratch.clear();

    // Most records hold no quote at all: such a record ends at the next newline and splits at
    // every comma. Only records with a quote take the general path.
    const void* newline = std::memchr(d + m_pos, '\n', n - m_pos);
    const std::size_t line_end = newline ? static_cast<std::size_t>(static_cast<const char*>(newline) - d) : n;
    std::size_t p = std::memchr(d + m_pos, '"', line_end - m_pos) ? split_quoted(record) : split_plain(line_end);

    record.last_line = m_line;
    if (p < n) { // d[p] is the record's newline
        ++p;
        ++m_line;
    }
    m_pos = p;
    record.index = m_next_index++;
    record.fields.resize(m_spans.size());
    for (std::size_t i = 0; i < m_spans.size(); ++i) {
        const Span& s = m_spans[i];
        record.fields[i] = s.escaped ? std::string_view(m_scratch).substr(s.begin, s.length) : m_text.substr(s.begin, s.length);
    }
    return true;
}

std::size_t CsvCursor::split_plain(std::size_t end) {
    const char* d = m_text.data();
    std::size_t field_begin = m_pos;
    std::size_t p = m_pos;
    if constexpr (std::endian::native == std::endian::little) {
        // Eight bytes at a time; countr_zero of the match mask gives the first comma's offset.
        for (; p + 8 <= end; p += 8) {
            std::uint64_t w = 0;
            std::memcpy(&w, d + p, 8);
            for (std::uint64_t commas = bytes_equal(w, ','); commas != 0; commas &= commas - 1) {
                const std::size_t comma = p + static_cast<std::size_t>(std::countr_zero(commas)) / 8;
                m_spans.push_back({field_begin, comma - field_begin, false});
                field_begin = comma + 1;
            }
        }
    }
    for (; p < end; ++p) {
        if (d[p] == ',') {
            m_spans.push_back({field_begin, p - field_begin, false});
            field_begin = p + 1;
        }
    }
    std::size_t last_end = end;
    if (last_end > field_begin && d[last_end - 1] == '\r') --last_end; // CRLF
    m_spans.push_back({field_begin, last_end - field_begin, false});
    return end;
}

std::size_t CsvCursor::split_quoted(CsvRecord& record) {
    const char* d = m_text.data();
    const std::size_t n = m_text.size();
    auto flag = [&record](CsvRecordError e, std::size_t field) {
        if (record.error == CsvRecordError::none) {
            record.error = e;
            record.error_field = field;
        }
    };

    std::size_t p = m_pos;
    bool end = false;
    while (!end) {
        const std::size_t field_no = m_spans.size();
        if (p < n && d[p] == '"') {
            const std::size_t content = p + 1;
            p = content;
            bool escaped = false;
            std::size_t scratch_begin = 0;
            bool closed = false;
            while (true) {
                const void* q = std::memchr(d + p, '"', n - p);
                const std::size_t qi = q ? static_cast<std::size_t>(static_cast<const char*>(q) - d) : n;
                m_line += static_cast<std::uint64_t>(std::count(d + p, d + qi, '\n'));
                if (!q) {
                    if (escaped) {
                        m_scratch.append(d + p, n - p);
                        m_spans.push_back({scratch_begin, m_scratch.size() - scratch_begin, true});
                    } else {
                        m_spans.push_back({content, n - content, false});
                    }
                    flag(CsvRecordError::unterminated_quote, field_no);
                    p = n;
                    break;
                }
                if (qi + 1 < n && d[qi + 1] == '"') {
                    // A doubled quote: the field needs unescaping, so it goes to the scratch buffer.
                    if (!escaped) {
                        escaped = true;
                        scratch_begin = m_scratch.size();
                    }
                    m_scratch.append(d + p, qi + 1 - p);
                    p = qi + 2;
                    continue;
                }
                if (escaped) {
                    m_scratch.append(d + p, qi - p);
                    m_spans.push_back({scratch_begin, m_scratch.size() - scratch_begin, true});
                } else {
                    m_spans.push_back({content, qi - content, false});
                }
                p = qi + 1;
                closed = true;
                break;
            }
            if (!closed || p == n || d[p] == '\n') {
                end = true;
            } else if (d[p] == ',') {
                ++p;
            } else if (d[p] == '\r' && (p + 1 == n || d[p + 1] == '\n')) {
                ++p;
                end = true;
            } else {
                // Text after the closing quote: the record is malformed. Skip to the next
                // delimiter exactly as the block reader's scan does (a quote here is literal).
                flag(CsvRecordError::text_after_closing_quote, field_no);
                while (p < n && d[p] != ',' && d[p] != '\n') ++p;
                if (p < n && d[p] == ',')
                    ++p;
                else
                    end = true;
            }
        } else {
            const std::size_t begin = p;
            while (p < n) {
                const char c = d[p];
                if (c == ',' || c == '\n') break;
                if (c == '"') flag(CsvRecordError::quote_in_unquoted_field, field_no);
                ++p;
            }
            std::size_t stop = p;
            if ((p == n || d[p] == '\n') && stop > begin && d[stop - 1] == '\r') --stop; // CRLF
            m_spans.push_back({begin, stop - begin, false});
            if (p < n && d[p] == ',')
                ++p;
            else
                end = true;
        }
    }
    return p;
}

// ---------------------------------------------------------------------------------------------
// The reader's record-boundary scan. It must agree exactly with CsvCursor on where records end
// and which are blank (tests check that any block cut gives the same records): a newline ends a
// record unless it is inside a quoted field, and a quote opens a quoted field only as the first
// byte of a field — at the record's start or right after a comma outside quotes.

struct CsvBlockReader::Scan {
    enum class State : std::uint8_t { outside, quoted, after_quote };

    std::size_t pos = 0; // next byte to examine
    State state = State::outside;
    std::size_t record_start = 0;         // first byte of the open record
    std::uint64_t record_start_lines = 0; // `lines` at record_start
    bool malformed = false;               // the open record has a quoting error
    std::uint64_t lines = 0;              // newlines before pos
    std::uint64_t records = 0;            // non-blank records ended before pos
    std::size_t cut = 0;                  // the last record boundary found
    std::uint64_t cut_lines = 0;
    std::uint64_t cut_records = 0;
    BadRecord bad = BadRecord::none;    // scanning stopped at a bad record at record_start
    std::uint64_t bad_record_lines = 1; // physical lines the bad record spans

    // Ends the record whose newline is at i. False when scanning must stop (a bad record, or
    // max_records reached).
    bool end_record(const char* d, std::size_t i, std::size_t max_records) {
        if (malformed && lines != record_start_lines) {
            bad = BadRecord::malformed_multiline;
            bad_record_lines = lines - record_start_lines + 1;
            return false;
        }
        if (!is_blank_record(d, record_start, i)) ++records;
        ++lines;
        pos = i + 1;
        cut = pos;
        cut_lines = lines;
        cut_records = records;
        record_start = pos;
        record_start_lines = lines;
        malformed = false;
        state = State::outside;
        return max_records == 0 || records < max_records;
    }

    // Advances over data[pos, size). max_records > 0 stops after that many records (the header).
    void run(std::string_view data, std::size_t max_records) {
        const char* d = data.data();
        const std::size_t n = data.size();
        while (pos < n && bad == BadRecord::none) {
            switch (state) {
            case State::outside: {
                const void* q = std::memchr(d + pos, '"', n - pos);
                const std::size_t quote = q ? static_cast<std::size_t>(static_cast<const char*>(q) - d) : n;
                while (pos < quote) {
                    const void* nl = std::memchr(d + pos, '\n', quote - pos);
                    if (!nl) {
                        pos = quote;
                        break;
                    }
                    if (!end_record(d, static_cast<std::size_t>(static_cast<const char*>(nl) - d), max_records)) return;
                }
                if (quote < n) {
                    if (quote == record_start || d[quote - 1] == ',')
                        state = State::quoted;
                    else
                        malformed = true; // a literal quote inside an unquoted field
                    pos = quote + 1;
                }
                break;
            }
            case State::quoted: {
                const void* q = std::memchr(d + pos, '"', n - pos);
                const std::size_t quote = q ? static_cast<std::size_t>(static_cast<const char*>(q) - d) : n;
                lines += static_cast<std::uint64_t>(std::count(d + pos, d + quote, '\n'));
                if (q) {
                    state = State::after_quote;
                    pos = quote + 1;
                } else {
                    pos = n;
                }
                break;
            }
            case State::after_quote: {
                const char c = d[pos];
                if (c == '"') {
                    state = State::quoted; // a doubled quote
                    ++pos;
                } else if (c == ',') {
                    state = State::outside;
                    ++pos;
                } else if (c == '\n') {
                    if (!end_record(d, pos, max_records)) return;
                } else if (c == '\r') {
                    if (pos + 1 == n) return; // CRLF or text after the quote: the next read decides
                    state = State::outside;
                    if (d[pos + 1] != '\n') malformed = true;
                    ++pos;
                } else {
                    state = State::outside;
                    malformed = true;
                    ++pos;
                }
                break;
            }
            }
        }
    }

    // At the end of the file: the open record (if any) ends with the data.
    void finish(std::string_view data) {
        if (bad != BadRecord::none || record_start >= data.size()) return;
        if (state == State::quoted) {
            bad = BadRecord::unterminated_quote;
            bad_record_lines = lines - record_start_lines + 1;
            return;
        }
        if (malformed && lines != record_start_lines) {
            bad = BadRecord::malformed_multiline;
            bad_record_lines = lines - record_start_lines + 1;
            return;
        }
        if (!is_blank_record(data.data(), record_start, data.size())) ++records;
        pos = data.size();
        cut = pos;
        cut_lines = lines;
        cut_records = records;
        record_start = pos;
    }
};

// ---------------------------------------------------------------------------------------------
// CsvBlockReader

CsvBlockReader::CsvBlockReader(std::string path, CsvReadOptions options) : m_path(std::move(path)), m_options(options) {
    if (m_options.block_bytes == 0 || m_options.max_record_bytes == 0)
        throw UsageError("CSV block_bytes and max_record_bytes must be positive", Context{}.file(m_path));
    m_file.emplace(m_path);
    if (m_file->size()) {
        m_bytes_total = *m_file->size();
        ::posix_fadvise(m_file->descriptor(), 0, 0, POSIX_FADV_SEQUENTIAL); // a hint: failure changes nothing
    }
    read_header();
}

CsvBlockReader::~CsvBlockReader() = default;

bool CsvBlockReader::read_more(std::size_t bytes) {
    if (m_eof) return false;
    const std::size_t old_size = m_pending.size();
    m_pending.resize(old_size + bytes);
    std::size_t got = 0;
    const std::size_t wanted = bytes;
    if (m_restricted) bytes = static_cast<std::size_t>(std::min<std::uint64_t>(bytes, m_share_end - m_share_pos));
    try {
        if (m_restricted) {
            got = m_file->read_at(m_share_pos, m_pending.data() + old_size, bytes); // as read(), at the share's position
            m_share_pos += got;
        } else {
            got = m_file->read(m_pending.data() + old_size, bytes); // short only at the end; IoError on a read error
        }
    } catch (...) {
        m_pending.resize(old_size);
        throw;
    }
    m_pending.resize(old_size + got);
    if (got < wanted) m_eof = true;
    if (m_cr_line_ends) normalize_line_ends(old_size);
    return got > 0;
}

// The file's line ends, from its first line: a first line ending in a CR alone makes it an old
// Mac file (CR line ends), anything else a LF or CRLF file, where a lone CR stays data as it
// always was. Called on the bytes after the byte order mark, before the header is scanned.
void CsvBlockReader::detect_line_ends() {
    bool quoted = false;
    std::size_t i = 0;
    while (true) {
        for (; i < m_pending.size(); ++i) {
            const char c = m_pending[i];
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == '\n') {
                return;
            } else if (!quoted && c == '\r') {
                if (i + 1 == m_pending.size() && !m_eof) break; // the next byte decides
                if (i + 1 == m_pending.size() || m_pending[i + 1] != '\n') {
                    m_cr_line_ends = true;
                    normalize_line_ends(0);
                }
                return;
            }
        }
        if (m_eof || i > m_options.max_record_bytes) return;
        read_more(m_options.block_bytes);
    }
}

// In a file with CR line ends each CR alone becomes a LF, so that the scan and the cursor only
// ever look for LF (a CRLF stays, its CR is stripped where a record ends). A CR at the very end
// of the pending bytes waits for the next read, which tells whether a LF follows.
void CsvBlockReader::normalize_line_ends(std::size_t from) {
    if (from > 0 && m_pending[from - 1] == '\r') --from; // the undecided CR of the previous read
    char* d = m_pending.data();
    const std::size_t n = m_pending.size();
    for (std::size_t i = from; i < n;) {
        const void* cr = std::memchr(d + i, '\r', n - i);
        if (!cr) break;
        i = static_cast<std::size_t>(static_cast<const char*>(cr) - d);
        if (i + 1 < n) {
            if (d[i + 1] != '\n') d[i] = '\n';
        } else if (m_eof) {
            d[i] = '\n';
        }
        ++i;
    }
}

void CsvBlockReader::read_header() {
    read_more(std::max<std::size_t>(m_options.block_bytes, 3));
    while (m_pending.size() < 3 && !m_eof) read_more(3);
    if (m_pending.compare(0, 3, "\xEF\xBB\xBF") == 0) {
        m_pending.erase(0, 3);
        m_consumed = 3;
    }
    detect_line_ends();

    Scan s;
    while (true) {
        s.run(m_pending, 1);
        if (s.bad != BadRecord::none || s.records >= 1) break;
        if (m_eof) {
            s.finish(m_pending);
            break;
        }
        if (m_pending.size() - s.record_start > m_options.max_record_bytes)
            throw InputError(fmt::format("header line longer than {} bytes: not a CSV file?", m_options.max_record_bytes), Context{}.file(m_path));
        read_more(m_options.block_bytes);
    }
    if (s.bad != BadRecord::none)
        throw InputError("malformed quoting in the header (a quoted column name is never closed, or text follows a closing quote)",
                         Context{}.file(m_path).line(static_cast<long>(1 + s.record_start_lines)));
    if (s.records == 0) throw InputError("the file is empty: a header line is required", Context{}.file(m_path));

    CsvCursor cursor(std::string_view(m_pending).substr(0, s.cut), 1, 0);
    CsvRecord record;
    cursor.next(record);
    if (record.error != CsvRecordError::none)
        throw InputError("malformed header: " + std::string(describe(record.error)) + " (column " + std::to_string(record.error_field + 1) + ")",
                         Context{}.file(m_path).line(static_cast<long>(record.line)));
    m_header.assign(record.fields.begin(), record.fields.end());
    m_header_line = record.line;
    m_pending.erase(0, s.cut);
    m_consumed += s.cut;
    m_next_line = 1 + s.cut_lines;
}

void CsvBlockReader::skip_bad_record(BadRecord kind, std::uint64_t record_lines, ProblemSink& problems) {
    const std::uint64_t line = m_next_line;
    std::string reason;
    switch (kind) {
    case BadRecord::unterminated_quote:
        reason = "a quoted field opened on this line is never closed; the line is skipped and reading resumes on the next line";
        break;
    case BadRecord::malformed_multiline:
        reason = fmt::format("malformed quoting (a quote inside an unquoted field, or text after a closing quote) in a record spanning "
                             "lines {}-{}; line {} is skipped and reading resumes on line {}",
                             line, line + record_lines - 1, line, line + 1);
        break;
    case BadRecord::too_long:
        reason =
            fmt::format("record longer than {} bytes (an unterminated quote, or not a CSV file?); the line is skipped", m_options.max_record_bytes);
        break;
    case BadRecord::none: return;
    }
    Problem p = Problem::rejected(ProblemCode::unreadable, std::move(reason), Context{}.file(m_path).line(static_cast<long>(line)));
    p.order = line;

    // Drop the record's first physical line, reading (and discarding) until its newline.
    while (true) {
        const std::size_t nl = m_pending.find('\n');
        if (nl != std::string::npos) {
            m_pending.erase(0, nl + 1);
            m_consumed += nl + 1;
            ++m_next_line;
            break;
        }
        m_consumed += m_pending.size();
        m_pending.clear();
        if (m_eof || !read_more(m_options.block_bytes)) break;
    }
    ++m_next_record;
    problems.report(std::move(p)); // last: a strict sink throws here, with the reader consistent
}

void CsvBlockReader::restrict_to(std::uint64_t begin, std::uint64_t end, std::uint64_t first_line) {
    if (begin < m_consumed || end < begin) throw UsageError("CSV share out of range", Context{}.file(m_path));
    const bool whole = begin == m_consumed && end >= m_bytes_total;
    m_pending.clear();
    m_eof = false;
    m_restricted = true;
    m_share_pos = begin;
    m_share_end = end;
    m_consumed = begin;
    m_next_line = first_line;
    m_next_record = 0;
    m_reported_no_records = !whole;
}

bool CsvBlockReader::next(CsvBlock& block, ProblemSink& problems) {
    while (true) {
        if (m_pending.size() < m_options.block_bytes) read_more(m_options.block_bytes - m_pending.size());
        if (m_pending.empty() && m_eof) {
            // A header and nothing else, for any CSV reader: said once, as a problem.
            if (m_next_record == 0 && !m_reported_no_records) {
                m_reported_no_records = true;
                report_no_records(m_path, "", "record", problems, m_consumed);
            }
            return false;
        }

        Scan s;
        while (true) {
            s.run(m_pending, 0);
            if (s.bad != BadRecord::none) break;
            if (m_eof) {
                s.finish(m_pending);
                if (m_restricted && s.bad != BadRecord::none && m_share_end < m_bytes_total) m_share_broken = true;
                break;
            }
            if (s.cut > 0) break;
            // No boundary yet: the open record starts at 0. Grow, within max_record_bytes.
            if (m_pending.size() > m_options.max_record_bytes) {
                s.bad = BadRecord::too_long;
                break;
            }
            read_more(m_options.block_bytes);
        }

        if (s.cut > 0) {
            // Hand the whole records out; the tail (a partial or bad record) stays for next time,
            // in the memory the block held before (a caller that reuses its blocks has the reader
            // read into memory already touched).
            std::swap(block.bytes, m_pending);
            m_pending.assign(block.bytes, s.cut, std::string::npos);
            block.bytes.resize(s.cut);
            block.first_line = m_next_line;
            block.first_record_index = m_next_record;
            m_next_line += s.cut_lines;
            m_next_record += s.cut_records;
            m_consumed += s.cut;
            return true;
        }
        if (s.bad != BadRecord::none) {
            skip_bad_record(s.bad, s.bad_record_lines, problems);
            continue;
        }
        return false; // unreachable in practice: at EOF any remaining bytes form a final record
    }
}

} // namespace avf::ingest
