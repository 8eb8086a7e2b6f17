#include "fusion/counting_rule.hpp"

#include "fusion/finding_builder.hpp"
#include "fusion/toml_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

namespace avf::fusion {
namespace {

struct CountKey {
    std::size_t target = 0;
    std::string party;
    std::int64_t window = 0; // start of the window (ms), or the instant
    bool operator<(const CountKey& o) const { return std::tie(target, party, window) < std::tie(o.target, o.party, o.window); }
};

// What a counted sighting leaves for the finding: enough to cite it, not the whole detection.
struct CountedItem {
    UtcTime time;
    GeoPoint position;
    double confidence = 1.0;
    Evidence evidence;
};

struct Counted {
    std::int64_t certain = 0;
    std::int64_t possible = 0; // items whose disk only straddles the area
    std::vector<CountedItem> items;
};

class CountState : public RuleState {
public:
    std::map<CountKey, Counted> cells;
};

} // namespace

bool CountingRule::read_count_options(TomlReader& r, bool optional_limit) {
    auto max = r.optional_integer("max_count");
    auto window = r.optional_duration("window");
    auto aggregation = r.optional_string("aggregation").value_or(window ? "window" : "window");
    if (aggregation != "window" && aggregation != "instant")
        r.fail("aggregation", "unknown aggregation '" + aggregation + "'", "window (with window = \"P1D\"…) or instant");
    m_instant = aggregation == "instant";
    if (m_instant && window) r.fail("window", "aggregation = \"instant\" takes no window");
    if (window) m_window = *window;
    m_per_party = r.optional_bool("per_party").value_or(false);
    if (!max) {
        if (!optional_limit) r.fail("max_count", "missing required key", "an integer ≥ 0");
        return false;
    }
    if (*max < 0) r.fail("max_count", "must not be negative", "an integer ≥ 0");
    m_max_count = *max;
    return true;
}

std::unique_ptr<RuleState> CountingRule::make_state() const { return std::make_unique<CountState>(); }

void CountingRule::count(RuleState* state, std::size_t target, const Detection& d, bool certain) const {
    auto& s = static_cast<CountState&>(*state);
    std::int64_t window = m_instant ? d.time.ms : window_start(d.time, m_window).ms;
    Counted& c = s.cells[CountKey{target, m_per_party ? d.party : std::string(), window}];
    (certain ? c.certain : c.possible) += d.count;
    c.items.push_back(CountedItem{d.time, d.position, d.confidence, evidence_of(d)});
}

void CountingRule::combine(RuleState& into, RuleState&& from) const {
    auto& a = static_cast<CountState&>(into);
    auto& b = static_cast<CountState&>(from);
    for (auto& [key, cell] : b.cells) {
        Counted& c = a.cells[key];
        c.certain += cell.certain;
        c.possible += cell.possible;
        c.items.insert(c.items.end(), std::make_move_iterator(cell.items.begin()), std::make_move_iterator(cell.items.end()));
    }
    b.cells.clear();
}

void CountingRule::finalize(RuleState* state, std::vector<Finding>& out) const {
    auto& s = static_cast<CountState&>(*state);
    std::string what = m_classes.empty() ? std::string("items") : fmt::format("{}", fmt::join(m_classes, "/"));
    for (auto& [key, cell] : s.cells) {
        std::int64_t total = cell.certain + cell.possible;
        if (total <= m_max_count) continue;
        Interval span = m_instant ? Interval{UtcTime{key.window}, UtcTime{key.window + 1}}
                                  : Interval{UtcTime{key.window}, UtcTime{key.window + m_window.ms}};
        // Waivers raise the limit for the windows they overlap.
        const Waiver* waiver = nullptr;
        std::int64_t allowance = 0;
        bool unlimited = false;
        for (const auto& w : m_waivers) {
            if (!w.valid.overlaps(span)) continue;
            if (!w.zones.empty() && std::find(w.zones.begin(), w.zones.end(), target_id(key.target)) == w.zones.end()) continue;
            if (!w.parties.empty() && !key.party.empty() && std::find(w.parties.begin(), w.parties.end(), key.party) == w.parties.end()) continue;
            if (!waiver) waiver = &w;
            if (w.max_count) allowance += *w.max_count;
            else unlimited = true;
        }
        std::sort(cell.items.begin(), cell.items.end(), [](const CountedItem& a, const CountedItem& b) {
            return std::tie(a.time, a.evidence.record_id, a.evidence.source_file, a.evidence.source_position) <
                   std::tie(b.time, b.evidence.record_id, b.evidence.source_file, b.evidence.source_position);
        });
        Finding f;
        f.rule_id = m_id;
        f.rule_type = m_type;
        f.article = m_article;
        f.target_id = target_id(key.target);
        f.party = key.party;
        f.equipment_class = m_classes.size() == 1 ? *m_classes.begin() : std::string();
        f.span = span;
        f.location = cell.items.front().position;
        f.measured = static_cast<double>(total);
        f.limit = static_cast<double>(m_max_count);
        f.unit = "count";
        f.confidence = 1.0;
        for (const auto& item : cell.items) {
            f.evidence.push_back(item.evidence);
            f.confidence = std::min(f.confidence, item.confidence);
        }
        f.certainty = cell.certain > m_max_count ? Certainty::certain : Certainty::possible;
        bool exempted = waiver && (unlimited || total <= m_max_count + allowance);
        f.kind = exempted ? FindingKind::exempted : FindingKind::violation;
        if (exempted) f.waiver_id = waiver->id;
        f.id = content_id({m_id, f.target_id, key.party, std::to_string(key.window)});

        std::string when = m_instant ? "at " + format_utc(span.from) : (m_window.ms == 86'400'000 ? "on " + format_date(span.from)
                                                                                                 : "in the window from " + format_utc(span.from));
        std::string party = key.party.empty() ? "" : " of " + key.party;
        std::string verdict = exempted ? fmt::format("exempted by waiver {} ({})", waiver->id, waiver->basis)
                                       : fmt::format("violation; {}", to_string(f.certainty));
        f.explanation = fmt::format("{} {}{} counted {} {} ({} certainly inside, {} possibly) exceed the ceiling of {} {}: {}; {} detection{}",
                                    total, what, party, target_phrase(key.target), when, cell.certain, cell.possible, m_max_count,
                                    format_rule_ref(m_id, m_article), verdict, cell.items.size(), cell.items.size() == 1 ? "" : "s");
        out.push_back(std::move(f));
    }
}

} // namespace avf::fusion
