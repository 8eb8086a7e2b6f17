// `sensor_limit`: observation imagery may not be sharper than the treaty allows, and sensors may
// be used only at or above their certified minimum height (Open Skies art. IV: 0.30 m for optical
// and video cameras, 0.50 m for infra-red line scanners, 3 m for sideways-looking SAR).
//
//   [[rules]]
//   id = "os-resolution"; type = "sensor_limit"; article = "Open Skies art. IV ¶2"
//   parties = ["USA"]                          # observing parties in scope (default: all)
//   min_gsd_m = { optical = 0.30, video = 0.30, infrared = 0.50, sar = 3.0 }   # the defaults
//   min_height_m = { optical = 900.0 }         # certified minimum height above ground, per category (default: none)
//   track_min_height_m = 900.0                 # sensor-on fixes of any track below this height (default: not checked)
//
// Per image (acquisition start within the rule's validity and the run period):
//   * GSD strictly finer than the limit (gsd < min_gsd_m) → violation, measured = GSD in m,
//     limit = min_gsd_m; exactly at the limit complies. For SAR the GSD is the finer of range and
//     azimuth resolution when the item gives no `gsd`;
//   * height above ground strictly below min_height_m → violation (measured = height); an image
//     without a height when its category has a minimum height → unverifiable.
// Per track: each run of consecutive sensor-on fixes below track_min_height_m → one violation
// (measured = the lowest height; evidence: the flight with its first and last fix).
#pragma once

#include "fusion/rule.hpp"

#include <array>
#include <optional>

namespace avf::fusion {

class SensorLimitRule : public Rule {
public:
    RuleSide side() const override { return RuleSide::imagery; }
    SensorLimitRule(TomlReader& r, const RuleContext& context);
    void bind(const ZoneSetView&) override {}
    void evaluate(const LocatedDetection&, RuleState*, std::vector<Finding>&) const override {}
    void evaluate_imagery(const ImageryRecords& in, ImageryOutputs& out) const override;

    /// The Open Skies limits, per SensorCategory (optical, video, infrared, sar).
    static constexpr std::array<double, 4> open_skies_min_gsd_m = {0.30, 0.30, 0.50, 3.0};

private:
    bool party_in_scope(const std::string& observing) const;
    std::array<double, 4> m_min_gsd = open_skies_min_gsd_m;
    std::array<std::optional<double>, 4> m_min_height;
    std::optional<double> m_track_min_height;
};

} // namespace avf::fusion
