#include "storage/codec.hpp"

#include "core/error.hpp"
#include "storage/table.hpp"
#include "storage/wkb.hpp"

#include <array>

namespace avf::storage {
namespace {

constexpr std::int64_t absent_position = -1;

std::int64_t position(std::optional<long> v, std::string_view what) {
    if (!v) {
        return absent_position;
    }
    // -1 stands for "absent"; line and column numbers are 1-based, so a negative one is a bug.
    if (*v < 0) {
        throw InternalError("negative " + std::string(what) + " number " + std::to_string(*v) + " in a problem");
    }
    return *v;
}

/// The heap reference of `value` appended to `text`, which starts at heap offset `text_base`.
HeapRef next_text(const std::string& value, std::uint64_t text_base, const std::string& text) {
    return HeapRef{text_base + text.size(), value.size()};
}

std::string slice(const std::string& heap, HeapRef ref, std::string_view heap_name, const std::string& path) {
    return heap_slice(heap, ref.offset, ref.length, std::string(heap_name), path);
}

std::string source_path(const std::vector<InputFile>& files, std::int64_t index, const std::string& path) {
    if (index == -1) {
        return {};
    }
    if (index < 0 || static_cast<std::uint64_t>(index) >= files.size()) {
        throw IoError("source index " + std::to_string(index) + " is outside the " + std::to_string(files.size()) + " recorded files",
                      Context{}.file(path));
    }
    return files[static_cast<std::size_t>(index)].path;
}

/// The geometry of a zone, line, image or coverage row: the WKB its slots address, parsed by
/// `from_wkb`; IoError naming `what` when it does not parse.
template <typename FromWkb>
auto geometry(FromWkb from_wkb, const std::string& heap, HeapRef ref, std::string_view heap_name, const std::string& what, const std::string& path) {
    std::string wkb = slice(heap, ref, heap_name, path);
    try {
        return from_wkb(wkb);
    } catch (const InputError& e) {
        throw IoError(what + ": " + e.what(), Context{}.file(path));
    }
}

void check_geometry_type(std::string_view stored, std::string_view expected, const std::string& what, const std::string& path) {
    if (stored != expected) {
        throw IoError(what + " has geometry type " + std::string(stored) + ", expected " + std::string(expected), Context{}.file(path));
    }
}

LineString single_line(const std::string& wkb, const std::string& what, const std::string& path) {
    try {
        MultiLineString m = multilinestring_from_wkb(wkb);
        if (m.size() > 1) throw IoError(what + " has " + std::to_string(m.size()) + " parts, expected one", Context{}.file(path));
        return m.empty() ? LineString{} : m.front();
    } catch (const InputError& e) {
        throw IoError(what + ": " + e.what(), Context{}.file(path));
    }
}

/// sources or inputs: the same columns under two names.
const auto& source_file_list(const TableSchema& schema) {
    if (schema.name() == sources_columns.name()) return sources_columns;
    if (schema.name() == inputs_columns.name()) return inputs_columns;
    throw InternalError("table " + schema.name() + " does not list files");
}

constexpr std::string_view multipolygon = "MultiPolygon";
constexpr std::string_view multilinestring = "MultiLineString";

} // namespace

std::string time_text(UtcTime t, std::string_view what) {
    std::string s = format_utc(t);
    if (!col::time_fits_text(t)) {
        throw InputError(std::string(what) + " " + s + " lies outside the years 0000-9999 that the store keeps");
    }
    return s;
}

UtcTime parse_time_text(std::string_view text, std::string_view what, const std::string& path) {
    if (auto t = col::parse_time_text(text)) {
        return *t;
    }
    throw IoError("malformed time '" + std::string(text) + "' in " + std::string(what), Context{}.file(path));
}

std::int64_t input_index(const std::vector<InputFile>& inputs, const std::string& file, std::string_view who) {
    if (file.empty()) {
        return -1;
    }
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (inputs[i].path == file) {
            return static_cast<std::int64_t>(i);
        }
    }
    throw InternalError(std::string(who) + " refers to file " + file + ", which is not among the recorded input files");
}

void encode_source_file(const TableSchema& schema, const InputFile& f, std::uint8_t* row) {
    source_file_list(schema).encode(f, row, f.path);
}

InputFile decode_source_file(const TableSchema& schema, const std::uint8_t* row, const std::string& path) {
    return source_file_list(schema).decode(row, path);
}

void encode_zone(const Zone& z, std::int64_t source_index, std::uint64_t wkb_offset, std::uint64_t wkb_length, std::uint8_t* row) {
    zones_columns.encode(z, GeometrySlots{source_index, multipolygon, {wkb_offset, wkb_length}}, row, z.id.str());
}

