// Nearest-distance queries from a point to a set of geodesic segments — the reference lines of
// standoff and band rules, and the boundaries of zones (for location-uncertainty disks).
//
//   avf::geo::SegmentIndex mdl(line.geometry);                 // segments of a MultiLineString
//   auto d = mdl.distance_within(p, avf::kilometers(70));       // exact when < 70 km
//   if (d.found) use(d.distance, d.part, d.segment);
//
// Each segment is the geodesic between consecutive vertices. Runs of up to 16 consecutive
// segments are the entries of an R-tree over their envelopes (widened by the geodesics' bulge away
// from the straight lon/lat chords, conservatively), which selects the runs within a conservative
// lon/lat box of the query radius. Runs and then their segments are taken in the order of a cheap
// lower bound (a run's from a cap holding its segments) and a segment is solved exactly
// (geo::distance_to_segment) only while its bound can still beat the best distance found — so
// most points are decided by the bounds alone, and exact geodesic work is done only near the limit
// or for the nearest segments of a point within it; each end's geodesic to the point once.
//
// The lower bound (segment_lower_bound) starts from the great-circle distance σ from the point to
// the great-circle arc through the segment's ends, less the most the geodesic can stray from that
// arc (measured ≤ 4.2e-4·L²/R; 2e-3·L²/R + 5 cm is used), and weighs it with the radii of
// curvature of WGS84 over the latitudes involved: m·sqrt(σ² + (κ·c·Δλ)²), m the smallest
// meridional radius M(φ), m²(1 + κ²) the smallest prime-vertical radius N(φ) squared, c the
// smallest cos φ, Δλ the longitude between the point and the segment (derivation at
// SegmentIndex::band). Every path on the ellipsoid is at least that long, so the bound never
// exceeds the true distance; north-south it is as tight as M allows (0.1-0.2 %), east-west it
// gains the 0.3-0.4 % by which N exceeds M at the demo latitudes.
// For large limits (distances to a zone boundary, for explanations) the exact distance to the
// segment nearest in lon/lat first bounds the search radius. For yes/no questions against a limit
// (standoff rules), geo::DistanceGrid keeps lower_bound() per lon/lat cell: one lookup rules out
// most points before any query. Answers are exact, not approximations;
// queries are const and thread-safe.
#pragma once

#include "core/geometry.hpp"
#include "core/units.hpp"

#include <boost/geometry/index/rtree.hpp>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

namespace avf::geo {

class SolvedSegment;

class SegmentIndex {
public:
    SegmentIndex() = default;
    /// Indexes every 2-point segment of `lines`. Parts with fewer than 2 points are ignored.
    explicit SegmentIndex(const MultiLineString& lines);

    struct Nearest {
        bool found = false; ///< a segment lies closer than the limit
        Meters distance{std::numeric_limits<double>::infinity()};
        std::size_t part = 0;    ///< index of the LineString in the MultiLineString
        std::size_t segment = 0; ///< index of the segment's first vertex in that part
        GeoPoint foot;           ///< nearest point on the line
    };

    /// The exact nearest distance when it is strictly less than `limit`; found = false otherwise
    /// (then the true distance is ≥ limit).
    Nearest distance_within(const GeoPoint& p, Meters limit) const;
    /// Restricted to segments of `part` whose first vertex index is in [first, last).
    Nearest distance_within(const GeoPoint& p, Meters limit, std::size_t part, std::size_t first, std::size_t last) const;

    std::size_t size() const { return m_segments.size(); }
    bool empty() const { return m_segments.empty(); }

    /// A lower bound of the distance from p to the nearest segment, from the bounds alone: no
    /// geodesic is solved. Never more than the exact distance, nor than `cap` (returned when no
    /// segment lies within it). Within the bounds' slack (0.1-0.4 %) plus `give` of the exact
    /// distance: a run of segments whose own bound is within `give` of the best is not opened.
    /// What DistanceGrid stores per cell.
    Meters lower_bound(const GeoPoint& p, Meters cap, Meters give = Meters{0.0}) const;
    /// The lon/lat envelope of every segment's geodesic (the vertices' envelope widened by the
    /// geodesics' bulge); empty() indexes have an inverted box.
    const Box& bounds() const { return m_bounds; }

    /// The lower bound used to skip segments (metres; see the header comment), exposed for tests:
    /// never more than the exact distance from p to segment `i` (in the order segments were added).
    double segment_lower_bound(std::size_t i, const GeoPoint& p) const;

    struct Unit {
        double x, y, z;
    };

