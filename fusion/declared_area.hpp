// Where a declaration says its items are, resolved for matching: a point with a radius, a polygon,
// or a site (a zone of the zone set, by id). Shared by declaration_match and notification.
//
// DeclaredAreaIndex answers "which declared places may this point be near?" so that matching
// looks at the few places around an observation instead of every declaration of the run (which
// made a run with 10^4 declarations over 3·10^5 detections quadratic: issue 18 item 7). Each place
// is indexed by a lon/lat box holding every point within its reach, built from geo::expand_by
// (conservative): the index may name a place that is not near, never miss one that is; callers
// then decide with DeclaredArea::distance exactly as without it.
//
//   DeclaredAreaIndex index;
//   for (std::size_t j = 0; j < places.size(); ++j) index.add(j, places[j], places[j].reach(tolerance_m));
//   index.build();
//   index.near(o.position, o.uncertainty_m, candidates); // ascending keys
#pragma once

#include "core/geometry.hpp"
#include "core/records.hpp"

#include <boost/geometry/index/rtree.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace avf::fusion {

class ZoneSetView;

struct DeclaredArea {
    bool resolved = false; ///< false: a site id that is not in the zone set
    bool is_point = false;
    GeoPoint centre; ///< the point, or a representative point of the polygon (for findings)
    double radius_m = 0.0;
    MultiPolygon polygon; ///< area or site geometry (empty for a point)

    static DeclaredArea of(const Declaration& d, const ZoneSetView* zones);
    /// How far p is from the declared place: for a point, the geodesic distance to the centre
    /// (minus nothing: the radius is compared by `within`); for a polygon, 0 inside or on the
    /// boundary, else the geodesic distance to the boundary.
    double distance(const GeoPoint& p) const;
    /// The largest distance() at which a point is within the place enlarged by `tolerance_m`:
    /// radius + tolerance for a point, the tolerance for a polygon (plus k_distance_slack_m).
    double reach(double tolerance_m) const;
    /// True when p is within the declared place enlarged by `tolerance_m` (inclusive):
    /// distance(p) <= reach(tolerance_m).
    bool within(const GeoPoint& p, double tolerance_m) const;
    /// A lon/lat box holding every point whose distance() is at most `reach_m` (conservative:
    /// never too small; the whole longitude range near a pole or the antimeridian).
    Box reach_box(double reach_m) const;
    /// The polygon to ask coverage about (a 64-gon for a point and radius; at least 1 m).
    MultiPolygon coverage_area() const;
    /// "within 2.0 km of 53.1000N 26.0000E", "in area", "at site X"
    std::string describe(const Declaration& d) const;
};

/// A lon/lat box holding every point within `distance_m` of p: geo::expand_by, a metre larger
/// (computed distances are off by nanometres), and the whole longitude range where it would
/// cross the antimeridian (points are never wrapped). For searching R-trees of points or places.
Box box_within(const GeoPoint& p, double distance_m);

/// Declared places by where they reach (see the header comment). Keys are the caller's (an index
/// into its own list); a key may be added once.
class DeclaredAreaIndex {
public:
    /// Indexes a resolved place under `key`, reaching `reach_m` (an unresolved one is ignored).
    void add(std::size_t key, const DeclaredArea& place, double reach_m);
    /// Builds the tree (bulk-loaded); call once after the last add().
    void build();
    /// Replaces `out` with the keys, ascending, of every place whose distance() to p may be at
    /// most its reach plus `extra_m` (an observation's uncertainty radius, or 0). A superset: a
    /// place may be named that is farther.
    void near(const GeoPoint& p, double extra_m, std::vector<std::size_t>& out) const;

private:
    using Entry = std::pair<Box, std::size_t>;
    std::vector<Entry> m_entries; // until build()
    boost::geometry::index::rtree<Entry, boost::geometry::index::rstar<16>> m_tree;
};

} // namespace avf::fusion
