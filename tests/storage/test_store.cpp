// Store round-trips, naming rules, transactions and the audit chain.
#include "core/error.hpp"
#include "core/sha256.hpp"
#include "storage/signing.hpp"
#include "storage/store.hpp"
#include "tests/storage/sample_store.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <hdf5.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace avf;
using namespace avf::storage;
namespace fs = std::filesystem;

namespace {

/// Lists the directory's entries (to show no temporary file is left behind).
std::vector<std::string> entries(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) {
        names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

} // namespace

TEST_CASE("a zone set round-trips exactly: geometry with holes, lines, sources, problems, unicode", "[store]") {
    test::TempDir tmp;
    std::string path = (tmp.path() / "zones.h5").string();
    auto set = test::sample_zone_set("비무장지대");
    {
        StoreTransaction tx(path);
        CHECK_FALSE(tx.has_zone_set("비무장지대"));
        tx.write_zone_set(set);
        CHECK(tx.has_zone_set("비무장지대"));
        tx.commit();
    }
    StoreReader store(path);
    CHECK(store.schema_version() == 5);
    auto infos = store.zone_sets();
    REQUIRE(infos.size() == 1);
    CHECK(infos[0].name == "비무장지대");
    CHECK(infos[0].imported_utc == "2027-02-01T08:00:00Z");
    CHECK(infos[0].zones == 3);
    CHECK(infos[0].lines == 1);
    CHECK(infos[0].problems == 2);
    CHECK(infos[0].sources.size() == 2);
    CHECK(infos[0].digest.size() == 64);
    test::check_same(set, store.read_zone_set("비무장지대"));
    CHECK_THROWS_AS(store.read_zone_set("nope"), InputError);
}

TEST_CASE("zone sets are listed in import order", "[store]") {
    test::TempDir tmp;
    std::string path = (tmp.path() / "s.h5").string();
    {
        StoreTransaction tx(path);
        for (const char* name : {"zulu", "alpha", "mike"}) {
            tx.write_zone_set(test::sample_zone_set(name));
        }
        tx.commit();
    }
    StoreTransaction tx(path);
    tx.write_zone_set(test::sample_zone_set("bravo"));
    tx.commit();
    std::vector<std::string> names;
    for (const auto& s : StoreReader(path).zone_sets()) {
        names.push_back(s.name);
    }
    CHECK(names == std::vector<std::string>{"zulu", "alpha", "mike", "bravo"});
}

TEST_CASE("a run round-trips: findings with evidence in order, explanations, problems, summary, inputs", "[store]") {
    test::TempDir tmp;
    std::string path = (tmp.path() / "runs.h5").string();
    test::write_sample_store(path, "run-2027-03-04");

    StoreReader store(path);
    auto expected = test::sample_findings();
    auto findings = store.read_findings("run-2027-03-04");
    REQUIRE(findings.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        test::check_same(expected[i], findings[i]);
    }

    auto problems = store.read_problems("run-2027-03-04");
    auto expected_problems = test::sample_run_problems();
    REQUIRE(problems.size() == expected_problems.size());
    for (std::size_t i = 0; i < problems.size(); ++i) {
        test::check_same(expected_problems[i], problems[i]);
    }

    RunInfo info = store.run_info("run-2027-03-04");
    RunHeader header = test::sample_run_header("run-2027-03-04");
    CHECK(info.header.run_id == header.run_id);
    CHECK(info.header.zone_set == "dmz-2027");
    CHECK(info.header.regime_id == header.regime_id);
    CHECK(info.header.regime_text == header.regime_text);
    CHECK(info.header.options_json == header.options_json);
    CHECK(info.header.tool_version == header.tool_version);
    CHECK(info.header.started == header.started);
    CHECK(info.summary.finished == test::sample_summary().finished);
    CHECK(info.summary.status == "complete");
    CHECK(info.committed);
    CHECK(info.sequence == 2); // after the zone set's row
    CHECK(info.content_digest.size() == 64);
    CHECK(info.zone_set_digest == store.zone_sets().at(0).digest);
    CHECK(info.findings == 3);
    CHECK(info.evidence == 5);
    CHECK(info.problems == 3);
    // Inputs: the header's files, completed with the counts from the summary.
    REQUIRE(info.header.inputs.size() == 2);
    auto detections = header.inputs[0];
    detections.records_read = 120;
    detections.records_rejected = 2;
    test::check_same(detections, info.header.inputs[0]);
    CHECK(info.header.inputs[1].records_read == 7);
    CHECK(info.summary.inputs.size() == 2);
    REQUIRE(info.summary.rows.size() == 3);
    CHECK(info.summary.rows[1].rule_id == "cov-1");
    CHECK(info.summary.rows[1].kind == "coverage_gap");
    CHECK(info.summary.rows[1].certainty == "n/a");
    CHECK(info.summary.rows[1].findings == 1);
}

TEST_CASE("large option texts are kept whole (dense attribute storage)", "[store]") {
    test::TempDir tmp;
    std::string path = (tmp.path() / "s.h5").string();
    auto header = test::sample_run_header("big-options");
    header.options_json = R"({"note":")" + std::string(std::size_t{200} * 1024, 'x') + "\"}";
    {
        StoreTransaction tx(path);
        auto run = tx.begin_run(header);
        run.finish(test::sample_summary());
        tx.commit();
    }
    StoreReader store(path);
    CHECK(store.run_info("big-options").header.options_json == header.options_json);
    CHECK(store.verify().ok);
}

