#include "fusion/rules/notification.hpp"

#include "fusion/count_sum.hpp"
#include "fusion/declared_area.hpp"
#include "fusion/finding_builder.hpp"
#include "fusion/toml_reader.hpp"
#include "geo/geodesic.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <tuple>

namespace avf::fusion {
namespace {

std::map<std::string, std::int64_t> read_thresholds(TomlReader& r, const std::string& key, const Taxonomy& taxonomy,
                                                    const std::set<std::string>& scope) {
    std::map<std::string, std::int64_t> out;
    const toml::table* t = r.optional_table(key);
    if (!t) return out;
    TomlReader sub(*t, r.file(), r.path() + "." + key);
    for (const auto& [name, node] : *t) {
        const std::string cls(name.str());
        const std::string* canonical = taxonomy.resolve(cls);
        if (!canonical) sub.fail(cls, "unknown equipment class '" + cls + "'", "a class declared in [classes]");
        if (!scope.empty() && !scope.count(*canonical))
            sub.fail(cls, "class '" + cls + "' is not in the rule's classes", "one of the rule's classes");
        auto v = sub.optional_integer(cls);
        if (!v || *v <= 0) sub.fail(cls, "threshold must be a positive whole number", "an integer > 0");
        out[*canonical] = *v;
    }
    sub.finish();
    return out;
}

std::string thousands(std::int64_t n) {
    return format_count(n, true);
}
std::string thousands(const CountSum& n) {
    return format_count(n, true);
}

// The items of one class observed in one window (or the whole activity), and when they were seen.
struct Strength {
    CountSum items;
    UtcTime first = UtcTime::max(), last = UtcTime::min();
    std::string when() const { return format_days(first, last); }
};

} // namespace

NotificationRule::NotificationRule(TomlReader& r, const RuleContext& context) {
    read_common(r, context);
    m_notify = read_thresholds(r, "notify", context.taxonomy, m_classes);
    if (m_notify.empty()) r.fail("notify", "missing required key", "notify = { troops = 9000, battle_tank = 250, … }");
    m_observe = read_thresholds(r, "observe", context.taxonomy, m_classes);
    if (auto d = r.optional_duration("lead_time")) m_lead_time = *d;
    if (auto m = r.optional_km("cluster_distance_km")) m_cluster_m = *m;
    if (auto g = r.optional_duration("cluster_gap")) m_cluster_gap = *g;
    m_period = read_aggregation(r);
    if (auto w = r.optional_duration("window")) m_window = *w;
    m_tolerance_m = r.optional_meters("tolerance_m").value_or(0.0);
    auto kinds = r.string_list("kinds");
    if (kinds.empty()) kinds = {"notification", "exercise"};
    for (const auto& k : kinds) {
        if (k != "deployment" && k != "exercise" && k != "movement" && k != "notification")
            r.fail("kinds", "unknown declaration kind '" + k + "'", "deployment, exercise, movement, notification");
        m_kinds.insert(k);
    }
    r.finish();
}

void NotificationRule::finalize(RuleState* state, std::vector<Finding>& out) const {
    if (report_missing_declarations(state, out)) return;
    std::vector<MergedObservation> obs = observations(state);

    // Activities: per party, single-linkage in space and time. Indices sorted by (party, time, canonical index).
    std::vector<std::size_t> order(obs.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return std::tie(obs[a].party, obs[a].time, a) < std::tie(obs[b].party, obs[b].time, b); });
    std::vector<std::size_t> parent(obs.size());
    std::iota(parent.begin(), parent.end(), std::size_t{0});
    auto find = [&](std::size_t x) {
        while (parent[x] != x) x = parent[x] = parent[parent[x]];
        return x;
    };
    for (std::size_t a = 0; a < order.size(); ++a) {
        const MergedObservation& oa = obs[order[a]];
        for (std::size_t b = a + 1; b < order.size(); ++b) {
            const MergedObservation& ob = obs[order[b]];
            if (ob.party != oa.party || ob.time.ms - oa.time.ms > m_cluster_gap.ms) break;
            if (geo::distance(oa.position, ob.position).value > m_cluster_m + k_distance_slack_m) continue;
            std::size_t ra = find(order[a]), rb = find(order[b]);
            if (ra != rb) parent[std::max(ra, rb)] = std::min(ra, rb);
        }
    }
    std::map<std::size_t, std::vector<std::size_t>> activities; // root → members (in `order` order: party, time)
    for (std::size_t i : order) activities[find(i)].push_back(i);

