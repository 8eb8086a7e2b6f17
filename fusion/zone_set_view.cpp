#include "fusion/zone_set_view.hpp"

#include "fusion/parties.hpp"

#include <algorithm>

namespace avf::fusion {

ZoneSetView::ZoneSetView(std::vector<Zone> zones, std::vector<ReferenceLine> lines) : m_zones(std::move(zones)), m_lines(std::move(lines)) {
    for (std::size_t i = 0; i < m_zones.size(); ++i) m_zone_ids.emplace(m_zones[i].id.str(), i);
    for (std::size_t i = 0; i < m_lines.size(); ++i) m_line_ids.emplace(m_lines[i].id.str(), i);
    m_ancestors.resize(m_zones.size());
    for (std::size_t i = 0; i < m_zones.size(); ++i) {
        // Parent chains were checked for existence and cycles at import; guard anyway.
        std::string parent = m_zones[i].parent;
        while (!parent.empty() && m_ancestors[i].size() < m_zones.size()) {
            auto it = m_zone_ids.find(parent);
            if (it == m_zone_ids.end() || it->second == i) break;
            m_ancestors[i].push_back(it->second);
            parent = m_zones[it->second].parent;
        }
    }
    for (const auto& l : m_lines) m_line_segments.emplace_back(l.geometry);
    m_index = std::make_unique<geo::ZoneIndex>(m_zones);
}

std::optional<std::size_t> ZoneSetView::zone_index(const std::string& id) const {
    auto it = m_zone_ids.find(id);
    return it == m_zone_ids.end() ? std::nullopt : std::optional<std::size_t>(it->second);
}

std::optional<std::size_t> ZoneSetView::line_index(const std::string& id) const {
    auto it = m_line_ids.find(id);
    return it == m_line_ids.end() ? std::nullopt : std::optional<std::size_t>(it->second);
}

std::vector<std::size_t> ZoneSetView::select_zones(const std::string& kind, const std::string& party) const {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < m_zones.size(); ++i) {
        const Zone& z = m_zones[i];
        if (!kind.empty() && z.kind != kind) continue;
        if (!party.empty()) {
            // The zone's parties are comma-separated codes; compared as party codes are everywhere.
            bool listed = false;
            for (std::size_t b = 0; b <= z.parties.size() && !listed;) {
                std::size_t e = std::min(z.parties.find(',', b), z.parties.size());
                listed = same_party(std::string_view(z.parties).substr(b, e - b), party);
                b = e + 1;
            }
            if (!listed) continue;
        }
        out.push_back(i);
    }
    return out;
}

void ZoneSetView::locate(const Detection& d, std::vector<geo::ZoneHit>& out) const {
    m_index->locate(d.position, d.uncertainty, out);
    if (out.empty()) return;
    bool nested = std::any_of(out.begin(), out.end(), [&](const geo::ZoneHit& h) { return !m_ancestors[h.zone].empty(); });
    if (!nested) return;
    // Rank relations: within > boundary > partial. An ancestor takes the strongest relation of
    // any descendant hit unless it was hit directly with a stronger one.
    auto rank = [](geo::DiskRelation r) { return r == geo::DiskRelation::within ? 2 : r == geo::DiskRelation::boundary ? 1 : 0; };
    std::vector<geo::ZoneHit> extra;
    for (const auto& h : out) {
        for (std::size_t a : m_ancestors[h.zone]) {
            auto direct = std::find_if(out.begin(), out.end(), [a](const geo::ZoneHit& x) { return x.zone == a; });
            if (direct != out.end()) {
                if (rank(h.disk) > rank(direct->disk)) extra.push_back(geo::ZoneHit{a, h.centre, h.disk, h.boundary_distance});
                continue;
            }
            extra.push_back(geo::ZoneHit{a, h.centre, h.disk, h.boundary_distance});
        }
    }
    for (auto& e : extra) {
        auto it = std::find_if(out.begin(), out.end(), [&](const geo::ZoneHit& x) { return x.zone == e.zone; });
        if (it == out.end())
            out.push_back(e);
        else if (rank(e.disk) > rank(it->disk))
            *it = e;
    }
    std::sort(out.begin(), out.end(), [](const geo::ZoneHit& a, const geo::ZoneHit& b) { return a.zone < b.zone; });
}

Meters ZoneSetView::distance_to_boundary(std::size_t zone, const GeoPoint& p, Meters cap) const {
    return m_index->distance_to_boundary(zone, p, cap);
}

} // namespace avf::fusion