TEST_CASE("existing zone sets and runs are never overwritten", "[store]") {
    test::TempDir tmp;
    std::string path = (tmp.path() / "s.h5").string();
    test::write_sample_store(path, "run-1");
    StoreTransaction tx(path);
    CHECK(tx.has_zone_set("dmz-2027"));
    CHECK(tx.has_run("run-1"));
    CHECK_FALSE(tx.has_run("run-2"));
    CHECK_THROWS_WITH(tx.write_zone_set(test::sample_zone_set("dmz-2027")),
                      "zone set dmz-2027 already exists in " + path + "; import under a new name");
    CHECK_THROWS_AS(tx.begin_run(test::sample_run_header("run-1")), InputError);
    CHECK_THROWS_WITH(tx.begin_run(test::sample_run_header("run-1")), Catch::Contains("run run-1 already exists in"));
    // Refusals write nothing, so the transaction is still good.
    tx.write_zone_set(test::sample_zone_set("dmz-2027-v2"));
    tx.commit();
    CHECK(StoreReader(path).zone_sets().size() == 2);
}

TEST_CASE("names that cannot be HDF5 group names are refused", "[store]") {
    test::TempDir tmp;
    StoreTransaction tx((tmp.path() / "s.h5").string());
    for (const std::string& bad :
         {std::string(""), std::string("a/b"), std::string("."), std::string(".."), std::string(65, 'n'), std::string("bad\xff")}) {
        INFO(bad);
        CHECK_THROWS_AS(tx.write_zone_set(test::sample_zone_set(bad)), InputError);
        CHECK_THROWS_AS(tx.begin_run(test::sample_run_header(bad)), InputError);
        CHECK_FALSE(tx.has_run(bad));
    }
    CHECK_NOTHROW(tx.write_zone_set(test::sample_zone_set(std::string(64, 'n'))));
}

TEST_CASE("values longer than their column are refused, not truncated, and nothing of the batch is written", "[store]") {
    test::TempDir tmp;
    std::string path = (tmp.path() / "s.h5").string();
    StoreTransaction tx(path);

    auto set = test::sample_zone_set("long-id");
    set.zones[1].id = ZoneId(std::string(65, 'Z'));
    CHECK_THROWS_WITH(tx.write_zone_set(set), Catch::Contains("value of 65 bytes does not fit column zones.id (at most 64 bytes") &&
                                                  Catch::Contains("the store never truncates"));
    CHECK_FALSE(tx.has_zone_set("long-id"));

    set = test::sample_zone_set("long-name");
    set.zones[0].name = std::string(129, 'n');
    CHECK_THROWS_WITH(tx.write_zone_set(set), Catch::Contains("zones.name (at most 128 bytes"));
    set.zones[0].name = std::string(128, 'n'); // exactly at the limit
    CHECK_NOTHROW(tx.write_zone_set(set));

    auto run = tx.begin_run(test::sample_run_header("r"));
    auto findings = test::sample_findings();
    findings[2].rule_id = std::string(65, 'r');
    CHECK_THROWS_AS(run.append_findings(findings), InputError);
    findings[2].rule_id = "bad\xc3(";
    CHECK_THROWS_WITH(run.append_findings(findings), Catch::Contains("not valid UTF-8"));
    findings[2].rule_id = std::string("nul\0byte", 8);
    CHECK_THROWS_WITH(run.append_findings(findings), Catch::Contains("NUL byte"));
    findings[2].rule_id = "I-2";
    findings[2].span.from = UtcTime{400000000000000LL}; // year 14645
    CHECK_THROWS_WITH(run.append_findings(findings), Catch::Contains("outside the years 0000-9999"));
    findings[2].span.from = UtcTime{253402300800000LL}; // 10000-01-01T00:00:00Z, the first instant out
    CHECK_THROWS_WITH(run.append_findings(findings), Catch::Contains("outside the years 0000-9999"));
    findings[2].span.from = UtcTime{-62167219200000LL - 1}; // 1 ms before 0000-01-01
    CHECK_THROWS_WITH(run.append_findings(findings), Catch::Contains("outside the years 0000-9999"));
    findings[2].span.from = UtcTime{0};
    findings[2].evidence[0].source_file = "not-an-input.csv";
    CHECK_THROWS_AS(run.append_findings(findings), InternalError);
    run.append_findings(test::sample_findings());
    run.finish(test::sample_summary());
    tx.commit();

    StoreReader store(path);
    CHECK(store.read_findings("r").size() == 3); // only the batch that was accepted
    CHECK(store.verify().ok);
}

