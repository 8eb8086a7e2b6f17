// `standoff`: items of the scoped classes must stay at least D km (geodesic) from a reference
// line. The line can differ by party, and D by part of the line.
//
//   [[rules]]
//   id = "arty-20km"; type = "standoff"; article = "…"
//   classes = ["artillery", "mlrs"]
//   line = "MDL"                          # default line, or a list: the nearest of them counts
//   line_by_party = { PRK = "MDL" }       # optional, per declared party (a line id or a list; codes case-insensitive)
//   distance_km = 20.0                    # the standoff everywhere not covered by segments
//   at_limit = "compliant"                # exactly D km away complies (default) | "violation"
//   [[rules.segments]]                    # optional: D by part of the line
//   to_vertex = 646                       # vertices [from_vertex, to_vertex] of part `part` (default 0)
//   distance_km = 20.0                    # or to_point = [lon, lat]: up to the vertex nearest that point
//
// Distance is the exact geodesic distance to the nearest segment (geo::SegmentIndex). Certain
// when the whole uncertainty disk is closer than D (d + r < D), possible when part of it is.
//
// The yes/no is a lookup first: each line has a geo::DistanceGrid (built at bind, reaching
// grid_margin past the rule's largest D) whose conservative bound rules out, without a geodesic,
// every line surely farther than D + r — for most detections all of them. Only the lines that may
// be within the limit are solved exactly, the most likely worst first, and a line that cannot be
// the worst is not solved: the exact distance is computed for flagged detections and near the
// limit. The answers (flags, distances, certainty) are those of solving every line.
#pragma once

#include "core/error.hpp"
#include "fusion/rule.hpp"

#include <map>
#include <memory>

namespace avf::geo {
class DistanceGrid;
}

namespace avf::fusion {

class StandoffRule : public Rule {
public:
    RuleSide side() const override { return RuleSide::detections; }
    StandoffRule(TomlReader& r, const RuleContext& context);
    void bind(const ZoneSetView& zones) override;
    void evaluate(const LocatedDetection& located, RuleState* state, std::vector<Finding>& out) const override;

private:
    struct Segment {
        std::size_t part = 0;
        std::optional<std::size_t> from_vertex, to_vertex;
        std::optional<GeoPoint> to_point;
        double distance_m = 0.0;
        // bound: segment index range [first, last) of the part
        std::size_t first = 0, last = 0;
    };
    struct BoundLine {
        std::size_t line = 0;
        std::vector<Segment> groups;                   // resolved; a default group covers the rest
        std::shared_ptr<const geo::DistanceGrid> grid; // shared by the BoundLines of one line
    };
    // How far the grids reach past the largest standoff: uncertainty radii up to it are decided
    // by the lookup.
    static constexpr double grid_margin = 10'000.0; // metres
    struct Closest {
        const BoundLine* line = nullptr;
        const Segment* group = nullptr;
        double distance = 0.0;
    };
    Closest closest(const std::vector<BoundLine>& lines, const Detection& d) const;
    BoundLine bind_line_groups(const ZoneSetView& zones, const std::string& id) const;

    std::vector<std::string> m_line;
    PartyMap<std::vector<std::string>> m_line_by_party; ///< declared parties (case-insensitive)
    std::optional<double> m_distance_m;
    bool m_at_limit_violates = false;
    std::vector<Segment> m_segments;
    Context m_where;
    const ZoneSetView* m_zones = nullptr;
    std::vector<BoundLine> m_default;
    PartyMap<std::vector<BoundLine>> m_by_party;
};

} // namespace avf::fusion
