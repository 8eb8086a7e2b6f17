// `notification` (rule type 5, threshold ⇒ obligation): observed military activities against the
// notification and observation thresholds of the Vienna Document 2011 (ch. V, VI) and against the
// notifications the party declared for them.
//
//   [[rules]]
//   id = "vd11-notification"; type = "notification"; article = "Vienna Document 2011 ch. V-VI"
//   classes = ["troops", "battle_tank", "acv", "artillery"]
//   notify  = { troops = 9000, battle_tank = 250, acv = 500, artillery = 250 }   # required
//   observe = { troops = 13000, battle_tank = 300 }                             # optional
//   lead_time = "P42D"            # notification at least this long before the activity starts (default P42D)
//   cluster_distance_km = 30      # observations this close (and close in time) belong to one activity (default 30)
//   cluster_gap = "P2D"           # … and at most this far apart in time (default P2D)
//   window = "P1D"                # strength = peak over these windows (default P1D, UTC days)
//   aggregation = "window"        # or "period": strength = sum over the whole activity (no `window` then)
//   tolerance_m = 0               # around a notification's declared place (default 0)
//   kinds = ["notification", "exercise"]  # declaration kinds taken as notifications (default these two)
//
// Method (docs/decisions.md, "Declarations and fusion"):
//   1. In-scope detections are de-duplicated (fusion/dedup.hpp) into observations.
//   2. Activities: per party (an unknown party forms its own activities), single-linkage
//      clustering — two observations are linked when at most cluster_distance_km apart
//      (geodesic) and at most cluster_gap apart in time; an activity is a connected component.
//      Deterministic: observations are in canonical order and components are named by their
//      first member.
//   3. Strength: the Vienna Document counts "at any time during the activity", so per class the
//      strength is the peak over windows of the items observed in the window (de-duplicated
//      observations are distinct items) — never a sum over days, which would count the same
//      troops twice.
//   4. Notifications for the activity: declarations of the same party, of the configured kinds,
//      whose validity overlaps the activity and whose place (± tolerance_m) holds at least one of
//      its observations. Declared strength per class = the sum of their quantities.
//   5. Findings (thresholds are reached at the value: 9,000 troops notifiable, 8,999 not):
//      `not_notified` (violation): a notification threshold is reached and nothing was declared;
//      `late_notification` (violation): the earliest `notified` time is less than lead_time before
//      the activity's start; `under_declared` (discrepancy): per class, the observed peak reaches a
//      threshold (observation first, else notification) that the declared strength stays below —
//      "declared 12,700 troops, observed 13,400 ≥ 13,000".
#pragma once

#include "fusion/declaration_rule.hpp"

#include <map>
#include <set>
#include <string>

namespace avf::fusion {

class NotificationRule : public DeclarationRule {
public:
    NotificationRule(TomlReader& r, const RuleContext& context);
    void bind(const ZoneSetView& zones) override { m_zones = &zones; }
    void finalize(RuleState* state, std::vector<Finding>& out) const override;

private:
    std::map<std::string, std::int64_t> m_notify, m_observe;
    Duration m_lead_time{42LL * 86'400'000};
    double m_cluster_m = 30'000.0;
    Duration m_cluster_gap{2LL * 86'400'000};
    Duration m_window{86'400'000};
    double m_tolerance_m = 0.0;
    std::set<std::string> m_kinds;
    const ZoneSetView* m_zones = nullptr;
};

} // namespace avf::fusion
