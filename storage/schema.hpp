// Internal to storage/: the store's layout — group and dataset names, and the column list of every
// table, the one place where a table's columns are named, typed, sized and ordered (storage/columns.hpp
// derives the HDF5 type, the encoder and the decoder from it). docs/store-format.md is the prose
// version of this file; keep them in step.
//
//   findings_columns.encode(f, slots, row, f.id);   // storage/codec.cpp wraps these per table
//   const TableSchema& t = findings_table();        // the stored columns, for HDF5 and the verifier
//   t.row_size();                                   // bytes of one packed row
//   t.columns()[0].name;                            // "id"
//
// Adding a column is one line in its table's list (plus the slot it binds to, when the record has no
// such field); adding a table is one list and one *_table() function. A layout that files already
// written must keep reading gets its own list (chain_v1_columns).
#pragma once

#include "core/problem.hpp"
#include "core/records.hpp"
#include "core/store_limits.hpp"
#include "storage/columns.hpp"
#include "storage/content_digest.hpp"
#include "storage/store.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace avf::storage {

// ---- column widths (bytes). Values longer than their column are refused, never truncated. ----
inline constexpr std::size_t id_bytes = max_id_length;     ///< ids, classes, parties, kinds, codes
inline constexpr std::size_t name_bytes = max_name_length; ///< names, layer names
inline constexpr std::size_t time_bytes = time_text_bytes; ///< ISO-8601 UTC, "-inf" / "+inf"
inline constexpr std::size_t path_bytes = 1024;            ///< input file paths as given
inline constexpr std::size_t digest_bytes = 64;            ///< SHA-256 as lowercase hex
inline constexpr std::size_t enum_bytes = 16;              ///< severity, certainty
inline constexpr std::size_t kind_bytes = 32;              ///< finding kind, geometry type

// ---- names in the file ----
namespace layout {
inline constexpr const char* format_name = "avf-store";
inline constexpr const char* zones = "zones";
inline constexpr const char* runs = "runs";
inline constexpr const char* audit = "audit";
inline constexpr const char* chain = "chain";
/// Signed chain heads (schema 3; absent until the first `avf audit sign`).
inline constexpr const char* signatures = "signatures";
// zone set members
inline constexpr const char* zone_table = "zones";
inline constexpr const char* zone_wkb = "zone_wkb";
inline constexpr const char* line_table = "lines";
inline constexpr const char* line_wkb = "line_wkb";
inline constexpr const char* sources = "sources";
// run members
inline constexpr const char* regime_text = "regime_text";
inline constexpr const char* inputs = "inputs";
inline constexpr const char* findings = "findings";
inline constexpr const char* explanations = "explanations";
inline constexpr const char* evidence = "evidence";
inline constexpr const char* summary = "summary";
// run members of schema 4: the dictionaries the compact findings rows index (code = row)
inline constexpr const char* rules = "rules";
inline constexpr const char* dictionary_text = "dictionary_text"; ///< rule templates and waiver bases
inline constexpr const char* targets = "targets";
inline constexpr const char* classes = "classes";
inline constexpr const char* parties = "parties";
inline constexpr const char* waivers = "waivers";
inline constexpr const char* records = "records";
inline constexpr const char* record_text = "record_text";
// run members of schema 2, present only in runs given imagery, tracks or routes
inline constexpr const char* images = "images";
inline constexpr const char* image_wkb = "image_wkb";
inline constexpr const char* flights = "flights";
inline constexpr const char* flight_wkb = "flight_wkb";
inline constexpr const char* coverage = "coverage";
inline constexpr const char* coverage_wkb = "coverage_wkb";
// shared by zone sets and runs
inline constexpr const char* problems = "problems";
inline constexpr const char* problem_text = "problem_text";
inline constexpr const char* commit = "commit";
inline constexpr const char* commit_blocks = "commit_blocks";
/// The commit-record entry covering a group's attributes (not a dataset).
inline constexpr const char* attributes = "attributes";
/// Attribute of the commit dataset holding the group's content digest.
inline constexpr const char* digest_attribute = "digest";
} // namespace layout

