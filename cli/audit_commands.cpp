// avf audit verify | report, and avf findings diff.
#include "cli/app.hpp"
#include "cli/output.hpp"

#include "core/error.hpp"
#include "storage/store.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

namespace avf::cli {

void register_audit_commands(CLI::App& app) {
    auto* audit = app.add_subcommand("audit", "Verify a store's integrity and report on runs, for auditors");
    audit->require_subcommand(1);
    auto store = std::make_shared<std::string>();
    auto* verify = audit->add_subcommand("verify", "Recompute every table digest and the audit chain; print ok or the first mismatch (exit 4)");
    verify->add_option("store", *store, "HDF5 store")->required();
    verify->callback([store] {
        storage::StoreReader reader(*store);
        auto report = reader.verify();
        if (report.ok) {
            std::cout << "ok: " << report.runs_checked << " runs, " << report.zone_sets_checked << " zone sets, " << report.chain_rows
                      << " chain rows verified\n";
            for (const auto& r : report.uncommitted_runs) std::cout << "incomplete run (no commit record, never listed as a result): " << r << "\n";
            return;
        }
        throw IoError("verification failed: " + report.message, Context{}.file(*store));
    });
}

void register_findings_diff(CLI::App&) {}

} // namespace avf::cli
