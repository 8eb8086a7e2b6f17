// Evaluates a regime's rules against detections: locate each detection once, let every rule see
// it, keep per-thread partial state, combine in input order, finalize whole-run rules, and
// return findings in a stable order — identical for any thread count or chunking.
//
//   Evaluator ev(regime, view);                 // binds the rules (InputError on bad references)
//   auto local = ev.make_partial();             // one per chunk / thread
//   for (auto& d : chunk) ev.evaluate(d, *local);
//   ev.combine(total, std::move(*local));       // in input order
//   std::vector<Finding> findings = ev.finish(std::move(total));
#pragma once

#include "fusion/regime.hpp"
#include "fusion/zone_set_view.hpp"

#include <memory>
#include <vector>

namespace avf::fusion {

/// The partial result of evaluating some detections.
struct Partial {
    std::vector<Finding> findings;                 ///< per-detection findings
    std::vector<std::unique_ptr<RuleState>> states; ///< one per rule (null for stateless rules)
    std::vector<geo::ZoneHit> scratch;             ///< reused per detection
};

class Evaluator {
public:
    Evaluator(Regime& regime, const ZoneSetView& zones);

    Partial make_partial() const;
    void evaluate(const Detection& d, Partial& partial) const;
    void combine(Partial& into, Partial&& from) const;
    /// Finalizes aggregating rules and sorts every finding (rule, target, time, id).
    std::vector<Finding> finish(Partial&& total) const;

    const Regime& regime() const { return m_regime; }

private:
    Regime& m_regime;
    const ZoneSetView& m_zones;
};

} // namespace avf::fusion
