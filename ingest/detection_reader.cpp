#include "ingest/detection_reader.hpp"

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "ingest/detection_fields.hpp"
#include "ingest/fields.hpp"
#include "ingest/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <optional>

namespace avf::ingest {

namespace {

constexpr std::array<std::string_view, detection_field_count> k_column_names = {
    "id", "time", "lon", "lat", "class", "count", "confidence", "source", "uncertainty_m", "party", "source_record", "model",
};

constexpr std::size_t idx(DetectionField f) {
    return static_cast<std::size_t>(f);
}

} // namespace

std::string_view column_name(DetectionField f) {
    return k_column_names[idx(f)];
}

bool is_required(DetectionField f) {
    return idx(f) <= idx(DetectionField::source);
}

// ---------------------------------------------------------------------------------------------
// CSV: layout and block parsing

DetectionCsvLayout DetectionCsvLayout::from_header(const std::vector<std::string>& header, const std::string& file, std::uint64_t header_line,
                                                   ProblemSink& notes) {
    DetectionCsvLayout layout;
    layout.file = file;
    layout.column_count = header.size();
    layout.column.fill(absent);
    const Context where = Context{}.file(file).line(static_cast<long>(header_line));

    for (std::size_t i = 0; i < header.size(); ++i) {
        const std::string key = ascii_lower(trim(header[i]));
        const auto it = std::find(k_column_names.begin(), k_column_names.end(), key);
        if (it == k_column_names.end()) {
            layout.ignored_columns.push_back(header[i]);
            continue;
        }
        std::size_t& column = layout.column[static_cast<std::size_t>(it - k_column_names.begin())];
        if (column != absent)
            throw InputError(fmt::format("column '{}' appears twice in the header (columns {} and {})", key, column + 1, i + 1),
                             Context(where).field(key));
        column = i;
    }

    std::vector<std::string> missing;
    for (std::size_t f = 0; f < detection_field_count; ++f)
        if (is_required(static_cast<DetectionField>(f)) && layout.column[f] == absent) missing.emplace_back(k_column_names[f]);
    if (!missing.empty()) {
        std::string list;
        for (const auto& m : missing) list += (list.empty() ? "'" : ", '") + m + "'";
        throw InputError(fmt::format("missing required column{} {}: no detection can be read", missing.size() > 1 ? "s" : "", list),
                         Context(where).field(missing.front()).expected("columns id, time, lon, lat, class, count, confidence, source"));
    }

    if (!layout.ignored_columns.empty()) {
        std::string list;
        for (const auto& c : layout.ignored_columns) list += (list.empty() ? "'" : ", '") + printable(c) + "'";
        Problem p{Severity::note, ProblemCode::bad_value,
                  fmt::format("column{} {} {} not a detection field and {} ignored", layout.ignored_columns.size() > 1 ? "s" : "", list,
                              layout.ignored_columns.size() > 1 ? "are" : "is", layout.ignored_columns.size() > 1 ? "are" : "is"),
                  where, header_line};
        notes.report(std::move(p));
    }
    return layout;
}

namespace {

// Parses records from `cursor` into `out` until out holds `limit` records or the cursor is
// exhausted. Returns false when the cursor is exhausted.
bool parse_records(CsvCursor& cursor, const DetectionCsvLayout& layout, const Taxonomy& taxonomy, std::vector<Detection>& out,
                   CollectingProblemSink& problems, std::size_t limit) {
    const std::size_t id_column = layout[DetectionField::id];
    CsvRecord record;
    detail::RawDetection raw;
    while (out.size() < limit) {
        if (!cursor.next(record)) return false;
        RecordPosition where;
        where.file = layout.file;
        where.line = record.line;
        where.index = record.index;
        where.order = record.line;
        if (record.error != CsvRecordError::none || record.fields.size() != layout.column_count) {
            if (id_column < record.fields.size()) where.record = trim(record.fields[id_column]);
            std::string message;
            std::string expected;
            if (record.error != CsvRecordError::none) {
                message = fmt::format("malformed quoting: {} (field {})", describe(record.error), record.error_field + 1);
            } else {
                message = fmt::format("record has {} field{}, the header has {}", record.fields.size(), record.fields.size() == 1 ? "" : "s",
                                      layout.column_count);
                expected = fmt::format("{} comma-separated fields (quote values that contain commas)", layout.column_count);
            }
            if (record.last_line > record.line) message += fmt::format(" (record spans lines {}-{})", record.line, record.last_line);
            RecordCheck(problems, where).reject(ProblemCode::unreadable, {}, {}, std::move(message), std::move(expected));
            continue;
        }

        for (std::size_t f = 0; f < detection_field_count; ++f) {
            const std::size_t column = layout.column[f];
            raw.value[f] = column == DetectionCsvLayout::absent ? std::string_view{} : trim(record.fields[column]);
        }
        Detection& d = out.emplace_back();
        if (!detail::build_detection(raw, nullptr, where, taxonomy, d, problems)) out.pop_back();
    }
    return true;
}

} // namespace

void parse_detection_block(const CsvBlock& block, const DetectionCsvLayout& header_layout, const DetectionParseOptions& options,
                           std::vector<Detection>& out, CollectingProblemSink& problems) {
    if (!options.taxonomy) throw UsageError("DetectionParseOptions::taxonomy is required", Context{}.file(header_layout.file));
    // A block holds at most one record per newline (+1 without a final newline): reserving that
    // many avoids moving every Detection a dozen times as `out` grows. An `out` that is reused
    // (the compliance run recycles its chunks) grows with an eighth to spare, so that the next
    // block, a few lines longer, fits in memory already touched.
    const std::size_t need = out.size() + static_cast<std::size_t>(std::count(block.bytes.begin(), block.bytes.end(), '\n')) + 1;
    if (out.capacity() < need) out.reserve(out.capacity() == 0 ? need : need + need / 8);
    CsvCursor cursor(block);
    parse_records(cursor, header_layout, *options.taxonomy, out, problems, std::numeric_limits<std::size_t>::max());
}

// ---------------------------------------------------------------------------------------------
// The CSV DetectionSource

DetectionSource::~DetectionSource() = default;

namespace {

// Serial: parses the current block straight into the caller's batch, stopping at max_records, so
// no record is parsed ahead of its batch or moved twice.
class CsvDetectionSource final : public DetectionSource {
public:
    CsvDetectionSource(const std::string& path, const DetectionParseOptions& options)
        : m_taxonomy(*options.taxonomy), m_reader(path, options.csv),
          m_layout(DetectionCsvLayout::from_header(m_reader.header(), path, m_reader.header_line(), m_header_notes)) {}

