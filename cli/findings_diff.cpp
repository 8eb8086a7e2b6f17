// avf findings diff: the findings of two runs of a store compared by their content-derived ids —
// added, removed, and changed with the fields that differ (doubles compared bit for bit).
//
//   avf findings diff RUN_A RUN_B --store demo.h5 [-f table|csv|json] [--fail-on-change]
#include "cli/app.hpp"
#include "cli/options.hpp"
#include "cli/output.hpp"
#include "cli/progress.hpp"
#include "core/time.hpp"
#include "storage/store.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <bit>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>

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
        std::vector<Finding> a = reader.read_findings(*run_a);
        std::vector<Finding> b = reader.read_findings(*run_b);
        // A run's ids are unique; should one repeat, its occurrences are matched in order.
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

        const bool json = f == Format::json;
        Table t{{"change", "id", "rule", "target", "party", "kind", "fields", "before", "after"}};
        auto add = [&](const char* change, const Finding& x, const std::vector<FieldChange>& changes, bool has_before, bool has_after) {
            std::string fields;
            for (const auto& c : changes) fields += (fields.empty() ? "" : ",") + c.field;
            nlohmann::json before = has_before ? (json ? as_object(changes, false) : nlohmann::json(brief(changes, false))) : nlohmann::json();
            nlohmann::json after = has_after ? (json ? as_object(changes, true) : nlohmann::json(brief(changes, true))) : nlohmann::json();
            t.add({change, json || f == Format::csv ? x.id : x.id.substr(0, 12), x.rule_id, x.target_id, x.party, std::string(to_string(x.kind)),
                   std::string(change) == "changed" ? fields : "", before, after});
        };
        std::size_t added = 0, removed = 0, changed = 0, unchanged = 0;
        for (std::size_t i = 0; i < b.size(); ++i)
            if (!index_a.count(kb[i])) {
                auto fields = all_fields(b[i]);
                for (auto& c : fields) std::swap(c.before, c.after);
                add("added", b[i], fields, false, true);
                ++added;
            }
        for (std::size_t i = 0; i < a.size(); ++i)
            if (!index_b.count(ka[i])) {
                add("removed", a[i], all_fields(a[i]), true, false);
                ++removed;
            }
        for (std::size_t i = 0; i < b.size(); ++i) {
            auto it = index_a.find(kb[i]);
            if (it == index_a.end()) continue;
            auto changes = compare(a[it->second], b[i]);
            if (changes.empty()) {
                ++unchanged;
                continue;
            }
            add("changed", b[i], changes, true, true);
            ++changed;
        }
        t.brief = {"change", "id", "rule", "target", "kind", "fields", "before", "after"};
        const std::string summary =
            fmt::format("{} -> {}: {} added, {} removed, {} changed, {} unchanged", *run_a, *run_b, added, removed, changed, unchanged);
        bar.done("compared " + std::to_string(a.size()) + " with " + std::to_string(b.size()) + " findings");
        out->print(t, std::cout);
        std::cerr << summary << "\n";
        if (*fail && added + removed + changed > 0) set_exit_status(1);
    });
}

} // namespace avf::cli