Zone decode_zone(const std::uint8_t* row, const std::string& wkb_heap, const std::vector<InputFile>& sources, const std::string& path) {
    Zone z;
    GeometrySlots s;
    zones_columns.decode(row, z, s, path);
    z.source.file = source_path(sources, s.source_index, path);
    check_geometry_type(s.geometry_type, multipolygon, "zone " + z.id.str(), path);
    z.geometry = geometry(multipolygon_from_wkb, wkb_heap, s.wkb, layout::zone_wkb, "zone " + z.id.str(), path);
    return z;
}

void encode_line(const ReferenceLine& l, std::int64_t source_index, std::uint64_t wkb_offset, std::uint64_t wkb_length, std::uint8_t* row) {
    lines_columns.encode(l, GeometrySlots{source_index, multilinestring, {wkb_offset, wkb_length}}, row, l.id.str());
}

ReferenceLine decode_line(const std::uint8_t* row, const std::string& wkb_heap, const std::vector<InputFile>& sources, const std::string& path) {
    ReferenceLine l;
    GeometrySlots s;
    lines_columns.decode(row, l, s, path);
    l.source.file = source_path(sources, s.source_index, path);
    check_geometry_type(s.geometry_type, multilinestring, "line " + l.id.str(), path);
    l.geometry = geometry(multilinestring_from_wkb, wkb_heap, s.wkb, layout::line_wkb, "line " + l.id.str(), path);
    return l;
}

void encode_problem(const Problem& p, std::uint8_t* row, std::uint64_t text_base, std::string& text) {
    const Context& w = p.where;
    const std::array<const std::string*, problem_text_fields.size()> values = {&p.message,  &w.file(),  &w.layer(), &w.feature(),
                                                                               &w.record(), &w.field(), &w.value(), &w.expected()};
    ProblemSlots s;
    s.line = position(w.line(), "line");
    s.column = position(w.column(), "column");
    std::uint64_t at = text_base + text.size();
    for (std::size_t i = 0; i < values.size(); ++i) {
        s.text[i] = HeapRef{at, values[i]->size()};
        at += values[i]->size();
    }
    problems_columns.encode(p, s, row, w.record().empty() ? "problem " + std::to_string(p.order) : w.record());
    // Last, after every check of this row passed, so a refused row leaves no stray text behind.
    for (const std::string* v : values) {
        text += *v;
    }
}

Problem decode_problem(const std::uint8_t* row, const std::string& text_heap, const std::string& path) {
    Problem p;
    ProblemSlots s;
    problems_columns.decode(row, p, s, path);
    std::array<std::string, problem_text_fields.size()> values;
    for (std::size_t i = 0; i < values.size(); ++i) {
        values[i] = slice(text_heap, s.text[i], layout::problem_text, path);
    }
    p.message = std::move(values[0]);
    Context& w = p.where;
    w.file(std::move(values[1])).layer(std::move(values[2])).feature(std::move(values[3])).record(std::move(values[4]));
    w.field(std::move(values[5])).value(std::move(values[6])).expected(std::move(values[7]));
    if (s.line != absent_position) {
        w.line(static_cast<long>(s.line));
    }
    if (s.column != absent_position) {
        w.column(static_cast<long>(s.column));
    }
    return p;
}

void encode_finding(const Finding& f, std::uint64_t evidence_first, std::uint8_t* row, std::uint64_t text_base, std::string& text) {
    findings_columns.encode(f, FindingSlots{evidence_first, f.evidence.size(), next_text(f.explanation, text_base, text)}, row, f.id);
    // Last, after every check of this row passed, so a refused row leaves no stray text behind.
    text += f.explanation;
}

Finding decode_finding(const std::uint8_t* row, const std::string& explanations, std::uint64_t& evidence_first, std::uint64_t& evidence_count,
                       const std::string& path) {
    Finding f;
    FindingSlots s;
    findings_columns.decode(row, f, s, path);
    evidence_first = s.evidence_first;
    evidence_count = s.evidence_count;
    f.explanation = slice(explanations, s.explanation, layout::explanations, path);
    return f;
}

Finding decode_finding(const std::uint8_t* row, FindingSlots& slots, const std::string& path) {
    Finding f;
    findings_columns.decode(row, f, slots, path);
    return f;
}

void encode_evidence(const Finding& f, std::uint64_t finding_row, const Evidence& e, std::int64_t input, std::uint8_t* row) {
    evidence_columns.encode(e, EvidenceSlots{finding_row, f.id, input}, row, f.id);
}

Evidence decode_evidence(const std::uint8_t* row, const std::vector<InputFile>& inputs, const std::string& path) {
    Evidence e;
    EvidenceSlots s;
    evidence_columns.decode(row, e, s, path);
    e.source_file = source_path(inputs, s.input, path);
    return e;
}

void encode_image(const ImageRecord& im, std::int64_t input, std::uint64_t wkb_offset, std::uint64_t wkb_length, std::uint8_t* row) {
    images_columns.encode(im, ImageSlots{input, {wkb_offset, wkb_length}}, row, im.id.str());
}

