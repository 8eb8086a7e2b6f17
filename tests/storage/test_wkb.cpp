#include "core/error.hpp"
#include "core/sha256.hpp"
#include "storage/wkb.hpp"
#include "tests/storage/sample_store.hpp"

#include <catch2/catch.hpp>

using namespace avf;
using namespace avf::storage;

namespace {

std::string hex(const std::string& bytes) {
    return to_hex(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

std::string unhex(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i + 1 < text.size(); i += 2) {
        out.push_back(static_cast<char>(std::stoi(text.substr(i, 2), nullptr, 16)));
    }
    return out;
}

} // namespace

TEST_CASE("a multipolygon is written as little-endian OGC WKB, byte by byte", "[wkb]") {
    auto g = test::multipolygon_wkt("MULTIPOLYGON(((0 0,1 0,1 1,0 0)))");
    // 01 | 06000000 | 1 polygon | 01 03000000 | 1 ring | 4 points | (0 0)(1 0)(1 1)(0 0)
    CHECK(hex(to_wkb(g)) == "0106000000"
                            "01000000"
                            "0103000000"
                            "01000000"
                            "04000000"
                            "00000000000000000000000000000000"
                            "000000000000f03f0000000000000000"
                            "000000000000f03f000000000000f03f"
                            "00000000000000000000000000000000");
}

TEST_CASE("WKB round-trips multipolygons and multilinestrings bit for bit", "[wkb]") {
    auto polygons = test::multipolygon_wkt(
        "MULTIPOLYGON(((126.1 37.9,127.5 37.9,127.5 38.4,126.1 38.4,126.1 37.9),(126.5 38.0,126.6 38.1,126.7 38.0,126.5 38.0)),"
        "((-180 -90,180 -90,180 90,-180 -90)))");
    auto back = multipolygon_from_wkb(to_wkb(polygons));
    REQUIRE(back.size() == 2);
    CHECK(back[0].inners().size() == 1);
    CHECK(back[0].outer().size() == 5);
    CHECK(back[0].inners()[0][1].x() == 126.6);
    CHECK(to_wkb(back) == to_wkb(polygons));

    auto lines = test::multilinestring_wkt("MULTILINESTRING((126.1 37.9,127.0 38.2,128.3 38.3),(128.5 38.4,129.0 38.6))");
    auto lines_back = multilinestring_from_wkb(to_wkb(lines));
    REQUIRE(lines_back.size() == 2);
    CHECK(lines_back[0].size() == 3);
    CHECK(lines_back[1][1].y() == 38.6);
    CHECK(to_wkb(lines_back) == to_wkb(lines));

    CHECK(multipolygon_from_wkb(to_wkb(MultiPolygon{})).empty());
    CHECK(multilinestring_from_wkb(to_wkb(MultiLineString{})).empty());
}

TEST_CASE("big-endian WKB is read too", "[wkb]") {
    // MULTILINESTRING((1 2,3 4)) in XDR (byte order 0), as PostGIS ST_AsBinary(g, 'XDR') writes it.
    std::string xdr = unhex("0000000005"
                            "00000001"
                            "0000000002"
                            "00000002"
                            "3ff00000000000004000000000000000"
                            "40080000000000004010000000000000");
    auto g = multilinestring_from_wkb(xdr);
    REQUIRE(g.size() == 1);
    REQUIRE(g[0].size() == 2);
    CHECK(g[0][0].x() == 1.0);
    CHECK(g[0][1].y() == 4.0);
}

TEST_CASE("malformed WKB is refused with the offset, never over-allocated", "[wkb]") {
    auto good = to_wkb(test::multipolygon_wkt("MULTIPOLYGON(((0 0,1 0,1 1,0 0)))"));
    CHECK_THROWS_WITH(multipolygon_from_wkb(good.substr(0, 3)), Catch::Contains("at byte 1: unexpected end of data"));
    CHECK_THROWS_WITH(multipolygon_from_wkb(good.substr(0, good.size() - 1)), Catch::Contains("at byte 18: count 4 exceeds the remaining 63 bytes"));
    CHECK_THROWS_WITH(multipolygon_from_wkb(good + "x"), Catch::Contains("1 trailing bytes"));
    CHECK_THROWS_WITH(multilinestring_from_wkb(good), Catch::Contains("expected MultiLineString (type 5), found type 6"));
    std::string bad_order = good;
    bad_order[0] = 7;
    CHECK_THROWS_WITH(multipolygon_from_wkb(bad_order), Catch::Contains("byte-order flag"));
    // A count of 2^32 - 1 polygons in a 9-byte buffer.
    std::string huge = unhex("0106000000ffffffff");
    CHECK_THROWS_AS(multipolygon_from_wkb(huge), InputError);
    CHECK_THROWS_WITH(multipolygon_from_wkb(huge), Catch::Contains("exceeds the remaining"));
    CHECK_THROWS_AS(multipolygon_from_wkb(""), InputError);
}
