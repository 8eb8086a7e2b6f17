#include "pipeline/compliance_run.hpp"

#include "core/error.hpp"
#include "core/spill/spill_file.hpp"
#include "pipeline/detection_pass.hpp"
#include "pipeline/finding_merge.hpp"
#include "pipeline/run_progress.hpp"
#include "pipeline/run_record.hpp"
#include "pipeline/whole_run_rules.hpp"
#include "pipeline/writer_thread.hpp"

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>

#include <chrono>
#include <cstdlib>
#include <exception>

namespace avf::pipeline {
namespace {

constexpr std::size_t write_batch = 8192; // findings or problems per batch handed to the writer

// The clock of the run's started and finished times. AVF_TEST_RUN_CLOCK (ISO-8601 UTC) pins both,
// so that two runs over the same inputs give the same commit record and chain row byte for byte
// (tests/mpi: the distributed run against the plain one; docs/mpi.md). A test hook: such a run
// records the pinned time as its own.
UtcTime now() {
    if (const char* pinned = std::getenv("AVF_TEST_RUN_CLOCK")) {
        if (auto t = parse_utc(pinned)) return *t;
        throw UsageError(std::string("AVF_TEST_RUN_CLOCK '") + pinned + "' is not an ISO-8601 UTC time");
    }
    return UtcTime{std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count()};
}

std::uint64_t total_size(const std::vector<InputCounts>& files) {
    std::uint64_t n = 0;
    for (const auto& in : files) n += in.size;
    return n;
}

// The findings in output order and then the problems, through the writer thread: counted and
// sampled into the result on the way. The first error of either thread is the one thrown.
void write_findings_and_problems(FindingMerge& merge, ProblemSpool& problems, storage::RunWriter& writer, RunTally& tally, const RunResult& result,
                                 const RunProgress& progress, bool threaded) {
    WriterThread out(WriterThread::writing_to(writer), threaded);
    try {
        // Each finding is counted and encoded where the merge holds it, while it is in the cache
        // (a batch of Finding objects was out of the cache again by the time it was encoded).
        const auto use = [&](const Finding& f) {
            tally.finding(f);
            writer.encode_finding(f);
        };
        // As a finding comes to the head of its stream, its record's slot in the records index is
        // loaded (RunWriter::prefetch): it is used ~one finding per stream later, and the lookup
        // was the merging thread's largest cost, a cache miss per finding.
        const auto ahead = [&](const Finding& f) { writer.prefetch(f); };
        while (merge.visit(use, ahead)) {
            if (writer.encoded_findings() == write_batch) {
                out.push(writer.prepare_encoded());
                progress.writing(result.finding_count);
            }
        }
        if (writer.encoded_findings() != 0) out.push(writer.prepare_encoded());
        problems.drain(write_batch, [&](std::vector<Problem>&& ps) {
            tally.problems(ps);
            out.push(std::move(ps));
        });
        out.finish();
    } catch (...) {
        out.fail(std::current_exception()); // the first error of either thread, as thrown
    }
}

} // namespace

ComplianceRun::ComplianceRun(RunOptions options) : m_options(std::move(options)) {
    if (m_options.regime_path.empty()) throw UsageError("--regime is required: the regime file (TOML) to check against");
    if (m_options.store_path.empty()) throw UsageError("--store is required: the HDF5 store holding the zone set (and receiving the run)");
    if (m_options.detections.empty() && m_options.imagery.empty() && m_options.tracks.empty() && m_options.routes.empty() &&
        m_options.declarations.empty() && m_options.reports.empty())
        throw UsageError("nothing to evaluate: give --detections, --imagery, --tracks, --routes or --declarations, or --reports with --gazetteer");
    if (!m_options.reports.empty() && m_options.gazetteer.empty())
        throw UsageError("--reports needs --gazetteer: the places the sighting reports name (an OGR point layer or a CSV with lon/lat)");
    if (m_options.reports.empty() && !m_options.gazetteer.empty()) throw UsageError("--gazetteer is only used with --reports");
    if (m_options.gazetteer.empty() && !m_options.gazetteer_layer.empty()) throw UsageError("--gazetteer-layer needs --gazetteer");
    if (m_options.threads < 0) throw UsageError("--threads must be 0 (every core) or positive");
    if (m_options.batch_size == 0) throw UsageError("--batch-size must be positive");
    if (m_options.block_bytes == 0) throw UsageError("--block-bytes must be positive");
    if (m_options.from && m_options.to && !(*m_options.from < *m_options.to)) throw UsageError("--from must be before --to");
}

RunResult ComplianceRun::run() {
    const RunOptions& o = m_options;
    RunResult result;
    result.started = now();
    const std::string temp_dir = o.temp_dir.empty() ? spill::SpillFile::default_directory() : o.temp_dir;

    // 1. Everything but the detections, read whole: a bad regime, zone set or file fails fast.
    RunInputs inputs(o, temp_dir);
    inputs.describe(result);
    for (const auto& path : o.detections) result.inputs.push_back(input_file(path));
    std::vector<std::string> streamed = o.detections; // the detection pass's files: detections, then reports
    for (const auto& path : o.reports) {
        result.inputs.push_back(input_file(path));
        result.inputs.back().role = "reports";
        streamed.push_back(path);
    }

    const int threads = o.threads > 0 ? o.threads : tbb::info::default_concurrency();
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
    auto hashes = hash_files(streamed, threads > 1); // provenance, needed only at the end

    // 2. The detections, streamed; then the findings no single detection gives.
    const RunProgress progress(o.progress, total_size(result.inputs));
    DetectionPass::Output pass = m_detection_stage ? m_detection_stage(inputs, temp_dir, threads, progress, result.inputs)
                                                   : evaluate_detections(o, inputs, temp_dir, threads, progress, result.inputs);
    FindingSpool whole_run(temp_dir, o.spill_bytes);
    std::vector<CoverageRecord> coverage = evaluate_whole_run(inputs, pass, !streamed.empty(), whole_run, result);

    // 3. Every finding in output order.
    std::vector<FindingSpool*> spools;
    for (auto& w : pass.workers) spools.push_back(&w->spool);
    spools.push_back(&whole_run);
    FindingMerge merge(spools, MergeOptions{temp_dir, o.spill_bytes, o.merge_fan_in});

    std::vector<std::string> input_hashes = hashes.get();
    for (std::size_t i = 0; i < result.inputs.size(); ++i) result.inputs[i].sha256 = input_hashes[i];
    result.problem_count = pass.problems->count();
    const WaiverBases waivers = fusion::waiver_bases(inputs.regime);
    RunTally tally(result, o.keep_findings, o.keep_problems, waivers);

    if (o.dry_run) {
        while (merge.visit([&](const Finding& f) { tally.finding(f); })) {
        }
        pass.problems->drain(write_batch, [&](std::vector<Problem>&& ps) { tally.problems(ps); });
        result.summary = tally.summary();
        result.finished = now();
        return result;
    }

    // 4. Written as one run of the store, committed at once.
    RunRecord record(o, inputs, result, threads);
    storage::RunWriter& writer = record.begin();
    write_findings_and_problems(merge, *pass.problems, writer, tally, result, progress, threads > 1);
    result.summary = tally.summary();
    result.finished = now();
    record.commit(result, inputs, std::move(coverage));
    return result;
}

} // namespace avf::pipeline
