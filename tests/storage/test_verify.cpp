// StoreReader::verify() against deliberately damaged stores, and the schema_version gate. The
// damage is done with the HDF5 C API directly, as a careless tool or an attacker would.
#include "core/error.hpp"
#include "storage/store.hpp"
#include "tests/storage/sample_store.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <hdf5.h>

#include <fcntl.h>
#include <unistd.h>

using namespace avf;
using namespace avf::storage;

namespace {

/// Opens a store read-write for tampering; every call must succeed or the test is wrong.
class RawFile {
public:
    explicit RawFile(const std::string& path) : m_id(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT)) { REQUIRE(m_id >= 0); }
    ~RawFile() { H5Fclose(m_id); }
    [[nodiscard]] hid_t get() const { return m_id; }

    /// Flips the bits of one byte of row `row` of a 1-D dataset, rewriting the row through HDF5
    /// (so the chunk's fletcher32 checksum stays valid: only the content digests can tell).
    void flip_byte(const std::string& dataset, hsize_t row, std::size_t byte) {
        hid_t ds = H5Dopen2(m_id, dataset.c_str(), H5P_DEFAULT);
        REQUIRE(ds >= 0);
        hid_t type = H5Dget_type(ds);
        std::vector<unsigned char> buffer(H5Tget_size(type));
        REQUIRE(byte < buffer.size());
        hid_t space = H5Dget_space(ds);
        hsize_t count = 1;
        REQUIRE(H5Sselect_hyperslab(space, H5S_SELECT_SET, &row, nullptr, &count, nullptr) >= 0);
        hid_t mem = H5Screate_simple(1, &count, nullptr);
        REQUIRE(H5Dread(ds, type, mem, space, H5P_DEFAULT, buffer.data()) >= 0);
        buffer[byte] ^= 0xFF;
        REQUIRE(H5Dwrite(ds, type, mem, space, H5P_DEFAULT, buffer.data()) >= 0);
        H5Sclose(mem);
        H5Sclose(space);
        H5Tclose(type);
        H5Dclose(ds);
    }

    void remove(const std::string& link) { REQUIRE(H5Ldelete(m_id, link.c_str(), H5P_DEFAULT) >= 0); }

    void set_string_attribute(const std::string& object, const std::string& name, const std::string& value) {
        hid_t obj = H5Oopen(m_id, object.c_str(), H5P_DEFAULT);
        REQUIRE(obj >= 0);
        H5Adelete(obj, name.c_str());
        hid_t type = H5Tcopy(H5T_C_S1);
        H5Tset_size(type, value.size() + 1);
        hid_t space = H5Screate(H5S_SCALAR);
        hid_t attr = H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT);
        REQUIRE(H5Awrite(attr, type, value.c_str()) >= 0);
        H5Aclose(attr);
        H5Sclose(space);
        H5Tclose(type);
        H5Oclose(obj);
    }

    void set_schema_version(int version) {
        H5Adelete(m_id, "schema_version");
        hid_t space = H5Screate(H5S_SCALAR);
        hid_t attr = H5Acreate2(m_id, "schema_version", H5T_STD_I32LE, space, H5P_DEFAULT, H5P_DEFAULT);
        REQUIRE(H5Awrite(attr, H5T_NATIVE_INT, &version) >= 0);
        H5Aclose(attr);
        H5Sclose(space);
    }

    /// File offset of the first chunk of a chunked dataset (to damage the raw bytes underneath).
    haddr_t first_chunk_address(const std::string& dataset) {
        hid_t ds = H5Dopen2(m_id, dataset.c_str(), H5P_DEFAULT);
        hsize_t offset[1] = {0};
        unsigned filter_mask = 0;
        haddr_t address = 0;
        hsize_t size = 0;
        REQUIRE(H5Dget_chunk_info_by_coord(ds, offset, &filter_mask, &address, &size) >= 0);
        H5Dclose(ds);
        return address;
    }

private:
    hid_t m_id;
};

std::string two_run_store(const test::TempDir& tmp) {
    std::string path = (tmp.path() / "s.h5").string();
    test::write_sample_store(path, "run-a");
    test::write_sample_store(path, "run-b", /*with_zone_set=*/false);
    REQUIRE(StoreReader(path).verify().ok);
    return path;
}

} // namespace

