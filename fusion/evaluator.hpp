// Evaluates a regime's rules against detections: locate each detection once, let every rule see
// it, keep per-thread partial state, combine, finalize whole-run rules, and return findings in a
// stable order — identical for any thread count or chunking.
//
//   Evaluator ev(regime, view);                 // binds the rules (InputError on bad references)
//   auto local = ev.make_partial();             // one per chunk / thread
//   for (auto& d : chunk) ev.evaluate(d, local);
//   ev.combine(total, std::move(local));        // any order: aggregates do not depend on it
//   std::vector<Finding> findings = ev.finish(std::move(total));
//
// A streaming caller (pipeline/compliance_run.cpp) takes each partial's per-detection findings as
// they come, and the whole-run findings rule by rule with finalize(total, rule), so that no more
// than one rule's aggregate findings are in memory at once.
#pragma once

#include "fusion/counting_rule.hpp"
#include "fusion/fusion_inputs.hpp"
#include "fusion/regime.hpp"
#include "fusion/zone_set_view.hpp"

#include <memory>
#include <vector>

namespace avf::fusion {

/// The partial result of evaluating some detections.
struct Partial {
    std::vector<Finding> findings;                  ///< per-detection findings
    std::vector<std::unique_ptr<RuleState>> states; ///< one per rule (null for stateless rules)
    std::vector<geo::ZoneHit> scratch;              ///< reused per detection
};

class Evaluator {
public:
    /// `spill`: where aggregating rules spill the evidence of counted detections (default:
    /// $TMPDIR or /tmp, past 8 MiB per rule state).
    Evaluator(Regime& regime, const ZoneSetView& zones, const SpillOptions& spill = {});

    /// Hands declarations, de-duplication tolerances and coverage to the fusion rules; call before
    /// make_partial(). `inputs` (and what it points to) must outlive the evaluation.
    void attach(const FusionInputs& inputs);

    Partial make_partial() const;
    void evaluate(const Detection& d, Partial& partial) const;
    /// Adds `from`'s findings and aggregate state to `into`. Aggregates are sums (and evidence
    /// sorted at the end), so partials may be combined in any order.
    void combine(Partial& into, Partial&& from) const;
    /// Finalizes aggregating rules and sorts every finding (rule, target, time, id).
    std::vector<Finding> finish(Partial&& total) const;

    std::size_t rule_count() const { return m_regime.rules.size(); }
    /// The whole-run findings of one rule (none for per-detection rules), unsorted.
    std::vector<Finding> finalize(Partial& total, std::size_t rule) const;

    const Regime& regime() const { return m_regime; }

private:
    Regime& m_regime;
    const ZoneSetView& m_zones;
};

} // namespace avf::fusion
