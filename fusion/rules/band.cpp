#include "fusion/rules/band.hpp"

#include "fusion/finding_builder.hpp"
#include "fusion/targets.hpp"
#include "fusion/toml_reader.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace avf::fusion {

BandRule::BandRule(TomlReader& r, const RuleContext& context) {
    read_common(r, context);
    m_where_line = r.where("line");
    m_line_id = r.required_string("line");
    read_target_ids(r, "line");
    auto from = r.optional_km("from_km", /*allow_zero=*/true);
    if (!from) r.fail("from_km", "missing required key", "a distance in km ≥ 0");
    auto to = r.optional_km("to_km");
    if (!to) r.fail("to_km", "missing required key", "a distance in km > from_km");
    if (*to <= *from) r.fail("to_km", "must be greater than from_km", "a distance in km > from_km");
    m_from_m = *from;
    m_to_m = *to;
    m_where_zone = r.where("within_zone");
    m_within_zone_id = r.optional_string("within_zone").value_or("");
    if (!m_within_zone_id.empty()) read_target_ids(r, "within_zone");
    m_has_limit = read_count_options(r, /*optional_limit=*/true);
    r.finish();
}

void BandRule::bind(const ZoneSetView& zones) {
    m_zones = &zones;
    m_line = bind_line(zones, m_line_id, m_where_line);
    if (!m_within_zone_id.empty()) {
        m_within_zone = zones.zone_index(m_within_zone_id);
        if (!m_within_zone) throw InputError("zone '" + m_within_zone_id + "' does not exist in the zone set", m_where_zone);
    }
}

std::string BandRule::target_id(std::size_t) const {
    return m_line_id;
}
std::string BandRule::target_template() const {
    std::string s = escape_template(fmt::format("between {} and {} km of ", m_from_m / 1000.0, m_to_m / 1000.0)) + "{target}";
    if (!m_within_zone_id.empty()) s += escape_template(" inside " + m_within_zone_id);
    return s;
}

void BandRule::evaluate(const LocatedDetection& located, RuleState* state, std::vector<Finding>& out) const {
    const Detection& d = located.detection;
    if (!in_scope(d)) return;
    if (!m_zones->lines()[m_line].valid.contains(d.time)) return;
    const double r = d.uncertainty.value;

    // Side restriction first (cheap: the zone hits are already known).
    bool side_certain = true;
    if (m_within_zone) {
        auto hit = std::find_if(located.zones.begin(), located.zones.end(), [&](const geo::ZoneHit& h) { return h.zone == *m_within_zone; });
        if (hit == located.zones.end()) return;
        side_certain = hit->disk != geo::DiskRelation::partial;
    }
    auto near = m_zones->line_segments(m_line).distance_within(d.position, Meters{m_to_m + r});
    if (!near.found) return; // the whole disk is at or beyond to_km
    double dist = near.distance.value;
    if (dist + r < m_from_m) return; // the whole disk is closer than from_km
    // The disk's points lie between max(0, dist − r) and dist + r from the line: a disk that
    // crosses the line comes no closer than 0, so with from_km = 0 it is certainly not too close.
    // Both sides of the line are in the band; within_zone (side_certain) restricts it to one.
    const double nearest = std::max(0.0, dist - r);
    bool in_band_certain = nearest >= m_from_m && dist + r < m_to_m;
    bool certain = in_band_certain && side_certain;

    if (m_has_limit) {
        count(state, 0, d, certain);
        return;
    }
    Finding f = detection_finding(m_id, m_type, m_article, m_line_id, d);
    f.measured = dist / 1000.0;
    f.limit = m_to_m / 1000.0;
    f.unit = "km";
    f.certainty = certain ? Certainty::certain : Certainty::possible;
    apply_waiver(f, waiver_for(d, m_within_zone_id));
    f.explanation_template = "{class} {party_of} observed {from} at {position}, {measured_distance} from {target}, within the band up to "
                             "{limit_distance} {rule_ref}: {verdict|prohibited}";
    out.push_back(std::move(f));
}

} // namespace avf::fusion