TEST_CASE("verify names the run, table and rows of a byte changed inside a findings row", "[store][verify]") {
    test::TempDir tmp;
    std::string path = two_run_store(tmp);
    RawFile(path).flip_byte("/runs/run-b/findings", 1, 50); // inside finding 1's lon (schema 4: bytes 46-53 of 94)

    StoreReader store(path);
    CHECK(store.read_findings("run-b").size() == 3); // still readable: only the digests tell
    VerifyReport report = store.verify();
    CHECK_FALSE(report.ok);
    CHECK(report.run_id == "run-b");
    CHECK(report.zone_set.empty());
    CHECK(report.table == "findings");
    CHECK(report.location == "rows 0-2");
    CHECK(report.message == "run run-b, table findings, rows 0-2: digest mismatch: the SHA-256 of these rows differs from the commit record");
    CHECK(report.runs_checked == 1); // run-a was checked and found intact first

    // The same answer when only that run is verified; the other run is intact on its own.
    VerifyReport one = store.verify_run("run-b");
    CHECK(one.message == report.message);
    CHECK(store.verify_run("run-a").ok);
}

TEST_CASE("verify reports a deleted commit record, and the run is no longer trusted", "[store][verify]") {
    test::TempDir tmp;
    std::string path = two_run_store(tmp);
    RawFile(path).remove("/runs/run-b/commit");

    StoreReader store(path);
    VerifyReport report = store.verify();
    CHECK_FALSE(report.ok);
    CHECK(report.run_id == "run-b");
    CHECK(report.table == "commit");
    CHECK(report.location == "missing");

    auto runs = store.runs();
    REQUIRE(runs.size() == 2);
    CHECK(runs[0].committed);
    CHECK_FALSE(runs[1].committed);
    CHECK(store.latest_run() == "run-a"); // never the run without its commit record
    CHECK_THAT(report.message, Catch::Contains("the run is incomplete"));
    // Its findings are not results: not read, with a reason.
    CHECK_THROWS_AS(store.read_findings("run-b"), InputError);
    CHECK_THROWS_WITH(store.read_problems("run-b"), Catch::Contains("run run-b is incomplete"));
    CHECK(store.read_findings("run-a").size() == 3);
    CHECK_FALSE(store.verify_run("run-b").ok);
    CHECK(store.verify_run("run-a").ok);
}

