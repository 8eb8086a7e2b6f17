#include "fusion/declaration_rule.hpp"

#include "core/spill/byte_codec.hpp"
#include "fusion/finding_builder.hpp"
#include "fusion/toml_reader.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace avf::fusion {

void DeclarationRule::evaluate(const LocatedDetection& located, RuleState* state, std::vector<Finding>&) const {
    if (!in_scope(located.detection)) return;
    static_cast<SightingState&>(*state).sightings.push_back(Sighting::of(located.detection));
}

void DeclarationRule::combine(RuleState& into, RuleState&& from) const {
    auto& a = static_cast<SightingState&>(into).sightings;
    auto& b = static_cast<SightingState&>(from).sightings;
    a.insert(a.end(), std::make_move_iterator(b.begin()), std::make_move_iterator(b.end()));
    std::vector<Sighting>().swap(b);
}

void DeclarationRule::save_state(RuleState& state, spill::ByteWriter& w) const {
    auto& v = static_cast<SightingState&>(state).sightings;
    w.u64(v.size());
    for (const auto& s : v) {
        for (const std::string* text : {&s.id, &s.equipment_class, &s.party, &s.source, &s.source_record, &s.file, &s.position_in_file}) w.str(*text);
        w.i64(s.time.ms);
        w.f64(s.position.x());
        w.f64(s.position.y());
        w.f64(s.uncertainty_m);
        w.i64(s.count);
        w.f64(s.confidence);
    }
    std::vector<Sighting>().swap(v);
}

void DeclarationRule::load_state(RuleState& into, spill::ByteReader& r) const {
    auto& v = static_cast<SightingState&>(into).sightings;
    const std::uint64_t n = r.u64();
    v.reserve(v.size() + n);
    for (std::uint64_t i = 0; i < n; ++i) {
        Sighting s;
        for (std::string* text : {&s.id, &s.equipment_class, &s.party, &s.source, &s.source_record, &s.file, &s.position_in_file})
            *text = std::string(r.str());
        s.time = UtcTime{r.i64()};
        const double x = r.f64();
        const double y = r.f64();
        s.position = GeoPoint{x, y};
        s.uncertainty_m = r.f64();
        s.count = r.i64();
        s.confidence = r.f64();
        v.push_back(std::move(s));
    }
}

std::vector<MergedObservation> DeclarationRule::observations(RuleState* state) const {
    static const DedupPolicy none;
    auto& s = static_cast<SightingState&>(*state).sightings;
    auto out = deduplicate(std::move(s), m_inputs.dedup ? *m_inputs.dedup : none);
    std::vector<Sighting>().swap(s);
    return out;
}

const std::vector<Declaration>& DeclarationRule::declarations() const {
    static const std::vector<Declaration> none;
    return m_inputs.declarations ? *m_inputs.declarations : none;
}

bool DeclarationRule::declaration_in_scope(const Declaration& d) const {
    if (!d.valid.overlaps(m_valid)) return false;
    if (!m_classes.empty() && !m_classes.count(d.equipment_class)) return false;
    if (!m_parties.empty() && !m_parties.count(d.party)) return false;
    return true;
}

bool DeclarationRule::report_missing_declarations(RuleState* state, std::vector<Finding>& out) const {
    if (m_inputs.declarations) return false;
    auto& s = static_cast<SightingState&>(*state).sightings;
    Finding f;
    f.kind = FindingKind::unverifiable;
    f.certainty = Certainty::not_applicable;
    f.rule_id = m_id;
    f.rule_type = m_type;
    f.article = m_article;
    f.span = Interval{std::max(m_valid.from, m_inputs.period.from), std::min(m_valid.to, m_inputs.period.to)};
    f.location = GeoPoint{0.0, 0.0}; // no place: point_xy leaves its coordinates uninitialised
    f.measured = static_cast<double>(s.size());
    f.unit = "count";
    f.confidence = 1.0;
    f.id = content_id({m_id, "no_declarations"});
    f.explanation_template = "unverifiable: no declarations were given to the run (avf run --declarations), so the {measured|0} in-scope sightings "
                             "cannot be matched to declarations {rule_ref}; not evaluated, never compliant";
    out.push_back(std::move(f));
    std::vector<Sighting>().swap(s);
    return true;
}

bool DeclarationRule::read_aggregation(TomlReader& r) {
    const std::string aggregation = r.optional_string("aggregation").value_or("window");
    if (aggregation != "window" && aggregation != "period")
        r.fail("aggregation", "unknown aggregation '" + aggregation + "'",
               "window (the peak over windows, default) or period (summed over the whole period)");
    if (aggregation == "period" && r.has("window")) r.fail("window", "aggregation = \"period\" takes no window", "no window key");
    return aggregation == "period";
}

Evidence evidence_of(const Declaration& d) {
    return Evidence{"declaration", d.id.str(), d.origin.file, d.origin.feature};
}

} // namespace avf::fusion
