// What a regime may say and what the rules make of extreme inputs (issue 16): sums of counts
// never wrap, distances and durations are physical, party codes are declared and compared
// case-insensitively, and every value the store keeps in a fixed-width column fits it.
#include "core/store_limits.hpp"
#include "fusion/count_sum.hpp"
#include "fusion/parties.hpp"
#include "tests/fusion/fusion_fixtures.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <limits>

using namespace avf;
using test::declaration;
using test::detection;
using test::Harness;
using test::regime_text;

namespace {

constexpr std::int64_t big = std::numeric_limits<std::int64_t>::max();
const char* square = "POLYGON((127 38,128 38,128 39,127 39,127 38))";

std::string error_of(const std::string& text) {
    try {
        fusion::parse_regime(text, "r.toml");
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

std::vector<Finding> of_rule(const std::vector<Finding>& all, const std::string& rule) {
    std::vector<Finding> out;
    std::copy_if(all.begin(), all.end(), std::back_inserter(out), [&](const Finding& f) { return f.rule_id == rule; });
    return out;
}

} // namespace

// ---- item 1: sums of counts --------------------------------------------------------------------

TEST_CASE("CountSum saturates and says so, never wraps", "[regime][overflow]") {
    fusion::CountSum s;
    s += 44;
    s += big;
    s += big - 2;
    CHECK(s.overflowed());
    CHECK(s.value() == big);
    CHECK(s.exceeds(40));
    CHECK(s.exceeds(big));
    CHECK(fusion::format_count(s) == "more than 9223372036854775807");
    fusion::CountSum exact(40);
    CHECK_FALSE(exact.exceeds(40));
    CHECK(exact.reaches(40));
    CHECK(s.greater_than(exact));
    CHECK_FALSE(exact.greater_than(s));
    fusion::CountSum low(std::numeric_limits<std::int64_t>::min());
    low -= 1;
    CHECK(low.overflowed());
    CHECK_FALSE(low.exceeds(0));
    CHECK(fusion::format_count(std::numeric_limits<std::int64_t>::min(), true) == "-9,223,372,036,854,775,808");
}

TEST_CASE("ceiling: two huge counts beside 44 tanks never wrap the sum under the limit", "[regime][overflow][ceiling]") {
    // 44 + (2^63 - 1) + (2^63 - 3) wraps to 40 in 64 bits: exactly the ceiling, no finding.
    Harness h("[[rules]]\nid = \"c\"\ntype = \"ceiling\"\nzones = [\"Z\"]\nclasses = [\"battle_tank\"]\nmax_count = 40\n", {test::zone("Z", square)},
              {});
    auto f = h.run({detection("real", {127.5, 38.5}, "battle_tank", 44), detection("huge-1", {127.5, 38.6}, "battle_tank", big),
                    detection("huge-2", {127.5, 38.7}, "battle_tank", big - 2)});
    REQUIRE(f.size() == 1);
    CHECK(f[0].kind == FindingKind::violation);
    CHECK(f[0].certainty == Certainty::certain);
    CHECK(f[0].measured == Approx(static_cast<double>(big)));
    CHECK(f[0].explanation.find(fmt::format("{:.0f} battle_tank counted in Z", f[0].measured)) == 0); // saturated, not wrapped
    CHECK(f[0].evidence.size() == 3);
}

TEST_CASE("ceiling: waiver allowances near the int64 limit raise the ceiling, never lower it", "[regime][overflow][ceiling]") {
    // Two unlimited-looking waivers of 2^63 - 1: their sum wraps to -2 and would turn an
    // exempted 44 into a violation of a ceiling of 38.
    Harness h(R"([[rules]]
id = "c"
type = "ceiling"
zones = ["Z"]
max_count = 40
  [[rules.waivers]]
  id = "w1"
  max_count = 9223372036854775807
  valid_from = "2027-03-01"
  valid_to = "2027-04-01"
  basis = "a"
  [[rules.waivers]]
  id = "w2"
  max_count = 9223372036854775807
  valid_from = "2027-03-01"
  valid_to = "2027-04-01"
  basis = "b"
)",
              {test::zone("Z", square)}, {});
    auto f = h.run({detection("real", {127.5, 38.5}, "battle_tank", 44)});
    REQUIRE(f.size() == 1);
    CHECK(f[0].kind == FindingKind::exempted);
}

TEST_CASE("band with a limit: huge counts saturate like a ceiling", "[regime][overflow][band]") {
    auto mdl = test::line("MDL", "LINESTRING(126 38,126.5 38,127 38)");
    Harness h("[[rules]]\nid = \"b\"\ntype = \"band\"\nline = \"MDL\"\nfrom_km = 0\nto_km = 10\nmax_count = 40\n", {}, {mdl});
    auto at = [](double lon) { return geo::destination({lon, 38.0}, 180.0, Meters{5000}); };
    auto f = h.run({detection("real", at(126.5), "troops", 44), detection("huge-1", at(126.6), "troops", big),
                    detection("huge-2", at(126.7), "troops", big - 2)});
    REQUIRE(f.size() == 1);
    CHECK(f[0].measured == Approx(static_cast<double>(big)));
}

TEST_CASE("notification: an activity's strength saturates, it never wraps below the threshold", "[regime][overflow][notification]") {
    Harness h(R"([[rules]]
id = "n"
type = "notification"
classes = ["troops"]
notify = { troops = 9000 }
)",
              {}, {});
    std::vector<Declaration> none;
    fusion::FusionInputs in;
    in.declarations = &none;
    h.evaluator->attach(in);
    auto f = h.run({detection("t1", {30.0, 50.0}, "troops", 44, 0, "2027-03-04T10:00:00Z", "RUS"),
                    detection("t2", {30.01, 50.0}, "troops", big, 0, "2027-03-04T10:00:00Z", "RUS"),
                    detection("t3", {30.02, 50.0}, "troops", big - 2, 0, "2027-03-04T10:00:00Z", "RUS")});
    REQUIRE(f.size() == 1);
    CHECK(f[0].kind == FindingKind::violation);
    CHECK(f[0].explanation.find("not notified") == 0);
    CHECK(f[0].measured == Approx(static_cast<double>(big)));
}

