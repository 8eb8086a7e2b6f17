// Schema 5: zone sets and runs in member files of their own (<store>.d/zones, <store>.d/runs),
// linked from the store file with HDF5 external links; what verify() says about them; leftovers
// of interrupted writes; pack_store() into one self-contained file.
#include "core/error.hpp"
#include "storage/store.hpp"
#include "tests/storage/sample_store.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <hdf5.h>

#include <filesystem>
#include <fstream>

using namespace avf;
using namespace avf::storage;
namespace fs = std::filesystem;

namespace {

/// The link type of /<group>/<name> in the store file (H5L_TYPE_HARD, H5L_TYPE_EXTERNAL, ...).
H5L_type_t link_type(const std::string& path, const std::string& name) {
    hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(file >= 0);
    H5L_info_t info{};
    herr_t rc = H5Lget_info(file, name.c_str(), &info, H5P_DEFAULT);
    H5Fclose(file);
    REQUIRE(rc >= 0);
    return info.type;
}

/// Every file in <store>.d/zones and <store>.d/runs.
std::vector<std::string> member_files(const std::string& path) {
    std::vector<std::string> out;
    for (const char* kind : {"zones", "runs"}) {
        std::error_code ec;
        for (fs::directory_iterator it(path + ".d/" + kind, ec), end; !ec && it != end; it.increment(ec)) out.push_back(it->path().string());
    }
    return out;
}

/// A finding id: 32 hex digits.
std::string fmt_id(std::size_t i) {
    const std::string hex = "0123456789abcdef";
    std::string out(32, '0');
    for (std::size_t k = 0; k < 16 && i > 0; ++k, i >>= 4) out[31 - k] = hex[i & 15];
    return out;
}

/// A run with `n` findings (the sample findings repeated under new ids), committed into `path`.
void write_run(const std::string& path, const std::string& run_id, std::size_t n) {
    StoreTransaction tx(path);
    auto run = tx.begin_run(test::sample_run_header(run_id));
    const auto sample = test::sample_findings();
    std::vector<Finding> batch;
    for (std::size_t i = 0; i < n; ++i) {
        Finding f = sample[i % sample.size()];
        f.id = fmt_id(i);
        batch.push_back(std::move(f));
    }
    run.append_findings(batch);
    run.finish(test::sample_summary());
    tx.commit();
}

} // namespace

TEST_CASE("schema 5: each zone set and run is a member file beside the store, linked from it, and reads and verifies as before", "[store][members]") {
    test::TempDir tmp;
    const std::string path = (tmp.path() / "s.h5").string();
    test::write_sample_store(path, "run-1");
    CHECK(fs::is_regular_file(tmp.path() / "s.h5.d" / "zones" / "dmz-2027.h5"));
    CHECK(fs::is_regular_file(tmp.path() / "s.h5.d" / "runs" / "run-1.h5"));
    CHECK(link_type(path, "/zones/dmz-2027") == H5L_TYPE_EXTERNAL);
    CHECK(link_type(path, "/runs/run-1") == H5L_TYPE_EXTERNAL);

    StoreReader store(path);
    CHECK(store.schema_version() == 5);
    auto findings = store.read_findings("run-1");
    REQUIRE(findings.size() == 3);
    test::check_same(test::sample_findings()[1], findings[1]);
    test::check_same(test::sample_zone_set("dmz-2027"), store.read_zone_set("dmz-2027"));
    VerifyReport report = store.verify();
    INFO(report.message);
    CHECK(report.ok);
    CHECK(report.runs_checked == 1);
    CHECK(report.zone_sets_checked == 1);
    CHECK(report.objects_read > 0);
    CHECK(store.verify_run("run-1").ok);
    CHECK(leftover_temporary_files(path).empty());
}

