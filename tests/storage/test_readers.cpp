// The store as auditors open it: h5dump, and h5py / PyTables / pandas through readers.py, which
// also recomputes every commit digest and the audit chain independently of the C++ code.
#include "storage/store.hpp"
#include "tests/storage/sample_store.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace avf;

namespace {

std::string sample_store_for_readers(const test::TempDir& tmp) {
    std::string path = (tmp.path() / "audit.h5").string();
    test::write_sample_store(path, "run-2027-03-04");
    storage::StoreTransaction tx(path);
    tx.write_zone_set(test::sample_zone_set("비무장지대"));
    tx.commit();
    return path;
}

} // namespace

TEST_CASE("h5dump reads the whole store", "[store][readers]") {
    test::TempDir tmp;
    std::string path = sample_store_for_readers(tmp);
    std::string out;
    REQUIRE(test::run_command("h5dump -H '" + path + "'", out) == 0);
    CHECK_THAT(out, Catch::Contains("DATASET \"findings\""));
    // Schema 5: the zone set is a member file; h5dump follows the external link and prints it.
    CHECK_THAT(out, Catch::Contains("EXTERNAL_LINK \"비무장지대\""));
    CHECK_THAT(out, Catch::Contains("TARGETFILE \"audit.h5.d/zones/비무장지대.h5\""));
    CHECK_THAT(out, Catch::Contains("H5T_STR_NULLPAD"));
    CHECK_THAT(out, !Catch::Contains("H5T_VLEN")); // no variable-length data anywhere
    // Full data dump (fletcher32 checked on every chunk) must succeed too.
    REQUIRE(test::run_command("h5dump '" + path + "' > /dev/null", out) == 0);
    REQUIRE(test::run_command("h5dump -p -d /runs/run-2027-03-04/findings '" + path + "'", out) == 0);
    CHECK_THAT(out, Catch::Contains("SHUFFLE") && Catch::Contains("DEFLATE") && Catch::Contains("CHECKSUM FLETCHER32"));
    // NULLPAD strings: h5dump shows the zero padding as \000 after the value.
    REQUIRE(test::run_command("h5dump -d /runs/run-2027-03-04/targets '" + path + "'", out) == 0);
    CHECK_THAT(out, Catch::Contains("\"MDL\\000"));
}

TEST_CASE("h5py, PyTables and pandas read the store and recompute its digests", "[store][readers]") {
    test::TempDir tmp;
    std::string path = sample_store_for_readers(tmp);
    std::string out;
    int rc = test::run_command(
        "/usr/bin/python3 '" + test::source_path("tests/storage/readers.py") + "' '" + path + "' run-2027-03-04 '비무장지대' 3", out);
    INFO(out);
    CHECK(rc == 0);
    CHECK_THAT(out, Catch::Contains("all readers ok"));
}
