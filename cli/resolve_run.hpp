// Which run of a store a command reads: the one named by --run, or else the latest committed run.
//
//   storage::StoreReader reader(store);
//   std::string run_id = resolve_run(reader, run_option, store);   // InputError when there is none
#pragma once

#include "storage/store.hpp"

#include <string>

namespace avf::cli {

/// `run` when given; otherwise the store's latest committed run. Throws InputError naming the
/// store (`path`) when it has no committed run.
std::string resolve_run(const storage::StoreReader& store, const std::string& run, const std::string& path);

} // namespace avf::cli
