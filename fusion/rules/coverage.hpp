// `coverage`: each selected zone must be observed over at least a fraction F of its area
// (geodesic) by footprints with a ground resolution no coarser than g, within every period T.
// Absence of evidence is never reported as compliance: a zone that was not imaged well enough
// gets a `coverage_gap` finding with the fraction achieved, and the part left unimaged is stored.
//
//   [[rules]]
//   id = "dmz-coverage"; type = "coverage"; article = "Verification protocol §3"
//   zones = ["DMZ-N", "DMZ-S"]          # or zone_selector = { kind = "dmz" }
//   min_fraction = 0.9                  # F, in (0, 1]; a zone at exactly F is covered. Absent: the
//                                       # rule reports fractions only (coverage table), never a gap
//   max_gsd_m = 1.0                     # g: images with gsd ≤ g count (default: any resolution)
//   period = "14d"                      # T: windows aligned to the epoch (default: the whole run period)
//   sensors = ["optical", "sar"]        # sensor categories that count (default: all)
//   parties = ["USA"]                   # observing parties whose images count (default: all)
//
// The assessed interval is the run period (--from/--to) within the rule's validity; an unbounded
// end is taken from the images (earliest / latest acquisition start of any image). An image counts
// in the window holding its acquisition start. Per zone and window (skipped where the zone is not
// valid): coverage = union of the counted footprints ∩ zone (geo::coverage), one CoverageRecord
// (fraction, best GSD, last observed, images, uncovered part), and a coverage_gap finding when the
// fraction is below F (measured = fraction, limit = F, unit "fraction"; evidence: the images
// whose footprints touch the zone; location: a point of the uncovered part). Without F the
// records are written with required_fraction NaN and no finding: the finding vocabulary judges
// (violation, discrepancy, gap…), and a rule that sets no minimum has nothing to judge.
#pragma once

#include "fusion/rule.hpp"
#include "fusion/targets.hpp"

#include <optional>

namespace avf::fusion {

class CoverageRule : public Rule {
public:
    RuleSide side() const override { return RuleSide::imagery; }
    CoverageRule(TomlReader& r, const RuleContext& context);
    void bind(const ZoneSetView& zones) override;
    void evaluate(const LocatedDetection&, RuleState*, std::vector<Finding>&) const override {}
    void evaluate_imagery(const ImageryRecords& in, ImageryOutputs& out) const override;

private:
    ZoneTargets m_targets;
    std::optional<double> m_min_fraction; ///< F; absent: fractions are reported (coverage table), never judged
    std::optional<double> m_max_gsd;
    std::optional<Duration> m_period;
    std::vector<SensorCategory> m_sensors;
    const ZoneSetView* m_zones = nullptr;
};

} // namespace avf::fusion
