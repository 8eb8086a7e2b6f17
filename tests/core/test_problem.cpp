#include "core/problem.hpp"

#include <catch2/catch.hpp>

using namespace avf;

TEST_CASE("a collecting sink keeps and counts every problem", "[problem]") {
    CollectingProblemSink sink;
    sink.report(Problem::rejected(ProblemCode::coordinate_out_of_range, "latitude 95 outside [-90, 90]",
                                  Context{}.file("d.csv").line(7).field("lat").value("95")));
    sink.report(
        Problem::corrected(ProblemCode::ring_not_closed, "ring closed by repeating its first vertex", Context{}.file("z.geojson").feature("3")));
    CHECK(sink.size() == 2);
    CHECK(sink.count(Severity::rejected) == 1);
    CHECK(sink.count(Severity::corrected) == 1);
    CHECK(sink.problems()[0].describe() == "d.csv, line 7: rejected (coordinate_out_of_range): latitude 95 outside [-90, 90]; field 'lat' = '95'");
}

TEST_CASE("a strict sink throws on the first rejection but not on a correction", "[problem]") {
    CollectingProblemSink sink(true);
    CHECK_NOTHROW(sink.report(Problem::corrected(ProblemCode::duplicate_vertex, "removed", Context{})));
    CHECK_THROWS_AS(sink.report(Problem::rejected(ProblemCode::bad_number, "x", Context{}.file("f"))), InputError);
    CHECK(sink.size() == 2); // the problem is kept even though it stopped the run
}

TEST_CASE("problem codes have stable names", "[problem]") {
    CHECK(to_string(ProblemCode::missing_field) == "missing_field");
    CHECK(to_string(ProblemCode::self_intersection) == "self_intersection");
    CHECK(to_string(ProblemCode::outside_period) == "outside_period");
    CHECK(to_string(ProblemCode::unknown_party) == "unknown_party");
    CHECK(to_string(ProblemCode::unknown_place) == "unknown_place");
    CHECK(to_string(ProblemCode::ambiguous_place) == "ambiguous_place");
}