TEST_CASE("adding a run never copies the runs before it: the store file stays small while the member files hold the rows", "[store][members]") {
    test::TempDir tmp;
    const std::string path = (tmp.path() / "s.h5").string();
    {
        StoreTransaction tx(path);
        tx.write_zone_set(test::sample_zone_set("dmz-2027"));
        tx.commit();
    }
    write_run(path, "big-1", 20000);
    const auto index_after_one = fs::file_size(path);
    const auto member = fs::file_size(tmp.path() / "s.h5.d" / "runs" / "big-1.h5");
    write_run(path, "big-2", 20000);
    const auto index_after_two = fs::file_size(path);
    INFO("store file " << index_after_one << " then " << index_after_two << " bytes; a run's member file " << member << " bytes");
    // The store file holds links and the chain: it grows by a few KB per run, not by the run.
    CHECK(index_after_two < member / 4);
    CHECK(index_after_two - index_after_one < 16384);
    StoreReader store(path);
    CHECK(store.read_findings("big-1").size() == 20000);
    CHECK(store.verify().ok);
}

TEST_CASE("verify: a missing, swapped or altered member file is a mismatch, and a link out of the store is not a member", "[store][members]") {
    test::TempDir tmp;
    const std::string path = (tmp.path() / "s.h5").string();
    test::write_sample_store(path, "run-1");
    write_run(path, "run-2", 10);
    const fs::path runs = tmp.path() / "s.h5.d" / "runs";

    SECTION("missing") {
        fs::remove(runs / "run-1.h5");
        VerifyReport r = StoreReader(path).verify();
        CHECK_FALSE(r.ok);
        CHECK(r.run_id == "run-1");
        CHECK(r.location == "missing");
        CHECK_THAT(r.message, Catch::Contains("run-1.h5 is missing"));
        CHECK_THROWS_WITH(StoreReader(path).read_findings("run-1"), Catch::Contains("member file") && Catch::Contains("is missing"));
    }
    SECTION("swapped: another run's file under this run's name") {
        fs::copy_file(runs / "run-2.h5", runs / "run-1.h5", fs::copy_options::overwrite_existing);
        VerifyReport r = StoreReader(path).verify();
        CHECK_FALSE(r.ok);
        CHECK(r.run_id == "run-1");
    }
    SECTION("one byte changed inside the stored chunk of the findings") {
        const std::string file = (runs / "run-2.h5").string();
        haddr_t address = 0;
        hsize_t size = 0;
        {
            hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
            REQUIRE(f >= 0);
            hid_t ds = H5Dopen2(f, "/findings", H5P_DEFAULT);
            REQUIRE(ds >= 0);
            hsize_t offset[1] = {0};
            unsigned mask = 0;
            hid_t space = H5Dget_space(ds);
            REQUIRE(H5Dget_chunk_info(ds, space, 0, offset, &mask, &address, &size) >= 0);
            H5Sclose(space);
            H5Dclose(ds);
            H5Fclose(f);
        }
        std::fstream raw(file, std::ios::in | std::ios::out | std::ios::binary);
        const auto at = static_cast<std::streamoff>(address + size / 2);
        raw.seekg(at);
        char c = 0;
        raw.read(&c, 1);
        c = static_cast<char>(c ^ 0x5a);
        raw.seekp(at);
        raw.write(&c, 1);
        raw.close();
        VerifyReport r = StoreReader(path).verify();
        CHECK_FALSE(r.ok);
        CHECK(r.run_id == "run-2");
        CHECK(r.table == "findings");
    }
    SECTION("an external link to a file outside the member folder") {
        fs::copy_file(runs / "run-2.h5", tmp.path() / "elsewhere.h5");
        hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
        REQUIRE(file >= 0);
        REQUIRE(H5Ldelete(file, "/runs/run-2", H5P_DEFAULT) >= 0);
        REQUIRE(H5Lcreate_external("elsewhere.h5", "/", file, "/runs/run-2", H5P_DEFAULT, H5P_DEFAULT) >= 0);
        H5Fclose(file);
        VerifyReport r = StoreReader(path).verify();
        CHECK_FALSE(r.ok);
        CHECK(r.location == "layout");
        CHECK_THAT(r.message, Catch::Contains("not a member file of the store"));
    }
}

