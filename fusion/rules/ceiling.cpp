#include "fusion/rules/ceiling.hpp"

#include "fusion/toml_reader.hpp"

namespace avf::fusion {

CeilingRule::CeilingRule(TomlReader& r, const RuleContext& context) {
    read_common(r, context);
    m_targets.read(r, context.parties);
    read_count_options(r, /*optional_limit=*/false);
    auto boundary = r.optional_string("boundary").value_or("inside");
    if (boundary != "inside" && boundary != "outside") r.fail("boundary", "unknown boundary semantics '" + boundary + "'", "inside or outside");
    m_boundary_inside = boundary == "inside";
    r.finish();
}

void CeilingRule::bind(const ZoneSetView& zones) {
    m_targets.bind(zones);
    m_zones = &zones;
}

std::string CeilingRule::target_id(std::size_t target) const {
    return m_zones->zones()[target].id.str();
}
std::string CeilingRule::target_template() const {
    return "in {target}";
}

void CeilingRule::evaluate(const LocatedDetection& located, RuleState* state, std::vector<Finding>&) const {
    const Detection& d = located.detection;
    if (!in_scope(d)) return;
    for (const auto& hit : located.zones) {
        if (!m_targets.contains(hit.zone) || !m_zones->zones()[hit.zone].valid.contains(d.time)) continue;
        if (hit.disk == geo::DiskRelation::boundary && !m_boundary_inside) continue;
        count(state, hit.zone, d, hit.disk != geo::DiskRelation::partial);
    }
}

} // namespace avf::fusion
