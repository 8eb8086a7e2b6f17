#include "pipeline/run_record.hpp"

#include "core/sha256.hpp"
#include "core/version.hpp"

#include <nlohmann/json.hpp>

namespace avf::pipeline {

std::future<std::vector<std::string>> hash_files(std::vector<std::string> paths, bool parallel) {
    return std::async(parallel ? std::launch::async : std::launch::deferred, [paths = std::move(paths)] {
        std::vector<std::string> out;
        for (const auto& p : paths) out.push_back(sha256_file(p));
        return out;
    });
}

std::string make_run_id(UtcTime started, const std::string& content_digest) {
    std::string t = format_utc(started); // 2027-03-04T10:15:00Z
    std::string compact;
    for (char c : t.substr(0, 19))
        if (c != '-' && c != ':') compact += c;
    return "run-" + compact + "Z-" + content_digest.substr(0, 8);
}

void RunTally::finding(const Finding& f) {
    ++m_counts[{f.rule_id, std::string(to_string(f.kind)), std::string(to_string(f.certainty))}];
    if (m_result.findings.size() < m_keep_findings || m_rules_seen.count(f.rule_id) == 0) {
        m_result.findings.push_back(f);
        m_result.findings.back().explanation = render_explanation(f, m_waivers);
    }
    m_rules_seen.insert(f.rule_id);
    ++m_result.finding_count;
}

void RunTally::problems(const std::vector<Problem>& batch) {
    for (const auto& p : batch) {
        if (m_result.problems.size() >= m_keep_problems) break;
        m_result.problems.push_back(p);
    }
}

std::vector<storage::SummaryRow> RunTally::summary() const {
    std::vector<storage::SummaryRow> rows;
    for (const auto& [k, n] : m_counts) rows.push_back(storage::SummaryRow{std::get<0>(k), std::get<1>(k), std::get<2>(k), n});
    return rows;
}

// Provenance and the content digest (regime + zone set + inputs; with the time, the run id).
RunRecord::RunRecord(const RunOptions& options, const RunInputs& inputs, const RunResult& result, int threads)
    : m_store_path(options.store_path), m_sign_key(options.sign_key) {
    const fusion::Regime& regime = inputs.regime;
    nlohmann::json opts = {{"regime", options.regime_path},
                           {"zone_set", result.zone_set},
                           {"detections", options.detections},
                           {"from", options.from ? format_utc(*options.from) : ""},
                           {"to", options.to ? format_utc(*options.to) : ""},
                           {"threads", threads},
                           {"batch_size", options.batch_size},
                           {"strict", options.strict}};
    Sha256 digest;
    digest.field(sha256_hex(regime.text)).field(result.zone_set);
    for (const auto& in : result.inputs) digest.field(in.sha256);
    for (const auto& f : result.imagery_inputs) digest.field(f.sha256);
    for (const auto& in : result.declaration_inputs) digest.field(in.sha256);
    for (const auto& in : result.gazetteer_inputs) digest.field(in.sha256);
    m_content_digest = digest.hex();

    if (!options.declarations.empty()) opts["declarations"] = options.declarations; // absent otherwise: earlier runs' options text unchanged
    if (!options.reports.empty()) {                                                 // likewise
        opts["reports"] = options.reports;
        opts["gazetteer"] = options.gazetteer;
        if (!options.gazetteer_layer.empty()) opts["gazetteer_layer"] = options.gazetteer_layer;
    }
    m_header.zone_set = result.zone_set;
    m_header.regime_id = regime.meta.id;
    m_header.regime_text = regime.text;
    m_header.waiver_bases = fusion::waiver_bases(regime);
    if (inputs.with_imagery) { // absent otherwise, so runs without imagery keep their earlier options text
        opts["imagery"] = options.imagery;
        opts["tracks"] = options.tracks;
        opts["routes"] = options.routes;
    }
    m_header.options_json = opts.dump();
    m_header.tool_version = std::string(tool_version) + " (" + git_commit + ")";
    m_header.started = result.started;
    m_header.inputs.push_back(storage::InputFile{"regime", options.regime_path, sha256_hex(regime.text), regime.text.size(), regime.rules.size(), 0});
    for (const auto& in : result.inputs)
        m_header.inputs.push_back(storage::InputFile{in.role, in.path, in.sha256, in.size, in.read, in.rejected}); // detections | reports
    for (const auto& f : result.imagery_inputs) m_header.inputs.push_back(f);
    for (const auto& in : result.declaration_inputs)
        m_header.inputs.push_back(storage::InputFile{"declarations", in.path, in.sha256, in.size, in.read, in.rejected});
    for (const auto& in : result.gazetteer_inputs)
        m_header.inputs.push_back(storage::InputFile{"gazetteer", in.path, in.sha256, in.size, in.read, in.rejected});
}

RunRecord::~RunRecord() = default;

storage::RunWriter& RunRecord::begin() {
    m_tx = std::make_unique<storage::StoreTransaction>(m_store_path);
    std::string run_id = make_run_id(m_header.started, m_content_digest);
    for (int n = 2; m_tx->has_run(run_id); ++n) run_id = make_run_id(m_header.started, m_content_digest) + "-" + std::to_string(n);
    m_header.run_id = run_id;
    m_writer = std::make_unique<storage::RunWriter>(m_tx->begin_run(m_header));
    return *m_writer;
}

void RunRecord::commit(RunResult& result, const RunInputs& inputs, std::vector<CoverageRecord> coverage) {
    storage::RunSummary summary;
    summary.finished = result.finished;
    summary.status = "complete";
    summary.inputs = m_header.inputs;
    summary.rows = result.summary;
    if (inputs.with_imagery) m_writer->write_imagery(to_store(inputs.imagery, std::move(coverage)));
    m_writer->finish(summary);
    if (m_sign_key) m_tx->sign(*m_sign_key); // the new head is the run's row
    m_tx->commit();
    result.run_id = m_header.run_id;
}

} // namespace avf::pipeline
