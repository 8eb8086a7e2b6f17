// Detections ingest: reads observed detections — CSV (the fast path), GeoJSON, GeoJSONSeq,
// GeoPackage, Shapefile or any OGR point layer — into avf::Detection records. Every field is
// validated; a record that cannot be used becomes a Problem (severity rejected) naming the file,
// the line or feature, the record id when known, the field, the value and the reason, and the
// reading goes on. Only a file that is unusable as a whole (cannot be opened, no header, a missing
// required column) throws.
//
//   avf::Taxonomy taxonomy = ...;                                  // from the regime
//   auto source = avf::ingest::open_detections("detections.csv", {.taxonomy = &taxonomy});
//   avf::ingest::DuplicateIdFilter ids;                            // the caller's in-order stage
//   avf::CollectingProblemSink problems;
//   std::vector<avf::Detection> batch;
//   while (source->next_batch(batch, problems, 50'000))
//       for (const avf::Detection& d : batch)
//           if (ids.check_unique(d, problems)) use(d);
//
// Fields — CSV columns or OGR attributes, matched case-insensitively, in any order:
//   required  id, time, lon, lat, class, count, confidence, source
//             (OGR sources take lon/lat from the Point geometry instead, in any CRS)
//   optional  uncertainty_m (metres, finite, 0 to avf::max_distance_m; default 0), party,
//             source_record, model
// Unknown columns are ignored (one `note` per CSV file names them).
//
// Values and the problem each defect gives (one problem per rejected record: its first defect in
// the field order above):
//   * surrounding spaces and tabs are not data: every value is trimmed;
//   * an empty required value: missing_field;
//   * numbers are read with std::from_chars (never the C locale; "12,5" is not 12.5), a leading
//     '+' is accepted: bad_number when malformed, not_finite for NaN/Inf;
//   * lon outside [-180, 180], lat outside [-90, 90]: coordinate_out_of_range;
//   * time: ISO-8601 with Z or an offset (avf::parse_utc): bad_time otherwise;
//   * class: a canonical class or an alias of the Taxonomy; when empty, `model` is resolved
//     instead. Unknown: unknown_class. Detection::model keeps the raw model, or else the raw alias
//     given as class. A `class` and a `model` resolving to different classes: the class column
//     wins and a `note` says so;
//   * count: a positive whole number up to avf::max_items_per_record (10^6; 3 and 3.0 are
//     accepted, 2.5, 0, -3 and 10^6 + 1 are not): bad_value;
//   * confidence outside [0, 1], uncertainty_m negative or beyond avf::max_distance_m: bad_value;
//   * party: upper-cased (a record's "prk" is PRK);
//   * id, party, source, source_record, model longer than avf::max_id_length bytes: bad_value
//     (nothing is ever truncated); not valid UTF-8 or containing a NUL byte: bad_encoding;
//   * CSV only: wrong number of fields, malformed quoting, unterminated quote: unreadable;
//     lines may end in LF, CRLF or a CR alone (ingest/csv.hpp);
//   * a file with no record at all (a header alone, an empty layer): empty_layer, once;
//   * OGR only: a geometry that is not a Point (unsupported_geometry), null or empty
//     (empty_geometry), or that could not be reprojected (reprojection_failed).
// Duplicate ids are judged by the caller in input order, with DuplicateIdFilter.
//
// Origins: CSV records get {file, "", line number, record index}; OGR records
// {file, layer, feature id, feature index}. Problems carry the same position (Problem::order is
// the line or feature index).
//
// The CSV fast path, exposed for the parallel pipeline (see ingest/csv.hpp for the blocks):
//   CsvBlockReader reader(path, options.csv);                                    // serial
//   auto layout = DetectionCsvLayout::from_header(reader.header(), path, reader.header_line(), problems);
//   while (reader.next(block, problems))                                          // serial
//       parse_detection_block(block, layout, options, out, block_problems);       // any thread
//   // then, in input order: merge block_problems, DuplicateIdFilter::check_unique each record.
#pragma once

#include "core/problem.hpp"
#include "core/records.hpp"
#include "core/taxonomy.hpp"
#include "ingest/csv.hpp"
#include "ingest/duplicate_ids.hpp" // DuplicateIdFilter: the caller judges ids with it
#include "ingest/gdal_support.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace avf::ingest {