TEST_CASE("the first and last instants of years 0000-9999 are stored and read back exactly", "[store]") {
    test::TempDir tmp;
    std::string path = (tmp.path() / "s.h5").string();
    StoreTransaction tx(path);
    auto run = tx.begin_run(test::sample_run_header("r"));
    auto findings = test::sample_findings();
    findings[2].span.from = UtcTime{-62167219200000LL};   // 0000-01-01T00:00:00Z
    findings[2].span.to = UtcTime{253402300800000LL - 1}; // 9999-12-31T23:59:59.999Z
    run.append_findings(findings);
    run.finish(test::sample_summary());
    tx.commit();
    auto back = StoreReader(path).read_findings("r");
    REQUIRE(back.size() == 3);
    CHECK(back[2].span.from == findings[2].span.from);
    CHECK(back[2].span.to == findings[2].span.to);
}

TEST_CASE("an abandoned transaction leaves the published store byte-identical and no temporary file", "[store]") {
    test::TempDir tmp;
    std::string path = (tmp.path() / "s.h5").string();
    test::write_sample_store(path, "run-1");
    std::string before = test::file_bytes(path);
    auto listing = entries(tmp.path());
    CHECK(listing == std::vector<std::string>{"s.h5", "s.h5.d", "s.h5.lock"});
    {
        StoreTransaction tx(path);
        tx.write_zone_set(test::sample_zone_set("other"));
        auto run = tx.begin_run(test::sample_run_header("run-2"));
        run.append_findings(test::sample_findings());
        CHECK(fs::exists(path + ".tmp-" + std::to_string(::getpid())));
        // No commit: the transaction is abandoned when it goes out of scope.
    }
    CHECK(test::file_bytes(path) == before);
    CHECK(entries(tmp.path()) == listing);
    CHECK(entries(tmp.path() / "s.h5.d" / "runs") == std::vector<std::string>{"run-1.h5"}); // the abandoned run's file is gone
    CHECK(entries(tmp.path() / "s.h5.d" / "zones") == std::vector<std::string>{"dmz-2027.h5"});
    StoreReader store(path);
    CHECK(store.runs().size() == 1);
    CHECK(store.zone_sets().size() == 1);
}

TEST_CASE("commit refuses an unfinished run and publishes nothing", "[store]") {
    test::TempDir tmp;
    std::string path = (tmp.path() / "s.h5").string();
    StoreTransaction tx(path);
    auto run = tx.begin_run(test::sample_run_header("r"));
    CHECK_THROWS_AS(tx.begin_run(test::sample_run_header("r2")), InternalError);
    run.append_findings(test::sample_findings());
    CHECK_THROWS_WITH(tx.commit(), Catch::Contains("run r is not finished"));
    CHECK_FALSE(fs::exists(path));
    run.finish(test::sample_summary());
    CHECK_THROWS_AS(run.append_findings(test::sample_findings()), InternalError);
    tx.commit();
    CHECK(fs::exists(path));
    CHECK_THROWS_AS(tx.commit(), InternalError);
}

