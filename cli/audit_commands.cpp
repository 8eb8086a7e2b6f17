// avf audit verify | sign: the commands an auditor uses to check a store and anchor its history.
// `audit report` (an HTML page of one run) is cli/audit_report.cpp; the receipts that `audit
// sign` prints are cli/receipt.hpp's, shared with every command that commits.
//
//   avf audit verify demo.h5                         # ok + counts, or the first mismatch (exit 4)
//   avf audit verify demo.h5 --trusted-key pub.pem   # and anchored by that key (exit 1 if not)
//   avf audit verify demo.h5 --expect-head 3f…       # and descends from a head kept outside (exit 1 if not)
//   avf audit sign --store demo.h5 --key key.pem     # sign the chain head (Ed25519), print a receipt
#include "cli/app.hpp"
#include "cli/options.hpp"
#include "cli/progress.hpp"
#include "cli/receipt.hpp"
#include "core/error.hpp"
#include "storage/store.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>

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
    auto out = std::make_shared<OutputOptions>();
    auto progress = std::make_shared<ProgressOptions>();
    auto trusted_key = std::make_shared<std::string>();
    auto expected = std::make_shared<std::vector<std::string>>();
    auto* verify =
        audit.add_subcommand("verify", "Recompute every table digest and the audit chain and read every object; print ok and the counts, or "
                                       "the first mismatch (run, table, rows) and exit 4. With --trusted-key or --expect-head, exit 1 when "
                                       "the store is consistent but its history is not anchored by them");
    add_store_option(*verify, *store);
    auto* run_option = verify->add_option("--run", *run, "Verify only this run (and the chain rows up to it)");
    auto* key_option = verify->add_option("--trusted-key", *trusted_key,
                                          "Ed25519 public key (PEM) whose signature must cover a row of the chain; rows after its latest signature "
                                          "are listed as unsigned");
    auto* head_option = verify->add_option("--expect-head", *expected,
                                           "A chain head digest kept outside the store (a receipt's head_digest); it must be a row of the chain "
                                           "(repeatable)");
    key_option->excludes(run_option);
    head_option->excludes(run_option);
    add_format_option(*verify, *out, {Format::table, Format::json});
    add_progress_options(*verify, *progress);
    verify->callback([store, run, out, progress, trusted_key, expected] {
        const bool json = out->resolve() == Format::json;
        for (const auto& e : *expected)
            if (!is_digest(e)) throw UsageError("--expect-head '" + e + "' is not a chain digest", Context{}.expected("64 lowercase hex characters"));
        std::optional<storage::PublicKey> key;
        if (!trusted_key->empty()) key.emplace(storage::PublicKey::from_pem_file(*trusted_key));
        storage::VerifyOptions options;
        options.trusted_key = key ? &*key : nullptr;
        options.expected_heads = *expected;
        ProgressPrinter bar(progress->wanted(), progress->force);
        options.progress = [&bar](const std::string& name, std::size_t done, std::size_t total) {
            bar.show(done < total ? fmt::format("verifying chain row {} of {} ({})", done + 1, total, name)
                                  : fmt::format("verified {} chain rows; reading every object", total));
        };
        storage::StoreReader reader(*store);
        storage::VerifyReport report = run->empty() ? reader.verify(options) : reader.verify_run(*run);
        bar.done(report.ok ? fmt::format("verified: {} runs, {} zone sets, {} chain rows, ok", report.runs_checked, report.zone_sets_checked,
                                         report.chain_rows)
                           : "verification failed: " + report.message);
        std::vector<std::string> leftovers = storage::leftover_temporary_files(*store);
        const bool trust_asked = key || !expected->empty();
        if (json) {
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
            for (const auto& t : leftovers) {
                const bool orphan = t.size() > 3 && t.compare(t.size() - 3, 3, ".h5") == 0;
                std::cout << "note: " << t
                          << (orphan ? " is the member file of an interrupted write, which no store file links (an orphan)"
                                     : " is the temporary file of an interrupted write")
                          << ", not part of the store (the next write removes it)\n";
            }
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
    add_store_option(*cmd, *store);
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

} // namespace

void register_audit_commands(CLI::App& app) {
    auto* audit = app.add_subcommand("audit", "Verify a store's integrity, sign its history and report on runs, for auditors");
    audit->require_subcommand(1);
    register_verify(*audit);
    register_sign(*audit);
    register_audit_report(*audit);
}

} // namespace avf::cli
