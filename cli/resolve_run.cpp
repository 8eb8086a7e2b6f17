#include "cli/resolve_run.hpp"

#include "core/error.hpp"

namespace avf::cli {

std::string resolve_run(const storage::StoreReader& store, const std::string& run, const std::string& path) {
    if (!run.empty()) return run;
    auto latest = store.latest_run();
    if (!latest) throw InputError("the store has no committed run; run `avf run` first", Context{}.file(path));
    return *latest;
}

} // namespace avf::cli
