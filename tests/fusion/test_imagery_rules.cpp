// The imagery-side rules — sensor_limit, route, coverage — at and around their limits.
#include "fusion/imagery.hpp"
#include "fusion/rules/sensor_limit.hpp"
#include "tests/fusion/fusion_fixtures.hpp"

#include <boost/geometry.hpp>
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <map>

using namespace avf;
using test::Harness;

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

MultiPolygon box(double lon0, double lat0, double lon1, double lat1) {
    Polygon p;
    p.outer() = {{lon0, lat0}, {lon1, lat0}, {lon1, lat1}, {lon0, lat1}, {lon0, lat0}};
    MultiPolygon mp;
    mp.push_back(p);
    return mp;
}

ImageRecord image(const std::string& id, SensorCategory s, double gsd, double height = nan, const std::string& time = "2027-03-04T10:00:00Z",
                  MultiPolygon footprint = box(127.0, 38.0, 127.01, 38.01)) {
    ImageRecord im;
    im.id = ImageId{id};
    im.flight_id = "OS7001";
    im.observing_party = "USA";
    im.observed_party = "RUS";
    im.sensor = s;
    im.acquisition = Interval{*parse_utc(time), *parse_utc(time)};
    im.gsd = Meters{gsd};
    im.height = Meters{height};
    im.footprint = std::move(footprint);
    im.origin = SourceRef{"images.json", "", "feature 0", 0};
    return im;
}

struct Inputs {
    std::vector<ImageRecord> images;
    std::vector<FlightTrack> tracks;
    std::vector<PlannedRoute> routes;
    Interval period;
};

fusion::ImageryOutputs run(const Harness& h, const Inputs& in) {
    fusion::ImageryOutputs out = fusion::evaluate_imagery(h.regime, fusion::ImageryRecords{in.images, in.tracks, in.routes, in.period});
    out.findings = h.rendered(std::move(out.findings));
    return out;
}

std::vector<std::string> evidence_ids(const std::vector<Finding>& fs) {
    std::vector<std::string> out;
    for (const auto& f : fs) out.push_back(f.evidence.at(0).record_id);
    std::sort(out.begin(), out.end());
    return out;
}