/// The attributes of a zone set group and of a run group, in the order the "attributes" entry of
/// their commit record hashes them.
const std::vector<std::string>& zone_set_attribute_names();
const std::vector<std::string>& run_attribute_names();

/// What a commit record lists, in order, for a zone set and for a run. Byte heaps and texts count
/// bytes; "attributes" counts attributes; tables count rows.
const std::vector<std::string>& zone_set_commit_entries();

/// The two layouts of a run's findings: schema 1-3 (findings, explanations, evidence with text
/// columns) and schema 4 (compact rows and the run's dictionaries). A store of schema 4 may hold
/// runs of both (written before and after its version was raised); a run with a `rules` table is v4.
enum class RunLayout { v3, v4 };
/// The commit entries of a run; with imagery (schema 2), images, image_wkb, flights, flight_wkb,
/// coverage, coverage_wkb are inserted before commit_blocks.
const std::vector<std::string>& run_commit_entries(RunLayout layout, bool imagery);

/// Which commit entries are byte heaps (uint8 datasets) rather than tables.
bool is_heap(std::string_view entry);
/// The CONTENT attribute of a byte heap (what it holds); InternalError for a name that is no heap.
const std::string& heap_description(std::string_view heap);

/// Width of the chain's kind column and of a signature (hex of 64 bytes).
inline constexpr std::size_t chain_kind_bytes = 16;
inline constexpr std::size_t signature_bytes = 128;

/// The order in which problem text fields are laid out in problem_text, and their column prefix.
inline constexpr std::array<std::string_view, 8> problem_text_fields = {"message", "file",  "layer", "feature",
                                                                        "record",  "field", "value", "expected"};

// ---- the row's own fields (slots) of the tables whose record does not hold them all ----

/// zones, lines: where the record's source file is listed and where its geometry is.
struct GeometrySlots {
    std::int64_t source_index = -1; ///< row of the sources table; -1 for none
    std::string_view geometry_type; ///< "MultiPolygon" (zones) or "MultiLineString" (lines)
    HeapRef wkb;                    ///< in zone_wkb or line_wkb
};
/// problems: the position in the source (-1 when absent) and the problem's texts in problem_text.
struct ProblemSlots {
    std::int64_t line = -1;
    std::int64_t column = -1;
    std::array<HeapRef, problem_text_fields.size()> text; ///< in problem_text_fields order
};
/// findings: where the finding's evidence rows are and where its explanation is.
struct FindingSlots {
    std::uint64_t evidence_first = 0;
    std::uint64_t evidence_count = 0;
    HeapRef explanation;
};
/// evidence: the finding it belongs to and the input file it came from.
struct EvidenceSlots {
    std::uint64_t finding_row = 0;
    std::string_view finding_id;
    std::int64_t input = -1;
};
/// findings of schema 4: the finding's id as two numbers and its codes into the run's dictionaries.
/// `evidence` is the row of `records` when evidence_count == 1 (evidence inline), else the first
/// row of the `evidence` table.
struct FindingCodes {
    std::uint64_t id_hi = 0; ///< the first 16 hex digits of the id, as a number
    std::uint64_t id_lo = 0; ///< the last 16
    std::uint16_t rule = 0;  ///< row of `rules` (rule and sentence form)
    std::uint32_t target = 0;
    std::uint16_t equipment_class = 0;
    std::uint16_t party = 0;
    std::uint16_t waiver = 0; ///< 0: none
    std::uint32_t evidence = 0;
    std::uint32_t evidence_count = 0;
};
/// evidence of schema 4: a finding resting on several records, one row per record.
struct EvidenceRowV4 {
    std::uint64_t finding_row = 0;
    std::uint32_t record = 0; ///< row of `records`
};
/// rules of schema 4: one row per rule and sentence form; the template is in dictionary_text.
struct RuleEntry {
    std::string id, type, article, unit, explanation_template;
    bool operator==(const RuleEntry&) const = default;
};
struct RuleSlots {
    HeapRef explanation_template;
};
/// A one-column dictionary (targets, classes, parties); row 0 is "".
struct DictionaryEntry {
    std::string value;
};
/// waivers of schema 4; row 0 is "no waiver". The basis is in dictionary_text.
struct WaiverEntry {
    std::string id, basis;
    bool operator==(const WaiverEntry&) const = default;
};
struct WaiverSlots {
    HeapRef basis;
};
/// records of schema 4: an input record findings rest on; its id and position are consecutive in
/// record_text from `text_offset`.
struct RecordSlots {
    std::uint8_t kind = 0; ///< record_kind_names index
    std::int32_t input = -1;
    std::uint64_t text_offset = 0;
    std::uint16_t id_length = 0;
    std::uint16_t position_length = 0;
};
/// Record kinds of schema 4 by code (the `records.kind` column).
inline constexpr std::array<std::string_view, 4> record_kind_names = {"detection", "image", "declaration", "flight"};