TEST_CASE("leftovers of an interrupted write: temporary and orphaned member files are not damage, are listed, and the next writer removes them",
          "[store][members]") {
    test::TempDir tmp;
    const std::string path = (tmp.path() / "s.h5").string();
    test::write_sample_store(path, "run-1");
    const fs::path runs = tmp.path() / "s.h5.d" / "runs";
    // What a writer killed after renaming its member into place (before publishing the store
    // file) leaves, and one killed while writing it.
    fs::copy_file(runs / "run-1.h5", runs / "run-9.h5");
    std::ofstream(runs / "run-8.h5.tmp-4242") << "partial";
    std::ofstream(runs / "notes.txt") << "not ours";
    CHECK(StoreReader(path).verify().ok);
    CHECK(leftover_temporary_files(path) == std::vector<std::string>{(runs / "run-8.h5.tmp-4242").string(), (runs / "run-9.h5").string()});
    {
        StoreTransaction tx(path);
        tx.commit();
    }
    CHECK(leftover_temporary_files(path).empty());
    CHECK_FALSE(fs::exists(runs / "run-9.h5"));
    CHECK(fs::exists(runs / "run-1.h5"));
    CHECK(fs::exists(runs / "notes.txt"));
    CHECK(StoreReader(path).verify().ok);
}

TEST_CASE("an abandoned transaction removes the member files it wrote, renamed into place or not", "[store][members]") {
    test::TempDir tmp;
    const std::string path = (tmp.path() / "s.h5").string();
    test::write_sample_store(path, "run-1");
    const std::string before = test::file_bytes(path);
    {
        StoreTransaction tx(path);
        auto run = tx.begin_run(test::sample_run_header("run-2"));
        run.append_findings(test::sample_findings());
        run.finish(test::sample_summary()); // renamed into place and linked in the copy
        tx.write_zone_set(test::sample_zone_set("other"));
        CHECK(fs::exists(tmp.path() / "s.h5.d" / "runs" / "run-2.h5"));
        // no commit
    }
    CHECK(test::file_bytes(path) == before);
    CHECK_FALSE(fs::exists(tmp.path() / "s.h5.d" / "runs" / "run-2.h5"));
    CHECK_FALSE(fs::exists(tmp.path() / "s.h5.d" / "zones" / "other.h5"));
    CHECK(leftover_temporary_files(path).empty());
    CHECK(StoreReader(path).verify().ok);
}

TEST_CASE("store pack: one self-contained file that verifies alone and reads the same", "[store][members][pack]") {
    test::TempDir tmp;
    const std::string path = (tmp.path() / "s.h5").string();
    test::write_sample_store(path, "run-1");
    write_run(path, "run-2", 5000);
    const fs::path packed = tmp.path() / "out" / "one.h5";
    fs::create_directories(packed.parent_path());
    PackReport r = pack_store(path, packed.string());
    CHECK(r.runs == 2);
    CHECK(r.zone_sets == 1);
    CHECK(r.inline_groups == 0);
    CHECK(r.bytes == fs::file_size(packed));
    CHECK(link_type(packed.string(), "/runs/run-2") == H5L_TYPE_HARD);
    CHECK(link_type(packed.string(), "/zones/dmz-2027") == H5L_TYPE_HARD);
    // Alone: the original and its member folder gone.
    fs::remove_all(tmp.path() / "s.h5.d");
    fs::remove(path);
    StoreReader one(packed.string());
    VerifyReport report = one.verify();
    INFO(report.message);
    CHECK(report.ok);
    CHECK(report.runs_checked == 2);
    CHECK(one.read_findings("run-2").size() == 5000);
    auto f = one.read_findings("run-1");
    REQUIRE(f.size() == 3);
    test::check_same(test::sample_findings()[2], f[2]);
    CHECK(one.zone_sets().front().name == "dmz-2027");
    // Never over an existing file.
    CHECK_THROWS_AS(pack_store(packed.string(), packed.string()), InputError);
}