TEST_CASE("declaration_match: items in excess saturate instead of wrapping into agreement", "[regime][overflow][declaration_match]") {
    // Declared 44; seen 44 matched + (2^63 - 1) + (2^63 - 3) in excess: wrapped, 40 observed is
    // within the 10 % tolerance and the declaration looks confirmed.
    Harness h("[[rules]]\nid = \"dm\"\ntype = \"declaration_match\"\nclasses = [\"battle_tank\"]\n", {}, {});
    std::vector<Declaration> decls{declaration("D1", "battle_tank", 44, {127.5, 38.5}, 5000, "2027-03-01", "2027-04-01")};
    fusion::FusionInputs in;
    in.declarations = &decls;
    h.evaluator->attach(in);
    auto f = h.run({detection("real", {127.5, 38.5}, "battle_tank", 44), detection("huge-1", {127.5, 38.51}, "battle_tank", big),
                    detection("huge-2", {127.5, 38.52}, "battle_tank", big - 2)});
    REQUIRE(f.size() == 1);
    CHECK(f[0].kind == FindingKind::discrepancy);
    CHECK(f[0].explanation.find("count mismatch: ") == 0);
    CHECK(f[0].explanation.find("more than declared") != std::string::npos);
}

TEST_CASE("regime numbers are physical: distances within half the Earth, durations within a century", "[regime][overflow]") {
    auto rule = [](const std::string& body) { return error_of(regime_text("[[rules]]\nid = \"a\"\n" + body)); };
    SECTION("standoff distance of 1e308 km") {
        auto e = rule("type = \"standoff\"\nline = \"L\"\ndistance_km = 1e308\n");
        CHECK(e.find("r.toml, line 16") != std::string::npos);
        CHECK(e.find("half its circumference") != std::string::npos);
    }
    SECTION("segment distance") {
        auto e = rule("type = \"standoff\"\nline = \"L\"\n[[rules.segments]]\nto_vertex = 3\ndistance_km = 30000\n");
        CHECK(e.find("segments[0].distance_km") != std::string::npos);
    }
    SECTION("band to_km") {
        CHECK(rule("type = \"band\"\nline = \"L\"\nfrom_km = 0\nto_km = 1e300\n").find("to_km") != std::string::npos);
        CHECK(rule("type = \"band\"\nline = \"L\"\nfrom_km = 0\nto_km = 20004\n").empty());
    }
    SECTION("tolerances in metres and the notification clusters") {
        CHECK(rule("type = \"declaration_match\"\ntolerance_m = 1e300\n").find("tolerance_m") != std::string::npos);
        CHECK(rule("type = \"declaration_match\"\ncount_tolerance = 1e300\n").find("count_tolerance") != std::string::npos);
        CHECK(rule("type = \"notification\"\nnotify = { troops = 9000 }\ncluster_distance_km = 1e308\n").find("cluster_distance_km") !=
              std::string::npos);
        CHECK(error_of(regime_text("[dedup]\ndistance_m = 1e300\n[[rules]]\nid = \"a\"\ntype = \"prohibited\"\nzones = [\"Z\"]\n"))
                  .find("dedup.distance_m") != std::string::npos);
    }
    SECTION("windows, lead times and tolerances in time") {
        auto e = rule("type = \"ceiling\"\nzones = [\"Z\"]\nmax_count = 1\nwindow = \"P99999999999999D\"\n");
        CHECK(e.find("longer than a century") != std::string::npos);
        CHECK(e.find("line 17") != std::string::npos);
        CHECK(rule("type = \"notification\"\nnotify = { troops = 9000 }\nlead_time = \"P40000D\"\n").find("lead_time") != std::string::npos);
        CHECK(rule("type = \"declaration_match\"\ntime_tolerance = \"P1D1D1D1D1D1D1D1D1D\"\n").find("time_tolerance") != std::string::npos);
        CHECK(rule("type = \"coverage\"\nzones = [\"Z\"]\nmin_fraction = 0.5\nperiod = \"P36525D\"\n").empty());
        CHECK(rule("type = \"coverage\"\nzones = [\"Z\"]\nmin_fraction = 0.5\nperiod = \"P36526D\"\n").find("period") != std::string::npos);
        CHECK(error_of(regime_text("[dedup]\ntime = \"P9999999999W\"\n[[rules]]\nid = \"a\"\ntype = \"prohibited\"\nzones = [\"Z\"]\n"))
                  .find("dedup.time") != std::string::npos);
    }
}