/// images: the input file and the footprint.
struct ImageSlots {
    std::int64_t input = -1;
    HeapRef wkb;
};
/// flights: the input files of the track and of the route, and their geometries.
struct FlightSlots {
    std::int64_t input = -1;
    std::int64_t route_input = -1;
    HeapRef track_wkb;
    HeapRef route_wkb;
};
/// coverage: the uncovered part of the zone.
struct CoverageSlots {
    HeapRef uncovered_wkb;
};
/// commit_blocks: the member the block belongs to.
struct BlockSlots {
    std::string_view table;
};

/// A row of /audit/chain. Schemas 1 and 2 have no kind column: their rows are runs.
struct ChainRow {
    std::uint64_t sequence = 0;
    std::string kind; ///< "run" or "zone_set" (to_string(ChainKind)); anything else is damage
    std::string name; ///< run id or zone set name
    std::string content_digest;
    std::string previous_digest;
    std::string digest;
};

// ---- the column list of every table ----
// One column per line: a list reads as the table it declares.
// clang-format off

/// sources (of a zone set) and inputs (of a run): the files read.
constexpr auto source_file_columns(std::string_view name, std::string_view title) {
    return col::list<InputFile>(name, title,
        col::text("role", id_bytes, &InputFile::role),
        col::text("path", path_bytes, &InputFile::path),
        col::text("sha256", digest_bytes, &InputFile::sha256),
        col::uint64("size", &InputFile::size),
        col::uint64("records_read", &InputFile::records_read),
        col::uint64("records_rejected", &InputFile::records_rejected));
}
inline constexpr auto sources_columns = source_file_columns(layout::sources, "Source files of the zone set");
inline constexpr auto inputs_columns = source_file_columns(layout::inputs, "Input files of the run");

inline constexpr auto zones_columns = col::list<Zone, GeometrySlots>(
    layout::zone_table, "Zones of the set (geometry: zone_wkb)",
    col::text("id", id_bytes, &Zone::id),
    col::text("name", name_bytes, &Zone::name),
    col::text("kind", id_bytes, &Zone::kind),
    col::text("parties", id_bytes, &Zone::parties),
    col::text("parent", id_bytes, &Zone::parent),
    col::time_text("valid_from", &Zone::valid, &Interval::from),
    col::time_text("valid_to", &Zone::valid, &Interval::to),
    col::int64("source_index", &GeometrySlots::source_index),
    col::text("source_layer", name_bytes, &Zone::source, &SourceRef::layer),
    col::text("source_feature", id_bytes, &Zone::source, &SourceRef::feature),
    col::uint64("source_position", &Zone::source, &SourceRef::index),
    col::text("geometry_type", kind_bytes, &GeometrySlots::geometry_type),
    col::heap("wkb", &GeometrySlots::wkb));

