// The crash harness: kill -9 the real `avf run` and `avf zones import` at random moments and at
// every phase boundary of a store write, then check the store. What must hold after every kill:
//
//   * the store opens and StoreReader::verify() passes;
//   * every run committed before the kill is there with the same content digest;
//   * the interrupted run is absent (or, never with this design, marked incomplete);
//   * a run published before the kill landed is complete and has the reference results digest
//     (anything else that verifies is a silently wrong row: there must be none);
//   * a temporary file left by the kill is never the store and is removed by the next writer.
//
// The quick variant runs in `make test`; `make soak` runs tests/reliability/soak.sh, which sets
// the AVF_CRASH_* variables below for hundreds of trials. Figures are printed on stdout.
//
//   AVF_CRASH_TRIALS          uniform kills of avf run in [0, run duration]     (default 20)
//   AVF_CRASH_WINDOW_TRIALS   kills inside the write window (lock .. exit)       (default 6)
//   AVF_CRASH_IMPORT_TRIALS   kills of avf zones import in [0, import duration]  (default 5)
//   AVF_CRASH_DETECTIONS      detections per run (the demo rows, repeated)      (default 20000)
//   AVF_CRASH_SEED            seed of the kill moments                          (default 20270301)
//   AVF_CRASH_PYTHON_STORES   stores re-verified by verify_store.py at the end  (default 12)
#include "storage/crash_point.hpp"
#include "storage/store.hpp"
#include "tests/reliability/workload.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <thread>

using namespace avf;
using namespace avf::reliability;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

std::size_t env_size(const char* name, std::size_t fallback) {
    const char* v = std::getenv(name);
    return v && *v ? static_cast<std::size_t>(std::strtoull(v, nullptr, 10)) : fallback;
}

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// The committed runs of a store: run id -> content digest.
std::map<std::string, std::string> committed_runs(const storage::StoreReader& store) {
    std::map<std::string, std::string> out;
    for (const auto& r : store.runs())
        if (r.committed) out[r.header.run_id] = r.content_digest;
    return out;
}

/// Everything the harness counts.
struct Figures {
    std::size_t kills = 0, opened = 0, verified = 0;
    std::size_t committed_checked = 0, committed_intact = 0;
    std::size_t interrupted_absent = 0, interrupted_incomplete = 0;
    std::size_t published_before_kill = 0, published_ok = 0;
    std::size_t completed = 0;
    std::size_t silent_rows = 0;
    std::size_t temps_left = 0, temps_removed = 0;
    std::size_t unchanged_checked = 0, unchanged = 0; ///< nothing published: store bytes as before
    std::size_t hook_points = 0, hook_reached = 0;
    std::map<std::string, std::size_t> moments; ///< when the kill landed, per trial kind
    std::vector<std::string> failures;

    void fail(const std::string& what) {
        if (failures.size() < 20) failures.push_back(what);
    }
};

/// The reference a trial's store is compared with.
struct Reference {
    std::string base;                        ///< store with zones + committed runs
    std::string base_sha;                    ///< SHA-256 of its bytes
    std::map<std::string, std::string> runs; ///< its committed runs
    std::string results_digest;              ///< of a clean run over the workload
    std::vector<Finding> findings;           ///< of that run (to count wrong rows)
    std::string regime, detections;          ///< absolute paths given to avf run
};

/// Counts rows of `findings` that differ from the reference (by position and content).
std::size_t wrong_rows(const std::vector<Finding>& a, const std::vector<Finding>& ref) {
    std::size_t wrong = a.size() > ref.size() ? a.size() - ref.size() : ref.size() - a.size();
    for (std::size_t i = 0; i < std::min(a.size(), ref.size()); ++i) {
        const Finding &x = a[i], &y = ref[i];
        bool same = x.id == y.id && x.kind == y.kind && x.certainty == y.certainty && x.measured == y.measured && x.limit == y.limit &&
                    x.explanation == y.explanation && x.evidence.size() == y.evidence.size();
        wrong += same ? 0 : 1;
    }
    return wrong;
}

