// Internal to storage/: core records <-> table rows, per table: the column lists of
// storage/schema.hpp encode and decode the rows; what is here is what a list cannot say — heap
// references and the bytes they point to, input-file indexes, geometry. Every encoder validates
// every value before the caller appends anything (a value that does not fit is an InputError, never
// truncated), and every decoder is the exact inverse, so a record survives the store bit for bit.
//
//   std::string text_batch;                 // bytes to append to problem_text
//   encode_problem(p, row_ptr, heap_size_before_batch, text_batch);
//   Problem q = decode_problem(row_ptr, whole_problem_text_heap, path);
//
// Enumerations are stored by their stable names (to_string in core/), times as ISO-8601 UTC.
#pragma once

#include "core/problem.hpp"
#include "core/records.hpp"
#include "storage/content_digest.hpp"
#include "storage/schema.hpp"
#include "storage/store.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace avf::storage {

/// ISO-8601 for a time column or attribute: format_utc, "-inf"/"+inf" for unbounded. InputError
/// when the instant is outside the years 0000-9999 (it would not read back).
std::string time_text(UtcTime t, std::string_view what);
/// The inverse of time_text; IoError (corrupt store) when malformed.
UtcTime parse_time_text(std::string_view text, std::string_view what, const std::string& path);

/// Index of the first input whose path equals `file`; -1 for "". InternalError when a non-empty
/// path is not among the inputs (the caller registered its inputs wrongly).
std::int64_t input_index(const std::vector<InputFile>& inputs, const std::string& file, std::string_view who);

void encode_source_file(const TableSchema& schema, const InputFile& f, std::uint8_t* row);
InputFile decode_source_file(const TableSchema& schema, const std::uint8_t* row, const std::string& path);

/// `wkb_offset`/`wkb_length` address the zone's WKB in zone_wkb.
void encode_zone(const Zone& z, std::int64_t source_index, std::uint64_t wkb_offset, std::uint64_t wkb_length, std::uint8_t* row);
Zone decode_zone(const std::uint8_t* row, const std::string& wkb_heap, const std::vector<InputFile>& sources, const std::string& path);
void encode_line(const ReferenceLine& l, std::int64_t source_index, std::uint64_t wkb_offset, std::uint64_t wkb_length, std::uint8_t* row);
ReferenceLine decode_line(const std::uint8_t* row, const std::string& wkb_heap, const std::vector<InputFile>& sources, const std::string& path);

/// Appends the problem's text fields to `text` (which starts at heap offset `text_base`).
void encode_problem(const Problem& p, std::uint8_t* row, std::uint64_t text_base, std::string& text);
Problem decode_problem(const std::uint8_t* row, const std::string& text_heap, const std::string& path);

/// Appends the explanation to `text` (heap offset `text_base`).
void encode_finding(const Finding& f, std::uint64_t evidence_first, std::uint8_t* row, std::uint64_t text_base, std::string& text);
/// The finding without its evidence; `evidence_first`/`evidence_count` say where it is.
Finding decode_finding(const std::uint8_t* row, const std::string& explanations, std::uint64_t& evidence_first, std::uint64_t& evidence_count,
                       const std::string& path);
/// The finding without its evidence and explanation; `slots` says where they are.
Finding decode_finding(const std::uint8_t* row, FindingSlots& slots, const std::string& path);
void encode_evidence(const Finding& f, std::uint64_t finding_row, const Evidence& e, std::int64_t input, std::uint8_t* row);
Evidence decode_evidence(const std::uint8_t* row, const std::vector<InputFile>& inputs, const std::string& path);

/// Imagery members (schema 2). `wkb_*` address the geometry in the member's WKB heap.
void encode_image(const ImageRecord& im, std::int64_t input, std::uint64_t wkb_offset, std::uint64_t wkb_length, std::uint8_t* row);
ImageRecord decode_image(const std::uint8_t* row, const std::string& wkb_heap, const std::vector<InputFile>& inputs, const std::string& path);
void encode_flight(const FlightRecord& f, std::int64_t input, std::int64_t route_input, std::uint64_t track_offset, std::uint64_t track_length,
                   std::uint64_t route_offset, std::uint64_t route_length, std::uint8_t* row);
FlightRecord decode_flight(const std::uint8_t* row, const std::string& wkb_heap, const std::vector<InputFile>& inputs, const std::string& path);
void encode_coverage(const CoverageRecord& c, std::uint64_t wkb_offset, std::uint64_t wkb_length, std::uint8_t* row);
CoverageRecord decode_coverage(const std::uint8_t* row, const std::string& wkb_heap, const std::string& path);

void encode_summary(const SummaryRow& s, std::uint8_t* row);
SummaryRow decode_summary(const std::uint8_t* row, const std::string& path);

/// The public form of a row (a kind other than "zone_set" reads as a run).
ChainEntry chain_entry(const ChainRow& row);
/// Writes a schema-3 row.
void encode_chain(const ChainRow& c, std::uint8_t* row);
/// Reads a row of a store of schema `schema` (chain_table_v1() below 3).
ChainRow decode_chain(const std::uint8_t* row, int schema, const std::string& path);

void encode_signature(const SignatureRecord& s, std::uint8_t* row);
SignatureRecord decode_signature(const std::uint8_t* row, const std::string& path);

void encode_commit(const CommitEntry& e, std::uint8_t* row);
CommitEntry decode_commit(const std::uint8_t* row, const std::string& path);
void encode_block(const std::string& table, const BlockDigest& b, std::uint8_t* row);
BlockDigest decode_block(const std::uint8_t* row, std::string& table, const std::string& path);

/// Checks a zone set name or run id used as an HDF5 group name: 1-64 bytes of UTF-8, no '/',
/// no NUL, not "." or "..". InputError naming `what` otherwise.
void check_group_name(const std::string& name, std::string_view what);
bool is_valid_group_name(const std::string& name);

} // namespace avf::storage
