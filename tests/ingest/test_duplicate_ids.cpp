// The duplicate id filter (ingest/duplicate_ids.hpp): repeats named with their first occurrence,
// memory per id within what the header promises, and SipHash-2-4-128 against the reference vectors.
#include "ingest/duplicate_ids.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>

using namespace avf;
using namespace avf::ingest;

TEST_CASE("the duplicate id filter names the first occurrence and stays small", "[detections][duplicates]") {
    DuplicateIdFilter ids;
    CHECK(ids.first_time(DetectionId("A")));
    CHECK_FALSE(ids.first_time(DetectionId("A")));
    CHECK(ids.first_time(DetectionId("a"))); // ids are case-sensitive

    Detection d;
    d.id = DetectionId("D-1");
    d.origin = SourceRef{"first.csv", "", "7", 5};
    CollectingProblemSink problems;
    CHECK(ids.check_unique(d, problems));
    d.origin = SourceRef{"first.csv", "", "12", 10};
    CHECK_FALSE(ids.check_unique(d, problems));
    d.origin = SourceRef{"second.gpkg", "obs", "3", 2};
    CHECK_FALSE(ids.check_unique(d, problems));
    REQUIRE(problems.size() == 2);
    CHECK(problems.problems()[0].describe() ==
          "first.csv, record D-1, line 12: rejected (duplicate_id): id already used by the record at line 7; this record is rejected; "
          "field 'id' = 'D-1'");
    CHECK(problems.problems()[0].order == 12);
    CHECK_THAT(problems.problems()[1].message, Catch::Contains("first.csv, line 7"));
    CHECK(problems.problems()[1].where.layer() == "obs");
    CHECK(problems.problems()[1].where.feature() == "3");

    DuplicateIdFilter many;
    const int n = 200000;
    for (int i = 0; i < n; ++i) REQUIRE(many.first_time(DetectionId("ID-" + std::to_string(i)), SourceRef{"f.csv", "", std::to_string(i + 2), 0}));
    for (int i = 0; i < n; i += 1000) CHECK_FALSE(many.first_time(DetectionId("ID-" + std::to_string(i))));
    CHECK(many.size() == static_cast<std::size_t>(n));
    const double per_id = static_cast<double>(many.memory_bytes()) / n;
    CHECK(per_id >= 32.0);
    CHECK(per_id <= 86.0);
}

TEST_CASE("SipHash-2-4-128 matches the reference vectors", "[detections][duplicates]") {
    // vectors_sip128 of the reference implementation: key 00..0f, message 00..(len-1).
    std::array<std::uint8_t, 16> key{};
    for (std::uint8_t i = 0; i < 16; ++i) key[i] = i;
    auto message = [](std::size_t len) {
        std::string m;
        for (std::size_t i = 0; i < len; ++i) m += static_cast<char>(i);
        return m;
    };
    auto bytes = [](std::initializer_list<int> v) {
        std::array<std::uint8_t, 16> a{};
        std::size_t i = 0;
        for (int b : v) a[i++] = static_cast<std::uint8_t>(b);
        return a;
    };
    CHECK(siphash_2_4_128(message(0), key) ==
          bytes({0xa3, 0x81, 0x7f, 0x04, 0xba, 0x25, 0xa8, 0xe6, 0x6d, 0xf6, 0x72, 0x14, 0xc7, 0x55, 0x02, 0x93}));
    CHECK(siphash_2_4_128(message(7), key) ==
          bytes({0xa1, 0xf1, 0xeb, 0xbe, 0xd8, 0xdb, 0xc1, 0x53, 0xc0, 0xb8, 0x4a, 0xa6, 0x1f, 0xf0, 0x82, 0x39}));
    CHECK(siphash_2_4_128(message(8), key) ==
          bytes({0x3b, 0x62, 0xa9, 0xba, 0x62, 0x58, 0xf5, 0x61, 0x0f, 0x83, 0xe2, 0x64, 0xf3, 0x14, 0x97, 0xb4}));
    CHECK(siphash_2_4_128(message(15), key) ==
          bytes({0x54, 0x93, 0xe9, 0x99, 0x33, 0xb0, 0xa8, 0x11, 0x7e, 0x08, 0xec, 0x0f, 0x97, 0xcf, 0xc3, 0xd9}));
    CHECK(siphash_2_4_128(message(16), key) ==
          bytes({0x6e, 0xe2, 0xa4, 0xca, 0x67, 0xb0, 0x54, 0xbb, 0xfd, 0x33, 0x15, 0xbf, 0x85, 0x23, 0x05, 0x77}));
    CHECK(siphash_2_4_128(message(63), key) ==
          bytes({0x51, 0x50, 0xd1, 0x77, 0x2f, 0x50, 0x83, 0x4a, 0x50, 0x3e, 0x06, 0x9a, 0x97, 0x3f, 0xbd, 0x7c}));
}
