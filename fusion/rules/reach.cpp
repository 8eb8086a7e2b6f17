#include "fusion/rules/reach.hpp"

#include "fusion/finding_builder.hpp"
#include "fusion/rules/prohibited.hpp"
#include "fusion/toml_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace avf::fusion {

namespace {

// "declared 480.0 km, assessed 500.0 km to 5500.0 km (source)"
std::string range_text(const ClassRange& r) {
    std::string s;
    if (r.declared) s = "declared " + format_distance(r.declared->value);
    if (r.assessed_min) {
        s += s.empty() ? "assessed " : ", assessed ";
        s += r.assessed_min->value == r.assessed_max->value
                 ? format_distance(r.assessed_min->value)
                 : format_distance(r.assessed_min->value) + " to " + format_distance(r.assessed_max->value);
    }
    return s + " (" + r.source + ")";
}

// "the declared range" / "both ranges" / "the assessed range only": which figures a statement holds for.
std::string under(const ClassRange& r, const std::string& declared_part, const std::string& assessed_part) {
    if (!r.declared || !r.assessed_min) return declared_part.empty() ? assessed_part : declared_part;
    if (declared_part.empty()) return assessed_part + " only";
    if (assessed_part.empty()) return declared_part + " only";
    if (assessed_part == "the assessed range") return "both ranges";
    return declared_part + " and " + assessed_part;
}

} // namespace

ReachRule::ReachRule(TomlReader& r, const RuleContext& context) {
    read_common(r, context);
    m_targets.read(r, context.parties);
    auto check = r.optional_string("check").value_or("reach");
    if (check != "reach" && check != "deployed")
        r.fail("check", "unknown check '" + check + "'", "reach (the range disk reaches the zones) or deployed (items inside the zones)");
    m_deployed = check == "deployed";
    m_band_min = r.optional_km("range_km_min", true);
    m_band_max = r.optional_km("range_km_max");
    if (m_band_min && m_band_max && *m_band_min > *m_band_max)
        r.fail("range_km_max", "the band's maximum is below its minimum", "range_km_min ≤ range_km_max");
    const bool band = m_band_min || m_band_max;
    const std::string band_text = m_band_min && m_band_max ? "from " + format_distance(*m_band_min) + " to " + format_distance(*m_band_max)
                                  : m_band_min             ? "from " + format_distance(*m_band_min)
                                                           : "up to " + format_distance(m_band_max.value_or(0.0));
    auto in_band = [&](double v) { return (!m_band_min || v >= *m_band_min) && (!m_band_max || v <= *m_band_max); };

    // Classes named in `classes` must have a range in the band; otherwise (every class, or
    // classes_except) the classes that do are in scope.
    const bool named = !m_classes.empty() && m_classes_except.empty();
    std::vector<std::string> candidates(m_classes.begin(), m_classes.end());
    if (candidates.empty()) candidates = context.taxonomy.classes();
    for (const auto& cls : candidates) {
        const ClassRange* range = context.taxonomy.range(cls);
        if (!range) {
            if (named)
                r.fail("classes", "class '" + cls + "' has no range_km in [classes]",
                       cls + " = { aliases = […], range_km = { declared = …, assessed = […], source = \"…\" } }");
            continue;
        }
        InScope c{range, Certainty::certain, ""};
        if (band) {
            const bool declared_in = range->declared && in_band(range->declared->value);
            const bool assessed_all = range->assessed_min && in_band(range->assessed_min->value) && in_band(range->assessed_max->value);
            const bool assessed_some = range->assessed_min && (!m_band_max || range->assessed_min->value <= *m_band_max) &&
                                       (!m_band_min || range->assessed_max->value >= *m_band_min);
            if (!declared_in && !assessed_some) {
                if (named)
                    r.fail("classes", fmt::format("the range of class '{}' ({}) lies outside the band {}", cls, range_text(*range), band_text));
                continue;
            }
            const bool certain = (!range->declared || declared_in) && (!range->assessed_min || assessed_all);
            c.in_band = certain ? Certainty::certain : Certainty::possible;
            c.band_basis = "in the band " + band_text + " under " +
                           under(*range, declared_in ? "the declared range" : "",
                                 assessed_all    ? "the assessed range"
                                 : assessed_some ? "part of the assessed range"
                                                 : "");
        }
        m_in_scope.emplace(cls, std::move(c));
    }
    if (m_in_scope.empty())
        r.fail(named ? "classes" : "", std::string("no class in scope has a range_km in [classes]") + (band ? " in the band " + band_text : ""),
               "classes with range_km = { … } (docs/regime-format.md, reach)");
    m_classes.clear();
    for (const auto& [cls, c] : m_in_scope) m_classes.insert(cls);
    r.finish();
}

void ReachRule::bind(const ZoneSetView& zones) {
    m_targets.bind(zones);
    m_zones = &zones;
}

void ReachRule::evaluate(const LocatedDetection& located, RuleState*, std::vector<Finding>& out) const {
    const Detection& d = located.detection;
    if (!in_scope(d)) return;
    auto it = m_in_scope.find(d.equipment_class);
    if (it == m_in_scope.end()) return;
    if (m_deployed)
        evaluate_deployed(d, it->second, located.zones, out);
    else
        evaluate_reach(d, it->second, located.zones, out);
}