TEST_CASE("a second writer is refused while the store is locked", "[store]") {
    test::TempDir tmp;
    std::string path = (tmp.path() / "s.h5").string();
    StoreTransaction first(path);
    CHECK_THROWS_WITH(StoreTransaction(path), Catch::Contains("another process is writing this store"));
    first.commit();
    CHECK_NOTHROW(StoreTransaction(path)); // released by commit
}

TEST_CASE("a zone set and two committed runs form an audit chain of three", "[store]") {
    test::TempDir tmp;
    std::string path = (tmp.path() / "s.h5").string();
    test::write_sample_store(path, "run-a");
    test::write_sample_store(path, "run-b", /*with_zone_set=*/false);

    StoreReader store(path);
    auto all = store.chain();
    REQUIRE(all.size() == 3);
    CHECK(all[0].sequence == 1);
    CHECK(all[0].kind == ChainKind::zone_set);
    CHECK(all[0].name == "dmz-2027");
    CHECK(all[0].run_id.empty());
    CHECK(all[0].content_digest == store.zone_sets()[0].digest);
    CHECK(all[0].previous_digest == std::string(64, '0'));
    // The zone set's key is "zone_set/<name>": no run id (which holds no '/') can collide with it.
    CHECK(all[0].digest == sha256_hex(std::string(64, '0') + "zone_set/dmz-2027" + all[0].content_digest));
    auto chain = store.audit_chain(); // the run rows
    REQUIRE(chain.size() == 2);
    CHECK(chain[0].sequence == 2);
    CHECK(chain[0].kind == ChainKind::run);
    CHECK(chain[0].run_id == "run-a");
    CHECK(chain[0].previous_digest == all[0].digest);
    CHECK(chain[0].digest == sha256_hex(all[0].digest + "run-a" + chain[0].content_digest));
    CHECK(chain[1].sequence == 3);
    CHECK(chain[1].run_id == "run-b");
    CHECK(chain[1].previous_digest == chain[0].digest);
    CHECK(chain[1].content_digest == store.run_info("run-b").content_digest);
    CHECK(chain[0].content_digest != chain[1].content_digest); // the run id is part of the content
    // ... but not of the results: same regime, inputs, findings, evidence and problems.
    CHECK(store.run_info("run-a").results_digest.size() == 64);
    CHECK(store.run_info("run-a").results_digest == store.run_info("run-b").results_digest);

    auto runs = store.runs();
    REQUIRE(runs.size() == 2);
    CHECK(runs[0].header.run_id == "run-a");
    CHECK(runs[1].header.run_id == "run-b");
    CHECK(runs[1].sequence == 3);
    CHECK(store.latest_run() == "run-b");
    auto report = store.verify();
    CHECK(report.ok);
    CHECK(report.runs_checked == 2);
    CHECK(report.chain_rows == 3);
    CHECK(report.head.digest == chain[1].digest);
    CHECK(report.zone_sets_checked == 1);
}

TEST_CASE("the same inputs give the same digests in different stores", "[store]") {
    test::TempDir tmp;
    // Same file name in two folders: the store file's links name its member folder (<name>.d).
    fs::create_directories(tmp.path() / "a");
    fs::create_directories(tmp.path() / "b");
    std::string a = (tmp.path() / "a" / "s.h5").string();
    std::string b = (tmp.path() / "b" / "s.h5").string();
    test::write_sample_store(a, "run-1");
    test::write_sample_store(b, "run-1");
    StoreReader sa(a), sb(b);
    CHECK(sa.zone_sets()[0].digest == sb.zone_sets()[0].digest);
    CHECK(sa.run_info("run-1").content_digest == sb.run_info("run-1").content_digest);
    CHECK(sa.audit_chain()[0].digest == sb.audit_chain()[0].digest);
    // No timestamps anywhere in the file: the whole file is reproducible, not only its tables.
    CHECK(test::file_bytes(a) == test::file_bytes(b));
    CHECK(test::file_bytes(a + ".d/runs/run-1.h5") == test::file_bytes(b + ".d/runs/run-1.h5"));
    CHECK(test::file_bytes(a + ".d/zones/dmz-2027.h5") == test::file_bytes(b + ".d/zones/dmz-2027.h5"));
}

