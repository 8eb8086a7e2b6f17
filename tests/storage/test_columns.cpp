// The column lists of storage/columns.hpp, on a table made for the test that has every column kind:
// those the store's tables use today and those a compact row will (uint8/uint16/uint32/int32
// codes, int64 millisecond times). The store's own tables are held to the committed schema-1 and
// schema-2 files by test_store_v1.cpp (same layout, same canonical bytes).
#include "core/error.hpp"
#include "storage/columns.hpp"
#include "storage/table.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>

using namespace avf;
using namespace avf::storage;

namespace {

struct Sample {
    ZoneId zone;
    std::string name;
    FindingKind kind = FindingKind::violation;
    Interval span;
    std::uint8_t code = 0;
    std::uint16_t count16 = 0;
    std::uint32_t count32 = 0;
    std::int32_t delta = 0;
    std::int64_t index = 0;
    std::uint64_t total = 0;
    double value = 0.0;
    UtcTime at;
    GeoPoint where{0.0, 0.0};
    Certainty certainty = Certainty::certain;
};

struct SampleSlots {
    HeapRef text;
    std::array<HeapRef, 2> pair;
};

constexpr std::array<std::string_view, 2> pair_names = {"first", "second"};

// clang-format off
constexpr auto sample_columns = col::list<Sample, SampleSlots>(
    "sample", "A table with every column kind",
    col::text("zone", 8, &Sample::zone),
    col::text("name", 6, &Sample::name),
    col::enum_name("kind", 16, &Sample::kind),
    col::time_text("from", &Sample::span, &Interval::from),
    col::uint8("code", &Sample::code),
    col::uint16("count16", &Sample::count16),
    col::uint32("count32", &Sample::count32),
    col::int32("delta", &Sample::delta),
    col::int64("index", &Sample::index),
    col::uint64("total", &Sample::total),
    col::float64("value", &Sample::value),
    col::time_ms("at", &Sample::at),
    col::float64("lon", col::getset([](const Sample& s) { return s.where.x(); }, [](Sample& s, double v) { s.where.x(v); })),
    col::enum_code("certainty", &Sample::certainty),
    col::heap("text", &SampleSlots::text),
    col::heaps(pair_names, &SampleSlots::pair));
// clang-format on

struct Expected {
    const char* name;
    ColumnType type;
    std::size_t size;
    std::size_t offset;
};

const std::vector<Expected> expected_columns = {
    {"zone", ColumnType::string, 8, 0},
    {"name", ColumnType::string, 6, 8},
    {"kind", ColumnType::string, 16, 14},
    {"from", ColumnType::string, 32, 30},
    {"code", ColumnType::uint8, 1, 62},
    {"count16", ColumnType::uint16, 2, 63},
    {"count32", ColumnType::uint32, 4, 65},
    {"delta", ColumnType::int32, 4, 69},
    {"index", ColumnType::int64, 8, 73},
    {"total", ColumnType::uint64, 8, 81},
    {"value", ColumnType::float64, 8, 89},
    {"at", ColumnType::int64, 8, 97},
    {"lon", ColumnType::float64, 8, 105},
    {"certainty", ColumnType::uint8, 1, 113},
    {"text_offset", ColumnType::uint64, 8, 114},
    {"text_length", ColumnType::uint64, 8, 122},
    {"first_offset", ColumnType::uint64, 8, 130},
    {"first_length", ColumnType::uint64, 8, 138},
    {"second_offset", ColumnType::uint64, 8, 146},
    {"second_length", ColumnType::uint64, 8, 154},
};
constexpr std::size_t expected_row_size = 162;

Sample sample() {
    Sample s;
    s.zone = ZoneId("Z-1");
    s.name = "näme"; // 5 bytes of UTF-8
    s.kind = FindingKind::coverage_gap;
    s.span = Interval{UtcTime{1'700'000'000'250}, UtcTime::max()};
    s.code = 0xAB;
    s.count16 = 0x0102;
    s.count32 = 0x01020304;
    s.delta = -2;
    s.index = -1;
    s.total = std::numeric_limits<std::uint64_t>::max();
    s.value = -0.0;
    s.at = UtcTime{-62'200'000'000'000}; // before year 0: an int64 time keeps what ISO text cannot
    s.where = GeoPoint(127.5, 38.25);
    s.certainty = Certainty::not_applicable;
    return s;
}

SampleSlots slots() {
    return SampleSlots{HeapRef{7, 9}, {HeapRef{1, 2}, HeapRef{3, 4}}};
}

std::vector<std::uint8_t> encoded(const Sample& s, const SampleSlots& x) {
    std::vector<std::uint8_t> row(sample_columns.row_size(), 0xFF);
    sample_columns.encode(s, x, row.data(), "S-1");
    return row;
}

std::uint64_t le(const std::vector<std::uint8_t>& row, std::size_t offset, std::size_t bytes) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < bytes; ++i) v |= static_cast<std::uint64_t>(row[offset + i]) << (8 * i);
    return v;
}

} // namespace

