#include "core/error.hpp"

#include <catch2/catch.hpp>

TEST_CASE("error messages carry their context", "[error]") {
    avf::InputError e("ring not closed", avf::Context{}.file("zones.gpkg").layer("dmz").feature("812").record("K-17"));
    CHECK(std::string(e.what()) == "zones.gpkg, layer dmz, feature 812 (id=K-17): ring not closed");
    CHECK(e.exit_code() == 3);

    avf::InputError f("bad number", avf::Context{}.file("d.csv").line(7).column(3).field("lat").value("9x").expected("a decimal number"));
    CHECK(std::string(f.what()) == "d.csv, line 7:3: bad number; field 'lat' = '9x' (expected a decimal number)");
}

TEST_CASE("each error kind has its documented exit code", "[error]") {
    CHECK(avf::UsageError("x").exit_code() == 2);
    CHECK(avf::InputError("x").exit_code() == 3);
    CHECK(avf::IoError("x").exit_code() == 4);
    CHECK(avf::InternalError("x").exit_code() == 70);
}
