// The field reading every reader shares (ingest/fields.hpp): trimming, ASCII case, numbers read
// whole with std::from_chars, booleans and lists, and the one problem a record's first bad field
// becomes — its position, record id, field, value (escaped) and what was expected.
#include "ingest/fields.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

using namespace avf;
using namespace avf::ingest;

TEST_CASE("fields: trimming, ASCII case folding and file extensions", "[fields]") {
    CHECK(trim(" \tD-1 \t") == "D-1");
    CHECK(trim(" D-1\r\n") == "D-1\r\n"); // spaces and tabs only
    CHECK(trim("   ").empty());
    CHECK(trim_space(" \tD-1\r\n ") == "D-1");
    CHECK(trim_space("\r\n").empty());
    CHECK(trim_space("a b") == "a b");

    CHECK(ascii_lower("Class_ÄB") == "class_Äb"); // bytes above ASCII are left alone
    CHECK(iequals("UNCERTAINTY_M", "uncertainty_m"));
    CHECK_FALSE(iequals("id", "idx"));

    CHECK(file_extension("dir.v2/Images.JSON") == "json");
    CHECK(file_extension("dir.v2/images").empty());
    CHECK(file_extension("tracks.CSV") == "csv");
}

TEST_CASE("fields: numbers are read whole, whatever the locale, with a leading plus", "[fields]") {
    double v = -1;
    CHECK(parse_number("12.5", v) == NumberText::ok);
    CHECK(v == 12.5);
    CHECK(parse_number("+0.25", v) == NumberText::ok);
    CHECK(v == 0.25);
    CHECK(parse_number("-3e2", v) == NumberText::ok);
    CHECK(v == -300.0);
    CHECK(parse_number("nan", v) == NumberText::ok); // read; the reader says it is not finite
    CHECK(std::isnan(v));
    CHECK(parse_number("-inf", v) == NumberText::ok);
    CHECK(std::isinf(v));

    v = 7;
    for (const char* bad : {"", "+", "12,5", " 5", "5 ", "5m", "0x10", "++5", "abc"}) {
        INFO(bad);
        CHECK(parse_number(bad, v) == NumberText::malformed);
    }
    CHECK(parse_number("1e400", v) == NumberText::out_of_range);
    CHECK(v == 7); // left alone unless ok

    // A plus before another sign: which sign was meant is not guessed, in any reader.
    CHECK(parse_number("+-5", v) == NumberText::malformed);
    CHECK(v == 7);
    std::int64_t whole = 3;
    CHECK(parse_integer("+-5", whole) == NumberText::malformed);
    CHECK(whole == 3);

    std::int64_t n = 0;
    CHECK(parse_integer("+3", n) == NumberText::ok);
    CHECK(n == 3);
    CHECK(parse_integer("-12", n) == NumberText::ok);
    CHECK(n == -12);
    CHECK(parse_integer("3.0", n) == NumberText::malformed);
    CHECK(parse_integer("99999999999999999999", n) == NumberText::out_of_range);
    CHECK(n == -12);
}

TEST_CASE("fields: booleans and comma-separated lists", "[fields]") {
    for (const char* yes : {"true", " TRUE ", "1", "yes", "On"}) CHECK(parse_bool(yes) == std::optional<bool>(true));
    for (const char* no : {"false", "0", "No", "off\r\n"}) CHECK(parse_bool(no) == std::optional<bool>(false));
    CHECK_FALSE(parse_bool("maybe").has_value());
    CHECK_FALSE(parse_bool("").has_value());

    CHECK(split_list("VV, VH,,HH ") == std::vector<std::string>{"VV", "VH", "HH"});
    CHECK(split_list("").empty());
    CHECK(split_list(" , ").empty());
}

TEST_CASE("fields: a record's first bad field becomes one problem naming its position, field and value", "[fields]") {
    CollectingProblemSink problems;
    const std::string file = "d.csv";
    RecordPosition line;
    line.file = file;
    line.line = 7;
    line.record = "D-1";
    line.index = 5;
    line.order = 7;
    const RecordCheck check(problems, line);
    CHECK_FALSE(check.reject(ProblemCode::bad_number, "lon", "12,5", "not a number", "decimal degrees"));
    REQUIRE(problems.size() == 1);
    const Problem& p = problems.problems()[0];
    CHECK(p.severity == Severity::rejected);
    CHECK(p.order == 7);
    CHECK(p.describe() == "d.csv, record D-1, line 7: rejected (bad_number): not a number; field 'lon' = '12,5' (expected decimal degrees)");

    // A feature of a layer; a raw value shown escaped; no field, no value, nothing expected.
    RecordPosition feature;
    feature.file = file;
    feature.layer = "obs";
    feature.feature = "12";
    feature.record = "Z\t1";
    feature.index = 3;
    feature.order = 3;
    const RecordCheck at_feature(problems, feature);
    at_feature.reject(ProblemCode::bad_encoding, "name", "caf\xe9", "value is not valid UTF-8");
    at_feature.reject(ProblemCode::empty_geometry, {}, {}, "feature has no geometry");
    at_feature.note(ProblemCode::bad_time, "valid_from", "2027-01-01T00:00", "taken as UTC");
    REQUIRE(problems.size() == 4);
    CHECK(problems.problems()[1].describe() ==
          "d.csv, layer obs, feature 12 (id=Z\\x091): rejected (bad_encoding): value is not valid UTF-8; field 'name' = 'caf\\xE9'");
    CHECK(problems.problems()[2].describe() == "d.csv, layer obs, feature 12 (id=Z\\x091): rejected (empty_geometry): feature has no geometry");
    CHECK(problems.problems()[3].severity == Severity::note);
    CHECK(problems.problems()[3].order == 3);

    // The context for the geo validators, and where a good record came from.
    CHECK(at_feature.context("geometry").field() == "geometry");
    CHECK(at_feature.context().record() == "Z\\x091");
    const SourceRef from_line = line.origin();
    CHECK(from_line.file == "d.csv");
    CHECK(from_line.feature == "7");
    CHECK(from_line.index == 5);
    const SourceRef from_feature = feature.origin();
    CHECK(from_feature.layer == "obs");
    CHECK(from_feature.feature == "12");
}
