// The first I/O error of a run reaches the user as it was thrown, whichever thread met it
// (issue 16, item 7): with --threads 2 the writer thread writes the findings while the merging
// thread prepares the next batch; a full disk there must end in exit 4 naming the store and
// "No space left on device" — not in exit 70 "prepare_findings after a failed write", the
// consequence the merging thread runs into — with the published store unchanged and no temporary
// file left. Same with --threads 1.
//
// The disk is made full with libfiu's POSIX wrappers (Debian fiu-utils) and
// tests/reliability/fail_nth.c, which fails exactly the N-th pwrite with ENOSPC. The run writes
// enough findings for several write batches, so that the failure falls while findings are
// being written.
#include "storage/store.hpp"
#include "tests/reliability/workload.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

using namespace avf;
using avf::reliability::asan_runtime_first;
using avf::reliability::file_sha256;
using avf::reliability::q;
namespace fs = std::filesystem;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

} // namespace

TEST_CASE("disk full while the findings are written, 1 and 2 threads: exit 4 naming the store and ENOSPC, the store unchanged",
          "[pipeline][faults]") {
    test::TempDir tmp;
    REQUIRE(fs::exists("/usr/lib/fiu/fiu_posix_preload.so")); // scripts/install-deps.sh installs fiu-utils
    const std::string base = reliability::demo_store(tmp.path() / "base.h5");
    const std::string base_sha = file_sha256(base);
    // 230 copies of the demo detections: ~18,000 findings, three write batches of 8,192.
    const std::string detections = reliability::make_detections(tmp.path() / "d.csv", 200'000);
    const std::string preload =
        asan_runtime_first() + "/usr/lib/fiu/fiu_run_preload.so /usr/lib/fiu/fiu_posix_preload.so " + std::string(AVF_FAIL_NTH_LIBRARY);

    auto run = [&](int threads, std::size_t nth, const std::string& store, std::string& out) {
        const std::string count_file = store + ".calls";
        const std::string env = fmt::format("LD_PRELOAD={} FIU_ENABLE= FIU_CTRL_FIFO= AVF_FAIL_POINT=posix/io/rw/pwrite AVF_FAIL_NTH={} "
                                            "AVF_FAIL_ERRNO=28 AVF_FAIL_COUNT_FILE={}",
                                            q(preload), nth, q(count_file));
        // libfiu's preload can deadlock in dlsym inside a multi-threaded process (the harness's
        // hang, not avf's: tests/reliability/test_faults.cpp): killed after 30 s (a run takes a
        // few), tried again.
        for (int attempt = 0;; ++attempt) {
            fs::copy_file(base, store, fs::copy_options::overwrite_existing);
            const int code = test::run_command("cd " + q(AVF_SOURCE_DIR) + " && timeout -s KILL 30 env " + env + " " + q(test::avf_binary()) +
                                                   " run --regime datasets/demo/regime.toml --quiet --top 0 --threads " + std::to_string(threads) +
                                                   " --detections " + q(detections) + " --store " + q(store),
                                               out);
            if (code != 137 || attempt == 2) return code;
        }
    };

    // How many pwrite calls a clean run makes.
    std::size_t total = 0;
    {
        const std::string store = (tmp.path() / "clean.h5").string();
        std::string out;
        REQUIRE(run(2, 0, store, out) == 0);
        total = std::stoull(slurp(store + ".calls"));
        REQUIRE(total > 20);
    }
    // The first pwrites of the findings (where main gave exit 70 with two threads), and later ones.
    const std::set<std::size_t> positions = {4, 6, 8, total / 2};
    std::size_t trials = 0;
    for (int threads : {1, 2}) {
        for (std::size_t nth : positions) {
            const std::string store = (tmp.path() / fmt::format("s-{}-{}.h5", threads, nth)).string();
            std::string out;
            const int code = run(threads, nth, store, out);
            INFO(fmt::format("--threads {}, pwrite {} of {} fails with ENOSPC:\n{}", threads, nth, total, out));
            CHECK(code == 4);
            CHECK_THAT(out, Catch::Contains(store));
            CHECK_THAT(out, Catch::Contains("No space left on device"));
            CHECK_THAT(out, !Catch::Contains("internal error"));
            CHECK(file_sha256(store) == base_sha);
            CHECK(storage::leftover_temporary_files(store).empty());
            ++trials;
        }
    }
    CHECK(trials == 2 * positions.size());
}