TEST_CASE("an empty store has no runs and verifies", "[store]") {
    test::TempDir tmp;
    std::string path = (tmp.path() / "s.h5").string();
    StoreTransaction(path).commit();
    StoreReader store(path);
    CHECK(store.runs().empty());
    CHECK(store.zone_sets().empty());
    CHECK_FALSE(store.latest_run());
    CHECK(store.verify().ok);
    CHECK_THROWS_AS(store.run_info("x"), InputError);
}

TEST_CASE("missing files and files that are not avf stores are I/O errors", "[store]") {
    test::TempDir tmp;
    CHECK_THROWS_WITH(StoreReader((tmp.path() / "missing.h5").string()), Catch::Contains("no such store"));
    std::string text = tmp.write("notes.h5", "not HDF5 at all\n");
    CHECK_THROWS_AS(StoreReader(text), IoError);
    CHECK_THROWS_AS(StoreTransaction{text}, IoError);
    CHECK(test::file_bytes(text) == "not HDF5 at all\n"); // the refused transaction left it alone
}

namespace {

/// Outcome of the failing transaction run in a child process.
enum ChildOutcome : int {
    io_error_then_refused = 0, ///< IoError, and commit() afterwards refused with InternalError
    no_error = 1,
    wrong_error = 2,
    committed_after_failure = 3,
    identifiers_left_open = 4, ///< an HDF5 identifier of ours outlived the failed transaction
    unreadable_afterwards = 5, ///< the published store did not verify after the failure
};

/// How many HDF5 identifiers of each kind exist in this process. A transaction or reader that
/// forgets to close one leaves a count higher than before. (LeakSanitizer cannot see that: HDF5
/// keeps every open identifier reachable, and avf disables its atexit teardown.)
std::map<std::string, hsize_t> identifier_counts() {
    std::map<std::string, hsize_t> counts;
    const std::pair<const char*, H5I_type_t> types[] = {
        {"file", H5I_FILE},         {"group", H5I_GROUP},         {"dataset", H5I_DATASET},          {"attribute", H5I_ATTR},
        {"datatype", H5I_DATATYPE}, {"dataspace", H5I_DATASPACE}, {"property list", H5I_GENPROP_LST}};
    for (const auto& [name, type] : types) {
        hsize_t n = 0;
        H5Inmembers(type, &n);
        counts[name] = n;
    }
    return counts;
}

std::string describe(const std::map<std::string, hsize_t>& counts) {
    std::string out;
    for (const auto& [name, n] : counts) out += (out.empty() ? "" : ", ") + name + " " + std::to_string(n);
    return out;
}

/// Runs `body` in a forked child whose file-size limit is `limit` bytes, so writes past it fail
/// with EFBIG the way a full disk fails with ENOSPC. The child writes `message` to a pipe and
/// exits with body's result through exit(), so HDF5's teardown and, in the ASan build,
/// LeakSanitizer's check run as in any process. A child keeps the limit, and whatever HDF5
/// keeps of a file whose close failed, away from the rest of the test process.
int run_with_file_size_limit(rlim_t limit, const std::function<int(std::string&)>& body, std::string& message) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(fds[0]);
        std::signal(SIGXFSZ, SIG_IGN); // EFBIG instead of being killed
        rlimit lower{};
        getrlimit(RLIMIT_FSIZE, &lower);
        lower.rlim_cur = limit;
        setrlimit(RLIMIT_FSIZE, &lower);
        std::string text;
        int code = body(text);
        if (::write(fds[1], text.data(), text.size()) < 0) {
            code = 100;
        }
        ::close(fds[1]);
        // A normal exit runs HDF5's teardown (and LeakSanitizer's check in the ASan build).
        std::exit(code);
    }
    ::close(fds[1]);
    char buffer[4096];
    ssize_t n = 0;
    while ((n = ::read(fds[0], buffer, sizeof buffer)) > 0) {
        message.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status)); // not killed (SIGXFSZ, SIGSEGV at exit)
    return WEXITSTATUS(status);
}

} // namespace