FlightTrack track(const std::string& flight, const std::vector<GeoPoint>& pts, double height = 900, bool on = true) {
    FlightTrack t;
    t.flight_id = flight;
    t.origin = SourceRef{"track.csv", "", "2", 0};
    UtcTime t0 = *parse_utc("2027-03-04T10:00:00Z");
    for (std::size_t i = 0; i < pts.size(); ++i)
        t.points.push_back(
            TrackPoint{UtcTime{t0.ms + static_cast<std::int64_t>(i) * 60'000}, pts[i], Meters{height}, on, "line " + std::to_string(i + 2)});
    return t;
}

} // namespace

TEST_CASE("sensor_limit: Open Skies resolutions by default, exactly at the limit complies", "[rules][imagery][sensor_limit][limit]") {
    Harness h("[[rules]]\nid = \"os-res\"\ntype = \"sensor_limit\"\narticle = \"OS art. IV\"\n", {}, {});
    Inputs in;
    in.images = {image("opt-0.29", SensorCategory::optical, 0.29), image("opt-0.30", SensorCategory::optical, 0.30),
                 image("opt-0.31", SensorCategory::optical, 0.31), image("vid-0.2999", SensorCategory::video, 0.2999),
                 image("ir-0.49", SensorCategory::infrared, 0.49), image("ir-0.50", SensorCategory::infrared, 0.50),
                 image("sar-2.99", SensorCategory::sar, 2.99),     image("sar-3.00", SensorCategory::sar, 3.0)};
    auto out = run(h, in);
    CHECK(evidence_ids(out.findings) == std::vector<std::string>{"ir-0.49", "opt-0.29", "sar-2.99", "vid-0.2999"});
    for (const auto& f : out.findings) {
        CHECK(f.kind == FindingKind::violation);
        CHECK(f.evidence[0].record_kind == "image");
        CHECK(f.unit == "m");
        CHECK(f.target_id == "OS7001");
        CHECK(f.party == "USA");
    }
    auto opt = *std::find_if(out.findings.begin(), out.findings.end(), [](auto& f) { return f.evidence[0].record_id == "opt-0.29"; });
    CHECK(opt.measured == 0.29);
    CHECK(opt.limit == 0.30);
    CHECK(opt.equipment_class == "optical");
    CHECK(opt.explanation == "image opt-0.29: ground resolution 0.29 m is finer than the 0.30 m limit (rule os-res, OS art. IV): violation; certain");
    CHECK(out.coverage.empty());
    CHECK(fusion::SensorLimitRule::open_skies_min_gsd_m[3] == 3.0);
}

TEST_CASE("sensor_limit: certified minimum heights, own limits, scope and validity", "[rules][imagery][sensor_limit][limit]") {
    Harness h(R"([[rules]]
id = "h"
type = "sensor_limit"
parties = ["USA"]
valid_to = "2027-06-01"
min_gsd_m = { optical = 0.5 }
min_height_m = { optical = 900.0 }
track_min_height_m = 900.0
)",
              {}, {});
    Inputs in;
    in.images = {image("low", SensorCategory::optical, 0.6, 899.9), image("at", SensorCategory::optical, 0.6, 900.0),
                 image("unknown", SensorCategory::optical, 0.6),    image("sharp", SensorCategory::optical, 0.45, 950.0),
                 image("sar-no-height", SensorCategory::sar, 3.5),  image("late", SensorCategory::optical, 0.1, 100, "2027-06-01T00:00:00Z")};
    auto other = image("other-party", SensorCategory::optical, 0.1, 100);
    other.observing_party = "CAN";
    in.images.push_back(other);
    // Sensor on below 900 m for fixes 1-2 and 4; off at 850 m for fix 5 (not a violation).
    FlightTrack t = track("OS7001", {{30, 50}, {30.01, 50}, {30.02, 50}, {30.03, 50}, {30.04, 50}, {30.05, 50}});
    t.points[1].height = Meters{880};
    t.points[2].height = Meters{899.99};
    t.points[4].height = Meters{500};
    t.points[5].height = Meters{850};
    t.points[5].sensor_on = false;
    in.tracks = {t};
    auto out = run(h, in);
    REQUIRE(out.findings.size() == 5);
    std::map<std::string, std::vector<Finding>> by;
    for (const auto& f : out.findings) by[f.evidence[0].record_id].push_back(f);
    CHECK(by["low"].size() == 1);
    CHECK(by["low"][0].measured == 899.9);
    CHECK(by["low"][0].limit == 900.0);
    CHECK(by["unknown"][0].kind == FindingKind::unverifiable);
    CHECK(by["sharp"][0].measured == 0.45);
    CHECK(by["sharp"][0].limit == 0.5);
    REQUIRE(by["OS7001"].size() == 2); // two runs of low sensor-on fixes
    CHECK(by["OS7001"][0].evidence[0].record_kind == "flight");
    std::vector<std::string> positions{by["OS7001"][0].evidence[0].source_position, by["OS7001"][1].evidence[0].source_position};
    std::sort(positions.begin(), positions.end());
    CHECK(positions == std::vector<std::string>{"line 3-line 4", "line 6"});
}

TEST_CASE("route: corridor around the plan, either side of its limit, no plan is unverifiable", "[rules][imagery][route][limit]") {
    Harness h("[[rules]]\nid = \"corr\"\ntype = \"route\"\ncorridor_km = 10.0\n", {}, {});
    const GeoPoint a{127.0, 38.5}, b{128.0, 38.5};
    PlannedRoute plan{"F1", LineString{a, b}, SourceRef{"plan.geojson", "", "0", 0}};
    auto off = [&](double lon_along, double km) {
        GeoPoint on = geo::destination(a, geo::azimuth(a, b), geo::distance(a, {lon_along, 38.5}));
        return geo::destination(on, geo::azimuth(on, b) - 90.0, kilometers(km)); // to the north
    };
    Inputs in;
    in.routes = {plan};
    in.tracks = {track("F1", {off(127.1, 0), off(127.2, 9.99), off(127.3, 10.01), off(127.4, 12.0), off(127.5, 9.0), off(127.6, 11.0)}),
                 track("F2", {off(127.1, 0), off(127.2, 30)})};
    auto out = run(h, in);
    REQUIRE(out.findings.size() == 3);
    std::vector<Finding> f1, f2;
    for (const auto& f : out.findings) (f.target_id == "F1" ? f1 : f2).push_back(f);
    REQUIRE(f1.size() == 2);
    std::sort(f1.begin(), f1.end(), [](auto& x, auto& y) { return x.span.from < y.span.from; });
    CHECK(f1[0].measured == Approx(12.0).margin(1e-3));
    CHECK(f1[0].limit == 10.0);
    CHECK(f1[0].evidence[0].source_position == "line 4-line 5");
    CHECK(f1[1].measured == Approx(11.0).margin(1e-3));
    CHECK(f1[1].evidence[0].source_position == "line 7");
    REQUIRE(f2.size() == 1);
    CHECK(f2[0].kind == FindingKind::unverifiable);
}

TEST_CASE("route: total length and the distance to a non-party border", "[rules][imagery][route][limit]") {
    // A 10-fix track eastwards along 50°N; its length is known exactly from the fixes.
    std::vector<GeoPoint> pts;
    for (int i = 0; i < 10; ++i) pts.push_back({30.0 + 0.1 * i, 50.0});
    double length_km = 0;
    for (std::size_t i = 1; i < pts.size(); ++i) length_km += geo::distance(pts[i - 1], pts[i]).value / 1000.0;
    Inputs in;
    in.tracks = {track("F", pts)};

    auto rule = [](double max_km) { return "[[rules]]\nid = \"len\"\ntype = \"route\"\nmax_length_km = " + std::to_string(max_km) + "\n"; };
    CHECK(run(Harness(rule(length_km + 0.001), {}, {}), in).findings.empty());
    auto over = run(Harness(rule(length_km - 0.001), {}, {}), in).findings;
    REQUIRE(over.size() == 1);
    CHECK(over[0].measured == Approx(length_km).epsilon(1e-12));

    // A border 10 km north of fixes 3 and 4 only (a short line), checked at 10 km ± 10 m.
    GeoPoint n3 = geo::destination(pts[3], 0.0, kilometers(10.01)), n4 = geo::destination(pts[4], 0.0, kilometers(9.99));
    auto border = test::line("BY", "LINESTRING(" + std::to_string(n3.x()) + " " + std::to_string(n3.y()) + "," + std::to_string(n4.x()) + " " +
                                       std::to_string(n4.y()) + ")");
    Harness hb("[[rules]]\nid = \"bord\"\ntype = \"route\"\nborder_lines = [\"BY\"]\nmin_border_km = 10.0\n", {}, {border});
    auto near = run(hb, in).findings;
    REQUIRE(near.size() == 1);
    CHECK(near[0].target_id == "BY");
    CHECK(near[0].measured < 10.0);
    CHECK(near[0].measured > 9.98);
    CHECK(near[0].evidence[0].source_position == "line 6"); // fix 4 only

    CHECK_THROWS_AS(Harness("[[rules]]\nid = \"x\"\ntype = \"route\"\n", {}, {}), InputError);
    CHECK_THROWS_AS(Harness("[[rules]]\nid = \"x\"\ntype = \"route\"\nborder_lines = [\"NOPE\"]\nmin_border_km = 10.0\n", {}, {}), InputError);
}

TEST_CASE("coverage: fraction per zone and period, either side of F, resolution and periods", "[rules][imagery][coverage][limit]") {
    const char* zone_wkt = "POLYGON((127 38,127.2 38,127.2 38.1,127 38.1,127 38))";
    auto rules = [](double f, const std::string& extra = "") {
        return "[[rules]]\nid = \"cov\"\ntype = \"coverage\"\nzones = [\"Z\"]\nmin_fraction = " + std::to_string(f) + "\n" + extra;
    };
    Inputs in;
    in.images = {image("west", SensorCategory::optical, 0.5, 900, "2027-03-02T10:00:00Z", box(126.9, 37.9, 127.1, 38.2)),
                 image("coarse", SensorCategory::optical, 5.0, 900, "2027-03-03T10:00:00Z", box(127.1, 37.9, 127.3, 38.2))};
    in.period = Interval{*parse_utc("2027-03-01"), *parse_utc("2027-03-15")};

    SECTION("half covered: a gap above 0.5, none below; the uncovered half is stored") {
        auto gap = run(Harness(rules(0.51, "max_gsd_m = 1.0\n"), {test::zone("Z", zone_wkt)}, {}), in);
        REQUIRE(gap.findings.size() == 1);
        const Finding& f = gap.findings[0];
        CHECK(f.kind == FindingKind::coverage_gap);
        CHECK(f.target_id == "Z");
        CHECK(f.measured == Approx(0.5).epsilon(1e-6));
        CHECK(f.limit == 0.51);
        CHECK(f.unit == "fraction");
        CHECK(evidence_ids(gap.findings) == std::vector<std::string>{"west"});
        CHECK(f.span == in.period);
        REQUIRE(gap.coverage.size() == 1);
        const CoverageRecord& c = gap.coverage[0];
        CHECK(c.finding_id == f.id);
        CHECK(c.best_gsd_m == 0.5);
        CHECK(format_utc(c.last_observed) == "2027-03-02T10:00:00Z");
        CHECK(c.images == 1);
        CHECK(boost::geometry::within(GeoPoint{127.15, 38.05}, c.uncovered));
        CHECK(boost::geometry::within(f.location, c.uncovered));

        auto ok = run(Harness(rules(0.49, "max_gsd_m = 1.0\n"), {test::zone("Z", zone_wkt)}, {}), in);
        CHECK(ok.findings.empty());
        REQUIRE(ok.coverage.size() == 1);
        CHECK(ok.coverage[0].finding_id.empty());
    }
    SECTION("any resolution: both halves count, exactly 1.0 meets F = 1") {
        auto all = run(Harness(rules(1.0), {test::zone("Z", zone_wkt)}, {}), in);
        CHECK(all.findings.empty());
        REQUIRE(all.coverage.size() == 1);
        CHECK(all.coverage[0].fraction == 1.0);
        CHECK(all.coverage[0].uncovered.empty());
        CHECK(all.coverage[0].best_gsd_m == 0.5);
    }
    SECTION("weekly periods: the second week was not imaged at all") {
        auto weekly = run(Harness(rules(0.4, "max_gsd_m = 1.0\nperiod = \"7d\"\n"), {test::zone("Z", zone_wkt)}, {}), in);
        REQUIRE(weekly.coverage.size() >= 2);
        std::size_t zero = 0;
        for (const auto& c : weekly.coverage) {
            if (c.images == 0) {
                ++zero;
                CHECK(c.fraction == 0.0);
                CHECK(std::isnan(c.best_gsd_m));
                CHECK_FALSE(c.finding_id.empty());
            }
        }
        CHECK(zero == weekly.coverage.size() - 1);
        CHECK(weekly.findings.size() == zero);
    }
    SECTION("sensor filter: SAR only sees nothing") {
        auto sar = run(Harness(rules(0.1, "sensors = [\"sar\"]\n"), {test::zone("Z", zone_wkt)}, {}), in);
        REQUIRE(sar.findings.size() == 1);
        CHECK(sar.findings[0].measured == 0.0);
        CHECK(sar.findings[0].evidence.empty());
    }
}

TEST_CASE("coverage without min_fraction reports every fraction and judges none", "[rules][imagery][coverage]") {
    const char* zone_wkt = "POLYGON((127 38,127.2 38,127.2 38.1,127 38.1,127 38))";
    Inputs in;
    in.images = {image("west", SensorCategory::optical, 0.5, 900, "2027-03-02T10:00:00Z", box(126.9, 37.9, 127.1, 38.2))};
    in.period = Interval{*parse_utc("2027-03-01"), *parse_utc("2027-03-15")};
    Harness h("[[rules]]\nid = \"cov\"\ntype = \"coverage\"\nzones = [\"Z\", \"UNSEEN\"]\nperiod = \"7d\"\n",
              {test::zone("Z", zone_wkt), test::zone("UNSEEN", "POLYGON((10 10,10.1 10,10.1 10.1,10 10.1,10 10))")}, {});
    auto out = run(h, in);
    CHECK(out.findings.empty());       // no minimum: nothing to violate, not even by a zone no image touched
    REQUIRE(out.coverage.size() == 6); // 2 zones × 3 epoch-aligned weeks within [03-01, 03-15)
    std::size_t imaged = 0;
    for (const auto& c : out.coverage) {
        CHECK(std::isnan(c.required_fraction));
        CHECK(c.finding_id.empty());
        if (c.images > 0) {
            ++imaged;
            CHECK(c.zone_id == "Z");
            CHECK(c.fraction == Approx(0.5).epsilon(1e-6));
        } else {
            CHECK(c.fraction == 0.0);
        }
    }
    CHECK(imaged == 1);
    // A minimum outside (0, 1] is still an error; `sources` filters detections, not images.
    CHECK_THROWS_WITH(Harness("[[rules]]\nid = \"c\"\ntype = \"coverage\"\nzones = [\"Z\"]\nmin_fraction = 0\n", {}, {}),
                      Catch::Contains("min_fraction"));
    CHECK_THROWS_WITH(Harness("[[rules]]\nid = \"c\"\ntype = \"coverage\"\nzones = [\"Z\"]\nsources = [\"imagery\"]\n", {}, {}),
                      Catch::Contains("sources filters detections"));
}