    std::vector<const Declaration*> notices;
    for (const auto& d : declarations())
        if (m_kinds.count(d.kind) && declaration_in_scope(d)) notices.push_back(&d);
    std::sort(notices.begin(), notices.end(), [](const Declaration* a, const Declaration* b) { return a->id < b->id; });
    std::vector<DeclaredArea> places;
    for (const Declaration* d : notices) places.push_back(DeclaredArea::of(*d, m_zones));

    const std::string ref = format_rule_ref(m_id, m_article);
    for (const auto& [root, members] : activities) {
        const MergedObservation& first = obs[members.front()];
        const std::string party = first.party;
        Interval span{first.time, UtcTime{first.time.ms + 1}};
        for (std::size_t i : members) span.to = std::max(span.to, obs[i].span.to);

        // Strength per class: the peak over windows (the earliest of equal peaks), or with
        // aggregation = "period" the sum over the whole activity. Sums saturate, never wrap.
        std::map<std::string, std::map<std::int64_t, Strength>> per_window;
        for (std::size_t i : members) {
            Strength& s = per_window[obs[i].equipment_class][m_period ? std::int64_t{0} : window_start(obs[i].time, m_window).ms];
            s.items += obs[i].count;
            s.first = std::min(s.first, obs[i].time);
            s.last = std::max(s.last, obs[i].time);
        }
        std::map<std::string, Strength> peak;
        for (const auto& [cls, windows] : per_window) {
            const Strength* best = nullptr;
            for (const auto& [w, n] : windows)
                if (!best || n.items.greater_than(best->items)) best = &n;
            peak[cls] = *best;
        }

        // What crosses the notification threshold (the class furthest above it names the finding).
        const std::string* crossing = nullptr;
        double ratio = 0.0;
        for (const auto& [cls, limit] : m_notify) {
            auto it = peak.find(cls);
            if (it == peak.end() || !it->second.items.reaches(limit)) continue;
            const double r = it->second.items.as_double() / static_cast<double>(limit);
            if (!crossing || r > ratio) {
                crossing = &cls;
                ratio = r;
            }
        }

        // Notifications for this activity.
        std::vector<std::size_t> matched;
        std::map<std::string, CountSum> declared;
        for (std::size_t j = 0; j < notices.size(); ++j) {
            const Declaration& d = *notices[j];
            if (!same_party(d.party, party) || !d.valid.overlaps(span) || !places[j].resolved) continue;
            bool here = false;
            for (std::size_t i : members)
                if (places[j].within(obs[i].position, m_tolerance_m)) {
                    here = true;
                    break;
                }
            if (!here) continue;
            matched.push_back(j);
            declared[d.equipment_class] += d.quantity;
        }
        if (!crossing && matched.empty()) continue;

        std::vector<SourcedConfidence> confidences;
        std::vector<Evidence> evidence;
        std::size_t sightings = 0;
        for (std::size_t i : members) {
            auto c = obs[i].confidences();
            confidences.insert(confidences.end(), c.begin(), c.end());
            for (const auto& m : obs[i].members) evidence.push_back(m.evidence());
            sightings += obs[i].members.size();
        }
        for (std::size_t j : matched) evidence.push_back(evidence_of(*notices[j]));
        const Support support = combine_confidence(confidences);
        std::string strengths;
        for (const auto& [cls, p] : peak)
            strengths += fmt::format("{}{} {} ({} {})", strengths.empty() ? "" : ", ", thousands(p.items), cls, m_period ? "seen" : "peak", p.when());
        std::string notice_ids;
        for (std::size_t j : matched) notice_ids += (notice_ids.empty() ? "" : ", ") + notices[j]->id.str();
        const std::string activity =
            fmt::format("activity of {} from {} to {} around {} ({} observations, {} sightings; {} {})", party.empty() ? "unknown party" : party,
                        format_utc(span.from), format_utc(UtcTime{span.to.ms - 1}), format_position(first.position), members.size(), sightings,
                        m_period ? "strength summed over the activity" : "peak strength", strengths);

        auto make = [&](const std::string& sub, FindingKind kind, const std::string& cls) {
            Finding f;
            f.kind = kind;
            f.certainty = kind == FindingKind::violation ? Certainty::certain : Certainty::not_applicable;
            f.rule_id = m_id;
            f.rule_type = m_type;
            f.article = m_article;
            // The target: the notification of this class, else the first of the activity's.
            f.target_id = matched.empty() ? std::string() : notices[matched.front()]->id.str();
            for (std::size_t j : matched)
                if (notices[j]->equipment_class == cls) {
                    f.target_id = notices[j]->id.str();
                    break;
                }
            f.party = party;
            f.equipment_class = cls;
            f.span = span;
            f.location = first.position;
            f.unit = "count";
            f.confidence = support.confidence;
            f.evidence = evidence;
            f.id = content_id({m_id, sub, cls, party, first.members.front().id, first.members.front().file});
            return f;
        };

        if (crossing && matched.empty()) {
            Finding f = make("not_notified", FindingKind::violation, *crossing);
            f.measured = peak[*crossing].items.as_double();
            f.limit = static_cast<double>(m_notify.at(*crossing));
            f.explanation = fmt::format("not notified: {} reached the notification threshold of {} {} ({} {} {}) and no notification was "
                                        "declared for it {}: violation; certain; {}",
                                        activity, thousands(m_notify.at(*crossing)), *crossing, thousands(peak[*crossing].items), *crossing,
                                        peak[*crossing].when(), ref, describe(support));
            out.push_back(std::move(f));
            continue;
        }
        if (matched.empty()) continue;

        if (crossing) {
            UtcTime notified = UtcTime::max();
            for (std::size_t j : matched)
                if (!notices[j]->notified.is_min()) notified = std::min(notified, notices[j]->notified);
            if (!notified.is_max() && span.from.ms - notified.ms < m_lead_time.ms) {
                Finding f = make("late_notification", FindingKind::violation, *crossing);
                const double days = static_cast<double>(span.from.ms - notified.ms) / 86'400'000.0;
                f.measured = days;
                f.limit = static_cast<double>(m_lead_time.ms) / 86'400'000.0;
                f.unit = "days";
                f.explanation = fmt::format("late notification: {} was notified on {} ({}), {:.1f} days before it started; at least {:.0f} days "
                                            "required {}: violation; certain; {}",
                                            activity, format_utc(notified), notice_ids, days, f.limit, ref, describe(support));
                out.push_back(std::move(f));
            }
        }

        // Under-declaration, per class: the highest threshold the observed peak reaches and the declared strength does not.
        for (const auto& [cls, p] : peak) {
            const CountSum decl = declared.count(cls) ? declared.at(cls) : CountSum{};
            std::string which;
            std::int64_t limit = 0;
            if (m_observe.count(cls) && p.items.reaches(m_observe.at(cls)) && !decl.reaches(m_observe.at(cls))) {
                which = "observation";
                limit = m_observe.at(cls);
            } else if (m_notify.count(cls) && p.items.reaches(m_notify.at(cls)) && !decl.reaches(m_notify.at(cls))) {
                which = "notification";
                limit = m_notify.at(cls);
            } else {
                continue;
            }
            std::string class_ids;
            for (std::size_t j : matched)
                if (notices[j]->equipment_class == cls) class_ids += (class_ids.empty() ? "" : ", ") + notices[j]->id.str();
            if (class_ids.empty()) class_ids = "none for " + cls + "; notified: " + notice_ids;
            Finding f = make("under_declared", FindingKind::discrepancy, cls);
            f.measured = p.items.as_double();
            f.limit = static_cast<double>(limit);
            f.explanation =
                fmt::format("under-declared: {} declared {} {} ({}) but the {} {} at {} {} {}, at or above the {} threshold "
                            "of {} {} {}: discrepancy; {}",
                            party.empty() ? "unknown party" : party, thousands(decl), cls, class_ids, activity, m_period ? "summed" : "peaked",
                            thousands(p.items), cls, p.when(), which, thousands(limit),
                            which == "observation" ? "(observers must be invited)" : "(prior notification required)", ref, describe(support));
            out.push_back(std::move(f));
        }
    }
}

} // namespace avf::fusion
