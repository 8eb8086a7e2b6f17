#include "core/time.hpp"

#include <catch2/catch.hpp>

using avf::format_utc;
using avf::parse_utc;

TEST_CASE("ISO-8601 instants parse and format round-trip", "[time]") {
    auto t = parse_utc("2027-03-04T10:15:30Z");
    REQUIRE(t);
    CHECK(format_utc(*t) == "2027-03-04T10:15:30Z");
    CHECK(t->ms == 1804155330000LL);
    CHECK(format_utc(*parse_utc("1970-01-01T00:00:00Z")) == "1970-01-01T00:00:00Z");
    CHECK(parse_utc("1970-01-01T00:00:00Z")->ms == 0);
    CHECK(format_utc(*parse_utc("1969-12-31T23:59:59.5Z")) == "1969-12-31T23:59:59.500Z");
}

TEST_CASE("a bare date is midnight UTC, offsets convert to UTC", "[time]") {
    CHECK(parse_utc("2027-03-04")->ms == parse_utc("2027-03-04T00:00:00Z")->ms);
    CHECK(parse_utc("2027-03-04T12:00:00+02:00")->ms == parse_utc("2027-03-04T10:00:00Z")->ms);
    CHECK(parse_utc("2027-03-04T12:00:00-0130")->ms == parse_utc("2027-03-04T13:30:00Z")->ms);
    CHECK(parse_utc("2027-03-04T10:00Z")->ms == parse_utc("2027-03-04T10:00:00Z")->ms);
}

TEST_CASE("malformed instants are refused, never guessed", "[time]") {
    for (const char* bad : {"", "2027-3-4", "2027-02-30", "2027-03-04T10:00:00", "2027-03-04T24:00:00Z", "2027-03-04T10:00:60Z",
                            "2027-03-04T10:00:00Zjunk", "04/03/2027", "2027-03-04T10:00:00.Z", "2027-13-01", "not a time"}) {
        INFO(bad);
        CHECK_FALSE(parse_utc(bad));
    }
}

TEST_CASE("half-open intervals include from and exclude to", "[time]") {
    avf::Interval i{*parse_utc("2027-01-01"), *parse_utc("2027-02-01")};
    CHECK(i.contains(*parse_utc("2027-01-01")));
    CHECK(i.contains(*parse_utc("2027-01-31T23:59:59Z")));
    CHECK_FALSE(i.contains(*parse_utc("2027-02-01")));
    CHECK(avf::Interval{}.contains(*parse_utc("1900-01-01")));
    CHECK(format_utc(avf::UtcTime::max()) == "+inf");
}

TEST_CASE("durations in ISO and short forms", "[time]") {
    CHECK(avf::parse_duration("P1D")->ms == 86400000);
    CHECK(avf::parse_duration("PT6H")->ms == 6 * 3600000);
    CHECK(avf::parse_duration("P1DT12H")->ms == 36 * 3600000);
    CHECK(avf::parse_duration("14d")->ms == 14 * 86400000LL);
    CHECK(avf::parse_duration("30m")->ms == 30 * 60000);
    CHECK_FALSE(avf::parse_duration("P"));
    CHECK_FALSE(avf::parse_duration("0d"));
    CHECK_FALSE(avf::parse_duration("-1d"));
    CHECK_FALSE(avf::parse_duration("1y"));
}

TEST_CASE("a duration that leaves int64 milliseconds is refused, never wrapped", "[time]") {
    // 106,751,991,167 days is the last whole day in int64 milliseconds; the products and sums
    // past it used to wrap (P106751991168D gave a negative duration, P10000000000000W a positive one).
    CHECK(avf::parse_duration("P106751991167D")->ms == 106751991167LL * 86400000LL);
    CHECK_FALSE(avf::parse_duration("P106751991168D"));
    CHECK_FALSE(avf::parse_duration("P10000000000000W"));
    CHECK_FALSE(avf::parse_duration("106751991168d"));
    CHECK_FALSE(avf::parse_duration("P106751991167DT24H"));
    CHECK(avf::parse_duration("PT9223372036854775S")->ms == 9223372036854775000LL);
    CHECK_FALSE(avf::parse_duration("PT9223372036854776S"));
}

TEST_CASE("windows are aligned to the epoch, also before 1970", "[time]") {
    avf::Duration day{86400000};
    CHECK(format_utc(avf::window_start(*parse_utc("2027-03-04T10:00:00Z"), day)) == "2027-03-04T00:00:00Z");
    CHECK(format_utc(avf::window_start(*parse_utc("1969-12-31T10:00:00Z"), day)) == "1969-12-31T00:00:00Z");
}
