// Which zones contain a point — inside, on the boundary, or (with a location-uncertainty disk)
// partly — for a fixed set of validated zones.
//
//   avf::geo::ZoneIndex index(zone_set.zones);          // zones must outlive the index
//   std::vector<avf::geo::ZoneHit> hits;
//   index.locate(p, avf::Meters{500}, hits);            // every zone the 500 m disk touches
//   for (auto& h : hits) if (h.disk == avf::geo::DiskRelation::within) ...
//
// Zone edges are straight in lon/lat (the project's convention), so the centre test is planar on
// lon/lat coordinates (Boost.Geometry within / covered_by). The distance from the centre to a
// zone's boundary is geodesic, to the boundary densified into ≤ 250 m pieces so that each piece
// taken as a geodesic stays within millimetres of the straight lon/lat edge.
// An R-tree over zone envelopes selects candidates. Queries are const and thread-safe.
#pragma once

#include "core/geometry.hpp"
#include "core/records.hpp"
#include "core/units.hpp"
#include "geo/segment_index.hpp"

#include <boost/geometry/index/rtree.hpp>

#include <span>
#include <vector>

namespace avf::geo {

/// How an uncertainty disk relates to a zone.
enum class DiskRelation {
    within,   ///< the whole disk is inside the zone (for a zero radius: the point is inside)
    boundary, ///< zero radius and the point lies exactly on the boundary
    partial,  ///< the disk straddles the boundary
};

struct ZoneHit {
    std::size_t zone = 0;          ///< index into the zones given to the index
    Location centre = Location::outside;
    DiskRelation disk = DiskRelation::within;
    Meters boundary_distance{0.0}; ///< distance from the centre to the boundary when < radius (else ≥ radius, not exact)
};

class ZoneIndex {
public:
    explicit ZoneIndex(std::span<const Zone> zones);

    /// Zones whose closure the point is in, or that the disk of `radius` around it touches.
    /// Hits are ordered by zone index.
    void locate(const GeoPoint& p, Meters radius, std::vector<ZoneHit>& out) const;

    /// Inside / boundary / outside of one zone (planar lon/lat test).
    Location classify(std::size_t zone, const GeoPoint& p) const;

    /// Geodesic distance from p to the zone's boundary when below `cap`; `cap` otherwise.
    Meters distance_to_boundary(std::size_t zone, const GeoPoint& p, Meters cap) const;

    std::span<const Zone> zones() const { return m_zones; }

private:
    std::span<const Zone> m_zones;
    std::vector<SegmentIndex> m_boundaries; // per zone
    std::vector<Box> m_envelopes;
    boost::geometry::index::rtree<std::pair<Box, std::size_t>, boost::geometry::index::rstar<16>> m_tree;
};

/// All rings of a multipolygon as lines densified to pieces of at most `max_piece`.
MultiLineString boundary_lines(const MultiPolygon& g, Meters max_piece);

} // namespace avf::geo
