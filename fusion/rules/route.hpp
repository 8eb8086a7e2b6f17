// `route`: an observation flight keeps to its mission plan (Open Skies art. VI and Annex E): the
// flown track stays within a corridor around the planned route, its total length stays within the
// maximum flight distance, and it stays at least D km from the border of a non-party state.
//
//   [[rules]]
//   id = "os-route"; type = "route"; article = "Open Skies art. VI ¶9"
//   corridor_km = 50.0           # optional: every fix within this distance of the planned route
//   max_length_km = 5500.0       # optional: total geodesic length of the track
//   border_lines = ["BORDER-X"]  # optional: reference lines of the zone set (non-party borders)
//   min_border_km = 10.0         # required with border_lines: every fix at least this far away
//   # at least one of corridor_km, max_length_km, border_lines
//
// Fixes count when their time is within the rule's validity and the run period. Distances are
// exact geodesic distances from each fix to the nearest segment of the route or border
// (geo::SegmentIndex); the straight legs between fixes are not sampled, so tracks should carry
// fixes every few kilometres. Exactly at a limit complies (≤ corridor, ≤ length, ≥ border distance).
//   * each run of consecutive fixes outside the corridor → one violation (measured = the largest
//     distance in km, location = that fix); a track without a planned route → unverifiable;
//   * track longer than max_length_km → one violation (measured = length in km);
//   * each run of consecutive fixes closer than min_border_km to a border line → one violation
//     per line (measured = the smallest distance).
// Evidence: the flight (record_kind "flight"), with the first and last fix of the run.
#pragma once

#include "core/error.hpp"
#include "fusion/rule.hpp"

#include <optional>

namespace avf::fusion {

class RouteRule : public Rule {
public:
    RuleSide side() const override { return RuleSide::imagery; }
    RouteRule(TomlReader& r, const RuleContext& context);
    void bind(const ZoneSetView& zones) override;
    void evaluate(const LocatedDetection&, RuleState*, std::vector<Finding>&) const override {}
    void evaluate_imagery(const ImageryRecords& in, ImageryOutputs& out) const override;

private:
    std::optional<double> m_corridor_m, m_max_length_m;
    std::vector<std::string> m_border_ids;
    double m_min_border_m = 0.0;
    Context m_border_where;
    std::vector<std::size_t> m_border_lines;
    const ZoneSetView* m_zones = nullptr;
};

} // namespace avf::fusion
