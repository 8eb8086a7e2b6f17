#include "fusion/dedup.hpp"

#include "core/taxonomy.hpp"
#include "fusion/parties.hpp"
#include "fusion/toml_reader.hpp"
#include "geo/geodesic.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <numeric>
#include <string_view>
#include <tuple>

namespace avf::fusion {

const DedupTolerance& DedupPolicy::for_class(const std::string& cls) const {
    auto it = per_class.find(cls);
    return it == per_class.end() ? fallback : it->second;
}

namespace {
DedupTolerance read_tolerance(TomlReader& r, const DedupTolerance& base) {
    DedupTolerance t = base;
    if (auto d = r.optional_meters("distance_m")) t.distance = Meters{*d};
    if (auto d = r.optional_duration("time", /*allow_zero=*/true)) t.time = *d;
    return t;
}
} // namespace

DedupPolicy read_dedup_policy(TomlReader& r, const Taxonomy& taxonomy) {
    DedupPolicy p;
    p.fallback = read_tolerance(r, DedupTolerance{});
    if (const toml::table* classes = r.optional_table("classes")) {
        for (const auto& [name, node] : *classes) {
            const std::string cls(name.str());
            const toml::table* t = node.as_table();
            if (!t) r.fail("classes", "every class entry must be a table", "class = { distance_m = …, time = \"PT2H\" }");
            const std::string* canonical = taxonomy.resolve(cls);
            TomlReader c(*t, r.file(), r.path() + ".classes." + cls);
            if (!canonical) c.fail("", "unknown equipment class '" + cls + "'", "a class or alias declared in [classes]");
            p.per_class[*canonical] = read_tolerance(c, p.fallback);
            c.finish();
        }
    }
    r.finish();
    return p;
}

bool farther_than(const GeoPoint& a, const GeoPoint& b, double limit_m) {
    return geo::sphere_ratio_lower * geo::sphere_radius * geo::central_angle(a, b) > limit_m + 1.0;
}

Sighting Sighting::of(const Detection& d) {
    Sighting s;
    s.id = d.id.str();
    s.equipment_class = d.equipment_class;
    s.party = canonical_party(d.party); // codes meet case-insensitively: `prk` is PRK
    s.source = d.source;
    s.source_record = d.source_record;
    s.file = d.origin.file;
    s.position_in_file = d.origin.feature;
    s.time = d.time;
    s.position = d.position;
    s.uncertainty_m = d.uncertainty.value;
    s.count = d.count;
    s.confidence = d.confidence;
    return s;
}

bool sighting_order(const Sighting& a, const Sighting& b) {
    return std::tie(a.equipment_class, a.party, a.time, a.id, a.file, a.position_in_file) <
           std::tie(b.equipment_class, b.party, b.time, b.id, b.file, b.position_in_file);
}

std::vector<SourcedConfidence> MergedObservation::confidences() const {
    std::vector<SourcedConfidence> out;
    for (const auto& m : members) out.push_back({m.source, m.confidence});
    return out;
}

std::vector<MergedObservation> deduplicate(std::vector<Sighting> sightings, const DedupPolicy& policy) {
    {
        // In sighting_order, through an index (a Sighting is ~300 bytes: moved once, not at every
        // swap) and with (class, party) replaced by its rank among the run's pairs, so that most
        // comparisons compare two integers and a time instead of four strings.
        std::map<std::pair<std::string_view, std::string_view>, std::uint32_t> groups;
        for (const auto& s : sightings) groups.emplace(std::make_pair(std::string_view(s.equipment_class), std::string_view(s.party)), 0);
        std::uint32_t next = 0;
        for (auto& [key, rank] : groups) rank = next++;
        std::vector<std::uint32_t> group(sightings.size());
        for (std::size_t i = 0; i < sightings.size(); ++i)
            group[i] = groups.at(std::make_pair(std::string_view(sightings[i].equipment_class), std::string_view(sightings[i].party)));
        std::vector<std::uint32_t> order(sightings.size());
        std::iota(order.begin(), order.end(), std::uint32_t{0});
        std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
            const Sighting &x = sightings[a], &y = sightings[b];
            return std::tie(group[a], x.time, x.id, x.file, x.position_in_file) < std::tie(group[b], y.time, y.id, y.file, y.position_in_file);
        });
        std::vector<Sighting> sorted;
        sorted.reserve(sightings.size());
        for (std::uint32_t i : order) sorted.push_back(std::move(sightings[i]));
        sightings.swap(sorted);
    }
    std::vector<MergedObservation> out;
    std::size_t group_begin = 0;  // first observation of the current (class, party)
    std::size_t window_begin = 0; // first observation whose anchor may still be within the time tolerance
    for (auto& s : sightings) {
        if (out.empty() || out.back().equipment_class != s.equipment_class || out.back().party != s.party) {
            group_begin = window_begin = out.size();
        }
        const DedupTolerance& tol = policy.for_class(s.equipment_class);
        // Anchors are in time order within the group: skip those too early for this sighting.
        while (window_begin < out.size() && out[window_begin].time.ms < s.time.ms - tol.time.ms) ++window_begin;
        std::size_t best = out.size();
        double best_distance = 0.0;
        for (std::size_t i = std::max(group_begin, window_begin); i < out.size(); ++i) {
            const MergedObservation& o = out[i];
            if (!s.source_record.empty() &&
                std::any_of(o.members.begin(), o.members.end(), [&](const Sighting& m) { return m.source_record == s.source_record; }))
                continue;
            if (farther_than(o.position, s.position, tol.distance.value + k_distance_slack_m)) continue;
            const double dist = geo::distance(o.position, s.position).value;
            if (dist > tol.distance.value + k_distance_slack_m) continue;
            if (best == out.size() || dist < best_distance) {
                best = i;
                best_distance = dist;
            }
        }
        if (best == out.size()) {
            MergedObservation o;
            o.equipment_class = s.equipment_class;
            o.party = s.party;
            o.time = s.time;
            o.span = Interval{s.time, UtcTime{s.time.ms + 1}};
            o.position = s.position;
            o.count = s.count;
            o.members.push_back(std::move(s));
            out.push_back(std::move(o));
        } else {
            MergedObservation& o = out[best];
            o.count = std::max(o.count, s.count);
            o.span.to = std::max(o.span.to, UtcTime{s.time.ms + 1});
            o.members.push_back(std::move(s));
        }
    }
    for (auto& o : out) o.support = combine_confidence(o.confidences());
    return out;
}

} // namespace avf::fusion
