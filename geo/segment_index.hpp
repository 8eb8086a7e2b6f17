// Nearest-distance queries from a point to a set of geodesic segments — the reference lines of
// standoff and band rules, and the boundaries of zones (for location-uncertainty disks).
//
//   avf::geo::SegmentIndex mdl(line.geometry);                 // segments of a MultiLineString
//   auto d = mdl.distance_within(p, avf::kilometers(70));       // exact when < 70 km
//   if (d.found) use(d.distance, d.part, d.segment);
//
// Each segment is the geodesic between consecutive vertices. An R-tree over segment envelopes
// (widened by the geodesic's bulge away from the straight lon/lat chord and by the query radius,
// both conservatively) selects candidates; candidates are ordered by a cheap great-circle lower
// bound and solved exactly (geo::distance_to_segment) only while the bound can still beat the
// best distance found. Answers are exact, not approximations; queries are const and thread-safe.
#pragma once

#include "core/geometry.hpp"
#include "core/units.hpp"

#include <boost/geometry/index/rtree.hpp>

#include <cstddef>
#include <limits>
#include <utility>
#include <vector>

namespace avf::geo {

class SegmentIndex {
public:
    SegmentIndex() = default;
    /// Indexes every 2-point segment of `lines`. Parts with fewer than 2 points are ignored.
    explicit SegmentIndex(const MultiLineString& lines);

    struct Nearest {
        bool found = false;              ///< a segment lies closer than the limit
        Meters distance{std::numeric_limits<double>::infinity()};
        std::size_t part = 0;            ///< index of the LineString in the MultiLineString
        std::size_t segment = 0;         ///< index of the segment's first vertex in that part
        GeoPoint foot;                   ///< nearest point on the line
    };

    /// The exact nearest distance when it is strictly less than `limit`; found = false otherwise
    /// (then the true distance is ≥ limit).
    Nearest distance_within(const GeoPoint& p, Meters limit) const;
    /// Restricted to segments of `part` whose first vertex index is in [first, last).
    Nearest distance_within(const GeoPoint& p, Meters limit, std::size_t part, std::size_t first, std::size_t last) const;

    std::size_t size() const { return m_segments.size(); }
    bool empty() const { return m_segments.empty(); }

private:
    struct Segment {
        GeoPoint a, b;
        std::size_t part = 0, index = 0;
    };
    using Entry = std::pair<Box, std::size_t>;

    template <typename Accept>
    Nearest query(const GeoPoint& p, Meters limit, Accept&& accept) const;

    std::vector<Segment> m_segments;
    boost::geometry::index::rtree<Entry, boost::geometry::index::rstar<16>> m_tree;
};

/// A lon/lat box containing every point within `radius` of p (conservative: never too small).
Box expand_by(const GeoPoint& p, Meters radius);

} // namespace avf::geo
