#include "pipeline/compliance_run.hpp"

#include "core/error.hpp"
#include "core/sha256.hpp"
#include "core/version.hpp"
#include "fusion/evaluator.hpp"
#include "fusion/regime.hpp"
#include "fusion/zone_set_view.hpp"
#include "ingest/detection_reader.hpp"

#include <nlohmann/json.hpp>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_pipeline.h>

#include <chrono>
#include <filesystem>
#include <map>

namespace avf::pipeline {
namespace {

UtcTime now() {
    return UtcTime{std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count()};
}

// One batch flowing through the pipeline.
struct Batch {
    std::vector<Detection> detections;
    CollectingProblemSink problems;
    std::size_t input = 0;
    fusion::Partial partial;
};

std::string make_run_id(UtcTime started, const std::string& content_digest) {
    std::string t = format_utc(started); // 2027-03-04T10:15:00Z
    std::string compact;
    for (char c : t.substr(0, 19))
        if (c != '-' && c != ':') compact += c;
    return "run-" + compact + "Z-" + content_digest.substr(0, 8);
}

} // namespace

std::vector<storage::SummaryRow> summarize(const std::vector<Finding>& findings) {
    std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> counts;
    for (const auto& f : findings) ++counts[{f.rule_id, std::string(to_string(f.kind)), std::string(to_string(f.certainty))}];
    std::vector<storage::SummaryRow> rows;
    for (const auto& [k, n] : counts) rows.push_back(storage::SummaryRow{std::get<0>(k), std::get<1>(k), std::get<2>(k), n});
    return rows;
}

ComplianceRun::ComplianceRun(RunOptions options) : m_options(std::move(options)) {
    if (m_options.regime_path.empty()) throw UsageError("--regime is required: the regime file (TOML) to check against");
    if (m_options.store_path.empty()) throw UsageError("--store is required: the HDF5 store holding the zone set (and receiving the run)");
    if (m_options.detections.empty()) throw UsageError("--detections is required: at least one detections file (CSV, GeoJSON, GeoJSONSeq, any OGR points)");
    if (m_options.threads < 0) throw UsageError("--threads must be 0 (every core) or positive");
    if (m_options.batch_size == 0) throw UsageError("--batch-size must be positive");
    if (m_options.from && m_options.to && !(*m_options.from < *m_options.to)) throw UsageError("--from must be before --to");
}

RunResult ComplianceRun::run() {
    RunResult result;
    result.started = now();

    // Everything that can be wrong with the regime or the zone set fails before data is read.
    fusion::Regime regime = fusion::load_regime(m_options.regime_path);
    result.regime_id = regime.meta.id;
    storage::ZoneSet zone_set;
    {
        storage::StoreReader store(m_options.store_path);
        std::string name = m_options.zone_set;
        if (name.empty()) {
            auto sets = store.zone_sets();
            if (sets.empty()) throw InputError("the store has no zone set; import one with `avf zones import`", Context{}.file(m_options.store_path));
            name = sets.back().name;
        }
        zone_set = store.read_zone_set(name);
    }
    result.zone_set = zone_set.name;
    fusion::ZoneSetView view(std::move(zone_set.zones), std::move(zone_set.lines));
    fusion::Evaluator evaluator(regime, view);

    std::vector<std::unique_ptr<ingest::DetectionSource>> sources;
    ingest::DetectionParseOptions parse_options;
    parse_options.taxonomy = &regime.taxonomy;
    for (const auto& path : m_options.detections) {
        sources.push_back(ingest::open_detections(path, parse_options));
        InputCounts in;
        in.path = path;
        in.size = std::filesystem::file_size(path);
        in.sha256 = sha256_file(path);
        result.inputs.push_back(in);
    }

    const int threads = m_options.threads > 0 ? m_options.threads : tbb::info::default_concurrency();
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));

    fusion::Partial total = evaluator.make_partial();
    CollectingProblemSink problems(m_options.strict);
    ingest::DuplicateIdFilter duplicates;
    std::size_t current = 0;
    std::uint64_t records = 0;
    auto t0 = std::chrono::steady_clock::now();
    const Interval period{m_options.from.value_or(UtcTime::min()), m_options.to.value_or(UtcTime::max())};

    tbb::parallel_pipeline(
        static_cast<std::size_t>(2 * threads),
        // Serial, in order: read the next batch, drop duplicate ids and out-of-period records.
        tbb::make_filter<void, std::shared_ptr<Batch>>(
            tbb::filter_mode::serial_in_order,
            [&](tbb::flow_control& fc) -> std::shared_ptr<Batch> {
                auto batch = std::make_shared<Batch>();
                batch->problems = CollectingProblemSink(m_options.strict);
                while (current < sources.size()) {
                    std::vector<Detection> raw;
                    if (sources[current]->next_batch(raw, batch->problems, m_options.batch_size) || !raw.empty()) {
                        batch->input = current;
                        InputCounts& in = result.inputs[current];
                        for (auto& d : raw) {
                            if (!duplicates.check_unique(d, batch->problems)) continue;
                            if (!period.contains(d.time)) {
                                ++in.outside_period;
                                continue;
                            }
                            batch->detections.push_back(std::move(d));
                        }
                        records += raw.size();
                        if (m_options.progress) {
                            Progress p{sources[current]->bytes_read(), sources[current]->bytes_total(), records,
                                       std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()};
                            m_options.progress(p);
                        }
                        return batch;
                    }
                    if (batch->problems.size() > 0) return batch; // problems found at the end of a source
                    ++current;
                }
                fc.stop();
                return nullptr;
            }) &
            // Parallel: locate and evaluate.
            tbb::make_filter<std::shared_ptr<Batch>, std::shared_ptr<Batch>>(tbb::filter_mode::parallel,
                                                                              [&](std::shared_ptr<Batch> batch) {
                                                                                  batch->partial = evaluator.make_partial();
                                                                                  for (const auto& d : batch->detections)
                                                                                      evaluator.evaluate(d, batch->partial);
                                                                                  return batch;
                                                                              }) &
            // Serial, in order: combine.
            tbb::make_filter<std::shared_ptr<Batch>, void>(tbb::filter_mode::serial_in_order, [&](std::shared_ptr<Batch> batch) {
                result.inputs[batch->input].evaluated += batch->detections.size();
                evaluator.combine(total, std::move(batch->partial));
                problems.merge(std::move(batch->problems));
            }));

    for (std::size_t i = 0; i < sources.size(); ++i) result.inputs[i].read = sources[i]->records_seen();
    for (const auto& p : problems.problems()) {
        if (p.severity != Severity::rejected) continue;
        for (auto& in : result.inputs)
            if (in.path == p.where.file()) ++in.rejected;
    }
    result.findings = evaluator.finish(std::move(total));
    result.problems = std::move(problems.problems());
    result.summary = summarize(result.findings);
    result.finished = now();
    if (m_options.dry_run) return result;

    // Provenance and the run id (content digest of regime + inputs + options, plus the time).
    nlohmann::json opts = {{"regime", m_options.regime_path}, {"zone_set", result.zone_set},
                           {"detections", m_options.detections},
                           {"from", m_options.from ? format_utc(*m_options.from) : ""},
                           {"to", m_options.to ? format_utc(*m_options.to) : ""},
                           {"threads", threads},
                           {"batch_size", m_options.batch_size},
                           {"strict", m_options.strict}};
    Sha256 digest;
    digest.field(sha256_hex(regime.text)).field(result.zone_set);
    for (const auto& in : result.inputs) digest.field(in.sha256);
    std::string content = digest.hex();

    storage::RunHeader header;
    header.zone_set = result.zone_set;
    header.regime_id = regime.meta.id;
    header.regime_text = regime.text;
    header.options_json = opts.dump();
    header.tool_version = std::string(tool_version) + " (" + git_commit + ")";
    header.started = result.started;
    storage::InputFile regime_file{"regime", m_options.regime_path, sha256_hex(regime.text), regime.text.size(), regime.rules.size(), 0};
    header.inputs.push_back(regime_file);
    for (const auto& in : result.inputs) header.inputs.push_back(storage::InputFile{"detections", in.path, in.sha256, in.size, in.read, in.rejected});

    storage::StoreTransaction tx(m_options.store_path);
    std::string run_id = make_run_id(result.started, content);
    for (int n = 2; tx.has_run(run_id); ++n) run_id = make_run_id(result.started, content) + "-" + std::to_string(n);
    header.run_id = run_id;
    auto writer = tx.begin_run(header);
    constexpr std::size_t chunk = 8192;
    for (std::size_t i = 0; i < result.findings.size(); i += chunk) {
        std::vector<Finding> part(result.findings.begin() + static_cast<std::ptrdiff_t>(i),
                                  result.findings.begin() + static_cast<std::ptrdiff_t>(std::min(result.findings.size(), i + chunk)));
        writer.append_findings(part);
    }
    writer.append_problems(result.problems);
    storage::RunSummary summary;
    summary.finished = result.finished;
    summary.status = "complete";
    summary.inputs = header.inputs;
    summary.rows = result.summary;
    writer.finish(summary);
    tx.commit();
    result.run_id = run_id;
    return result;
}

} // namespace avf::pipeline