TEST_CASE("a column list lays its columns end to end, and its HDF5 type has the same names, offsets, sizes and types", "[columns]") {
    static_assert(sample_columns.row_size() == expected_row_size, "offsets are computed when the list is built");
    TableSchema schema = sample_columns.schema();
    CHECK(schema.name() == "sample");
    CHECK(schema.row_size() == expected_row_size);
    REQUIRE(schema.columns().size() == expected_columns.size());
    for (std::size_t i = 0; i < expected_columns.size(); ++i) {
        const Column& c = schema.columns()[i];
        INFO("column " << i);
        CHECK(c.name == expected_columns[i].name);
        CHECK(c.type == expected_columns[i].type);
        CHECK(c.size == expected_columns[i].size);
        CHECK(c.offset == expected_columns[i].offset);
    }

    h5::Datatype type = make_table_type(schema, "test");
    CHECK(H5Tget_size(type.get()) == expected_row_size);
    REQUIRE(H5Tget_nmembers(type.get()) == static_cast<int>(expected_columns.size()));
    for (unsigned i = 0; i < expected_columns.size(); ++i) {
        INFO("member " << i);
        char* name = H5Tget_member_name(type.get(), i);
        CHECK(std::string(name) == expected_columns[i].name);
        H5free_memory(name);
        CHECK(H5Tget_member_offset(type.get(), i) == expected_columns[i].offset);
        h5::Datatype member(H5Tget_member_type(type.get(), i));
        CHECK(H5Tget_size(member.get()) == expected_columns[i].size);
        CHECK(H5Tget_order(member.get()) == (expected_columns[i].type == ColumnType::string ? H5T_ORDER_NONE : H5T_ORDER_LE));
        switch (expected_columns[i].type) {
        case ColumnType::string:
            CHECK(H5Tget_class(member.get()) == H5T_STRING);
            CHECK(H5Tget_strpad(member.get()) == H5T_STR_NULLPAD);
            CHECK(H5Tget_cset(member.get()) == H5T_CSET_UTF8);
            break;
        case ColumnType::float64: CHECK(H5Tget_class(member.get()) == H5T_FLOAT); break;
        case ColumnType::int32:
        case ColumnType::int64:
            CHECK(H5Tget_class(member.get()) == H5T_INTEGER);
            CHECK(H5Tget_sign(member.get()) == H5T_SGN_2);
            break;
        default:
            CHECK(H5Tget_class(member.get()) == H5T_INTEGER);
            CHECK(H5Tget_sign(member.get()) == H5T_SGN_NONE);
            break;
        }
    }
}

