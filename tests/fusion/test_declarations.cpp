// Declarations and fusion: de-duplication, noisy-OR confidence, declaration matching (every
// outcome, ties, tolerance edges, validity windows) and activity notification thresholds — each
// asserted on the findings a regime produces.
#include "fusion/confidence.hpp"
#include "fusion/declared_area.hpp"
#include "fusion/dedup.hpp"
#include "fusion/fusion_inputs.hpp"
#include "fusion/image_coverage.hpp"
#include "geo/geodesic.hpp"
#include "tests/fusion/fusion_fixtures.hpp"

#include <boost/geometry.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <random>

using namespace avf;
using namespace avf::fusion;
using avf::test::declaration;
using avf::test::detection;

namespace {

const GeoPoint k_base{26.0, 53.1};

GeoPoint at(double km_east, double km_north = 0.0) {
    GeoPoint p = geo::destination(k_base, 90.0, kilometers(km_east));
    return km_north == 0.0 ? p : geo::destination(p, 0.0, kilometers(km_north));
}

ImageRecord image(const std::string& id, const MultiPolygon& footprint, const std::string& when, double gsd_m) {
    ImageRecord im;
    im.id = ImageId{id};
    im.acquisition = Interval{*parse_utc(when), *parse_utc(when)};
    im.footprint = footprint;
    im.gsd = Meters{gsd_m};
    return im;
}

MultiPolygon box_around(GeoPoint c, double half_deg) {
    Polygon p;
    boost::geometry::read_wkt(
        fmt::format("POLYGON(({0} {1},{2} {1},{2} {3},{0} {3},{0} {1}))", c.x() - half_deg, c.y() - half_deg, c.x() + half_deg, c.y() + half_deg), p);
    boost::geometry::correct(p);
    return MultiPolygon{p};
}

struct Fusion {
    test::Harness h;
    std::vector<Declaration> declarations;
    FusionInputs inputs;
    explicit Fusion(const std::string& rules) : h(rules, {}, {}) {}
    std::vector<Finding> run(std::vector<Detection> ds, const CoverageQuery* coverage = nullptr, std::size_t batch = 1000) {
        inputs.declarations = &declarations;
        inputs.dedup = &h.regime.dedup;
        inputs.coverage = coverage;
        h.evaluator->attach(inputs);
        return h.run(std::move(ds), batch);
    }
};

std::vector<const Finding*> with(const std::vector<Finding>& fs, const std::string& sub) {
    std::vector<const Finding*> out;
    for (const auto& f : fs)
        if (f.explanation.rfind(sub, 0) == 0) out.push_back(&f);
    return out;
}

const std::string k_match = R"(
[dedup]
distance_m = 200
time = "PT2H"

[[rules]]
id = "decl"
type = "declaration_match"
article = "test art. 8"
classes = ["battle_tank"]
tolerance_m = 500
count_tolerance = 0.1
)";

} // namespace

TEST_CASE("confidence: noisy-OR over independent sources, the best item per source") {
    auto s = combine_confidence({{"imagery", 0.8}, {"imagery", 0.7}, {"inspection", 0.8}});
    CHECK(s.sources == 2);
    CHECK(s.confidence == Approx(0.96));
    CHECK(describe(s) == "confidence 0.96 from 2 independent sources (imagery, inspection)");
    CHECK(combine_confidence({{"imagery", 0.7}}).confidence == Approx(0.7));
    CHECK(combine_confidence({}).confidence == 0.0);
}