inline constexpr auto lines_columns = col::list<ReferenceLine, GeometrySlots>(
    layout::line_table, "Reference lines of the set (geometry: line_wkb)",
    col::text("id", id_bytes, &ReferenceLine::id),
    col::text("name", name_bytes, &ReferenceLine::name),
    col::text("kind", id_bytes, &ReferenceLine::kind),
    col::text("parties", id_bytes, &ReferenceLine::parties),
    col::time_text("valid_from", &ReferenceLine::valid, &Interval::from),
    col::time_text("valid_to", &ReferenceLine::valid, &Interval::to),
    col::int64("source_index", &GeometrySlots::source_index),
    col::text("source_layer", name_bytes, &ReferenceLine::source, &SourceRef::layer),
    col::text("source_feature", id_bytes, &ReferenceLine::source, &SourceRef::feature),
    col::uint64("source_position", &ReferenceLine::source, &SourceRef::index),
    col::text("geometry_type", kind_bytes, &GeometrySlots::geometry_type),
    col::heap("wkb", &GeometrySlots::wkb));

inline constexpr auto problems_columns = col::list<Problem, ProblemSlots>(
    layout::problems, "Problems found in the input data (text: problem_text)",
    col::enum_name("severity", enum_bytes, &Problem::severity),
    col::enum_name("code", id_bytes, &Problem::code),
    col::int64("line", &ProblemSlots::line),
    col::int64("column", &ProblemSlots::column),
    col::uint64("order", &Problem::order),
    col::heaps(problem_text_fields, &ProblemSlots::text));

inline constexpr auto findings_columns = col::list<Finding, FindingSlots>(
    layout::findings, "Findings of the run in their final order (text: explanations)",
    col::text("id", id_bytes, &Finding::id),
    col::enum_name("kind", kind_bytes, &Finding::kind),
    col::enum_name("certainty", enum_bytes, &Finding::certainty),
    col::text("rule_id", store_limits::rule_id, &Finding::rule_id),
    col::text("rule_type", store_limits::rule_type, &Finding::rule_type),
    col::text("article", store_limits::article, &Finding::article),
    col::text("target_id", store_limits::target_id, &Finding::target_id),
    col::text("party", store_limits::party, &Finding::party),
    col::text("equipment_class", store_limits::equipment_class, &Finding::equipment_class),
    col::time_text("span_from", &Finding::span, &Interval::from),
    col::time_text("span_to", &Finding::span, &Interval::to),
    col::float64("lon", col::getset([](const Finding& f) { return f.location.x(); }, [](Finding& f, double v) { f.location.x(v); })),
    col::float64("lat", col::getset([](const Finding& f) { return f.location.y(); }, [](Finding& f, double v) { f.location.y(v); })),
    col::float64("measured", &Finding::measured),
    col::float64("limit", &Finding::limit),
    col::text("unit", store_limits::unit, &Finding::unit),
    col::float64("confidence", &Finding::confidence),
    col::text("waiver_id", store_limits::waiver_id, &Finding::waiver_id),
    col::uint64("evidence_first", &FindingSlots::evidence_first),
    col::uint64("evidence_count", &FindingSlots::evidence_count),
    col::heap("explanation", &FindingSlots::explanation));

inline constexpr auto evidence_columns = col::list<Evidence, EvidenceSlots>(
    layout::evidence, "Input records each finding rests on",
    col::uint64("finding_row", &EvidenceSlots::finding_row),
    col::text("finding_id", id_bytes, &EvidenceSlots::finding_id),
    col::text("record_kind", id_bytes, &Evidence::record_kind),
    col::text("record_id", id_bytes, &Evidence::record_id),
    col::int64("input", &EvidenceSlots::input),
    col::text("source_position", id_bytes, &Evidence::source_position));

/// findings of schema 4: numbers only (issue 18 decision 1); the texts are in the dictionaries.
inline constexpr auto findings_v4_columns = col::list<Finding, FindingCodes>(
    layout::findings, "Findings of the run in their final order (codes: rules, targets, classes, parties, waivers, records)",
    col::uint64("id_hi", &FindingCodes::id_hi),
    col::uint64("id_lo", &FindingCodes::id_lo),
    col::enum_code("kind", &Finding::kind),
    col::enum_code("certainty", &Finding::certainty),
    col::uint16("rule", &FindingCodes::rule),
    col::uint32("target", &FindingCodes::target),
    col::uint16("equipment_class", &FindingCodes::equipment_class),
    col::uint16("party", &FindingCodes::party),
    col::uint16("waiver", &FindingCodes::waiver),
    col::time_ms("span_from", &Finding::span, &Interval::from),
    col::time_ms("span_to", &Finding::span, &Interval::to),
    col::float64("lon", col::getset([](const Finding& f) { return f.location.x(); }, [](Finding& f, double v) { f.location.x(v); })),
    col::float64("lat", col::getset([](const Finding& f) { return f.location.y(); }, [](Finding& f, double v) { f.location.y(v); })),
    col::float64("measured", &Finding::measured),
    col::float64("limit", &Finding::limit),
    col::float64("confidence", &Finding::confidence),
    col::uint32("evidence", &FindingCodes::evidence),
    col::uint32("evidence_count", &FindingCodes::evidence_count));