// ---- item 4: party codes ------------------------------------------------------------------------

TEST_CASE("parties: a rule may name only declared parties, wherever it names one", "[regime][parties]") {
    auto rule = [](const std::string& body) { return error_of(regime_text("[[rules]]\nid = \"a\"\n" + body)); };
    auto e = rule("type = \"prohibited\"\nzones = [\"Z\"]\nparties = [\"KOR\", \"XXX\"]\n");
    CHECK(e.find("r.toml, line 16") != std::string::npos);
    CHECK(e.find("party 'XXX' is not declared by the regime") != std::string::npos);
    CHECK(e.find("KOR, PRK") != std::string::npos);
    CHECK(rule("type = \"standoff\"\nline = \"L\"\ndistance_km = 5\nline_by_party = { XXX = \"L2\" }\n").find("party 'XXX'") != std::string::npos);
    CHECK(rule("type = \"prohibited\"\nzone_selector = { kind = \"dmz\", party = \"XXX\" }\n").find("party 'XXX'") != std::string::npos);
    CHECK(rule("type = \"prohibited\"\nzones = [\"Z\"]\n[[rules.waivers]]\nid = \"w\"\nparties = [\"XXX\"]\nvalid_from = \"2027-01-01\"\n"
               "valid_to = \"2027-02-01\"\nbasis = \"b\"\n")
              .find("waivers[0].parties") != std::string::npos);
    // Lower-case codes name the same parties, in the regime as in records.
    CHECK(rule("type = \"prohibited\"\nzones = [\"Z\"]\nparties = [\"kor\", \"Prk\"]\n").empty());
    CHECK(
        error_of(
            "[regime]\nid = \"x\"\nparties = [\"KOR\", \"kor\"]\n[classes]\nt = []\n[[rules]]\nid = \"a\"\ntype = \"prohibited\"\nzones = [\"Z\"]\n")
            .find("listed twice") != std::string::npos);
    // A regime without parties scopes nothing by party.
    CHECK(error_of("[regime]\nid = \"x\"\n[classes]\nt = []\n[[rules]]\nid = \"a\"\ntype = \"prohibited\"\nzones = [\"Z\"]\nparties = [\"KOR\"]\n")
              .find("the regime declares no parties") != std::string::npos);
}

TEST_CASE("parties: codes meet case-insensitively, an undeclared code is scoped as unknown and kept", "[regime][parties]") {
    Harness h(R"([[rules]]
id = "p"
type = "prohibited"
zones = ["Z"]
parties = ["PRK"]
[[rules]]
id = "c"
type = "ceiling"
zones = ["Z"]
max_count = 2
per_party = true
)",
              {test::zone("Z", square)}, {});
    auto f = h.run({detection("lower", {127.5, 38.5}, "troops", 2, 0, "2027-03-04T10:00:00Z", "prk"),
                    detection("upper", {127.5, 38.6}, "troops", 1, 0, "2027-03-04T10:00:00Z", "PRK"),
                    detection("typo", {127.5, 38.7}, "troops", 1, 0, "2027-03-04T10:00:00Z", "XXX"),
                    detection("other", {127.5, 38.8}, "troops", 1, 0, "2027-03-04T10:00:00Z", "KOR")});
    auto p = of_rule(f, "p");
    REQUIRE(p.size() == 3);
    std::map<std::string, Finding> by;
    for (auto& x : p) by[x.evidence[0].record_id] = x;
    CHECK(by.count("lower"));
    CHECK(by.count("upper"));
    REQUIRE(by.count("typo")); // of a party the regime does not know: in scope, as of unknown party
    CHECK(by["typo"].party == "XXX");
    CHECK(by["typo"].explanation.find("troops of XXX") != std::string::npos);
    CHECK_FALSE(by.count("other"));
    // prk and PRK are one party: 2 + 1 = 3 > 2 in one cell.
    auto c = of_rule(f, "c");
    REQUIRE(c.size() == 1);
    CHECK(c[0].party == "PRK");
    CHECK(c[0].measured == 3);
}