    /// Segments solved and kept by every index of the process (see SolvedSlots), and the most that
    /// may be kept (default solved_budget; returns the previous limit) — for tests.
    static constexpr std::size_t solved_budget = std::size_t{1} << 17;
    static std::size_t solved_kept();
    static std::size_t limit_solved(std::size_t most);

private:
    struct Segment {
        GeoPoint a, b;
        std::uint32_t part = 0, index = 0;
        Unit ua, ub;  // unit vectors of the ends (geodetic latitude as spherical latitude)
        Unit normal;  // unit normal of the great circle through them (zero when a = b)
        double stray; // radians the geodesic may stray from that great circle
        // 120 bytes: zones of 10^6 vertices have 10^6 segments each. The planes through `normal`
        // and each end are recomputed where needed (proximity) rather than kept (48 bytes more).
    };
    // How near a point is to a segment's great-circle arc on the unit sphere, before any arcsine:
    // |sin| of the angle to the arc when the point projects between the ends, else the smaller
    // squared chord to an end.
    struct Proximity {
        bool interior;
        double value;
    };
    // Consecutive segments of one part, the R-tree's entries: a run closes once it holds run_length
    // segments and spans run_extent metres, or at run_most segments. Runs of 16 on a boundary of
    // metre-long pieces (zones of 10^6 vertices) would be tens of metres long, and a depth query
    // would look at thousands of them.
    static constexpr std::uint32_t run_length = 16;
    static constexpr std::uint32_t run_most = 256;
    static constexpr double run_extent = 500.0; // metres on the sphere
    struct Run {
        Box box;                            // lon/lat envelope of its segments' envelopes
        Unit center{0, 0, 0};               // cap on the unit sphere holding their great-circle arcs
        double radius = 0.0;                // radians
        double stray = 0.0;                 // the largest stray of its segments
        double lon_lo = 0.0, lon_hi = 0.0;  // longitudes its segments span
        std::uint32_t first = 0, count = 0; // m_segments[first, first + count)
        std::uint32_t part = 0, index = 0;  // part, and the first segment's index in it
    };
    // Which segments a query may answer with: all, or those of `part` whose first vertex index is
    // in [first, last).
    struct Filter {
        bool restricted = false;
        std::size_t part = 0, first = 0, last = 0;
        bool accepts(const Segment& s) const { return !restricted || (s.part == part && s.index >= first && s.index < last); }
        bool accepts(const Run& r) const { return !restricted || (r.part == part && r.index < last && r.index + r.count > first); }
    };
    using Entry = std::pair<Box, std::size_t>;
    struct Band {
        double m;         // metres: the smallest meridional radius of curvature in the band
        double kappa_cos; // κ·c: the east-west excess of the prime-vertical radius, times min cos φ
    };
    static Band band(double lat_lo, double lat_hi);
    static double lower_bound(const Segment& s, const GeoPoint& p, double sphere_angle, const Band& band); // metres
    static double lower_bound(const GeoPoint& p, double sphere_angle, double stray, double lon_lo, double lon_hi, const Band& band);
    static Proximity proximity(const Segment& s, const Unit& up);
    static double angle(const Proximity& near); // radians

    Nearest query(const GeoPoint& p, Meters limit, const Filter& filter) const;
    Nearest query_round(const GeoPoint& p, const Unit& up, Meters limit, const Filter& filter) const;
    static double sphere_distance(const Segment& s, const Unit& up); // radians, to the great-circle arc

    // Each segment's geodesic, solved the first time a query needs it and kept (the nearest segments
    // of nearby points are the same few). Queries run concurrently: a slot is published with a
    // compare-and-swap, and a thread that loses frees its copy — every thread solves the same bits.
    // A solved segment weighs ~560 bytes: at most solved_budget of them are kept at once over all
    // indexes (~70 MiB; zones of 10^5 vertices and more would otherwise keep hundreds of MiB), past
    // which get() returns nullptr and the caller solves the segment for the one query.
    class SolvedSlots {
    public:
        SolvedSlots() = default;
        explicit SolvedSlots(std::size_t n);
        SolvedSlots(SolvedSlots&& other) noexcept;
        SolvedSlots& operator=(SolvedSlots&& other) noexcept;
        ~SolvedSlots();
        const SolvedSegment* get(std::size_t i, const Segment& s) const;

    private:
        void clear();
        std::unique_ptr<std::atomic<const SolvedSegment*>[]> m_slots;
        std::size_t m_size = 0;
    };

    std::vector<Segment> m_segments;
    SolvedSlots m_solved;
    std::vector<Run> m_runs;
    double m_max_stray = 0.0; // the largest stray of any segment (radians)
    Box m_bounds{GeoPoint{180.0, 90.0}, GeoPoint{-180.0, -90.0}};
    boost::geometry::index::rtree<Entry, boost::geometry::index::rstar<16>> m_tree;
};

/// A lon/lat box containing every point within `radius` of p (conservative: never too small).
Box expand_by(const GeoPoint& p, Meters radius);
/// A lon/lat box containing every point within `radius` of any point of `box` (conservative).
/// Its longitudes are not clamped: a box reaching past ±180° says the neighbourhood wraps; one
/// reaching ±90° (or whose longitudes span 360°) that it takes in a pole.
Box expand_by(const Box& box, Meters radius);

/// The parts of a lon/lat box within longitudes [-180, 180]: the box itself, or, when it reaches
/// past ±180° (as expand_by's boxes do near the antimeridian), the part on this side and the part
/// that wraps round to the other. Zones and lines never cross ±180° (import rejects them), but a
/// point's neighbourhood may: a query must look on both sides.
struct BoxParts {
    std::array<Box, 2> part;
    std::size_t count = 1;
    const Box* begin() const { return part.data(); }
    const Box* end() const { return part.data() + count; }
};
BoxParts wrap_parts(const Box& box);

/// Calls f(entry) once for each entry of an R-tree of (Box, id) pairs whose box meets `box` or,
/// where `box` reaches past ±180°, its wrapped part (an entry meeting both parts only once).
template <typename Tree, typename F> void for_each_meeting(const Tree& tree, const Box& box, F&& f) {
    const BoxParts parts = wrap_parts(box);
    for (std::size_t k = 0; k < parts.count; ++k)
        for (auto it = tree.qbegin(boost::geometry::index::intersects(parts.part[k])); it != tree.qend(); ++it)
            if (k == 0 || !boost::geometry::intersects(it->first, parts.part[0])) f(*it);
}

} // namespace avf::geo