inline constexpr auto evidence_v4_columns = col::list<EvidenceRowV4>(
    layout::evidence, "Records of the findings resting on several records",
    col::uint64("finding_row", &EvidenceRowV4::finding_row),
    col::uint32("record", &EvidenceRowV4::record));

inline constexpr auto rules_columns = col::list<RuleEntry, RuleSlots>(
    layout::rules, "Rules and their sentence forms (code = row; templates: dictionary_text)",
    col::text("id", store_limits::rule_id, &RuleEntry::id),
    col::text("type", store_limits::rule_type, &RuleEntry::type),
    col::text("article", store_limits::article, &RuleEntry::article),
    col::text("unit", store_limits::unit, &RuleEntry::unit),
    col::heap("template", &RuleSlots::explanation_template));

constexpr auto dictionary_columns(std::string_view name, std::string_view title, std::size_t bytes) {
    return col::list<DictionaryEntry>(name, title, col::text("id", bytes, &DictionaryEntry::value));
}
inline constexpr auto targets_columns = dictionary_columns(layout::targets, "Zone and line ids the findings refer to (code = row; 0 = none)", store_limits::target_id);
inline constexpr auto classes_columns = dictionary_columns(layout::classes, "Equipment classes of the findings (code = row; 0 = none)", store_limits::equipment_class);
inline constexpr auto parties_columns = dictionary_columns(layout::parties, "Parties of the findings (code = row; 0 = unknown)", store_limits::party);

inline constexpr auto waivers_columns = col::list<WaiverEntry, WaiverSlots>(
    layout::waivers, "Waivers that exempted findings (code = row; 0 = none; bases: dictionary_text)",
    col::text("id", store_limits::waiver_id, &WaiverEntry::id),
    col::heap("basis", &WaiverSlots::basis));

inline constexpr auto records_columns = col::list<RecordSlots>(
    layout::records, "Input records the findings rest on (id and position: record_text)",
    col::uint8("kind", &RecordSlots::kind),
    col::int32("input", &RecordSlots::input),
    col::uint64("text_offset", &RecordSlots::text_offset),
    col::uint16("id_length", &RecordSlots::id_length),
    col::uint16("position_length", &RecordSlots::position_length));

inline constexpr auto summary_columns = col::list<SummaryRow>(
    layout::summary, "Findings per rule, kind and certainty",
    col::text("rule_id", store_limits::rule_id, &SummaryRow::rule_id),
    col::text("kind", kind_bytes, &SummaryRow::kind),
    col::text("certainty", enum_bytes, &SummaryRow::certainty),
    col::uint64("findings", &SummaryRow::findings));

