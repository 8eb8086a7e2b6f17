#include "geo/validate.hpp"

#include <boost/geometry/algorithms/area.hpp>
#include <boost/geometry/algorithms/envelope.hpp>
#include <boost/geometry/algorithms/equals.hpp>
#include <boost/geometry/algorithms/intersection.hpp>
#include <boost/geometry/algorithms/is_valid.hpp>
#include <boost/geometry/algorithms/within.hpp>
#include <boost/geometry/geometries/segment.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <regex>
#include <vector>

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

namespace avf::geo {
namespace {

std::string coord(const GeoPoint& p) {
    return fmt::format("({:.7g}, {:.7g})", p.x(), p.y());
}

bool same(const GeoPoint& a, const GeoPoint& b) {
    return a.x() == b.x() && a.y() == b.y();
}

template <typename Points> bool check_points(const Points& pts, ProblemSink& sink, const Context& where) {
    for (const auto& p : pts)
        if (!check_coordinate(p.x(), p.y(), sink, where)) return false;
    return true;
}

// Removes repeated consecutive vertices; returns how many were removed.
template <typename Points> std::size_t remove_repeats(Points& pts) {
    std::size_t before = pts.size();
    auto end = std::unique(pts.begin(), pts.end(), [](const GeoPoint& a, const GeoPoint& b) { return same(a, b); });
    pts.erase(end, pts.end());
    return before - pts.size();
}

template <typename Points> bool crosses_antimeridian(const Points& pts, GeoPoint& where_a, GeoPoint& where_b) {
    for (std::size_t i = 1; i < pts.size(); ++i) {
        if (std::abs(pts[i].x() - pts[i - 1].x()) > 180.0) {
            where_a = pts[i - 1];
            where_b = pts[i];
            return true;
        }
    }
    return false;
}

// Removes vertices where the ring turns back on itself (A→B→A, or collinear reversal).
std::size_t remove_spikes(Ring& ring, GeoPoint& first_spike) {
    std::size_t removed = 0;
    bool changed = true;
    while (changed && ring.size() >= 4) {
        changed = false;
        // Work on the open ring (without the closing vertex) cyclically.
        std::size_t n = ring.size() - 1;
        for (std::size_t i = 0; i < n; ++i) {
            const GeoPoint& prev = ring[(i + n - 1) % n];
            const GeoPoint& cur = ring[i];
            const GeoPoint& next = ring[(i + 1) % n];
            double ux = cur.x() - prev.x(), uy = cur.y() - prev.y();
            double vx = next.x() - cur.x(), vy = next.y() - cur.y();
            double cross = ux * vy - uy * vx;
            double dot = ux * vx + uy * vy;
            if (cross == 0.0 && dot < 0.0) {
                if (removed == 0) first_spike = cur;
                ring.erase(ring.begin() + static_cast<std::ptrdiff_t>(i));
                if (i == 0) ring.back() = ring.front(); // keep the ring closed
                ++removed;
                changed = true;
                break;
            }
        }
        // Removing a spike can leave a repeated vertex (A→B→A collapses to A→A).
        remove_repeats(ring);
        if (ring.size() >= 2 && !same(ring.front(), ring.back())) ring.push_back(ring.front());
    }
    return removed;
}

// Closes, de-duplicates and de-spikes one ring; reports corrections. False when rejected.
bool fix_ring(Ring& ring, const char* which, ProblemSink& sink, const Context& where) {
    if (ring.size() >= 2 && !same(ring.front(), ring.back())) {
        sink.report(Problem::corrected(ProblemCode::ring_not_closed,
                                       fmt::format("{} ring not closed (first vertex {} differs from last {}); closed by repeating the first vertex",
                                                   which, coord(ring.front()), coord(ring.back())),
                                       where));
        ring.push_back(ring.front());
    }
    Ring before = ring;
    if (std::size_t n = remove_repeats(ring); n > 0) {
        // Report the first repeated vertex.
        GeoPoint rep = before.front();
        for (std::size_t i = 1; i < before.size(); ++i)
            if (same(before[i], before[i - 1])) {
                rep = before[i];
                break;
            }
        sink.report(Problem::corrected(ProblemCode::duplicate_vertex,
                                       fmt::format("{} ring repeats vertex {} ({} duplicate{} removed)", which, coord(rep), n, n == 1 ? "" : "s"),
                                       where));
    }
    if (ring.size() < 4) {
        sink.report(Problem::rejected(
            ProblemCode::too_few_points,
            fmt::format("{} ring has {} distinct vertices; a ring needs at least 3", which, ring.empty() ? 0 : ring.size() - 1), where));
        return false;
    }
    GeoPoint spike;
    if (std::size_t n = remove_spikes(ring, spike); n > 0) {
        sink.report(Problem::corrected(ProblemCode::spike,
                                       fmt::format("{} ring has a spike at {} (the boundary goes out and straight back); {} spike vertex{} removed",
                                                   which, coord(spike), n, n == 1 ? "" : "es"),
                                       where));
        if (ring.size() < 4) {
            sink.report(
                Problem::rejected(ProblemCode::too_few_points, fmt::format("{} ring has fewer than 3 vertices after removing spikes", which), where));
            return false;
        }
    }
    GeoPoint a, b;
    if (crosses_antimeridian(ring, a, b)) {
        sink.report(Problem::rejected(
            ProblemCode::crosses_antimeridian,
            fmt::format("{} ring crosses the antimeridian between {} and {}; split the zone at ±180° longitude", which, coord(a), coord(b)), where));
        return false;
    }
    for (const auto& p : ring) {
        if (std::abs(p.y()) == 90.0) {
            sink.report(Problem::rejected(
                ProblemCode::polar,
                fmt::format("{} ring touches a pole at {}; polar zones cannot be represented with lon/lat-straight edges", which, coord(p)), where));
            return false;
        }
    }
    return true;
}

// First crossing of two non-adjacent edges of a ring (R-tree over edge envelopes, O(n log n)).
std::optional<GeoPoint> find_self_intersection(const Ring& ring) {
    using Segment = bg::model::segment<GeoPoint>;
    std::size_t n = ring.size() - 1; // edges of the closed ring
    std::vector<std::pair<Box, std::size_t>> entries;
    for (std::size_t i = 0; i < n; ++i) {
        Box b;
        bg::envelope(Segment{ring[i], ring[i + 1]}, b);
        entries.emplace_back(b, i);
    }
    bg::index::rtree<std::pair<Box, std::size_t>, bg::index::rstar<16>> tree(entries.begin(), entries.end());
    for (std::size_t i = 0; i < n; ++i) {
        Segment si{ring[i], ring[i + 1]};
        for (auto it = tree.qbegin(bg::index::intersects(entries[i].first)); it != tree.qend(); ++it) {
            std::size_t j = it->second;
            if (j <= i) continue;
            bool adjacent = j == i + 1 || (i == 0 && j == n - 1);
            std::vector<GeoPoint> at;
            bg::intersection(si, Segment{ring[j], ring[j + 1]}, at);
            for (const auto& p : at) {
                // Adjacent edges legitimately share their common vertex.
                bool shared_vertex = adjacent && (bg::equals(p, ring[j]) || bg::equals(p, ring[i]));
                if (!shared_vertex) return p;
            }
        }
    }
    return std::nullopt;
}

std::string self_intersection_point(const std::string& boost_message) {
    static const std::regex at(R"(found at \(([^)]*)\))");
    std::smatch m;
    if (std::regex_search(boost_message, m, at)) return "(" + m[1].str() + ")";
    return "";
}

// ---- Large polygons: an R-tree of segments instead of bg::is_valid ------------------------------------------
// Boost 1.74's is_valid computes self-turns over monotonic sections; on a wiggly 10^6-vertex
// coastline that took minutes (825 s on the loaded 2-core machine). For large geometries we first
// (with a packed R-tree of the segments' boxes, every pair whose boxes meet tested once)
// prove validity the cheap way: if no two segments of the whole multipolygon touch (other than
// consecutive segments of a ring at their shared vertex), every ring is simple and no two rings
// meet, so validity reduces to non-zero areas and to how the rings nest (holes inside their shell
// and not inside each other; polygons not inside each other), checked with one vertex per ring.
// The intersection test is conservative (a filtered orientation test: "maybe" counts as a touch),
// so a geometry it cannot prove valid goes to bg::is_valid as before, which finds the reason.

constexpr std::size_t sweep_threshold = 20'000; // vertices; below it bg::is_valid is fast enough

struct SweepSegment {
    GeoPoint a, b;
    double xmin, xmax, ymin, ymax;
    std::uint32_t ring;      // global ring number
    std::uint32_t index;     // segment index in its ring
    std::uint32_t ring_size; // segments in the ring
};

// Sign of the orientation of (a, b, c): +1, -1, or 0 when too close to call in doubles.
int orientation(const GeoPoint& a, const GeoPoint& b, const GeoPoint& c) {
    const double l = (b.x() - a.x()) * (c.y() - a.y()), r = (b.y() - a.y()) * (c.x() - a.x());
    const double det = l - r;
    const double bound = 1e-14 * (std::abs(l) + std::abs(r)) + 1e-300;
    return det > bound ? 1 : det < -bound ? -1 : 0;
}

// True when the segments may share a point (any orientation too close to call counts as "may").
bool may_touch(const SweepSegment& s, const SweepSegment& t) {
    const int o1 = orientation(s.a, s.b, t.a), o2 = orientation(s.a, s.b, t.b);
    const int o3 = orientation(t.a, t.b, s.a), o4 = orientation(t.a, t.b, s.b);
    if (o1 == 0 || o2 == 0 || o3 == 0 || o4 == 0) return true;
    return o1 != o2 && o3 != o4;
}

bool adjacent(const SweepSegment& s, const SweepSegment& t) {
    if (s.ring != t.ring) return false;
    const std::uint32_t n = s.ring_size;
    return (s.index + 1) % n == t.index || (t.index + 1) % n == s.index;
}

// True when no two non-consecutive segments may touch (and consecutive ones only share their
// vertex: the spike and repeat checks before this guarantee they do not fold back).
bool boundaries_disjoint(const MultiPolygon& geometry) {
    std::vector<SweepSegment> segs;
    std::uint32_t ring_no = 0;
    auto add_ring = [&](const Ring& ring) {
        const auto n = static_cast<std::uint32_t>(ring.size() - 1);
        for (std::uint32_t i = 0; i < n; ++i) {
            const GeoPoint& a = ring[i];
            const GeoPoint& b = ring[i + 1];
            segs.push_back({a, b, std::min(a.x(), b.x()), std::max(a.x(), b.x()), std::min(a.y(), b.y()), std::max(a.y(), b.y()), ring_no, i, n});
        }
        ++ring_no;
    };
    for (const auto& poly : geometry) {
        add_ring(poly.outer());
        for (const auto& h : poly.inners()) add_ring(h);
    }
    // A packed R-tree of the segments' boxes; every pair whose boxes meet is tested once.
    using Entry = std::pair<Box, std::uint32_t>;
    std::vector<Entry> entries;
    entries.reserve(segs.size());
    for (std::size_t i = 0; i < segs.size(); ++i)
        entries.emplace_back(Box(GeoPoint(segs[i].xmin, segs[i].ymin), GeoPoint(segs[i].xmax, segs[i].ymax)), static_cast<std::uint32_t>(i));
    const bgi::rtree<Entry, bgi::rstar<16>> tree(entries.begin(), entries.end());
    std::vector<Entry> hits;
    for (std::size_t i = 0; i < segs.size(); ++i) {
        hits.clear();
        tree.query(bgi::intersects(entries[i].first), std::back_inserter(hits));
        for (const Entry& h : hits) {
            if (h.second <= i) continue;
            const SweepSegment& t = segs[h.second];
            if (adjacent(segs[i], t)) continue;
            if (may_touch(segs[i], t)) return false;
        }
    }
    return true;
}

// Validity of a large geometry without bg::is_valid; nullopt when it cannot be decided this way.
std::optional<bool> valid_by_sweep(const MultiPolygon& geometry) {
    std::size_t vertices = 0, holes = 0;
    for (const auto& poly : geometry) {
        vertices += poly.outer().size();
        for (const auto& h : poly.inners()) vertices += h.size(), ++holes;
    }
    if (vertices < sweep_threshold || holes > 64 || geometry.size() > 64) return std::nullopt;
    for (const auto& poly : geometry) {
        if (!(std::abs(bg::area(poly.outer())) > 0.0)) return std::nullopt;
        for (const auto& h : poly.inners())
            if (!(std::abs(bg::area(h)) > 0.0)) return std::nullopt;
    }
    if (!boundaries_disjoint(geometry)) return std::nullopt;
    // No boundaries meet, so each ring is wholly inside or wholly outside any other: one vertex decides.
    for (const auto& poly : geometry) {
        for (std::size_t i = 0; i < poly.inners().size(); ++i) {
            if (!bg::within(poly.inners()[i].front(), poly.outer())) return std::nullopt; // hole outside its shell
            for (std::size_t j = 0; j < poly.inners().size(); ++j)
                if (i != j && bg::within(poly.inners()[i].front(), poly.inners()[j])) return std::nullopt; // nested holes
        }
    }
    for (std::size_t i = 0; i < geometry.size(); ++i)
        for (std::size_t j = 0; j < geometry.size(); ++j)
            if (i != j && bg::within(geometry[i].outer().front(), geometry[j].outer())) {
                bool in_hole = false;
                for (const auto& h : geometry[j].inners()) in_hole = in_hole || bg::within(geometry[i].outer().front(), h);
                if (!in_hole) return std::nullopt; // overlapping polygons
            }
    return true;
}

} // namespace

bool check_coordinate(double lon, double lat, ProblemSink& sink, const Context& where) {
    if (!std::isfinite(lon) || !std::isfinite(lat)) {
        sink.report(Problem::rejected(ProblemCode::not_finite, fmt::format("coordinate ({}, {}) is not a finite number", lon, lat), where));
        return false;
    }
    if (lon < -180.0 || lon > 180.0 || lat < -90.0 || lat > 90.0) {
        sink.report(Problem::rejected(ProblemCode::coordinate_out_of_range,
                                      fmt::format("coordinate ({}, {}) outside longitude [-180, 180] / latitude [-90, 90]", lon, lat), where));
        return false;
    }
    return true;
}

bool normalize_polygons(MultiPolygon& geometry, ProblemSink& sink, const Context& where) {
    if (geometry.empty() || std::all_of(geometry.begin(), geometry.end(), [](const Polygon& p) { return p.outer().empty(); })) {
        sink.report(Problem::rejected(ProblemCode::empty_geometry, "geometry is empty", where));
        return false;
    }
    for (const auto& poly : geometry) {
        if (!check_points(poly.outer(), sink, where)) return false;
        for (const auto& hole : poly.inners())
            if (!check_points(hole, sink, where)) return false;
    }
    for (auto& poly : geometry) {
        if (!fix_ring(poly.outer(), "outer", sink, where)) return false;
        for (auto& hole : poly.inners())
            if (!fix_ring(hole, "inner", sink, where)) return false;
    }
    // Self-intersections are checked before orientation: a bow-tie has zero signed area and no
    // meaningful orientation. A ring whose planar signed area is zero is degenerate either way.
    for (auto& poly : geometry) {
        for (Ring* ring : [&] {
                 std::vector<Ring*> rings{&poly.outer()};
                 for (auto& h : poly.inners()) rings.push_back(&h);
                 return rings;
             }()) {
            bool outer = ring == &poly.outer();
            double a = bg::area(*ring); // positive when counter-clockwise in this model
            if ((outer && a < 0.0) || (!outer && a > 0.0)) std::reverse(ring->begin(), ring->end());
        }
    }
    if (valid_by_sweep(geometry) == std::optional<bool>(true)) return true;
    std::string message;
    if (!bg::is_valid(geometry, message)) {
        bg::validity_failure_type failure{};
        bg::is_valid(geometry, failure);
        if (failure == bg::failure_self_intersections || failure == bg::failure_wrong_orientation) {
            std::string at = self_intersection_point(message);
            for (const auto& poly : geometry) {
                if (auto p = find_self_intersection(poly.outer())) {
                    at = coord(*p);
                    break;
                }
                for (const auto& h : poly.inners())
                    if (auto p = find_self_intersection(h)) {
                        at = coord(*p);
                        break;
                    }
                if (!at.empty()) break;
            }
            sink.report(Problem::rejected(
                ProblemCode::self_intersection,
                at.empty() ? "ring intersects itself (zero or inconsistent enclosed area)" : "ring intersects itself at " + at, where));
        } else {
            sink.report(Problem::rejected(ProblemCode::invalid_geometry, "invalid polygon: " + message, where));
        }
        return false;
    }
    return true;
}

bool normalize_lines(MultiLineString& geometry, ProblemSink& sink, const Context& where) {
    if (geometry.empty() || std::all_of(geometry.begin(), geometry.end(), [](const LineString& l) { return l.empty(); })) {
        sink.report(Problem::rejected(ProblemCode::empty_geometry, "geometry is empty", where));
        return false;
    }
    for (const auto& line : geometry)
        if (!check_points(line, sink, where)) return false;
    for (auto& line : geometry) {
        if (std::size_t n = remove_repeats(line); n > 0)
            sink.report(Problem::corrected(ProblemCode::duplicate_vertex,
                                           fmt::format("line repeats a vertex ({} duplicate{} removed)", n, n == 1 ? "" : "s"), where));
        if (line.size() < 2) {
            sink.report(Problem::rejected(ProblemCode::too_few_points, "line has fewer than 2 distinct vertices", where));
            return false;
        }
        GeoPoint a, b;
        if (crosses_antimeridian(line, a, b)) {
            sink.report(Problem::rejected(
                ProblemCode::crosses_antimeridian,
                fmt::format("line crosses the antimeridian between {} and {}; split it at ±180° longitude", coord(a), coord(b)), where));
            return false;
        }
    }
    return true;
}

} // namespace avf::geo
