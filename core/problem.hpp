// Problems: defects in real input data that are expected, kept, counted and stored beside the
// findings. A record that cannot be used is never silently dropped: it becomes a Problem with its
// source, position and reason, and the run goes on (or stops, with --strict).
//
//   avf::CollectingProblemSink problems;
//   problems.report(avf::Problem::rejected(avf::ProblemCode::coordinate_out_of_range,
//                                          "latitude 95 outside [-90, 90]",
//                                          avf::Context{}.file("d.csv").line(7).field("lat").value("95")));
//   problems.count(avf::Severity::error);   // 1
//
// A sink is not thread-safe; parallel stages keep one per chunk and merge them in order.
#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace avf {

/// `rejected`: the record was not used. `corrected`: it was used after the correction named in the
/// message. `note`: information worth keeping (e.g. a field ignored).
enum class Severity : std::uint8_t { rejected = 0, corrected = 1, note = 2 };

/// Stable problem codes (stored by name in the store; never renumber or rename).
enum class ProblemCode : std::uint8_t {
    missing_field,
    bad_number,
    bad_time,
    not_finite,
    coordinate_out_of_range,
    unknown_class,
    bad_value,
    duplicate_id,
    empty_geometry,
    unsupported_geometry,
    ring_not_closed,
    too_few_points,
    self_intersection,
    spike,
    duplicate_vertex,
    invalid_geometry,
    crosses_antimeridian,
    polar,
    missing_crs,
    reprojection_failed,
    empty_layer,
    unreadable,
    bad_encoding,
    outside_period,
    unknown_party,   ///< a record names a party the regime does not declare (a note: still in scope)
    unknown_place,   ///< a sighting report names a place no gazetteer entry is named
    ambiguous_place, ///< a sighting report names a place several gazetteer entries are named
};

std::string_view to_string(ProblemCode c);
std::string_view to_string(Severity s);

struct Problem {
    Severity severity = Severity::rejected;
    ProblemCode code = ProblemCode::bad_value;
    std::string message;     ///< the reason, one sentence without the location
    Context where;           ///< file, layer, feature/line, record id, field, value
    std::uint64_t order = 0; ///< position in its source (line or feature index) for stable sorting

    static Problem rejected(ProblemCode c, std::string msg, Context where) {
        return Problem{Severity::rejected, c, std::move(msg), std::move(where), 0};
    }
    static Problem corrected(ProblemCode c, std::string msg, Context where) {
        return Problem{Severity::corrected, c, std::move(msg), std::move(where), 0};
    }
    /// The whole sentence: "<location>: <severity> (<code>): <message>; <detail>".
    std::string describe() const;
};

/// Receives problems. `report` may throw InputError (strict mode).
class ProblemSink {
public:
    virtual ~ProblemSink() = default;
    virtual void report(Problem p) = 0;
};

/// Keeps every problem, in report order, and counts them.
class CollectingProblemSink : public ProblemSink {
public:
    /// With strict = true, the first problem of severity `rejected` is kept and then thrown as
    /// an InputError (the --strict option).
    explicit CollectingProblemSink(bool strict = false) : m_strict(strict) {}
    void report(Problem p) override;

    const std::vector<Problem>& problems() const { return m_problems; }
    std::vector<Problem>& problems() { return m_problems; }
    std::size_t count(Severity s) const;
    std::size_t size() const { return m_problems.size(); }
    bool strict() const { return m_strict; }
    /// Appends another sink's problems (used to combine per-chunk sinks in input order).
    void merge(CollectingProblemSink&& other);

private:
    bool m_strict;
    std::vector<Problem> m_problems;
};

} // namespace avf
