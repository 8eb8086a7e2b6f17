#include "geo/segment_index.hpp"

#include "geo/geodesic.hpp"

#include <boost/geometry/strategies/strategies.hpp>
#include <boost/iterator/function_output_iterator.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <tuple>
#include <unordered_map>

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

namespace avf::geo {
namespace {

constexpr double deg = M_PI / 180.0;
// Shortest length of one degree of latitude (at the equator) and of longitude at latitude 0, with
// a small margin: dividing a distance by these never gives too few degrees.
constexpr double min_meters_per_deg_lat = 110'000.0;
constexpr double max_meters_per_deg_lon_equator = 111'400.0;

} // namespace

Box expand_by(const GeoPoint& p, Meters radius) {
    double dlat = radius.value / min_meters_per_deg_lat;
    double lat_lo = std::max(-90.0, p.y() - dlat);
    double lat_hi = std::min(90.0, p.y() + dlat);
    double worst = std::max(std::abs(lat_lo), std::abs(lat_hi));
    double dlon = 360.0;
    if (worst < 89.0) {
        // A degree of longitude is at least cos(lat)·(111.32 km)·(1 − 0.0034) long; use a lower bound.
        dlon = radius.value / (std::cos(worst * deg) * max_meters_per_deg_lon_equator * 0.99);
    }
    if (dlon >= 180.0) return Box{GeoPoint{-180.0, lat_lo}, GeoPoint{180.0, lat_hi}};
    return Box{GeoPoint{p.x() - dlon, lat_lo}, GeoPoint{p.x() + dlon, lat_hi}};
}

Box expand_by(const Box& box, Meters radius) {
    // As expand_by(p, radius) for every p of the box: the longitude margin is the widest, taken at
    // the latitude farthest from the equator that any of them reaches.
    const double dlat = radius.value / min_meters_per_deg_lat;
    const double lat_lo = std::max(-90.0, box.min_corner().y() - dlat);
    const double lat_hi = std::min(90.0, box.max_corner().y() + dlat);
    const double worst = std::max(std::abs(lat_lo), std::abs(lat_hi));
    double dlon = 360.0;
    if (worst < 89.0) dlon = std::min(360.0, radius.value / (std::cos(worst * deg) * max_meters_per_deg_lon_equator * 0.99));
    return Box{GeoPoint{box.min_corner().x() - dlon, lat_lo}, GeoPoint{box.max_corner().x() + dlon, lat_hi}};
}

BoxParts wrap_parts(const Box& box) {
    const double x0 = box.min_corner().x(), x1 = box.max_corner().x(), y0 = box.min_corner().y(), y1 = box.max_corner().y();
    BoxParts parts;
    if (x1 - x0 >= 360.0 || (x0 < -180.0 && x1 > 180.0)) {
        parts.part[0] = Box{GeoPoint{-180.0, y0}, GeoPoint{180.0, y1}};
    } else if (x0 < -180.0) {
        parts.part[0] = Box{GeoPoint{-180.0, y0}, GeoPoint{x1, y1}};
        parts.part[1] = Box{GeoPoint{x0 + 360.0, y0}, GeoPoint{180.0, y1}};
        parts.count = 2;
    } else if (x1 > 180.0) {
        parts.part[0] = Box{GeoPoint{x0, y0}, GeoPoint{180.0, y1}};
        parts.part[1] = Box{GeoPoint{-180.0, y0}, GeoPoint{x1 - 360.0, y1}};
        parts.count = 2;
    } else {
        parts.part[0] = box;
    }
    return parts;
}

namespace {

double dot(const SegmentIndex::Unit& u, const SegmentIndex::Unit& v) {
    return u.x * v.x + u.y * v.y + u.z * v.z;
}
SegmentIndex::Unit cross(const SegmentIndex::Unit& u, const SegmentIndex::Unit& v) {
    return SegmentIndex::Unit{u.y * v.z - u.z * v.y, u.z * v.x - u.x * v.z, u.x * v.y - u.y * v.x};
}

// The unit vector of a lon/lat point, geodetic latitude taken as spherical latitude.
SegmentIndex::Unit unit_vector(const GeoPoint& g) {
    const double lat = g.y() * deg, lon = g.x() * deg;
    return SegmentIndex::Unit{std::cos(lat) * std::cos(lon), std::cos(lat) * std::sin(lon), std::sin(lat)};
}

double chord2(const SegmentIndex::Unit& u, const SegmentIndex::Unit& v) {
    const double dx = u.x - v.x, dy = u.y - v.y, dz = u.z - v.z;
    return dx * dx + dy * dy + dz * dz;
}

// The angle between unit vectors from their squared chord: stable for small and large angles.
double chord_angle(double chord2) {
    return 2.0 * std::asin(std::min(1.0, 0.5 * std::sqrt(chord2)));
}

double unit_angle(const SegmentIndex::Unit& u, const SegmentIndex::Unit& v) {
    return chord_angle(chord2(u, v));
}

SegmentIndex::Nearest no_nearest() {
    return SegmentIndex::Nearest{};
}

// Meridional radius of curvature of WGS84 at latitude phi (degrees): the smallest radius of
// curvature there, increasing from the equator to the poles.
double meridional_radius(double phi_deg) {
    constexpr double a = 6378137.0, f = 1.0 / 298.257223563, e2 = f * (2.0 - f);
    const double s = std::sin(phi_deg * deg);
    const double w = 1.0 - e2 * s * s;
    return a * (1.0 - e2) / (w * std::sqrt(w));
}

// Prime-vertical radius of curvature of WGS84 at latitude phi (degrees): the radius of curvature
// east-west, never smaller than the meridional one at the same latitude, also increasing poleward.
double prime_vertical_radius(double phi_deg) {
    constexpr double a = 6378137.0, f = 1.0 / 298.257223563, e2 = f * (2.0 - f);
    const double s = std::sin(phi_deg * deg);
    return a / std::sqrt(1.0 - e2 * s * s);
}

} // namespace

// What the lower bound needs to know of the latitude band [lat_lo, lat_hi] (degrees) that every
// path shorter than the search radius stays in. On WGS84 a path element is
//   ds² = M(φ)² dφ² + N(φ)² cos²φ dλ²  ≥  m² (dσ² + κ² cos²φ dλ²),   m = min M, m²(1 + κ²) = min N²,
// dσ being the element of the path's image on the unit sphere (geodetic latitude taken as
// spherical latitude). Integrated (Minkowski: the length of a sum is at most the sum of lengths):
//   length ≥ m · sqrt(σ² + (κ · c · Δλ)²),   c = min cos φ over the band,
// where σ is the image's length on the unit sphere (at least the angle from p to the segment's
// great-circle arc, less the geodesic's stray from it) and Δλ the longitude the path covers (at
// least the gap between p's longitude and the segment's, along which longitude is monotone).
// So east-west separations are weighed with the larger prime-vertical radius N instead of M —
// 0.2-0.4 % tighter at the demo latitudes — and the bound still never exceeds the exact length.
// Geodesics between points of one hemisphere reach no latitude nearer the equator than their ends,
// so M and N are taken at the band's smallest |φ| (0 when it reaches the equator); a hair is taken
// off each for rounding.
SegmentIndex::Band SegmentIndex::band(double lat_lo, double lat_hi) {
    const bool equator = (lat_lo <= 0.0 && lat_hi >= 0.0) || (lat_hi - lat_lo) > 60.0;
    const double low = equator ? 0.0 : std::min(std::abs(lat_lo), std::abs(lat_hi));
    const double high = std::min(90.0, std::max(std::abs(lat_lo), std::abs(lat_hi)));
    const double m = meridional_radius(low), n = prime_vertical_radius(low);
    const double kappa = std::sqrt(std::max(0.0, (n * n) / (m * m) - 1.0));
    return Band{m * (1.0 - 1e-9), kappa * std::max(0.0, std::cos(high * deg)) * (1.0 - 1e-9)};
}

double SegmentIndex::lower_bound(const GeoPoint& p, double sphere_angle, double stray, double lon_lo, double lon_hi, const Band& band) {
    const double sigma = std::max(0.0, sphere_angle - stray);
    // The longitude gap to the segment's span; over 90° (a wrap at ±180°, which import rejects for
    // reference lines and zone edges) it is not trusted and counts as 0, which only loosens the bound.
    double gap = std::max({0.0, lon_lo - p.x(), p.x() - lon_hi});
    if (gap > 90.0) gap = 0.0;
    const double east = band.kappa_cos * gap * deg;
    return band.m * std::sqrt(sigma * sigma + east * east) - 1e-3;
}

double SegmentIndex::lower_bound(const Segment& s, const GeoPoint& p, double sphere_angle, const Band& band) {
    return lower_bound(p, sphere_angle, s.stray, std::min(s.a.x(), s.b.x()), std::max(s.a.x(), s.b.x()), band);
}

SegmentIndex::SegmentIndex(const MultiLineString& lines) {
    std::vector<Entry> entries;
    std::size_t total = 0;
    for (const auto& ls : lines) total += ls.size() > 1 ? ls.size() - 1 : 0;
    m_segments.reserve(total);
    for (std::size_t part = 0; part < lines.size(); ++part) {
        const auto& ls = lines[part];
        double run_span = 0.0; // metres on the sphere covered by the open run
        for (std::size_t i = 0; i + 1 < ls.size(); ++i) {
            Segment s;
            s.a = ls[i];
            s.b = ls[i + 1];
            s.part = static_cast<std::uint32_t>(part);
            s.index = static_cast<std::uint32_t>(i);
            s.ua = unit_vector(s.a);
            s.ub = unit_vector(s.b);
            const Unit n = cross(s.ua, s.ub);
            const double nn = std::sqrt(n.x * n.x + n.y * n.y + n.z * n.z);
            s.normal = nn > 1e-15 ? Unit{n.x / nn, n.y / nn, n.z / nn} : Unit{0, 0, 0};
            // A geodesic bows poleward of the straight lon/lat chord by about L²·tan φ / (8R);
            // widen the envelope by twice that plus a metre.
            double len = central_angle(s.a, s.b) * sphere_radius;
            // How far the geodesic strays from the great circle through its ends: measured at most
            // 4.2e-4·L²/R (e²/16) over random segments of 10-1000 km at every latitude.
            s.stray = (2e-3 * len * len / sphere_radius + 0.05) / sphere_radius;
            m_max_stray = std::max(m_max_stray, s.stray);
            double phi = std::min(89.0, std::max(std::abs(s.a.y()), std::abs(s.b.y())));
            double bulge_m = 2.0 * len * len * std::tan(phi * deg) / (8.0 * sphere_radius) + 1.0;
            double pad = bulge_m / min_meters_per_deg_lat;
            Box box{GeoPoint{std::min(s.a.x(), s.b.x()) - pad, std::min(s.a.y(), s.b.y()) - pad},
                    GeoPoint{std::max(s.a.x(), s.b.x()) + pad, std::max(s.a.y(), s.b.y()) + pad}};
            // Consecutive segments of a part are grouped in runs (run_length, run_extent, run_most):
            // the R-tree holds runs, and a run's segments are looked at only when its own bound asks
            // for it.
            if (i == 0 || m_runs.back().count == run_most || (m_runs.back().count >= run_length && run_span >= run_extent)) {
                run_span = 0.0;
                Run r;
                r.box = box;
                r.first = static_cast<std::uint32_t>(m_segments.size());
                r.part = s.part;
                r.index = s.index;
                m_runs.push_back(r);
            }
            Run& r = m_runs.back();
            bg::expand(r.box, box);
            bg::expand(m_bounds, box);
            ++r.count;
            run_span += len;
            m_segments.push_back(s);
        }
    }
    // Each run's cap: its ends' mean direction and the largest angle from it to an end. The
    // great-circle arc of each of its segments lies in the cap (a cap under a quarter circle is
    // convex), and each geodesic strays from its arc by at most its stray.
    for (std::size_t k = 0; k < m_runs.size(); ++k) {
        Run& r = m_runs[k];
        Unit c{0, 0, 0};
        for (std::uint32_t i = r.first; i < r.first + r.count; ++i) {
            const Segment& s = m_segments[i];
            c = Unit{c.x + s.ua.x + s.ub.x, c.y + s.ua.y + s.ub.y, c.z + s.ua.z + s.ub.z};
        }
        const double cn = std::sqrt(dot(c, c));
        r.center = cn > 1e-12 ? Unit{c.x / cn, c.y / cn, c.z / cn} : m_segments[r.first].ua;
        r.lon_lo = 180.0;
        r.lon_hi = -180.0;
        for (std::uint32_t i = r.first; i < r.first + r.count; ++i) {
            const Segment& s = m_segments[i];
            r.radius = std::max({r.radius, unit_angle(r.center, s.ua), unit_angle(r.center, s.ub)});
            r.stray = std::max(r.stray, s.stray);
            r.lon_lo = std::min({r.lon_lo, s.a.x(), s.b.x()});
            r.lon_hi = std::max({r.lon_hi, s.a.x(), s.b.x()});
        }
        r.radius = r.radius * (1.0 + 1e-9) + 1e-12;
        entries.emplace_back(r.box, k);
    }
    m_tree = decltype(m_tree)(entries.begin(), entries.end()); // packed (bulk-loaded)
    m_solved = SolvedSlots(m_segments.size());
}

SegmentIndex::SolvedSlots::SolvedSlots(std::size_t n) : m_slots(std::make_unique<std::atomic<const SolvedSegment*>[]>(n)), m_size(n) {
    for (std::size_t i = 0; i < n; ++i) m_slots[i].store(nullptr, std::memory_order_relaxed);
}

SegmentIndex::SolvedSlots::SolvedSlots(SolvedSlots&& other) noexcept : m_slots(std::move(other.m_slots)), m_size(std::exchange(other.m_size, 0)) {}

SegmentIndex::SolvedSlots& SegmentIndex::SolvedSlots::operator=(SolvedSlots&& other) noexcept {
    if (this != &other) {
        clear();
        m_slots = std::move(other.m_slots);
        m_size = std::exchange(other.m_size, 0);
    }
    return *this;
}

SegmentIndex::SolvedSlots::~SolvedSlots() {
    clear();
}

namespace {
std::atomic<std::size_t> kept_count{0}; // solved segments kept by every index of the process
std::atomic<std::size_t> solved_limit{SegmentIndex::solved_budget};
} // namespace

std::size_t SegmentIndex::solved_kept() {
    return kept_count.load();
}
std::size_t SegmentIndex::limit_solved(std::size_t most) {
    return solved_limit.exchange(most);
}

void SegmentIndex::SolvedSlots::clear() {
    for (std::size_t i = 0; i < m_size; ++i)
        if (const SolvedSegment* solved = m_slots[i].load(std::memory_order_acquire)) {
            delete solved;
            kept_count.fetch_sub(1, std::memory_order_relaxed);
        }
    m_slots.reset();
    m_size = 0;
}

const SolvedSegment* SegmentIndex::SolvedSlots::get(std::size_t i, const Segment& s) const {
    if (const SolvedSegment* solved = m_slots[i].load(std::memory_order_acquire)) return solved;
    if (kept_count.fetch_add(1, std::memory_order_relaxed) >= solved_limit.load(std::memory_order_relaxed)) {
        kept_count.fetch_sub(1, std::memory_order_relaxed);
        return nullptr;
    }
    auto fresh = std::make_unique<const SolvedSegment>(s.a, s.b);
    const SolvedSegment* expected = nullptr;
    if (m_slots[i].compare_exchange_strong(expected, fresh.get(), std::memory_order_acq_rel, std::memory_order_acquire)) return fresh.release();
    kept_count.fetch_sub(1, std::memory_order_relaxed);
    return expected; // another thread published it first
}

SegmentIndex::Proximity SegmentIndex::proximity(const Segment& s, const Unit& p) {
    const Unit& n = s.normal;
    if (n.x != 0.0 || n.y != 0.0 || n.z != 0.0) {
        // The point's projection on the great circle lies between the ends when it is on the inner
        // side of both planes through the normal and an end (normals n × a and b × n).
        if (dot(cross(n, s.ua), p) >= 0.0 && dot(cross(s.ub, n), p) >= 0.0) return Proximity{true, std::abs(dot(n, p))};
    }
    return Proximity{false, std::min(chord2(p, s.ua), chord2(p, s.ub))};
}

double SegmentIndex::angle(const Proximity& near) {
    return near.interior ? std::asin(std::min(1.0, near.value)) : chord_angle(near.value);
}

double SegmentIndex::sphere_distance(const Segment& s, const Unit& p) {
    return angle(proximity(s, p));
}

double SegmentIndex::segment_lower_bound(std::size_t i, const GeoPoint& p) const {
    const Segment& s = m_segments[i];
    const Unit up = unit_vector(p);
    // The band of every path from p no longer than the way to the segment's first end (an upper
    // bound of the distance to the segment): the nearest point's geodesic stays inside it.
    const Box reach = expand_by(p, Meters{sphere_ratio_upper * sphere_radius * central_angle(p, s.a) + 1.0});
    return lower_bound(s, p, sphere_distance(s, up), band(reach.min_corner().y(), reach.max_corner().y()));
}

Meters SegmentIndex::lower_bound(const GeoPoint& p, Meters cap, Meters give) const {
    double best = cap.value;
    if (m_segments.empty() || !(best > 0.0)) return Meters{std::max(0.0, best)};
    const Unit up = unit_vector(p);
    const Box search = expand_by(p, cap);
    // Every path from p shorter than `cap` stays inside the search box; a segment farther than cap
    // may get a bound above its distance from this band, but never one below cap that is wrong.
    const Band b = band(search.min_corner().y(), search.max_corner().y());
    // Runs in the order of their bounds. A run's bound is at most each of its segments' (its cap
    // holds their arcs, its stray and longitude span cover theirs): the first run whose bound is not
    // under the best segment bound ends the search, and one within `give` of it is taken as it is.
    thread_local std::vector<std::pair<double, std::uint32_t>> runs;
    runs.clear();
    for_each_meeting(m_tree, search, [&](const Entry& e) {
        const Run& r = m_runs[e.second];
        const double a = r.radius < 1.0 ? unit_angle(up, r.center) - r.radius : 0.0;
        const double lb = lower_bound(p, a, r.stray, r.lon_lo, r.lon_hi, b);
        if (lb < best) runs.emplace_back(lb, static_cast<std::uint32_t>(e.second));
    });
    std::sort(runs.begin(), runs.end());
    for (const auto& [run_bound, k] : runs) {
        if (run_bound >= best) break;
        if (run_bound >= best - give.value) {
            best = run_bound;
            break;
        }
        const Run& r = m_runs[k];
        for (std::uint32_t i = r.first; i < r.first + r.count; ++i) {
            const Segment& s = m_segments[i];
            best = std::min(best, lower_bound(s, p, sphere_distance(s, up), b));
        }
    }
    return Meters{std::max(0.0, best)};
}

SegmentIndex::Nearest SegmentIndex::query_round(const GeoPoint& p, const Unit& up, Meters limit, const Filter& filter) const {
    Nearest best;
    const Box search = expand_by(p, limit);
    // Every path from p shorter than `limit` stays inside the search box: one band for all.
    const Band b = band(search.min_corner().y(), search.max_corner().y());
    // Candidates — runs first, then the segments of the runs whose bound is under the best distance
    // found so far — are taken in the order of their bounds from a min-heap: usually only the first
    // few segments are solved before the bound passes the best distance.
    struct Candidate {
        double bound;
        std::uint32_t id; // a run, or a segment
        bool run;
        bool operator>(const Candidate& o) const { return std::tie(bound, run, id) > std::tie(o.bound, o.run, o.id); }
    };
    thread_local std::vector<Candidate> heap;
    heap.clear();
    const auto later = [](const Candidate& x, const Candidate& y) { return x > y; };
    // Reference lines and zone edges never cross ±180° (import rejects them), but the search box of
    // a point near the antimeridian does: its wrapped part is searched too.
    for_each_meeting(m_tree, search, [&](const Entry& e) {
        const Run& r = m_runs[e.second];
        if (!filter.accepts(r)) return;
        // Past a quarter circle a cap is not convex: such a run is always opened.
        const double a = r.radius < 1.0 ? unit_angle(up, r.center) - r.radius : 0.0;
        const double lb = lower_bound(p, a, r.stray, r.lon_lo, r.lon_hi, b);
        if (lb < limit.value) heap.push_back(Candidate{std::max(0.0, lb), static_cast<std::uint32_t>(e.second), true});
    });
    std::make_heap(heap.begin(), heap.end(), later);
    // Neighbouring segments share ends: each end's geodesic to p is solved once per query. Most
    // queries solve a few ends and look them up by a scan; past `scan_most` (boundaries cut into
    // metre-long pieces, where thousands of ends lie within the bounds' slack) a hash index takes over.
    thread_local std::vector<std::pair<std::uint64_t, EndToPoint>> ends;
    thread_local std::unordered_map<std::uint64_t, std::uint32_t> end_rows;
    constexpr std::size_t scan_most = 32;
    ends.clear();
    if (!end_rows.empty()) end_rows.clear();
    auto key_of = [](const Segment& s, bool second) { return (std::uint64_t{s.part} << 32) | (s.index + (second ? 1u : 0u)); };
    auto cached = [&](const Segment& s, bool second) -> const EndToPoint* {
        const std::uint64_t key = key_of(s, second);
        if (ends.size() > scan_most) {
            auto it = end_rows.find(key);
            return it == end_rows.end() ? nullptr : &ends[it->second].second;
        }
        for (const auto& [k, e] : ends)
            if (k == key) return &e;
        return nullptr;
    };
    auto end = [&](const Segment& s, bool second, const GeoPoint& v) {
        if (const EndToPoint* e = cached(s, second)) return *e;
        ends.emplace_back(key_of(s, second), end_to_point(v, p));
        if (ends.size() > scan_most) {
            if (end_rows.empty())
                for (std::uint32_t i = 0; i < ends.size(); ++i) end_rows.emplace(ends[i].first, i);
            else
                end_rows.emplace(ends.back().first, static_cast<std::uint32_t>(ends.size() - 1));
        }
        return ends.back().second;
    };
    double bound = limit.value;
    // Candidates are taken only under `cutoff`: the best distance found, or a metre past an upper
    // bound of the distance to a segment seen (some point of a geodesic lies within σ + 2·stray of
    // p on the sphere) when that is smaller. The nearest segment's bound is under it, so the same
    // segments are solved, in the same order, up to the answer; fewer others are kept in the heap.
    double cutoff = bound;
    while (!heap.empty()) {
        std::pop_heap(heap.begin(), heap.end(), later);
        const Candidate c = heap.back();
        heap.pop_back();
        if (c.bound >= cutoff) break;
        if (c.run) {
            // No segment farther than `reach` (radians on the sphere) can have a bound under the
            // best distance (a bound is at least m·(angle − stray) − rounding): those are dropped by
            // comparing the sine of the angle, or the chord, without the arcsine.
            const double reach = ((cutoff + 1e-3) / b.m + m_max_stray) * (1.0 + 1e-9) + 1e-12;
            const bool cheap_reject = reach < 1.5;
            const double sin_reach = std::sin(reach), half = std::sin(0.5 * reach), chord2_reach = 4.0 * half * half;
            const Run& r = m_runs[c.id];
            for (std::uint32_t i = r.first; i < r.first + r.count; ++i) {
                const Segment& s = m_segments[i];
                if (!filter.accepts(s)) continue;
                const Proximity near = proximity(s, up);
                if (cheap_reject && near.value >= (near.interior ? sin_reach : chord2_reach)) continue;
                const double sigma = angle(near);
                const double lb = lower_bound(s, p, sigma, b);
                if (lb < cutoff) {
                    heap.push_back(Candidate{std::max(0.0, lb), i, false});
                    std::push_heap(heap.begin(), heap.end(), later);
                    cutoff = std::min(cutoff, sphere_ratio_upper * sphere_radius * (sigma + 2.0 * s.stray) + 1.0);
                }
            }
            continue;
        }
        const Segment& s = m_segments[c.id];
        const EndToPoint from_a = end(s, false, s.a);
        // A segment whose exact answer would be one of its ends, both farther than the best
        // distance already found, cannot improve it: the neighbours of the nearest segment, which
        // meet it at their shared end, are recognized so without any solving (the far end of a
        // neighbour after it is bounded first; slack covers the nanometres by which
        // distance_to_segment's point at an end may miss the end).
        constexpr double slack = 1e-4; // metres
        const double beat = bound + slack;
        // Nor can a segment all of whose points are farther: each is within the segment's length
        // of an end (triangle inequality; the length bounded from above without solving it). On a
        // boundary of metre-long pieces this spares the geodesic of nearly every candidate.
        const EndToPoint* known_b = nullptr; // b's solution, when an earlier segment solved it
        if (from_a.distance > beat) {
            const double reach = sphere_ratio_upper * sphere_radius * unit_angle(s.ua, s.ub) + 1e-3;
            known_b = cached(s, true);
            if (from_a.distance - reach > beat || (known_b && known_b->distance - reach > beat)) continue;
        }
        std::optional<SolvedSegment> unkept;
        const SolvedSegment* kept = m_solved.get(c.id, s);
        const SolvedSegment& solved = kept ? *kept : unkept.emplace(s.a, s.b);
        if (from_a.distance > beat) {
            if (foot_before_a(solved, from_a)) {
                if (known_b ? known_b->distance > beat : lower_bound(p, unit_angle(up, s.ub), 0.0, s.b.x(), s.b.x(), b) > beat) continue;
                // b's bound is too loose to tell (the next segments of a boundary in short pieces, just
                // past the nearest): its end, which the next segment shares, rather than the segment.
                if (!known_b && end(s, true, s.b).distance > beat) continue;
            } else if (const EndToPoint from_b = end(s, true, s.b); from_b.distance > beat && foot_beyond_b(solved, from_a, from_b)) {
                continue;
            }
        }
        SegmentFoot f = distance_to_segment(p, solved, from_a, end(s, true, s.b));
        if (f.distance.value < bound) {
            bound = f.distance.value;
            cutoff = std::min(cutoff, bound);
            best = Nearest{true, f.distance, s.part, s.index, f.foot};
        }
    }
    return best;
}

SegmentIndex::Nearest SegmentIndex::query(const GeoPoint& p, Meters limit, const Filter& filter) const {
    if (m_segments.empty() || !(limit.value > 0.0)) return no_nearest();
    const Unit up = unit_vector(p);
    // Limits up to 200 km (standoff and band rules): one round. Larger limits (the depth of a point
    // in a zone, for explanations): the run whose envelope is nearest in lon/lat bounds the answer
    // from above; one round up to that bound finds the nearest of all without looking at the
    // segments thousands of kilometres away.
    constexpr double one_round = 200'000.0;
    double r = limit.value;
    if (r > one_round) {
        auto it = m_tree.qbegin(bgi::nearest(p, 1) && bgi::satisfies([&](const Entry& e) { return filter.accepts(m_runs[e.second]); }));
        if (it == m_tree.qend()) return no_nearest();
        const Run& run = m_runs[it->second];
        // An upper bound without solving anything: some point of a geodesic lies within σ + 2·stray
        // of p on the sphere (σ to its great-circle arc, which the geodesic never leaves by more than
        // its stray), and no geodesic is longer than sphere_ratio_upper times the great-circle distance.
        double upper = std::numeric_limits<double>::infinity();
        for (std::uint32_t i = run.first; i < run.first + run.count; ++i) {
            const Segment& s = m_segments[i];
            if (filter.accepts(s)) upper = std::min(upper, sphere_ratio_upper * sphere_radius * (sphere_distance(s, up) + 2.0 * s.stray) + 1.0);
        }
        r = std::min(limit.value, upper);
    }
    return query_round(p, up, Meters{r}, filter);
}

SegmentIndex::Nearest SegmentIndex::distance_within(const GeoPoint& p, Meters limit) const {
    return query(p, limit, Filter{});
}

SegmentIndex::Nearest SegmentIndex::distance_within(const GeoPoint& p, Meters limit, std::size_t part, std::size_t first, std::size_t last) const {
    return query(p, limit, Filter{true, part, first, last});
}

} // namespace avf::geo
