// avf findings diff: the findings of two runs of a store compared by their content-derived ids —
// added, removed, and changed with the fields that differ (doubles compared bit for bit).
//
//   avf findings diff RUN_A RUN_B --store demo.h5 [-f table|csv|json] [--fail-on-change]
//
// Both runs are read as a merge of their stored order (a batch of each at a time), so memory holds
// what differs, not the runs; see merge_diff.
#include "cli/app.hpp"
#include "cli/options.hpp"
#include "cli/output.hpp"
#include "cli/progress.hpp"
#include "core/time.hpp"
#include "fusion/finding_builder.hpp"
#include "storage/store.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <unordered_map>
#include <utility>

namespace avf::cli {
namespace {

bool same_double(double a, double b) {
    return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

std::string evidence_text(const Finding& f) {
    std::string out;
    for (const auto& e : f.evidence) out += (out.empty() ? "" : " ") + e.record_kind + ":" + e.record_id;
    return out;
}

/// The fields of `a` and `b` that differ, with their values (as JSON, for machines).
struct FieldChange {
    std::string field;
    nlohmann::json before, after;
};

std::vector<FieldChange> compare(const Finding& a, const Finding& b) {
    std::vector<FieldChange> out;
    auto text = [&](const char* name, const std::string& x, const std::string& y) {
        if (x != y) out.push_back({name, x, y});
    };
    auto real = [&](const char* name, double x, double y) {
        if (!same_double(x, y)) out.push_back({name, x, y});
    };
    text("kind", std::string(to_string(a.kind)), std::string(to_string(b.kind)));
    text("certainty", std::string(to_string(a.certainty)), std::string(to_string(b.certainty)));
    real("measured", a.measured, b.measured);
    real("limit", a.limit, b.limit);
    text("unit", a.unit, b.unit);
    real("confidence", a.confidence, b.confidence);
    text("waiver", a.waiver_id, b.waiver_id);
    text("time", format_interval(a.span), format_interval(b.span));
    if (!same_double(a.location.x(), b.location.x()) || !same_double(a.location.y(), b.location.y()))
        out.push_back({"location", {a.location.x(), a.location.y()}, {b.location.x(), b.location.y()}});
    text("article", a.article, b.article);
    if (evidence_text(a) != evidence_text(b)) {
        nlohmann::json x = nlohmann::json::array(), y = nlohmann::json::array();
        for (const auto& e : a.evidence) x.push_back(e.record_id);
        for (const auto& e : b.evidence) y.push_back(e.record_id);
        out.push_back({"evidence", x, y});
    }
    text("explanation", a.explanation, b.explanation);
    return out;
}

/// "limit=30; measured=34" for the table and CSV (evidence as a count, explanations left out).
std::string brief(const std::vector<FieldChange>& changes, bool after) {
    std::string out;
    for (const auto& c : changes) {
        const nlohmann::json& v = after ? c.after : c.before;
        std::string value;
        if (c.field == "explanation") continue;
        if (c.field == "evidence")
            value = std::to_string(v.size()) + " records";
        else
            value = cell_text(v);
        out += (out.empty() ? "" : "; ") + c.field + "=" + value;
    }
    return out;
}

/// The main fields of a finding that exists in one run only (as `before`).
std::vector<FieldChange> all_fields(const Finding& f) {
    std::vector<FieldChange> out;
    out.push_back({"kind", std::string(to_string(f.kind)), nullptr});
    out.push_back({"certainty", std::string(to_string(f.certainty)), nullptr});
    out.push_back({"measured", f.measured, nullptr});
    out.push_back({"limit", f.limit, nullptr});
    out.push_back({"unit", f.unit, nullptr});
    out.push_back({"time", format_interval(f.span), nullptr});
    if (!f.waiver_id.empty()) out.push_back({"waiver", f.waiver_id, nullptr});
    nlohmann::json ev = nlohmann::json::array();
    for (const auto& e : f.evidence) ev.push_back(e.record_id);
    out.push_back({"evidence", ev, nullptr});
    return out;
}

nlohmann::json as_object(const std::vector<FieldChange>& changes, bool after) {
    nlohmann::json o = nlohmann::json::object();
    for (const auto& c : changes) o[c.field] = after ? c.after : c.before;
    return o;
}

/// The rows of the diff table by change, and the count of unchanged pairs.
struct DiffRows {
    Format format;
    std::vector<std::vector<nlohmann::json>> added, removed;
    std::vector<std::pair<std::size_t, std::vector<nlohmann::json>>> changed; ///< with the finding's row in run B
    std::size_t unchanged = 0;

    std::vector<nlohmann::json> row(const char* change, const Finding& x, const std::vector<FieldChange>& changes, bool has_before,
                                    bool has_after) const {
        const bool json = format == Format::json;
        std::string fields;
        for (const auto& c : changes) fields += (fields.empty() ? "" : ",") + c.field;
        nlohmann::json before = has_before ? (json ? as_object(changes, false) : nlohmann::json(brief(changes, false))) : nlohmann::json();
        nlohmann::json after = has_after ? (json ? as_object(changes, true) : nlohmann::json(brief(changes, true))) : nlohmann::json();
        return {change,
                json || format == Format::csv ? x.id : x.id.substr(0, 12),
                x.rule_id,
                x.target_id,
                x.party,
                std::string(to_string(x.kind)),
                std::string(change) == "changed" ? fields : "",
                before,
                after};
    }
    void add_added(const Finding& b) {
        auto fields = all_fields(b);
        for (auto& c : fields) std::swap(c.before, c.after);
        added.push_back(row("added", b, fields, false, true));
    }
    void add_removed(const Finding& a) { removed.push_back(row("removed", a, all_fields(a), true, false)); }
    /// A finding of A and the one of B (row `b_row`) it is matched with.
    void add_pair(const Finding& a, const Finding& b, std::size_t b_row) {
        auto changes = compare(a, b);
        if (changes.empty()) {
            ++unchanged;
            return;
        }
        changed.emplace_back(b_row, row("changed", b, changes, true, true));
    }
};

/// The diff of two whole runs held in memory, matching the n-th occurrence of an id in A with its
/// n-th in B. What merge_diff falls back to.
void in_memory_diff(const storage::StoreReader& reader, const std::string& run_a, const std::string& run_b, DiffRows& out) {
    std::vector<Finding> a = reader.read_findings(run_a);
    std::vector<Finding> b = reader.read_findings(run_b);
    auto keyed = [](const std::vector<Finding>& list) {
        std::map<std::string, std::size_t> seen;
        std::vector<std::string> keys;
        for (const auto& x : list) {
            std::size_t n = seen[x.id]++;
            keys.push_back(n == 0 ? x.id : x.id + "#" + std::to_string(n + 1));
        }
        return keys;
    };
    std::vector<std::string> ka = keyed(a), kb = keyed(b);
    std::map<std::string, std::size_t> index_a, index_b;
    for (std::size_t i = 0; i < ka.size(); ++i) index_a[ka[i]] = i;
    for (std::size_t i = 0; i < kb.size(); ++i) index_b[kb[i]] = i;
    for (std::size_t i = 0; i < b.size(); ++i)
        if (!index_a.count(kb[i])) out.add_added(b[i]);
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!index_b.count(ka[i])) out.add_removed(a[i]);
    for (std::size_t i = 0; i < b.size(); ++i) {
        auto it = index_a.find(kb[i]);
        if (it != index_a.end()) out.add_pair(a[it->second], b[i], i);
    }
}

/// A run's findings read in stored order, checking that order as it goes.
struct OrderedRun {
    storage::FindingCursor cursor;
    Finding current, previous;
    bool has = false, ordered = true;
    std::size_t row = 0; ///< of `current`

