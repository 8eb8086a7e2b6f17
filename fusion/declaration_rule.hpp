// Base of the rules of the declarations side (RuleSide::declarations: declaration_match,
// notification), which compare what was observed with what was declared. During the streaming
// detection pass each thread keeps only the in-scope detections of the rule's classes, as compact
// Sightings; the states are concatenated by combine() in any order, and finalize() sorts them
// canonically (fusion/dedup.hpp) before anything depends on their order — so the findings do not
// depend on the thread count, the block size or the order of the input files.
#pragma once

#include "fusion/dedup.hpp"
#include "fusion/fusion_inputs.hpp"
#include "fusion/rule.hpp"

#include <vector>

namespace avf::fusion {

class SightingState : public RuleState {
public:
    std::vector<Sighting> sightings;
};

class DeclarationRule : public Rule {
public:
    RuleSide side() const override { return RuleSide::declarations; }
    std::unique_ptr<RuleState> make_state() const override { return std::make_unique<SightingState>(); }
    void evaluate(const LocatedDetection& located, RuleState* state, std::vector<Finding>& out) const override;
    void combine(RuleState& into, RuleState&& from) const override;
    void save_state(RuleState& state, spill::ByteWriter& out) const override;
    void load_state(RuleState& into, spill::ByteReader& in) const override;
    void attach(const FusionInputs& inputs) override { m_inputs = inputs; }

protected:
    /// The de-duplicated observations of the run (canonical order); empties the state.
    std::vector<MergedObservation> observations(RuleState* state) const;
    /// The declarations handed to the run (empty when none).
    const std::vector<Declaration>& declarations() const;
    /// True when the declaration is in the rule's scope (class, party) and valid during the rule.
    bool declaration_in_scope(const Declaration& d) const;
    /// Without declarations (none given to the run, as opposed to an empty file) nothing can be
    /// matched: the rule reports one `unverifiable` finding saying so, instead of calling every
    /// observation undeclared or every activity not notified. Returns true when it did (the state
    /// is then emptied).
    bool report_missing_declarations(RuleState* state, std::vector<Finding>& out) const;
    /// Reads `aggregation`: "window" (default: the peak over windows, `window` long) or "period"
    /// (summed over the declaration's or activity's whole period; no `window` then). Returns
    /// true for "period".
    static bool read_aggregation(TomlReader& r);

    FusionInputs m_inputs;
    bool m_period = false; ///< aggregation = "period"
};

/// The evidence record of a declaration (record_kind "declaration").
Evidence evidence_of(const Declaration& d);

} // namespace avf::fusion