inline constexpr auto images_columns = col::list<ImageRecord, ImageSlots>(
    layout::images, "Image metadata of the run (footprints: image_wkb)",
    col::text("id", id_bytes, &ImageRecord::id),
    col::text("flight_id", id_bytes, &ImageRecord::flight_id),
    col::text("mission", id_bytes, &ImageRecord::mission),
    col::text("platform", id_bytes, &ImageRecord::platform),
    col::text("instruments", name_bytes, &ImageRecord::instruments),
    col::text("observing_party", id_bytes, &ImageRecord::observing_party),
    col::text("observed_party", id_bytes, &ImageRecord::observed_party),
    col::enum_name("sensor", enum_bytes, &ImageRecord::sensor),
    col::time_text("start", &ImageRecord::acquisition, &Interval::from),
    col::time_text("end", &ImageRecord::acquisition, &Interval::to),
    col::float64("gsd_m", &ImageRecord::gsd, &Meters::value),
    col::float64("height_m", &ImageRecord::height, &Meters::value),
    col::float64("off_nadir_deg", &ImageRecord::off_nadir),
    col::float64("sar_range_m", &ImageRecord::sar_range_resolution, &Meters::value),
    col::float64("sar_azimuth_m", &ImageRecord::sar_azimuth_resolution, &Meters::value),
    col::text("sar_polarizations", id_bytes, &ImageRecord::sar_polarizations),
    col::int64("input", &ImageSlots::input),
    col::text("source_layer", name_bytes, &ImageRecord::origin, &SourceRef::layer),
    col::text("source_feature", id_bytes, &ImageRecord::origin, &SourceRef::feature),
    col::uint64("source_position", &ImageRecord::origin, &SourceRef::index),
    col::heap("wkb", &ImageSlots::wkb));

inline constexpr auto flights_columns = col::list<FlightRecord, FlightSlots>(
    layout::flights, "Flights of the run: track and planned route (geometry: flight_wkb)",
    col::text("flight_id", id_bytes, &FlightRecord::flight_id),
    col::int64("input", &FlightSlots::input),
    col::int64("route_input", &FlightSlots::route_input),
    col::uint64("fixes", &FlightRecord::fixes),
    col::uint64("sensor_on_fixes", &FlightRecord::sensor_on_fixes),
    col::time_text("first_fix", &FlightRecord::first_fix),
    col::time_text("last_fix", &FlightRecord::last_fix),
    col::float64("length_m", &FlightRecord::length_m),
    col::float64("min_height_m", &FlightRecord::min_height_m),
    col::heap("track_wkb", &FlightSlots::track_wkb),
    col::heap("route_wkb", &FlightSlots::route_wkb));

inline constexpr auto coverage_columns = col::list<CoverageRecord, CoverageSlots>(
    layout::coverage, "Coverage of each zone per coverage rule and period (uncovered part: coverage_wkb)",
    col::text("rule_id", store_limits::rule_id, &CoverageRecord::rule_id),
    col::text("zone_id", store_limits::target_id, &CoverageRecord::zone_id),
    col::time_text("period_from", &CoverageRecord::period, &Interval::from),
    col::time_text("period_to", &CoverageRecord::period, &Interval::to),
    col::float64("zone_area_m2", &CoverageRecord::zone_area_m2),
    col::float64("covered_area_m2", &CoverageRecord::covered_area_m2),
    col::float64("fraction", &CoverageRecord::fraction),
    col::float64("required_fraction", &CoverageRecord::required_fraction),
    col::float64("best_gsd_m", &CoverageRecord::best_gsd_m),
    col::time_text("last_observed", &CoverageRecord::last_observed),
    col::uint64("images", &CoverageRecord::images),
    col::text("finding_id", id_bytes, &CoverageRecord::finding_id),
    col::heap("uncovered_wkb", &CoverageSlots::uncovered_wkb));

inline constexpr auto commit_columns = col::list<CommitEntry>(
    layout::commit, "Commit record: rows and SHA-256 of every member, written last",
    col::text("table", id_bytes, &CommitEntry::table),
    col::uint64("rows", &CommitEntry::rows),
    col::text("sha256", digest_bytes, &CommitEntry::sha256));

inline constexpr auto commit_blocks_columns = col::list<BlockDigest, BlockSlots>(
    layout::commit_blocks, "SHA-256 per block of 4096 rows or 65536 bytes, to locate damage",
    col::text("table", id_bytes, &BlockSlots::table),
    col::uint64("first", &BlockDigest::first),
    col::uint64("count", &BlockDigest::count),
    col::text("sha256", digest_bytes, &BlockDigest::sha256));