TEST_CASE("the first write of an old store moves its inline zone sets and runs to member files, once, digests unchanged",
          "[store][members][schema]") {
    // Schema 1, 2 and 3 stores (the committed fixtures); a schema-4 store differs from a schema-3
    // one only by the layout of runs it wrote, which the move copies as stored like any other.
    for (const char* old : {"tests/data/store-v1.h5", "tests/data/store-v2.h5", "tests/data/store-v3.h5"}) {
        INFO(old);
        test::TempDir tmp;
        const std::string path = (tmp.path() / "old.h5").string();
        fs::copy_file(test::source_path(old), path);
        const auto old_runs = StoreReader(path).runs();
        const auto old_sets = StoreReader(path).zone_sets();
        REQUIRE_FALSE(old_runs.empty());
        REQUIRE_FALSE(old_sets.empty());
        std::vector<std::vector<Finding>> old_findings;
        for (const auto& r : old_runs) old_findings.push_back(StoreReader(path).read_findings(r.header.run_id));
        const auto old_size = fs::file_size(path);
        for (const auto& r : old_runs) REQUIRE(link_type(path, "/runs/" + r.header.run_id) == H5L_TYPE_HARD);

        write_run(path, "new-run", 50);
        StoreReader store(path);
        CHECK(store.schema_version() == 5);
        CHECK(leftover_temporary_files(path).empty());
        // Every old group is now a member file, linked in the same place and order.
        for (const auto& r : old_runs) {
            CHECK(link_type(path, "/runs/" + r.header.run_id) == H5L_TYPE_EXTERNAL);
            CHECK(fs::exists(path + ".d/runs/" + r.header.run_id + ".h5"));
        }
        for (const auto& z : old_sets) {
            CHECK(link_type(path, "/zones/" + z.name) == H5L_TYPE_EXTERNAL);
            CHECK(fs::exists(path + ".d/zones/" + z.name + ".h5"));
        }
        CHECK(link_type(path, "/runs/new-run") == H5L_TYPE_EXTERNAL);
        const auto runs = store.runs();
        REQUIRE(runs.size() == old_runs.size() + 1);
        for (std::size_t i = 0; i < old_runs.size(); ++i) {
            CHECK(runs[i].header.run_id == old_runs[i].header.run_id);
            CHECK(runs[i].results_digest == old_runs[i].results_digest);
            const auto f = store.read_findings(old_runs[i].header.run_id);
            REQUIRE(f.size() == old_findings[i].size());
            for (std::size_t k = 0; k < f.size(); ++k) test::check_same(old_findings[i][k], f[k]);
        }
        const auto sets = store.zone_sets();
        REQUIRE(sets.size() == old_sets.size());
        for (std::size_t i = 0; i < sets.size(); ++i) {
            CHECK(sets[i].name == old_sets[i].name);
            CHECK(sets[i].digest == old_sets[i].digest);
        }
        VerifyReport report = store.verify();
        INFO(report.message);
        CHECK(report.ok);
        CHECK(report.runs_checked == old_runs.size() + 1);
        CHECK(report.zone_sets_checked == old_sets.size());
        // The store file is the small index now; the next write copies only it.
        const auto index_size = fs::file_size(path);
        CHECK(index_size < old_size);
        write_run(path, "newer-run", 50);
        CHECK(fs::file_size(path) < index_size + 16 * 1024);
        CHECK(StoreReader(path).verify().ok);
    }
    // The committed files themselves are untouched.
    CHECK(StoreReader(test::source_path("tests/data/store-v3.h5")).schema_version() == 3);
}

TEST_CASE("an abandoned first write of an old store removes the member files it moved out and leaves the store as it was",
          "[store][members][schema]") {
    test::TempDir tmp;
    const std::string path = (tmp.path() / "old.h5").string();
    fs::copy_file(test::source_path("tests/data/store-v3.h5"), path);
    const auto before = fs::file_size(path);
    {
        StoreTransaction tx(path);
        CHECK(fs::exists(path + ".d/runs"));
        CHECK_FALSE(member_files(path).empty());
    } // abandoned
    CHECK(member_files(path).empty());
    CHECK(leftover_temporary_files(path).empty());
    CHECK(fs::file_size(path) == before);
    StoreReader store(path);
    CHECK(store.schema_version() == 3);
    CHECK(link_type(path, "/runs/" + store.runs().front().header.run_id) == H5L_TYPE_HARD);
    CHECK(store.verify().ok);
}
