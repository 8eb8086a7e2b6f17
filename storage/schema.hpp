// Internal to storage/: the schema-1 layout — group and dataset names, and the column list of every
// table. docs/store-format.md is the prose version of this file; keep them in step.
//
//   const TableSchema& t = findings_table();
//   t.row_size();                          // bytes of one packed row
//   t.columns()[0].name;                   // "id"
//
// A table's rows are packed little-endian compounds (no padding anywhere): column offsets are the
// running sum of the preceding sizes. Strings are fixed-length UTF-8, NULLPAD, zero-filled.
#pragma once

#include "core/records.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace avf::storage {

enum class ColumnType : std::uint8_t { int64, uint64, float64, string };

struct Column {
    std::string name;
    ColumnType type = ColumnType::int64;
    std::size_t size = 8;   ///< bytes
    std::size_t offset = 0; ///< bytes from the start of the row
};

class TableSchema {
public:
    TableSchema(std::string name, std::string title) : m_name(std::move(name)), m_title(std::move(title)) {}
    TableSchema& string(std::string column, std::size_t bytes) { return add(std::move(column), ColumnType::string, bytes); }
    TableSchema& int64(std::string column) { return add(std::move(column), ColumnType::int64, 8); }
    TableSchema& uint64(std::string column) { return add(std::move(column), ColumnType::uint64, 8); }
    TableSchema& float64(std::string column) { return add(std::move(column), ColumnType::float64, 8); }

    const std::string& name() const { return m_name; }
    const std::string& title() const { return m_title; }
    const std::vector<Column>& columns() const { return m_columns; }
    std::size_t row_size() const { return m_row_size; }
    /// Rows per HDF5 chunk: the largest power of two whose rows fit in 1 MiB (HDF5's default
    /// chunk cache), kept within [1024, 16384]. Powers of two make every 4096-row digest block
    /// a whole number of chunks (or a chunk a whole number of blocks).
    std::uint64_t chunk_rows() const;

private:
    TableSchema& add(std::string column, ColumnType type, std::size_t size);
    std::string m_name, m_title;
    std::vector<Column> m_columns;
    std::size_t m_row_size = 0;
};

// ---- column widths (bytes). Values longer than their column are refused, never truncated. ----
inline constexpr std::size_t id_bytes = max_id_length;     ///< ids, classes, parties, kinds, codes
inline constexpr std::size_t name_bytes = max_name_length; ///< names, layer names
inline constexpr std::size_t time_bytes = 32;              ///< ISO-8601 UTC, "-inf" / "+inf"
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
const std::vector<std::string>& run_commit_entries();
/// The commit entries of a run with imagery (schema 2): run_commit_entries() with images,
/// image_wkb, flights, flight_wkb, coverage, coverage_wkb inserted before commit_blocks.
const std::vector<std::string>& imagery_run_commit_entries();

/// Which commit entries are byte heaps (uint8 datasets) rather than tables.
bool is_heap(std::string_view entry);
/// The CONTENT attribute of a byte heap (what it holds); InternalError for a name that is no heap.
const std::string& heap_description(std::string_view heap);

const TableSchema& zones_table();
const TableSchema& lines_table();
const TableSchema& sources_table();
const TableSchema& inputs_table();
const TableSchema& problems_table();
const TableSchema& findings_table();
const TableSchema& evidence_table();
const TableSchema& summary_table();
const TableSchema& images_table();
const TableSchema& flights_table();
const TableSchema& coverage_table();
const TableSchema& commit_table();
const TableSchema& commit_blocks_table();
/// /audit/chain of schema 3: one row per committed zone set or run (kind, name).
const TableSchema& chain_table();
/// /audit/chain of schemas 1 and 2: one row per committed run (run_id); read, never written.
const TableSchema& chain_table_v1();
/// /audit/signatures (schema 3): Ed25519 signatures of chain heads.
const TableSchema& signatures_table();
/// Width of the chain's kind column and of a signature (hex of 64 bytes).
inline constexpr std::size_t chain_kind_bytes = 16;
inline constexpr std::size_t signature_bytes = 128;
/// The schema of a table entry of a commit record; InternalError for a heap or unknown name.
const TableSchema& table_for_entry(std::string_view entry);

/// The order in which problem text fields are laid out in problem_text, and their column prefix.
inline constexpr std::string_view problem_text_fields[] = {"message", "file", "layer", "feature", "record", "field", "value", "expected"};

} // namespace avf::storage
