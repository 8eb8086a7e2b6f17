// avf audit report: a self-contained HTML page of one run — summary, verification, its map (cli/map_page.hpp), provenance
// and inputs, the regime, findings by rule, problems, and how to check it — written from the
// store alone (cli::OutputFile: whole or not at all), for a reader who does not run avf.
//
//   avf audit report --store demo.h5 --output r.html [--run R] [--max-per-rule N] [--overwrite]
#include "cli/app.hpp"
#include "cli/map_page.hpp"
#include "cli/options.hpp"
#include "cli/output.hpp"
#include "cli/progress.hpp"
#include "cli/resolve_run.hpp"
#include "core/error.hpp"
#include "core/version.hpp"
#include "storage/store.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string_view>

namespace avf::cli {
namespace {

std::string html_table(const Table& t, const std::string& css_class = "") {
    std::string out = css_class.empty() ? "<table>\n<tr>" : "<table class=\"" + css_class + "\">\n<tr>";
    for (const auto& c : t.columns) out += "<th>" + html_text(c) + "</th>";
    out += "</tr>\n";
    for (const auto& row : t.rows) {
        out += "<tr>";
        for (const auto& cell : row) out += "<td>" + html_text(cell_text(cell)) + "</td>";
        out += "</tr>\n";
    }
    if (t.rows.empty()) out += "<tr><td colspan=\"" + std::to_string(t.columns.size()) + "\">(none)</td></tr>\n";
    return out + "</table>\n";
}

std::string definition_list(const std::vector<std::pair<std::string, std::string>>& items) {
    std::string out = "<dl>\n";
    for (const auto& [k, v] : items) out += "<dt>" + html_text(k) + "</dt><dd>" + html_text(v) + "</dd>\n";
    return out + "</dl>\n";
}

std::string number(double v) {
    return fmt::format("{}", v);
}

std::string time_text(const Interval& span) {
    return span.to.ms - span.from.ms <= 1 ? format_utc(span.from) : format_interval(span);
}

constexpr const char* report_css =
    R"(body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:78em;padding:0 1em;color:#1b1b1b;line-height:1.4}
h1{font-size:1.6em;border-bottom:2px solid #333;padding-bottom:.2em}h2{font-size:1.3em;margin-top:2em;border-bottom:1px solid #999}
h3{font-size:1.1em;margin-top:1.5em}table{border-collapse:collapse;margin:.5em 0 1em;font-size:.88em}
th,td{border:1px solid #bbb;padding:.25em .5em;text-align:left;vertical-align:top}th{background:#eee}
td.expl{background:#fafafa;font-style:italic}pre{background:#f4f4f4;border:1px solid #ccc;padding:.6em;white-space:pre-wrap;word-break:break-all;font-size:.85em}
dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:bold}dd{margin:0;word-break:break-all}
.ok{color:#06600a;font-weight:bold}.kind-violation{color:#a00000;font-weight:bold}.kind-exempted{color:#555}
code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}.note{color:#555;font-size:.9em}
@media print{body{max-width:none}h2{page-break-before:auto}})";

struct ReportOptions {
    std::string store, run, output;
    std::string inputs_dir; ///< where the run's inputs are now, for the map ("" = as recorded)
    std::size_t per_rule = 1000;
    bool overwrite = false;
};

std::string build_report(const storage::StoreReader& reader, const std::string& run_id, const ReportOptions& opt) {
    storage::VerifyReport check = reader.verify_run(run_id);
    if (!check.ok)
        throw IoError("run " + run_id + " fails verification (" + check.message + "); no report written: `avf audit verify` names the damage",
                      Context{}.file(opt.store));
    storage::RunInfo info = reader.run_info(run_id);
    std::vector<Finding> findings = reader.read_findings(run_id);
    std::vector<Problem> problems = reader.read_problems(run_id);
    std::vector<storage::ChainEntry> chain = reader.chain();
    const storage::RunHeader& h = info.header;

    std::ostringstream o;
    o << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>avf audit report: run " << html_text(run_id)
      << "</title>\n<style>\n"
      << report_css << "\n</style>\n</head>\n<body>\n";
    o << "<h1>Audit report: run <span class=\"mono\">" << html_text(run_id) << "</span></h1>\n";
    o << "<p>Regime <b>" << html_text(h.regime_id) << "</b>, zone set <b>" << html_text(h.zone_set) << "</b>, store <span class=\"mono\">"
      << html_text(opt.store) << "</span>. Written by " << html_text(std::string(tool_name) + " " + tool_version + " (git " + git_commit + ")")
      << " from the store alone; every value below is read from the HDF5 file and can be checked there with h5py or h5dump "
         "(docs/store-format.md).</p>\n";

    // --- verification
    o << "<h2>Verification</h2>\n<p class=\"ok\">Verified: the run's " << check.rows_checked << " table rows and " << check.bytes_checked
      << " bytes of text match their commit record, the audit chain's rows 1 to " << check.chain_rows
      << " link correctly, and the zone set is the one the run used.</p>\n";
    o << "<p class=\"note\">Only this run and the chain up to it were checked for this report; <code>avf audit verify " << html_text(opt.store)
      << "</code> checks every run and zone set.</p>\n";

    // --- summary
    std::map<std::string, std::size_t> by_kind;
    for (const auto& f : findings) ++by_kind[std::string(to_string(f.kind))];
    std::string kinds;
    for (const auto& [k, n] : by_kind) kinds += (kinds.empty() ? "" : ", ") + std::to_string(n) + " " + k;
    std::size_t rejected = 0;
    for (const auto& p : problems) rejected += p.severity == Severity::rejected ? 1 : 0;
    o << "<h2>Summary</h2>\n";
    o << definition_list({{"status", info.summary.status},
                          {"started", format_utc(h.started)},
                          {"finished", info.summary.status.empty() ? "" : format_utc(info.summary.finished)},
                          {"findings", std::to_string(findings.size()) + (kinds.empty() ? "" : " (" + kinds + ")")},
                          {"evidence records", std::to_string(info.evidence)},
                          {"problems with input records", std::to_string(problems.size()) + " (" + std::to_string(rejected) + " rejected)"}});
    Table summary{{"rule", "kind", "certainty", "findings"}};
    for (const auto& s : info.summary.rows) summary.add({s.rule_id, s.kind, s.certainty, s.findings});
    o << html_table(summary);

    // --- the map (cli/map_page.hpp)
    MapOptions map_options;
    map_options.store = opt.store;
    map_options.inputs_dir = opt.inputs_dir;
    o << "<h2>Map</h2>\n" << map_section(reader, run_id, map_options);

    // --- provenance
    o << "<h2>Provenance</h2>\n";
    std::string position = "not in the audit chain";
    std::string row_digest, previous_digest;
    for (const auto& c : chain)
        if (c.kind == storage::ChainKind::run && c.name == run_id) {
            position = fmt::format("row {} of {}", c.sequence, chain.size());
            row_digest = c.digest;
            previous_digest = c.previous_digest;
        }
    o << definition_list(
        {{"run id", run_id},
         {"tool version", h.tool_version},
         {"regime id", h.regime_id},
         {"zone set", h.zone_set},
         {"zone set digest (when the run began)", info.zone_set_digest.empty() ? "(the set was not in the store)" : info.zone_set_digest},
         {"content digest (commit record)", info.content_digest},
         {"results digest (same inputs and regime give the same)", info.results_digest},
         {"audit chain position", position},
         {"chain row digest", row_digest},
         {"previous row digest", previous_digest},
         {"chain head when this report was written", chain.empty() ? "" : chain.back().digest}});
    o << "<h3>Inputs</h3>\n";
    Table inputs{{"role", "path (as given)", "SHA-256", "bytes", "records read", "records rejected"}};
    for (const auto& in : h.inputs) inputs.add({in.role, in.path, in.sha256, in.size, in.records_read, in.records_rejected});
    o << html_table(inputs, "mono");
    o << "<h3>Options</h3>\n<pre>";
    nlohmann::json options = nlohmann::json::parse(h.options_json, nullptr, /*allow_exceptions=*/false);
    o << html_text(options.is_discarded() ? h.options_json : options.dump(2)) << "</pre>\n";
    o << "<h3>Regime text (verbatim, " << h.regime_text.size() << " bytes)</h3>\n<pre>" << html_text(h.regime_text) << "</pre>\n";

    // --- findings by rule, in stored order of first appearance
    o << "<h2>Findings by rule</h2>\n";
    std::vector<std::string> rules;
    std::map<std::string, std::vector<const Finding*>> per_rule;
    for (const auto& f : findings) {
        if (!per_rule.count(f.rule_id)) rules.push_back(f.rule_id);
        per_rule[f.rule_id].push_back(&f);
    }
    if (rules.empty()) o << "<p>No findings.</p>\n";
    for (const auto& rule : rules) {
        const auto& list = per_rule[rule];
        const Finding& first = *list.front();
        std::map<std::string, std::size_t> kinds_of_rule;
        for (const Finding* f : list) ++kinds_of_rule[std::string(to_string(f->kind)) + " " + std::string(to_string(f->certainty))];
        std::string counts;
        for (const auto& [k, n] : kinds_of_rule) counts += (counts.empty() ? "" : ", ") + std::to_string(n) + " " + k;
        o << "<h3 id=\"rule-" << html_text(rule) << "\">Rule " << html_text(rule) << " (" << html_text(first.rule_type) << ")</h3>\n";
        o << "<p>" << html_text(first.article) << " &mdash; " << list.size() << " findings: " << html_text(counts) << "</p>\n";
        o << "<table>\n<tr><th>finding id</th><th>kind</th><th>certainty</th><th>target</th><th>party</th><th>class</th><th>time (UTC)</th>"
             "<th>lon, lat</th><th>measured</th><th>limit</th><th>confidence</th><th>waiver</th><th>evidence</th></tr>\n";
        std::size_t shown = 0;
        for (const Finding* f : list) {
            if (opt.per_rule && shown == opt.per_rule) break;
            ++shown;
            std::string evidence;
            for (const auto& e : f->evidence) evidence += (evidence.empty() ? "" : ", ") + e.record_id;
            std::string kind(to_string(f->kind));
            o << "<tr><td class=\"mono\">" << html_text(f->id) << "</td><td class=\"kind-" << html_text(kind) << "\">" << html_text(kind)
              << "</td><td>" << html_text(to_string(f->certainty)) << "</td><td>" << html_text(f->target_id) << "</td><td>" << html_text(f->party)
              << "</td><td>" << html_text(f->equipment_class) << "</td><td>" << html_text(time_text(f->span)) << "</td><td>"
              << html_text(fmt::format("{:.6f}, {:.6f}", f->location.x(), f->location.y())) << "</td><td>"
              << html_text(number(f->measured) + " " + f->unit) << "</td><td>" << html_text(number(f->limit) + " " + f->unit) << "</td><td>"
              << html_text(number(f->confidence)) << "</td><td>" << html_text(f->waiver_id) << "</td><td>"
              << html_text(std::to_string(f->evidence.size()) + ": " + evidence) << "</td></tr>\n";
            o << R"(<tr><td class="expl" colspan="13">)" << html_text(f->explanation) << "</td></tr>\n";
        }
        o << "</table>\n";
        if (shown < list.size())
            o << "<p class=\"note\">" << list.size() - shown << " more findings of this rule are not shown; <code>avf findings list --store "
              << html_text(opt.store) << " --run " << html_text(run_id) << " --rule " << html_text(rule) << "</code> lists them all.</p>\n";
    }

    // --- problems
    o << "<h2>Problems with input records</h2>\n<p>Records that could not be used (rejected) or were used after a correction, with where they "
         "are and why. None was dropped silently.</p>\n";
    o << html_table(problems_table(problems));

    // --- how to check
    o << "<h2>How to check this report</h2>\n<pre>"
      << html_text("avf audit verify " + opt.store + "\navf findings list --store " + opt.store + " --run " + run_id +
                   "\navf findings show <finding id> --store " + opt.store + " --run " + run_id +
                   "\nsha256sum <each input file>          # compare with the Inputs table above\n"
                   "h5dump -H " +
                   opt.store)
      << "</pre>\n<p class=\"note\">The commit record (<span class=\"mono\">/runs/" << html_text(run_id)
      << "/commit</span>) lists the SHA-256 of every table of the run; docs/store-format.md §8 shows how to recompute them in Python without "
         "avf.</p>\n";
    o << "</body>\n</html>\n";
    return o.str();
}

} // namespace

void register_audit_report(CLI::App& audit) {
    auto opt = std::make_shared<ReportOptions>();
    auto* cmd = audit.add_subcommand("report", "Write a self-contained HTML report of a run (summary, provenance, findings by rule, problems)");
    auto progress = std::make_shared<ProgressOptions>();
    add_store_option(*cmd, opt->store);
    cmd->add_option("--run", opt->run, "Run id (default: the latest committed run)");
    cmd->add_option("-o,--output", opt->output, "HTML file to write (whole or not at all; never the store)")->required();
    add_overwrite_flag(*cmd, opt->overwrite);
    add_progress_options(*cmd, *progress);
    cmd->add_option("--max-per-rule", opt->per_rule, "Findings shown per rule (0 = all)")->capture_default_str();
    cmd->add_option("--inputs-dir", opt->inputs_dir,
                    "Where the run's input files are now, for the map's uncertainty disks and declared places (as avf map)");
    cmd->callback([opt, progress] {
        OutputFile out(opt->output, opt->overwrite, {opt->store});
        ProgressPrinter bar(progress->wanted(), progress->force);
        storage::StoreReader reader(opt->store);
        std::string run_id = resolve_run(reader, opt->run, opt->store);
        bar.show("building the report of run " + run_id);
        const std::string page = build_report(reader, run_id, *opt);
        out.stream() << page;
        out.commit();
        bar.done(fmt::format("wrote the report of run {} ({:.1f} MB)", run_id, static_cast<double>(page.size()) / 1e6));
        std::cerr << "Wrote the report of run " << run_id << " to " << opt->output << "\n";
    });
}

} // namespace avf::cli
