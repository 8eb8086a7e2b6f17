// RFC 4180 CSV read fast, in two stages so that the expensive part can run in parallel:
//
//   * CsvBlockReader (serial) opens the file, parses the header, and reads the rest in large
//     blocks (8 MiB by default). Each block is cut at its last record boundary — a newline outside
//     quotes — and the partial record at its end is carried over to the next block, so every
//     CsvBlock holds whole records and knows the line number and record index it starts at.
//   * CsvCursor (any thread, one per block) splits a block into records and fields. Fields are
//     string_views into the block; only a field with doubled quotes ("") is copied, into the
//     cursor's scratch buffer. Nothing is allocated per field or per record.
//
//   avf::ingest::CsvBlockReader reader("detections.csv");     // throws IoError / InputError
//   reader.header();                                          // {"id", "time", "lon", ...}
//   avf::CollectingProblemSink problems;
//   avf::ingest::CsvBlock block;
//   while (reader.next(block, problems)) {                    // serial
//       avf::ingest::CsvCursor cursor(block);                 // from here on: any thread
//       avf::ingest::CsvRecord record;
//       while (cursor.next(record)) use(record.line, record.fields);
//   }
//
// Dialect: ',' separates fields, '"' quotes them, "" is a quote inside a quoted field, lines end
// in LF or CRLF (a CR alone is data), a UTF-8 byte order mark at the start of the file is skipped.
// A file whose first line ends in a CR alone has CR line ends (an old Mac file): the reader turns
// each lone CR of it into a LF as it reads, also inside quoted fields, and goes on as above.
// A quote opens a quoted field only as the first byte of a field. Blank lines (empty, or a lone
// CR) are neither records nor problems; they still count for line numbers.
//
// Defects and what becomes of them (the reader keeps going in every case):
//   * a quote inside an unquoted field, or text after a closing quote, on one line: the record
//     ends where RFC 4180 says and the cursor flags it (CsvRecord::error); the caller reports it.
//   * a quoted field that is never closed (by the end of the file, or within max_record_bytes),
//     or malformed quoting in a record spanning several lines: the reader reports `unreadable`
//     for the record's first line, skips that line and resumes on the next one. One stray quote
//     therefore costs one line, not the rest of the file.
//   * a line longer than max_record_bytes: reported `unreadable` and skipped.
//   * a missing, empty or malformed header: InputError (the whole file is unusable).
#pragma once

#include "core/file_io.hpp"
#include "core/problem.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace avf::ingest {

struct CsvReadOptions {
    /// Bytes read from the file per block (default 8 MiB). Tests use tiny values to cut blocks
    /// at every possible position; a block always grows until it holds at least one record.
    std::size_t block_bytes = std::size_t{8} << 20;
    /// Longest record accepted (default 1 MiB). A record still open after this many bytes is
    /// taken for an unterminated quote (or a binary file) and skipped as unreadable.
    std::size_t max_record_bytes = std::size_t{1} << 20;
};

/// Whole records of one CSV file, with the position of their first byte in the file.
struct CsvBlock {
    std::string bytes;
    std::uint64_t first_line = 1;         ///< 1-based line number of bytes[0]
    std::uint64_t first_record_index = 0; ///< 0-based index of the block's first data record
};

/// Malformed quoting found inside one record.
enum class CsvRecordError : std::uint8_t {
    none,
    quote_in_unquoted_field,  ///< ab"c — a quote that does not start a field
    text_after_closing_quote, ///< "ab"c
    unterminated_quote,       ///< the text ends inside a quoted field
};

/// "a quote inside an unquoted field", …: for problem messages.
std::string_view describe(CsvRecordError e);

/// One record as the cursor splits it. The views stay valid until the next call to
/// CsvCursor::next and while the block lives.
struct CsvRecord {
    std::vector<std::string_view> fields;
    std::uint64_t line = 0;      ///< line of the record's first byte
    std::uint64_t last_line = 0; ///< line of its last byte (> line when a quoted field holds newlines)
    std::uint64_t index = 0;     ///< 0-based data record index in the file
    CsvRecordError error = CsvRecordError::none;
    std::size_t error_field = 0; ///< 0-based field where `error` was found
};

/// Splits a block (or any text of whole records) into records. Cheap to construct; one per
/// thread: the cursor owns the scratch buffer for unescaped fields.
class CsvCursor {
public:
    explicit CsvCursor(const CsvBlock& block) : CsvCursor(block.bytes, block.first_line, block.first_record_index) {}
    CsvCursor(std::string_view text, std::uint64_t first_line, std::uint64_t first_record_index);

