#include "tests/fusion/fusion_fixtures.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>

using namespace avf;
using test::detection;
using test::Harness;

namespace {
const char* square = "POLYGON((127 38,128 38,128 39,127 39,127 38))";
// A point `d` metres east (inside) of the square's west edge at 38.5°N.
GeoPoint east_of_west_edge(double d) {
    return geo::destination({127.0, 38.5}, 90.0, Meters{d});
}

std::vector<Finding> of_rule(const std::vector<Finding>& all, const std::string& rule) {
    std::vector<Finding> out;
    std::copy_if(all.begin(), all.end(), std::back_inserter(out), [&](const Finding& f) { return f.rule_id == rule; });
    return out;
}
} // namespace

TEST_CASE("prohibited: inside is certain, a straddling disk possible, outside nothing", "[rules][prohibited]") {
    Harness h("[[rules]]\nid = \"dmz\"\ntype = \"prohibited\"\narticle = \"art. I\"\nzones = [\"DMZ\"]\n", {test::zone("DMZ", square)}, {});
    auto f = h.run({detection("in", east_of_west_edge(1400), "battle_tank", 3), detection("edge", east_of_west_edge(200), "troops", 1, 500),
                    detection("out", east_of_west_edge(-300), "troops", 1, 500), detection("far", east_of_west_edge(-2000), "troops", 1, 500)});
    REQUIRE(f.size() == 3);
    auto by = [&](const std::string& id) { return *std::find_if(f.begin(), f.end(), [&](auto& x) { return x.evidence[0].record_id == id; }); };
    CHECK(by("in").certainty == Certainty::certain);
    CHECK(by("in").kind == FindingKind::violation);
    CHECK(by("in").measured == Approx(1.4).margin(1e-3));
    CHECK(by("in").explanation ==
          "battle_tank of PRK observed 2027-03-04T10:00:00Z at 38.5000N 127.0160E, 1.4 km inside DMZ (rule dmz, art. I): prohibited; certain");
    CHECK(by("edge").certainty == Certainty::possible);
    CHECK(by("out").certainty == Certainty::possible);
    CHECK(by("out").measured == Approx(-0.3).margin(1e-3));
}

TEST_CASE("prohibited: the boundary belongs to the zone unless the rule says otherwise", "[rules][prohibited][limit]") {
    std::vector<Detection> on{detection("on", {127.0, 38.5}, "troops")};
    Harness inside("[[rules]]\nid = \"r\"\ntype = \"prohibited\"\nzones = [\"Z\"]\n", {test::zone("Z", square)}, {});
    auto f = inside.run(on);
    REQUIRE(f.size() == 1);
    CHECK(f[0].certainty == Certainty::certain);
    CHECK(f[0].measured == 0.0);
    Harness outside("[[rules]]\nid = \"r\"\ntype = \"prohibited\"\nzones = [\"Z\"]\nboundary = \"outside\"\n", {test::zone("Z", square)}, {});
    CHECK(outside.run(on).empty());
}

