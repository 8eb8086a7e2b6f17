// avf runs list: the runs of a store in commit order — id, when, zone set, regime, findings,
// problems and whether the run is committed (an uncommitted one is never a result).
//
//   avf runs list demo.h5
//   avf runs list --store demo.h5 -f json
#include "cli/app.hpp"
#include "cli/options.hpp"
#include "storage/store.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

namespace avf::cli {
namespace {

Table runs_table(const std::vector<storage::RunInfo>& runs) {
    Table t{{"run", "sequence", "started", "finished", "status", "zone_set", "regime", "findings", "problems", "inputs", "tool_version",
             "content_digest"}};
    t.brief = {"run", "status", "zone_set", "regime", "findings", "problems"};
    for (const auto& r : runs) {
        const bool finished = !r.summary.status.empty();
        t.add({r.header.run_id, r.sequence, format_utc(r.header.started), finished ? format_utc(r.summary.finished) : std::string(),
               r.committed ? std::string("committed") : std::string("incomplete"), r.header.zone_set, r.header.regime_id, r.findings, r.problems,
               r.header.inputs.size(), r.header.tool_version, r.content_digest});
    }
    return t;
}

} // namespace

void register_runs_commands(CLI::App& app) {
    auto* runs = app.add_subcommand("runs", "List the runs of a store");
    runs->require_subcommand(1);
    auto store = std::make_shared<std::string>();
    auto out = std::make_shared<OutputOptions>();
    auto* list = runs->add_subcommand("list", "The runs of a store in commit order, with their zone set, regime and counts");
    add_store_option(*list, *store);
    add_format_option(*list, *out, {Format::table, Format::csv, Format::json});
    list->callback([store, out] {
        out->resolve(); // a bad -f is a usage error before the store is opened
        storage::StoreReader reader(*store);
        out->print(runs_table(reader.runs()), std::cout);
    });
}

} // namespace avf::cli