TEST_CASE("a failed write surfaces as an I/O error and publishes nothing", "[store]") {
    test::TempDir tmp;
    std::string path = (tmp.path() / "s.h5").string();
    test::write_sample_store(path, "run-1");
    std::string before = test::file_bytes(path);

    // A zone with 100 000 vertices of incompressible coordinates: ~1.6 MB of WKB.
    auto set = test::sample_zone_set("huge");
    Ring& ring = set.zones[0].geometry[0].outer();
    ring.clear();
    std::uint64_t state = 88172645463325252ULL;
    for (int i = 0; i < 100000; ++i) {
        state ^= state << 13, state ^= state >> 7, state ^= state << 17; // xorshift: reproducible noise
        ring.emplace_back(126.0 + static_cast<double>(state % 1000003) / 1e6, 38.0 + static_cast<double>(state % 999983) / 1e6);
    }
    ring.push_back(ring.front());

    std::string message;
    int outcome = run_with_file_size_limit(
        before.size() + std::size_t{256} * 1024,
        [&](std::string& text) {
            StoreReader(path).verify(); // HDF5 initialised: its own identifiers are in the counts
            const auto ids_before = identifier_counts();
            int outcome = [&] {
                try {
                    StoreTransaction tx(path);
                    try {
                        tx.write_zone_set(set);
                        tx.commit();
                        return int{no_error};
                    } catch (const IoError& e) {
                        text = e.what();
                    }
                    try {
                        tx.commit(); // after a failed write the transaction can only be abandoned
                        return int{committed_after_failure};
                    } catch (const InternalError&) {
                        return int{io_error_then_refused};
                    }
                } catch (const IoError& e) {
                    text = e.what(); // the copy itself did not fit
                    return int{io_error_then_refused};
                } catch (const std::exception& e) {
                    text = e.what();
                    return int{wrong_error};
                }
            }();
            // Every identifier we opened was closed once. The one extra file identifier is
            // HDF5's: a file whose H5Fclose failed stays registered (H5I_dec_ref keeps an id
            // whose close callback fails), and nothing can close it while the disk is full.
            auto ids_after = identifier_counts();
            auto expected = ids_before;
            if (ids_after["file"] == expected["file"] + 1) expected["file"] += 1;
            if (ids_after != expected) {
                text += "\nidentifiers before: " + describe(ids_before) + "\nidentifiers after:  " + describe(ids_after);
                return int{identifiers_left_open};
            }
            // The disk has room again: the store reads and verifies in the same process. (This
            // is also where HDF5's lost metadata-accumulator buffer becomes unreachable; see
            // tests/storage/lsan.supp.)
            rlimit unlimited{};
            getrlimit(RLIMIT_FSIZE, &unlimited);
            unlimited.rlim_cur = unlimited.rlim_max;
            setrlimit(RLIMIT_FSIZE, &unlimited);
            if (outcome == io_error_then_refused && !StoreReader(path).verify().ok) return int{unreadable_afterwards};
            return outcome;
        },
        message);
    INFO(message);
    CHECK(outcome == io_error_then_refused);
    CHECK_THAT(message, Catch::Contains("s.h5") && Catch::Contains("File too large"));
    CHECK(test::file_bytes(path) == before);
    CHECK(entries(tmp.path()) == std::vector<std::string>{"s.h5", "s.h5.d", "s.h5.lock"});
    CHECK(StoreReader(path).verify().ok);
}

TEST_CASE("a writer removes the temporary files of writers killed before publishing, and only those", "[store]") {
    test::TempDir tmp;
    std::string path = (tmp.path() / "s.h5").string();
    test::write_sample_store(path, "run-1");
    std::string stale = tmp.write("s.h5.tmp-99999", "half a store");
    std::string other = tmp.write("s.h5.tmp-notes", "not ours");
    std::string neighbour = tmp.write("t.h5.tmp-42", "another store's");
    CHECK(leftover_temporary_files(path) == std::vector<std::string>{stale});
    CHECK(StoreReader(path).verify().ok); // never read, never the store

    test::write_sample_store(path, "run-2", /*with_zone_set=*/false);
    CHECK(leftover_temporary_files(path).empty());
    CHECK(entries(tmp.path()) == std::vector<std::string>{"s.h5", "s.h5.d", "s.h5.lock", "s.h5.tmp-notes", "t.h5.tmp-42"});
    CHECK(StoreReader(path).verify().runs_checked == 2);
}