TEST_CASE("dedup: same object from two images and two sources merges, never across classes, parties or within one image") {
    DedupPolicy policy;
    policy.fallback = DedupTolerance{Meters{200.0}, Duration{2 * 3'600'000}};
    auto s = [](const std::string& id, GeoPoint p, const std::string& cls, const std::string& party, const std::string& time,
                const std::string& source, const std::string& image, std::int64_t count = 3) {
        Detection d = detection(id, p, cls, count, 0.0, time, party);
        d.source = source;
        d.source_record = image;
        d.confidence = 0.8;
        return Sighting::of(d);
    };
    std::vector<Sighting> in = {
        s("A", at(0), "battle_tank", "PRK", "2027-03-04T10:00:00Z", "imagery", "IMG-1"),
        s("B", at(0.15), "battle_tank", "PRK", "2027-03-04T11:00:00Z", "imagery", "IMG-2", 4), // same object, other image
        s("C", at(0.1), "battle_tank", "PRK", "2027-03-04T11:30:00Z", "inspection", ""),       // same, other source
        s("D", at(0.5), "battle_tank", "PRK", "2027-03-04T10:00:00Z", "imagery", "IMG-1"),     // same image: another object
        s("H", at(0), "battle_tank", "PRK", "2027-03-04T10:00:00Z", "imagery", "IMG-1"),       // A's image, A's place: another object
        s("E", at(0), "artillery", "PRK", "2027-03-04T10:00:00Z", "imagery", "IMG-1"),         // other class
        s("F", at(0), "battle_tank", "KOR", "2027-03-04T10:00:00Z", "imagery", "IMG-3"),       // other party
        s("G", at(0), "battle_tank", "PRK", "2027-03-04T12:00:01Z", "imagery", "IMG-4"),       // 1 s past the time tolerance
    };
    auto obs = deduplicate(in, policy);
    REQUIRE(obs.size() == 6); // {A, B, C} (B and C equally near A and H: the first opened), H, D, E, F, G
    const MergedObservation* merged = nullptr;
    for (const auto& o : obs)
        if (o.members.front().id == "A") merged = &o;
    REQUIRE(merged);
    REQUIRE(merged->members.size() == 3);
    CHECK(merged->members[1].id == "B");
    CHECK(merged->members[2].id == "C");
    CHECK(merged->count == 4);
    CHECK(merged->support.sources == 2);
    CHECK(merged->support.confidence == Approx(0.96));

    // Any input order gives the same observations.
    std::mt19937 rng(7);
    for (int k = 0; k < 5; ++k) {
        std::shuffle(in.begin(), in.end(), rng);
        auto again = deduplicate(in, policy);
        REQUIRE(again.size() == obs.size());
        for (std::size_t i = 0; i < obs.size(); ++i) {
            REQUIRE(again[i].members.size() == obs[i].members.size());
            for (std::size_t m = 0; m < obs[i].members.size(); ++m) CHECK(again[i].members[m].id == obs[i].members[m].id);
        }
    }
}

TEST_CASE("dedup: observations come out in sighting_order, whatever the input order") {
    // Classes, parties, times, ids and files that tie in every prefix of the key (never in all of
    // it: no two records share a file and a line). Each sighting is its own observation (distinct
    // places, no tolerance), so the anchors must come out as sighting_order sorts them.
    std::vector<Sighting> in;
    std::mt19937 rng(11);
    const std::vector<std::string> classes = {"a", "ab", "b"}, parties = {"", "A", "AB", "B"}, ids = {"X1", "X10", "X2"},
                                   files = {"f.csv", "f.csv2", "g.csv"};
    for (int k = 0; k < 400; ++k) {
        Detection d = detection(ids[rng() % 3], at(0.01 * k), classes[rng() % 3], 1, 0.0, k % 2 ? "2027-03-04T10:00:00Z" : "2027-03-04T09:00:00Z",
                                parties[rng() % 4]);
        d.origin = SourceRef{files[rng() % 3], "", std::to_string(rng() % 5) + "-" + std::to_string(k), 0}; // no two alike
        in.push_back(Sighting::of(d));
    }
    std::vector<Sighting> expected = in;
    std::sort(expected.begin(), expected.end(), sighting_order);
    std::shuffle(in.begin(), in.end(), rng);
    auto obs = deduplicate(in, DedupPolicy{});
    REQUIRE(obs.size() == expected.size());
    for (std::size_t i = 0; i < obs.size(); ++i) {
        REQUIRE(obs[i].members.size() == 1);
        INFO(i);
        CHECK(obs[i].members[0].position.x() == expected[i].position.x());
    }
}

TEST_CASE("dedup: exactly at the distance tolerance merges, a metre beyond does not") {
    DedupPolicy policy;
    policy.per_class["battle_tank"] = DedupTolerance{Meters{200.0}, Duration{3'600'000}};
    auto make = [](const std::string& id, GeoPoint p) {
        Detection d = detection(id, p, "battle_tank");
        d.source_record = id;
        return Sighting::of(d);
    };
    const GeoPoint edge = geo::destination(k_base, 90.0, Meters{200.0});
    CHECK(deduplicate({make("A", k_base), make("B", edge)}, policy).size() == 1);
    const GeoPoint beyond = geo::destination(k_base, 90.0, Meters{201.0});
    CHECK(deduplicate({make("A", k_base), make("B", beyond)}, policy).size() == 2);
    CHECK(deduplicate({make("A", k_base), make("B", edge)}, DedupPolicy{}).size() == 2); // default: identical only
}