    explicit OrderedRun(storage::FindingCursor c) : cursor(std::move(c)) { has = cursor.next(current); }
    void advance() {
        previous = std::move(current);
        has = cursor.next(current);
        ++row;
        if (has && fusion::finding_order(current, previous)) ordered = false;
    }
};

enum class MergeOutcome { done, unordered, repeated_ids };

/// The diff as a merge-join of the two runs in their stored order (fusion::finding_order: rule,
/// target, start, id), holding one batch of each run plus what differs. A finding of A and one of
/// B with the same key are a pair (compared); the findings left over on either side are matched
/// by id afterwards (the same id under another key: a changed target or start), which gives the
/// in-memory diff's answer when no id repeats within a run. `unordered` when a run is not in
/// that order, `repeated_ids` when a left-over id occurs more than once in a run (then the
/// occurrence matching needs the whole runs): `out` is not used then.
MergeOutcome merge_diff(const storage::StoreReader& reader, const std::string& run_a, const std::string& run_b, DiffRows& out) {
    OrderedRun a(reader.findings(run_a)), b(reader.findings(run_b));
    DiffRows rows{out.format, {}, {}, {}, 0};
    std::vector<Finding> left_a;
    std::vector<std::pair<std::size_t, Finding>> left_b;
    while (a.has || b.has) {
        if (a.has && (!b.has || fusion::finding_order(a.current, b.current))) {
            left_a.push_back(a.current);
            a.advance();
        } else if (b.has && (!a.has || fusion::finding_order(b.current, a.current))) {
            left_b.emplace_back(b.row, b.current);
            b.advance();
        } else {
            rows.add_pair(a.current, b.current, b.row);
            a.advance();
            b.advance();
        }
        if (!a.ordered || !b.ordered) return MergeOutcome::unordered;
    }
    if (!left_a.empty() || !left_b.empty()) {
        // Does any left-over id occur twice in a run? Only ids are read (fields, no evidence).
        std::unordered_map<std::string, std::pair<std::size_t, std::size_t>> seen;
        for (const Finding& x : left_a) seen.emplace(x.id, std::pair<std::size_t, std::size_t>{0, 0});
        for (const auto& [row, x] : left_b) seen.emplace(x.id, std::pair<std::size_t, std::size_t>{0, 0});
        bool repeated = false;
        for (bool first : {true, false}) {
            auto cursor = reader.findings(first ? run_a : run_b, {.keep = [&](const Finding& x) {
                                              auto it = seen.find(x.id);
                                              if (it != seen.end() && ++(first ? it->second.first : it->second.second) > 1) repeated = true;
                                              return false;
                                          }});
            for (Finding x; !repeated && cursor.next(x);) {
            }
        }
        if (repeated) return MergeOutcome::repeated_ids;
        std::unordered_map<std::string, std::size_t> index_a;
        for (std::size_t i = 0; i < left_a.size(); ++i) index_a.emplace(left_a[i].id, i);
        std::vector<bool> matched_a(left_a.size(), false);
        for (const auto& [row, x] : left_b) {
            auto it = index_a.find(x.id);
            if (it == index_a.end()) {
                rows.add_added(x);
                continue;
            }
            matched_a[it->second] = true;
            rows.add_pair(left_a[it->second], x, row);
        }
        for (std::size_t i = 0; i < left_a.size(); ++i)
            if (!matched_a[i]) rows.add_removed(left_a[i]);
        // Changed in run B's order, as the in-memory diff lists them.
        std::stable_sort(rows.changed.begin(), rows.changed.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    }
    out = std::move(rows);
    return MergeOutcome::done;
}

} // namespace

void register_findings_diff(CLI::App& findings) {
    auto store = std::make_shared<std::string>();
    auto run_a = std::make_shared<std::string>();
    auto run_b = std::make_shared<std::string>();
    auto out = std::make_shared<OutputOptions>();
    auto progress = std::make_shared<ProgressOptions>();
    auto fail = std::make_shared<bool>(false);
    auto* cmd = findings.add_subcommand("diff", "Compare the findings of two runs (matched by their content-derived ids): added, removed, changed");
    cmd->add_option("run_a", *run_a, "The earlier run (the baseline)")->required();
    cmd->add_option("run_b", *run_b, "The later run")->required();
    add_store_option(*cmd, *store, false);
    add_format_option(*cmd, *out, {Format::table, Format::csv, Format::json});
    add_progress_options(*cmd, *progress);
    cmd->add_flag("--fail-on-change", *fail, "Exit 1 when any finding was added, removed or changed");
    cmd->callback([store, run_a, run_b, out, progress, fail] {
        Format f = out->resolve();
        ProgressPrinter bar(progress->wanted(), progress->force);
        storage::StoreReader reader(*store);
        // Both runs streamed in their stored order (bounded memory); held whole only when that
        // order or the ids' uniqueness does not hold (stores whose runs were sorted otherwise).
        DiffRows rows{f, {}, {}, {}, 0};
        MergeOutcome outcome = merge_diff(reader, *run_a, *run_b, rows);
        if (outcome != MergeOutcome::done) {
            std::cerr << (outcome == MergeOutcome::unordered ? "note: a run's findings are not stored in (rule, target, start, id) order"
                                                             : "note: a finding id occurs more than once in a run")
                      << "; comparing the two runs in memory\n";
            rows = DiffRows{f, {}, {}, {}, 0};
            in_memory_diff(reader, *run_a, *run_b, rows);
        }
        Table t{{"change", "id", "rule", "target", "party", "kind", "fields", "before", "after"}};
        t.brief = {"change", "id", "rule", "target", "kind", "fields", "before", "after"};
        for (auto& r : rows.added) t.add(std::move(r));
        for (auto& r : rows.removed) t.add(std::move(r));
        for (auto& r : rows.changed) t.add(std::move(r.second));
        const std::size_t added = rows.added.size(), removed = rows.removed.size(), changed = rows.changed.size();
        bar.done(fmt::format("compared {} with {} findings", removed + changed + rows.unchanged, added + changed + rows.unchanged));
        out->print(t, std::cout);
        std::cerr << fmt::format("{} -> {}: {} added, {} removed, {} changed, {} unchanged\n", *run_a, *run_b, added, removed, changed,
                                 rows.unchanged);
        if (*fail && added + removed + changed > 0) set_exit_status(1);
    });
}

} // namespace avf::cli
