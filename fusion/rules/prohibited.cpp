#include "fusion/rules/prohibited.hpp"

#include "fusion/finding_builder.hpp"
#include "fusion/toml_reader.hpp"

#include <fmt/format.h>

namespace avf::fusion {

ProhibitedRule::ProhibitedRule(TomlReader& r, const Taxonomy& taxonomy, const Interval& in_force) {
    read_common(r, taxonomy, in_force);
    m_targets.read(r);
    auto boundary = r.optional_string("boundary").value_or("inside");
    if (boundary != "inside" && boundary != "outside")
        r.fail("boundary", "unknown boundary semantics '" + boundary + "'", "inside (on the boundary counts as in the zone) or outside");
    m_boundary_inside = boundary == "inside";
    r.finish();
}

void ProhibitedRule::bind(const ZoneSetView& zones) {
    m_targets.bind(zones);
    m_zones = &zones;
}

void ProhibitedRule::evaluate(const Observation& obs, RuleState*, std::vector<Finding>& out) const {
    const Detection& d = obs.detection;
    if (!in_scope(d)) return;
    for (const auto& hit : obs.zones) {
        if (!m_targets.contains(hit.zone)) continue;
        const Zone& zone = m_zones->zones()[hit.zone];
        if (!zone.valid.contains(d.time)) continue;
        Certainty certainty;
        if (hit.disk == geo::DiskRelation::within) certainty = Certainty::certain;
        else if (hit.disk == geo::DiskRelation::boundary) {
            if (!m_boundary_inside) continue;
            certainty = Certainty::certain;
        } else {
            certainty = Certainty::possible;
        }
        double depth = hit.centre == Location::outside ? -1.0 : 1.0;
        depth *= hit.centre == Location::boundary ? 0.0 : m_zones->distance_to_boundary(hit.zone, d.position, kilometers(20'000)).value;

        Finding f;
        f.rule_id = m_id;
        f.rule_type = m_type;
        f.article = m_article;
        f.target_id = zone.id.str();
        f.party = d.party;
        f.equipment_class = d.equipment_class;
        f.span = Interval{d.time, UtcTime{d.time.ms + 1}};
        f.location = d.position;
        f.measured = depth / 1000.0;
        f.limit = 0.0;
        f.unit = "km";
        f.confidence = d.confidence;
        f.certainty = certainty;
        f.evidence.push_back(evidence_of(d));
        const Waiver* w = waiver_for(d, zone.id.str());
        f.kind = w ? FindingKind::exempted : FindingKind::violation;
        if (w) f.waiver_id = w->id;
        f.id = content_id({m_id, f.target_id, d.id.str(), d.origin.file});

        std::string where = hit.centre == Location::inside    ? format_distance(depth) + " inside " + zone.id.str()
                            : hit.centre == Location::boundary ? "on the boundary of " + zone.id.str()
                                                               : format_distance(depth) + " outside " + zone.id.str() + " (within its uncertainty of " +
                                                                     format_distance(d.uncertainty.value) + ")";
        std::string verdict = w ? fmt::format("exempted by waiver {} ({})", w->id, w->basis) : "prohibited; " + std::string(to_string(certainty));
        f.explanation = fmt::format("{} observed {} at {}, {} {}: {}", format_items(d), format_utc(d.time), format_position(d.position), where,
                                    format_rule_ref(m_id, m_article), verdict);
        out.push_back(std::move(f));
    }
}

} // namespace avf::fusion
