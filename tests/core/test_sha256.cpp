#include "core/error.hpp"
#include "core/sha256.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

TEST_CASE("SHA-256 matches the FIPS 180-2 test vectors", "[sha256]") {
    CHECK(avf::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(avf::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("length-prefixed fields keep boundaries apart", "[sha256]") {
    CHECK(avf::Sha256{}.field("ab").field("c").hex() != avf::Sha256{}.field("a").field("bc").hex());
    CHECK(avf::Sha256{}.field(0.0).hex() == avf::Sha256{}.field(-0.0).hex());
}

TEST_CASE("files are hashed whole, a missing file is an I/O error", "[sha256]") {
    avf::test::TempDir tmp;
    auto p = tmp.write("a.txt", "abc");
    CHECK(avf::sha256_file(p) == avf::sha256_hex("abc"));
    CHECK_THROWS_AS(avf::sha256_file((tmp.path() / "missing").string()), avf::IoError);
}
