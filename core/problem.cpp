#include "core/problem.hpp"

#include <algorithm>
#include <array>

namespace avf {

std::string_view to_string(ProblemCode c) {
    static constexpr std::array<std::string_view, 27> names = {
        "missing_field",
        "bad_number",
        "bad_time",
        "not_finite",
        "coordinate_out_of_range",
        "unknown_class",
        "bad_value",
        "duplicate_id",
        "empty_geometry",
        "unsupported_geometry",
        "ring_not_closed",
        "too_few_points",
        "self_intersection",
        "spike",
        "duplicate_vertex",
        "invalid_geometry",
        "crosses_antimeridian",
        "polar",
        "missing_crs",
        "reprojection_failed",
        "empty_layer",
        "unreadable",
        "bad_encoding",
        "outside_period",
        "unknown_party",
        "unknown_place",
        "ambiguous_place",
    };
    auto i = static_cast<std::size_t>(c);
    return i < names.size() ? names[i] : "unknown";
}

std::string_view to_string(Severity s) {
    switch (s) {
    case Severity::rejected: return "rejected";
    case Severity::corrected: return "corrected";
    case Severity::note: return "note";
    }
    return "unknown";
}

std::string Problem::describe() const {
    std::string text = std::string(to_string(severity)) + " (" + std::string(to_string(code)) + "): " + message;
    return where.format(text);
}

void CollectingProblemSink::report(Problem p) {
    bool fatal = m_strict && p.severity == Severity::rejected;
    m_problems.push_back(std::move(p));
    if (fatal) {
        const Problem& q = m_problems.back();
        throw InputError(std::string(to_string(q.code)) + ": " + q.message + " (--strict stops at the first problem)", q.where);
    }
}

std::size_t CollectingProblemSink::count(Severity s) const {
    return static_cast<std::size_t>(std::count_if(m_problems.begin(), m_problems.end(), [s](const Problem& p) { return p.severity == s; }));
}

void CollectingProblemSink::merge(CollectingProblemSink&& other) {
    m_problems.insert(m_problems.end(), std::make_move_iterator(other.m_problems.begin()), std::make_move_iterator(other.m_problems.end()));
    other.m_problems.clear();
}

} // namespace avf