/// Opens and verifies the store and checks the previously committed runs; counts into `fig` when
/// `count`. Returns the reader state needed by the caller, or nullopt after recording a failure.
std::optional<storage::VerifyReport> check_store(const std::string& store_path, const Reference& ref, const std::string& label, Figures& fig,
                                                 bool count) {
    std::optional<storage::StoreReader> store;
    try {
        store.emplace(store_path);
    } catch (const std::exception& e) {
        fig.fail(label + ": the store does not open: " + e.what());
        return std::nullopt;
    }
    if (count) ++fig.opened;
    storage::VerifyReport report = store->verify();
    if (!report.ok) {
        fig.fail(label + ": verify fails: " + report.message);
        return std::nullopt;
    }
    if (count) ++fig.verified;
    auto now = committed_runs(*store);
    for (const auto& [id, digest] : ref.runs) {
        if (count) ++fig.committed_checked;
        auto it = now.find(id);
        if (it == now.end() || it->second != digest) {
            fig.fail(label + ": previously committed run " + id + " is " + (it == now.end() ? "missing" : "changed"));
        } else if (count) {
            ++fig.committed_intact;
        }
    }
    return report;
}

/// After a kill: the checks listed at the top of this file. `base_sha`: SHA-256 of the store's
/// bytes before the command; `new_zone_set`: the set an import was writing ("" for a run).
void check_after_kill(const std::string& store_path, const Reference& ref, const std::string& base_sha, const std::string& label,
                      bool publication_possible, const std::string& new_zone_set, Figures& fig) {
    ++fig.kills;
    std::vector<std::string> leftovers = storage::leftover_temporary_files(store_path);
    fig.temps_left += leftovers.size();
    std::string bytes_now = file_sha256(store_path);
    auto report = check_store(store_path, ref, label, fig, true);
    if (!report) return;
    fig.interrupted_incomplete += report->uncommitted_runs.size();

    storage::StoreReader store(store_path);
    std::size_t fresh = 0;
    for (const auto& [id, digest] : committed_runs(store)) {
        if (ref.runs.count(id)) continue;
        ++fresh;
        if (store.run_info(id).results_digest == ref.results_digest) {
            ++fig.published_ok;
        } else {
            std::size_t wrong = wrong_rows(store.read_findings(id), ref.findings);
            fig.silent_rows += wrong;
            fig.fail(label + ": run " + id + " verifies but its results differ from the reference (" + std::to_string(wrong) + " rows)");
        }
    }
    if (!new_zone_set.empty()) {
        for (const auto& s : store.zone_sets())
            if (s.name == new_zone_set) {
                ++fresh;
                ++fig.published_ok; // verify() checked it against its commit record
            }
    }
    if (fresh > 1) fig.fail(label + ": " + std::to_string(fresh) + " new runs or sets from one command");
    if (fresh == 1) {
        ++fig.published_before_kill;
        if (!publication_possible) fig.fail(label + ": published although killed before the rename");
    } else {
        if (report->uncommitted_runs.empty()) ++fig.interrupted_absent;
        // Nothing was published: the store is byte for byte what it was (no temp file was taken for it).
        ++fig.unchanged_checked;
        if (bytes_now == base_sha)
            ++fig.unchanged;
        else
            fig.fail(label + ": nothing was published, yet the store's bytes changed");
    }
    // A temporary file is never the store: the next writer removes it and changes nothing else.
    if (!leftovers.empty()) {
        try {
            storage::StoreTransaction tx(store_path);
            tx.commit();
        } catch (const std::exception& e) {
            fig.fail(label + ": the next writer fails: " + e.what());
            return;
        }
        if (storage::leftover_temporary_files(store_path).empty())
            fig.temps_removed += leftovers.size();
        else
            fig.fail(label + ": the next writer left the temporary files of the killed one");
        check_store(store_path, ref, label + " (after the next writer)", fig, false);
    }
}

