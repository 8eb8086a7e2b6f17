// avf run — the compliance run.
#include "cli/app.hpp"
#include "cli/options.hpp"
#include "cli/output.hpp"
#include "cli/progress.hpp"
#include "cli/receipt.hpp"
#include "core/error.hpp"
#include "pipeline/compliance_run.hpp"
#include "pipeline/distributed.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>
#include <memory>

namespace avf::cli {
namespace {

struct RunFlags {
    pipeline::RunOptions options;
    std::string from, to;
    OutputOptions out;
    ProgressOptions progress;
    int top = 10;
    std::string fail_on;
    ReceiptOptions receipt;
};

std::optional<UtcTime> time_option(const std::string& text, const std::string& name) {
    if (text.empty()) return std::nullopt;
    auto t = parse_utc(text);
    if (!t) throw UsageError(name + " '" + text + "' is not an ISO-8601 UTC date or time", Context{}.expected("YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ"));
    return t;
}

nlohmann::json to_json(const pipeline::RunResult& r) {
    nlohmann::json inputs = nlohmann::json::array();
    for (const auto& in : r.inputs) {
        inputs.push_back({{"path", in.path},
                          {"sha256", in.sha256},
                          {"bytes", in.size},
                          {"read", in.read},
                          {"rejected", in.rejected},
                          {"outside_period", in.outside_period},
                          {"evaluated", in.evaluated}});
        if (in.role != "detections") inputs.back()["role"] = in.role; // reports: read = sightings, evaluated = detections
    }
    for (const auto& in : r.gazetteer_inputs)
        inputs.push_back({{"path", in.path},
                          {"role", "gazetteer"},
                          {"sha256", in.sha256},
                          {"bytes", in.size},
                          {"read", in.read},
                          {"rejected", in.rejected},
                          {"evaluated", in.evaluated}});
    for (const auto& in : r.declaration_inputs)
        inputs.push_back({{"path", in.path},
                          {"role", "declarations"},
                          {"sha256", in.sha256},
                          {"bytes", in.size},
                          {"read", in.read},
                          {"rejected", in.rejected},
                          {"evaluated", in.evaluated}});
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& s : r.summary) rows.push_back({{"rule", s.rule_id}, {"kind", s.kind}, {"certainty", s.certainty}, {"findings", s.findings}});
    return {{"run_id", r.run_id},
            {"zone_set", r.zone_set},
            {"regime", r.regime_id},
            {"started", format_utc(r.started)},
            {"finished", format_utc(r.finished)},
            {"inputs", inputs},
            {"findings", r.finding_count},
            {"problems", r.problem_count},
            {"summary", rows},
            {"images", r.images},
            {"flights", r.flights},
            {"coverage_rows", r.coverage.size()}};
}

void print_summary(const pipeline::RunResult& r, int top, std::ostream& out, std::size_t width) {
    out << "Run " << (r.run_id.empty() ? std::string("(dry run, not stored)") : r.run_id) << ": regime " << r.regime_id << ", "
        << (r.zone_set.empty() ? std::string("no zone set (the regime refers to no zone or line)") : "zone set " + r.zone_set) << "\n\n";
    Table inputs{{"input", "read", "rejected", "outside period", "evaluated", "sha256"}};
    inputs.whole = true;
    for (const auto& in : r.inputs) inputs.add({in.path, in.read, in.rejected, in.outside_period, in.evaluated, in.sha256.substr(0, 16)});
    for (const auto& in : r.declaration_inputs) inputs.add({in.path, in.read, in.rejected, std::string("-"), in.evaluated, in.sha256.substr(0, 16)});
    for (const auto& in : r.gazetteer_inputs) inputs.add({in.path, in.read, in.rejected, std::string("-"), in.evaluated, in.sha256.substr(0, 16)});
    print(inputs, Format::table, out, width);
    out << "\nFindings by rule:\n";
    Table rules{{"rule", "kind", "certainty", "findings"}};
    for (const auto& s : r.summary) rules.add({s.rule_id, s.kind, s.certainty, s.findings});
    print(rules, Format::table, out, width);
    if (!r.imagery_rules_skipped.empty()) {
        std::string ids;
        for (const auto& id : r.imagery_rules_skipped) ids += (ids.empty() ? "" : ", ") + id;
        out << "\nNot evaluated (no --imagery, --tracks or --routes given): " << ids << "\n";
    }
    if (!r.rules_without_detections.empty()) {
        std::string ids;
        for (const auto& id : r.rules_without_detections) ids += (ids.empty() ? "" : ", ") + id;
        out << "\nNo --detections given; these rules saw no detection: " << ids << "\n";
    }
    if (!r.imagery_inputs.empty()) {
        std::size_t gaps = 0;
        for (const auto& c : r.coverage) gaps += c.fraction < c.required_fraction ? 1 : 0;
        out << "\nObservation side: " << r.images << (r.images == 1 ? " image, " : " images, ") << r.flights
            << (r.flights == 1 ? " flight" : " flights") << "; coverage of " << r.coverage.size() << " zone-periods, " << gaps
            << " below the required fraction (`avf coverage` shows them)\n";
    }
    out << "\n" << r.finding_count << " findings, " << r.problem_count << " problems with input records\n";
    if (top > 0 && !r.findings.empty()) {
        out << "\nFirst findings (of " << r.finding_count << "; `avf findings list` shows all):\n";
        int shown = 0;
        std::set<std::string> rules_seen;
        // One per rule first, so that every rule type is visible, then in order.
        for (const auto& f : r.findings) {
            if (shown >= top) break;
            if (rules_seen.insert(f.rule_id).second) {
                out << "  - " << f.explanation << "\n";
                ++shown;
            }
        }
    }
    if (r.problem_count > 0) {
        out << "\nProblems (first 10; `avf findings list --problems` shows all):\n";
        std::vector<Problem> first(r.problems.begin(),
                                   r.problems.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(10, r.problems.size())));
        print(problems_table(first), Format::table, out, width);
    }
}

} // namespace