TEST_CASE("declaration_match: exact, undeclared, count mismatch both ways, unverifiable without imagery") {
    Fusion fx(k_match);
    fx.declarations = {
        declaration("DEC-EXACT", "battle_tank", 10, at(0), 1000), declaration("DEC-OVER", "battle_tank", 20, at(20), 1000), // over-declared: 12 seen
        declaration("DEC-UNDER", "battle_tank", 5, at(40), 1000),                                                           // under-declared: 9 seen
        declaration("DEC-NONE", "battle_tank", 8, at(60), 1000), // nothing seen, no imagery
        declaration("DEC-ART", "artillery", 8, at(80), 1000),    // outside the rule's classes: ignored
    };
    std::vector<Detection> ds = {
        detection("T1", at(0.2), "battle_tank", 6), detection("T2", at(0.5), "battle_tank", 4), detection("T3", at(20.1), "battle_tank", 12),
        detection("T4", at(40), "battle_tank", 9),  detection("T5", at(100), "battle_tank", 3), // nowhere declared
    };
    for (auto& d : ds) d.source_record = d.id.str();
    auto fs = fx.run(ds);

    auto undeclared = with(fs, "undeclared");
    REQUIRE(undeclared.size() == 1);
    CHECK(undeclared[0]->kind == FindingKind::discrepancy);
    CHECK(undeclared[0]->measured == 3);
    CHECK(undeclared[0]->evidence.at(0).record_id == "T5");
    CHECK(undeclared[0]->explanation.find(fmt::format("confidence {:.2f}", undeclared[0]->confidence)) != std::string::npos);

    auto mismatch = with(fs, "count mismatch");
    REQUIRE(mismatch.size() == 2);
    const Finding* over = mismatch[0]->target_id == "DEC-OVER" ? mismatch[0] : mismatch[1];
    const Finding* under = mismatch[0]->target_id == "DEC-UNDER" ? mismatch[0] : mismatch[1];
    CHECK(over->measured == 12);
    CHECK(over->limit == 20);
    CHECK(over->certainty == Certainty::possible); // fewer seen, and no imagery to say all was seen
    CHECK(under->measured == 9);
    CHECK(under->limit == 5);
    CHECK(under->certainty == Certainty::certain);
    CHECK(under->evidence.at(0).record_kind == "declaration");
    CHECK(under->evidence.at(0).record_id == "DEC-UNDER");

    auto unverifiable = with(fs, "unverifiable");
    REQUIRE(unverifiable.size() == 1);
    CHECK(unverifiable[0]->target_id == "DEC-NONE");
    CHECK(unverifiable[0]->kind == FindingKind::unverifiable);
    CHECK(fs.size() == 4); // DEC-EXACT confirmed: no finding

    // The same findings for any batching (threads) and input order.
    std::mt19937 rng(11);
    for (std::size_t batch : {1, 2, 3}) {
        auto shuffled = ds;
        std::shuffle(shuffled.begin(), shuffled.end(), rng);
        Fusion again(k_match);
        again.declarations = fx.declarations;
        std::reverse(again.declarations.begin(), again.declarations.end());
        auto fs2 = again.run(shuffled, nullptr, batch);
        REQUIRE(fs2.size() == fs.size());
        for (std::size_t i = 0; i < fs.size(); ++i) {
            CHECK(fs2[i].id == fs[i].id);
            CHECK(fs2[i].explanation == fs[i].explanation);
        }
    }
}

TEST_CASE("declaration_match: unconfirmed only where the declared place was imaged adequately, coverage gap otherwise") {
    Fusion fx(k_match);
    fx.declarations = {declaration("DEC-IMAGED", "battle_tank", 8, at(0), 1000), declaration("DEC-HALF", "battle_tank", 8, at(50), 1000)};
    const GeoPoint c = at(50);
    Polygon half;
    boost::geometry::read_wkt(fmt::format("POLYGON(({0} {1},{2} {1},{2} {3},{0} {3},{0} {1}))", c.x(), c.y() - 0.05, c.x() + 0.05, c.y() + 0.05),
                              half);
    boost::geometry::correct(half);
    std::vector<ImageRecord> images = {
        image("IMG-A", box_around(at(0), 0.05), "2027-03-10T10:00:00Z", 0.5), image("IMG-B", MultiPolygon{half}, "2027-03-10T10:00:00Z", 0.5),
        image("IMG-C", box_around(at(50), 0.05), "2027-03-10T10:00:00Z", 5.0), // too coarse to count
        image("IMG-D", box_around(at(50), 0.05), "2027-04-10T10:00:00Z", 0.5), // after the declaration
    };
    ImageCoverage coverage(images);
    auto fs = fx.run({}, &coverage);
    auto unconfirmed = with(fs, "unconfirmed");
    REQUIRE(unconfirmed.size() == 1);
    CHECK(unconfirmed[0]->target_id == "DEC-IMAGED");
    CHECK(unconfirmed[0]->kind == FindingKind::discrepancy);
    CHECK(unconfirmed[0]->measured == 0);
    CHECK(unconfirmed[0]->limit == 8);
    auto gap = with(fs, "coverage gap");
    REQUIRE(gap.size() == 1);
    CHECK(gap[0]->target_id == "DEC-HALF");
    CHECK(gap[0]->kind == FindingKind::coverage_gap);
}

