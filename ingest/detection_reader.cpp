#include "ingest/detection_reader.hpp"

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "geo/validate.hpp"
#include "ingest/detection_fields.hpp"
#include "ingest/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <iterator>
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

char ascii_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
    return out;
}

// "+12.5" → "12.5": from_chars refuses the plus sign, people and some tools write it.
std::string_view strip_plus(std::string_view s) {
    if (s.size() > 1 && s[0] == '+' && s[1] != '-' && s[1] != '+') s.remove_prefix(1);
    return s;
}

enum class Number : std::uint8_t { ok, malformed, out_of_range };

// std::from_chars: locale-independent, whole value or nothing.
Number parse_double(std::string_view text, double& value) {
    const std::string_view s = strip_plus(text);
    const char* end = s.data() + s.size();
    const auto [ptr, ec] = std::from_chars(s.data(), end, value, std::chars_format::general);
    if (ec == std::errc::result_out_of_range && ptr == end) return Number::out_of_range;
    if (ec != std::errc() || ptr != end) return Number::malformed;
    return Number::ok;
}

// A ProblemSink that stamps Problem::order before forwarding (geo::check_coordinate builds its
// problems without it).
class OrderingSink final : public ProblemSink {
public:
    OrderingSink(ProblemSink& target, std::uint64_t order) : m_target(target), m_order(order) {}
    void report(Problem p) override {
        p.order = m_order;
        m_target.report(std::move(p));
    }

private:
    ProblemSink& m_target;
    std::uint64_t m_order;
};

} // namespace

std::string_view column_name(DetectionField f) {
    return k_column_names[idx(f)];
}

bool is_required(DetectionField f) {
    return idx(f) <= idx(DetectionField::source);
}

// ---------------------------------------------------------------------------------------------
// Field validation (shared with the OGR sources)

