// Internal to storage/: a run's findings in the compact rows of schema 4 (issue 18 decision 1) —
// numbers only, with codes into per-run dictionaries (rules and their sentence forms, targets,
// classes, parties, waivers, records) and the explanation rendered from the rule's template when
// read (core/explanation.hpp), never stored per finding.
//
//   FindingDictionaries dict(inputs);                       // writer side, one per run
//   dict.encode(f, {template, waiver_basis}, row_index, row, evidence_rows);
//   dict.take_records(rows, text);                          // the records rows coded since, streamed
//   ... then write dict's tables: encode_rules(dict, rows, text), dict.targets() ...
//   FindingDictionariesRead d = ...;                        // reader side: the decoded dictionaries
//   Finding g = decode_finding_v4(row, d, evidence_rows, path);   // codes resolved, explanation rendered
//   // a batch at a time (FindingCursor): decode_finding_v4_fields, then complete_finding_v4
//
// Codes are dictionary rows in order of first use, so the same findings give the same bytes. Code 0
// of targets, classes, parties and waivers is the empty value (no waiver, unknown party, …).
//
// The records dictionary is the one that grows with the run (one row per detection cited): its rows
// are streamed out as they are coded (take_records), and a record is looked up again only among the
// last `record_window` records coded. A run citing more distinct records than that may store a record
// a second time, under a second code; memory stays bounded (about 70 bytes per record of the window),
// and the bytes still depend only on the findings.
#pragma once

#include "core/records.hpp"
#include "storage/schema.hpp"
#include "storage/table.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace avf::storage {

/// What a finding's row does not hold but its dictionaries do: the template of its sentence form
/// and the basis of its waiver.
struct FindingText {
    std::string_view explanation_template;
    std::string_view waiver_basis;
};

/// "0123456789abcdef…" (32 lowercase hex digits) as two numbers, and back. InternalError for an id
/// of another form (finding ids are content ids, fusion/finding_builder.hpp).
std::pair<std::uint64_t, std::uint64_t> finding_id_bits(std::string_view id);
std::string finding_id_text(std::uint64_t hi, std::uint64_t lo);

/// How many records a run's records dictionary keeps for finding them again: 2^22 (about 250 MB).
inline constexpr std::size_t default_record_window = std::size_t{1} << 22;

/// The dictionaries of one run being written.
class FindingDictionaries {
public:
    explicit FindingDictionaries(const std::vector<InputFile>& inputs, std::size_t record_window = default_record_window);

    /// Encodes `f` into `row` (findings_v4_table()), interning its texts. A finding resting on
    /// several records (or none) appends its evidence rows to `evidence`, as finding row `finding_row`;
    /// `evidence_base` is the row of the run's evidence table where `evidence` will begin (the rows
    /// of earlier batches). InputError when a dictionary would outgrow its code, a new dictionary
    /// value does not fit its column (too long, not UTF-8, a NUL byte), or a span end lies outside
    /// the years 0000-9999; the dictionaries keep the values interned before the error.
    void encode(const Finding& f, const FindingText& text, std::uint64_t finding_row, std::uint8_t* row, std::vector<EvidenceRowV4>& evidence,
                std::uint64_t evidence_base = 0);

    /// A hint that `f` will be encoded soon: prefetches the records index's slot of its record
    /// (a finding resting on one record). The index is a table of up to 64 MiB probed at random,
    /// so each lookup is a cache miss; the merge calls this as a finding comes to the head of its
    /// stream, on average as many findings ahead as there are streams. Never throws.
    void prefetch(const Finding& f) noexcept;

    const std::vector<RuleEntry>& rules() const { return m_rules; }
    const std::vector<std::string>& targets() const { return m_targets.values; }
    const std::vector<std::string>& classes() const { return m_classes.values; }
    const std::vector<std::string>& parties() const { return m_parties.values; }
    const std::vector<WaiverEntry>& waivers() const { return m_waivers; }
    /// Moves out the records coded since the last call, in code order (rows of `records`), and the
    /// bytes of `record_text` they address, which continue those taken before.
    void take_records(std::vector<RecordSlots>& rows, std::string& text);
    /// Records coded so far (the rows of `records`).
    std::uint64_t record_count() const { return m_window_base + m_window.size(); }

private:
    struct Interned {
        std::vector<std::string> values;
        std::unordered_map<std::string, std::uint32_t> codes;
        std::uint32_t last = 0; // the last code answered: findings come sorted by rule and target, so mostly the same again
        std::uint32_t code(const std::string& value, std::uint32_t max_code, std::string_view what);
    };
    std::uint32_t record_code(const Evidence& e);
    std::int32_t input_of(const std::string& file);
    /// Starts a new window, for records coded from now on.
    void next_window();

