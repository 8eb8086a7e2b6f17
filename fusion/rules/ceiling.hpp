// `ceiling`: the count of the scoped classes in a zone must not exceed max_count, per window
// (default one UTC day) or per instant. Nested zones count an item in every enclosing zone.
//
//   [[rules]]
//   id = "buf-lva-tanks"; type = "ceiling"; article = "…"
//   zones = ["BUF-LVA"]
//   classes = ["battle_tank"]
//   max_count = 40                     # at most 40 (41 violates)
//   window = "P1D"                     # or aggregation = "instant"
//   per_party = false                  # true: one count per party
//   boundary = "inside"                # on the boundary counts as inside (default) | "outside"
#pragma once

#include "fusion/counting_rule.hpp"
#include "fusion/targets.hpp"

namespace avf::fusion {

class CeilingRule : public CountingRule {
public:
    CeilingRule(TomlReader& r, const RuleContext& context);
    void bind(const ZoneSetView& zones) override;
    void evaluate(const LocatedDetection& located, RuleState* state, std::vector<Finding>& out) const override;

private:
    std::string target_id(std::size_t target) const override;
    std::string target_template() const override;
    ZoneTargets m_targets;
    bool m_boundary_inside = true;
    const ZoneSetView* m_zones = nullptr;
};

} // namespace avf::fusion
