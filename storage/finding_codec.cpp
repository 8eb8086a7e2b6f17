#include "storage/finding_codec.hpp"

#include "core/error.hpp"
#include "core/explanation.hpp"
#include "storage/codec.hpp"
#include "storage/table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>

namespace avf::storage {
namespace {

[[noreturn]] void damaged(const std::string& what, const std::string& path) {
    throw IoError(what, Context{}.file(path));
}

std::string slice(const std::string& heap, HeapRef ref, std::string_view heap_name, const std::string& path) {
    return heap_slice(heap, ref.offset, ref.length, std::string(heap_name), path);
}

template <typename T> const T& entry(const std::vector<T>& dictionary, std::uint64_t code, std::string_view table, const std::string& path) {
    if (code >= dictionary.size()) damaged(fmt::format("finding code {} is outside the {} rows of {}", code, dictionary.size(), table), path);
    return dictionary[code];
}

std::uint8_t record_kind_code(std::string_view kind) {
    for (std::size_t i = 0; i < record_kind_names.size(); ++i) {
        if (record_kind_names[i] == kind) return static_cast<std::uint8_t>(i);
    }
    throw InternalError(fmt::format("evidence record kind '{}' has no code in schema 4", kind));
}

std::size_t record_hash(std::uint8_t kind, std::int32_t input, std::string_view id, std::string_view position) {
    std::size_t h = std::hash<std::string_view>{}(id);
    h = h * 31 + std::hash<std::string_view>{}(position);
    return h * 31 + static_cast<std::size_t>(kind) * 257 + static_cast<std::size_t>(input + 1);
}

// The records index's slots (FindingDictionaries::record_code): the hash's high half as a tag above
// 1 + the window row. A window holds at most 2^32 - 2 records (record_code refuses more codes).
constexpr std::uint64_t index_row_mask = 0xffffffffULL;
std::uint64_t index_tag(std::size_t hash) {
    return static_cast<std::uint64_t>(hash) & ~index_row_mask;
}

// Lowercase hex digits to their values, anything else to 0x10: ids are parsed without a branch per
// digit (a branch on digit or letter mispredicts about every third digit of a random id: the
// parse took ~170 ns an id on the merging thread, docs/benchmarks.md "Recycled chunks").
constexpr std::array<std::uint8_t, 256> hex_values = [] {
    std::array<std::uint8_t, 256> t{};
    t.fill(0x10);
    for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c - '0');
    for (int c = 'a'; c <= 'f'; ++c) t[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c - 'a' + 10);
    return t;
}();

} // namespace

std::pair<std::uint64_t, std::uint64_t> finding_id_bits(std::string_view id) {
    const auto bad = [&] { return InternalError(fmt::format("finding id '{}' is not 32 hex digits", id)); };
    if (id.size() != 32) throw bad();
    // Lowercase hex only, as content ids are written (fusion/finding_builder.hpp).
    std::uint8_t invalid = 0;
    auto half = [&](const char* hex) {
        std::uint64_t v = 0;
        for (int i = 0; i < 16; ++i) {
            const std::uint8_t n = hex_values[static_cast<unsigned char>(hex[i])];
            invalid |= n;
            v = (v << 4) | (n & 0xf);
        }
        return v;
    };
    const std::uint64_t hi = half(id.data()), lo = half(id.data() + 16);
    if (invalid & 0x10) throw bad();
    return {hi, lo};
}

std::string finding_id_text(std::uint64_t hi, std::uint64_t lo) {
    return fmt::format("{:016x}{:016x}", hi, lo);
}

FindingDictionaries::FindingDictionaries(const std::vector<InputFile>& inputs, std::size_t record_window)
    : m_inputs(&inputs), m_record_window(std::max<std::size_t>(1, record_window)) {
    for (Interned* d : {&m_targets, &m_classes, &m_parties}) d->code("", 0, "");
    m_waivers.push_back(WaiverEntry{});
    m_waiver_codes.emplace("", 0);
}

