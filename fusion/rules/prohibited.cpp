#include "fusion/rules/prohibited.hpp"

#include "fusion/finding_builder.hpp"
#include "fusion/toml_reader.hpp"

#include <fmt/format.h>

#include <cmath>

namespace avf::fusion {

namespace {
// The rule's sentence forms (core/explanation.hpp): inside, on the boundary, outside within the
// detection's uncertainty; inside and outside also with a depth at the horizon ("at least").
constexpr const char* inside_template =
    "{class} {party_of} observed {from} at {position}, {measured_distance} inside {target} {rule_ref}: {verdict|prohibited}";
constexpr const char* boundary_template =
    "{class} {party_of} observed {from} at {position}, on the boundary of {target} {rule_ref}: {verdict|prohibited}";
constexpr const char* inside_bound_template =
    "{class} {party_of} observed {from} at {position}, at least {measured_distance} inside {target} {rule_ref}: {verdict|prohibited}";
constexpr const char* outside_bound_template = "{class} {party_of} observed {from} at {position}, at least {measured_distance} outside {target} "
                                               "(within its uncertainty) {rule_ref}: {verdict|prohibited}";
constexpr const char* outside_template = "{class} {party_of} observed {from} at {position}, {measured_distance} outside {target} (within its "
                                         "uncertainty) {rule_ref}: {verdict|prohibited}";
} // namespace

ProhibitedRule::ProhibitedRule(TomlReader& r, const RuleContext& context) {
    read_common(r, context);
    m_targets.read(r, context.parties);
    auto boundary = r.optional_string("boundary").value_or("inside");
    if (boundary != "inside" && boundary != "outside")
        r.fail("boundary", "unknown boundary semantics '" + boundary + "'", "inside (on the boundary counts as in the zone) or outside");
    m_boundary_inside = boundary == "inside";
    m_depth_horizon = Meters{r.optional_km("depth_horizon_km").value_or(default_depth_horizon.value)};
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
        depth *= hit.centre == Location::boundary ? 0.0 : m_zones->distance_to_boundary(hit.zone, d.position, m_depth_horizon).value;

        Finding f = detection_finding(m_id, m_type, m_article, zone.id.str(), d);
        f.measured = depth / 1000.0;
        f.limit = 0.0;
        f.unit = "km";
        f.certainty = certainty;
        apply_waiver(f, waiver_for(d, zone.id.str()));
        // At the horizon the depth is a bound (the boundary is at least that far): its own forms.
        const bool bound = std::abs(depth) >= m_depth_horizon.value;
        f.explanation_template = hit.centre == Location::inside     ? (bound ? inside_bound_template : inside_template)
                                 : hit.centre == Location::boundary ? boundary_template
                                                                    : (bound ? outside_bound_template : outside_template);
        out.push_back(std::move(f));
    }
}

} // namespace avf::fusion
