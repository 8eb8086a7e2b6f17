#include "fusion/rules/prohibited.hpp"

#include "fusion/finding_builder.hpp"
#include "fusion/toml_reader.hpp"

#include <fmt/format.h>

namespace avf::fusion {

ProhibitedRule::ProhibitedRule(TomlReader& r, const RuleContext& context) {
    read_common(r, context);
    m_targets.read(r, context.parties);
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

void ProhibitedRule::evaluate(const LocatedDetection& located, RuleState*, std::vector<Finding>& out) const {
    const Detection& d = located.detection;
    if (!in_scope(d)) return;
    for (const auto& hit : located.zones) {
        if (!m_targets.contains(hit.zone)) continue;
        const Zone& zone = m_zones->zones()[hit.zone];
        if (!zone.valid.contains(d.time)) continue;
        Certainty certainty;
        if (hit.disk == geo::DiskRelation::within)
            certainty = Certainty::certain;
        else if (hit.disk == geo::DiskRelation::boundary) {
            if (!m_boundary_inside) continue;
            certainty = Certainty::certain;
        } else {
            certainty = Certainty::possible;
        }
        double depth = hit.centre == Location::outside ? -1.0 : 1.0;
        depth *= hit.centre == Location::boundary ? 0.0 : m_zones->distance_to_boundary(hit.zone, d.position, kilometers(20'000)).value;

        Finding f = detection_finding(m_id, m_type, m_article, zone.id.str(), d);
        f.measured = depth / 1000.0;
        f.limit = 0.0;
        f.unit = "km";
        f.certainty = certainty;
        std::string verdict = apply_waiver(f, waiver_for(d, zone.id.str()), "prohibited");
        std::string where = hit.centre == Location::inside     ? format_distance(depth) + " inside " + zone.id.str()
                            : hit.centre == Location::boundary ? "on the boundary of " + zone.id.str()
                                                               : format_distance(depth) + " outside " + zone.id.str() +
                                                                     " (within its uncertainty of " + format_distance(d.uncertainty.value) + ")";
        f.explanation = fmt::format("{} observed {} at {}, {} {}: {}", format_items(d), format_utc(d.time), format_position(d.position), where,
                                    format_rule_ref(m_id, m_article), verdict);
        out.push_back(std::move(f));
    }
}

} // namespace avf::fusion