    bool next_batch(std::vector<Detection>& out, CollectingProblemSink& problems, std::size_t max_records) override {
        if (max_records == 0) throw InternalError("DetectionSource::next_batch called with max_records = 0");
        out.clear();
        out.reserve(std::min<std::size_t>(max_records, 1 << 16));
        for (Problem& p : m_header_notes.problems()) problems.report(std::move(p));
        m_header_notes.problems().clear();

        while (out.size() < max_records) {
            if (!m_cursor) {
                if (!m_reader.next(m_block, problems)) break;
                m_cursor.emplace(m_block);
            }
            if (!parse_records(*m_cursor, m_layout, m_taxonomy, out, problems, max_records)) m_cursor.reset();
        }
        return !out.empty();
    }

    std::uint64_t bytes_total() const override { return m_reader.bytes_total(); }
    std::uint64_t bytes_read() const override { return m_reader.bytes_read(); }
    std::uint64_t records_seen() const override { return m_reader.records_read(); }

private:
    const Taxonomy& m_taxonomy;
    CollectingProblemSink m_header_notes; // declared before m_layout, which reports into it
    CsvBlockReader m_reader;
    DetectionCsvLayout m_layout;
    CsvBlock m_block;                  // the block being parsed
    std::optional<CsvCursor> m_cursor; // over m_block; empty when a new block is needed
};

bool has_csv_extension(const std::string& path) {
    return path.size() >= 4 && iequals(std::string_view(path).substr(path.size() - 4), ".csv");
}

} // namespace

bool is_detection_csv(const std::string& path) {
    if (has_csv_extension(path)) return true;
    if (path.rfind("/vsi", 0) == 0) return false; // GDAL virtual file systems: OGR's business
    // A file that cannot be opened is left to the reader that names the error; a read error
    // is one (IoError), not "not a CSV file".
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return false;
    const std::string head = read_prefix(path, std::size_t{64} * 1024);
    std::string_view text = head;
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    const std::string_view first_line = text.substr(0, text.find_first_of("\r\n")); // CR alone: an old Mac file
    if (first_line.find('\0') != std::string_view::npos) return false;              // binary (GeoPackage, Shapefile…)
    const std::string_view start = trim(first_line);
    if (start.empty() || start.front() == '{' || start.front() == '[' || start.front() == '\x1e') return false; // (Geo)JSON, JSON text sequences

    CsvCursor cursor(first_line, 1, 0);
    CsvRecord record;
    if (!cursor.next(record) || record.error != CsvRecordError::none) return false;
    std::vector<std::string> names;
    for (std::string_view f : record.fields) names.push_back(ascii_lower(trim(f)));
    for (std::size_t f = 0; f < detection_field_count; ++f)
        if (is_required(static_cast<DetectionField>(f)) && std::find(names.begin(), names.end(), k_column_names[f]) == names.end()) return false;
    return true;
}

std::unique_ptr<DetectionSource> open_detections(const std::string& path, const DetectionParseOptions& options) {
    if (!options.taxonomy)
        throw UsageError("reading detections needs the regime's class taxonomy (DetectionParseOptions::taxonomy is null)", Context{}.file(path));
    if (options.csv.block_bytes == 0 || options.csv.max_record_bytes == 0)
        throw UsageError("CSV block_bytes and max_record_bytes must be positive", Context{}.file(path));
    if (is_detection_csv(path)) return std::make_unique<CsvDetectionSource>(path, options);
    return detail::open_ogr_detections(path, options);
}

} // namespace avf::ingest
