// avf coverage — how well each zone was observed, per coverage rule and period: the fraction of the
// zone's geodesic area imaged at the rule's resolution, the best GSD, when it was last imaged, and
// whether that met the rule (docs/regime-format.md, `coverage`). Reads the run's `coverage` table.
//
//   avf coverage --store avf.h5 [--run R] [--rule R] [--zone Z] [--gaps] [-f table|csv|json]
#include "cli/app.hpp"
#include "cli/options.hpp"
#include "cli/output.hpp"
#include "cli/resolve_run.hpp"
#include "storage/store.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cmath>
#include <iostream>
#include <memory>

namespace avf::cli {
namespace {

struct CoverageFlags {
    std::string store, run, rule, zone;
    bool gaps = false;
    OutputOptions out;
};

nlohmann::json number_or_null(double v, int decimals) {
    if (std::isnan(v)) return nullptr;
    const double k = std::pow(10.0, decimals);
    return std::round(v * k) / k;
}

} // namespace

void register_coverage_command(CLI::App& app) {
    auto f = std::make_shared<CoverageFlags>();
    auto* cmd = app.add_subcommand("coverage", "Per zone and period: fraction observed, best GSD, last observed (coverage rules of a run)");
    add_store_option(*cmd, f->store, false);
    cmd->add_option("--run", f->run, "Run id (default: the latest committed run)");
    cmd->add_option("--rule", f->rule, "Only this coverage rule");
    cmd->add_option("--zone", f->zone, "Only this zone");
    cmd->add_flag("--gaps", f->gaps, "Only zones and periods below the required fraction");
    add_format_option(*cmd, f->out, {Format::table, Format::csv, Format::json});
    cmd->callback([f, cmd] {
        if (!cmd->get_subcommands().empty()) return; // `avf coverage export` did the work (cli/export_commands.cpp)
        f->out.resolve();
        storage::StoreReader reader(f->store);
        std::string run = resolve_run(reader, f->run, f->store);
        storage::RunImagery imagery = reader.read_imagery(run);
        if (imagery.coverage.empty())
            std::cerr << "avf: run " << run << " has no coverage results (give `avf run` --imagery and a regime with coverage rules)\n";
        Table t{
            {"rule", "zone", "from", "to", "fraction", "required", "status", "best_gsd_m", "last_observed", "images", "zone_km2", "unimaged_km2"}};
        for (const CoverageRecord& c : imagery.coverage) {
            // A coverage rule without min_fraction reports fractions only (required NaN): no verdict.
            const bool reported_only = std::isnan(c.required_fraction);
            const bool gap = c.fraction < c.required_fraction;
            if ((!f->rule.empty() && c.rule_id != f->rule) || (!f->zone.empty() && c.zone_id != f->zone) || (f->gaps && !gap)) continue;
            t.add({c.rule_id, c.zone_id, format_utc(c.period.from), format_utc(c.period.to), number_or_null(c.fraction, 4),
                   number_or_null(c.required_fraction, 4),
                   reported_only ? "reported"
                   : gap         ? "gap"
                                 : "covered",
                   number_or_null(c.best_gsd_m, 3), c.last_observed.is_min() ? std::string() : format_utc(c.last_observed), c.images,
                   number_or_null(c.zone_area_m2 / 1e6, 3), number_or_null((c.zone_area_m2 - c.covered_area_m2) / 1e6, 3)});
        }
        t.brief = {"rule", "zone", "from", "to", "fraction", "required", "status", "best_gsd_m"};
        f->out.print(t, std::cout);
    });
}

} // namespace avf::cli