namespace detail {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool build_detection(const RawDetection& raw, const GeometryPosition* geometry, const RecordPosition& where, const Taxonomy& taxonomy, Detection& out,
                     ProblemSink& problems) {
    const std::string_view id = raw[DetectionField::id];

    // Problems are rare: their context is only built when one is reported.
    auto context_named = [&](std::string_view field, std::string_view value) {
        Context c;
        c.file(*where.file);
        if (!where.layer.empty()) c.layer(std::string(where.layer));
        if (where.line)
            c.line(static_cast<long>(*where.line));
        else
            c.feature(std::string(where.feature));
        if (!id.empty()) c.record(printable(id));
        c.field(std::string(field));
        if (!value.empty()) c.value(printable(value));
        return c;
    };
    auto context = [&](DetectionField f, std::string_view value) { return context_named(column_name(f), value); };
    auto reject = [&](ProblemCode code, DetectionField f, std::string_view value, std::string message, std::string expected = {}) {
        Context c = context(f, value);
        if (!expected.empty()) c.expected(std::move(expected));
        Problem p = Problem::rejected(code, std::move(message), std::move(c));
        p.order = where.order;
        problems.report(std::move(p));
        return false;
    };
    auto missing = [&](DetectionField f) { return reject(ProblemCode::missing_field, f, {}, "required value is empty"); };
    // Text fields that end up in the store's fixed-size id columns.
    auto storable = [&](DetectionField f) {
        const std::string_view v = raw[f];
        if (v.size() > max_id_length)
            return reject(ProblemCode::bad_value, f, v,
                          fmt::format("longer than {} bytes ({} bytes; values are never truncated)", max_id_length, v.size()));
        const std::string_view defect = encoding_defect(v);
        if (!defect.empty()) return reject(ProblemCode::bad_encoding, f, v, "value " + std::string(defect));
        return true;
    };
    // A number field: reports and returns false unless it is a finite double.
    auto number = [&](DetectionField f, double& value) {
        const std::string_view text = raw[f];
        switch (parse_double(text, value)) {
        case Number::malformed: return reject(ProblemCode::bad_number, f, text, "not a number", "a decimal number with '.' as decimal point");
        case Number::out_of_range: return reject(ProblemCode::bad_number, f, text, "number out of the range of a double");
        case Number::ok: break;
        }
        if (!std::isfinite(value)) return reject(ProblemCode::not_finite, f, text, "not a finite number");
        return true;
    };

    // id
    if (id.empty()) return missing(DetectionField::id);
    if (!storable(DetectionField::id)) return false;

    // time
    const std::string_view time_text = raw[DetectionField::time];
    if (time_text.empty()) return missing(DetectionField::time);
    const std::optional<UtcTime> time = parse_utc(time_text);
    if (!time)
        return reject(ProblemCode::bad_time, DetectionField::time, time_text, "not an ISO-8601 time with a zone",
                      "YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.fff]] followed by Z or +hh:mm");

    // lon, lat
    double lon = 0.0;
    double lat = 0.0;
    if (geometry) {
        if (!geometry->point) {
            Problem p = Problem::rejected(geometry->defect, geometry->reason, context_named("geometry", {}));
            p.order = where.order;
            problems.report(std::move(p));
            return false;
        }
        lon = geometry->point->x();
        lat = geometry->point->y();
    } else {
        if (raw[DetectionField::lon].empty()) return missing(DetectionField::lon);
        if (!number(DetectionField::lon, lon)) return false; // bad_number, or not_finite for NaN/Inf
        if (raw[DetectionField::lat].empty()) return missing(DetectionField::lat);
        if (!number(DetectionField::lat, lat)) return false;
    }
    const bool lon_ok = std::isfinite(lon) && lon >= -180.0 && lon <= 180.0;
    const bool lat_ok = std::isfinite(lat) && lat >= -90.0 && lat <= 90.0;
    if (!lon_ok || !lat_ok) {
        // Name the field at fault: the first non-finite one, else the first out of range.
        const bool blame_lon = !std::isfinite(lon) || (std::isfinite(lat) && !lon_ok);
        const DetectionField f = blame_lon ? DetectionField::lon : DetectionField::lat;
        const std::string shown = geometry ? fmt::format("{}", blame_lon ? lon : lat) : std::string(raw[f]);
        OrderingSink sink(problems, where.order);
        if (!geo::check_coordinate(lon, lat, sink, context(f, shown))) return false;
    }

    // class (or the model it is derived from)
    const std::string_view class_text = raw[DetectionField::equipment_class];
    const std::string_view model_text = raw[DetectionField::model];
    const std::string* canonical = nullptr;
    std::string_view kept_model = model_text;
    std::string conflict_note;
    if (!class_text.empty()) {
        canonical = taxonomy.resolve(class_text);
        if (!canonical)
            return reject(ProblemCode::unknown_class, DetectionField::equipment_class, class_text,
                          "neither a class nor an alias of the regime's taxonomy");
        if (model_text.empty()) {
            if (!iequals(class_text, *canonical)) kept_model = class_text; // an alias: the raw model name
        } else if (const std::string* from_model = taxonomy.resolve(model_text); from_model && from_model != canonical) {
            conflict_note = fmt::format("model '{}' maps to class '{}' but the class column says '{}'; the class column is used",
                                        printable(model_text), *from_model, *canonical);
        }
    } else if (!model_text.empty()) {
        canonical = taxonomy.resolve(model_text);
        if (!canonical)
            return reject(ProblemCode::unknown_class, DetectionField::model, model_text,
                          "class is empty and the model is neither a class nor an alias of the regime's taxonomy");
    } else {
        return reject(ProblemCode::missing_field, DetectionField::equipment_class, {}, "class is empty and there is no model to derive it from");
    }

    // count: a positive whole number. 3.0 is accepted because spreadsheet and pandas exports
    // write integer columns with any missing value as floats.
    const std::string_view count_text = raw[DetectionField::count];
    if (count_text.empty()) return missing(DetectionField::count);
    std::int64_t count = 0;
    {
        const std::string_view s = strip_plus(count_text);
        const char* end = s.data() + s.size();
        const auto [ptr, ec] = std::from_chars(s.data(), end, count);
        if (ec != std::errc() || ptr != end) {
            double v = 0.0;
            if (!number(DetectionField::count, v)) return false;
            constexpr double max_exact = 9007199254740992.0; // 2^53: every whole double up to here is exact
            if (std::fabs(v) > max_exact)
                return reject(ProblemCode::bad_value, DetectionField::count, count_text, "count is too large", "a positive whole number");
            if (v != std::floor(v))
                return reject(ProblemCode::bad_value, DetectionField::count, count_text, "count is not a whole number", "a positive whole number");
            count = static_cast<std::int64_t>(v);
        }
        if (count <= 0) return reject(ProblemCode::bad_value, DetectionField::count, count_text, "count is not positive", "a positive whole number");
        if (count > max_items_per_record)
            return reject(ProblemCode::bad_value, DetectionField::count, count_text,
                          fmt::format("count is above the most one record may claim ({})", max_items_per_record),
                          fmt::format("a whole number from 1 to {}", max_items_per_record));
    }

    // confidence
    if (raw[DetectionField::confidence].empty()) return missing(DetectionField::confidence);
    double confidence = 0.0;
    if (!number(DetectionField::confidence, confidence)) return false;
    if (confidence < 0.0 || confidence > 1.0)
        return reject(ProblemCode::bad_value, DetectionField::confidence, raw[DetectionField::confidence], "confidence outside [0, 1]",
                      "a number from 0 to 1");

    // source
    if (raw[DetectionField::source].empty()) return missing(DetectionField::source);
    if (!storable(DetectionField::source)) return false;

    // uncertainty_m (optional)
    double uncertainty = 0.0;
    if (!raw[DetectionField::uncertainty_m].empty()) {
        if (!number(DetectionField::uncertainty_m, uncertainty)) return false;
        if (uncertainty < 0.0)
            return reject(ProblemCode::bad_value, DetectionField::uncertainty_m, raw[DetectionField::uncertainty_m], "negative uncertainty",
                          "metres, 0 or more");
        if (uncertainty > max_distance_m)
            return reject(ProblemCode::bad_value, DetectionField::uncertainty_m, raw[DetectionField::uncertainty_m],
                          "uncertainty radius longer than half the Earth's circumference", fmt::format("metres, 0 to {}", max_distance_m));
    }

    // optional text fields
    for (DetectionField f : {DetectionField::party, DetectionField::source_record, DetectionField::model})
        if (!storable(f)) return false;
    if (kept_model.data() == class_text.data() && !storable(DetectionField::equipment_class)) return false;

    out.id = DetectionId(std::string(id));
    out.time = *time;
    out.position = GeoPoint(lon, lat);
    out.uncertainty = Meters{uncertainty};
    out.equipment_class = *canonical;
    out.model.assign(kept_model);
    out.count = count;
    out.confidence = confidence;
    out.party = canonical_party(raw[DetectionField::party]);
    out.source.assign(raw[DetectionField::source]);
    out.source_record.assign(raw[DetectionField::source_record]);
    out.origin.file = *where.file;
    out.origin.layer.assign(where.layer);
    out.origin.feature = where.line ? std::to_string(*where.line) : std::string(where.feature);
    out.origin.index = where.index;

    if (!conflict_note.empty()) {
        Problem p{Severity::note, ProblemCode::bad_value, std::move(conflict_note), context(DetectionField::model, model_text), where.order};
        problems.report(std::move(p));
    }
    return true;
}

} // namespace detail

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
        const std::string key = lower(detail::trim(header[i]));
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
        if (record.error != CsvRecordError::none || record.fields.size() != layout.column_count) {
            Context where = Context{}.file(layout.file).line(static_cast<long>(record.line));
            if (id_column < record.fields.size()) {
                const std::string_view id = detail::trim(record.fields[id_column]);
                if (!id.empty()) where.record(printable(id));
            }
            std::string message;
            if (record.error != CsvRecordError::none) {
                message = fmt::format("malformed quoting: {} (field {})", describe(record.error), record.error_field + 1);
            } else {
                message = fmt::format("record has {} field{}, the header has {}", record.fields.size(), record.fields.size() == 1 ? "" : "s",
                                      layout.column_count);
                where.expected(fmt::format("{} comma-separated fields (quote values that contain commas)", layout.column_count));
            }
            if (record.last_line > record.line) message += fmt::format(" (record spans lines {}-{})", record.line, record.last_line);
            Problem p = Problem::rejected(ProblemCode::unreadable, std::move(message), std::move(where));
            p.order = record.line;
            problems.report(std::move(p));
            continue;
        }

        for (std::size_t f = 0; f < detection_field_count; ++f) {
            const std::size_t column = layout.column[f];
            raw.value[f] = column == DetectionCsvLayout::absent ? std::string_view{} : detail::trim(record.fields[column]);
        }
        detail::RecordPosition where;
        where.file = &layout.file;
        where.line = record.line;
        where.index = record.index;
        where.order = record.line;
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
    // many avoids moving every Detection a dozen times as `out` grows.
    out.reserve(out.size() + static_cast<std::size_t>(std::count(block.bytes.begin(), block.bytes.end(), '\n')) + 1);
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
    const std::string_view start = detail::trim(first_line);
    if (start.empty() || start.front() == '{' || start.front() == '[' || start.front() == '\x1e') return false; // (Geo)JSON, JSON text sequences

    CsvCursor cursor(first_line, 1, 0);
    CsvRecord record;
    if (!cursor.next(record) || record.error != CsvRecordError::none) return false;
    std::vector<std::string> names;
    for (std::string_view f : record.fields) names.push_back(lower(detail::trim(f)));
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