TEST_CASE("every column kind is written little-endian, zero-padded, and reads back bit for bit", "[columns]") {
    const Sample s = sample();
    const std::vector<std::uint8_t> row = encoded(s, slots());
    // Strings: the bytes, then zeros (the row was 0xFF before encoding).
    CHECK(std::string(reinterpret_cast<const char*>(row.data()), 8) == std::string("Z-1\0\0\0\0\0", 8));
    CHECK(std::string(reinterpret_cast<const char*>(row.data() + 8), 6) == std::string("n\xc3\xa4me\0", 6));
    CHECK(std::string(reinterpret_cast<const char*>(row.data() + 14), 12) == "coverage_gap");
    CHECK(std::string(reinterpret_cast<const char*>(row.data() + 30), 24) == "2023-11-14T22:13:20.250Z");
    CHECK(row[30 + 24] == 0);
    CHECK(row[30 + 31] == 0);
    CHECK(row[62] == 0xAB);
    CHECK(le(row, 63, 2) == 0x0102);
    CHECK(row[63] == 0x02);
    CHECK(le(row, 65, 4) == 0x01020304);
    CHECK(le(row, 69, 4) == 0xFFFFFFFE);
    CHECK(le(row, 73, 8) == std::numeric_limits<std::uint64_t>::max());
    CHECK(le(row, 89, 8) == 0x8000000000000000); // -0.0
    CHECK(static_cast<std::int64_t>(le(row, 97, 8)) == -62'200'000'000'000);
    CHECK(row[113] == 2); // Certainty::not_applicable
    CHECK(le(row, 114, 8) == 7);
    CHECK(le(row, 122, 8) == 9);
    CHECK(le(row, 146, 8) == 3);

    Sample back;
    SampleSlots x;
    sample_columns.decode(row.data(), back, x, "test.h5");
    CHECK(back.zone == s.zone);
    CHECK(back.name == s.name);
    CHECK(back.kind == s.kind);
    CHECK(back.span.from == s.span.from);
    CHECK(back.code == s.code);
    CHECK(back.count16 == s.count16);
    CHECK(back.count32 == s.count32);
    CHECK(back.delta == s.delta);
    CHECK(back.index == s.index);
    CHECK(back.total == s.total);
    CHECK(std::signbit(back.value));
    CHECK(back.at == s.at);
    CHECK(back.where.x() == 127.5);
    CHECK(back.certainty == s.certainty);
    CHECK(x.text.offset == 7);
    CHECK(x.text.length == 9);
    CHECK(x.pair[0].offset == 1);
    CHECK(x.pair[1].length == 4);
    CHECK(encoded(back, x) == row);
}

TEST_CASE("a value that does not fit its column is refused, never truncated", "[columns]") {
    Sample s = sample();
    SECTION("too long") {
        s.name = "seven!!";
        CHECK_THROWS_WITH(encoded(s, slots()), Catch::Contains("value of 7 bytes does not fit column sample.name (at most 6 bytes"));
    }
    SECTION("NUL") {
        s.name = std::string("a\0b", 3);
        CHECK_THROWS_WITH(encoded(s, slots()), Catch::Contains("NUL byte"));
    }
    SECTION("not UTF-8") {
        s.name = "a\xff";
        CHECK_THROWS_WITH(encoded(s, slots()), Catch::Contains("not valid UTF-8"));
    }
    SECTION("year 10000") {
        s.span.from = UtcTime{253'402'300'800'000};
        CHECK_THROWS_AS(encoded(s, slots()), InputError);
        CHECK_THROWS_WITH(encoded(s, slots()), Catch::Contains("sample.from") && Catch::Contains("outside the years 0000-9999"));
    }
}

TEST_CASE("a stored value that cannot be read back is an I/O error naming the column", "[columns]") {
    std::vector<std::uint8_t> row = encoded(sample(), slots());
    Sample back;
    SampleSlots x;
    SECTION("unknown name") {
        std::memcpy(row.data() + 14, "violatio", 8); // "violatioe_gap"
        CHECK_THROWS_AS(sample_columns.decode(row.data(), back, x, "test.h5"), IoError);
        CHECK_THROWS_WITH(sample_columns.decode(row.data(), back, x, "test.h5"), Catch::Contains("unknown sample.kind"));
    }
    SECTION("unknown code") {
        row[113] = 7;
        CHECK_THROWS_AS(sample_columns.decode(row.data(), back, x, "test.h5"), IoError);
        CHECK_THROWS_WITH(sample_columns.decode(row.data(), back, x, "test.h5"), Catch::Contains("unknown sample.certainty '7'"));
    }
    SECTION("malformed time") {
        row[30] = 'x';
        CHECK_THROWS_AS(sample_columns.decode(row.data(), back, x, "test.h5"), IoError);
        CHECK_THROWS_WITH(sample_columns.decode(row.data(), back, x, "test.h5"), Catch::Contains("malformed time") && Catch::Contains("sample.from"));
    }
}