std::string when(int status, bool sent, std::size_t temps_before, bool published) {
    if (!sent || exited_with(status, 0)) return "completed before the kill";
    if (published) return "after publishing (rename done)";
    if (temps_before > 0) return "while writing the copy";
    return "before the write began";
}

} // namespace

TEST_CASE("crash harness: kill -9 at random moments of avf run and avf zones import, and at every phase boundary", "[reliability][crash]") {
    const auto t0 = Clock::now();
    const std::size_t trials = env_size("AVF_CRASH_TRIALS", 20);
    const std::size_t window_trials = env_size("AVF_CRASH_WINDOW_TRIALS", 6);
    const std::size_t import_trials = env_size("AVF_CRASH_IMPORT_TRIALS", 5);
    const std::size_t detections = env_size("AVF_CRASH_DETECTIONS", 20000);
    const std::size_t seed = env_size("AVF_CRASH_SEED", 20270301);
    const std::size_t python_stores = env_size("AVF_CRASH_PYTHON_STORES", 12);
    std::mt19937_64 rng(seed);
    test::TempDir tmp;
    const std::string avf_bin = test::avf_binary();

    // ---- the workload and the base store: zones, a small run, a reference run over the workload
    Reference ref;
    ref.regime = test::source_path("datasets/demo/regime.toml");
    ref.detections = make_detections(tmp.path() / "detections.csv", detections);
    fs::create_directories(tmp.path() / "base");
    ref.base = demo_store(tmp.path() / "base" / "store.h5");
    std::string out;
    REQUIRE(run_avf("run --regime datasets/demo/regime.toml --detections datasets/demo/detections.csv --quiet --top 0 --store " + q(ref.base), out) ==
            0);
    auto run_args = [&](const std::string& store) {
        return std::vector<std::string>{avf_bin,        "run",          "--regime", ref.regime, "--store", store,
                                        "--detections", ref.detections, "--quiet",  "--top",    "0"};
    };
    // Time a clean run, and when its temporary file appears (the write window begins).
    double run_seconds = 0, write_starts = -1;
    {
        auto start = Clock::now();
        Child run(run_args(ref.base), (tmp.path() / "reference.log").string());
        while (true) {
            if (write_starts < 0 && !storage::leftover_temporary_files(ref.base).empty()) write_starts = seconds_since(start);
            if (!run.running_after(std::chrono::microseconds(500))) break;
            if (seconds_since(start) > 600) FAIL("the reference run takes more than 10 minutes");
        }
        REQUIRE(exited_with(run.wait(), 0));
        run_seconds = seconds_since(start);
    }
    REQUIRE(write_starts >= 0);
    std::string reference_run;
    {
        storage::StoreReader base(ref.base);
        REQUIRE(base.verify().ok);
        ref.runs = committed_runs(base);
        REQUIRE(ref.runs.size() == 2);
        reference_run = *base.latest_run();
        ref.results_digest = base.run_info(reference_run).results_digest;
        ref.findings = base.read_findings(reference_run);
    }
    ref.base_sha = file_sha256(ref.base);
    const std::size_t rows_per_run = storage::StoreReader(ref.base).run_info(reference_run).findings;

    Figures fig;
    std::vector<std::string> stores_for_python;
    std::size_t trial_no = 0;
    auto fresh_copy = [&](const std::string& kind) {
        fs::path dir = tmp.path() / fmt::format("{}-{:03}", kind, ++trial_no);
        fs::create_directories(dir);
        return test::copy_store(ref.base, dir / "store.h5");
    };

    // ---- 1. kill -9 avf run at seeded random moments: uniform over the whole run, then inside the write window
    auto kill_run = [&](const std::string& kind, double from, double to, std::size_t n) {
        std::uniform_real_distribution<double> moment(from, to);
        for (std::size_t i = 0; i < n; ++i) {
            double delay = moment(rng);
            std::string store = fresh_copy(kind);
            Child run(run_args(store), store + ".log");
            bool sent = run.kill_after(std::chrono::microseconds(static_cast<long long>(delay * 1e6)));
            int status = run.wait();
            std::size_t temps = storage::leftover_temporary_files(store).size();
            bool published = false;
            try {
                published = committed_runs(storage::StoreReader(store)).size() > ref.runs.size();
            } catch (const std::exception&) {
            }
            std::string label = fmt::format("{} trial {} (kill at {:.3f} s, {})", kind, i + 1, delay, describe_status(status));
            ++fig.moments[kind + ": " + when(status, sent, temps, published)];
            if (!sent || exited_with(status, 0))
                ++fig.completed;
            else if (!killed_by_sigkill(status))
                fig.fail(label + ": ended otherwise than by the kill");
            check_after_kill(store, ref, ref.base_sha, label, true, "", fig);
            if (stores_for_python.size() < python_stores && (published || i % 4 == 0)) stores_for_python.push_back(store);
        }
    };
    kill_run("run, uniform", 0.0, run_seconds, trials);
    kill_run("run, write window", write_starts, run_seconds, window_trials);

    // ---- 2. kill -9 avf zones import at random moments
    auto import_args = [&](const std::string& store, const std::string& set) {
        return std::vector<std::string>{avf_bin,
                                        "zones",
                                        "import",
                                        test::source_path("datasets/korea/zones.geojson"),
                                        test::source_path("datasets/korea/lines.geojson"),
                                        test::source_path("datasets/baltic/zones.geojson"),
                                        test::source_path("datasets/baltic/lines.geojson"),
                                        "--store",
                                        store,
                                        "--set",
                                        set};
    };
    double import_seconds = 0;
    {
        std::string store = fresh_copy("import-timing");
        auto start = Clock::now();
        Child imp(import_args(store, "timing"), store + ".log");
        REQUIRE(exited_with(imp.wait(), 0));
        import_seconds = seconds_since(start);
    }
    {
        std::uniform_real_distribution<double> moment(0.0, import_seconds);
        for (std::size_t i = 0; i < import_trials; ++i) {
            double delay = moment(rng);
            std::string store = fresh_copy("import");
            std::string set = fmt::format("extra-{}", i + 1);
            Child imp(import_args(store, set), store + ".log");
            bool sent = imp.kill_after(std::chrono::microseconds(static_cast<long long>(delay * 1e6)));
            int status = imp.wait();
            std::size_t temps = storage::leftover_temporary_files(store).size();
            bool published = false;
            try {
                auto sets = storage::StoreReader(store).zone_sets();
                published = std::any_of(sets.begin(), sets.end(), [&](const auto& s) { return s.name == set; });
            } catch (const std::exception&) {
            }
            ++fig.moments["zones import: " + when(status, sent, temps, published)];
            if (!sent || exited_with(status, 0)) ++fig.completed;
            check_after_kill(store, ref, ref.base_sha, fmt::format("import trial {} (kill at {:.3f} s)", i + 1, delay), true, set, fig);
        }
    }

    // ---- 3. a deterministic kill at every phase boundary (the AVF_TEST_CRASH_AT hook), small runs
    Reference small = ref;
    fs::create_directories(tmp.path() / "small");
    small.base = demo_store(tmp.path() / "small" / "store.h5");
    small.detections = test::source_path("datasets/demo/detections.csv");
    // The same arguments as the killed runs below: input paths are part of a run's results.
    REQUIRE(run_avf("run --regime " + q(small.regime) + " --detections " + q(small.detections) + " --quiet --top 0 --store " + q(small.base), out) ==
            0);
    {
        storage::StoreReader s(small.base);
        small.runs = committed_runs(s);
        small.results_digest = s.run_info(*s.latest_run()).results_digest;
        small.findings = s.read_findings(*s.latest_run());
    }
    const std::string small_sha = file_sha256(small.base);
    auto at_point = [&](const std::string& command, const std::string& point) {
        bool after_rename = point == "rename" || point == "dir-fsync";
        fs::path dir = tmp.path() / fmt::format("point-{:03}", ++trial_no);
        fs::create_directories(dir);
        std::string store = test::copy_store(small.base, dir / "store.h5");
        std::string set = "extra";
        auto args = command == "run"
                        ? std::vector<std::string>{avf_bin,          "run",     "--regime", small.regime, "--store", store, "--detections",
                                                   small.detections, "--quiet", "--top",    "0"}
                        : import_args(store, set);
        Child child(args, store + ".log", {"AVF_TEST_CRASH_AT=" + point});
        int status = child.wait();
        std::string label = command + " killed at " + point;
        ++fig.hook_points;
        if (exited_with(status, 0)) return false; // the point was not reached (end of a sweep)
        if (!killed_by_sigkill(status)) {
            fig.fail(label + ": " + describe_status(status));
            return false;
        }
        ++fig.hook_reached;
        bool temp_expected = !after_rename && point != "lock";
        if (temp_expected != !storage::leftover_temporary_files(store).empty())
            fig.fail(label + (temp_expected ? ": no temporary file" : ": an unexpected temporary file"));
        check_after_kill(store, small, small_sha, label, after_rename, command == "run" ? "" : set, fig);
        if (after_rename) {
            auto published = command == "run" ? committed_runs(storage::StoreReader(store)).size() == small.runs.size() + 1
                                              : storage::StoreReader(store).zone_sets().size() == 2;
            if (!published) fig.fail(label + ": the write was renamed into place but is not in the store");
        }
        if (stores_for_python.size() < python_stores + 6 && after_rename) stores_for_python.push_back(store);
        return true;
    };
    // The member-* points (schema 5: the run's or zone set's own file closed, fsynced, renamed into
    // <store>.d/, its folder fsynced) come before the store file that links it is published.
    std::set<std::string> run_points = {"lock",       "copy",       "open",         "run-begin",    "findings-batch", "problems",
                                        "run-tables", "run-commit", "member-close", "member-fsync", "member-rename",  "member-dir-fsync",
                                        "chain",      "close",      "fsync",        "rename",       "dir-fsync"};
    std::set<std::string> import_points = {"lock",         "copy",         "open",          "zone-set-tables",  "zone-set-commit",
                                           "member-close", "member-fsync", "member-rename", "member-dir-fsync", "close",
                                           "fsync",        "rename",       "dir-fsync"};
    for (std::string_view point : storage::crash_points) {
        std::string p(point);
        if (run_points.count(p)) at_point("run", p);
        if (import_points.count(p)) at_point("import", p);
    }
    // The N-sweep: the k-th chunk handed to HDF5, for every k, until the run completes.
    std::size_t chunks = 0;
    while (chunks < 200 && at_point("run", "chunk-write#" + std::to_string(chunks + 1))) ++chunks;
    CHECK(chunks >= 5);
    std::size_t import_chunks = 0;
    while (import_chunks < 200 && at_point("import", "chunk-write#" + std::to_string(import_chunks + 1))) ++import_chunks;

    // ---- 4. a second opinion: every digest recomputed by Python (h5py + hashlib) on a sample of the stores
    std::string cmd = "/usr/bin/python3 " + q(test::source_path("tests/reliability/verify_store.py"));
    for (const auto& s : stores_for_python) cmd += " " + q(s);
    std::string py;
    int py_code = test::run_command(cmd, py);
    std::size_t py_ok = 0, py_runs = 0;
    {
        std::stringstream lines(py);
        std::string line;
        while (std::getline(lines, line)) {
            auto j = nlohmann::json::parse(line, nullptr, false);
            if (j.is_discarded()) continue;
            py_ok += j["ok"].get<bool>() ? 1 : 0;
            for (const auto& [id, r] : j["runs"].items()) {
                bool base_run = ref.runs.count(id) || small.runs.count(id);
                if (base_run) continue;
                ++py_runs;
                std::string results = r["results"].get<std::string>();
                if (results != ref.results_digest && results != small.results_digest)
                    fig.fail("verify_store.py: run " + id + " has results digest " + results + ", not the reference");
            }
        }
    }

    // ---- figures
    const double pct = fig.committed_checked ? 100.0 * static_cast<double>(fig.committed_intact) / static_cast<double>(fig.committed_checked) : 0.0;
    std::cout << fmt::format("\n== crash harness: seed {}, {} detections per run ({} findings), run {:.2f} s (write window from {:.2f} s), "
                             "zones import {:.2f} s ==\n",
                             seed, detections, rows_per_run, run_seconds, write_starts, import_seconds);
    for (const auto& [k, n] : fig.moments) std::cout << fmt::format("  kill moment  {:<60} {:>4}\n", k, n);
    std::cout << fmt::format("  kills (random + phase boundaries): {}; completed before the kill: {}\n", fig.kills, fig.completed);
    std::cout << fmt::format("  phase-boundary kills (AVF_TEST_CRASH_AT): {} points tried, hook reached {} (chunk-write sweep: run {}, import {})\n",
                             fig.hook_points, fig.hook_reached, chunks, import_chunks);
    std::cout << fmt::format("  store opened after the kill: {}/{}; verify ok: {}/{}\n", fig.opened, fig.kills, fig.verified, fig.kills);
    std::cout << fmt::format("  previously committed runs intact: {}/{} ({:.1f} %); rows of committed runs lost: {}\n", fig.committed_intact,
                             fig.committed_checked, pct, fig.committed_checked - fig.committed_intact);
    std::cout << fmt::format("  interrupted writes: {} absent, {} marked incomplete; published before the kill landed: {} (all verified, "
                             "reference results: {})\n",
                             fig.interrupted_absent, fig.interrupted_incomplete, fig.published_before_kill, fig.published_ok);
    std::cout << fmt::format("  silently wrong rows: {}\n", fig.silent_rows);
    std::cout << fmt::format("  nothing published: store byte-identical to before the command {}/{}; temporary files left by kills: {}, "
                             "removed by the next writer: {}\n",
                             fig.unchanged, fig.unchanged_checked, fig.temps_left, fig.temps_removed);
    std::cout << fmt::format(
        "  independent check (verify_store.py, h5py + hashlib): {}/{} stores ok, {} new runs with the reference results digest\n", py_ok,
        stores_for_python.size(), py_runs);
    std::cout << fmt::format("  elapsed: {:.1f} s\n", seconds_since(t0)) << std::flush;

    std::string failures;
    for (const auto& f : fig.failures) failures += f + "\n";
    INFO(py);
    INFO(failures);
    CHECK(fig.failures.empty());
    CHECK(fig.silent_rows == 0);
    CHECK(fig.committed_intact == fig.committed_checked);
    CHECK(fig.verified == fig.kills);
    CHECK(fig.hook_reached >= run_points.size() + import_points.size());
    CHECK(fig.temps_removed == fig.temps_left);
    CHECK(fig.unchanged == fig.unchanged_checked);
    CHECK(py_code == 0);
    CHECK(py_ok == stores_for_python.size());
}

