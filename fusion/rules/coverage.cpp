#include "fusion/rules/coverage.hpp"

#include "fusion/finding_builder.hpp"
#include "fusion/imagery.hpp"
#include "fusion/toml_reader.hpp"
#include "fusion/zone_set_view.hpp"
#include "geo/coverage.hpp"

#include <boost/geometry.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace avf::fusion {
namespace bg = boost::geometry;

namespace {
constexpr std::size_t max_windows = 100'000;
}

CoverageRule::CoverageRule(TomlReader& r, const RuleContext& context) {
    read_common(r, context);
    refuse_sources(r);
    m_targets.read(r, context.parties);
    m_min_fraction = r.optional_number("min_fraction");
    if (m_min_fraction && !(*m_min_fraction > 0 && *m_min_fraction <= 1))
        r.fail("min_fraction", "must be a fraction of the zone's area", "a number in (0, 1], or no min_fraction to report fractions only");
    if (auto g = r.optional_number("max_gsd_m")) {
        if (!std::isfinite(*g) || *g <= 0) r.fail("max_gsd_m", "must be a positive number of metres", "a number > 0");
        m_max_gsd = *g;
    }
    m_period = r.optional_duration("period");
    for (const auto& s : r.string_list("sensors")) {
        auto c = parse_sensor_category(s);
        if (!c) r.fail("sensors", "unknown sensor category '" + s + "'", "optical, video, infrared or sar");
        m_sensors.push_back(*c);
    }
    r.finish();
}

void CoverageRule::bind(const ZoneSetView& zones) {
    m_targets.bind(zones);
    m_zones = &zones;
}

void CoverageRule::evaluate_imagery(const ImageryRecords& in, ImageryOutputs& out) const {
    // The images that count, whatever the window.
    std::vector<const ImageRecord*> usable;
    for (const ImageRecord& im : in.images) {
        if (m_max_gsd && im.gsd.value > *m_max_gsd) continue;
        if (!m_sensors.empty() && std::find(m_sensors.begin(), m_sensors.end(), im.sensor) == m_sensors.end()) continue;
        if (!m_parties.empty() && !m_parties.count(im.observing_party)) continue;
        usable.push_back(&im);
    }

    // The assessed interval: run period ∩ validity, open ends closed by the images' times.
    Interval assessed{std::max(in.period.from, m_valid.from), std::min(in.period.to, m_valid.to)};
    if (!in.images.empty()) {
        UtcTime first = UtcTime::max(), last = UtcTime::min();
        for (const ImageRecord& im : in.images) {
            first = std::min(first, im.acquisition.from);
            last = std::max(last, im.acquisition.from);
        }
        if (assessed.from.is_min()) assessed.from = std::max(first, m_valid.from);
        if (assessed.to.is_max()) assessed.to = std::min(UtcTime{last.ms + 1}, m_valid.to);
    }
    if (assessed.empty()) return;

    std::vector<Interval> windows;
    if (!m_period || assessed.from.is_min() || assessed.to.is_max()) {
        windows.push_back(assessed);
    } else {
        for (UtcTime w = window_start(assessed.from, *m_period); w < assessed.to; w = UtcTime{w.ms + m_period->ms}) {
            windows.push_back(Interval{std::max(w, assessed.from), std::min(UtcTime{w.ms + m_period->ms}, assessed.to)});
            if (windows.size() > max_windows)
                throw InputError(fmt::format("rule {}: more than {} coverage periods of {} ms in the run; give --from/--to or a longer period", m_id,
                                             max_windows, m_period->ms));
        }
    }

    for (std::size_t zi : m_targets.indices()) {
        const Zone& zone = m_zones->zones()[zi];
        Box zone_box;
        bg::envelope(zone.geometry, zone_box);
        for (const Interval& w : windows) {
            if (!zone.valid.overlaps(w)) continue;
            std::vector<const ImageRecord*> touching;
            for (const ImageRecord* im : usable) {
                if (!w.contains(im->acquisition.from) || !zone.valid.contains(im->acquisition.from)) continue;
                Box b;
                bg::envelope(im->footprint, b);
                if (!bg::intersects(b, zone_box) || !bg::intersects(im->footprint, zone.geometry)) continue;
                touching.push_back(im);
            }
            std::vector<const MultiPolygon*> footprints;
            footprints.reserve(touching.size());
            for (const ImageRecord* im : touching) footprints.push_back(&im->footprint);
            geo::Coverage cov = geo::coverage(zone.geometry, footprints);

            CoverageRecord rec;
            rec.rule_id = m_id;
            rec.zone_id = zone.id.str();
            rec.period = w;
            rec.zone_area_m2 = cov.zone_area_m2;
            rec.covered_area_m2 = cov.covered_area_m2;
            rec.fraction = cov.fraction;
            rec.required_fraction = m_min_fraction.value_or(std::numeric_limits<double>::quiet_NaN()); // NaN: no minimum
            rec.best_gsd_m = std::numeric_limits<double>::quiet_NaN();
            for (const ImageRecord* im : touching) {
                if (std::isnan(rec.best_gsd_m) || im->gsd.value < rec.best_gsd_m) rec.best_gsd_m = im->gsd.value;
                rec.last_observed = std::max(rec.last_observed, im->acquisition.from);
            }
            rec.images = touching.size();

            if (m_min_fraction && cov.fraction < *m_min_fraction) {
                Finding f;
                f.rule_id = m_id;
                f.rule_type = m_type;
                f.article = m_article;
                f.target_id = zone.id.str();
                f.kind = FindingKind::coverage_gap;
                f.certainty = Certainty::certain;
                f.span = w;
                f.location = representative_point(cov.uncovered.empty() ? zone.geometry : cov.uncovered);
                f.measured = cov.fraction;
                f.limit = *m_min_fraction;
                f.unit = "fraction";
                for (const ImageRecord* im : touching) f.evidence.push_back(evidence_of(*im));
                f.id = content_id({m_id, zone.id.str(), "coverage", format_utc(w.from), format_utc(w.to)});
                const std::string gsd = m_max_gsd ? " at " + format_meters(*m_max_gsd) + " or better" : "";
                f.explanation_template = "{target} was imaged over a fraction {measured|3} of its area" + escape_template(gsd) +
                                         " from {from} to {to} ({records} images), less than the required {limit|3} {rule_ref}: coverage gap";
                rec.finding_id = f.id;
                out.findings.push_back(std::move(f));
            }
            rec.uncovered = std::move(cov.uncovered);
            out.coverage.push_back(std::move(rec));
        }
    }
}

} // namespace avf::fusion
