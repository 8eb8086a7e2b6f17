// avf audit verify | sign | report, and avf findings diff: the commands an auditor uses to check a
// store, anchor its history, read one run without avf, and compare two runs. The receipts that
// `audit sign` prints are cli/receipt.hpp's, shared with every command that commits.
//
//   avf audit verify demo.h5                         # ok + counts, or the first mismatch (exit 4)
//   avf audit verify demo.h5 --trusted-key pub.pem   # and anchored by that key (exit 1 if not)
//   avf audit verify demo.h5 --expect-head 3f…       # and descends from a head kept outside (exit 1 if not)
//   avf audit sign --store demo.h5 --key key.pem     # sign the chain head (Ed25519), print a receipt
//   avf audit report --store demo.h5 --output r.html # self-contained HTML of the latest run
//   avf findings diff RUN_A RUN_B --store demo.h5    # added / removed / changed findings
#include "cli/app.hpp"
#include "cli/output.hpp"
#include "cli/receipt.hpp"
#include "cli/resolve_run.hpp"
#include "core/error.hpp"
#include "core/version.hpp"
#include "storage/store.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <bit>
#include <cerrno>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

namespace avf::cli {
namespace {

// =============================================================================================
// avf audit verify

nlohmann::json chain_row_json(const storage::ChainEntry& e) {
    return {{"sequence", e.sequence}, {"kind", std::string(storage::to_string(e.kind))}, {"name", e.name}, {"digest", e.digest}};
}

nlohmann::json to_json(const storage::VerifyReport& r, const std::vector<std::string>& leftovers, const storage::VerifyOptions& options) {
    nlohmann::json j = {{"ok", r.ok},
                        {"runs_checked", r.runs_checked},
                        {"zone_sets_checked", r.zone_sets_checked},
                        {"chain_rows", r.chain_rows},
                        {"rows_checked", r.rows_checked},
                        {"bytes_checked", r.bytes_checked},
                        {"objects_read", r.objects_read},
                        {"signatures_checked", r.signatures_checked},
                        {"incomplete_runs", r.uncommitted_runs},
                        {"leftover_temporary_files", leftovers}};
    if (r.head.sequence > 0) j["chain_head"] = chain_row_json(r.head);
    if (!r.ok) {
        j["mismatch"] = {{"run", r.run_id}, {"zone_set", r.zone_set}, {"table", r.table}, {"location", r.location}, {"message", r.message}};
    } else if (options.trusted_key || !options.expected_heads.empty()) {
        nlohmann::json unsigned_rows = nlohmann::json::array();
        for (const auto& e : r.unsigned_rows) unsigned_rows.push_back(chain_row_json(e));
        j["trust"] = {{"trusted", r.trusted}, {"message", r.trust_message}, {"expected_heads", options.expected_heads}};
        if (options.trusted_key) {
            j["trust"]["trusted_key"] = options.trusted_key->fingerprint();
            j["trust"]["signed_sequence"] = r.signed_sequence;
            j["trust"]["unsigned_rows"] = unsigned_rows;
        }
    }
    return j;
}

std::string row_text(const storage::ChainEntry& e) {
    return fmt::format("row {} ({} {})", e.sequence, e.kind == storage::ChainKind::run ? "run" : "zone set", e.name);
}

bool is_digest(const std::string& s) {
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

void register_verify(CLI::App& audit) {
    auto store = std::make_shared<std::string>();
    auto run = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    auto trusted_key = std::make_shared<std::string>();
    auto expected = std::make_shared<std::vector<std::string>>();
    auto* verify =
        audit.add_subcommand("verify", "Recompute every table digest and the audit chain and read every object; print ok and the counts, or "
                                       "the first mismatch (run, table, rows) and exit 4. With --trusted-key or --expect-head, exit 1 when "
                                       "the store is consistent but its history is not anchored by them");
    verify->add_option("store", *store, "HDF5 store")->required();
    auto* run_option = verify->add_option("--run", *run, "Verify only this run (and the chain rows up to it)");
    auto* key_option = verify->add_option("--trusted-key", *trusted_key,
                                          "Ed25519 public key (PEM) whose signature must cover a row of the chain; rows after its latest signature "
                                          "are listed as unsigned");
    auto* head_option = verify->add_option("--expect-head", *expected,
                                           "A chain head digest kept outside the store (a receipt's head_digest); it must be a row of the chain "
                                           "(repeatable)");
    key_option->excludes(run_option);
    head_option->excludes(run_option);
    verify->add_flag("--json", *json, "Print the result as JSON");
    verify->callback([store, run, json, trusted_key, expected] {
        for (const auto& e : *expected)
            if (!is_digest(e)) throw UsageError("--expect-head '" + e + "' is not a chain digest", Context{}.expected("64 lowercase hex characters"));
        std::optional<storage::PublicKey> key;
        if (!trusted_key->empty()) key.emplace(storage::PublicKey::from_pem_file(*trusted_key));
        storage::VerifyOptions options;
        options.trusted_key = key ? &*key : nullptr;
        options.expected_heads = *expected;
        storage::StoreReader reader(*store);
        storage::VerifyReport report = run->empty() ? reader.verify(options) : reader.verify_run(*run);
        std::vector<std::string> leftovers = storage::leftover_temporary_files(*store);
        const bool trust_asked = key || !expected->empty();
        if (*json) {
            std::cout << to_json(report, leftovers, options).dump(2) << "\n";
        } else {
            if (report.ok) {
                std::cout << fmt::format("ok: {} runs, {} zone sets, {} chain rows; {} rows and {} bytes digested, every digest matches its commit "
                                         "record\n",
                                         report.runs_checked, report.zone_sets_checked, report.chain_rows, report.rows_checked, report.bytes_checked);
                if (run->empty())
                    std::cout << fmt::format("every group holds exactly what its commit record lists; {} objects read in full; {} signatures valid\n",
                                             report.objects_read, report.signatures_checked);
                if (report.head.sequence > 0 && run->empty())
                    std::cout << "chain head: " << report.head.digest << " (row " << report.head.sequence
                              << "; keep it outside the store to pin this history)\n";
                for (const auto& e : *expected)
                    if (report.trusted || report.trust_message.find(e) == std::string::npos)
                        std::cout << "expected head " << e << ": a row of the chain; the history up to it is as it was\n";
                if (key && report.signed_sequence > 0) {
                    std::cout << "trusted key " << key->fingerprint() << ": its latest signature covers row " << report.signed_sequence
                              << " and everything before it\n";
                    if (report.unsigned_rows.empty()) std::cout << "every row of the chain is covered by that signature\n";
                    for (const auto& e : report.unsigned_rows)
                        std::cout << "UNSIGNED: " << row_text(e) << " comes after the latest signature of the trusted key\n";
                }
                if (!report.trusted) std::cout << "NOT TRUSTED: " << report.trust_message << "\n";
            } else {
                std::cout << "MISMATCH: " << report.message << "\n";
                std::cout << fmt::format("verified before it: {} runs, {} chain rows\n", report.runs_checked, report.chain_rows);
            }
            for (const auto& r : report.uncommitted_runs) std::cout << "incomplete run (no commit record; never listed as a result): " << r << "\n";
            for (const auto& t : leftovers)
                std::cout << "note: " << t << " is the temporary file of an interrupted write, not part of the store (the next write removes it)\n";
        }
        if (!report.ok) {
            std::cerr << "avf: error: " << *store << ": the store fails verification: " << report.message << "\n";
            set_exit_status(4);
        } else if (trust_asked && !report.trusted) {
            std::cerr << "avf: " << *store << ": the store is consistent but not anchored: " << report.trust_message << "\n";
            set_exit_status(1);
        }
    });
}

// =============================================================================================
// avf audit sign

void register_sign(CLI::App& audit) {
    auto store = std::make_shared<std::string>();
    auto options = std::make_shared<ReceiptOptions>();
    auto* cmd =
        audit.add_subcommand("sign", "Sign the audit chain's head with an Ed25519 key and store the signature; print (or write) a receipt. "
                                     "Make a key: openssl genpkey -algorithm ed25519 -out key.pem && openssl pkey -in key.pem -pubout -out pub.pem");
    cmd->add_option("--store", *store, "HDF5 store")->required();
    cmd->add_option("--key", options->sign_key, "Ed25519 private key (PEM)")->required();
    cmd->add_option("--receipt", options->receipt_path, "Write the receipt (JSON) to this new file instead of printing it on stderr");
    cmd->callback([store, options] {
        options->prepare(*store);
        storage::StoreTransaction tx(*store);
        storage::SignatureRecord signature = tx.sign(*options->key);
        auto row = tx.chain();
        tx.commit();
        const storage::ChainEntry& head = row.at(signature.sequence - 1);
        std::cout << "signed chain row " << head.sequence << " (" << (head.kind == storage::ChainKind::run ? "run " : "zone set ") << head.name
                  << "), head " << head.digest << ", with key " << signature.key_fingerprint << "\n";
        emit_receipt(*store, head, signature, *options, "the signature");
    });
}

// =============================================================================================
// avf audit report

std::string html(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    for (char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

std::string html_table(const Table& t, const std::string& css_class = "") {
    std::string out = css_class.empty() ? "<table>\n<tr>" : "<table class=\"" + css_class + "\">\n<tr>";
    for (const auto& c : t.columns) out += "<th>" + html(c) + "</th>";
    out += "</tr>\n";
    for (const auto& row : t.rows) {
        out += "<tr>";
        for (const auto& cell : row) out += "<td>" + html(cell_text(cell)) + "</td>";
        out += "</tr>\n";
    }
    if (t.rows.empty()) out += "<tr><td colspan=\"" + std::to_string(t.columns.size()) + "\">(none)</td></tr>\n";
    return out + "</table>\n";
}

std::string definition_list(const std::vector<std::pair<std::string, std::string>>& items) {
    std::string out = "<dl>\n";
    for (const auto& [k, v] : items) out += "<dt>" + html(k) + "</dt><dd>" + html(v) + "</dd>\n";
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
    o << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>avf audit report: run " << html(run_id)
      << "</title>\n<style>\n"
      << report_css << "\n</style>\n</head>\n<body>\n";
    o << "<h1>Audit report: run <span class=\"mono\">" << html(run_id) << "</span></h1>\n";
    o << "<p>Regime <b>" << html(h.regime_id) << "</b>, zone set <b>" << html(h.zone_set) << "</b>, store <span class=\"mono\">" << html(opt.store)
      << "</span>. Written by " << html(std::string(tool_name) + " " + tool_version + " (git " + git_commit + ")")
      << " from the store alone; every value below is read from the HDF5 file and can be checked there with h5py or h5dump "
         "(docs/store-format.md).</p>\n";

    // --- verification
    o << "<h2>Verification</h2>\n<p class=\"ok\">Verified: the run's " << check.rows_checked << " table rows and " << check.bytes_checked
      << " bytes of text match their commit record, the audit chain's rows 1 to " << check.chain_rows
      << " link correctly, and the zone set is the one the run used.</p>\n";
    o << "<p class=\"note\">Only this run and the chain up to it were checked for this report; <code>avf audit verify " << html(opt.store)
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
    o << html(options.is_discarded() ? h.options_json : options.dump(2)) << "</pre>\n";
    o << "<h3>Regime text (verbatim, " << h.regime_text.size() << " bytes)</h3>\n<pre>" << html(h.regime_text) << "</pre>\n";

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
        o << "<h3 id=\"rule-" << html(rule) << "\">Rule " << html(rule) << " (" << html(first.rule_type) << ")</h3>\n";
        o << "<p>" << html(first.article) << " &mdash; " << list.size() << " findings: " << html(counts) << "</p>\n";
        o << "<table>\n<tr><th>finding id</th><th>kind</th><th>certainty</th><th>target</th><th>party</th><th>class</th><th>time (UTC)</th>"
             "<th>lon, lat</th><th>measured</th><th>limit</th><th>confidence</th><th>waiver</th><th>evidence</th></tr>\n";
        std::size_t shown = 0;
        for (const Finding* f : list) {
            if (opt.per_rule && shown == opt.per_rule) break;
            ++shown;
            std::string evidence;
            for (const auto& e : f->evidence) evidence += (evidence.empty() ? "" : ", ") + e.record_id;
            std::string kind(to_string(f->kind));
            o << "<tr><td class=\"mono\">" << html(f->id) << "</td><td class=\"kind-" << html(kind) << "\">" << html(kind) << "</td><td>"
              << html(to_string(f->certainty)) << "</td><td>" << html(f->target_id) << "</td><td>" << html(f->party) << "</td><td>"
              << html(f->equipment_class) << "</td><td>" << html(time_text(f->span)) << "</td><td>"
              << html(fmt::format("{:.6f}, {:.6f}", f->location.x(), f->location.y())) << "</td><td>" << html(number(f->measured) + " " + f->unit)
              << "</td><td>" << html(number(f->limit) + " " + f->unit) << "</td><td>" << html(number(f->confidence)) << "</td><td>"
              << html(f->waiver_id) << "</td><td>" << html(std::to_string(f->evidence.size()) + ": " + evidence) << "</td></tr>\n";
            o << "<tr><td class=\"expl\" colspan=\"13\">" << html(f->explanation) << "</td></tr>\n";
        }
        o << "</table>\n";
        if (shown < list.size())
            o << "<p class=\"note\">" << list.size() - shown << " more findings of this rule are not shown; <code>avf findings list --store "
              << html(opt.store) << " --run " << html(run_id) << " --rule " << html(rule) << "</code> lists them all.</p>\n";
    }

    // --- problems
    o << "<h2>Problems with input records</h2>\n<p>Records that could not be used (rejected) or were used after a correction, with where they "
         "are and why. None was dropped silently.</p>\n";
    o << html_table(problems_table(problems));

    // --- how to check
    o << "<h2>How to check this report</h2>\n<pre>"
      << html("avf audit verify " + opt.store + "\navf findings list --store " + opt.store + " --run " + run_id +
              "\navf findings show <finding id> --store " + opt.store + " --run " + run_id +
              "\nsha256sum <each input file>          # compare with the Inputs table above\n"
              "h5dump -H " +
              opt.store)
      << "</pre>\n<p class=\"note\">The commit record (<span class=\"mono\">/runs/" << html(run_id)
      << "/commit</span>) lists the SHA-256 of every table of the run; docs/store-format.md §8 shows how to recompute them in Python without "
         "avf.</p>\n";
    o << "</body>\n</html>\n";
    return o.str();
}

void register_report(CLI::App& audit) {
    auto opt = std::make_shared<ReportOptions>();
    auto* cmd = audit.add_subcommand("report", "Write a self-contained HTML report of a run (summary, provenance, findings by rule, problems)");
    cmd->add_option("--store", opt->store, "HDF5 store")->required();
    cmd->add_option("--run", opt->run, "Run id (default: the latest committed run)");
    cmd->add_option("-o,--output", opt->output, "HTML file to write (whole or not at all; never the store)")->required();
    add_overwrite_flag(*cmd, opt->overwrite);
    cmd->add_option("--max-per-rule", opt->per_rule, "Findings shown per rule (0 = all)")->capture_default_str();
    cmd->callback([opt] {
        OutputFile out(opt->output, opt->overwrite, {opt->store});
        storage::StoreReader reader(opt->store);
        std::string run_id = resolve_run(reader, opt->run, opt->store);
        out.stream() << build_report(reader, run_id, *opt);
        out.commit();
        std::cerr << "Wrote the report of run " << run_id << " to " << opt->output << "\n";
    });
}

// =============================================================================================
// avf findings diff

bool same_double(double a, double b) {
    return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

std::string evidence_text(const Finding& f) {
    std::string out;
    for (const auto& e : f.evidence) out += (out.empty() ? "" : " ") + e.record_kind + ":" + e.record_id;
    return out;
}

/// The fields of `a` and `b` that differ, with their values (as JSON, for machines).
struct FieldChange {
    std::string field;
    nlohmann::json before, after;
};

std::vector<FieldChange> compare(const Finding& a, const Finding& b) {
    std::vector<FieldChange> out;
    auto text = [&](const char* name, const std::string& x, const std::string& y) {
        if (x != y) out.push_back({name, x, y});
    };
    auto real = [&](const char* name, double x, double y) {
        if (!same_double(x, y)) out.push_back({name, x, y});
    };
    text("kind", std::string(to_string(a.kind)), std::string(to_string(b.kind)));
    text("certainty", std::string(to_string(a.certainty)), std::string(to_string(b.certainty)));
    real("measured", a.measured, b.measured);
    real("limit", a.limit, b.limit);
    text("unit", a.unit, b.unit);
    real("confidence", a.confidence, b.confidence);
    text("waiver", a.waiver_id, b.waiver_id);
    text("time", format_interval(a.span), format_interval(b.span));
    if (!same_double(a.location.x(), b.location.x()) || !same_double(a.location.y(), b.location.y()))
        out.push_back({"location", {a.location.x(), a.location.y()}, {b.location.x(), b.location.y()}});
    text("article", a.article, b.article);
    if (evidence_text(a) != evidence_text(b)) {
        nlohmann::json x = nlohmann::json::array(), y = nlohmann::json::array();
        for (const auto& e : a.evidence) x.push_back(e.record_id);
        for (const auto& e : b.evidence) y.push_back(e.record_id);
        out.push_back({"evidence", x, y});
    }
    text("explanation", a.explanation, b.explanation);
    return out;
}

/// "limit=30; measured=34" for the table and CSV (evidence as a count, explanations left out).
std::string brief(const std::vector<FieldChange>& changes, bool after) {
    std::string out;
    for (const auto& c : changes) {
        const nlohmann::json& v = after ? c.after : c.before;
        std::string value;
        if (c.field == "explanation") continue;
        if (c.field == "evidence")
            value = std::to_string(v.size()) + " records";
        else
            value = cell_text(v);
        out += (out.empty() ? "" : "; ") + c.field + "=" + value;
    }
    return out;
}

/// The main fields of a finding that exists in one run only (as `before`).
std::vector<FieldChange> all_fields(const Finding& f) {
    std::vector<FieldChange> out;
    out.push_back({"kind", std::string(to_string(f.kind)), nullptr});
    out.push_back({"certainty", std::string(to_string(f.certainty)), nullptr});
    out.push_back({"measured", f.measured, nullptr});
    out.push_back({"limit", f.limit, nullptr});
    out.push_back({"unit", f.unit, nullptr});
    out.push_back({"time", format_interval(f.span), nullptr});
    if (!f.waiver_id.empty()) out.push_back({"waiver", f.waiver_id, nullptr});
    nlohmann::json ev = nlohmann::json::array();
    for (const auto& e : f.evidence) ev.push_back(e.record_id);
    out.push_back({"evidence", ev, nullptr});
    return out;
}

nlohmann::json as_object(const std::vector<FieldChange>& changes, bool after) {
    nlohmann::json o = nlohmann::json::object();
    for (const auto& c : changes) o[c.field] = after ? c.after : c.before;
    return o;
}

void register_diff(CLI::App& findings) {
    auto store = std::make_shared<std::string>();
    auto run_a = std::make_shared<std::string>();
    auto run_b = std::make_shared<std::string>();
    auto format = std::make_shared<std::string>("table");
    auto fail = std::make_shared<bool>(false);
    auto* cmd = findings.add_subcommand("diff", "Compare the findings of two runs (matched by their content-derived ids): added, removed, changed");
    cmd->add_option("run_a", *run_a, "The earlier run (the baseline)")->required();
    cmd->add_option("run_b", *run_b, "The later run")->required();
    cmd->add_option("--store", *store, "HDF5 store holding both runs")->required();
    cmd->add_option("-f,--format", *format, "table, csv or json")->capture_default_str();
    cmd->add_flag("--fail-on-change", *fail, "Exit 1 when any finding was added, removed or changed");
    cmd->callback([store, run_a, run_b, format, fail] {
        Format f = parse_format(*format, {Format::table, Format::csv, Format::json});
        storage::StoreReader reader(*store);
        std::vector<Finding> a = reader.read_findings(*run_a);
        std::vector<Finding> b = reader.read_findings(*run_b);
        // A run's ids are unique; should one repeat, its occurrences are matched in order.
        auto keyed = [](const std::vector<Finding>& list) {
            std::map<std::string, std::size_t> seen;
            std::vector<std::string> keys;
            for (const auto& x : list) {
                std::size_t n = seen[x.id]++;
                keys.push_back(n == 0 ? x.id : x.id + "#" + std::to_string(n + 1));
            }
            return keys;
        };
        std::vector<std::string> ka = keyed(a), kb = keyed(b);
        std::map<std::string, std::size_t> index_a, index_b;
        for (std::size_t i = 0; i < ka.size(); ++i) index_a[ka[i]] = i;
        for (std::size_t i = 0; i < kb.size(); ++i) index_b[kb[i]] = i;

        const bool json = f == Format::json;
        Table t{{"change", "id", "rule", "target", "party", "kind", "fields", "before", "after"}};
        auto add = [&](const char* change, const Finding& x, const std::vector<FieldChange>& changes, bool has_before, bool has_after) {
            std::string fields;
            for (const auto& c : changes) fields += (fields.empty() ? "" : ",") + c.field;
            nlohmann::json before = has_before ? (json ? as_object(changes, false) : nlohmann::json(brief(changes, false))) : nlohmann::json();
            nlohmann::json after = has_after ? (json ? as_object(changes, true) : nlohmann::json(brief(changes, true))) : nlohmann::json();
            t.add({change, json || f == Format::csv ? x.id : x.id.substr(0, 12), x.rule_id, x.target_id, x.party, std::string(to_string(x.kind)),
                   std::string(change) == "changed" ? fields : "", before, after});
        };
        std::size_t added = 0, removed = 0, changed = 0, unchanged = 0;
        for (std::size_t i = 0; i < b.size(); ++i)
            if (!index_a.count(kb[i])) {
                auto fields = all_fields(b[i]);
                for (auto& c : fields) std::swap(c.before, c.after);
                add("added", b[i], fields, false, true);
                ++added;
            }
        for (std::size_t i = 0; i < a.size(); ++i)
            if (!index_b.count(ka[i])) {
                add("removed", a[i], all_fields(a[i]), true, false);
                ++removed;
            }
        for (std::size_t i = 0; i < b.size(); ++i) {
            auto it = index_a.find(kb[i]);
            if (it == index_a.end()) continue;
            auto changes = compare(a[it->second], b[i]);
            if (changes.empty()) {
                ++unchanged;
                continue;
            }
            add("changed", b[i], changes, true, true);
            ++changed;
        }
        print(t, f, std::cout);
        std::cerr << fmt::format("{} -> {}: {} added, {} removed, {} changed, {} unchanged\n", *run_a, *run_b, added, removed, changed, unchanged);
        if (*fail && added + removed + changed > 0) set_exit_status(1);
    });
}

} // namespace

void register_audit_commands(CLI::App& app) {
    auto* audit = app.add_subcommand("audit", "Verify a store's integrity, sign its history and report on runs, for auditors");
    audit->require_subcommand(1);
    register_verify(*audit);
    register_sign(*audit);
    register_report(*audit);
}

void register_findings_diff(CLI::App& findings) {
    register_diff(findings);
}

} // namespace avf::cli