// The first write of a store of schema 1-4 moves its inline zone sets and runs to member files
// (docs/store-format.md §9) before the command's own write, under the lock, in the same
// copy-on-write publication. A kill -9 at every step of it — each moved group's member file
// closed, fsynced, renamed, its folder fsynced, the move done (raise-move, once per group), then
// the command's own steps — leaves the old store byte for byte as it was (with leftovers the next
// writer removes) or, once the new store file is renamed into place, the raised store whole. Either
// way the next complete write verifies and every old run exports byte for byte as before.
TEST_CASE("kill -9 at every step of the first write of an old store, which moves its groups to member files", "[reliability][crash][raise]") {
    test::TempDir tmp;
    const std::string avf_bin = test::avf_binary();
    const std::string fixture = test::source_path("tests/data/store-v3.h5"); // one zone set, one run, schema 3
    const std::string fixture_sha = file_sha256(fixture);
    std::vector<std::string> old_runs;
    for (const auto& r : storage::StoreReader(fixture).runs()) old_runs.push_back(r.header.run_id);
    REQUIRE(old_runs.size() == 1);
    REQUIRE(storage::StoreReader(fixture).zone_sets().size() == 1);
    std::string out;
    auto export_run = [&](const std::string& store, const std::string& run, const std::string& format, const std::string& file) {
        REQUIRE(run_avf("findings export --store " + q(store) + " --run " + q(run) + " --format " + format + " --output " + q(file), out) == 0);
        std::ifstream in(file, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    std::map<std::string, std::string> before; // run/format -> export
    for (const std::string& run : old_runs)
        for (const char* format : {"csv", "geojson"})
            before[run + "/" + format] = export_run(fixture, run, format, (tmp.path() / (run + "-before." + format)).string());
    auto run_args = [&](const std::string& store) {
        return std::vector<std::string>{avf_bin,
                                        "run",
                                        "--regime",
                                        test::source_path("datasets/demo/regime.toml"),
                                        "--store",
                                        store,
                                        "--detections",
                                        test::source_path("datasets/demo/detections.csv"),
                                        "--quiet",
                                        "--top",
                                        "0"};
    };
    // Occurrences: #1 the zone set moved, #2 the run moved, #3 the new run's own member file.
    const std::vector<std::string> points = {"lock",         "member-close#1", "member-fsync#1",  "member-rename#1",    "member-dir-fsync#1",
                                             "raise-move#1", "member-close#2", "member-rename#2", "member-dir-fsync#2", "raise-move#2",
                                             "copy",         "open",           "run-commit",      "member-rename#3",    "chain",
                                             "close",        "fsync",          "rename",          "dir-fsync"};
    std::size_t n = 0;
    for (const std::string& point : points) {
        INFO("killed at " << point);
        fs::path dir = tmp.path() / fmt::format("raise-{:02}", ++n);
        fs::create_directories(dir);
        const std::string store = (dir / "store.h5").string();
        fs::copy_file(fixture, store);
        Child child(run_args(store), store + ".log", {"AVF_TEST_CRASH_AT=" + point});
        const int status = child.wait();
        REQUIRE(killed_by_sigkill(status));
        const bool published = point == "rename" || point == "dir-fsync";
        {
            storage::StoreReader reader(store);
            auto report = reader.verify();
            INFO(report.message);
            CHECK(report.ok);
            if (published) {
                CHECK(reader.schema_version() == 5);
                CHECK(reader.runs().size() == old_runs.size() + 1);
                for (const std::string& run : old_runs) CHECK(fs::exists(store + ".d/runs/" + run + ".h5"));
                CHECK(storage::leftover_temporary_files(store).empty());
            } else {
                CHECK(file_sha256(store) == fixture_sha); // nothing published: the old store as it was
                CHECK(reader.schema_version() == 3);
                CHECK(reader.runs().size() == old_runs.size());
                CHECK(storage::leftover_temporary_files(store).empty() == (point == "lock"));
            }
        }
        // The next complete write removes the leftovers, and raises (or has raised) the store whole.
        REQUIRE(run_avf("run --regime datasets/demo/regime.toml --detections datasets/demo/detections.csv --quiet --top 0 --store " + q(store),
                        out) == 0);
        CHECK(storage::leftover_temporary_files(store).empty());
        CHECK(run_avf("audit verify " + q(store), out) == 0);
        storage::StoreReader reader(store);
        CHECK(reader.schema_version() == 5);
        CHECK(reader.runs().size() == old_runs.size() + (published ? 2 : 1));
        for (const std::string& run : old_runs)
            for (const char* format : {"csv", "geojson"})
                CHECK(export_run(store, run, format, (dir / (run + "-after." + format)).string()) == before[run + "/" + format]);
    }
    CHECK(file_sha256(fixture) == fixture_sha);
}
