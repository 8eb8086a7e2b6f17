#include "fusion/rules/route.hpp"

#include "fusion/finding_builder.hpp"
#include "fusion/imagery.hpp"
#include "fusion/targets.hpp"
#include "fusion/toml_reader.hpp"
#include "fusion/zone_set_view.hpp"
#include "geo/geodesic.hpp"
#include "geo/segment_index.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace avf::fusion {
namespace {

// Runs of consecutive indices i where flagged(i): calls each(first, last).
template <typename Flag, typename Each> void for_each_run(std::size_t n, Flag&& flagged, Each&& each) {
    for (std::size_t i = 0; i < n;) {
        if (!flagged(i)) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j + 1 < n && flagged(j + 1)) ++j;
        each(i, j);
        i = j + 1;
    }
}

} // namespace

RouteRule::RouteRule(TomlReader& r, const RuleContext& context) {
    read_common(r, context);
    refuse_sources(r);
    m_corridor_m = r.optional_km("corridor_km");
    // A track is longer than any geodesic: its bound is a flight, 10 times round the Earth.
    if (auto v = r.optional_number("max_length_km")) {
        if (!(*v > 0)) r.fail("max_length_km", "must be a positive number of kilometres", "a number > 0");
        if (*v > 400'000) r.fail("max_length_km", "longer than ten times round the Earth", "a number of km ≤ 400000");
        m_max_length_m = *v * 1000.0;
    }
    m_border_ids = read_target_ids(r, "border_lines");
    m_border_where = r.where("border_lines");
    if (auto v = r.optional_km("min_border_km")) m_min_border_m = *v;
    if (!m_border_ids.empty() && m_min_border_m <= 0) r.fail("min_border_km", "border_lines need a minimum distance", "min_border_km = 10.0");
    if (m_border_ids.empty() && m_min_border_m > 0)
        r.fail("border_lines", "min_border_km needs the border lines it applies to", "border_lines = [\"…\"]");
    if (!m_corridor_m && !m_max_length_m && m_border_ids.empty())
        r.fail("", "a route rule checks nothing", "at least one of corridor_km, max_length_km, border_lines");
    r.finish();
}

void RouteRule::bind(const ZoneSetView& zones) {
    m_zones = &zones;
    m_border_lines.clear();
    for (const auto& id : m_border_ids) m_border_lines.push_back(bind_line(zones, id, m_border_where));
}

void RouteRule::evaluate_imagery(const ImageryRecords& in, ImageryOutputs& out) const {
    auto base = [&](const FlightTrack& t, std::size_t first, std::size_t last, const std::string& target, const std::string& aspect) {
        Finding f;
        f.rule_id = m_id;
        f.rule_type = m_type;
        f.article = m_article;
        f.target_id = target;
        f.kind = FindingKind::violation;
        f.certainty = Certainty::certain;
        f.span = Interval{t.points[first].time, UtcTime{t.points[last].time.ms + 1}};
        f.location = t.points[first].position;
        f.unit = "km";
        f.evidence.push_back(evidence_of(t, first, last));
        f.id = content_id({m_id, target, t.flight_id, aspect, format_utc(t.points[first].time), t.origin.file});
        return f;
    };

    for (const FlightTrack& t : in.tracks) {
        const auto& pts = t.points;
        std::vector<bool> counted(pts.size());
        bool any = false;
        for (std::size_t i = 0; i < pts.size(); ++i) any |= (counted[i] = m_valid.contains(pts[i].time) && in.period.contains(pts[i].time));
        if (!any) continue;
        std::size_t first_counted = 0, last_counted = 0;
        for (std::size_t i = 0; i < pts.size(); ++i)
            if (counted[i]) last_counted = i;
        while (!counted[first_counted]) ++first_counted;

        if (m_corridor_m) {
            auto route = std::find_if(in.routes.begin(), in.routes.end(), [&](const PlannedRoute& r) { return r.flight_id == t.flight_id; });
            if (route == in.routes.end()) {
                Finding f = base(t, first_counted, last_counted, t.flight_id, "no-route");
                f.kind = FindingKind::unverifiable;
                f.certainty = Certainty::not_applicable;
                f.limit = *m_corridor_m / 1000.0;
                f.explanation_template =
                    "flight {target} has no planned route, so its {limit_distance} corridor cannot be checked {rule_ref}: unverifiable";
                out.findings.push_back(std::move(f));
            } else {
                const geo::SegmentIndex plan(MultiLineString{route->route});
                std::vector<double> d(pts.size(), 0.0);
                for (std::size_t i = 0; i < pts.size(); ++i)
                    if (counted[i]) d[i] = plan.distance_within(pts[i].position, kilometers(40'000)).distance.value;
                for_each_run(
                    pts.size(), [&](std::size_t i) { return counted[i] && d[i] > *m_corridor_m; },
                    [&](std::size_t a, std::size_t b) {
                        std::size_t far = a;
                        for (std::size_t k = a; k <= b; ++k)
                            if (d[k] > d[far]) far = k;
                        Finding f = base(t, a, b, t.flight_id, "corridor");
                        f.location = pts[far].position;
                        f.measured = d[far] / 1000.0;
                        f.limit = *m_corridor_m / 1000.0;
                        f.explanation_template =
                            "flight {target} left its {limit_distance} corridor from {from} to {last}, up to {measured_distance} "
                            "from the planned route at {position} {rule_ref}: violation; certain";
                        out.findings.push_back(std::move(f));
                    });
            }
        }

        if (m_max_length_m) {
            double length = 0;
            for (std::size_t i = 1; i < pts.size(); ++i)
                if (counted[i] && counted[i - 1]) length += geo::distance(pts[i - 1].position, pts[i].position).value;
            if (length > *m_max_length_m) {
                Finding f = base(t, first_counted, last_counted, t.flight_id, "length");
                f.measured = length / 1000.0;
                f.limit = *m_max_length_m / 1000.0;
                f.explanation_template = "flight {target} flew {measured|1} km from {from} to {last}, more than the maximum of {limit|1} km "
                                         "{rule_ref}: violation; certain";
                out.findings.push_back(std::move(f));
            }
        }

        for (std::size_t line : m_border_lines) {
            const auto& index = m_zones->line_segments(line);
            const std::string& line_id = m_zones->lines()[line].id.str();
            std::vector<double> d(pts.size(), INFINITY);
            for (std::size_t i = 0; i < pts.size(); ++i)
                if (counted[i]) {
                    auto n = index.distance_within(pts[i].position, Meters{m_min_border_m});
                    if (n.found) d[i] = n.distance.value;
                }
            for_each_run(
                pts.size(), [&](std::size_t i) { return d[i] < m_min_border_m; },
                [&](std::size_t a, std::size_t b) {
                    std::size_t near = a;
                    for (std::size_t k = a; k <= b; ++k)
                        if (d[k] < d[near]) near = k;
                    Finding f = base(t, a, b, line_id, "border");
                    f.location = pts[near].position;
                    f.measured = d[near] / 1000.0;
                    f.limit = m_min_border_m / 1000.0;
                    f.explanation_template = "flight {record} came within {measured_distance} of {target} (at least {limit_distance} required) at "
                                             "{position} between {from} and {last} {rule_ref}: violation; certain";
                    out.findings.push_back(std::move(f));
                });
        }
    }
}

} // namespace avf::fusion
