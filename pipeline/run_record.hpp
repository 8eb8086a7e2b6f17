// A compliance run as the store keeps it: its provenance (the options as JSON, the tool version,
// every input file with its SHA-256, size and record counts), its content digest (regime, zone
// set and input files: the same inputs give the same digest) and the run id made from it, the
// summary counted from its findings, and the store transaction that publishes all of it at once.
//
//   std::future<std::vector<std::string>> hashes = hash_files(options.detections, threads > 1);
//   RunTally tally(result, options.keep_findings, options.keep_problems);
//   RunRecord record(options, inputs, result, threads);   // provenance and content digest; no I/O
//   storage::RunWriter& writer = record.begin();          // locks the store, picks a fresh run id
//   ... writer.prepare_findings / write / append_problems, tally.finding(f) ...
//   record.commit(result, inputs, std::move(coverage));   // summary, imagery, commit; result.run_id
#pragma once

#include "core/explanation.hpp"
#include "core/records.hpp"
#include "pipeline/run_inputs.hpp"
#include "pipeline/run_options.hpp"
#include "storage/store.hpp"

#include <cstddef>
#include <future>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace avf::pipeline {

/// The files' SHA-256 (hex), in order: computed on another thread when `parallel` (alongside the
/// evaluation), else when the future is asked.
std::future<std::vector<std::string>> hash_files(std::vector<std::string> paths, bool parallel);

/// "run-<started, compact UTC>Z-<first 8 hex digits of the content digest>".
std::string make_run_id(UtcTime started, const std::string& content_digest);

/// The findings in output order counted per rule, kind and certainty (the run's summary), and the
/// first of them and of the problems sampled into the result.
class RunTally {
public:
    /// `waivers`: the regime's waiver bases, for the explanations of the findings kept.
    RunTally(RunResult& result, std::size_t keep_findings, std::size_t keep_problems, const WaiverBases& waivers)
        : m_result(result), m_keep_findings(keep_findings), m_keep_problems(keep_problems), m_waivers(waivers) {}

    /// Counts `f` and copies it into result.findings (its explanation rendered) while there are
    /// fewer than keep_findings, and when it is the first finding of its rule.
    void finding(const Finding& f);
    /// Copies problems into result.problems while there are fewer than keep_problems.
    void problems(const std::vector<Problem>& batch);
    /// The counts, in rule order.
    std::vector<storage::SummaryRow> summary() const;

private:
    RunResult& m_result;
    std::size_t m_keep_findings, m_keep_problems;
    const WaiverBases& m_waivers;
    std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> m_counts;
    std::set<std::string> m_rules_seen;
};

class RunRecord {
public:
    /// The run's header (provenance) and content digest, from the options, the inputs and the
    /// result's input files (with their SHA-256). Touches no file.
    RunRecord(const RunOptions& options, const RunInputs& inputs, const RunResult& result, int threads);
    ~RunRecord();
    RunRecord(const RunRecord&) = delete;
    RunRecord& operator=(const RunRecord&) = delete;

    /// Opens the store transaction (a working copy of the store, locked) and begins the run under
    /// a run id no run of the store has (make_run_id, then "-2", "-3"…).
    storage::RunWriter& begin();
    /// Writes the summary and record counts (result.summary, result.finished must be set) and,
    /// with imagery, the images, flights and `coverage`; finishes the run, commits the
    /// transaction and sets result.run_id. Without commit() nothing is published.
    void commit(RunResult& result, const RunInputs& inputs, std::vector<CoverageRecord> coverage);

    const std::string& content_digest() const { return m_content_digest; }

private:
    std::string m_store_path;
    const storage::SigningKey* m_sign_key = nullptr;
    storage::RunHeader m_header;
    std::string m_content_digest;
    std::unique_ptr<storage::StoreTransaction> m_tx;
    std::unique_ptr<storage::RunWriter> m_writer;
};

} // namespace avf::pipeline
