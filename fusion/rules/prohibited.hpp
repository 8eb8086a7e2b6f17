// `prohibited`: items of the scoped classes and parties inside the rule's zones are violations
// (DMZ: nothing military; Sinai Zone C: no tanks; Golan: no missiles within 25 km).
//
//   [[rules]]
//   id = "dmz-1"; type = "prohibited"; article = "Armistice art. I ¶6"
//   zones = ["DMZ-N", "DMZ-S"]        # or zone_selector = { kind = "dmz" }
//   classes = []                       # empty: every class of the taxonomy
//   boundary = "inside"                # a detection exactly on the boundary is in the zone (default) | "outside"
//   depth_horizon_km = 10.0            # depths are exact below this (default 10 km)
//
// One finding per detection and zone: certain when the whole uncertainty disk is inside,
// possible when the disk straddles the boundary. `measured` is the depth inside the zone in km
// (negative when the centre lies outside), `limit` 0. The depth is exact below the horizon; a
// boundary at least the horizon away is recorded as ±horizon ("at least 10.0 km inside DMZ"),
// which the zone grid decides for most points without any geodesic.
#pragma once

#include "fusion/rule.hpp"
#include "fusion/targets.hpp"

namespace avf::fusion {

class ProhibitedRule : public Rule {
public:
    static constexpr Meters default_depth_horizon = kilometers(10.0);

    RuleSide side() const override { return RuleSide::detections; }
    ProhibitedRule(TomlReader& r, const RuleContext& context);
    void bind(const ZoneSetView& zones) override;
    void evaluate(const LocatedDetection& located, RuleState* state, std::vector<Finding>& out) const override;

private:
    ZoneTargets m_targets;
    bool m_boundary_inside = true;
    Meters m_depth_horizon = default_depth_horizon;
    const ZoneSetView* m_zones = nullptr;
};

} // namespace avf::fusion
