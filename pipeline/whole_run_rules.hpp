// The findings of a compliance run that no single detection gives, evaluated once after the
// detection pass: the aggregates of the detection rules (counts in zones, declarations, notified
// activities — each thread's fusion::Partial combined, then finalized rule by rule) and the
// imagery side's rules (sensor_limit, route, coverage: fusion::evaluate_imagery). Their
// findings are sequenced after every detection's, in that order, so they merge into the same
// output order; the imagery side's problems follow the detections'.
//
//   FindingSpool whole_run(temp_dir, options.spill_bytes);
//   std::vector<CoverageRecord> coverage = evaluate_whole_run(inputs, pass, whole_run, result);
//   // result.coverage, imagery_rules_skipped, rules_without_detections are filled
#pragma once

#include "core/records.hpp"
#include "pipeline/detection_pass.hpp"
#include "pipeline/finding_spool.hpp"
#include "pipeline/run_inputs.hpp"
#include "pipeline/run_options.hpp"

#include <vector>

namespace avf::pipeline {

/// Combines the pass's per-thread aggregates (consumed: sums, any order) and finalizes every rule
/// into `into`; then, when the run has imagery, tracks or routes, evaluates the imagery side's
/// rules into `into` and moves its problems to the pass's problems — without any, its rules are
/// not evaluated and are named in result.imagery_rules_skipped (rather than reporting every
/// zone unimaged). Returns the coverage records (a copy is in result.coverage).
std::vector<CoverageRecord> evaluate_whole_run(RunInputs& inputs, DetectionPass::Output& pass, bool with_detections, FindingSpool& into,
                                               RunResult& result);

} // namespace avf::pipeline