std::uint32_t FindingDictionaries::Interned::code(const std::string& value, std::uint32_t max_code, std::string_view what) {
    if (last < values.size() && values[last] == value) return last;
    auto [it, added] = codes.try_emplace(value, static_cast<std::uint32_t>(values.size()));
    if (added) {
        if (values.size() > max_code && !values.empty()) {
            codes.erase(it);
            throw InputError(fmt::format("a run's findings name more than {} {}: schema 4 codes them in fewer bits", max_code, what));
        }
        try {
            // Checked as its row will be written (width, UTF-8, NUL); the three dictionaries share one layout.
            RowBuffer scratch(targets_table(), 1);
            targets_columns.encode(DictionaryEntry{value}, scratch.row(0), value);
        } catch (...) {
            codes.erase(it);
            throw;
        }
        values.push_back(value);
    }
    last = it->second;
    return last;
}

std::int32_t FindingDictionaries::input_of(const std::string& file) {
    if (file != m_last_file || m_last_input < 0) {
        m_last_input = static_cast<std::int32_t>(input_index(*m_inputs, file, "evidence"));
        m_last_file = file;
    }
    return m_last_input;
}

void FindingDictionaries::prefetch(const Finding& f) noexcept {
    if (f.evidence.size() != 1 || m_window_index.empty()) return;
    try {
        const Evidence& e = f.evidence.front();
        const std::size_t hash = record_hash(record_kind_code(e.record_kind), input_of(e.source_file), e.record_id, e.source_position);
        __builtin_prefetch(&m_window_index[hash & (m_window_index.size() - 1)]);
    } catch (...) { // a record encode() will refuse: nothing to load
    }
}

void FindingDictionaries::next_window() {
    m_window_base += m_window.size();
    m_window_text_base += m_window_text.size();
    m_window.clear();
    m_window_text.clear();
    std::fill(m_window_index.begin(), m_window_index.end(), 0);
}

std::uint32_t FindingDictionaries::record_code(const Evidence& e) {
    const std::uint8_t kind = record_kind_code(e.record_kind);
    const std::int32_t input = input_of(e.source_file);
    const std::string_view id = e.record_id, position = e.source_position;
    const std::size_t hash = record_hash(kind, input, id, position);
    auto same = [&](const RecordSlots& r) {
        if (r.kind != kind || r.input != input || r.id_length != id.size() || r.position_length != position.size()) return false;
        const std::string_view text(m_window_text.data() + (r.text_offset - m_window_text_base), id.size() + position.size());
        return text.substr(0, id.size()) == id && text.substr(id.size()) == position;
    };
    // A slot holds the hash's tag (high 32 bits) and 1 + the record's window row (low 32 bits; 0:
    // free): a probe reads a record only when the tags agree, and a new record (most lookups) is
    // decided by the index alone.
    const std::uint64_t tag = index_tag(hash);
    auto probe = [&] {
        const std::size_t mask = m_window_index.size() - 1;
        std::size_t at = hash & mask;
        for (std::uint64_t e; (e = m_window_index[at]) != 0; at = (at + 1) & mask) {
            if ((e & ~index_row_mask) == tag && same(m_window[(e & index_row_mask) - 1])) break;
        }
        return at;
    };
    std::size_t slot = 0;
    if (!m_window_index.empty()) {
        slot = probe();
        if (m_window_index[slot] != 0) return static_cast<std::uint32_t>(m_window_base + (m_window_index[slot] & index_row_mask) - 1);
    }

    if (record_count() >= std::numeric_limits<std::uint32_t>::max())
        throw InputError("a run's findings rest on more than 2^32-1 records: schema 4 codes them in 32 bits");
    if (id.size() > std::numeric_limits<std::uint16_t>::max() || position.size() > std::numeric_limits<std::uint16_t>::max())
        throw InputError(fmt::format("evidence record '{}' has an id or position longer than 65535 bytes", id.substr(0, 64)));
    // A new record: into the window (a new one when it is full), its index kept at most half full.
    if (m_window.size() >= m_record_window) next_window();
    if (2 * (m_window.size() + 1) > m_window_index.size()) {
        m_window_index.assign(std::max<std::size_t>(1024, 2 * m_window_index.size()), 0);
        const std::size_t mask = m_window_index.size() - 1;
        for (std::size_t i = 0; i < m_window.size(); ++i) {
            const RecordSlots& r = m_window[i];
            const std::string_view text(m_window_text.data() + (r.text_offset - m_window_text_base), r.id_length + r.position_length);
            const std::size_t h = record_hash(r.kind, r.input, text.substr(0, r.id_length), text.substr(r.id_length));
            std::size_t at = h & mask;
            while (m_window_index[at] != 0) at = (at + 1) & mask;
            m_window_index[at] = index_tag(h) | (i + 1);
        }
    }
    slot = probe();
    RecordSlots r;
    r.kind = kind;
    r.input = input;
    r.text_offset = m_window_text_base + m_window_text.size();
    r.id_length = static_cast<std::uint16_t>(id.size());
    r.position_length = static_cast<std::uint16_t>(position.size());
    m_window_text.append(id).append(position);
    m_new_text.append(id).append(position);
    m_window.push_back(r);
    m_new_records.push_back(r);
    m_window_index[slot] = tag | m_window.size();
    return static_cast<std::uint32_t>(record_count() - 1);
}

