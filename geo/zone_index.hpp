// Which zones contain a point — inside, on the boundary, or (with a location-uncertainty disk)
// partly — for a fixed set of validated zones.
//
//   avf::geo::ZoneIndex index(zone_set.zones);          // zones must outlive the index
//   std::vector<avf::geo::ZoneHit> hits;
//   index.locate(p, avf::Meters{500}, hits);            // every zone the 500 m disk touches
//   for (auto& h : hits) if (h.disk == avf::geo::DiskRelation::within) ...
//
// Zone edges are straight in lon/lat (the project's convention), so the centre test is planar on
// lon/lat coordinates, with exactly the answers of Boost.Geometry within / covered_by. The
// distance from the centre to a zone's boundary is geodesic, to the boundary densified into
// ≤ 250 m pieces so that each piece taken as a geodesic stays within millimetres of the straight
// lon/lat edge.
//
// How it is fast: an R-tree over zone envelopes selects candidate zones; each zone has a
// geo::ZoneGrid whose cells are known inside / outside / boundary, so the centre test costs O(1)
// except in boundary cells, where only the edges of the point's column strip are tested (Boost's
// own per-edge winding test: same answers, see zone_grid.hpp). An uncertainty disk whose
// conservative lon/lat box touches no boundary cell is within the zone (or misses it) without any
// geodesic computation; only disks near the boundary need the exact distance, from a per-zone
// segment index over the densified boundary, built on first use. Queries are const and
// thread-safe.
#pragma once

#include "core/geometry.hpp"
#include "core/records.hpp"
#include "core/units.hpp"
#include "geo/segment_index.hpp"
#include "geo/zone_grid.hpp"

#include <boost/geometry/index/rtree.hpp>

#include <memory>
#include <mutex>
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
    std::size_t zone = 0; ///< index into the zones given to the index
    Location centre = Location::outside;
    DiskRelation disk = DiskRelation::within;
    Meters boundary_distance{0.0}; ///< distance from the centre to the boundary when < radius (else ≥ radius, not exact)
};

class ZoneIndex {
public:
    explicit ZoneIndex(std::span<const Zone> zones);
    ZoneIndex(const ZoneIndex&) = delete;
    ZoneIndex& operator=(const ZoneIndex&) = delete;

    /// Zones whose closure the point is in, or that the disk of `radius` around it touches.
    /// Hits are ordered by zone index.
    void locate(const GeoPoint& p, Meters radius, std::vector<ZoneHit>& out) const;

    /// Inside / boundary / outside of one zone (planar lon/lat test; Boost.Geometry's answers).
    Location classify(std::size_t zone, const GeoPoint& p) const;
    /// The same answer from the plain Boost.Geometry predicates over the whole zone (no grid):
    /// the reference the fast path is tested against.
    Location classify_plain(std::size_t zone, const GeoPoint& p) const;

    /// Geodesic distance from p to the zone's boundary when below `cap`; `cap` otherwise. A small
    /// cap keeps it cheap: the grid answers `cap` for a point whose cap-wide box touches no boundary
    /// cell, and the segment index looks only at boundary pieces within `cap`.
    Meters distance_to_boundary(std::size_t zone, const GeoPoint& p, Meters cap) const;

    std::span<const Zone> zones() const { return m_zones; }
    const ZoneGrid& grid(std::size_t zone) const { return m_grids[zone]; }

private:
    const SegmentIndex& boundary(std::size_t zone) const; // built on first use
    // The zone grid's cover of a box that may reach past ±180° (wrap_parts).
    ZoneGrid::Cover cover(std::size_t zone, const Box& box) const;

    std::span<const Zone> m_zones;
    std::vector<ZoneGrid> m_grids;                                   // per zone
    mutable std::unique_ptr<std::once_flag[]> m_boundary_once;       // per zone
    mutable std::vector<std::unique_ptr<SegmentIndex>> m_boundaries; // per zone, lazily
    std::vector<Box> m_envelopes;
    boost::geometry::index::rtree<std::pair<Box, std::size_t>, boost::geometry::index::rstar<16>> m_tree;
};

/// All rings of a multipolygon as lines densified to pieces of at most `max_piece`.
MultiLineString boundary_lines(const MultiPolygon& g, Meters max_piece);

} // namespace avf::geo
