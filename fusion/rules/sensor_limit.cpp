#include "fusion/rules/sensor_limit.hpp"

#include "fusion/finding_builder.hpp"
#include "fusion/imagery.hpp"
#include "fusion/toml_reader.hpp"

#include <fmt/format.h>

#include <cmath>

namespace avf::fusion {
namespace {

constexpr std::array<SensorCategory, 4> categories = {SensorCategory::optical, SensorCategory::video, SensorCategory::infrared, SensorCategory::sar};

// Reads { optical = …, video = …, … }: every key a sensor category, every value a positive number.
template <typename Store> void read_per_category(TomlReader& r, const std::string& key, Store&& store) {
    const toml::table* t = r.optional_table(key);
    if (!t) return;
    TomlReader sub(*t, r.file(), r.path() + "." + key);
    for (SensorCategory c : categories) {
        const std::string name(to_string(c));
        if (auto v = sub.optional_number(name)) {
            if (!std::isfinite(*v) || *v <= 0) sub.fail(name, "must be a positive number of metres", "a number > 0");
            store(c, *v);
        }
    }
    sub.finish();
}

} // namespace

SensorLimitRule::SensorLimitRule(TomlReader& r, const RuleContext& context) {
    read_common(r, context);
    refuse_sources(r);
    read_per_category(r, "min_gsd_m", [&](SensorCategory c, double v) { m_min_gsd[static_cast<std::size_t>(c)] = v; });
    read_per_category(r, "min_height_m", [&](SensorCategory c, double v) { m_min_height[static_cast<std::size_t>(c)] = v; });
    if (auto v = r.optional_number("track_min_height_m")) {
        if (!std::isfinite(*v) || *v <= 0) r.fail("track_min_height_m", "must be a positive number of metres", "a number > 0");
        m_track_min_height = *v;
    }
    r.finish();
}

bool SensorLimitRule::party_in_scope(const std::string& observing) const {
    return m_parties.empty() || !attributed(observing) || m_parties.count(observing) > 0;
}

void SensorLimitRule::evaluate_imagery(const ImageryRecords& in, ImageryOutputs& out) const {
    for (const ImageRecord& im : in.images) {
        const UtcTime t = im.acquisition.from;
        if (!m_valid.contains(t) || !in.period.contains(t) || !party_in_scope(im.observing_party)) continue;
        const auto c = static_cast<std::size_t>(im.sensor);
        const std::string target = im.flight_id.empty() ? im.id.str() : im.flight_id;
        if (im.gsd.value < m_min_gsd[c]) {
            Finding f = image_finding(m_id, m_type, m_article, target, im, "resolution");
            f.kind = FindingKind::violation;
            f.certainty = Certainty::certain;
            f.measured = im.gsd.value;
            f.limit = m_min_gsd[c];
            f.unit = "m";
            f.explanation_template =
                "image {record}: ground resolution {measured|2} m is finer than the {limit|2} m limit {rule_ref}: violation; certain";
            out.findings.push_back(std::move(f));
        }
        if (const auto& h_min = m_min_height[c]) {
            if (std::isnan(im.height.value)) {
                Finding f = image_finding(m_id, m_type, m_article, target, im, "height");
                f.kind = FindingKind::unverifiable;
                f.certainty = Certainty::not_applicable;
                f.measured = 0.0;
                f.limit = *h_min;
                f.unit = "m";
                f.explanation_template = "image {record}: no height above ground recorded, so the certified minimum height of {limit|0} m cannot be "
                                         "checked {rule_ref}: unverifiable";
                out.findings.push_back(std::move(f));
            } else if (im.height.value < *h_min) {
                Finding f = image_finding(m_id, m_type, m_article, target, im, "height");
                f.kind = FindingKind::violation;
                f.certainty = Certainty::certain;
                f.measured = im.height.value;
                f.limit = *h_min;
                f.unit = "m";
                f.explanation_template = "image {record}: taken at {measured|0} m above ground, below the certified minimum height of {limit|0} m "
                                         "{rule_ref}: violation; certain";
                out.findings.push_back(std::move(f));
            }
        }
    }

    if (!m_track_min_height) return;
    const double h_min = *m_track_min_height;
    for (const FlightTrack& track : in.tracks) {
        const auto& pts = track.points;
        auto low = [&](const TrackPoint& p) {
            return p.sensor_on && m_valid.contains(p.time) && in.period.contains(p.time) && !std::isnan(p.height.value) && p.height.value < h_min;
        };
        for (std::size_t i = 0; i < pts.size();) {
            if (!low(pts[i])) {
                ++i;
                continue;
            }
            std::size_t j = i, lowest = i;
            while (j + 1 < pts.size() && low(pts[j + 1])) {
                ++j;
                if (pts[j].height.value < pts[lowest].height.value) lowest = j;
            }
            Finding f;
            f.rule_id = m_id;
            f.rule_type = m_type;
            f.article = m_article;
            f.target_id = track.flight_id;
            f.kind = FindingKind::violation;
            f.certainty = Certainty::certain;
            f.span = Interval{pts[i].time, UtcTime{pts[j].time.ms + 1}};
            f.location = pts[lowest].position;
            f.measured = pts[lowest].height.value;
            f.limit = h_min;
            f.unit = "m";
            f.evidence.push_back(evidence_of(track, i, j));
            f.id = content_id({m_id, track.flight_id, "track-height", format_utc(pts[i].time), track.origin.file});
            f.explanation_template = "flight {target} operated a sensor below the minimum height of {limit|0} m from {from} to {last} (lowest "
                                     "{measured|0} m at {position}) {rule_ref}: violation; certain";
            out.findings.push_back(std::move(f));
            i = j + 1;
        }
    }
}

} // namespace avf::fusion
