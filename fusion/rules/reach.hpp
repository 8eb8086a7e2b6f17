// `reach`: missiles that can strike what they must not (INF ranges; the 2021 draft treaties: no
// intermediate- or shorter-range missiles where they can hit the other party). The classes in
// scope are those with a range in [classes] (`range_km`, core/taxonomy.hpp), optionally only those
// whose range falls in a band.
//
//   [[rules]]
//   id = "no-reach-baltic"; type = "reach"; article = "draft treaty (2021) art. 4"
//   zones = ["POL", "LTU", "LVA", "EST"]  # the protected territories (or zone_selector)
//   classes = ["ssc8", "iskander_m"]      # empty: every class with a range_km
//   range_km_min = 500                    # optional band: only classes whose range (declared or
//   range_km_max = 5500                   #   assessed) falls in [min, max]
//   check = "reach"                       # default; "deployed": items in the zones themselves
//
// check = "reach": a launcher whose geodesic range disk reaches a protected zone is a violation,
// one finding per detection and zone reached. The distance d is the exact geodesic distance from
// the detection to the zone (0 inside or on its boundary; ZoneSetView::distance_to_boundary,
// capped just past the largest range); a range R reaches when d ≤ R. Certain when every figure
// (declared, and the assessed interval's low end) reaches the whole uncertainty disk (d + r ≤
// smallest), possible when some figure reaches part of it (d − r ≤ largest). `measured` = d (km),
// `limit` = the class's largest range (km).
//
// check = "deployed": items of the classes in the band inside the zones are violations, as for
// `prohibited` ("no class with range in [500, 5500] km deployed in area X"): the disk's relation
// to the zone (the boundary belongs to the zone), and the class's membership of the band — certain
// when every figure lies in it, possible when only some do (9M729: 480 km declared, 500–5,500 km
// assessed). `measured` = depth inside the zone (km, negative outside), `limit` 0.
#pragma once

#include "core/taxonomy.hpp"
#include "fusion/rule.hpp"
#include "fusion/targets.hpp"

#include <map>

namespace avf::fusion {

class ReachRule : public Rule {
public:
    RuleSide side() const override { return RuleSide::detections; }
    ReachRule(TomlReader& r, const RuleContext& context);
    void bind(const ZoneSetView& zones) override;
    void evaluate(const LocatedDetection& located, RuleState* state, std::vector<Finding>& out) const override;

private:
    struct InScope {
        const ClassRange* range = nullptr;
        Certainty in_band = Certainty::certain; ///< certain without a band
        std::string band_basis;                 ///< which figures lie in the band ("" without a band)
    };
    void evaluate_reach(const Detection& d, const InScope& c, const std::vector<geo::ZoneHit>& hits, std::vector<Finding>& out) const;
    void evaluate_deployed(const Detection& d, const InScope& c, const std::vector<geo::ZoneHit>& hits, std::vector<Finding>& out) const;

    ZoneTargets m_targets;
    bool m_deployed = false;
    std::optional<double> m_band_min, m_band_max; ///< metres
    std::map<std::string, InScope> m_in_scope;    ///< canonical class → its range and band membership
    const ZoneSetView* m_zones = nullptr;
};

} // namespace avf::fusion