void FindingDictionaries::take_records(std::vector<RecordSlots>& rows, std::string& text) {
    rows.clear();
    text.clear();
    rows.swap(m_new_records);
    text.swap(m_new_text);
}

void FindingDictionaries::encode(const Finding& f, const FindingText& text, std::uint64_t finding_row, std::uint8_t* row,
                                 std::vector<EvidenceRowV4>& evidence, std::uint64_t evidence_base) {
    FindingCodes c;
    std::tie(c.id_hi, c.id_lo) = finding_id_bits(f.id);
    // The span is rendered as ISO-8601 text, which the store keeps for the years 0000-9999 only.
    if (!col::time_fits_text(f.span.from)) (void)time_text(f.span.from, "finding " + f.id + " span_from");
    if (!col::time_fits_text(f.span.to)) (void)time_text(f.span.to, "finding " + f.id + " span_to");

    // Findings come sorted by rule: mostly the rule of the finding before.
    const auto same_rule = [&](const RuleEntry& r) {
        return r.id == f.rule_id && r.type == f.rule_type && r.article == f.article && r.unit == f.unit &&
               r.explanation_template == text.explanation_template;
    };
    if (m_last_rule < m_rules.size() && same_rule(m_rules[m_last_rule])) {
        c.rule = static_cast<std::uint16_t>(m_last_rule);
    } else {
        RuleEntry rule{f.rule_id, f.rule_type, f.article, f.unit, std::string(text.explanation_template)};
        std::string rule_key = rule.id + '\0' + rule.type + '\0' + rule.article + '\0' + rule.unit + '\0' + rule.explanation_template;
        auto [rit, rule_added] = m_rule_codes.try_emplace(rule_key, static_cast<std::uint16_t>(m_rules.size()));
        if (rule_added) {
            if (auto error = template_error(text.explanation_template)) {
                m_rule_codes.erase(rit);
                throw InternalError(fmt::format("rule {}: explanation template: {}", f.rule_id, *error));
            }
            try {
                RowBuffer scratch(rules_table(), 1);
                rules_columns.encode(rule, RuleSlots{}, scratch.row(0), f.id);
            } catch (...) {
                m_rule_codes.erase(rit);
                throw;
            }
            if (m_rules.size() > std::numeric_limits<std::uint16_t>::max()) {
                m_rule_codes.erase(rit);
                throw InputError("a run's findings come from more than 65536 rule sentence forms: schema 4 codes them in 16 bits");
            }
            m_rules.push_back(std::move(rule));
        }
        c.rule = rit->second;
        m_last_rule = c.rule;
    }
    c.target = m_targets.code(f.target_id, std::numeric_limits<std::uint32_t>::max(), "targets");
    c.equipment_class = static_cast<std::uint16_t>(m_classes.code(f.equipment_class, std::numeric_limits<std::uint16_t>::max(), "classes"));
    c.party = static_cast<std::uint16_t>(m_parties.code(f.party, std::numeric_limits<std::uint16_t>::max(), "parties"));
    if (!f.waiver_id.empty()) {
        // Waivers belong to rules: two rules may name different waivers alike.
        auto [wit, waiver_added] =
            m_waiver_codes.try_emplace(f.waiver_id + '\0' + std::string(text.waiver_basis), static_cast<std::uint16_t>(m_waivers.size()));
        if (waiver_added) {
            if (m_waivers.size() > std::numeric_limits<std::uint16_t>::max()) {
                m_waiver_codes.erase(wit);
                throw InputError("a run's findings name more than 65535 waivers: schema 4 codes them in 16 bits");
            }
            WaiverEntry waiver{f.waiver_id, std::string(text.waiver_basis)};
            try {
                RowBuffer scratch(waivers_table(), 1);
                waivers_columns.encode(waiver, WaiverSlots{}, scratch.row(0), f.id);
            } catch (...) {
                m_waiver_codes.erase(wit);
                throw;
            }
            m_waivers.push_back(std::move(waiver));
        }
        c.waiver = wit->second;
    }
    if (f.evidence.size() > std::numeric_limits<std::uint32_t>::max()) throw InputError("a finding rests on more than 2^32-1 records");
    c.evidence_count = static_cast<std::uint32_t>(f.evidence.size());
    if (f.evidence.size() == 1) {
        c.evidence = record_code(f.evidence.front());
    } else {
        const std::uint64_t first = evidence_base + evidence.size();
        if (first + f.evidence.size() > std::numeric_limits<std::uint32_t>::max()) throw InputError("a run has more than 2^32-1 evidence rows");
        c.evidence = static_cast<std::uint32_t>(first);
        for (const Evidence& e : f.evidence) evidence.push_back(EvidenceRowV4{finding_row, record_code(e)});
    }
    findings_v4_columns.encode(f, c, row, f.id);
}

