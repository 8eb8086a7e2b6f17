#include "fusion/rules/notification.hpp"

#include "fusion/count_sum.hpp"
#include "fusion/declared_area.hpp"
#include "fusion/dedup.hpp"
#include "fusion/finding_builder.hpp"
#include "fusion/toml_reader.hpp"
#include "geo/geodesic.hpp"

#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <numeric>
#include <tuple>

namespace avf::fusion {
namespace bgi = boost::geometry::index;
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

// The under-declared sentence forms: the threshold reached is that of observation or of notification.
constexpr const char* under_declared_observation =
    "under-declared: {party_of} observed {measured|0} {class} from {from} to {last}, at or above the observation threshold of {limit|0} "
    "(observers must be invited) that its notifications do not reach {rule_ref}: discrepancy; confidence {confidence|2}";
constexpr const char* under_declared_notification =
    "under-declared: {party_of} observed {measured|0} {class} from {from} to {last}, at or above the notification threshold of {limit|0} "
    "(prior notification required) that its notifications do not reach {rule_ref}: discrepancy; confidence {confidence|2}";

// The items of one class observed in one window (or the whole activity), and when they were seen.
struct Strength {
    CountSum items;
    UtcTime first = UtcTime::max(), last = UtcTime::min();
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
    // Links: a sweep in that order keeping the observations of the same party at most
    // cluster_gap earlier in an R-tree, asked for those within a conservative box of
    // cluster_distance_km (box_within), each then measured exactly (earlier one first) unless
    // farther_than says it is out of reach. A component's root is its smallest index whatever
    // the order of the unions, so the activities are those of the scan over every pair.
    using Entry = std::pair<GeoPoint, std::size_t>; // position, position in `order`
    bgi::rtree<Entry, bgi::quadratic<16>> recent;
    std::size_t oldest = 0; // order[oldest, b) of the same party are in `recent` unless too early
    std::vector<Entry> nearby;
    const double link_m = m_cluster_m + k_distance_slack_m;
    for (std::size_t b = 0; b < order.size(); ++b) {
        const MergedObservation& ob = obs[order[b]];
        if (b > 0 && obs[order[b - 1]].party != ob.party) {
            recent.clear();
            oldest = b;
        }
        for (; oldest < b && ob.time.ms - obs[order[oldest]].time.ms > m_cluster_gap.ms; ++oldest)
            recent.remove(Entry{obs[order[oldest]].position, oldest});
        nearby.clear();
        recent.query(bgi::intersects(box_within(ob.position, link_m)), std::back_inserter(nearby));
        for (const auto& [position, a] : nearby) {
            if (farther_than(position, ob.position, link_m) || geo::distance(position, ob.position).value > link_m) continue;
            std::size_t ra = find(order[a]), rb = find(order[b]);
            if (ra != rb) parent[std::max(ra, rb)] = std::min(ra, rb);
        }
        recent.insert(Entry{ob.position, b});
    }
    std::map<std::size_t, std::vector<std::size_t>> activities; // root → members (in `order` order: party, time)
    for (std::size_t i : order) activities[find(i)].push_back(i);

    std::vector<const Declaration*> notices;
    for (const auto& d : declarations())
        if (m_kinds.count(d.kind) && declaration_in_scope(d)) notices.push_back(&d);
    std::sort(notices.begin(), notices.end(), [](const Declaration* a, const Declaration* b) { return a->id < b->id; });
    std::vector<DeclaredArea> places;
    places.reserve(notices.size());
    for (const Declaration* d : notices) places.push_back(DeclaredArea::of(*d, m_zones));
    PartyMap<DeclaredAreaIndex> by_party; // the places of each party's notifications
    for (std::size_t j = 0; j < notices.size(); ++j) by_party[notices[j]->party].add(j, places[j], places[j].reach(m_tolerance_m));
    for (auto& [p, index] : by_party) index.build();
    std::vector<std::size_t> candidates;
    std::vector<bool> here(notices.size(), false); // matched by the activity at hand

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

        // Notifications for this activity: those of its party overlapping its span whose place
        // holds one of its observations, in id order. Each observation asks the party's index
        // for the places it may be in, and only those are measured.
        std::vector<std::size_t> matched;
        if (auto index = by_party.find(party); index != by_party.end()) {
            for (std::size_t i : members) {
                index->second.near(obs[i].position, 0.0, candidates);
                for (std::size_t j : candidates) {
                    if (here[j] || !notices[j]->valid.overlaps(span) || !places[j].within(obs[i].position, m_tolerance_m)) continue;
                    here[j] = true;
                    matched.push_back(j);
                }
            }
            std::sort(matched.begin(), matched.end());
            for (std::size_t j : matched) here[j] = false;
        }
        std::map<std::string, CountSum> declared;
        for (std::size_t j : matched) declared[notices[j]->equipment_class] += notices[j]->quantity;
        if (!crossing && matched.empty()) continue;

        std::vector<SourcedConfidence> confidences;
        std::vector<Evidence> evidence;
        for (std::size_t i : members) {
            auto c = obs[i].confidences();
            confidences.insert(confidences.end(), c.begin(), c.end());
            for (const auto& m : obs[i].members) evidence.push_back(m.evidence());
        }
        for (std::size_t j : matched) evidence.push_back(evidence_of(*notices[j]));
        const Support support = combine_confidence(confidences);

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
            f.explanation_template = "not notified: {measured|0} {class} {party_of} from {from} to {last} reached the notification threshold of "
                                     "{limit|0} and no notification was declared for it {rule_ref}: violation; certain; confidence {confidence|2}";
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
                f.explanation_template = "late notification: {class} {party_of} from {from} was notified {measured|1} days before it started; at "
                                         "least {limit|0} days required {rule_ref}: violation; certain; confidence {confidence|2}";
                out.push_back(std::move(f));
            }
        }

        // Under-declaration, per class: the highest threshold the observed peak reaches and the declared strength does not.
        for (const auto& [cls, p] : peak) {
            const CountSum decl = declared.count(cls) ? declared.at(cls) : CountSum{};
            const char* sentence = nullptr;
            std::int64_t limit = 0;
            if (m_observe.count(cls) && p.items.reaches(m_observe.at(cls)) && !decl.reaches(m_observe.at(cls))) {
                sentence = under_declared_observation;
                limit = m_observe.at(cls);
            } else if (m_notify.count(cls) && p.items.reaches(m_notify.at(cls)) && !decl.reaches(m_notify.at(cls))) {
                sentence = under_declared_notification;
                limit = m_notify.at(cls);
            } else {
                continue;
            }
            Finding f = make("under_declared", FindingKind::discrepancy, cls);
            f.measured = p.items.as_double();
            f.limit = static_cast<double>(limit);
            f.explanation_template = sentence;
            out.push_back(std::move(f));
        }
    }
}

} // namespace avf::fusion