ImageRecord decode_image(const std::uint8_t* row, const std::string& wkb_heap, const std::vector<InputFile>& inputs, const std::string& path) {
    ImageRecord im;
    ImageSlots s;
    images_columns.decode(row, im, s, path);
    im.origin.file = source_path(inputs, s.input, path);
    im.footprint = geometry(multipolygon_from_wkb, wkb_heap, s.wkb, layout::image_wkb, "image " + im.id.str(), path);
    return im;
}

void encode_flight(const FlightRecord& f, std::int64_t input, std::int64_t route_input, std::uint64_t track_offset, std::uint64_t track_length,
                   std::uint64_t route_offset, std::uint64_t route_length, std::uint8_t* row) {
    flights_columns.encode(f, FlightSlots{input, route_input, {track_offset, track_length}, {route_offset, route_length}}, row, f.flight_id);
}

FlightRecord decode_flight(const std::uint8_t* row, const std::string& wkb_heap, const std::vector<InputFile>& inputs, const std::string& path) {
    FlightRecord f;
    FlightSlots s;
    flights_columns.decode(row, f, s, path);
    f.track_file = source_path(inputs, s.input, path);
    f.route_file = source_path(inputs, s.route_input, path);
    f.track = single_line(slice(wkb_heap, s.track_wkb, layout::flight_wkb, path), "track of flight " + f.flight_id, path);
    f.route = single_line(slice(wkb_heap, s.route_wkb, layout::flight_wkb, path), "route of flight " + f.flight_id, path);
    return f;
}

void encode_coverage(const CoverageRecord& c, std::uint64_t wkb_offset, std::uint64_t wkb_length, std::uint8_t* row) {
    coverage_columns.encode(c, CoverageSlots{{wkb_offset, wkb_length}}, row, c.rule_id + "/" + c.zone_id);
}

CoverageRecord decode_coverage(const std::uint8_t* row, const std::string& wkb_heap, const std::string& path) {
    CoverageRecord c;
    CoverageSlots s;
    coverage_columns.decode(row, c, s, path);
    c.uncovered = geometry(multipolygon_from_wkb, wkb_heap, s.uncovered_wkb, layout::coverage_wkb, "coverage of " + c.zone_id, path);
    return c;
}

void encode_summary(const SummaryRow& s, std::uint8_t* row) {
    summary_columns.encode(s, row, s.rule_id);
}

SummaryRow decode_summary(const std::uint8_t* row, const std::string& path) {
    return summary_columns.decode(row, path);
}

std::string_view to_string(ChainKind kind) {
    return kind == ChainKind::zone_set ? "zone_set" : "run";
}

ChainEntry chain_entry(const ChainRow& row) {
    ChainEntry e;
    e.sequence = row.sequence;
    e.kind = row.kind == "zone_set" ? ChainKind::zone_set : ChainKind::run;
    e.name = row.name;
    e.run_id = e.kind == ChainKind::run ? row.name : std::string{};
    e.content_digest = row.content_digest;
    e.previous_digest = row.previous_digest;
    e.digest = row.digest;
    return e;
}

void encode_chain(const ChainRow& c, std::uint8_t* row) {
    chain_columns.encode(c, row, c.name);
}

ChainRow decode_chain(const std::uint8_t* row, int schema, const std::string& path) {
    if (schema < 3) {
        ChainRow c = chain_v1_columns.decode(row, path);
        c.kind = to_string(ChainKind::run);
        return c;
    }
    return chain_columns.decode(row, path);
}

void encode_signature(const SignatureRecord& s, std::uint8_t* row) {
    signatures_columns.encode(s, row, "signature of row " + std::to_string(s.sequence));
}

SignatureRecord decode_signature(const std::uint8_t* row, const std::string& path) {
    return signatures_columns.decode(row, path);
}

void encode_commit(const CommitEntry& e, std::uint8_t* row) {
    commit_columns.encode(e, row, e.table);
}

CommitEntry decode_commit(const std::uint8_t* row, const std::string& path) {
    return commit_columns.decode(row, path);
}

void encode_block(const std::string& table, const BlockDigest& b, std::uint8_t* row) {
    commit_blocks_columns.encode(b, BlockSlots{table}, row, table);
}

BlockDigest decode_block(const std::uint8_t* row, std::string& table, const std::string& path) {
    BlockDigest b;
    BlockSlots s;
    commit_blocks_columns.decode(row, b, s, path);
    table = s.table;
    return b;
}

bool is_valid_group_name(const std::string& name) {
    return !name.empty() && name.size() <= id_bytes && name != "." && name != ".." && name.find('/') == std::string::npos &&
           name.find('\0') == std::string::npos && is_valid_utf8(name);
}

void check_group_name(const std::string& name, std::string_view what) {
    if (!is_valid_group_name(name)) {
        throw InputError(std::string(what) + " '" + name + "' cannot name a store group (1-" + std::to_string(id_bytes) +
                             " bytes of UTF-8, without '/', not '.' or '..')",
                         Context{}.value(name));
    }
}

} // namespace avf::storage
