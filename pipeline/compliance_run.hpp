// The compliance run: detections × regime × zone set → findings with evidence, stored as one
// committed run. Streaming: detections are read in batches by a serial stage (which also drops
// duplicate ids and records outside the period, in input order), evaluated in parallel with
// per-batch partial state, and combined in input order; whole-run rules are finalized at the
// end. Output is identical for any thread count and batch size.
//
//   avf::pipeline::RunOptions opt;
//   opt.regime_path = "regime.toml"; opt.store_path = "avf.h5"; opt.detections = {"d.csv"};
//   avf::pipeline::ComplianceRun run(opt);   // checks options; no I/O
//   avf::pipeline::RunResult r = run.run();  // reads, evaluates, writes /runs/<id>
#pragma once

#include "core/problem.hpp"
#include "core/records.hpp"
#include "storage/store.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace avf::pipeline {

struct Progress {
    std::uint64_t bytes_read = 0, bytes_total = 0;
    std::uint64_t records = 0;
    double seconds = 0.0;
};

struct RunOptions {
    std::string regime_path;
    std::string store_path;
    std::string zone_set;                      ///< "" = the newest zone set in the store
    std::vector<std::string> detections;
    std::optional<UtcTime> from, to;           ///< period [from, to); detections outside are counted, not evaluated
    int threads = 0;                           ///< 0 = every core
    std::size_t batch_size = 16'384;           ///< detections per batch (any value gives the same findings)
    bool strict = false;                       ///< stop at the first rejected record
    bool dry_run = false;                      ///< evaluate but write nothing to the store
    std::function<void(const Progress&)> progress; ///< called from the reading stage; may be empty
};

struct InputCounts {
    std::string path;
    std::string sha256;
    std::uint64_t size = 0;
    std::uint64_t read = 0, rejected = 0, outside_period = 0, evaluated = 0;
};

struct RunResult {
    std::string run_id;                        ///< "" on a dry run
    std::string zone_set;
    std::string regime_id;
    UtcTime started, finished;
    std::vector<InputCounts> inputs;
    std::vector<Finding> findings;             ///< sorted (rule, target, time, id)
    std::vector<Problem> problems;
    std::vector<storage::SummaryRow> summary;
};

class ComplianceRun {
public:
    /// Checks the options without touching a file; throws UsageError.
    explicit ComplianceRun(RunOptions options);
    RunResult run();

private:
    RunOptions m_options;
};

/// Findings counted per rule, kind and certainty, in rule order.
std::vector<storage::SummaryRow> summarize(const std::vector<Finding>& findings);

} // namespace avf::pipeline