RowBuffer encode_rules(const std::vector<RuleEntry>& rules, std::string& text) {
    RowBuffer rows(rules_table(), rules.size());
    for (std::size_t i = 0; i < rules.size(); ++i) {
        const RuleEntry& r = rules[i];
        rules_columns.encode(r, RuleSlots{HeapRef{text.size(), r.explanation_template.size()}}, rows.row(i), r.id);
        text += r.explanation_template;
    }
    return rows;
}

RowBuffer encode_waivers(const std::vector<WaiverEntry>& waivers, std::string& text) {
    RowBuffer rows(waivers_table(), waivers.size());
    for (std::size_t i = 0; i < waivers.size(); ++i) {
        const WaiverEntry& w = waivers[i];
        waivers_columns.encode(w, WaiverSlots{HeapRef{text.size(), w.basis.size()}}, rows.row(i), w.id);
        text += w.basis;
    }
    return rows;
}

RowBuffer encode_dictionary(const TableSchema& schema, const std::vector<std::string>& values) {
    RowBuffer rows(schema, values.size());
    // The three dictionaries share one layout (dictionary_columns); the widths are equal.
    for (std::size_t i = 0; i < values.size(); ++i) targets_columns.encode(DictionaryEntry{values[i]}, rows.row(i), values[i]);
    return rows;
}

