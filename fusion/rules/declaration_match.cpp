#include "fusion/rules/declaration_match.hpp"

#include "fusion/count_sum.hpp"
#include "fusion/declared_area.hpp"
#include "fusion/finding_builder.hpp"
#include "fusion/parties.hpp"
#include "fusion/toml_reader.hpp"
#include "geo/geodesic.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>
#include <utility>

namespace avf::fusion {

DeclarationMatchRule::DeclarationMatchRule(TomlReader& r, const RuleContext& context) {
    read_common(r, context);
    auto kinds = r.string_list("kinds");
    if (kinds.empty()) kinds = {"deployment", "exercise", "movement"};
    for (const auto& k : kinds) {
        if (k != "deployment" && k != "exercise" && k != "movement" && k != "notification")
            r.fail("kinds", "unknown declaration kind '" + k + "'", "deployment, exercise, movement, notification");
        m_kinds.insert(k);
    }
    m_tolerance_m = r.optional_meters("tolerance_m").value_or(0.0);
    if (auto t = r.optional_duration("time_tolerance", /*allow_zero=*/true)) m_time_tolerance = *t;
    m_count_tolerance = r.optional_number("count_tolerance").value_or(0.1);
    if (!(m_count_tolerance >= 0.0 && m_count_tolerance <= 1.0))
        r.fail("count_tolerance", "must be a fraction of the declared quantity", "a number in [0, 1]");
    m_count_tolerance_abs = r.optional_integer("count_tolerance_abs").value_or(0);
    if (m_count_tolerance_abs < 0) r.fail("count_tolerance_abs", "must not be negative", "items >= 0");
    m_period = read_aggregation(r);
    if (auto w = r.optional_duration("window")) m_window = *w;
    m_max_gsd_m = r.optional_number("max_gsd_m").value_or(1.0);
    if (!(m_max_gsd_m > 0.0)) r.fail("max_gsd_m", "must be positive", "metres > 0");
    m_min_coverage = r.optional_number("min_coverage").value_or(0.9);
    if (!(m_min_coverage > 0.0 && m_min_coverage <= 1.0)) r.fail("min_coverage", "must be in (0, 1]", "a fraction of the declared area");
    r.finish();
}

namespace {

struct Pair {
    double distance;
    std::size_t declaration; // index into the sorted declarations
    std::size_t observation; // index into the canonical observations
};

} // namespace

void DeclarationMatchRule::finalize(RuleState* state, std::vector<Finding>& out) const {
    if (report_missing_declarations(state, out)) return;
    std::vector<MergedObservation> obs = observations(state);

    // Declarations in scope, sorted by id (the tie-break of the allocation).
    std::vector<const Declaration*> decls;
    for (const auto& d : declarations())
        if (m_kinds.count(d.kind) && declaration_in_scope(d) && d.valid.overlaps(m_inputs.period)) decls.push_back(&d);
    std::sort(decls.begin(), decls.end(), [](const Declaration* a, const Declaration* b) { return a->id < b->id; });
    std::vector<DeclaredArea> places;
    std::vector<Interval> valid; // validity ± time_tolerance (saturating: an unbounded end stays unbounded)
    for (const Declaration* d : decls) {
        places.push_back(DeclaredArea::of(*d, m_zones));
        bool unbounded = false;
        valid.push_back(Interval{UtcTime{checked_add(d->valid.from.ms, -m_time_tolerance.ms, unbounded)},
                                 UtcTime{checked_add(d->valid.to.ms, m_time_tolerance.ms, unbounded)}});
    }
    auto party_matches = [](const MergedObservation& o, const Declaration& d) { return o.party.empty() || same_party(o.party, d.party); };

    // Compatible pairs. Each observation looks only at the declared places of its class and party
    // (every party's when its own is unknown) whose reach its uncertainty disk may meet
    // (DeclaredAreaIndex: a superset, then decided exactly as before); the pairs are put in a
    // total order below, so the order they are found in does not matter.
    std::map<std::pair<std::string, std::string>, DeclaredAreaIndex> by_class_party; // (class, canonical party)
    for (std::size_t j = 0; j < decls.size(); ++j)
        by_class_party[{decls[j]->equipment_class, canonical_party(decls[j]->party)}].add(j, places[j], places[j].reach(m_tolerance_m));
    for (auto& [key, index] : by_class_party) index.build();
    std::vector<Pair> pairs;
    std::vector<bool> reachable(obs.size(), false); // a declaration the uncertainty disk reaches, matched or not
    std::vector<std::size_t> candidates;
    auto pair_with = [&](std::size_t i, const DeclaredAreaIndex& index) {
        const MergedObservation& o = obs[i];
        index.near(o.position, o.members.front().uncertainty_m, candidates);
        for (std::size_t j : candidates) {
            const Declaration& d = *decls[j];
            const DeclaredArea& place = places[j];
            if (!party_matches(o, d) || !valid[j].contains(o.time)) continue;
            const double dist = place.distance(o.position);
            const double reach = place.reach(m_tolerance_m);
            if (dist <= reach)
                pairs.push_back(Pair{dist, j, i});
            else if (dist - o.members.front().uncertainty_m <= reach)
                reachable[i] = true;
        }
    };
    for (std::size_t i = 0; i < obs.size(); ++i) {
        const MergedObservation& o = obs[i];
        if (!o.party.empty()) {
            if (auto it = by_class_party.find({o.equipment_class, o.party}); it != by_class_party.end()) pair_with(i, it->second);
            continue;
        }
        for (auto it = by_class_party.lower_bound({o.equipment_class, std::string()});
             it != by_class_party.end() && it->first.first == o.equipment_class; ++it)
            pair_with(i, it->second);
    }
    // The window of each observation: a UTC day by default, one for the whole period with
    // aggregation = "period".
    std::vector<std::int64_t> obs_window(obs.size(), 0);
    if (!m_period)
        for (std::size_t i = 0; i < obs.size(); ++i) obs_window[i] = window_start(obs[i].time, m_window).ms;
    // Allocation per window: a declared quantity is what is there at any time, so each window
    // (a UTC day by default) starts from the full quantity, and a declaration's observed count is
    // its peak over windows — never a sum over days, which would count the same items again.
    // With aggregation = "period" there is one window: the declaration's whole period, summed.
    std::sort(pairs.begin(), pairs.end(), [&](const Pair& a, const Pair& b) {
        const std::int64_t wa = obs_window[a.observation], wb = obs_window[b.observation];
        return std::tie(wa, a.distance, a.declaration, a.observation) < std::tie(wb, b.distance, b.declaration, b.observation);
    });

    struct Tally {
        CountSum matched, excess;              // saturating sums
        std::vector<std::size_t> observations; // cited
        CountSum seen() const { return matched + excess; }
    };
    std::vector<std::map<std::int64_t, Tally>> tallies(decls.size());    // per declaration, per window
    std::map<std::pair<std::int64_t, std::size_t>, std::int64_t> unused; // (window, declaration) → quantity left
    std::vector<std::int64_t> left(obs.size());
    for (std::size_t i = 0; i < obs.size(); ++i) left[i] = obs[i].count;
    std::vector<std::size_t> nearest(obs.size(), decls.size());
    std::vector<bool> cited_at_nearest(obs.size(), false); // its first pair (the nearest declaration) moved items
    for (const Pair& p : pairs) {
        const std::int64_t w = obs_window[p.observation];
        const bool first = nearest[p.observation] == decls.size();
        if (first) nearest[p.observation] = p.declaration;
        auto [it, fresh] = unused.emplace(std::make_pair(w, p.declaration), decls[p.declaration]->quantity);
        const std::int64_t n = std::min(left[p.observation], it->second);
        if (n <= 0) continue;
        left[p.observation] -= n;
        it->second -= n;
        Tally& t = tallies[p.declaration][w];
        t.matched += n;
        t.observations.push_back(p.observation);
        if (first) cited_at_nearest[p.observation] = true;
    }
    for (std::size_t i = 0; i < obs.size(); ++i) {
        const MergedObservation& o = obs[i];
        if (left[i] == 0) continue;
        if (nearest[i] != decls.size()) { // compatible but used up: excess at the nearest declaration
            Tally& t = tallies[nearest[i]][obs_window[i]];
            t.excess += left[i];
            if (!cited_at_nearest[i]) t.observations.push_back(i);
            continue;
        }
        Finding f;
        f.kind = FindingKind::discrepancy;
        f.certainty = reachable[i] || o.party.empty() ? Certainty::possible : Certainty::certain; // unknown party: it may be another party's
        f.rule_id = m_id;
        f.rule_type = m_type;
        f.article = m_article;
        f.party = o.party;
        f.equipment_class = o.equipment_class;
        f.span = o.span;
        f.location = o.position;
        f.measured = static_cast<double>(left[i]);
        f.limit = 0.0;
        f.unit = "count";
        f.confidence = o.support.confidence;
        for (const auto& m : o.members) f.evidence.push_back(m.evidence());
        f.id = content_id({m_id, "undeclared", o.members.front().id, o.members.front().file});
        f.explanation_template = "undeclared: {measured|0} {class} {party_of} observed {from} at {position} ({records} sightings merged) with no "
                                 "compatible declaration {rule_ref}: discrepancy; {certainty}; confidence {confidence|2}";
        out.push_back(std::move(f));
    }

    for (std::size_t j = 0; j < decls.size(); ++j) {
        const Declaration& d = *decls[j];
        const DeclaredArea& place = places[j];
        // The peak window (the earliest of equal peaks).
        const Tally* peak = nullptr;
        for (const auto& [w, t] : tallies[j])
            if (!peak || t.seen().greater_than(peak->seen())) peak = &t;
        const CountSum seen = peak ? peak->seen() : CountSum{};
        Interval window{std::max(d.valid.from, m_inputs.period.from), std::min(d.valid.to, m_inputs.period.to)};
        window = Interval{std::max(window.from, m_valid.from), std::min(window.to, m_valid.to)};
        Finding f;
        f.rule_id = m_id;
        f.rule_type = m_type;
        f.article = m_article;
        f.target_id = d.id.str();
        f.party = canonical_party(d.party);
        f.equipment_class = d.equipment_class;
        f.span = window;
        f.location = place.resolved ? place.centre : GeoPoint{0.0, 0.0};
        f.unit = "count";
        f.limit = static_cast<double>(d.quantity);
        f.measured = seen.as_double();
        f.certainty = Certainty::certain;
        f.evidence.push_back(evidence_of(d));
        std::vector<SourcedConfidence> confidences;
        for (std::size_t i : peak ? peak->observations : std::vector<std::size_t>{}) {
            for (const auto& m : obs[i].members) f.evidence.push_back(m.evidence());
            auto c = obs[i].confidences();
            confidences.insert(confidences.end(), c.begin(), c.end());
        }
        const Support support = combine_confidence(confidences);
        std::string sub;
        if (!place.resolved) {
            sub = "unverifiable";
            f.kind = FindingKind::unverifiable;
            f.certainty = Certainty::not_applicable;
            f.confidence = 1.0;
            f.explanation_template = "unverifiable: declaration {target} ({class} {party_of}): its site is not in the zone set, so nothing can be "
                                     "matched to it {rule_ref}";
        } else if (!seen.overflowed() && seen.value() == 0 && d.quantity > 0) {
            if (!m_inputs.coverage) {
                sub = "unverifiable";
                f.kind = FindingKind::unverifiable;
                f.certainty = Certainty::not_applicable;
                f.confidence = 1.0;
                f.explanation_template =
                    "unverifiable: nothing observed for declaration {target} ({limit|0} {class} {party_of}) and the run has no imagery of its place "
                    "in its window, so it can be neither confirmed nor called unconfirmed (never compliant by default) {rule_ref}";
            } else {
                const double fraction = m_inputs.coverage->imaged_fraction(place.coverage_area(), window, m_max_gsd_m);
                f.confidence = std::clamp(fraction, 0.0, 1.0);
                if (fraction >= m_min_coverage) {
                    sub = "unconfirmed";
                    f.kind = FindingKind::discrepancy;
                    f.explanation_template =
                        "unconfirmed: nothing observed for declaration {target} ({limit|0} {class} {party_of}) although a fraction {confidence|2} of "
                        "its place was imaged adequately in its window {rule_ref}: discrepancy; certain; confidence {confidence|2} (imaged fraction)";
                } else {
                    sub = "coverage_gap";
                    f.kind = FindingKind::coverage_gap;
                    f.certainty = Certainty::not_applicable;
                    f.explanation_template =
                        "coverage gap: nothing observed for declaration {target} ({limit|0} {class} {party_of}) and only a fraction {confidence|2} "
                        "of its place was imaged adequately in its window, too little to call it unconfirmed {rule_ref}";
                }
            }
        } else {
            // allowed = max(abs, floor(fraction × quantity)), kept within 64 bits.
            const double by_fraction = std::floor(m_count_tolerance * static_cast<double>(d.quantity));
            const std::int64_t allowed = std::max<std::int64_t>(
                m_count_tolerance_abs, by_fraction >= 9.2e18 ? std::numeric_limits<std::int64_t>::max() : static_cast<std::int64_t>(by_fraction));
            CountSum diff = seen;
            diff -= d.quantity;
            const bool more = diff.value() > 0;
            const std::uint64_t magnitude =
                diff.value() < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(diff.value()) : static_cast<std::uint64_t>(diff.value());
            if (!diff.overflowed() && magnitude <= static_cast<std::uint64_t>(allowed)) continue; // confirmed: no finding
            sub = "count_mismatch";
            f.kind = FindingKind::discrepancy;
            f.confidence = support.confidence;
            if (!more && !m_inputs.coverage) {
                f.certainty = Certainty::possible; // the run has no imagery to tell whether all of its place was seen
            } else if (!more) {
                const double fraction = m_inputs.coverage->imaged_fraction(place.coverage_area(), window, m_max_gsd_m);
                if (fraction < m_min_coverage) f.certainty = Certainty::possible; // too little of its place imaged adequately
            }
            f.explanation_template =
                more ? "count mismatch: {measured|0} {class} observed for declaration {target} of {limit|0} {class} {party_of}: more "
                       "than declared {rule_ref}: discrepancy; {certainty}; confidence {confidence|2}; {records} records"
                     : "count mismatch: {measured|0} {class} observed for declaration {target} of {limit|0} {class} {party_of}: fewer "
                       "than declared {rule_ref}: discrepancy; {certainty}; confidence {confidence|2}; {records} records";
        }
        f.id = content_id({m_id, sub, d.id.str(), d.origin.file});
        out.push_back(std::move(f));
    }
}

} // namespace avf::fusion
