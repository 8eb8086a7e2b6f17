// The compliance run: detections × regime × zone set → findings with evidence, stored as one
// committed run. Streaming, with memory bounded by the blocks in flight, not by the input size.
// run() is the sequence of its stages, each in its own file:
//
//   RunInputs            run_inputs.hpp       regime, zone set, imagery, declarations: read first
//   evaluate_detections  detection_pass.hpp   read ─► parse ─► admit ─► evaluate (oneTBB pipeline),
//                                             twice when ids repeat (id_digests.hpp)
//   evaluate_whole_run   whole_run_rules.hpp  aggregates finalized; sensor, route, coverage rules
//   FindingMerge         finding_merge.hpp    per-thread sorted spools (finding_spool.hpp), k-way
//   WriterThread         writer_thread.hpp    one thread writes what the merging thread prepares
//   RunRecord            run_record.hpp       provenance, content digest, run id, transaction
//
// Findings are merged from the sorted spools by (rule, target, time, id) and handed through a
// bounded queue to the writer thread; problems (problem_spool.hpp) follow in input order; the
// run is committed. Findings, problems, id digests and counted evidence spill to anonymous
// temporary files past their memory budgets.
//
// Imagery, tracks and routes (--imagery/--tracks/--routes) are read before the detections; the
// rules about them (sensor_limit, route, coverage) are evaluated once after the detection pass and
// their findings merged into the same order; a detection whose source_record names an image gets
// that image as evidence (link_image); images, flights and coverage are stored with the run.
//
// Every input kind is optional, as long as there is one (detections, imagery, tracks, routes or
// declarations); the zone set too, when the regime refers to no zone or line (load_zone_set): the
// run then records an empty zone set name, and creates the store when it does not exist.
//
// Output is identical for any thread count and block or batch size: every finding carries the
// input position of its detection, and ties in the output order are broken by it.
//
//   avf::pipeline::RunOptions opt;
//   opt.regime_path = "regime.toml"; opt.store_path = "avf.h5"; opt.detections = {"d.csv"};
//   avf::pipeline::ComplianceRun run(opt);   // checks options; no I/O
//   avf::pipeline::RunResult r = run.run();  // reads, evaluates, writes /runs/<id>
#pragma once

#include "pipeline/detection_pass.hpp"
#include "pipeline/run_inputs.hpp" // load_zone_set, bind_regime (also for `avf regime check`)
#include "pipeline/run_options.hpp"

#include <functional>

namespace avf::pipeline {

class ComplianceRun {
public:
    /// The detection side of the run (default: evaluate_detections).
    using DetectionStage = std::function<DetectionPass::Output(const RunInputs& inputs, const std::string& temp_dir, int threads,
                                                               const RunProgress& progress, std::vector<InputCounts>& counts)>;

    /// Checks the options without touching a file; throws UsageError.
    explicit ComplianceRun(RunOptions options);
    RunResult run();

    /// Replaces the detection pass: a distributed run's rank 0 evaluates its share there and adds
    /// the other ranks' partial states, findings and problems (distributed.hpp).
    void set_detection_stage(DetectionStage stage) { m_detection_stage = std::move(stage); }

private:
    RunOptions m_options;
    DetectionStage m_detection_stage;
};

} // namespace avf::pipeline
