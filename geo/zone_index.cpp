#include "geo/zone_index.hpp"

#include "geo/geodesic.hpp"

#include <boost/geometry/algorithms/covered_by.hpp>
#include <boost/geometry/algorithms/envelope.hpp>
#include <boost/geometry/algorithms/within.hpp>

#include <algorithm>
#include <mutex>

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

namespace avf::geo {
namespace {
constexpr Meters boundary_piece{250.0};
}

MultiLineString boundary_lines(const MultiPolygon& g, Meters max_piece) {
    MultiLineString out;
    auto add = [&](const Ring& r) { out.push_back(densify(LineString(r.begin(), r.end()), max_piece)); };
    for (const auto& p : g) {
        add(p.outer());
        for (const auto& h : p.inners()) add(h);
    }
    return out;
}

ZoneIndex::ZoneIndex(std::span<const Zone> zones)
    : m_zones(zones), m_boundary_once(std::make_unique<std::once_flag[]>(zones.size())), m_boundaries(zones.size()) {
    std::vector<std::pair<Box, std::size_t>> entries;
    m_grids.reserve(zones.size());
    for (std::size_t i = 0; i < zones.size(); ++i) {
        Box box;
        bg::envelope(zones[i].geometry, box);
        m_envelopes.push_back(box);
        entries.emplace_back(box, i);
        m_grids.emplace_back(zones[i].geometry);
    }
    m_tree = decltype(m_tree)(entries.begin(), entries.end());
}

const SegmentIndex& ZoneIndex::boundary(std::size_t zone) const {
    std::call_once(m_boundary_once[zone],
                   [&] { m_boundaries[zone] = std::make_unique<SegmentIndex>(boundary_lines(m_zones[zone].geometry, boundary_piece)); });
    return *m_boundaries[zone];
}

ZoneGrid::Cover ZoneIndex::cover(std::size_t zone, const Box& box) const {
    // A neighbourhood that wraps past ±180° is covered part by part: one label only if both agree.
    const BoxParts parts = wrap_parts(box);
    ZoneGrid::Cover c = m_grids[zone].cover(parts.part[0]);
    if (parts.count == 2 && c != ZoneGrid::Cover::mixed && m_grids[zone].cover(parts.part[1]) != c) return ZoneGrid::Cover::mixed;
    return c;
}

Location ZoneIndex::classify(std::size_t zone, const GeoPoint& p) const {
    return m_grids[zone].classify(p);
}

Location ZoneIndex::classify_plain(std::size_t zone, const GeoPoint& p) const {
    const auto& g = m_zones[zone].geometry;
    if (bg::within(p, g)) return Location::inside;
    if (bg::covered_by(p, g)) return Location::boundary;
    return Location::outside;
}

Meters ZoneIndex::distance_to_boundary(std::size_t zone, const GeoPoint& p, Meters cap) const {
    // As in locate: a point whose neighbourhood of `cap` (and a metre) touches no boundary cell is
    // farther than `cap` from the boundary — decided by the grid, without any geodesic.
    if (cover(zone, expand_by(p, Meters{cap.value + 1.0})) != ZoneGrid::Cover::mixed) return cap;
    auto n = boundary(zone).distance_within(p, cap);
    return n.found ? n.distance : cap;
}

void ZoneIndex::locate(const GeoPoint& p, Meters radius, std::vector<ZoneHit>& out) const {
    out.clear();
    Box search = radius.value > 0.0 ? expand_by(p, radius) : Box{p, p};
    for_each_meeting(m_tree, search, [&](const std::pair<Box, std::size_t>& entry) {
        const std::size_t z = entry.second;
        if (radius.value <= 0.0) {
            Location c = classify(z, p);
            if (c == Location::outside) return;
            out.push_back(ZoneHit{z, c, c == Location::inside ? DiskRelation::within : DiskRelation::boundary, Meters{0.0}});
            return;
        }
        // Most disks lie well inside or outside: if the disk's lon/lat box (widened by a metre,
        // far more than the boundary pieces' millimetre bulge) touches no boundary cell, the
        // boundary is farther than `radius` and the centre's side is the cells' label.
        switch (cover(z, expand_by(p, Meters{radius.value + 1.0}))) {
        case ZoneGrid::Cover::outside: return;
        case ZoneGrid::Cover::inside: out.push_back(ZoneHit{z, Location::inside, DiskRelation::within, radius}); return;
        case ZoneGrid::Cover::mixed: break;
        }
        Location c = classify(z, p);
        auto near = boundary(z).distance_within(p, radius);
        if (c == Location::outside && !near.found) return;
        ZoneHit hit{z, c, DiskRelation::partial, near.found ? near.distance : radius};
        // The disk is within the zone when its centre is inside and the boundary is at least
        // `radius` away (distance_within finds only distances strictly below the radius).
        if (c == Location::inside && !near.found) hit.disk = DiskRelation::within;
        out.push_back(hit);
    });
    std::sort(out.begin(), out.end(), [](const ZoneHit& a, const ZoneHit& b) { return a.zone < b.zone; });
}

} // namespace avf::geo
