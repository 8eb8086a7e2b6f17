// The airspace rule at its limits: a track grazing the band's edge (inside by 10 m, outside by
// 10 m), a leg crossing the band between two fixes outside it, widths by category and segment,
// altitude floor and ceiling, position errors, validity and waivers, and thread counts.
//
// The reference line is the meridian 127°E. A meridian is a geodesic, and a geodesic leaving it at
// a right angle (azimuth 90° or 270° from (127°, φ)) has that start point as its nearest point on
// the meridian, so along such a leg the distance to the line is the distance travelled from it:
// the expected entry and exit times follow by proportion, independently of avf's geodesics.
#include "fusion/imagery.hpp"
#include "fusion/rules/airspace.hpp"
#include "tests/fusion/fusion_fixtures.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <tbb/global_control.h>

using namespace avf;
using test::Harness;

namespace {

const UtcTime t0 = *parse_utc("2027-03-04T10:00:00Z");

// A point `east_m` metres east of the meridian 127°E (negative: west), at latitude `lat`.
GeoPoint east(double east_m, double lat = 38.0) {
    return east_m >= 0 ? geo::destination({127.0, lat}, 90.0, Meters{east_m}) : geo::destination({127.0, lat}, 270.0, Meters{-east_m});
}

struct Fix {
    GeoPoint p;
    double seconds; ///< after t0
    double altitude = 1000.0;
    double error = 0.0;
};

FlightTrack track(const std::string& id, const std::string& category, const std::vector<Fix>& fixes, const std::string& party = "PRK") {
    FlightTrack t;
    t.flight_id = id;
    t.party = party;
    t.category = category;
    t.origin = SourceRef{"tracks.csv", "", "2", 0};
    for (std::size_t i = 0; i < fixes.size(); ++i) {
        TrackPoint p;
        p.time = UtcTime{t0.ms + static_cast<std::int64_t>(std::llround(fixes[i].seconds * 1000.0))};
        p.position = fixes[i].p;
        p.altitude = Meters{fixes[i].altitude};
        p.position_error = Meters{fixes[i].error};
        p.source_position = "line " + std::to_string(i + 2);
        t.points.push_back(p);
    }
    return t;
}

std::vector<Finding> run(const Harness& h, const std::vector<FlightTrack>& tracks, Interval period = {}) {
    std::vector<ImageRecord> images;
    std::vector<PlannedRoute> routes;
    auto out = fusion::evaluate_imagery(h.regime, fusion::ImageryRecords{images, tracks, routes, period});
    return h.rendered(std::move(out.findings));
}

std::vector<Finding> of(const std::vector<Finding>& fs, const std::string& track) {
    std::vector<Finding> out;
    for (const auto& f : fs)
        if (f.evidence.at(0).record_id == track) out.push_back(f);
    return out;
}

double ms_after_t0(UtcTime t) {
    return static_cast<double>(t.ms - t0.ms);
}

const std::string cma = R"([[rules]]
id = "nfz"
type = "airspace"
article = "CMA (2018) art. 1 3"
line = "L"
split_at = [127.0, 38.0]
width_km = { fixed_wing = [20, 40], rotary_wing = 10, uav = [10, 15], balloon = 25 }
)";

std::vector<ReferenceLine> meridian() {
    return {test::line("L", "LINESTRING(127 37, 127 39)")};
}

} // namespace