TEST_CASE("declaration_match: tolerance edge, validity window edges, party and the tie-break") {
    SECTION("radius + tolerance is inclusive") {
        Fusion fx(k_match);
        fx.declarations = {declaration("D", "battle_tank", 1, k_base, 1000)};
        const GeoPoint edge = geo::destination(k_base, 45.0, Meters{1500.0});
        const GeoPoint beyond = geo::destination(k_base, 45.0, Meters{1501.0});
        CHECK(fx.run({detection("IN", edge, "battle_tank")}).empty());
        Fusion fy(k_match);
        fy.declarations = fx.declarations;
        auto fs = fy.run({detection("OUT", beyond, "battle_tank")});
        CHECK(with(fs, "undeclared").size() == 1);
        CHECK(with(fs, "unverifiable").size() == 1);
    }
    SECTION("valid_from inclusive, valid_to exclusive") {
        Fusion fx(k_match);
        fx.declarations = {declaration("D", "battle_tank", 1, k_base, 1000, "2027-03-04T10:00:00Z", "2027-03-05T10:00:00Z")};
        CHECK(fx.run({detection("FIRST", k_base, "battle_tank", 1, 0.0, "2027-03-04T10:00:00Z")}).empty());
        Fusion fy(k_match);
        fy.declarations = fx.declarations;
        auto fs = fy.run({detection("LATE", k_base, "battle_tank", 1, 0.0, "2027-03-05T10:00:00Z")});
        CHECK(with(fs, "undeclared").size() == 1);
    }
    SECTION("another party's declaration does not cover; an unknown party may match any") {
        Fusion fx(k_match);
        fx.declarations = {declaration("D", "battle_tank", 2, k_base, 1000, "2027-03-01", "2027-04-01", "deployment", "KOR")};
        auto fs = fx.run({detection("P", k_base, "battle_tank", 1, 0.0, "2027-03-04T10:00:00Z", "PRK"),
                          detection("U", k_base, "battle_tank", 1, 0.0, "2027-03-04T10:00:00Z", "")});
        auto undeclared = with(fs, "undeclared");
        REQUIRE(undeclared.size() == 1);
        CHECK(undeclared[0]->evidence.at(0).record_id == "P");
    }
    SECTION("equal distances: the declaration with the smaller id is used first") {
        Fusion fx(k_match);
        fx.declarations = {declaration("D-B", "battle_tank", 1, at(1), 2000), declaration("D-A", "battle_tank", 1, at(1), 2000)};
        auto fs = fx.run({detection("X", k_base, "battle_tank", 1)});
        auto none = with(fs, "unverifiable");
        REQUIRE(none.size() == 1);
        CHECK(none[0]->target_id == "D-B"); // D-A took the item
    }
}

namespace {
const std::string k_notify = R"(
[dedup]
distance_m = 100
time = "PT1H"

[[rules]]
id = "vd11"
type = "notification"
article = "Vienna Document 2011 ch. V"
classes = ["troops", "battle_tank"]
notify = { troops = 9000, battle_tank = 250 }
observe = { troops = 13000, battle_tank = 300 }
lead_time = "P42D"
cluster_distance_km = 30
cluster_gap = "P2D"
window = "P1D"
)";

// `units` groups of `per_unit` troops spread 2 km apart, seen on `day`.
std::vector<Detection> troops(const std::string& prefix, int units, std::int64_t per_unit, const std::string& day, double km_east = 0.0) {
    std::vector<Detection> out;
    for (int i = 0; i < units; ++i) {
        Detection d = detection(prefix + std::to_string(i), at(km_east + 2.0 * i), "troops", per_unit, 0.0, day + "T09:00:00Z");
        d.source_record = prefix + "-IMG";
        out.push_back(d);
    }
    return out;
}
} // namespace

