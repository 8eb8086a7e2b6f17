#include "fusion/imagery.hpp"

#include "fusion/finding_builder.hpp"
#include "fusion/parties.hpp"

#include <boost/geometry.hpp>
#include <boost/geometry/algorithms/point_on_surface.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <tuple>

namespace avf::fusion {
namespace bg = boost::geometry;

ImageryOutputs evaluate_imagery(const Regime& regime, const ImageryRecords& in) {
    ImageryOutputs out;
    for (const auto& rule : regime.rules) rule->evaluate_imagery(in, out);
    std::sort(out.findings.begin(), out.findings.end(), finding_order);
    std::sort(out.coverage.begin(), out.coverage.end(), [](const CoverageRecord& a, const CoverageRecord& b) {
        return std::tie(a.rule_id, a.zone_id, a.period.from, a.period.to) < std::tie(b.rule_id, b.zone_id, b.period.from, b.period.to);
    });
    return out;
}

Evidence evidence_of(const ImageRecord& image) {
    return Evidence{"image", image.id.str(), image.origin.file, image.origin.feature};
}

Evidence evidence_of(const FlightTrack& track, std::size_t first_fix, std::size_t last_fix) {
    std::string position = track.points.empty() ? std::string() : track.points[first_fix].source_position;
    if (!track.points.empty() && last_fix != first_fix) position += "-" + track.points[last_fix].source_position;
    return Evidence{"flight", track.flight_id, track.origin.file, position};
}

GeoPoint representative_point(const MultiPolygon& mp) {
    if (mp.empty()) return GeoPoint{0, 0};
    GeoPoint c;
    bg::centroid(mp, c);
    if (bg::covered_by(c, mp)) return c;
    const Polygon* largest = &mp.front();
    for (const auto& p : mp)
        if (bg::area(p) > bg::area(*largest)) largest = &p;
    GeoPoint s;
    bg::point_on_surface(*largest, s);
    return s;
}

std::string format_meters(double m) {
    if (m >= 100) return fmt::format("{:.0f} m", m);
    if (m >= 10) return fmt::format("{:.1f} m", m);
    return fmt::format("{:.2f} m", m);
}

std::string describe_image(const ImageRecord& image) {
    std::string who;
    if (!image.flight_id.empty()) who = "flight " + image.flight_id;
    if (!image.observing_party.empty() || !image.observed_party.empty()) {
        std::string parties =
            (image.observing_party.empty() ? "?" : image.observing_party) + " over " + (image.observed_party.empty() ? "?" : image.observed_party);
        who += (who.empty() ? "" : ", ") + parties;
    }
    return fmt::format("{} image {}{} taken {}", to_string(image.sensor), image.id.str(), who.empty() ? "" : " (" + who + ")",
                       format_utc(image.acquisition.from));
}

Finding image_finding(const std::string& rule_id, const std::string& rule_type, const std::string& article, const std::string& target_id,
                      const ImageRecord& image, const std::string& aspect) {
    Finding f;
    f.rule_id = rule_id;
    f.rule_type = rule_type;
    f.article = article;
    f.target_id = target_id;
    f.party = canonical_party(image.observing_party);
    f.equipment_class = std::string(to_string(image.sensor));
    f.span = Interval{image.acquisition.from, std::max(image.acquisition.to, UtcTime{image.acquisition.from.ms + 1})};
    f.location = representative_point(image.footprint);
    f.evidence.push_back(evidence_of(image));
    f.id = content_id({rule_id, target_id, image.id.str(), image.origin.file, aspect});
    return f;
}

} // namespace avf::fusion
