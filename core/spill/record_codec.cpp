#include "core/spill/record_codec.hpp"

#include <cstdint>
#include <string>

namespace avf::spill {
namespace {

void encode_evidence(ByteWriter& w, const Evidence& e) {
    w.str(e.record_kind);
    w.str(e.record_id);
    w.str(e.source_file);
    w.str(e.source_position);
}

void decode_evidence(ByteReader& r, Evidence& e) {
    e.record_kind.assign(r.str());
    e.record_id.assign(r.str());
    e.source_file.assign(r.str());
    e.source_position.assign(r.str());
}

} // namespace

void encode_finding(ByteWriter& w, const Finding& f) {
    w.str(f.id);
    w.u8(static_cast<std::uint8_t>(f.kind));
    w.u8(static_cast<std::uint8_t>(f.certainty));
    w.str(f.rule_id);
    w.str(f.rule_type);
    w.str(f.article);
    w.str(f.target_id);
    w.str(f.party);
    w.str(f.equipment_class);
    w.i64(f.span.from.ms);
    w.i64(f.span.to.ms);
    w.f64(f.location.x());
    w.f64(f.location.y());
    w.f64(f.measured);
    w.f64(f.limit);
    w.str(f.unit);
    w.f64(f.confidence);
    w.str(f.waiver_id);
    w.u64(f.evidence.size());
    for (const auto& e : f.evidence) encode_evidence(w, e);
    w.str(f.explanation);
    w.str(f.explanation_template);
}

// Assigned field by field: a finding decoded into again keeps its strings' memory.
void decode_finding(ByteReader& r, Finding& f) {
    f.id.assign(r.str());
    f.kind = static_cast<FindingKind>(r.u8());
    f.certainty = static_cast<Certainty>(r.u8());
    f.rule_id.assign(r.str());
    f.rule_type.assign(r.str());
    f.article.assign(r.str());
    f.target_id.assign(r.str());
    f.party.assign(r.str());
    f.equipment_class.assign(r.str());
    f.span.from.ms = r.i64();
    f.span.to.ms = r.i64();
    const double x = r.f64();
    const double y = r.f64();
    f.location = GeoPoint{x, y};
    f.measured = r.f64();
    f.limit = r.f64();
    f.unit.assign(r.str());
    f.confidence = r.f64();
    f.waiver_id.assign(r.str());
    const std::uint64_t n = r.u64();
    f.evidence.resize(static_cast<std::size_t>(n));
    for (auto& e : f.evidence) decode_evidence(r, e);
    f.explanation.assign(r.str());
    f.explanation_template.assign(r.str());
}

Finding decode_finding(ByteReader& r) {
    Finding f;
    decode_finding(r, f);
    return f;
}

EncodedFindingOrder read_finding_order(ByteReader& r) {
    EncodedFindingOrder o;
    o.id = r.str();
    r.u8(); // kind
    r.u8(); // certainty
    o.rule_id = r.str();
    r.str(); // rule_type
    r.str(); // article
    o.target_id = r.str();
    r.str(); // party
    r.str(); // equipment_class
    o.from = r.i64();
    return o;
}

void encode_problem(ByteWriter& w, const Problem& p) {
    w.u8(static_cast<std::uint8_t>(p.severity));
    w.u8(static_cast<std::uint8_t>(p.code));
    w.str(p.message);
    const Context& c = p.where;
    w.str(c.file());
    w.str(c.layer());
    w.str(c.feature());
    w.str(c.record());
    w.str(c.field());
    w.str(c.value());
    w.str(c.expected());
    w.u8(c.line() ? 1 : 0);
    w.i64(c.line().value_or(0));
    w.u8(c.column() ? 1 : 0);
    w.i64(c.column().value_or(0));
    w.u64(p.order);
}

Problem decode_problem(ByteReader& r) {
    Problem p;
    p.severity = static_cast<Severity>(r.u8());
    p.code = static_cast<ProblemCode>(r.u8());
    p.message = std::string(r.str());
    Context& c = p.where;
    c.file(std::string(r.str())).layer(std::string(r.str())).feature(std::string(r.str())).record(std::string(r.str()));
    c.field(std::string(r.str())).value(std::string(r.str())).expected(std::string(r.str()));
    const bool has_line = r.u8() != 0;
    const auto line = r.i64();
    if (has_line) c.line(static_cast<long>(line));
    const bool has_column = r.u8() != 0;
    const auto column = r.i64();
    if (has_column) c.column(static_cast<long>(column));
    p.order = r.u64();
    return p;
}

} // namespace avf::spill