TEST_CASE("notification: declared 12,700 troops, observed above 13,000 — under-declared below the observation threshold") {
    Fusion fx(k_notify);
    Declaration d = declaration("NOT-1", "troops", 12'700, at(5), 20'000, "2027-03-10", "2027-03-20", "exercise");
    d.notified = *parse_utc("2027-01-20");
    fx.declarations = {d};
    auto ds = troops("A", 7, 1'920, "2027-03-12");   // 13,440 on the 12th
    auto more = troops("B", 6, 1'500, "2027-03-13"); // 9,000 the next day: the peak stays 13,440
    ds.insert(ds.end(), more.begin(), more.end());
    auto fs = fx.run(ds);
    REQUIRE(fs.size() == 1);
    CHECK(fs[0].kind == FindingKind::discrepancy);
    CHECK(fs[0].measured == 13'440);
    CHECK(fs[0].limit == 13'000);
    CHECK(fs[0].target_id == "NOT-1");
    CHECK(fs[0].explanation.find("observation threshold") != std::string::npos);
    CHECK(std::any_of(fs[0].evidence.begin(), fs[0].evidence.end(),
                      [](const Evidence& e) { return e.record_kind == "declaration" && e.record_id == "NOT-1"; }));
}

TEST_CASE("notification: strength is the peak per day, never a sum over days, thresholds reached at the value") {
    SECTION("3 days of 5,000 troops: 5,000, not 15,000") {
        Fusion fx(k_notify);
        std::vector<Detection> ds;
        for (const char* day : {"2027-03-10", "2027-03-11", "2027-03-12"}) {
            auto t = troops(std::string("D") + day, 5, 1'000, day);
            ds.insert(ds.end(), t.begin(), t.end());
        }
        CHECK(fx.run(ds).empty());
    }
    SECTION("exactly 9,000 troops and no notification: not notified") {
        Fusion fx(k_notify);
        auto fs = fx.run(troops("N", 9, 1'000, "2027-03-10"));
        REQUIRE(fs.size() == 1);
        CHECK(fs[0].kind == FindingKind::violation);
        CHECK(fs[0].measured == 9'000);
        CHECK(fs[0].limit == 9'000);
        CHECK(fs[0].explanation.rfind("not notified", 0) == 0);
    }
    SECTION("8,999 troops: below the threshold") {
        Fusion fx(k_notify);
        auto ds = troops("N", 8, 1'000, "2027-03-10");
        ds.push_back(detection("N-last", at(40), "troops", 999, 0.0, "2027-03-10T09:00:00Z")); // 40 km east: within 30 km of N7 at 14 km
        ds.back().source_record = "N-IMG";
        auto fs = fx.run(ds);
        CHECK(fs.empty());
    }
    SECTION("two groups 100 km apart are two activities") {
        Fusion fx(k_notify);
        auto a = troops("W", 5, 1'000, "2027-03-10");
        auto b = troops("E", 5, 1'000, "2027-03-10", 100.0);
        a.insert(a.end(), b.begin(), b.end());
        CHECK(fx.run(a).empty());
    }
}

TEST_CASE("notification: late notification against the lead time") {
    Fusion fx(k_notify);
    Declaration d = declaration("NOT-2", "troops", 10'000, at(5), 20'000, "2027-03-10", "2027-03-20", "notification");
    d.notified = *parse_utc("2027-02-20"); // 18 days before
    fx.declarations = {d};
    auto fs = fx.run(troops("L", 5, 2'000, "2027-03-12"));
    auto late = with(fs, "late notification");
    REQUIRE(late.size() == 1);
    CHECK(late[0]->kind == FindingKind::violation);
    CHECK(late[0]->unit == "days");
    CHECK(late[0]->limit == 42);
    CHECK(late[0]->measured == Approx(20.375));
    CHECK(with(fs, "under-declared").empty());
}

TEST_CASE("fusion rules without declarations given: one unverifiable finding each, not a wall of undeclared items") {
    test::Harness h(k_match + k_notify.substr(k_notify.find("[[rules]]")), {}, {});
    auto fs = h.run({detection("T", k_base, "battle_tank", 3)});
    REQUIRE(fs.size() == 2);
    for (const auto& f : fs) {
        CHECK(f.kind == FindingKind::unverifiable);
        CHECK(f.explanation.find("no declarations were given") != std::string::npos);
    }
}

TEST_CASE("windows longer than a day: the explanation names the day of the peak, not the window's start") {
    // 7-day windows are aligned to the epoch (a Thursday): the window holding 2027-03-06 starts
    // on 2027-03-04, before the declared period.
    SECTION("declaration_match") {
        Fusion fx("[[rules]]\nid = \"decl\"\ntype = \"declaration_match\"\nclasses = [\"battle_tank\"]\nwindow = \"P7D\"\n");
        fx.declarations = {declaration("D7", "battle_tank", 10, k_base, 5'000, "2027-03-05", "2027-03-10")};
        auto fs = fx.run({detection("T1", k_base, "battle_tank", 20, 0.0, "2027-03-06T10:00:00Z")});
        auto mismatch = with(fs, "count mismatch");
        REQUIRE(mismatch.size() == 1);
        INFO(mismatch[0]->explanation);
        CHECK(mismatch[0]->explanation.find("2027-03-04") == std::string::npos);
    }
    SECTION("notification") {
        std::string rules = k_notify;
        rules.replace(rules.find("window = \"P1D\""), 14, "window = \"P7D\"");
        Fusion fx(rules);
        auto fs = fx.run(troops("N", 9, 1'000, "2027-03-10"));
        REQUIRE(fs.size() == 1);
        INFO(fs[0].explanation);
        CHECK(fs[0].explanation.find("from 2027-03-10T") != std::string::npos); // the span of the peak, not of the window
        CHECK(fs[0].explanation.find("2027-03-04") == std::string::npos);
    }
    SECTION("a peak seen over several days names them") {
        Fusion fx("[[rules]]\nid = \"decl\"\ntype = \"declaration_match\"\nclasses = [\"battle_tank\"]\nwindow = \"P7D\"\n");
        fx.declarations = {declaration("D7", "battle_tank", 10, k_base, 5'000, "2027-03-05", "2027-03-10")};
        auto fs = fx.run({detection("T1", k_base, "battle_tank", 10, 0.0, "2027-03-06T10:00:00Z"),
                          detection("T2", at(1), "battle_tank", 10, 0.0, "2027-03-08T10:00:00Z")});
        auto mismatch = with(fs, "count mismatch");
        REQUIRE(mismatch.size() == 1);
    }
}

TEST_CASE("aggregation = period sums over the whole declared period or activity, window stays the default") {
    SECTION("notification: 3 days of 5,000 troops are 15,000 over the activity") {
        std::string rules = k_notify;
        rules.replace(rules.find("window = \"P1D\""), 14, "aggregation = \"period\"");
        Fusion fx(rules);
        std::vector<Detection> ds;
        for (const char* day : {"2027-03-10", "2027-03-11", "2027-03-12"}) {
            auto t = troops(std::string("D") + day, 5, 1'000, day);
            ds.insert(ds.end(), t.begin(), t.end());
        }
        auto fs = fx.run(ds);
        REQUIRE(fs.size() == 1);
        CHECK(fs[0].measured == 15'000);
        CHECK(fs[0].explanation.rfind("not notified", 0) == 0);
        CHECK(fs[0].explanation.find("not notified: 15000 troops") == 0); // the strength summed over the activity
    }
    SECTION("declaration_match: 6 tanks on each of two days against 10 declared for the period") {
        const std::string base = "[[rules]]\nid = \"decl\"\ntype = \"declaration_match\"\nclasses = [\"battle_tank\"]\ncount_tolerance_abs = 1\n";
        auto run = [&](const std::string& extra) {
            Fusion fx(base + extra);
            fx.declarations = {declaration("MOVE", "battle_tank", 10, k_base, 5'000, "2027-03-01", "2027-04-01", "movement")};
            return fx.run({detection("A", k_base, "battle_tank", 6, 0.0, "2027-03-05T10:00:00Z"),
                           detection("B", at(1), "battle_tank", 6, 0.0, "2027-03-06T10:00:00Z")});
        };
        auto by_day = run("");
        REQUIRE(by_day.size() == 1);
        CHECK(by_day[0].measured == 6); // the peak day: fewer than declared
        auto period = run("aggregation = \"period\"\n");
        REQUIRE(period.size() == 1);
        CHECK(period[0].measured == 12); // summed over the declared period: 2 more
    }
    SECTION("errors") {
        CHECK_THROWS_WITH(test::Harness("[[rules]]\nid = \"d\"\ntype = \"declaration_match\"\naggregation = \"period\"\nwindow = \"P1D\"\n", {}, {}),
                          Catch::Contains("takes no window"));
        CHECK_THROWS_WITH(test::Harness("[[rules]]\nid = \"d\"\ntype = \"declaration_match\"\naggregation = \"sum\"\n", {}, {}),
                          Catch::Contains("unknown aggregation 'sum'"));
    }
}

// At scale (issue 18 item 7) matching looks at the declared places near each observation
// (DeclaredAreaIndex) and links activities through an R-tree sweep: these pin down that nothing
// reachable is missed — across the antimeridian, in the bulge of a long geodesic edge, through an
// uncertainty disk — and that each citation and link is the one every pair would give.
namespace {

MultiPolygon polygon_wkt(const std::string& wkt) {
    Polygon p;
    boost::geometry::read_wkt(wkt, p);
    boost::geometry::correct(p);
    return MultiPolygon{p};
}

Declaration area_declaration(const std::string& id, const std::string& cls, std::int64_t quantity, const MultiPolygon& area) {
    Declaration d = declaration(id, cls, quantity, GeoPoint{0.0, 0.0}, 0.0);
    d.point_given = false;
    d.area = area;
    return d;
}

// The point halfway along the geodesic from a to b (north of the lon/lat chord at high latitudes).
GeoPoint geodesic_midpoint(const GeoPoint& a, const GeoPoint& b) {
    return geo::destination(a, geo::azimuth(a, b), Meters{geo::distance(a, b).value / 2.0});
}

} // namespace

TEST_CASE("DeclaredAreaIndex: names every place a point is within reach of (antimeridian, poles, long geodesic edges)") {
    std::vector<Declaration> ds = {
        declaration("P-ANTI", "battle_tank", 1, GeoPoint{179.995, 10.0}, 2'000),
        declaration("P-POLE", "battle_tank", 1, GeoPoint{30.0, 89.9}, 50'000),
        declaration("P-ZERO", "battle_tank", 1, GeoPoint{26.0, 53.1}, 0),
        declaration("P-BIG", "battle_tank", 1, GeoPoint{-20.0, -40.0}, 900'000),
        area_declaration("A-LONG", "battle_tank", 1, polygon_wkt("POLYGON((10 60,40 60,40 65,10 65,10 60))")),
        area_declaration("A-EAST", "battle_tank", 1, polygon_wkt("POLYGON((170 -5,180 -5,180 5,170 5,170 -5))")),
        area_declaration("A-HOLE", "battle_tank", 1, polygon_wkt("POLYGON((0 0,4 0,4 4,0 4,0 0),(1 1,3 1,3 3,1 3,1 1))")),
    };
    std::vector<DeclaredArea> places;
    for (const auto& d : ds) places.push_back(DeclaredArea::of(d, nullptr));
    const double tolerance_m = 500.0;
    DeclaredAreaIndex index;
    for (std::size_t k = 0; k < places.size(); ++k) index.add(k, places[k], places[k].reach(tolerance_m));
    index.build();

    // Points around every place (uniform azimuth, up to 1.5 × its size + 50 km away), the
    // midpoints of A-LONG's geodesic edges and points just past them, and each place's centre.
    std::vector<GeoPoint> points;
    std::mt19937 rng(2027);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (const auto& place : places) {
        Box b = place.reach_box(0.0);
        const double size_m = place.is_point ? place.radius_m : geo::distance(b.min_corner(), b.max_corner()).value;
        for (int k = 0; k < 400; ++k) points.push_back(geo::destination(place.centre, 360.0 * u(rng), Meters{(1.5 * size_m + 50'000.0) * u(rng)}));
        points.push_back(place.centre);
    }
    const GeoPoint top = geodesic_midpoint(GeoPoint{40, 65}, GeoPoint{10, 65});
    CHECK(top.y() > 65.7); // the edge bows ~85 km north of the parallel: outside the lon/lat polygon
    for (double north_m : {0.0, 400.0, 499.0, 501.0, 2'000.0}) points.push_back(geo::destination(top, 0.0, Meters{north_m}));
    points.push_back(GeoPoint{-179.999, 10.0}); // 0.6 km from P-ANTI across the antimeridian
    points.push_back(GeoPoint{-179.999, 0.0});  // 0.1 km from A-EAST's edge on 180
    points.push_back(GeoPoint{-150.0, 89.95});  // near P-POLE over the pole

    std::vector<std::size_t> near;
    std::size_t pairs_within = 0, named = 0;
    for (double extra_m : {0.0, 5'000.0}) {
        for (const GeoPoint& p : points) {
            index.near(p, extra_m, near);
            CHECK(std::is_sorted(near.begin(), near.end()));
            named += near.size();
            for (std::size_t k = 0; k < places.size(); ++k) {
                if (places[k].distance(p) > places[k].reach(tolerance_m) + extra_m) continue;
                ++pairs_within;
                INFO("place " << ds[k].id.str() << " point " << p.x() << " " << p.y() << " extra " << extra_m);
                CHECK(std::binary_search(near.begin(), near.end(), k));
            }
        }
    }
    CHECK(pairs_within > 1000);
    CHECK(named < 2 * points.size() * places.size() / 3); // it does prune
    index.near(GeoPoint{100.0, 30.0}, 0.0, near);
    CHECK(near.empty());
}

TEST_CASE("declaration_match: across the antimeridian, in a geodesic edge's bulge, through an uncertainty disk, excess cited once") {
    SECTION("a declared point on the other side of 180 degrees") {
        Fusion fx(k_match);
        fx.declarations = {declaration("D", "battle_tank", 1, GeoPoint{179.995, 10.0}, 1'000)};
        CHECK(fx.run({detection("X", GeoPoint{-179.999, 10.0}, "battle_tank")}).empty()); // 660 m away: matched
    }
    SECTION("on the geodesic edge of a declared area, north of its lon/lat outline") {
        const MultiPolygon area = polygon_wkt("POLYGON((10 60,40 60,40 65,10 65,10 60))");
        const GeoPoint top = geodesic_midpoint(GeoPoint{40, 65}, GeoPoint{10, 65});
        Fusion fx(k_match);
        fx.declarations = {area_declaration("D", "battle_tank", 2, area)};
        auto fs = fx.run({detection("ON", geo::destination(top, 0.0, Meters{450.0}), "battle_tank", 1),
                          detection("OFF", geo::destination(top, 0.0, Meters{600.0}), "battle_tank", 1, 0.0, "2027-03-04T13:00:00Z")});
        auto undeclared = with(fs, "undeclared");
        REQUIRE(undeclared.size() == 1);
        CHECK(undeclared[0]->evidence.at(0).record_id == "OFF");
        CHECK(undeclared[0]->certainty == Certainty::certain);
        auto mismatch = with(fs, "count mismatch");
        REQUIRE(mismatch.size() == 1); // 1 of 2 seen
        CHECK(mismatch[0]->measured == 1);
    }
    SECTION("an uncertainty disk reaching a declaration it does not match: undeclared, possible") {
        Fusion fx(k_match);
        fx.declarations = {declaration("D", "battle_tank", 1, k_base, 1'000)};
        const GeoPoint p = geo::destination(k_base, 200.0, Meters{1'800.0}); // 300 m past radius + tolerance
        auto fs = fx.run({detection("NEAR", p, "battle_tank", 1, 400.0)});
        auto undeclared = with(fs, "undeclared");
        REQUIRE(undeclared.size() == 1);
        CHECK(undeclared[0]->certainty == Certainty::possible);
        Fusion fy(k_match);
        fy.declarations = fx.declarations;
        auto far = with(fy.run({detection("NEAR", p, "battle_tank", 1, 250.0)}), "undeclared");
        REQUIRE(far.size() == 1);
        CHECK(far[0]->certainty == Certainty::certain);
    }
    SECTION("items beyond the declared quantity: excess at the nearest declaration, each sighting cited once") {
        Fusion fx(k_match);
        fx.declarations = {declaration("D", "battle_tank", 2, k_base, 5'000)};
        auto fs = fx.run({detection("A", at(0.5), "battle_tank", 1), detection("B", at(1.5), "battle_tank", 2),
                          detection("C", at(2.5), "battle_tank", 1)}); // A 1, B 1 + 1 excess, C 1 excess
        auto mismatch = with(fs, "count mismatch");
        REQUIRE(mismatch.size() == 1);
        CHECK(mismatch[0]->measured == 4);
        std::vector<std::string> cited;
        for (const auto& e : mismatch[0]->evidence) cited.push_back(e.record_id);
        CHECK(cited == std::vector<std::string>{"D", "A", "B", "C"});
    }
}

TEST_CASE("notification: activities are chains of links within the distance and the gap (inclusive), across the antimeridian too") {
    auto group = [](const std::string& id, GeoPoint p, std::int64_t n, const std::string& time) {
        Detection d = detection(id, p, "troops", n, 0.0, time);
        d.source_record = id;
        return d;
    };
    SECTION("A-B and B-C 25 km apart, A-C 50 km: one activity; exactly the gap later still linked, a second more not") {
        Fusion fx(k_notify);
        auto fs = fx.run({group("A", at(0), 4'000, "2027-03-10T09:00:00Z"), group("B", at(25), 4'000, "2027-03-10T09:00:00Z"),
                          group("C", at(50), 4'000, "2027-03-10T09:00:00Z"), group("E", at(50), 1'000, "2027-03-12T09:00:00Z"),
                          group("F", at(50), 9'500, "2027-03-14T09:00:01Z")});
        auto missing = with(fs, "not notified");
        REQUIRE(missing.size() == 2);
        std::sort(missing.begin(), missing.end(), [](const Finding* a, const Finding* b) { return a->measured > b->measured; });
        CHECK(missing[0]->measured == 12'000);
        CHECK(missing[0]->evidence.size() == 4); // its 4 sightings
        CHECK(missing[1]->measured == 9'500);
        CHECK(missing[1]->evidence.size() == 1);
    }
    SECTION("two groups either side of 180 degrees, 22 km apart") {
        Fusion fx(k_notify);
        auto fs = fx.run(
            {group("W", GeoPoint{179.9, 0.0}, 5'000, "2027-03-10T09:00:00Z"), group("E", GeoPoint{-179.9, 0.0}, 5'000, "2027-03-10T09:00:00Z")});
        auto missing = with(fs, "not notified");
        REQUIRE(missing.size() == 1);
        CHECK(missing[0]->measured == 10'000);
    }
}