/// The detection fields, in the order records are validated (which defines "first defect").
enum class DetectionField : std::uint8_t {
    id,
    time,
    lon,
    lat,
    equipment_class, ///< column "class"
    count,
    confidence,
    source,
    uncertainty_m,
    party,
    source_record,
    model,
};
inline constexpr std::size_t detection_field_count = 12;

/// The column / attribute name of a field ("class" for equipment_class).
std::string_view column_name(DetectionField f);
/// True for id, time, lon, lat, class, count, confidence, source.
bool is_required(DetectionField f);

struct DetectionParseOptions {
    const Taxonomy* taxonomy = nullptr; ///< required: resolves class names and aliases; must outlive the source
    CsvReadOptions csv;                 ///< CSV block sizes (default 8 MiB blocks, 1 MiB records)
    VectorSourceOptions vector;         ///< OGR sources: layer (required when there are several), assume_crs
};

/// Where each detection field sits in the rows of one CSV file.
struct DetectionCsvLayout {
    static constexpr std::size_t absent = static_cast<std::size_t>(-1);

    std::string file;                                        ///< the path, as given (it goes into every origin)
    std::size_t column_count = 0;                            ///< fields a record must have
    std::array<std::size_t, detection_field_count> column{}; ///< 0-based column, or `absent`
    std::vector<std::string> ignored_columns;                ///< header names that are not detection fields

    std::size_t operator[](DetectionField f) const { return column[static_cast<std::size_t>(f)]; }

    /// Maps a header (names trimmed, case-insensitive) to the fields. Throws InputError naming the
    /// file and the column when a required column is missing or a field's column appears twice.
    /// Reports one `note` to `notes` naming the ignored columns, if any.
    static DetectionCsvLayout from_header(const std::vector<std::string>& header, const std::string& file, std::uint64_t header_line,
                                          ProblemSink& notes);
};

/// Parses the records of one block into detections, appended to `out`; each bad record becomes a
/// problem in `problems` (in record order). Pure: it reads only its arguments, so several threads
/// may parse different blocks at once (each with its own `out` and `problems`), and the result
/// does not depend on how the file was cut into blocks. Throws UsageError when
/// options.taxonomy is null, and whatever a strict `problems` throws.
void parse_detection_block(const CsvBlock& block, const DetectionCsvLayout& header_layout, const DetectionParseOptions& options,
                           std::vector<Detection>& out, CollectingProblemSink& problems);

/// A stream of detections from one input file.
class DetectionSource {
public:
    virtual ~DetectionSource();

    /// Clears `out` and fills it with up to max_records (>= 1) good records, in input order.
    /// Problems go to `problems`: those of the records read, delivered no later than the batch
    /// holding the records that follow them. Returns false when the input is exhausted and `out`
    /// is empty (the call may still have reported problems). Throws IoError when reading fails,
    /// InputError when the input turns out unusable or a strict sink stops.
    virtual bool next_batch(std::vector<Detection>& out, CollectingProblemSink& problems, std::size_t max_records) = 0;

    /// Size of the input in bytes (0 when unknown), and how much of it has been consumed: exact for
    /// CSV, estimated from the feature count for OGR sources. For progress reports.
    virtual std::uint64_t bytes_total() const = 0;
    virtual std::uint64_t bytes_read() const = 0;
    /// Records (good or bad) read so far.
    virtual std::uint64_t records_seen() const = 0;
};

/// True when `path` is read by the CSV fast path: its extension is .csv (any case), or its first
/// line (after a byte order mark) is a CSV header holding every required column.
bool is_detection_csv(const std::string& path);

/// Opens a detections file: the CSV fast path when is_detection_csv(path), OGR otherwise.
/// Validates the options first (UsageError: no taxonomy, zero block sizes), then opens the file
/// and reads its header or schema: IoError when it cannot be opened, InputError when a required
/// column is missing (naming the file, layer and column), when an OGR source has several layers
/// and none was named, or when its layer has no CRS and no assume_crs was given.
std::unique_ptr<DetectionSource> open_detections(const std::string& path, const DetectionParseOptions& options);

} // namespace avf::ingest
