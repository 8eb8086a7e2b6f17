// `prohibited`: items of the scoped classes and parties inside the rule's zones are violations
// (DMZ: nothing military; Sinai Zone C: no tanks; Golan: no missiles within 25 km).
//
//   [[rules]]
//   id = "dmz-1"; type = "prohibited"; article = "Armistice art. I ¶6"
//   zones = ["DMZ-N", "DMZ-S"]        # or zone_selector = { kind = "dmz" }
//   classes = []                       # empty: every class of the taxonomy
//   boundary = "inside"                # a detection exactly on the boundary is in the zone (default) | "outside"
//
// One finding per detection and zone: certain when the whole uncertainty disk is inside,
// possible when the disk straddles the boundary. `measured` is the depth inside the zone in km
// (negative when the centre lies outside), `limit` 0.
#pragma once

#include "fusion/rule.hpp"
#include "fusion/targets.hpp"

namespace avf::fusion {

class ProhibitedRule : public Rule {
public:
    RuleSide side() const override { return RuleSide::detections; }
    ProhibitedRule(TomlReader& r, const RuleContext& context);
    void bind(const ZoneSetView& zones) override;
    void evaluate(const LocatedDetection& located, RuleState* state, std::vector<Finding>& out) const override;

private:
    ZoneTargets m_targets;
    bool m_boundary_inside = true;
    const ZoneSetView* m_zones = nullptr;
};

} // namespace avf::fusion
