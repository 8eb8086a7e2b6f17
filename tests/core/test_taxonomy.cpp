#include "core/taxonomy.hpp"

#include <catch2/catch.hpp>

TEST_CASE("aliases resolve case-insensitively to their class", "[taxonomy]") {
    avf::Taxonomy t;
    REQUIRE(t.add_class("battle_tank", {"T-72", "T-72B3", "K2"}));
    REQUIRE(t.add_class("artillery", {"2S19", "K9"}));
    CHECK(*t.resolve("t-72b3") == "battle_tank");
    CHECK(*t.resolve(" K9 ") == "artillery");
    CHECK(*t.resolve("battle_tank") == "battle_tank");
    CHECK(t.resolve("bicycle") == nullptr);
}

TEST_CASE("an alias cannot belong to two classes", "[taxonomy]") {
    avf::Taxonomy t;
    REQUIRE(t.add_class("battle_tank", {"T-72"}));
    CHECK_FALSE(t.add_class("artillery", {"t-72"}));
}
