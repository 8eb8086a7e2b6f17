// avf store pack: the store and its member files as one self-contained HDF5 file, for handing to
// an auditor (docs/store-format.md §7a).
//
//   avf store pack demo.h5 -o demo-packed.h5      # then: avf audit verify demo-packed.h5
#include "cli/app.hpp"
#include "core/error.hpp"
#include "storage/store.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <memory>

namespace avf::cli {

void register_store_commands(CLI::App& app) {
    auto* store_cmd = app.add_subcommand("store", "Manage the store file and its member files");
    store_cmd->require_subcommand(1);
    auto store = std::make_shared<std::string>();
    auto out = std::make_shared<std::string>();
    auto* pack = store_cmd->add_subcommand(
        "pack", "Write the store as one self-contained HDF5 file (every member file copied in place of its link; digests, chain and "
                "signatures unchanged), for handing to an auditor; `avf audit verify` checks it alone");
    pack->add_option("store", *store, "HDF5 store")->required();
    pack->add_option("-o,--output", *out, "The packed file to write (must not exist)")->required();
    pack->callback([store, out] {
        // As every --output of avf: an existing file is never replaced (a usage error, exit 2).
        std::error_code ec;
        if (std::filesystem::exists(std::filesystem::symlink_status(*out, ec))) {
            throw UsageError("the output " + *out + " exists; avf store pack never overwrites a file (choose a new name)");
        }
        storage::PackReport r = storage::pack_store(*store, *out);
        std::cout << fmt::format("packed {} into {}: {} runs and {} zone sets copied from member files, {} already inline; {} bytes\n", *store, *out,
                                 r.runs, r.zone_sets, r.inline_groups, r.bytes);
    });
}

} // namespace avf::cli