    /// The next non-blank record; false at the end of the text.
    bool next(CsvRecord& record);
    /// Line number of the next unread byte.
    std::uint64_t line() const { return m_line; }

private:
    // Split the record at m_pos into m_spans; return the position of its newline (or the end).
    std::size_t split_plain(std::size_t line_end); // a record without quotes, ending at line_end
    std::size_t split_quoted(CsvRecord& record);   // the general RFC 4180 path

    struct Span {
        std::size_t begin; // offset in the text, or in m_scratch when `escaped`
        std::size_t length;
        bool escaped;
    };
    std::string_view m_text;
    std::size_t m_pos = 0;
    std::uint64_t m_line;
    std::uint64_t m_next_index;
    std::vector<Span> m_spans;
    std::string m_scratch;
};

/// Reads a CSV file as header + blocks of whole records (see the header comment). Serial.
class CsvBlockReader {
public:
    /// Opens `path` and reads the header (the first non-blank record). Throws IoError when the
    /// file cannot be opened or read (core/file_io.hpp: a read error is never taken for the end of
    /// the file), InputError when it has no header or a malformed one.
    explicit CsvBlockReader(std::string path, CsvReadOptions options = {});
    ~CsvBlockReader();
    CsvBlockReader(const CsvBlockReader&) = delete;
    CsvBlockReader& operator=(const CsvBlockReader&) = delete;

    const std::string& path() const { return m_path; }
    /// Header fields, unquoted, as written (not trimmed, not case-folded).
    const std::vector<std::string>& header() const { return m_header; }
    std::uint64_t header_line() const { return m_header_line; }

    /// The next block of whole records; false when the file is exhausted. Records the reader
    /// has to skip (see the header comment) are reported to `problems` as `unreadable`; a file
    /// without any record (a header alone) once, as `empty_layer` (ingest/text.hpp).
    /// Throws IoError when reading fails.
    bool next(CsvBlock& block, ProblemSink& problems);

    /// Size of the file when opened (0 for a pipe).
    std::uint64_t bytes_total() const { return m_bytes_total; }
    /// Bytes of the file consumed so far: the header, every block handed out, skipped lines.
    std::uint64_t bytes_read() const { return m_consumed; }
    /// Data records handed out in blocks or skipped as unreadable so far.
    std::uint64_t records_read() const { return m_next_record; }

    /// From here on reads only the bytes [begin, end) of the file, as if they were all of it after
    /// the header (one rank's share of a distributed run, docs/mpi.md). Call before next().
    /// `begin` must be where a record of the file starts, at or after bytes_read() (the end of the
    /// header), and `first_line` the line number there; records are indexed from 0 again. A share
    /// that is not the whole file never reports the file as holding no record.
    void restrict_to(std::uint64_t begin, std::uint64_t end, std::uint64_t first_line);
    /// True when a restricted share that ends before the file does ended inside a record (an open
    /// quote, or malformed quoting over several lines): its end was not a record boundary of the
    /// whole file, so its records are not those a reader of the whole file sees.
    bool share_ended_inside_record() const { return m_share_broken; }
    /// True for a file with CR line ends (an old Mac file), known once the header is read.
    bool cr_line_ends() const { return m_cr_line_ends; }

private:
    enum class BadRecord : std::uint8_t { none, unterminated_quote, malformed_multiline, too_long };
    struct Scan;

    bool read_more(std::size_t bytes);
    void detect_line_ends();
    void normalize_line_ends(std::size_t from);
    Scan scan_pending(std::size_t max_records);
    void skip_bad_record(BadRecord kind, std::uint64_t record_lines, ProblemSink& problems);
    void read_header();

    std::string m_path;
    CsvReadOptions m_options;
    std::optional<CheckedFile> m_file;
    bool m_eof = false;
    bool m_cr_line_ends = false; // an old Mac file: every lone CR is a line end
    bool m_reported_no_records = false;
    std::string m_pending; // bytes read but not handed out; starts at a record boundary
    std::vector<std::string> m_header;
    std::uint64_t m_header_line = 1;
    std::uint64_t m_next_line = 1;   // line number of m_pending[0]
    std::uint64_t m_next_record = 0; // record index of the first record in m_pending
    std::uint64_t m_bytes_total = 0;
    std::uint64_t m_consumed = 0;
    bool m_restricted = false;   // restrict_to(): read_at from m_share_pos up to m_share_end
    bool m_share_broken = false; // see share_ended_inside_record()
    std::uint64_t m_share_pos = 0, m_share_end = 0;
};

} // namespace avf::ingest
