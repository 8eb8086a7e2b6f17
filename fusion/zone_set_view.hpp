// A zone set prepared for evaluation: zones and lines by id, selectors, nesting (ancestors), the
// zone index and one segment index per reference line. Built once per run; const afterwards and
// shared read-only by every worker thread.
//
//   ZoneSetView view(std::move(set.zones), std::move(set.lines));
//   std::vector<avf::geo::ZoneHit> hits;
//   view.locate(detection, hits);            // zones touched, plus their ancestors
//   view.line_segments(*view.line_index("MDL")).distance_within(p, avf::kilometers(20));
#pragma once

#include "core/records.hpp"
#include "geo/segment_index.hpp"
#include "geo/zone_index.hpp"

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace avf::fusion {

class ZoneSetView {
public:
    ZoneSetView(std::vector<Zone> zones, std::vector<ReferenceLine> lines);
    ZoneSetView(const ZoneSetView&) = delete;
    ZoneSetView& operator=(const ZoneSetView&) = delete;

    const std::vector<Zone>& zones() const { return m_zones; }
    const std::vector<ReferenceLine>& lines() const { return m_lines; }
    std::optional<std::size_t> zone_index(const std::string& id) const;
    std::optional<std::size_t> line_index(const std::string& id) const;
    /// Zones of a kind ("" = any) whose parties include `party` ("" = any), in zone order.
    std::vector<std::size_t> select_zones(const std::string& kind, const std::string& party) const;

    /// Zones the detection's uncertainty disk touches, each with its relation, plus the
    /// ancestors of each (nesting: an item in a zone counts in every enclosing zone) with the
    /// strongest relation any descendant has. Ordered by zone index.
    void locate(const Detection& d, std::vector<geo::ZoneHit>& out) const;

    const geo::SegmentIndex& line_segments(std::size_t line) const { return m_line_segments[line]; }
    const geo::ZoneIndex& zone_index() const { return *m_index; }
    /// Exact geodesic distance from p to zone z's boundary (for explanations) when below `cap`;
    /// `cap` otherwise (see geo::ZoneIndex::distance_to_boundary: a small cap is cheap).
    Meters distance_to_boundary(std::size_t zone, const GeoPoint& p, Meters cap) const;

private:
    std::vector<Zone> m_zones;
    std::vector<ReferenceLine> m_lines;
    std::unordered_map<std::string, std::size_t> m_zone_ids, m_line_ids;
    std::vector<std::vector<std::size_t>> m_ancestors;
    std::vector<geo::SegmentIndex> m_line_segments;
    std::unique_ptr<geo::ZoneIndex> m_index;
};

} // namespace avf::fusion