TEST_CASE("verify lists a run group outside the chain without a commit record as incomplete", "[store][verify]") {
    test::TempDir tmp;
    std::string path = two_run_store(tmp);
    {
        // What a writer that died between begin_run and finish would leave if it wrote in place
        // (avf never does: it writes a copy and publishes it whole).
        RawFile raw(path);
        hid_t runs = H5Gopen2(raw.get(), "/runs", H5P_DEFAULT);
        hid_t group = H5Gcreate2(runs, "run-c", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        REQUIRE(group >= 0);
        H5Gclose(group);
        H5Gclose(runs);
    }
    StoreReader store(path);
    VerifyReport report = store.verify();
    CHECK(report.ok);
    CHECK(report.uncommitted_runs == std::vector<std::string>{"run-c"});
    CHECK(report.runs_checked == 2);
    CHECK(report.rows_checked > 0);
    CHECK(report.bytes_checked > 0);
    CHECK(store.latest_run() == "run-b");
    CHECK_THROWS_AS(store.read_findings("run-c"), InputError);
    auto one = store.verify_run("run-c");
    CHECK_FALSE(one.ok);
    CHECK(one.table == "commit");
    CHECK(one.location == "missing");
    CHECK_THROWS_AS(store.verify_run("run-zzz"), InputError);
}

TEST_CASE("verify catches changed attributes, heap bytes, zone sets and chain rows", "[store][verify]") {
    test::TempDir tmp;
    std::string path = two_run_store(tmp);

    SECTION("a run attribute") {
        RawFile(path).set_string_attribute("/runs/run-a", "status", "complete, honestly");
        auto report = StoreReader(path).verify();
        CHECK(report.run_id == "run-a");
        CHECK(report.table == "attributes");
        CHECK(report.location == "value");
    }
    SECTION("an explanation template byte") {
        RawFile(path).flip_byte("/runs/run-a/dictionary_text", 5, 0);
        auto report = StoreReader(path).verify();
        CHECK(report.run_id == "run-a");
        CHECK(report.table == "dictionary_text");
        CHECK(report.location == "bytes 0-207");
    }
    SECTION("a zone geometry byte") {
        RawFile(path).flip_byte("/zones/dmz-2027/zone_wkb", 40, 0);
        auto report = StoreReader(path).verify();
        CHECK(report.run_id.empty());
        CHECK(report.zone_set == "dmz-2027");
        CHECK(report.table == "zone_wkb");
        CHECK(report.location == "bytes 0-450");
    }
    SECTION("a zone set rewritten together with its commit record") {
        // Replace the set's recorded digest as someone re-importing it in place would: the
        // chain recorded the set's digest when it was imported (schema 3), and the runs that
        // used it when they began.
        RawFile(path).set_string_attribute("/zones/dmz-2027/commit", "digest", std::string(64, 'f'));
        auto report = StoreReader(path).verify();
        CHECK(report.run_id.empty());
        CHECK(report.zone_set == "dmz-2027");
        CHECK(report.table == "commit");
        CHECK(report.location == "digest");
    }
    SECTION("a zone set not used by any run") {
        {
            StoreTransaction tx(path);
            tx.write_zone_set(test::sample_zone_set("spare"));
            tx.commit();
        }
        RawFile(path).flip_byte("/zones/spare/problems", 1, 20);
        auto report = StoreReader(path).verify();
        CHECK(report.run_id.empty());
        CHECK(report.zone_set == "spare");
        CHECK(report.table == "problems");
        CHECK(report.location == "rows 0-1");
    }
    SECTION("a chain row") {
        RawFile(path).flip_byte("/audit/chain", 1, 24); // first byte of the name of run-a's row
        auto report = StoreReader(path).verify();
        CHECK(report.table == "chain");
        CHECK(report.location == "digest");
    }
    SECTION("the count of a table") {
        RawFile raw(path);
        hid_t ds = H5Dopen2(raw.get(), "/runs/run-a/evidence", H5P_DEFAULT);
        hsize_t four = 4;
        REQUIRE(H5Dset_extent(ds, &four) >= 0);
        H5Dclose(ds);
        H5Fflush(raw.get(), H5F_SCOPE_GLOBAL);
        auto report = StoreReader(path).verify();
        CHECK(report.run_id == "run-a");
        CHECK(report.table == "evidence");
        CHECK(report.location == "count");
        CHECK_THAT(report.message, Catch::Contains("the commit record says 5 rows, the dataset has 4; the first block that differs from its "
                                                   "recorded digest is rows 0-3"));
    }
    auto report = StoreReader(path).verify();
    CHECK_FALSE(report.ok);
    CHECK_FALSE(report.message.empty());
}

TEST_CASE("verify reports a chain truncated under a committed run", "[store][verify]") {
    test::TempDir tmp;
    std::string path = two_run_store(tmp);
    {
        RawFile raw(path);
        hid_t ds = H5Dopen2(raw.get(), "/audit/chain", H5P_DEFAULT);
        hsize_t two = 2; // the zone set's row and run-a's
        REQUIRE(H5Dset_extent(ds, &two) >= 0);
        H5Dclose(ds);
    }
    auto report = StoreReader(path).verify();
    CHECK(report.run_id == "run-b");
    CHECK(report.table == "chain");
    CHECK(report.location == "missing");
}

TEST_CASE("verify reports raw damage under a chunk as unreadable rows (fletcher32)", "[store][verify]") {
    test::TempDir tmp;
    std::string path = two_run_store(tmp);
    // Schema 5: the run's rows are in its member file.
    const std::string member = path + ".d/runs/run-a.h5";
    haddr_t address = RawFile(member).first_chunk_address("/evidence");
    {
        int fd = ::open(member.c_str(), O_RDWR);
        REQUIRE(fd >= 0);
        unsigned char byte = 0;
        REQUIRE(::pread(fd, &byte, 1, static_cast<off_t>(address) + 10) == 1);
        byte ^= 0x55;
        REQUIRE(::pwrite(fd, &byte, 1, static_cast<off_t>(address) + 10) == 1);
        ::close(fd);
    }
    StoreReader store(path);
    CHECK_THROWS_AS(store.read_findings("run-a"), IoError);
    auto report = store.verify();
    CHECK_FALSE(report.ok);
    CHECK(report.run_id == "run-a");
    CHECK(report.table == "evidence");
    CHECK(report.location == "rows 0-4");
    CHECK_THAT(report.message, Catch::Contains("unreadable"));
}

TEST_CASE("a store with a newer schema_version is refused with the supported versions", "[store][schema]") {
    test::TempDir tmp;
    std::string path = (tmp.path() / "s.h5").string();
    test::write_sample_store(path, "run-1");
    RawFile(path).set_schema_version(6);
    CHECK_THROWS_AS(StoreReader(path), InputError);
    CHECK_THROWS_WITH(StoreReader(path), Catch::Contains("the store has schema_version 6; this build of avf supports "
                                                         "schema versions 1 to 5"));
    CHECK_THROWS_AS(StoreTransaction(path), InputError); // and never written into
    RawFile(path).set_schema_version(5);
    CHECK(StoreReader(path).verify().ok);
}

TEST_CASE("an HDF5 file that is not an avf store is refused", "[store][schema]") {
    test::TempDir tmp;
    std::string path = (tmp.path() / "other.h5").string();
    hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    REQUIRE(f >= 0);
    H5Fclose(f);
    CHECK_THROWS_WITH(StoreReader(path), Catch::Contains("not an avf store"));
    CHECK_THROWS_AS(StoreTransaction(path), IoError);
}

// Issue 16, item 15: a committed group holds exactly what its commit record lists. An object or
// attribute no digest covers would otherwise ride along unnoticed in a verified store.
TEST_CASE("verify refuses what no commit record lists: an extra dataset, an extra or changed attribute, an extra object at the root",
          "[store][verify][exact]") {
    test::TempDir tmp;
    std::string path = two_run_store(tmp);
    auto add_dataset = [&](const std::string& where) {
        RawFile raw(path);
        hsize_t n = 3;
        hid_t space = H5Screate_simple(1, &n, nullptr);
        hid_t ds = H5Dcreate2(raw.get(), where.c_str(), H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        REQUIRE(ds >= 0);
        H5Dclose(ds);
        H5Sclose(space);
    };
    SECTION("a dataset in a run") {
        add_dataset("/runs/run-a/notes");
        auto report = StoreReader(path).verify();
        CHECK(report.run_id == "run-a");
        CHECK(report.table == "notes");
        CHECK(report.location == "extra");
    }
    SECTION("a dataset in a zone set") {
        add_dataset("/zones/dmz-2027/more_zones");
        auto report = StoreReader(path).verify();
        CHECK(report.zone_set == "dmz-2027");
        CHECK(report.table == "more_zones");
        CHECK(report.location == "extra");
    }
    SECTION("an attribute on a run group") {
        RawFile(path).set_string_attribute("/runs/run-b", "reviewed_by", "nobody");
        auto report = StoreReader(path).verify();
        CHECK(report.run_id == "run-b");
        CHECK(report.table == "attributes");
        CHECK(report.location == "extra");
        CHECK_THAT(report.message, Catch::Contains("'reviewed_by'"));
    }
    SECTION("an attribute on a member") {
        RawFile(path).set_string_attribute("/runs/run-a/findings", "note", "withdrawn");
        auto report = StoreReader(path).verify();
        CHECK(report.run_id == "run-a");
        CHECK(report.table == "findings");
        CHECK(report.location == "extra");
    }
    SECTION("a column name changed in the H5TB attributes") {
        RawFile(path).set_string_attribute("/runs/run-a/findings", "FIELD_13_NAME", "limit");
        auto report = StoreReader(path).verify();
        CHECK(report.table == "findings");
        CHECK(report.location == "value");
    }
    SECTION("an object at the root") {
        add_dataset("/readme");
        auto report = StoreReader(path).verify();
        CHECK(report.table == "/");
        CHECK(report.location == "extra");
    }
    CHECK_FALSE(StoreReader(path).verify().ok);
}