TEST_CASE("prohibited: the depth is exact below the horizon, a bound beyond it", "[rules][prohibited][limit]") {
    const std::string rule = "[[rules]]\nid = \"p\"\ntype = \"prohibited\"\nzones = [\"Z\"]\n";
    Harness standard(rule, {test::zone("Z", square)}, {});                                  // default horizon: 10 km
    Harness everywhere(rule + "depth_horizon_km = 20004\n", {test::zone("Z", square)}, {}); // every depth exact
    Harness short_horizon(rule + "depth_horizon_km = 2.5\n", {test::zone("Z", square)}, {});
    // Metres east of the west edge, by record id; "out" lies 12 km west, its 15 km disk reaching in.
    const std::map<std::string, double> east{{"300", 300.0},      {"5000", 5'000.0},   {"9990", 9'990.0}, {"10010", 10'010.0},
                                             {"15000", 15'000.0}, {"40000", 40'000.0}, {"out", -12'000.0}};
    std::vector<Detection> ds;
    for (const auto& [id, m] : east) ds.push_back(detection(id, east_of_west_edge(m), "troops", 1, id == "out" ? 15'000.0 : 0.0));
    auto by_record = [&](const Harness& h) {
        std::map<std::string, Finding> out;
        for (auto& f : h.run(ds)) out.emplace(f.evidence[0].record_id, std::move(f));
        return out;
    };
    auto cut = by_record(standard), exact = by_record(everywhere), short_cut = by_record(short_horizon);
    REQUIRE(cut.size() == ds.size());
    REQUIRE(exact.size() == ds.size());
    REQUIRE(short_cut.size() == ds.size());
    for (const auto& [id, m] : east) {
        INFO(id);
        const double depth = exact[id].measured; // km, signed
        CHECK(depth == Approx(m / 1000.0).margin(1e-3));
        CHECK(cut[id].certainty == exact[id].certainty); // certainty is the disk's, whatever the horizon
        if (std::abs(depth) < 10.0) {
            CHECK(cut[id].measured == depth); // the same bits as the unbounded depth
            CHECK(cut[id].explanation == exact[id].explanation);
        } else {
            CHECK(cut[id].measured == (depth > 0 ? 10.0 : -10.0));
            CHECK(cut[id].explanation.find(depth > 0 ? ", at least 10.0 km inside Z (rule p)" : ", at least 10.0 km outside Z (within its") !=
                  std::string::npos);
        }
        CHECK(short_cut[id].measured == (std::abs(depth) < 2.5 ? depth : depth > 0 ? 2.5 : -2.5));
    }
    CHECK(exact["10010"].explanation.find(", 10.0 km inside Z (rule p): prohibited; certain") != std::string::npos);
    CHECK(cut["out"].certainty == Certainty::possible);
    CHECK(cut["out"].explanation.find(", at least 10.0 km outside Z (within its uncertainty) (rule p)") != std::string::npos);
    CHECK(short_cut["300"].explanation.find(", 300 m inside Z") != std::string::npos);
    CHECK(short_cut["9990"].explanation.find(", at least 2.5 km inside Z") != std::string::npos);
}

TEST_CASE("prohibited: depth_horizon_km is a positive distance in km", "[rules][prohibited][regime]") {
    auto error_of = [](const std::string& value) {
        try {
            fusion::parse_regime(
                test::regime_text("[[rules]]\nid = \"p\"\ntype = \"prohibited\"\nzones = [\"Z\"]\ndepth_horizon_km = " + value + "\n"), "r.toml");
        } catch (const InputError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    CHECK(error_of("10").empty());
    CHECK(error_of("0.001").empty());
    CHECK(error_of("20004").empty());
    for (const char* bad : {"0", "-5", "1e308", "\"10 km\"", "nan"}) {
        INFO(bad);
        const std::string e = error_of(bad);
        CHECK(e.find("r.toml, line 16") != std::string::npos);
        CHECK(e.find("rules[0].depth_horizon_km") != std::string::npos);
    }
    CHECK(error_of("0").find("must be positive") != std::string::npos);
    CHECK(error_of("1e308").find("half its circumference") != std::string::npos);
}

TEST_CASE("rules and zones respect their validity, waivers exempt", "[rules][validity]") {
    auto z = test::zone("Z", square);
    z.valid = Interval{*parse_utc("2027-01-01"), *parse_utc("2027-06-01")};
    Harness h(R"([[rules]]
id = "r"
type = "prohibited"
zones = ["Z"]
valid_from = "2027-02-01"
  [[rules.waivers]]
  id = "w1"
  classes = ["troops"]
  max_count = 5
  valid_from = "2027-03-10"
  valid_to = "2027-03-11"
  basis = "ceremony agreed by the MAC"
)",
              {z}, {});
    GeoPoint p = east_of_west_edge(5000);
    auto f =
        h.run({detection("before-rule", p, "troops", 1, 0, "2027-01-15T00:00:00Z"), detection("ok", p, "battle_tank", 1, 0, "2027-03-04T00:00:00Z"),
               detection("after-zone", p, "troops", 1, 0, "2027-06-01T00:00:00Z"), detection("waived", p, "troops", 5, 0, "2027-03-10T12:00:00Z"),
               detection("too-many", p, "troops", 6, 0, "2027-03-10T12:00:00Z")});
    REQUIRE(f.size() == 3);
    std::vector<std::string> ids;
    for (auto& x : f) ids.push_back(x.evidence[0].record_id);
    std::sort(ids.begin(), ids.end());
    CHECK(ids == std::vector<std::string>{"ok", "too-many", "waived"});
    for (auto& x : f) {
        if (x.evidence[0].record_id == "waived") {
            CHECK(x.kind == FindingKind::exempted);
            CHECK(x.waiver_id == "w1");
            CHECK(x.explanation.find("exempted by waiver w1 (ceremony agreed by the MAC)") != std::string::npos);
        } else {
            CHECK(x.kind == FindingKind::violation);
        }
    }
}

TEST_CASE("standoff: geodesic distance against the limit, at the limit to 1 mm", "[rules][standoff][limit]") {
    auto mdl = test::line("MDL", "LINESTRING(126.5 38.0,127.2 38.1,128.0 38.3)");
    // Points north of the middle of the second segment, at chosen geodesic distances.
    auto at = [](double d) {
        GeoPoint a{127.2, 38.1}, b{128.0, 38.3};
        double az = geo::azimuth(a, b);
        GeoPoint mid = geo::destination(a, az, Meters{geo::distance(a, b).value / 2});
        return geo::destination(mid, geo::azimuth(mid, b) - 90.0, Meters{d});
    };
    std::string rule = "[[rules]]\nid = \"s\"\ntype = \"standoff\"\nclasses = [\"artillery\"]\nline = \"MDL\"\ndistance_km = 20\n";
    Harness h(rule, {}, {mdl});
    auto f = h.run({detection("close", at(12'300), "2S19", 2), detection("just-inside", at(19'999.999), "artillery"),
                    detection("just-outside", at(20'000.001), "artillery"), detection("tank", at(5'000), "battle_tank"),
                    detection("disk-straddles", at(20'400), "artillery", 1, 500), detection("disk-clear", at(20'600), "artillery", 1, 500)});
    REQUIRE(f.size() == 3);
    std::map<std::string, Finding> by;
    for (auto& x : f) by[x.evidence[0].record_id] = x;
    CHECK(by.count("close"));
    CHECK(by["close"].measured == Approx(12.3).margin(1e-6));
    CHECK(by["close"].limit == 20.0);
    CHECK(by["close"].certainty == Certainty::certain);
    CHECK(by["close"].explanation.find("artillery of PRK") == 0); // the count and model are in the detection, not the row
    CHECK(by["close"].explanation.find("12.3 km from MDL, closer than the 20.0 km standoff") != std::string::npos);
    CHECK(by.count("just-inside"));
    CHECK_FALSE(by.count("just-outside"));
    CHECK_FALSE(by.count("tank"));
    CHECK(by["disk-straddles"].certainty == Certainty::possible);
    CHECK_FALSE(by.count("disk-clear"));

    Harness inclusive(rule + "at_limit = \"violation\"\n", {}, {mdl});
    auto g = inclusive.run({detection("at", at(20'000.0), "artillery")});
    auto measured = geo::distance_to_segment(at(20'000.0), {127.2, 38.1}, {128.0, 38.3}).distance.value;
    INFO("measured " << measured);
    CHECK(g.size() == (measured <= 20'000.0 ? 1u : 0u));
}

TEST_CASE("standoff: per-party lines and per-segment distances", "[rules][standoff]") {
    auto mdl = test::line("MDL", "LINESTRING(126.0 38.0,127.0 38.0,128.0 38.0)");
    Harness h(R"([[rules]]
id = "s"
type = "standoff"
classes = ["artillery"]
line = "MDL"
  [[rules.segments]]
  to_vertex = 1
  distance_km = 20
  [[rules.segments]]
  distance_km = 40
)",
              {}, {mdl});
    // 30 km north of each half: compliant in the west (20 km), a violation in the east (40 km).
    GeoPoint west = geo::destination({126.5, 38.0}, 0.0, Meters{30'000});
    GeoPoint east = geo::destination({127.5, 38.0}, 0.0, Meters{30'000});
    auto f = h.run({detection("w", west, "artillery"), detection("e", east, "artillery")});
    REQUIRE(f.size() == 1);
    CHECK(f[0].evidence[0].record_id == "e");
    CHECK(f[0].limit == 40.0);
}

TEST_CASE("ceiling: exactly N complies, N+1 violates, per day", "[rules][ceiling][limit]") {
    Harness h("[[rules]]\nid = \"c\"\ntype = \"ceiling\"\nzones = [\"Z\"]\nclasses = [\"battle_tank\"]\nmax_count = 10\nwindow = \"P1D\"\n",
              {test::zone("Z", square, "buffer")}, {});
    GeoPoint p = east_of_west_edge(10'000);
    std::vector<Detection> ds{detection("a1", p, "battle_tank", 6, 0, "2027-03-04T08:00:00Z"),
                              detection("a2", p, "battle_tank", 4, 0, "2027-03-04T20:00:00Z"),
                              detection("b1", p, "battle_tank", 6, 0, "2027-03-05T08:00:00Z"), detection("b2", p, "K2", 5, 0, "2027-03-05T09:00:00Z"),
                              detection("b3", p, "artillery", 50, 0, "2027-03-05T09:00:00Z")};
    auto f = h.run(ds);
    REQUIRE(f.size() == 1);
    CHECK(f[0].measured == 11);
    CHECK(f[0].limit == 10);
    CHECK(f[0].certainty == Certainty::certain);
    CHECK(format_interval(f[0].span) == "[2027-03-05T00:00:00Z, 2027-03-06T00:00:00Z)");
    REQUIRE(f[0].evidence.size() == 2);
    CHECK(f[0].evidence[0].record_id == "b1");
    CHECK(f[0].explanation == "11 battle_tank counted in Z on 2027-03-05 exceed the ceiling of 10 (rule c): violation; certain; 2 detection(s)");
}

TEST_CASE("ceiling: straddling items make a possible violation, nesting counts children in parents", "[rules][ceiling]") {
    std::vector<Zone> zones{test::zone("OUTER", "POLYGON((126 37,129 37,129 40,126 40,126 37))", "area"),
                            test::zone("INNER", square, "buffer", "OUTER")};
    Harness h(R"([[rules]]
id = "inner"
type = "ceiling"
zones = ["INNER"]
max_count = 10
[[rules]]
id = "outer"
type = "ceiling"
zones = ["OUTER"]
max_count = 12
)",
              zones, {});
    auto f = h.run({detection("in", east_of_west_edge(5000), "battle_tank", 9), detection("edge", east_of_west_edge(100), "battle_tank", 4, 500),
                    detection("outer-only", {126.5, 37.5}, "battle_tank", 1)});
    auto inner = of_rule(f, "inner");
    REQUIRE(inner.size() == 1);
    CHECK(inner[0].certainty == Certainty::possible); // 9 certain + 4 possible = 13 > 10, but 9 ≤ 10
    auto outer = of_rule(f, "outer");
    REQUIRE(outer.size() == 1);
    CHECK(outer[0].measured == 14);
    CHECK(outer[0].certainty == Certainty::certain);
}

TEST_CASE("ceiling: instant aggregation counts snapshots, a waiver raises the limit", "[rules][ceiling]") {
    Harness h(R"([[rules]]
id = "c"
type = "ceiling"
zones = ["Z"]
max_count = 5
aggregation = "instant"
  [[rules.waivers]]
  id = "ex"
  max_count = 3
  valid_from = "2027-03-04T11:00:00Z"
  valid_to = "2027-03-04T12:00:00Z"
  basis = "notified exercise"
)",
              {test::zone("Z", square)}, {});
    GeoPoint p = east_of_west_edge(10'000);
    auto f = h.run({detection("t1a", p, "troops", 4, 0, "2027-03-04T10:00:00Z"), detection("t1b", p, "troops", 2, 0, "2027-03-04T10:00:00Z"),
                    detection("t2", p, "troops", 5, 0, "2027-03-04T10:30:00Z"), detection("t3", p, "troops", 8, 0, "2027-03-04T11:30:00Z"),
                    detection("t4", p, "troops", 9, 0, "2027-03-04T11:45:00Z")});
    REQUIRE(f.size() == 3);
    CHECK(f[0].measured == 6);
    CHECK(f[0].kind == FindingKind::violation);
    CHECK(f[1].measured == 8);
    CHECK(f[1].kind == FindingKind::exempted);
    CHECK(f[1].waiver_id == "ex");
    CHECK(f[2].measured == 9);
    CHECK(f[2].kind == FindingKind::violation);
}

TEST_CASE("band: counts items between D1 and D2 on one side, without a limit it prohibits", "[rules][band][limit]") {
    // Segments are geodesics, which bow poleward of the parallel (≈470 m at the middle of a 2°
    // segment at 38°N); with vertices every 0.01° the line stays within 2 cm of the parallel.
    std::string wkt = "LINESTRING(";
    for (int i = 0; i <= 200; ++i) wkt += (i ? "," : "") + std::to_string(126.0 + 0.01 * i) + " 38.0";
    auto mdl = test::line("MDL", wkt + ")");
    auto south = test::zone("SOUTH", "POLYGON((126 37,128 37,128 38,126 38,126 37))", "territory");
    auto at = [](double lon, double d_south) { return geo::destination({lon, 38.0}, 180.0, Meters{d_south}); };
    Harness h(R"([[rules]]
id = "band"
type = "band"
line = "MDL"
from_km = 2
to_km = 10
within_zone = "SOUTH"
classes = ["battle_tank"]
max_count = 5
[[rules]]
id = "ban"
type = "band"
line = "MDL"
from_km = 0
to_km = 2
classes = ["battle_tank"]
)",
              {south}, {mdl});
    auto f = h.run({detection("b1", at(127.0, 5000), "battle_tank", 4), detection("b2", at(127.2, 9999.9), "battle_tank", 2),
                    detection("beyond", at(127.2, 10000.1), "battle_tank", 7),
                    detection("north", geo::destination({127.0, 38.0}, 0.0, Meters{5000}), "battle_tank", 9),
                    detection("close", at(127.0, 1500), "battle_tank", 1)});
    auto band = of_rule(f, "band");
    REQUIRE(band.size() == 1);
    CHECK(band[0].measured == 6);
    CHECK(band[0].certainty == Certainty::certain);
    auto ban = of_rule(f, "ban");
    REQUIRE(ban.size() == 1);
    CHECK(ban[0].evidence[0].record_id == "close");
    CHECK(ban[0].measured == Approx(1.5).margin(1e-4));
}

TEST_CASE("findings are identical whatever the batching or input order", "[rules][determinism]") {
    auto mdl = test::line("MDL", "LINESTRING(126.5 38.0,128.0 38.2)");
    std::string rules = R"([[rules]]
id = "p"
type = "prohibited"
zones = ["Z"]
[[rules]]
id = "c"
type = "ceiling"
zones = ["Z"]
max_count = 20
[[rules]]
id = "s"
type = "standoff"
line = "MDL"
distance_km = 30
)";
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> lon(126.5, 128.5), lat(37.5, 39.5), unc(0, 3000);
    std::uniform_int_distribution<int> cnt(1, 5), hour(0, 71);
    std::vector<Detection> ds;
    for (int i = 0; i < 600; ++i) {
        char t[32];
        std::snprintf(t, sizeof t, "2027-03-0%dT%02d:00:00Z", 1 + hour(rng) / 24, hour(rng) % 24);
        ds.push_back(detection("d" + std::to_string(i), {lon(rng), lat(rng)}, i % 3 ? "battle_tank" : "artillery", cnt(rng), unc(rng), t));
    }
    Harness h(rules, {test::zone("Z", square)}, {mdl});
    auto a = h.run(ds, 1000);
    auto b = h.run(ds, 7);
    std::shuffle(ds.begin(), ds.end(), rng);
    auto c = h.run(ds, 64);
    REQUIRE(a.size() > 50);
    REQUIRE(a.size() == b.size());
    REQUIRE(a.size() == c.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(a[i].id == b[i].id);
        CHECK(a[i].id == c[i].id);
        CHECK(a[i].explanation == c[i].explanation);
        REQUIRE(a[i].evidence.size() == c[i].evidence.size());
        for (std::size_t k = 0; k < a[i].evidence.size(); ++k) CHECK(a[i].evidence[k].record_id == c[i].evidence[k].record_id);
    }
}

TEST_CASE("band from 0 km: a disk across the line is wholly in the band, exactly at either limit", "[rules][band][limit]") {
    // A meridian is a geodesic: a point reached from (127, lat) with azimuth 90° is exactly the
    // distance travelled from it.
    auto meridian = test::line("L", "LINESTRING(127 37,127 39)");
    auto east = test::zone("EAST", "POLYGON((127 37,128 37,128 39,127 39,127 37))", "territory");
    auto at = [](double m, double lat) { return geo::destination({127.0, lat}, m >= 0 ? 90.0 : 270.0, Meters{std::abs(m)}); };
    Harness h(R"([[rules]]
id = "ban"
type = "band"
line = "L"
from_km = 0
to_km = 2
classes = ["artillery"]
[[rules]]
id = "ban-east"
type = "band"
line = "L"
from_km = 0
to_km = 2
within_zone = "EAST"
classes = ["artillery"]
)",
              {east}, {meridian});
    auto f = h.run({detection("across", at(100, 38.0), "artillery", 1, 500),           // disk from 400 m west to 600 m east
                    detection("on-line", GeoPoint{127.0, 38.1}, "artillery", 1, 1000), // nearest point exactly 0 = from_km
                    detection("edge-in", at(999.999, 38.2), "artillery", 1, 1000),     // far edge 1 mm inside to_km
                    detection("edge-out", at(1000.001, 38.3), "artillery", 1, 1000),   // far edge 1 mm beyond to_km
                    detection("east", at(1200, 38.4), "artillery", 1, 500)});          // 700 to 1,700 m east
    std::map<std::string, Finding> ban, side;
    for (auto& x : of_rule(f, "ban")) ban[x.evidence[0].record_id] = x;
    for (auto& x : of_rule(f, "ban-east")) side[x.evidence[0].record_id] = x;
    REQUIRE(ban.size() == 5);
    CHECK(ban["across"].certainty == Certainty::certain);
    CHECK(ban["across"].measured == Approx(0.1).margin(1e-6));
    CHECK(ban["on-line"].certainty == Certainty::certain);
    CHECK(ban["edge-in"].certainty == Certainty::certain);
    CHECK(ban["edge-out"].certainty == Certainty::possible); // to_km is exclusive
    // One side only: a disk that crosses the line lies partly on the other side.
    REQUIRE(side.count("across"));
    CHECK(side["across"].certainty == Certainty::possible);
    CHECK(side["edge-in"].certainty == Certainty::possible); // 1 mm of its disk is west of the line
    CHECK(side["east"].certainty == Certainty::certain);
}
