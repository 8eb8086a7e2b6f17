// `band`: limits that apply between D1 and D2 km (geodesic) of a reference line, optionally only
// on one side (inside `within_zone`, e.g. a party's territory). With max_count, a ceiling per
// window on the items in the band; without, the scoped items are prohibited in the band.
//
//   [[rules]]
//   id = "kor-fwd-tanks"; type = "band"; article = "…"
//   line = "MDL"
//   from_km = 2.0                          # band is [from_km, to_km): from inclusive, to exclusive
//   to_km = 10.0
//   within_zone = "KOR"                    # optional side restriction
//   classes = ["battle_tank"]; parties = ["KOR"]
//   max_count = 30                         # optional; absent = prohibited in the band
//   window = "P1D"                         # or aggregation = "instant"
//
// Membership of an uncertainty disk: certain when the whole disk lies in the band (and inside
// within_zone), possible when it overlaps. The disk's points are between max(0, d − r) and d + r
// from the line, so with from_km = 0 a disk that crosses the line is certainly not too close; the
// band covers both sides of the line unless within_zone restricts it to one (a disk across the
// line is then partly outside that zone: possible).
#pragma once

#include "core/error.hpp"
#include "fusion/counting_rule.hpp"

namespace avf::fusion {

class BandRule : public CountingRule {
public:
    BandRule(TomlReader& r, const RuleContext& context);
    void bind(const ZoneSetView& zones) override;
    void evaluate(const LocatedDetection& located, RuleState* state, std::vector<Finding>& out) const override;

private:
    std::string target_id(std::size_t target) const override;
    std::string target_template() const override;

    std::string m_line_id, m_within_zone_id;
    double m_from_m = 0.0, m_to_m = 0.0;
    bool m_has_limit = false;
    Context m_where_line, m_where_zone;
    std::size_t m_line = 0;
    std::optional<std::size_t> m_within_zone;
    const ZoneSetView* m_zones = nullptr;
};

} // namespace avf::fusion
