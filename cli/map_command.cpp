// avf map — one self-contained HTML file (offline: no tile server, no network) with the map of a
// run: zones and reference lines, findings by kind and certainty with a popup each, image
// footprints, flight tracks, planned routes and coverage gaps, uncertainty disks and declared
// places read back from the run's input files (cli/map_page.hpp). Written with
// cli::OutputFile: whole or not at all, never over the store.
//
//   avf map --store demo.h5 [--run R] -o map.html [--overwrite] [--max-findings N] [--inputs-dir DIR]
#include "cli/app.hpp"
#include "cli/map_page.hpp"
#include "cli/options.hpp"
#include "cli/output.hpp"
#include "cli/progress.hpp"
#include "cli/resolve_run.hpp"
#include "storage/store.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>
#include <memory>

namespace avf::cli {
namespace {

struct MapFlags {
    std::string store, run, output;
    bool overwrite = false;
    MapOptions map;
    ProgressOptions progress;
};

} // namespace

void register_map_command(CLI::App& app) {
    auto f = std::make_shared<MapFlags>();
    auto* cmd = app.add_subcommand("map", "Write an interactive map of a run as one offline HTML file (zones, lines, findings, imagery)");
    add_store_option(*cmd, f->store);
    cmd->add_option("--run", f->run, "Run id (default: the latest committed run)");
    cmd->add_option("-o,--output", f->output, "HTML file to write (whole or not at all; never the store)")->required();
    add_overwrite_flag(*cmd, f->overwrite);
    add_progress_options(*cmd, f->progress);
    cmd->add_option("--max-findings", f->map.max_findings, "Findings drawn one by one; past this, per grid cell and per zone")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->add_option("--inputs-dir", f->map.inputs_dir,
                    "Where the run's input files are now, when not at the paths it recorded (relative ones from here): the uncertainty "
                    "disks and declared places are read from them, if their SHA-256 is still the recorded one");
    cmd->callback([f] {
        OutputFile out(f->output, f->overwrite, {f->store});
        ProgressPrinter bar(f->progress.wanted(), f->progress.force);
        storage::StoreReader reader(f->store);
        std::string run_id = resolve_run(reader, f->run, f->store);
        f->map.store = f->store;
        bar.show("drawing the map of run " + run_id);
        std::string page = map_page(reader, run_id, f->map);
        out.stream() << page;
        out.commit();
        bar.done(fmt::format("wrote the map of run {} ({:.1f} MB)", run_id, static_cast<double>(page.size()) / 1e6));
        std::cerr << fmt::format("Wrote the map of run {} to {} ({:.1f} MB)\n", run_id, f->output, static_cast<double>(page.size()) / 1e6);
    });
}

} // namespace avf::cli