TEST_CASE("airspace: a track grazing the band's edge, inside by 10 m and outside by 10 m", "[rules][airspace][limit]") {
    Harness h(cma, {}, meridian());
    // Rotary-wing: 10 km on both segments. Each track flies west from 30 km east to its turning
    // point, then back east, 60 s per leg, south of the split (lat 37.5).
    auto graze = [&](const std::string& id, double turn_m) {
        return track(id, "rotary_wing", {{east(30'000, 37.5), 0}, {east(turn_m, 37.5), 60}, {east(30'000, 37.5), 120}});
    };
    auto fs = run(h, {graze("in-10m", 9'990), graze("out-10m", 10'010), graze("in-1cm", 9'999.99)});
    auto in = of(fs, "in-10m");
    REQUIRE(in.size() == 1);
    CHECK(of(fs, "out-10m").empty());
    // One centimetre inside is still an incursion.
    REQUIRE(of(fs, "in-1cm").size() == 1);
    CHECK(of(fs, "in-1cm")[0].measured == Approx(0.00001).margin(1e-7));

    const Finding& f = in[0];
    CHECK(f.kind == FindingKind::violation);
    CHECK(f.certainty == Certainty::certain);
    CHECK(f.target_id == "L");
    CHECK(f.party == "PRK");
    CHECK(f.equipment_class == "rotary_wing");
    CHECK(f.measured == Approx(0.010).margin(1e-6)); // km: 10 m, at the turning fix
    CHECK(f.limit == 10.0);
    // In at u = 20 000 / 20 010 of the first leg, out as far into the second.
    const double entry = 60'000.0 * 20'000.0 / 20'010.0, exit = 60'000.0 + 60'000.0 * 10.0 / 20'010.0;
    CHECK(ms_after_t0(f.span.from) == Approx(entry).margin(1.0));
    CHECK(ms_after_t0(f.span.to) - 1 == Approx(exit).margin(1.0));
    CHECK(f.evidence.size() == 1);
    CHECK(f.evidence[0].record_kind == "flight");
    CHECK(f.evidence[0].source_position == "line 2-line 4");
    CHECK(f.explanation.find("rotary_wing of PRK in-10m flew in the no-fly zone within 10.0 km of L from 2027-03-04T10:00:59.971Z to "
                             "2027-03-04T10:01:00.029Z (for 0 s), up to 10 m inside") != std::string::npos);
}

TEST_CASE("airspace: a leg crossing the band between two fixes outside it", "[rules][airspace][limit]") {
    Harness h(cma, {}, meridian());
    // From 20 km east to 20 km west in 400 s, both fixes outside the 10 km band.
    auto fs = run(h, {track("across", "rotary_wing", {{east(20'000, 37.5), 0}, {east(-20'000, 37.5), 400}})});
    REQUIRE(fs.size() == 1);
    CHECK(fs[0].certainty == Certainty::certain);
    CHECK(ms_after_t0(fs[0].span.from) == Approx(100'000.0).margin(1.0)); // 10 km of 40 km
    CHECK(ms_after_t0(fs[0].span.to) - 1 == Approx(300'000.0).margin(1.0));
    CHECK(fs[0].measured == Approx(10.0).margin(1e-6)); // over the line itself
    CHECK(fs[0].location.x() == Approx(127.0).margin(1e-7));
    CHECK(fs[0].evidence[0].source_position == "line 2-line 3");
    CHECK(fs[0].explanation.find("(for 3 min 20 s)") != std::string::npos);
}

TEST_CASE("airspace: widths by category and by the segment either side of the split", "[rules][airspace][limit]") {
    Harness h(cma, {}, meridian());
    // Single fixes (an incursion of no duration) 30 km east: outside the western (southern) 20 km
    // band, inside the eastern (northern) 40 km one; 12 km east: inside the UAVs' 15 km band, not
    // their 10 km one.
    std::vector<FlightTrack> ts = {
        track("fw-south", "fixed_wing", {{east(30'000, 37.5), 0}}), track("fw-north", "fixed_wing", {{east(30'000, 38.5), 0}}),
        track("uav-south", "uav", {{east(12'000, 37.5), 0}}),       track("uav-north", "uav", {{east(12'000, 38.5), 0}}),
        track("balloon", "balloon", {{east(24'999, 37.5), 0}}),     track("unknown-category", "", {{east(100, 37.5), 0}}),
    };
    auto fs = run(h, ts);
    CHECK(of(fs, "fw-south").empty());
    REQUIRE(of(fs, "fw-north").size() == 1);
    CHECK(of(fs, "fw-north")[0].limit == 40.0);
    CHECK(of(fs, "fw-north")[0].measured == Approx(10.0).margin(1e-6));
    CHECK(of(fs, "uav-south").empty());
    REQUIRE(of(fs, "uav-north").size() == 1);
    CHECK(of(fs, "uav-north")[0].limit == 15.0);
    REQUIRE(of(fs, "balloon").size() == 1);
    CHECK(of(fs, "balloon")[0].measured == Approx(0.001).margin(1e-6));
    CHECK(of(fs, "unknown-category").empty()); // a band applies to the categories it gives widths for
    CHECK(of(fs, "fw-north")[0].span.to.ms == of(fs, "fw-north")[0].span.from.ms + 1);
}

TEST_CASE("airspace: zones with an altitude floor and ceiling", "[rules][airspace][limit]") {
    Harness h(R"([[rules]]
id = "r1"
type = "airspace"
zones = ["R-1"]
categories = ["uav", "fixed_wing"]
floor_m = 1000
ceiling_m = 5000
)",
              {test::zone("R-1", "POLYGON((126.9 37.9, 127.1 37.9, 127.1 38.1, 126.9 38.1, 126.9 37.9))", "restricted_airspace")}, {});
    auto across = [&](const std::string& id, double alt0, double alt1, const std::string& category = "uav") {
        return track(id, category, {{east(-30'000), 0, alt0}, {east(30'000), 600, alt1}});
    };
    // The box spans about ±8.8 km of 127°E at 38°N; the legs cross it level, or climbing from 0 to
    // 2000 m (above the floor from u = 0.5 on, at the meridian).
    auto fs = run(h, {across("below", 999, 999), across("at-floor", 1000, 1000), across("above-ceiling", 5001, 5001), across("climbing", 0, 2000),
                      across("rotary", 2000, 2000, "rotary_wing")});
    CHECK(of(fs, "below").empty());
    CHECK(of(fs, "above-ceiling").empty());
    CHECK(of(fs, "rotary").empty()); // not among the rule's categories
    REQUIRE(of(fs, "at-floor").size() == 1);
    const Finding& climb = of(fs, "climbing").at(0);
    CHECK(ms_after_t0(climb.span.from) == Approx(300'000.0).margin(1.0)); // reaches 1000 m half-way, over 127°E
    CHECK(climb.target_id == "R-1");
    CHECK(climb.limit == 0.0);
    CHECK(climb.explanation.find("flew in R-1 between 1000 m and 5000 m") != std::string::npos);
    // The level crossing enters and leaves at the box's edges, symmetric about 127°E.
    const Finding& level = of(fs, "at-floor")[0];
    const double edge_m = geo::distance({127.0, 38.0}, {127.1, 38.0}).value;
    CHECK(ms_after_t0(level.span.from) == Approx(300'000.0 * (30'000.0 - edge_m) / 30'000.0).margin(100.0));
    CHECK(level.measured == Approx(edge_m / 1000.0).margin(0.05));
}

TEST_CASE("airspace: certainty from the fixes' position errors", "[rules][airspace][limit]") {
    Harness h(cma, {}, meridian());
    auto graze = [&](const std::string& id, double turn_m, double error) {
        return track(id, "rotary_wing",
                     {{east(30'000, 37.5), 0, 1000, error}, {east(turn_m, 37.5), 60, 1000, error}, {east(30'000, 37.5), 120, 1000, error}});
    };
    auto fs = run(h, {graze("in-10-err-50", 9'990, 50), graze("out-10-err-50", 10'010, 50), graze("out-100-err-50", 10'100, 50),
                      graze("in-100-err-50", 9'900, 50)});
    REQUIRE(of(fs, "in-10-err-50").size() == 1);
    CHECK(of(fs, "in-10-err-50")[0].certainty == Certainty::possible);
    REQUIRE(of(fs, "in-100-err-50").size() == 1);
    CHECK(of(fs, "in-100-err-50")[0].certainty == Certainty::certain);
    // Outside by less than its error: it may have entered.
    REQUIRE(of(fs, "out-10-err-50").size() == 1);
    CHECK(of(fs, "out-10-err-50")[0].certainty == Certainty::possible);
    CHECK(of(fs, "out-10-err-50")[0].measured == Approx(-0.010).margin(1e-6));
    CHECK(of(fs, "out-10-err-50")[0].explanation.find("came within its position error of the no-fly zone") != std::string::npos);
    CHECK(of(fs, "out-100-err-50").empty());
}

TEST_CASE("airspace: validity, the run period, parties and waivers", "[rules][airspace]") {
    Harness h(R"([[rules]]
id = "nfz"
type = "airspace"
line = "L"
width_km = { rotary_wing = 10 }
parties = ["PRK"]
valid_from = "2027-03-04T10:02:00Z"
[[rules.waivers]]
id = "medevac"
parties = ["PRK"]
valid_from = "2027-03-05T00:00:00Z"
valid_to = "2027-03-06T00:00:00Z"
basis = "emergency flight notified in advance"
)",
              {}, meridian());
    auto across = [&](const std::string& id, double start_s, const std::string& party = "PRK") {
        return track(id, "rotary_wing", {{east(20'000, 37.5), start_s}, {east(-20'000, 37.5), start_s + 400}}, party);
    };
    auto fs = run(h, {across("clipped", 0), across("kor", 0, "KOR"), across("waived", 86'400), across("unknown-party", 0, "")});
    CHECK(of(fs, "kor").empty());
    REQUIRE(of(fs, "clipped").size() == 1);
    CHECK(of(fs, "clipped")[0].span.from == *parse_utc("2027-03-04T10:02:00Z")); // in from 10:01:40, the rule from 10:02
    CHECK(ms_after_t0(of(fs, "clipped")[0].span.to) - 1 == Approx(300'000.0).margin(1.0));
    REQUIRE(of(fs, "waived").size() == 1);
    CHECK(of(fs, "waived")[0].kind == FindingKind::exempted);
    CHECK(of(fs, "waived")[0].waiver_id == "medevac");
    CHECK(of(fs, "unknown-party").size() == 1); // an unknown party may be any of them

    // The run's period clips too.
    auto period = run(h, {across("clipped", 0)}, Interval{t0, *parse_utc("2027-03-04T10:04:00Z")});
    REQUIRE(period.size() == 1);
    CHECK(ms_after_t0(period[0].span.to) == 240'000);
}

TEST_CASE("airspace: findings are identical for any number of threads", "[rules][airspace]") {
    Harness h(cma, {}, meridian());
    std::vector<FlightTrack> ts;
    for (int i = 0; i < 40; ++i) {
        const double lat = 37.1 + 0.045 * i;
        ts.push_back(track("t" + std::to_string(100 + i), i % 2 ? "fixed_wing" : "uav",
                           {{east(50'000, lat), 0}, {east(-50'000 + 100.0 * i, lat), 900}, {east(5'000 * i, lat), 1500}}));
    }
    auto with = [&](int threads) {
        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
        return run(h, ts);
    };
    auto one = with(1), two = with(2);
    REQUIRE(one.size() >= 40);
    REQUIRE(one.size() == two.size());
    for (std::size_t i = 0; i < one.size(); ++i) {
        CHECK(one[i].id == two[i].id);
        CHECK(one[i].explanation == two[i].explanation);
        CHECK(one[i].measured == two[i].measured);
        CHECK(one[i].span == two[i].span);
    }
}

TEST_CASE("airspace: regime errors", "[rules][airspace][regime]") {
    auto error_of = [](const std::string& rules) {
        try {
            fusion::parse_regime(test::regime_text(rules), "r.toml");
        } catch (const InputError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    const std::string head = "[[rules]]\nid = \"a\"\ntype = \"airspace\"\n";
    CHECK(error_of(head + "line = \"L\"\nzones = [\"Z\"]\nwidth_km = { uav = 10 }\n").find("a line (a band) or zones, not both") !=
          std::string::npos);
    CHECK(error_of(head + "line = \"L\"\nwidth_km = { drone = 10 }\n").find("unknown aircraft category 'drone'") != std::string::npos);
    CHECK(error_of(head + "line = \"L\"\nwidth_km = { uav = [10, 15] }\n").find("two widths need split_at") != std::string::npos);
    CHECK(error_of(head + "line = \"L\"\n").find("width per category") != std::string::npos);
    CHECK(error_of(head + "line = \"L\"\nwidth_km = { uav = -1 }\n").find("not a width in km") != std::string::npos);
    CHECK(error_of(head + "zones = [\"Z\"]\nfloor_m = 500\nceiling_m = 100\n").find("the ceiling is below the floor") != std::string::npos);
    CHECK(error_of(head + "zones = [\"Z\"]\nclasses = [\"battle_tank\"]\n").find("scoped by aircraft category") != std::string::npos);
    CHECK(error_of(head + "line = \"L\"\nwidth_km = { uav = 10 }\n").empty());
    // A marker far from the line fails at bind.
    CHECK_THROWS_WITH(Harness(head + "line = \"L\"\nsplit_at = [128.0, 38.0]\nwidth_km = { uav = [10, 15] }\n", {}, meridian()),
                      Catch::Contains("split_at lies more than 10 km from line 'L'"));
}
