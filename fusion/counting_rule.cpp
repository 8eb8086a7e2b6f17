#include "fusion/counting_rule.hpp"

#include "core/spill/byte_codec.hpp"
#include "core/spill/record_file.hpp"
#include "core/spill/spill_file.hpp"
#include "fusion/count_sum.hpp"
#include "fusion/finding_builder.hpp"
#include "fusion/toml_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <tuple>
#include <unordered_map>

namespace avf::fusion {
namespace {

struct CountKey {
    std::size_t target = 0;
    std::string party;
    std::int64_t window = 0; // start of the window (ms), or the instant
    bool operator<(const CountKey& o) const { return std::tie(target, party, window) < std::tie(o.target, o.party, o.window); }
    bool operator==(const CountKey& o) const = default;
};

struct CountKeyHash {
    std::size_t operator()(const CountKey& k) const {
        std::size_t h = std::hash<std::string>{}(k.party);
        h ^= std::hash<std::size_t>{}(k.target) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
        h ^= std::hash<std::int64_t>{}(k.window) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
        return h;
    }
};

// What a counted sighting leaves for the finding: enough to cite it, not the whole detection.
struct CountedItem {
    UtcTime time;
    GeoPoint position;
    double confidence = 1.0;
    Evidence evidence;
};

struct Cell {
    CountSum certain;
    CountSum possible; // items whose disk only straddles the area
};

class CountState : public RuleState {
public:
    explicit CountState(const SpillOptions& spill) : m_spill(spill) {}

    std::unordered_map<CountKey, Cell, CountKeyHash> cells;
    std::string memory;                                   // framed evidence records not yet spilled
    std::vector<std::unique_ptr<spill::SpillFile>> files; // spilled evidence records (this state's and combined ones)