    const std::vector<InputFile>* m_inputs;
    std::vector<RuleEntry> m_rules;
    std::unordered_map<std::string, std::uint16_t> m_rule_codes;
    std::size_t m_last_rule = 0; // the last rule code answered (m_rules.size() before the first)
    Interned m_targets, m_classes, m_parties;
    std::vector<WaiverEntry> m_waivers;
    std::unordered_map<std::string, std::uint16_t> m_waiver_codes;
    // The records of the window: code m_window_base + i is m_window[i], whose id and position are
    // in m_window_text at (text_offset - m_window_text_base); m_window_index is open addressing of
    // 1 + window row (0: free) in the low 32 bits under the hash's high 32 bits (a tag), a power of
    // two at least twice the window's size.
    std::size_t m_record_window;
    std::vector<RecordSlots> m_window;
    std::string m_window_text;
    std::uint64_t m_window_base = 0, m_window_text_base = 0;
    std::vector<std::uint64_t> m_window_index;
    // Coded and not yet taken.
    std::vector<RecordSlots> m_new_records;
    std::string m_new_text;
    std::string m_last_file; ///< input_of's last answer
    std::int32_t m_last_input = -1;
};

/// The rows of the dictionary tables; templates and waiver bases go to `text` (dictionary_text).
RowBuffer encode_rules(const std::vector<RuleEntry>& rules, std::string& text);
RowBuffer encode_waivers(const std::vector<WaiverEntry>& waivers, std::string& text);
/// targets, classes, parties (the table's schema says which).
RowBuffer encode_dictionary(const TableSchema& schema, const std::vector<std::string>& values);
/// Rows `first`, `first` + 1, … of `records`.
RowBuffer encode_records(const std::vector<RecordSlots>& records, std::uint64_t first = 0);
RowBuffer encode_evidence_v4(const std::vector<EvidenceRowV4>& evidence);

/// The dictionaries of a run read back. `records` is the whole records table, for
/// decode_finding_v4(); a FindingCursor leaves it empty and reads the records a batch rests on.
struct FindingDictionariesRead {
    std::vector<RuleEntry> rules;
    std::vector<std::string> targets, classes, parties;
    std::vector<WaiverEntry> waivers;
    std::vector<Evidence> records;
};

/// Rows [first, first + rows.size()) of a run's evidence table (schema 4), which has `total` rows.
struct EvidenceWindowV4 {
    std::uint64_t first = 0;
    std::uint64_t total = 0;
    std::vector<EvidenceRowV4> rows;
};

/// Records by code: the ranges of a run's records table (of `table_rows` rows) that a batch of
/// findings rests on.
class RecordLookup {
public:
    explicit RecordLookup(std::uint64_t table_rows = 0) : m_table_rows(table_rows) {}
    /// The whole records table, held by the caller (who keeps it alive).
    explicit RecordLookup(const std::vector<Evidence>& all) : m_table_rows(all.size()), m_all(&all) {}
    /// Records [first, first + values.size()); ranges are added in increasing order, disjoint.
    void add_range(std::uint64_t first, std::vector<Evidence> values);
    /// IoError (corrupt store) for a code outside the table; InternalError for one not read.
    const Evidence& at(std::uint64_t code, const std::string& path) const;
    std::uint64_t table_rows() const { return m_table_rows; }

private:
    std::uint64_t m_table_rows;
    const std::vector<Evidence>* m_all = nullptr;
    std::vector<std::uint64_t> m_firsts;
    std::vector<std::vector<Evidence>> m_ranges;
};

/// Reads the dictionaries from their tables' bytes; IoError (corrupt store) for a template that
/// cannot be rendered, a text outside dictionary_text or record_text, an unknown record kind.
std::vector<RuleEntry> decode_rules(const std::vector<std::uint8_t>& rows, const std::string& text, const std::string& path);
std::vector<WaiverEntry> decode_waivers(const std::vector<std::uint8_t>& rows, const std::string& text, const std::string& path);
std::vector<std::string> decode_dictionary(const TableSchema& schema, const std::vector<std::uint8_t>& rows, const std::string& path);
std::vector<Evidence> decode_records(const std::vector<std::uint8_t>& rows, const std::string& record_text, const std::vector<InputFile>& inputs,
                                     const std::string& path);
/// decode_records() of the rows of `records` read (slots already decoded: records_columns), their
/// texts in `record_text`, which may be the part of record_text they address.
std::vector<Evidence> decode_records(const std::vector<RecordSlots>& rows, const HeapView& record_text, const std::vector<InputFile>& inputs,
                                     const std::string& path);
std::vector<EvidenceRowV4> decode_evidence_v4(const std::vector<std::uint8_t>& rows, const std::string& path);

/// The finding of a row, codes resolved, evidence attached, explanation rendered; IoError for a
/// code outside its dictionary or evidence outside its table.
Finding decode_finding_v4(const std::uint8_t* row, const FindingDictionariesRead& d, const std::vector<EvidenceRowV4>& evidence,
                          const std::string& path);

/// decode_finding_v4() in two steps, for reading a batch of rows: first the row's fields with its
/// codes resolved against the run's small dictionaries (rules, targets, classes, parties, waivers;
/// no evidence, no explanation) and its codes in `codes`; then, once the evidence rows and records
/// the batch rests on are read, its evidence attached and its explanation rendered. IoError as
/// decode_finding_v4.
Finding decode_finding_v4_fields(const std::uint8_t* row, const FindingDictionariesRead& d, FindingCodes& codes, const std::string& path);
void complete_finding_v4(Finding& f, const FindingCodes& codes, const FindingDictionariesRead& d, const EvidenceWindowV4& evidence,
                         const RecordLookup& records, const std::string& path);

} // namespace avf::storage