RowBuffer encode_records(const std::vector<RecordSlots>& records, std::uint64_t first) {
    RowBuffer rows(records_table(), records.size());
    for (std::size_t i = 0; i < records.size(); ++i) records_columns.encode(records[i], rows.row(i), "record " + std::to_string(first + i));
    return rows;
}

RowBuffer encode_evidence_v4(const std::vector<EvidenceRowV4>& evidence) {
    RowBuffer rows(evidence_v4_table(), evidence.size());
    for (std::size_t i = 0; i < evidence.size(); ++i) evidence_v4_columns.encode(evidence[i], rows.row(i), "evidence");
    return rows;
}

std::vector<RuleEntry> decode_rules(const std::vector<std::uint8_t>& rows, const std::string& text, const std::string& path) {
    std::vector<RuleEntry> out;
    for (const std::uint8_t* row : RowSpan(rows, rules_table())) {
        RuleEntry r;
        RuleSlots s;
        rules_columns.decode(row, r, s, path);
        r.explanation_template = slice(text, s.explanation_template, layout::dictionary_text, path);
        if (auto error = template_error(r.explanation_template))
            damaged(fmt::format("rule {}: explanation template cannot be rendered: {}", r.id, *error), path);
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<WaiverEntry> decode_waivers(const std::vector<std::uint8_t>& rows, const std::string& text, const std::string& path) {
    std::vector<WaiverEntry> out;
    for (const std::uint8_t* row : RowSpan(rows, waivers_table())) {
        WaiverEntry w;
        WaiverSlots s;
        waivers_columns.decode(row, w, s, path);
        w.basis = slice(text, s.basis, layout::dictionary_text, path);
        out.push_back(std::move(w));
    }
    return out;
}

std::vector<std::string> decode_dictionary(const TableSchema& schema, const std::vector<std::uint8_t>& rows, const std::string& path) {
    std::vector<std::string> out;
    for (const std::uint8_t* row : RowSpan(rows, schema)) out.push_back(targets_columns.decode(row, path).value);
    return out;
}

std::vector<Evidence> decode_records(const std::vector<std::uint8_t>& rows, const std::string& record_text, const std::vector<InputFile>& inputs,
                                     const std::string& path) {
    std::vector<RecordSlots> slots;
    for (const std::uint8_t* row : RowSpan(rows, records_table())) slots.push_back(records_columns.decode(row, path));
    return decode_records(slots, HeapView::whole(record_text), inputs, path);
}

std::vector<Evidence> decode_records(const std::vector<RecordSlots>& rows, const HeapView& record_text, const std::vector<InputFile>& inputs,
                                     const std::string& path) {
    std::vector<Evidence> out;
    out.reserve(rows.size());
    for (const RecordSlots& r : rows) {
        if (r.kind >= record_kind_names.size()) damaged(fmt::format("record kind code {} names no record kind", r.kind), path);
        if (r.input < -1 || (r.input >= 0 && static_cast<std::size_t>(r.input) >= inputs.size()))
            damaged(fmt::format("record input {} is outside the {} recorded inputs", r.input, inputs.size()), path);
        Evidence e;
        e.record_kind = std::string(record_kind_names[r.kind]);
        e.record_id = record_text.slice(r.text_offset, r.id_length, layout::record_text, path);
        e.source_position = record_text.slice(r.text_offset + r.id_length, r.position_length, layout::record_text, path);
        if (r.input >= 0) e.source_file = inputs[static_cast<std::size_t>(r.input)].path;
        out.push_back(std::move(e));
    }
    return out;
}

void RecordLookup::add_range(std::uint64_t first, std::vector<Evidence> values) {
    if (!m_firsts.empty() && first < m_firsts.back() + m_ranges.back().size()) throw InternalError("record ranges added out of order");
    m_firsts.push_back(first);
    m_ranges.push_back(std::move(values));
}

const Evidence& RecordLookup::at(std::uint64_t code, const std::string& path) const {
    if (code >= m_table_rows) damaged(fmt::format("finding code {} is outside the {} rows of {}", code, m_table_rows, layout::records), path);
    if (m_all) return (*m_all)[code];
    auto it = std::upper_bound(m_firsts.begin(), m_firsts.end(), code);
    if (it != m_firsts.begin()) {
        const auto k = static_cast<std::size_t>(it - m_firsts.begin()) - 1;
        if (code - m_firsts[k] < m_ranges[k].size()) return m_ranges[k][code - m_firsts[k]];
    }
    throw InternalError(fmt::format("record {} was not read with its batch of findings", code));
}

std::vector<EvidenceRowV4> decode_evidence_v4(const std::vector<std::uint8_t>& rows, const std::string& path) {
    std::vector<EvidenceRowV4> out;
    for (const std::uint8_t* row : RowSpan(rows, evidence_v4_table())) out.push_back(evidence_v4_columns.decode(row, path));
    return out;
}

Finding decode_finding_v4_fields(const std::uint8_t* row, const FindingDictionariesRead& d, FindingCodes& c, const std::string& path) {
    Finding f;
    c = FindingCodes{};
    findings_v4_columns.decode(row, f, c, path);
    f.id = finding_id_text(c.id_hi, c.id_lo);
    const RuleEntry& rule = entry(d.rules, c.rule, layout::rules, path);
    f.rule_id = rule.id;
    f.rule_type = rule.type;
    f.article = rule.article;
    f.unit = rule.unit;
    f.target_id = entry(d.targets, c.target, layout::targets, path);
    f.equipment_class = entry(d.classes, c.equipment_class, layout::classes, path);
    f.party = entry(d.parties, c.party, layout::parties, path);
    f.waiver_id = entry(d.waivers, c.waiver, layout::waivers, path).id;
    return f;
}

void complete_finding_v4(Finding& f, const FindingCodes& c, const FindingDictionariesRead& d, const EvidenceWindowV4& evidence,
                         const RecordLookup& records, const std::string& path) {
    if (c.evidence_count == 1) {
        f.evidence.push_back(records.at(c.evidence, path));
    } else {
        const std::uint64_t end = std::uint64_t{c.evidence} + c.evidence_count;
        if (end > evidence.total)
            damaged(fmt::format("finding {} has evidence rows [{}, {}) outside the {} rows of evidence", f.id, c.evidence, end, evidence.total),
                    path);
        if (c.evidence_count > 0 && (c.evidence < evidence.first || end - evidence.first > evidence.rows.size()))
            throw InternalError(fmt::format("evidence rows [{}, {}) were not read with their batch of findings", c.evidence, end));
        for (std::uint64_t i = c.evidence; i < end; ++i) f.evidence.push_back(records.at(evidence.rows[i - evidence.first].record, path));
    }
    // The codes were checked by decode_finding_v4_fields.
    f.explanation = render_explanation(d.rules[c.rule].explanation_template, f, d.waivers[c.waiver].basis);
}

Finding decode_finding_v4(const std::uint8_t* row, const FindingDictionariesRead& d, const std::vector<EvidenceRowV4>& evidence,
                          const std::string& path) {
    FindingCodes c;
    Finding f = decode_finding_v4_fields(row, d, c, path);
    EvidenceWindowV4 window{0, evidence.size(), {}};
    if (c.evidence_count != 1) {
        const std::uint64_t end = std::min<std::uint64_t>(std::uint64_t{c.evidence} + c.evidence_count, evidence.size());
        if (c.evidence < end) {
            window.first = c.evidence;
            window.rows.assign(evidence.begin() + static_cast<std::ptrdiff_t>(c.evidence), evidence.begin() + static_cast<std::ptrdiff_t>(end));
        }
    }
    complete_finding_v4(f, c, d, window, RecordLookup(d.records), path);
    return f;
}

} // namespace avf::storage
