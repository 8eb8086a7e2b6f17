#include "pipeline/whole_run_rules.hpp"

#include "fusion/imagery.hpp"

#include <limits>

namespace avf::pipeline {

std::vector<CoverageRecord> evaluate_whole_run(RunInputs& inputs, DetectionPass::Output& pass, bool with_detections, FindingSpool& into,
                                               RunResult& result) {
    const fusion::Evaluator& evaluator = *inputs.evaluator;
    // Whole-run findings come after every detection's, in the order they are made.
    constexpr std::uint64_t after_every_detection = std::numeric_limits<std::uint64_t>::max();
    std::uint32_t k = 0;

    fusion::Partial total = evaluator.make_partial();
    for (auto& w : pass.workers) evaluator.combine(total, std::move(w->partial));
    for (std::size_t r = 0; r < evaluator.rule_count(); ++r)
        for (auto& f : evaluator.finalize(total, r)) into.add(Sequenced{after_every_detection, k++, std::move(f)});
    total = fusion::Partial{};

    // The imagery-side rules, once, after the detections (sorted, deterministic).
    const fusion::Regime& regime = inputs.regime;
    fusion::ImageryOutputs observed;
    if (inputs.with_imagery)
        observed = fusion::evaluate_imagery(
            regime, fusion::ImageryRecords{inputs.imagery.images, inputs.imagery.tracks, inputs.imagery.routes, inputs.period});
    else
        for (const auto& rule : regime.rules)
            if (rule->side() == fusion::RuleSide::imagery) result.imagery_rules_skipped.push_back(rule->id());
    if (!with_detections)
        for (const auto& rule : regime.rules)
            if (rule->side() != fusion::RuleSide::imagery) result.rules_without_detections.push_back(rule->id());
    for (auto& f : observed.findings) into.add(Sequenced{after_every_detection, k++, std::move(f)});
    observed.findings.clear();
    for (auto& p : inputs.imagery.problems) pass.problems->add(std::move(p));
    inputs.imagery.problems.clear();
    result.coverage = observed.coverage;
    return std::move(observed.coverage);
}

} // namespace avf::pipeline