/// /audit/chain of schema 3: one row per committed zone set or run (kind, name).
inline constexpr auto chain_columns = col::list<ChainRow>(
    layout::chain, "Audit chain: one row per committed zone set or run",
    col::uint64("sequence", &ChainRow::sequence),
    col::text("kind", chain_kind_bytes, &ChainRow::kind),
    col::text("name", id_bytes, &ChainRow::name),
    col::text("content_digest", digest_bytes, &ChainRow::content_digest),
    col::text("previous_digest", digest_bytes, &ChainRow::previous_digest),
    col::text("digest", digest_bytes, &ChainRow::digest));

/// /audit/chain of schemas 1 and 2: one row per committed run (run_id); read, never written.
inline constexpr auto chain_v1_columns = col::list<ChainRow>(
    layout::chain, "Audit chain: one row per committed run",
    col::uint64("sequence", &ChainRow::sequence),
    col::text("run_id", id_bytes, &ChainRow::name),
    col::text("content_digest", digest_bytes, &ChainRow::content_digest),
    col::text("previous_digest", digest_bytes, &ChainRow::previous_digest),
    col::text("digest", digest_bytes, &ChainRow::digest));

/// /audit/signatures (schema 3): Ed25519 signatures of chain heads.
inline constexpr auto signatures_columns = col::list<SignatureRecord>(
    layout::signatures, "Ed25519 signatures of audit chain heads",
    col::uint64("sequence", &SignatureRecord::sequence),
    col::text("head_digest", digest_bytes, &SignatureRecord::head_digest),
    col::text("signed_utc", time_bytes, &SignatureRecord::signed_utc),
    col::text("key_fingerprint", digest_bytes, &SignatureRecord::key_fingerprint),
    col::text("public_key", digest_bytes, &SignatureRecord::public_key),
    col::text("signature", signature_bytes, &SignatureRecord::signature));
// clang-format on

// ---- the stored columns of every table (built once from its list) ----
inline const TableSchema& zones_table() {
    return schema_of<zones_columns>();
}
inline const TableSchema& lines_table() {
    return schema_of<lines_columns>();
}
inline const TableSchema& sources_table() {
    return schema_of<sources_columns>();
}
inline const TableSchema& inputs_table() {
    return schema_of<inputs_columns>();
}
inline const TableSchema& problems_table() {
    return schema_of<problems_columns>();
}
inline const TableSchema& findings_table() {
    return schema_of<findings_columns>();
}
inline const TableSchema& evidence_table() {
    return schema_of<evidence_columns>();
}
inline const TableSchema& findings_v4_table() {
    return schema_of<findings_v4_columns>();
}
inline const TableSchema& evidence_v4_table() {
    return schema_of<evidence_v4_columns>();
}
inline const TableSchema& rules_table() {
    return schema_of<rules_columns>();
}
inline const TableSchema& targets_table() {
    return schema_of<targets_columns>();
}
inline const TableSchema& classes_table() {
    return schema_of<classes_columns>();
}
inline const TableSchema& parties_table() {
    return schema_of<parties_columns>();
}
inline const TableSchema& waivers_table() {
    return schema_of<waivers_columns>();
}
inline const TableSchema& records_table() {
    return schema_of<records_columns>();
}
inline const TableSchema& summary_table() {
    return schema_of<summary_columns>();
}
inline const TableSchema& images_table() {
    return schema_of<images_columns>();
}
inline const TableSchema& flights_table() {
    return schema_of<flights_columns>();
}
inline const TableSchema& coverage_table() {
    return schema_of<coverage_columns>();
}
inline const TableSchema& commit_table() {
    return schema_of<commit_columns>();
}
inline const TableSchema& commit_blocks_table() {
    return schema_of<commit_blocks_columns>();
}
inline const TableSchema& chain_table() {
    return schema_of<chain_columns>();
}
inline const TableSchema& chain_table_v1() {
    return schema_of<chain_v1_columns>();
}
inline const TableSchema& signatures_table() {
    return schema_of<signatures_columns>();
}

/// The schema of a table entry of a commit record; InternalError for a heap or unknown name.
/// `layout`: which layout the names findings and evidence have (they differ in a v4 run).
const TableSchema& table_for_entry(std::string_view entry, RunLayout layout = RunLayout::v3);

} // namespace avf::storage
