#include "fusion/rules/standoff.hpp"

#include "fusion/finding_builder.hpp"
#include "fusion/targets.hpp"
#include "fusion/toml_reader.hpp"
#include "geo/distance_grid.hpp"
#include "geo/geodesic.hpp"
#include "geo/segment_index.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

namespace avf::fusion {

StandoffRule::StandoffRule(TomlReader& r, const RuleContext& context) {
    read_common(r, context);
    m_where = r.where("line");
    m_line = read_target_ids(r, "line");
    if (const toml::table* t = r.optional_table("line_by_party")) {
        TomlReader by(*t, r.file(), r.path() + ".line_by_party");
        for (const auto& [party, v] : *t) {
            const std::string key(party.str());
            if (!m_line_by_party.emplace(context.parties.require(by, key, key), read_target_ids(by, key)).second)
                by.fail(key, "party '" + key + "' is given twice (codes are compared case-insensitively)");
        }
        by.finish();
    }
    if (m_line.empty() && m_line_by_party.empty()) r.fail("line", "missing required key", "line = \"id\" and/or line_by_party = { … }");
    m_distance_m = r.optional_km("distance_km");
    auto at_limit = r.optional_string("at_limit").value_or("compliant");
    if (at_limit != "compliant" && at_limit != "violation")
        r.fail("at_limit", "unknown value '" + at_limit + "'", "compliant (exactly D km away complies) or violation");
    m_at_limit_violates = at_limit == "violation";
    if (const toml::array* segs = r.optional_array("segments")) {
        std::size_t i = 0;
        for (const auto& node : *segs) {
            const toml::table* t = node.as_table();
            if (!t) r.fail("segments", "every segment must be a table", "[[rules.segments]]");
            TomlReader s(*t, r.file(), r.path() + ".segments[" + std::to_string(i++) + "]");
            Segment seg;
            auto index = [&](const char* key) -> std::optional<std::size_t> {
                auto v = s.optional_integer(key);
                if (v && *v < 0) s.fail(key, "must not be negative", "an index ≥ 0");
                return v ? std::optional<std::size_t>(static_cast<std::size_t>(*v)) : std::nullopt;
            };
            seg.part = index("part").value_or(0);
            seg.from_vertex = index("from_vertex");
            seg.to_vertex = index("to_vertex");
            if (const toml::array* p = s.optional_array("to_point")) {
                if (p->size() != 2 || !(*p)[0].is_number() || !(*p)[1].is_number()) s.fail("to_point", "must be [lon, lat]");
                seg.to_point = GeoPoint{*(*p)[0].value<double>(), *(*p)[1].value<double>()};
                if (!(std::abs(seg.to_point->x()) <= 180.0 && std::abs(seg.to_point->y()) <= 90.0))
                    s.fail("to_point", "not a position", "[lon, lat] in degrees, |lon| ≤ 180, |lat| ≤ 90");
                if (seg.to_vertex) s.fail("to_point", "give to_vertex or to_point, not both");
            }
            auto distance = s.optional_km("distance_km");
            if (!distance) s.fail("distance_km", "missing required key", "a distance in km > 0");
            seg.distance_m = *distance;
            s.finish();
            m_segments.push_back(seg);
        }
    }
    if (!m_distance_m && m_segments.empty()) r.fail("distance_km", "missing required key", "distance_km, or [[rules.segments]] with distances");
    r.finish();
}

StandoffRule::BoundLine StandoffRule::bind_line_groups(const ZoneSetView& zones, const std::string& id) const {
    BoundLine b;
    b.line = bind_line(zones, id, m_where);
    const MultiLineString& g = zones.lines()[b.line].geometry;
    // Standoff distance per segment of each part: the default, overridden by explicit ranges.
    std::vector<std::vector<double>> limit(g.size());
    for (std::size_t p = 0; p < g.size(); ++p) limit[p].assign(g[p].empty() ? 0 : g[p].size() - 1, m_distance_m.value_or(NAN));
    std::vector<std::size_t> next_from(g.size(), 0);
    for (const Segment& s : m_segments) {
        if (s.part >= g.size())
            throw InputError(fmt::format("segments: part {} does not exist; line '{}' has {} part(s)", s.part, id, g.size()), m_where);
        const LineString& part = g[s.part];
        std::size_t from = s.from_vertex.value_or(next_from[s.part]);
        std::size_t to = part.size() - 1;
        if (s.to_vertex) to = *s.to_vertex;
        if (s.to_point) {
            double best = INFINITY;
            for (std::size_t v = 0; v < part.size(); ++v) {
                double d = geo::distance(*s.to_point, part[v]).value;
                if (d < best) best = d, to = v;
            }
        }
        if (from >= to || to >= part.size())
            throw InputError(
                fmt::format("segments: vertex range [{}, {}] is empty or beyond line '{}' part {} ({} vertices)", from, to, id, s.part, part.size()),
                m_where);
        for (std::size_t k = from; k < to; ++k) limit[s.part][k] = s.distance_m;
        next_from[s.part] = to;
    }
    for (std::size_t p = 0; p < g.size(); ++p) {
        std::size_t k = 0;
        while (k < limit[p].size()) {
            std::size_t e = k;
            while (e < limit[p].size() && (limit[p][e] == limit[p][k] || (std::isnan(limit[p][e]) && std::isnan(limit[p][k])))) ++e;
            if (!std::isnan(limit[p][k])) {
                Segment grp;
                grp.part = p;
                grp.first = k;
                grp.last = e;
                grp.distance_m = limit[p][k];
                b.groups.push_back(grp);
            }
            k = e;
        }
    }
    return b;
}

void StandoffRule::bind(const ZoneSetView& zones) {
    m_zones = &zones;
    for (const auto& id : m_line) m_default.push_back(bind_line_groups(zones, id));
    for (const auto& [party, ids] : m_line_by_party)
        for (const auto& id : ids) m_by_party[party].push_back(bind_line_groups(zones, id));
    // One distance grid per line the rule measures against, reaching past its largest standoff by
    // grid_margin (the detections' uncertainty radii; a larger radius goes to the index).
    double reach = 0.0;
    auto widest = [&](const std::vector<BoundLine>& lines) {
        for (const BoundLine& bl : lines)
            for (const Segment& g : bl.groups) reach = std::max(reach, g.distance_m);
    };
    widest(m_default);
    for (const auto& [party, lines] : m_by_party) widest(lines);
    std::map<std::size_t, std::shared_ptr<const geo::DistanceGrid>> grids;
    auto attach = [&](std::vector<BoundLine>& lines) {
        for (BoundLine& bl : lines) {
            auto& grid = grids[bl.line];
            if (!grid) grid = std::make_shared<const geo::DistanceGrid>(zones.line_segments(bl.line), Meters{reach + grid_margin});
            bl.grid = grid;
        }
    };
    attach(m_default);
    for (auto& [party, lines] : m_by_party) attach(lines);
}

StandoffRule::Closest StandoffRule::closest(const std::vector<BoundLine>& lines, const Detection& d) const {
    const double r = d.uncertainty.value;
    auto closer = [this](double dist, double limit) { return m_at_limit_violates ? dist <= limit : dist < limit; };
    // The groups whose line may lie within D + r: the grid's bound rules out the others without a
    // geodesic (most detections, and the far lines of the rest). Queried slightly beyond D + r so
    // that exactly-at-the-limit distances are found too.
    struct Candidate {
        const BoundLine* line;
        const Segment* group;
        double lower; // metres, ≤ the exact distance to the line
    };
    thread_local std::vector<Candidate> candidates;
    thread_local std::vector<std::size_t> order;
    candidates.clear();
    for (const BoundLine& bl : lines) {
        if (!m_zones->lines()[bl.line].valid.contains(d.time)) continue;
        const double lower = bl.grid->lower_bound(d.position).value;
        for (const Segment& g : bl.groups)
            if (lower < g.distance_m + r + 1e-3) candidates.push_back(Candidate{&bl, &g, lower});
    }
    // The worst group is the one with the largest excess D - d, the first in the rule's order on a
    // tie. Groups are solved from the largest possible excess down; one whose bound shows it cannot
    // reach the worst excess found is not solved, and the others are asked only for distances that
    // could (a smaller limit: fewer segments near it solved).
    order.resize(candidates.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    if (order.size() > 1)
        std::sort(order.begin(), order.end(), [](std::size_t a, std::size_t b) {
            const double ea = candidates[a].group->distance_m - candidates[a].lower, eb = candidates[b].group->distance_m - candidates[b].lower;
            return ea > eb || (ea == eb && a < b);
        });
    Closest worst;
    double worst_excess = -std::numeric_limits<double>::infinity();
    std::size_t worst_at = 0;
    for (std::size_t at : order) {
        const Candidate& c = candidates[at];
        const Segment& g = *c.group;
        double limit = g.distance_m + r + 1e-3;
        if (worst.group) {
            if (g.distance_m - c.lower < worst_excess) continue; // its excess is below the worst
            // Past this limit its excess is below the worst by far more than rounding.
            limit = std::min(limit, g.distance_m - worst_excess + 1e-6 * std::max(1.0, g.distance_m));
        }
        auto near = m_zones->line_segments(c.line->line).distance_within(d.position, Meters{limit}, g.part, g.first, g.last);
        if (!near.found) continue;
        const double dist = near.distance.value;
        if (!closer(dist - r, g.distance_m)) continue; // no part of the disk is too close
        const double excess = g.distance_m - dist;
        if (excess > worst_excess || (excess == worst_excess && at < worst_at)) {
            worst_excess = excess;
            worst_at = at;
            worst = Closest{c.line, &g, dist};
        }
    }
    return worst;
}

void StandoffRule::evaluate(const LocatedDetection& located, RuleState*, std::vector<Finding>& out) const {
    const Detection& d = located.detection;
    if (!in_scope(d)) return;
    auto it = m_by_party.find(d.party);
    const std::vector<BoundLine>& lines = it != m_by_party.end() ? it->second : m_default;
    Closest c = closest(lines, d);
    const Segment* worst = c.group;
    const double worst_d = c.distance;
    const double r = d.uncertainty.value;
    auto closer = [this](double dist, double limit) { return m_at_limit_violates ? dist <= limit : dist < limit; };
    if (!worst) return;
    const ReferenceLine& line = m_zones->lines()[c.line->line];
    Certainty certainty = closer(worst_d + r, worst->distance_m) ? Certainty::certain : Certainty::possible;

    Finding f = detection_finding(m_id, m_type, m_article, line.id.str(), d);
    f.measured = worst_d / 1000.0;
    f.limit = worst->distance_m / 1000.0;
    f.unit = "km";
    f.certainty = certainty;
    apply_waiver(f, waiver_for(d, ""));
    f.explanation_template = "{class} {party_of} observed {from} at {position}, {measured_distance} from {target}, closer than the {limit_distance} "
                             "standoff {rule_ref}: {verdict|violation}";
    out.push_back(std::move(f));
}

} // namespace avf::fusion
