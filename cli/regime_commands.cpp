// avf regime check: parses and checks a regime file (rule types, keys, limits, parties) without
// a store; with --store, also binds it to a zone set, so every zone and line it names resolves.
//
//   avf regime check datasets/demo/regime.toml [--store demo.h5 [--zone-set demo-2027]]
#include "cli/app.hpp"
#include "cli/output.hpp"
#include "fusion/evaluator.hpp"
#include "fusion/regime.hpp"
#include "fusion/zone_set_view.hpp"
#include "pipeline/run_inputs.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

namespace avf::cli {

void register_regime_commands(CLI::App& app) {
    auto* regime = app.add_subcommand("regime", "Check regime files");
    regime->require_subcommand(1);
    auto path = std::make_shared<std::string>();
    auto store = std::make_shared<std::string>();
    auto set = std::make_shared<std::string>();
    auto* check = regime->add_subcommand("check", "Parse and check a regime; with --store, also resolve its zones and lines against a zone set");
    check->add_option("regime", *path, "Regime file (TOML)")->required();
    check->add_option("--store", *store, "HDF5 store holding the zone set");
    check->add_option("--zone-set", *set, "Zone set (default: the newest)");
    check->callback([path, store, set] {
        auto regime = fusion::load_regime(*path);
        std::string bound_to;
        if (!store->empty()) {
            auto zs = pipeline::load_zone_set(*store, *set);
            fusion::ZoneSetView view(std::move(zs.zones), std::move(zs.lines));
            // Resolves every reference, or throws with the regime's line.
            pipeline::bind_regime(regime, view, zs.name, *store, fusion::SpillOptions{});
            bound_to = zs.name.empty() ? "it refers to no zone or line, so it needs no zone set"
                                       : "every zone and line reference resolves in zone set '" + zs.name + "'";
        }
        std::cout << "Regime " << regime.meta.id << " (" << regime.meta.name << "): " << regime.taxonomy.classes().size() << " classes, "
                  << regime.rules.size() << " rules — ok" << (bound_to.empty() ? "" : "; " + bound_to) << "\n\n";
        Table t{{"rule", "type", "article", "valid"}};
        for (const auto& r : regime.rules) t.add({r->id(), r->type(), r->article(), format_interval(r->valid())});
        print(t, Format::table, std::cout, table_width);
    });
}

} // namespace avf::cli