// Issue 16, item 7: the copy of the published store is the first write of every transaction;
// when it fails the errno must reach the message (libstdc++'s copy_file reported a short
// sendfile() as "Input/output error" whatever the cause).
TEST_CASE("a store copy that does not fit says why (errno), names the paths and publishes nothing", "[store][diskfull]") {
    test::TempDir tmp;
    std::string path = (tmp.path() / "s.h5").string();
    test::write_sample_store(path, "run-1");
    std::string before = test::file_bytes(path);
    std::string message;
    int outcome = run_with_file_size_limit(
        before.size() / 2,
        [&](std::string& text) {
            try {
                StoreTransaction tx(path);
                return int{no_error};
            } catch (const IoError& e) {
                text = e.what();
                return int{io_error_then_refused};
            } catch (const std::exception& e) {
                text = e.what();
                return int{wrong_error};
            }
        },
        message);
    INFO(message);
    CHECK(outcome == io_error_then_refused);
    CHECK_THAT(message, Catch::Contains("cannot copy the store") && Catch::Contains("s.h5.tmp-") && Catch::Contains("File too large"));
    CHECK_THAT(message, !Catch::Contains("Input/output error"));
    CHECK(test::file_bytes(path) == before);
    CHECK(entries(tmp.path()) == std::vector<std::string>{"s.h5", "s.h5.d", "s.h5.lock"});
}

// Issue 16, item 6: a store named through a symbolic link is written through to its target.
TEST_CASE("a store given as a symbolic link is written through: the link stays, the target is replaced, one lock for both paths",
          "[store][symlink]") {
    test::TempDir tmp;
    fs::create_directory(tmp.path() / "archive");
    std::string target = (tmp.path() / "archive" / "real.h5").string();
    std::string link = (tmp.path() / "current.h5").string();
    test::write_sample_store(target, "run-1");
    fs::create_symlink("archive/real.h5", link);

    SECTION("a write through the link") {
        test::write_sample_store(link, "run-2", /*with_zone_set=*/false);
        CHECK(fs::is_symlink(link));
        CHECK(fs::read_symlink(link) == "archive/real.h5");
        StoreReader through_target(target);
        CHECK(through_target.runs().size() == 2);
        CHECK(through_target.verify().ok);
        CHECK(StoreReader(link).runs().size() == 2);
        // The lock, the temporary file and the member files live beside the target; nothing new beside the link.
        CHECK(entries(tmp.path() / "archive") == std::vector<std::string>{"real.h5", "real.h5.d", "real.h5.lock"});
        CHECK(entries(tmp.path()) == std::vector<std::string>{"archive", "current.h5"});
    }
    SECTION("writers through the two paths exclude each other") {
        StoreTransaction first(link);
        CHECK_THROWS_WITH(StoreTransaction{target}, Catch::Contains("another process is writing this store"));
        // And through a link to the directory too.
        fs::create_directory_symlink("archive", tmp.path() / "dirlink");
        CHECK_THROWS_WITH(StoreTransaction{(tmp.path() / "dirlink" / "real.h5").string()}, Catch::Contains("another process is writing this store"));
    }
    SECTION("a link to a missing file is refused and nothing is created") {
        std::string dangling = (tmp.path() / "dangling.h5").string();
        fs::create_symlink("archive/missing.h5", dangling);
        CHECK_THROWS_WITH(StoreTransaction{dangling}, Catch::Contains("symbolic link") && Catch::Contains("missing.h5"));
        CHECK_FALSE(fs::exists(tmp.path() / "archive" / "missing.h5"));
        CHECK(fs::is_symlink(dangling));
    }
}

TEST_CASE("a symbolic link planted as the lock file is refused, and its target is never created", "[store][symlink]") {
    test::TempDir tmp;
    std::string path = (tmp.path() / "s.h5").string();
    test::write_sample_store(path, "run-1");
    std::string before = test::file_bytes(path);
    fs::remove(path + ".lock");
    fs::create_symlink(tmp.path() / "elsewhere", path + ".lock");
    CHECK_THROWS_WITH(StoreTransaction{path}, Catch::Contains("lock file") && Catch::Contains("is a symbolic link"));
    CHECK_FALSE(fs::exists(tmp.path() / "elsewhere"));
    CHECK(test::file_bytes(path) == before);
    // A link to an existing file is refused the same way (it would be locked, not the store's lock).
    tmp.write("elsewhere", "someone's file");
    CHECK_THROWS_WITH(StoreTransaction{path}, Catch::Contains("is a symbolic link"));
    CHECK(test::file_bytes((tmp.path() / "elsewhere").string()) == "someone's file");
    // A new store is refused too, when its lock name is a planted link.
    std::string fresh = (tmp.path() / "new.h5").string();
    fs::create_symlink(tmp.path() / "nowhere", fresh + ".lock");
    CHECK_THROWS_AS(StoreTransaction{fresh}, IoError);
    CHECK_FALSE(fs::exists(fresh));
    CHECK_FALSE(fs::exists(tmp.path() / "nowhere"));
}