    void add_record(std::string_view record) {
        const auto head = spill::frame_header(record.size());
        memory.append(head.data(), head.size());
        memory.append(record.data(), record.size());
        if (memory.size() >= m_spill.memory_bytes) spill();
    }
    void spill() {
        if (memory.empty()) return;
        if (!m_own) {
            files.push_back(
                std::make_unique<spill::SpillFile>(m_spill.directory.empty() ? spill::SpillFile::default_directory() : m_spill.directory));
            m_own = files.back().get();
        }
        m_own->append(memory);
        memory.clear();
    }
    void adopt(CountState&& other) {
        for (auto& f : other.files) files.push_back(std::move(f));
        other.files.clear();
        other.m_own = nullptr;
        memory.append(other.memory);
        other.memory.clear();
        if (memory.size() >= m_spill.memory_bytes) spill();
    }

private:
    const SpillOptions& m_spill;
    spill::SpillFile* m_own = nullptr; // the file this state appends to (one of `files`)
};

// Evidence record: target, party, window, time, lon, lat, confidence, id, file, position.
void encode(spill::ByteWriter& w, const CountKey& key, const Detection& d) {
    w.u64(key.target);
    w.str(key.party);
    w.i64(key.window);
    w.i64(d.time.ms);
    w.f64(d.position.x());
    w.f64(d.position.y());
    w.f64(d.confidence);
    w.str(d.id.str());
    w.str(d.origin.file);
    w.str(d.origin.feature);
}

} // namespace

bool CountingRule::read_count_options(TomlReader& r, bool optional_limit) {
    auto max = r.optional_integer("max_count");
    auto window = r.optional_duration("window");
    auto aggregation = r.optional_string("aggregation").value_or("window");
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

std::unique_ptr<RuleState> CountingRule::make_state() const {
    return std::make_unique<CountState>(m_spill);
}

void CountingRule::count(RuleState* state, std::size_t target, const Detection& d, bool certain) const {
    auto& s = static_cast<CountState&>(*state);
    std::int64_t window = m_instant ? d.time.ms : window_start(d.time, m_window).ms;
    CountKey key{target, m_per_party ? canonical_party(d.party) : std::string(), window};
    Cell& c = s.cells[key];
    (certain ? c.certain : c.possible) += d.count; // saturating: a huge count never wraps the sum
    thread_local spill::ByteWriter w;
    w.clear();
    encode(w, key, d);
    s.add_record(w.bytes());
}

void CountingRule::combine(RuleState& into, RuleState&& from) const {
    auto& a = static_cast<CountState&>(into);
    auto& b = static_cast<CountState&>(from);
    for (auto& [key, cell] : b.cells) {
        Cell& c = a.cells[key];
        c.certain += cell.certain;
        c.possible += cell.possible;
    }
    b.cells.clear();
    a.adopt(std::move(b));
}

namespace {

void put_sum(spill::ByteWriter& w, const CountSum& n) {
    w.i64(n.value());
    w.u8(n.overflowed() ? 1 : 0);
}

CountSum get_sum(spill::ByteReader& r) {
    CountSum n(r.i64());
    if (r.u8() != 0) n += n.value() > 0 ? 1 : -1; // an overflowed sum holds its int64 limit: one more step saturates it again
    return n;
}

} // namespace

// Cells (key, sums), then every evidence record (1, record)… and 0: what combine() would adopt.
void CountingRule::save_state(RuleState& state, spill::ByteWriter& w) const {
    auto& s = static_cast<CountState&>(state);
    w.u64(s.cells.size());
    for (const auto& [key, cell] : s.cells) {
        w.u64(key.target);
        w.str(key.party);
        w.i64(key.window);
        put_sum(w, cell.certain);
        put_sum(w, cell.possible);
    }
    s.cells.clear();
    auto record = [&](std::string_view r) {
        w.u8(1);
        w.str(r);
    };
    for (auto& f : s.files) {
        f->flush();
        spill::RecordReader reader(*f, 0, f->size());
        std::string_view r;
        while (reader.next(r)) record(r);
    }
    for (std::size_t pos = 0; pos < s.memory.size();) {
        const spill::FrameLength n = spill::frame_length(s.memory.data() + pos);
        record(std::string_view(s.memory).substr(pos + sizeof n, n));
        pos += sizeof n + n;
    }
    w.u8(0);
    std::string().swap(s.memory); // the state is spent (its spill files go with it)
}

void CountingRule::load_state(RuleState& into, spill::ByteReader& r) const {
    auto& s = static_cast<CountState&>(into);
    const std::uint64_t cells = r.u64();
    for (std::uint64_t i = 0; i < cells; ++i) {
        CountKey key;
        key.target = static_cast<std::size_t>(r.u64());
        key.party = std::string(r.str());
        key.window = r.i64();
        Cell& c = s.cells[key];
        c.certain += get_sum(r);
        c.possible += get_sum(r);
    }
    while (r.u8() != 0) s.add_record(r.str());
}

void CountingRule::finalize(RuleState* state, std::vector<Finding>& out) const {
    auto& s = static_cast<CountState&>(*state);
    // The rule's sentence forms: counted per party, or over every party (no party in the key).
    const std::string when = m_instant ? "at {from}" : m_window.ms == 86'400'000 ? "on {date}" : "in the window from {from}";
    const std::string rest =
        " counted " + target_template() + " " + when + " exceed the ceiling of {limit|0} {rule_ref}: {verdict|violation}; {records} detection(s)";
    const std::string what = "{measured|0} " + escape_template(classes_phrase());
    const std::string of_party = what + " {party_of}" + rest, of_all = what + rest;

    // The cells over the limit, in key order; only their evidence is read back.
    std::vector<const CountKey*> over;
    for (const auto& [key, cell] : s.cells)
        if ((cell.certain + cell.possible).exceeds(m_max_count)) over.push_back(&key);
    if (over.empty()) return;
    std::sort(over.begin(), over.end(), [](const CountKey* a, const CountKey* b) { return *a < *b; });
    std::unordered_map<CountKey, std::vector<CountedItem>, CountKeyHash> items;
    for (const CountKey* k : over) items.emplace(*k, std::vector<CountedItem>{});
    auto collect = [&](std::string_view record) {
        spill::ByteReader r(record);
        CountKey key;
        key.target = static_cast<std::size_t>(r.u64());
        key.party = std::string(r.str());
        key.window = r.i64();
        auto it = items.find(key);
        if (it == items.end()) return;
        CountedItem item;
        item.time = UtcTime{r.i64()};
        const double x = r.f64();
        const double y = r.f64();
        item.position = GeoPoint{x, y};
        item.confidence = r.f64();
        item.evidence.record_kind = "detection";
        item.evidence.record_id = std::string(r.str());
        item.evidence.source_file = std::string(r.str());
        item.evidence.source_position = std::string(r.str());
        it->second.push_back(std::move(item));
    };
    for (auto& f : s.files) {
        f->flush();
        spill::RecordReader reader(*f, 0, f->size());
        std::string_view record;
        while (reader.next(record)) collect(record);
    }
    for (std::size_t pos = 0; pos < s.memory.size();) {
        const spill::FrameLength n = spill::frame_length(s.memory.data() + pos);
        collect(std::string_view(s.memory).substr(pos + sizeof n, n));
        pos += sizeof n + n;
    }

    for (const CountKey* kp : over) {
        const CountKey& key = *kp;
        const Cell& cell = s.cells.at(key);
        std::vector<CountedItem>& cell_items = items.at(key);
        const CountSum total = cell.certain + cell.possible;
        Interval span =
            m_instant ? Interval{UtcTime{key.window}, UtcTime{key.window + 1}} : Interval{UtcTime{key.window}, UtcTime{key.window + m_window.ms}};
        // Waivers raise the limit for the windows they overlap.
        const Waiver* waiver = nullptr;
        CountSum allowance; // the limit raised by the waivers (saturating)
        bool unlimited = false;
        for (const auto& w : m_waivers) {
            if (!w.valid.overlaps(span)) continue;
            if (!w.zones.empty() && std::find(w.zones.begin(), w.zones.end(), target_id(key.target)) == w.zones.end()) continue;
            if (!w.parties.empty() && !key.party.empty() && !w.parties.count(key.party)) continue;
            if (!waiver) waiver = &w;
            if (w.max_count)
                allowance += *w.max_count;
            else
                unlimited = true;
        }
        std::sort(cell_items.begin(), cell_items.end(), [](const CountedItem& a, const CountedItem& b) {
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
        f.location = cell_items.front().position;
        f.measured = total.as_double();
        f.limit = static_cast<double>(m_max_count);
        f.unit = "count";
        f.confidence = 1.0;
        f.evidence.reserve(cell_items.size());
        for (auto& item : cell_items) {
            f.confidence = std::min(f.confidence, item.confidence);
            f.evidence.push_back(std::move(item.evidence));
        }
        f.certainty = cell.certain.exceeds(m_max_count) ? Certainty::certain : Certainty::possible;
        // Within the raised limit: an exact total at most max_count + allowances (a raised limit
        // beyond 64 bits holds any exact total; an overflowed total is never taken as within).
        const CountSum raised = allowance + m_max_count;
        bool exempted = waiver && (unlimited || (!total.overflowed() && (raised.overflowed() || total.value() <= raised.value())));
        f.kind = exempted ? FindingKind::exempted : FindingKind::violation;
        if (exempted) f.waiver_id = waiver->id;
        f.id = content_id({m_id, f.target_id, key.party, std::to_string(key.window)});

        f.explanation_template = key.party.empty() ? of_all : of_party;
        out.push_back(std::move(f));
        std::vector<CountedItem>().swap(cell_items); // the evidence now lives in the finding
    }
}

} // namespace avf::fusion