TEST_CASE("parties: records naming an undeclared party are notes, counted, with their position", "[regime][parties]") {
    auto regime = fusion::parse_regime(regime_text("[[rules]]\nid = \"a\"\ntype = \"prohibited\"\nzones = [\"Z\"]\n"), "r.toml");
    std::vector<Detection> ds{detection("ok", {0, 0}, "troops", 1, 0, "2027-03-04T10:00:00Z", "kor"),
                              detection("bad", {0, 0}, "troops", 1, 0, "2027-03-04T10:00:00Z", "XXX"),
                              detection("none", {0, 0}, "troops", 1, 0, "2027-03-04T10:00:00Z", "")};
    ds[1].origin = SourceRef{"d.csv", "", "7", 5};
    CollectingProblemSink sink;
    fusion::note_undeclared_parties(regime.meta.parties, ds, sink);
    REQUIRE(sink.size() == 1);
    const Problem& p = sink.problems()[0];
    CHECK(p.severity == Severity::note);
    CHECK(p.where.file() == "d.csv");
    CHECK(p.where.line() == 7);
    CHECK(p.order == 7);
    CHECK(p.where.field() == "party");
    CHECK(p.where.value() == "XXX");
    CHECK(p.describe().find("party 'XXX' is not declared by the regime") != std::string::npos);

    std::vector<ImageRecord> images(1);
    images[0].id = ImageId{"IMG"};
    images[0].observing_party = "usa";
    images[0].observed_party = "ZZZ";
    CollectingProblemSink image_notes;
    fusion::note_undeclared_parties(regime.meta.parties, images, image_notes);
    REQUIRE(image_notes.size() == 1);
    CHECK(image_notes.problems()[0].where.field() == "observed_party");
}

// ---- item 11: values the store keeps in fixed-width columns ------------------------------------

TEST_CASE("regime values longer than their store column are regime errors with file:line", "[regime][store-limits]") {
    const std::string long_text(store_limits::article + 1, 'a');
    const std::string fits(store_limits::article, 'a');
    auto rule = [](const std::string& body) {
        return error_of(regime_text("[[rules]]\nid = \"a\"\ntype = \"prohibited\"\nzones = [\"Z\"]\n" + body));
    };
    auto e = rule("article = \"" + long_text + "\"\n");
    CHECK(e.find("r.toml, line 16") != std::string::npos);
    CHECK(e.find("the store keeps at most 64") != std::string::npos);
    CHECK(rule("article = \"" + fits + "\"\n").empty());
    // A NUL byte cannot be kept by a fixed-length column (nor an attribute): refused at parse too.
    CHECK(rule("article = \"a\\u0000b\"\n").find("contains a NUL byte") != std::string::npos);
    CHECK(error_of("[regime]\nid = \"x\"\n[classes]\n\"t\\u0000\" = []\n[[rules]]\nid = \"a\"\ntype = \"prohibited\"\nzones = [\"Z\"]\n")
              .find("contains a NUL byte") != std::string::npos);
    CHECK(error_of(regime_text("[[rules]]\nid = \"a\"\ntype = \"prohibited\"\nzones = [\"" + long_text + "\"]\n")).find("rules[0].zones") !=
          std::string::npos);
    CHECK(rule("[[rules.waivers]]\nid = \"" + long_text + "\"\nvalid_from = \"2027-01-01\"\nvalid_to = \"2027-02-01\"\nbasis = \"b\"\n")
              .find("waiver id is too long") != std::string::npos);
    CHECK(
        error_of(regime_text("[[rules]]\nid = \"a\"\ntype = \"standoff\"\nline = \"" + long_text + "\"\ndistance_km = 5\n")).find("rules[0].line") !=
        std::string::npos);
    CHECK(error_of(regime_text("[[rules]]\nid = \"" + long_text + "\"\ntype = \"prohibited\"\nzones = [\"Z\"]\n")).find("rule id is too long") !=
          std::string::npos);
    CHECK(error_of("[regime]\nid = \"x\"\nparties = [\"" + long_text +
                   "\"]\n[classes]\nt = []\n[[rules]]\nid = \"a\"\ntype = \"prohibited\"\nzones = [\"Z\"]\n")
              .find("the store keeps at most 64") != std::string::npos);
}