void ReachRule::evaluate_reach(const Detection& d, const InScope& c, const std::vector<geo::ZoneHit>& hits, std::vector<Finding>& out) const {
    const ClassRange& range = *c.range;
    const double r = d.uncertainty.value;
    const double smallest = range.smallest().value, largest = range.largest().value;
    for (std::size_t z : m_targets.indices()) {
        const Zone& zone = m_zones->zones()[z];
        if (!zone.valid.contains(d.time)) continue;
        // Inside or on the boundary (locate) the zone is at distance 0; else the exact geodesic
        // distance to its boundary, capped just past the largest range the disk could use.
        auto hit = std::find_if(hits.begin(), hits.end(), [z](const geo::ZoneHit& h) { return h.zone == z; });
        const Location centre = hit != hits.end() ? hit->centre : Location::outside;
        const double dist = centre != Location::outside ? 0.0 : m_zones->distance_to_boundary(z, d.position, Meters{largest + r + 1.0}).value;
        if (dist - r > largest) continue; // no figure reaches any part of the disk
        const bool whole_disk = dist + r <= smallest;
        Finding f = detection_finding(m_id, m_type, m_article, zone.id.str(), d);
        f.measured = dist / 1000.0;
        f.limit = largest / 1000.0;
        f.unit = "km";
        f.certainty = whole_disk && c.in_band == Certainty::certain ? Certainty::certain : Certainty::possible;

        const bool declared_reaches = range.declared && dist - r <= range.declared->value;
        const bool assessed_reaches = range.assessed_max && dist - r <= range.assessed_max->value;
        std::string basis = under(range, declared_reaches ? "the declared range" : "",
                                  !assessed_reaches ? ""
                                  : dist <= range.assessed_min->value || range.assessed_min->value == range.assessed_max->value
                                      ? "the assessed range"
                                      : "the upper part of the assessed range");
        if (!whole_disk && dist <= smallest) basis += " with part of its uncertainty disk";
        apply_waiver(f, waiver_for(d, zone.id.str()));
        // Sentence forms (core/explanation.hpp): where the launcher is, the class's figures (the
        // rule's own words, escaped), which figure reaches. The uncertainty radius is in the record.
        const char* where = centre == Location::inside     ? "inside {target}"
                            : centre == Location::boundary ? "on the boundary of {target}"
                                                           : "{measured_distance} from {target}";
        std::string band = c.band_basis.empty() ? "" : ", " + c.band_basis;
        f.explanation_template = fmt::format("{{class}} {{party_of}} observed {{from}} at {{position}}, {}, range {} {{rule_ref}}: "
                                             "{{verdict|within reach under {}}}",
                                             where, escape_template(range_text(range) + band), escape_template(basis));
        out.push_back(std::move(f));
    }
}

void ReachRule::evaluate_deployed(const Detection& d, const InScope& c, const std::vector<geo::ZoneHit>& hits, std::vector<Finding>& out) const {
    // As `prohibited` with boundary = "inside": the disk within the zone (or its centre on the
    // boundary) is certain, a straddling disk possible; and possible too when the class is in the
    // band under some of its figures only.
    const Meters horizon = ProhibitedRule::default_depth_horizon;
    for (const auto& hit : hits) {
        if (!m_targets.contains(hit.zone)) continue;
        const Zone& zone = m_zones->zones()[hit.zone];
        if (!zone.valid.contains(d.time)) continue;
        const bool whole_disk = hit.disk != geo::DiskRelation::partial;
        double depth = hit.centre == Location::outside ? -1.0 : 1.0;
        depth *= hit.centre == Location::boundary ? 0.0 : m_zones->distance_to_boundary(hit.zone, d.position, horizon).value;

        Finding f = detection_finding(m_id, m_type, m_article, zone.id.str(), d);
        f.measured = depth / 1000.0;
        f.limit = 0.0;
        f.unit = "km";
        f.certainty = whole_disk && c.in_band == Certainty::certain ? Certainty::certain : Certainty::possible;
        apply_waiver(f, waiver_for(d, zone.id.str()));
        const bool bound = std::abs(depth) >= horizon.value; // the depth is a bound at the horizon, as in `prohibited`
        const char* where = hit.centre == Location::inside
                                ? (bound ? "at least {measured_distance} inside {target}" : "{measured_distance} inside {target}")
                            : hit.centre == Location::boundary ? "on the boundary of {target}"
                            : bound                            ? "at least {measured_distance} outside {target} (within its uncertainty)"
                                                               : "{measured_distance} outside {target} (within its uncertainty)";
        std::string band = c.band_basis.empty() ? "" : ", " + c.band_basis;
        f.explanation_template =
            fmt::format("{{class}} {{party_of}} observed {{from}} at {{position}}, {}, range {} {{rule_ref}}: {{verdict|deployed}}", where,
                        escape_template(range_text(*c.range) + band));
        out.push_back(std::move(f));
    }
}

} // namespace avf::fusion
