// `airspace`: no-fly zones for aircraft and drones (Korea CMA 2018 art. 1 ¶3: no flights within
// 40 km (east) / 20 km (west) of the MDL for fixed-wing aircraft, 10 km for rotary-wing, 15/10 km
// for UAVs, 25 km for balloons; restricted airspace in general). It judges the tracks of the run
// (--tracks; ingest/track_reader.hpp: per track an id, party, category and timed fixes with altitude).
//
//   [[rules]]
//   id = "cma-no-fly"; type = "airspace"; article = "CMA (2018) art. 1 ¶3"
//   line = "MDL"                  # the zone is the band within a width of this reference line…
//   split_at = [127.0, 38.3]      # optional: a marker on the line (MDL marker 0646); widths are
//                                 #   then [before, after] it along the line (the MDL runs west → east)
//   width_km = { fixed_wing = [20, 40], rotary_wing = 10, uav = [10, 15], balloon = 25 }
//   # …or any zone polygons instead of line/width_km: zones = ["R-1"] (or zone_selector), with
//   # categories = ["uav"] (optional; empty: every track, categorized or not)
//   floor_m = 0; ceiling_m = 12000   # optional: the zone applies between these altitudes (metres
//                                    #   above mean sea level, both inclusive)
//   parties, valid_from/valid_to, waivers (parties, zones, validity: a waiver covers an incursion
//   whose whole span it covers) as for every rule.
//
// Between two fixes the aircraft moves along the geodesic at constant speed, its altitude and
// position error changing linearly with time. A band's penetration at a point p is w − d(p) for
// each part of the line (d the exact geodesic distance to that part, w its width for the track's
// category), the largest over the parts; a zone's is the signed distance to its boundary
// (positive inside). The track is inside where min(penetration, altitude − floor, ceiling −
// altitude) ≥ 0 — the edge belongs to the zone. That function changes along a leg at most K =
// max(leg length + change of the position error, change of altitude) per unit of the leg, so
// stepping by |value| / K never jumps over a crossing: entry and exit are found wherever they lie
// between the fixes (steps of at least 2 cm: an incursion less than 1 cm deep may be missed), then
// bisected to the millisecond (the first and the last instant inside).
//
// One finding per incursion (violation, target = the line or the zone): span = [entry, exit]
// (a track that starts or ends inside enters at its first / exits at its last fix), location = the
// deepest point, measured = the maximum horizontal penetration (km), limit = the width there (km,
// 0 for zones), evidence = the track with the fixes before the entry and after the exit. Certain
// when, at some point inside, the penetration exceeds the position error there; possible otherwise.
// A track that stays outside but comes within its position error of the zone is a possible
// finding too (measured negative: how far outside it stayed). Incursions are clipped to the rule's
// validity, the line's or zone's and the run's period.
#pragma once

#include "core/error.hpp"
#include "fusion/rule.hpp"
#include "fusion/targets.hpp"
#include "geo/segment_index.hpp"

#include <map>
#include <optional>
#include <set>

namespace avf::fusion {

class AirspaceRule : public Rule {
public:
    RuleSide side() const override { return RuleSide::imagery; }
    AirspaceRule(TomlReader& r, const RuleContext& context);
    void bind(const ZoneSetView& zones) override;
    void evaluate(const LocatedDetection&, RuleState*, std::vector<Finding>&) const override {}
    void evaluate_imagery(const ImageryRecords& in, ImageryOutputs& out) const override;

    /// The categories a track may have (ingest::aircraft_category's canonical names).
    static const std::vector<std::string>& categories();

private:
    struct Target;
    void evaluate_track(const FlightTrack& t, const Interval& period, std::vector<Finding>& out) const;

    // A band from a line
    std::string m_line_id;
    Context m_line_where;
    std::optional<GeoPoint> m_split;
    std::map<std::string, std::pair<double, double>> m_width; ///< category → metres [before, after] the split (equal without one)
    std::vector<geo::SegmentIndex> m_parts;                   ///< the line, or its parts before and after the split
    Interval m_line_valid;
    // …or zones
    bool m_zone_mode = false;
    ZoneTargets m_targets;
    std::set<std::string> m_categories; ///< zones: empty = every track
    std::optional<double> m_floor, m_ceiling;
    const ZoneSetView* m_zones = nullptr;
};

} // namespace avf::fusion