// Issue 16, item 15: signed chain heads (Ed25519, keys made with openssl as docs/store-format.md says).
TEST_CASE("a signature covers a chain row, verify checks it and, with a trusted key or an expected head, anchors the history", "[store][sign]") {
    test::TempDir tmp;
    std::string out;
    const std::string key = (tmp.path() / "key.pem").string(), pub = (tmp.path() / "pub.pem").string();
    const std::string other = (tmp.path() / "other.pem").string(), other_pub = (tmp.path() / "other-pub.pem").string();
    REQUIRE(test::run_command("openssl genpkey -algorithm ed25519 -out " + key + " && openssl pkey -in " + key + " -pubout -out " + pub +
                                  " && openssl genpkey -algorithm ed25519 -out " + other + " && openssl pkey -in " + other + " -pubout -out " +
                                  other_pub,
                              out) == 0);
    std::string path = (tmp.path() / "s.h5").string();
    test::write_sample_store(path, "run-a");
    const SigningKey signer = SigningKey::from_pem_file(key);
    const PublicKey trusted = PublicKey::from_pem_file(pub);
    const PublicKey stranger = PublicKey::from_pem_file(other_pub);
    CHECK(trusted.fingerprint() == signer.public_key().fingerprint());
    REQUIRE(test::run_command("openssl pkey -pubin -in " + pub + " -outform DER | sha256sum", out) == 0);
    CHECK_THAT(out, Catch::StartsWith(trusted.fingerprint()));

    VerifyOptions with_key;
    with_key.trusted_key = &trusted;
    auto unsigned_report = StoreReader(path).verify(with_key);
    CHECK(unsigned_report.ok);
    CHECK_FALSE(unsigned_report.trusted);
    CHECK_THAT(unsigned_report.trust_message, Catch::Contains("no signature by the trusted key"));

    SignatureRecord record;
    {
        StoreTransaction tx(path);
        record = tx.sign(signer);
        tx.commit();
    }
    test::write_sample_store(path, "run-b", /*with_zone_set=*/false);
    StoreReader store(path);
    REQUIRE(store.signatures().size() == 1);
    CHECK(record.sequence == 2);
    CHECK(record.head_digest == store.chain()[1].digest);
    CHECK(trusted.verify(head_message(record.sequence, record.head_digest, record.signed_utc), record.signature));
    CHECK_FALSE(stranger.verify(head_message(record.sequence, record.head_digest, record.signed_utc), record.signature));

    auto report = store.verify(with_key);
    INFO(report.message);
    CHECK(report.ok);
    CHECK(report.signatures_checked == 1);
    CHECK(report.trusted);
    CHECK(report.signed_sequence == 2);
    REQUIRE(report.unsigned_rows.size() == 1); // run-b came after the signature
    CHECK(report.unsigned_rows[0].name == "run-b");

    VerifyOptions other_key;
    other_key.trusted_key = &stranger;
    CHECK_FALSE(store.verify(other_key).trusted);

    VerifyOptions heads;
    heads.expected_heads = {record.head_digest};
    CHECK(store.verify(heads).trusted);
    heads.expected_heads.push_back(std::string(64, 'a'));
    auto bad_head = store.verify(heads);
    CHECK(bad_head.ok);
    CHECK_FALSE(bad_head.trusted);
    CHECK_THAT(bad_head.trust_message, Catch::Contains("is not the digest of any row of the chain"));

    // Keys that are not Ed25519 private/public keys are input errors naming the file.
    std::string rsa = (tmp.path() / "rsa.pem").string();
    REQUIRE(test::run_command("openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:1024 -out " + rsa + " 2>/dev/null", out) == 0);
    CHECK_THROWS_WITH(SigningKey::from_pem_file(rsa), Catch::Contains("not an Ed25519 key") && Catch::Contains("rsa.pem"));
    CHECK_THROWS_AS(SigningKey::from_pem_file(pub), InputError);
    CHECK_THROWS_AS(SigningKey::from_pem_file((tmp.path() / "missing.pem").string()), IoError);
}