void register_run_command(CLI::App& app) {
    auto f = std::make_shared<RunFlags>();
    auto* cmd = app.add_subcommand("run", "Check detections against a regime's rules and the zone set; store the findings as a new run");
    cmd->add_option("--regime", f->options.regime_path, "Regime file (TOML)")->required();
    cmd->add_option("--store", f->options.store_path,
                    "HDF5 store with the zone set; the run is added to it (created when missing if the regime refers to no zone or line)")
        ->required();
    cmd->add_option("--zone-set", f->options.zone_set, "Zone set to use (default: the newest in the store)");
    cmd->add_option("--detections", f->options.detections,
                    "Detections: CSV, GeoJSON, GeoJSONSeq or any OGR point source (optional when --imagery, --tracks, --routes or --declarations "
                    "give something to evaluate)");
    cmd->add_option("--imagery", f->options.imagery, "Image metadata: STAC Items/ItemCollections/one Item per line, CSV with WKT, OGR polygons");
    cmd->add_option("--tracks", f->options.tracks,
                    "Flight tracks: CSV (flight_id,time,lon,lat,height_m,sensor_on; aircraft: track_id,...,altitude_m,party,category), GPX, OGR "
                    "points or lines (Z/M)");
    cmd->add_option("--routes", f->options.routes, "Planned routes of the flights: OGR lines with flight_id");
    cmd->add_option("--declarations", f->options.declarations, "Declarations of the parties: CSV, JSON or any OGR source (optional)");
    cmd->add_option("--reports", f->options.reports,
                    "Monitoring-mission sighting reports (\"4 tanks 2 km NE of <place>\"): CSV or JSON; evaluated as detections with source "
                    "monitor_report (needs --gazetteer)");
    cmd->add_option("--gazetteer", f->options.gazetteer, "The places the reports name: any OGR point layer or a CSV with id, name, lon, lat");
    cmd->add_option("--gazetteer-layer", f->options.gazetteer_layer,
                    "The gazetteer's layer holding the places (default: its only layer, or its only point layer)");
    cmd->add_option("--from", f->from, "Start of the period (ISO-8601, inclusive; default: unbounded)");
    cmd->add_option("--to", f->to, "End of the period (ISO-8601, exclusive; default: unbounded)");
    cmd->add_option("--threads", f->options.threads, "Worker threads (default 0: every core)")->capture_default_str();
    cmd->add_option("--batch-size", f->options.batch_size, "Detections per batch (OGR sources)")->capture_default_str();
    cmd->add_option("--block-bytes", f->options.block_bytes, "CSV bytes read per block")->capture_default_str();
    cmd->add_option("--temp-dir", f->options.temp_dir, "Directory for spill files (default: $TMPDIR, else /tmp)");
    cmd->add_flag("--strict", f->options.strict, "Stop at the first rejected record (exit 3)");
    cmd->add_flag("--dry-run", f->options.dry_run, "Evaluate and report; write nothing");
    add_format_option(*cmd, f->out, {Format::table, Format::json});
    add_progress_options(*cmd, f->progress);
    cmd->add_option("--top", f->top, "How many findings to show in the summary")->capture_default_str();
    cmd->add_option("--fail-on", f->fail_on, "Exit 1 when the run has: violation | finding | problem")
        ->transform(one_of({"violation", "finding", "problem"}, "--fail-on condition"));
    cmd->add_option("--sign-key", f->receipt.sign_key,
                    "Sign the run's audit-chain row with this Ed25519 private key (PEM), in the transaction that commits it");
    cmd->add_option("--receipt", f->receipt.receipt_path, "Write the run's receipt (JSON) to this new file instead of printing it on stderr");
    cmd->callback([f] {
        const bool json = f->out.resolve() == Format::json;
        f->options.from = time_option(f->from, "--from");
        f->options.to = time_option(f->to, "--to");
        if (!f->options.dry_run) f->receipt.prepare(f->options.store_path);
        if (f->receipt.key) f->options.sign_key = &*f->receipt.key;
        ProgressPrinter progress(f->progress.wanted(), f->progress.force);
        if (progress.enabled())
            f->options.progress = [&progress](const pipeline::Progress& p) {
                progress.update(p.records, p.bytes_read, p.bytes_total, p.seconds, p.phase, p.findings_written);
            };
        f->options.keep_findings = static_cast<std::size_t>(std::max(0, f->top));
        pipeline::RunResult r;
        if (pipeline::launched_by_mpi()) { // mpirun -np N avf run …: rank 0 commits and reports (docs/mpi.md)
            pipeline::DistributedRun d = pipeline::run_distributed(f->options);
            if (d.rank != 0) return;
            r = std::move(d.result);
        } else {
            r = pipeline::ComplianceRun(f->options).run();
        }
        progress.finish();
        progress.done(fmt::format("{}: {} findings, {} problems{}", r.run_id.empty() ? std::string("dry run") : "run " + r.run_id, r.finding_count,
                                  r.problem_count, r.run_id.empty() ? "; nothing written" : ", committed"));
        if (!r.run_id.empty()) issue_receipt(f->options.store_path, storage::ChainKind::run, r.run_id, f->receipt);
        if (json)
            std::cout << to_json(r).dump(2) << "\n";
        else
            print_summary(r, f->top, std::cout, f->out.wide ? 0 : table_width);
        bool fail = (f->fail_on == "finding" && r.finding_count > 0) || (f->fail_on == "problem" && r.problem_count > 0) ||
                    (f->fail_on == "violation" &&
                     std::any_of(r.summary.begin(), r.summary.end(), [](const storage::SummaryRow& x) { return x.kind == "violation"; }));
        if (fail) set_exit_status(1);
    });
}

} // namespace avf::cli
