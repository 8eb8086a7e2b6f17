// `declaration_match` (rule type 8): observations against the parties' declarations.
//
//   [[rules]]
//   id = "decl-match"; type = "declaration_match"; article = "VD11 ch. I (annual exchange)"
//   classes = ["battle_tank", "artillery"]   # scope, as every rule
//   kinds = ["deployment", "exercise", "movement"]  # declaration kinds matched (default: these three)
//   tolerance_m = 500          # added to the declared radius / around the declared area (default 0)
//   time_tolerance = "PT12H"   # added to each end of a declaration's validity (default 0)
//   count_tolerance = 0.1      # fraction of the declared quantity (default 0.1)
//   count_tolerance_abs = 1    # items (default 0); the allowed difference is the larger of the two
//   min_coverage = 0.9         # fraction of a declaration's area that must be imaged to call it unconfirmed (default 0.9)
//   window = "P1D"             # a declared quantity is compared per window, by its peak (default P1D, UTC days)
//   aggregation = "window"     # or "period": one window, the declaration's whole period, summed (no `window` then)
//   max_gsd_m = 1.0            # images count as coverage when their GSD is at most this (default 1 m)
//
// Method (docs/decisions.md, "Declarations and fusion"):
//   1. Detections in scope are de-duplicated (fusion/dedup.hpp) into observations.
//   2. An observation and a declaration are compatible when the class is the same, the party is
//      the same or the observation's party is unknown, the observation's time is within the
//      declaration's validity (± time_tolerance), and its position is within the declared place
//      enlarged by tolerance_m (point: radius + tolerance from the centre; polygon or site:
//      inside, or at most tolerance from the boundary). All limits inclusive.
//   3. Greedy allocation by distance, per window (a declared quantity is what is there at any
//      time: each window starts from the full quantity; a declaration's observed count is its peak
//      over windows, never a sum over days): within a window every compatible pair is sorted by (distance to the declared
//      place — to the centre for a point, 0 inside a polygon —, declaration id, observation's
//      canonical position) and visited in that order; each pair moves min(items of the observation
//      not yet matched, quantity of the declaration not yet used) from one to the other. Greedy is
//      not optimal in total distance; it is deterministic and its tie-break is stable.
//   4. Items of an observation left over: when it had compatible declarations (all used up) they
//      are counted as observed in excess at the nearest of them; otherwise the observation is
//      `undeclared` (a discrepancy; `possible` when its uncertainty disk reaches a declaration
//      it did not match or its party is unknown — it may be another party's —, `certain` otherwise).
//   5. Per declaration, observed = matched + excess in its peak window (sums saturate, never wrap;
//      the explanation names the day(s) the peak was seen). Nothing observed: `unconfirmed` (discrepancy)
//      when coverage says at least min_coverage of its place was imaged in its window;
//      `coverage_gap` when imagery exists but less was imaged; `unverifiable` when the run has no
//      imagery — never compliant. Otherwise |observed − declared| beyond the tolerance is a
//      `count_mismatch` (discrepancy; observed < declared is only `possible` without coverage).
//      A declaration at a site that is not in the zone set is `unverifiable`.
// Findings name the sub-kind, the measured and the declared values, the declaration ids (cited as
// evidence, record kind "declaration") and the support (fusion/confidence.hpp).
#pragma once

#include "fusion/declaration_rule.hpp"

#include <set>
#include <string>

namespace avf::fusion {

class DeclarationMatchRule : public DeclarationRule {
public:
    DeclarationMatchRule(TomlReader& r, const RuleContext& context);
    void bind(const ZoneSetView& zones) override { m_zones = &zones; }
    void finalize(RuleState* state, std::vector<Finding>& out) const override;

private:
    std::set<std::string> m_kinds;
    double m_tolerance_m = 0.0;
    Duration m_time_tolerance{0};
    double m_count_tolerance = 0.1;
    std::int64_t m_count_tolerance_abs = 0;
    double m_min_coverage = 0.9;
    Duration m_window{86'400'000};
    double m_max_gsd_m = 1.0;
    const ZoneSetView* m_zones = nullptr;
};

} // namespace avf::fusion
