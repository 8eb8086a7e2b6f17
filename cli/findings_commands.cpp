// avf findings list | show | export: a run's findings (or its input problems) read back from the
// store, filtered, as a table, CSV, JSON, GeoJSON or GeoPackage. `findings diff` is
// cli/findings_diff.cpp.
//
//   avf findings list --store demo.h5 --kind violation --certainty certain --limit 15
//   avf findings show 3f2a --store demo.h5          # one finding, its evidence and explanation
//   avf findings export --store demo.h5 -f gpkg -o findings.gpkg
#include "cli/app.hpp"
#include "cli/options.hpp"
#include "cli/output.hpp"
#include "cli/progress.hpp"
#include "cli/recorded_inputs.hpp"
#include "cli/resolve_run.hpp"
#include "core/error.hpp"
#include "ingest/vector_writer.hpp"
#include "storage/store.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <iostream>
#include <memory>

namespace avf::cli {
namespace {

struct Filter {
    std::string run, kind, rule, zone, cls, party, certainty, from, to;
    std::size_t limit = 0;

    void add_to(CLI::App* cmd) {
        cmd->add_option("--run", run, "Run id (default: the latest committed run)");
        cmd->add_option("--kind", kind, "violation | discrepancy | coverage_gap | unverifiable | exempted")
            ->transform(one_of(finding_kind_names(), "finding kind"));
        cmd->add_option("--rule", rule, "Rule id");
        cmd->add_option("--zone", zone, "Zone or line id the finding refers to");
        cmd->add_option("--class", cls, "Equipment class");
        cmd->add_option("--party", party, "Party");
        cmd->add_option("--certainty", certainty, "certain | possible")->transform(one_of(certainty_names(), "certainty"));
        cmd->add_option("--from", from, "Findings whose time span ends after this (ISO-8601)");
        cmd->add_option("--to", to, "Findings whose time span starts before this (ISO-8601)");
        cmd->add_option("--limit", limit, "Show at most this many (0 = all)");
    }

    bool matches(const Finding& f, const Interval& period) const {
        return (kind.empty() || to_string(f.kind) == kind) && (rule.empty() || f.rule_id == rule) && (zone.empty() || f.target_id == zone) &&
               (cls.empty() || f.equipment_class == cls) && (party.empty() || f.party == party) &&
               (certainty.empty() || to_string(f.certainty) == certainty) && f.span.overlaps(period);
    }

    Interval period() const {
        Interval p;
        if (!from.empty()) {
            auto t = parse_utc(from);
            if (!t) throw UsageError("--from '" + from + "' is not an ISO-8601 time");
            p.from = *t;
        }
        if (!to.empty()) {
            auto t = parse_utc(to);
            if (!t) throw UsageError("--to '" + to + "' is not an ISO-8601 time");
            p.to = *t;
        }
        return p;
    }
};

/// The run's findings that pass the filter, in stored order, at most filter.limit (0: all), each
/// handed to `sink` as it is read: the store is read a batch at a time and no further than the
/// limit needs (the filter drops a finding before its evidence and explanation are read).
/// Returns how many were handed over.
std::size_t for_each_selected(const storage::StoreReader& reader, const std::string& run, const Filter& filter,
                              const std::function<void(const Finding&)>& sink) {
    Interval period;
    storage::FindingCursor cursor = reader.findings(run, {.keep = [&](const Finding& x) { return filter.matches(x, period); }});
    period = filter.period();
    std::size_t n = 0;
    for (Finding x; (!filter.limit || n < filter.limit) && cursor.next(x); ++n) sink(x);
    return n;
}

const std::vector<std::string> finding_columns = {"id",  "kind", "certainty", "rule",  "target", "party",      "class",    "time",
                                                  "lon", "lat",  "measured",  "limit", "unit",   "confidence", "evidence", "explanation"};

std::vector<nlohmann::json> finding_row(const Finding& f, bool wide) {
    std::string time = f.span.to.ms - f.span.from.ms <= 1 ? format_utc(f.span.from) : format_interval(f.span);
    return {wide ? f.id : f.id.substr(0, 12),
            std::string(to_string(f.kind)),
            std::string(to_string(f.certainty)),
            f.rule_id,
            f.target_id,
            f.party,
            f.equipment_class,
            time,
            std::round(f.location.x() * 1e6) / 1e6,
            std::round(f.location.y() * 1e6) / 1e6,
            std::round(f.measured * 1000) / 1000,
            f.limit,
            f.unit,
            f.confidence,
            f.evidence.size(),
            f.explanation};
}

nlohmann::json feature_json(const Finding& f) {
    nlohmann::json ev = nlohmann::json::array();
    for (const auto& e : f.evidence)
        ev.push_back({{"kind", e.record_kind}, {"id", e.record_id}, {"file", e.source_file}, {"position", e.source_position}});
    return {{"type", "Feature"},
            {"id", f.id},
            {"geometry", {{"type", "Point"}, {"coordinates", {f.location.x(), f.location.y()}}}},
            {"properties",
             {{"kind", to_string(f.kind)},
              {"certainty", to_string(f.certainty)},
              {"rule", f.rule_id},
              {"rule_type", f.rule_type},
              {"article", f.article},
              {"target", f.target_id},
              {"party", f.party},
              {"class", f.equipment_class},
              {"from", format_utc(f.span.from)},
              {"to", format_utc(f.span.to)},
              {"measured", f.measured},
              {"limit", f.limit},
              {"unit", f.unit},
              {"confidence", f.confidence},
              {"waiver", f.waiver_id},
              {"evidence", ev},
              {"explanation", f.explanation}}}};
}

/// A GeoJSON FeatureCollection written a feature at a time: the bytes of nlohmann's dump(1) of
/// the whole collection ({"features": [...], "type": "FeatureCollection"}, keys in order).
class GeoJsonWriter {
public:
    explicit GeoJsonWriter(std::ostream& out) : m_out(&out) { out << "{\n \"features\": ["; }
    void add(const Finding& f) { *m_out << (m_features++ == 0 ? "\n" : ",\n") << nested_dump(feature_json(f), 1, 2); }
    void finish() { *m_out << (m_features == 0 ? "]" : "\n ]") << ",\n \"type\": \"FeatureCollection\"\n}\n"; }

private:
    std::ostream* m_out;
    std::size_t m_features = 0;
};

/// The findings layer of a GeoPackage, a finding at a time (GDAL writes them as they come).
class GpkgWriter {
public:
    GpkgWriter(const std::string& path, std::string run_id)
        : m_run_id(std::move(run_id)), m_writer(path, "GPKG", "findings",
                                                {{"finding_id", ingest::FieldType::text},
                                                 {"run_id", ingest::FieldType::text},
                                                 {"kind", ingest::FieldType::text},
                                                 {"certainty", ingest::FieldType::text},
                                                 {"rule", ingest::FieldType::text},
                                                 {"rule_type", ingest::FieldType::text},
                                                 {"article", ingest::FieldType::text},
                                                 {"target", ingest::FieldType::text},
                                                 {"party", ingest::FieldType::text},
                                                 {"class", ingest::FieldType::text},
                                                 {"time_from", ingest::FieldType::text},
                                                 {"time_to", ingest::FieldType::text},
                                                 {"measured", ingest::FieldType::real},
                                                 {"limit_value", ingest::FieldType::real},
                                                 {"unit", ingest::FieldType::text},
                                                 {"confidence", ingest::FieldType::real},
                                                 {"waiver", ingest::FieldType::text},
                                                 {"evidence", ingest::FieldType::text},
                                                 {"explanation", ingest::FieldType::text}}) {}
    void add(const Finding& f) {
        std::string ev;
        for (const auto& e : f.evidence) ev += (ev.empty() ? "" : ";") + e.record_id;
        m_writer.add(f.location, {f.id, m_run_id, std::string(to_string(f.kind)), std::string(to_string(f.certainty)), f.rule_id, f.rule_type,
                                  f.article, f.target_id, f.party, f.equipment_class, format_utc(f.span.from), format_utc(f.span.to), f.measured,
                                  f.limit, f.unit, f.confidence, f.waiver_id, ev, f.explanation});
    }
    void close() { m_writer.close(); }

private:
    std::string m_run_id;
    ingest::PointLayerWriter m_writer;
};

/// Streams the selected findings to `out` in format `f` (csv, json or geojson); the aligned table
/// is built whole (its column widths need every row). Returns how many were written.
std::size_t write_selected(const storage::StoreReader& reader, const std::string& run, const Filter& filter, Format f, bool wide, std::ostream& out,
                           std::size_t width, ProgressPrinter& bar) {
    std::size_t done = 0;
    auto counted = [&](auto&& sink) {
        return [&, sink](const Finding& x) {
            sink(x);
            if (++done % 4096 == 0) bar.show(fmt::format("{} findings read", done));
        };
    };
    if (f == Format::geojson) {
        GeoJsonWriter w(out);
        std::size_t n = for_each_selected(reader, run, filter, counted([&](const Finding& x) { w.add(x); }));
        w.finish();
        return n;
    }
    if (f == Format::table) {
        Table t{finding_columns};
        t.brief = {"id", "kind", "certainty", "rule", "target", "time", "explanation"};
        std::size_t n = for_each_selected(reader, run, filter, counted([&](const Finding& x) { t.add(finding_row(x, wide)); }));
        print(t, f, out, width);
        return n;
    }
    RowPrinter p(finding_columns, f, out);
    std::size_t n = for_each_selected(reader, run, filter, counted([&](const Finding& x) { p.add(finding_row(x, wide)); }));
    p.finish();
    return n;
}

void register_list(CLI::App& findings) {
    auto store = std::make_shared<std::string>();
    auto filter = std::make_shared<Filter>();
    auto out = std::make_shared<OutputOptions>();
    auto progress = std::make_shared<ProgressOptions>();
    auto problems = std::make_shared<bool>(false);
    auto* cmd = findings.add_subcommand("list", "List a run's findings (or its input problems), filtered");
    add_store_option(*cmd, *store);
    filter->add_to(cmd);
    add_format_option(*cmd, *out, {Format::table, Format::csv, Format::json, Format::geojson});
    add_progress_options(*cmd, *progress);
    cmd->add_flag("--problems", *problems, "List the run's rejected or corrected input records instead");
    cmd->callback([store, filter, out, progress, problems] {
        Format f = out->resolve();
        ProgressPrinter bar(progress->wanted(), progress->force);
        storage::StoreReader reader(*store);
        std::string run = resolve_run(reader, filter->run, *store);
        const std::size_t width = f == Format::table && !out->wide ? table_width : 0;
        if (*problems) {
            print(problems_table(reader.read_problems(run)), f == Format::geojson ? Format::json : f, std::cout, width);
            return;
        }
        const std::size_t n = write_selected(reader, run, *filter, f, out->wide || f != Format::table, std::cout, width, bar);
        bar.done(fmt::format("listed {} findings", n));
    });
}

void register_show(CLI::App& findings) {
    auto store = std::make_shared<std::string>();
    auto run = std::make_shared<std::string>();
    auto id = std::make_shared<std::string>();
    auto out = std::make_shared<OutputOptions>();
    auto inputs_dir = std::make_shared<std::string>();
    auto* cmd = findings.add_subcommand("show", "Show one finding with its evidence and explanation (an id prefix is enough)");
    cmd->add_option("id", *id, "Finding id or a unique prefix")->required();
    add_store_option(*cmd, *store, false);
    cmd->add_option("--run", *run, "Run id (default: the latest committed run)");
    cmd->add_option("--inputs-dir", *inputs_dir,
                    "Where the run's reports files are now, when not at the paths it recorded: the means of observation and heading of "
                    "report-derived evidence are read back from them");
    add_format_option(*cmd, *out, {Format::table, Format::json});
    cmd->callback([store, run, id, out, inputs_dir] {
        Format f = out->resolve();
        storage::StoreReader reader(*store);
        std::string run_id = resolve_run(reader, *run, *store);
        std::vector<Finding> hits;
        // Only the findings the prefix names are completed (evidence, explanation).
        auto cursor = reader.findings(run_id, {.keep = [&](const Finding& x) { return x.id.rfind(*id, 0) == 0; }});
        for (Finding x; cursor.next(x);) hits.push_back(std::move(x));
        if (hits.empty()) throw InputError("no finding with id '" + *id + "' in run " + run_id, Context{}.file(*store));
        if (hits.size() > 1) throw UsageError(fmt::format("id prefix '{}' matches {} findings; give more of the id", *id, hits.size()));
        const Finding& x = hits.front();
        // Evidence resting on monitoring-mission reports: how each sighting was observed.
        const ReportObservations observed = report_observations(reader.run_info(run_id), hits, *inputs_dir);
        if (f == Format::json) {
            // Through text, as before: the numbers print as a parsed document prints them.
            auto j = nlohmann::json::parse(nlohmann::json(feature_json(x)).dump(1));
            j["run_id"] = run_id;
            for (std::size_t i = 0; i < x.evidence.size(); ++i)
                if (const auto* o = observed.find(x.evidence[i])) {
                    auto& e = j["properties"]["evidence"][i];
                    e["report_id"] = o->report_id;
                    e["means"] = o->means;
                    if (!o->heading.empty()) e["heading"] = o->heading;
                }
            if (!observed.note.empty()) j["note"] = observed.note;
            std::cout << j.dump(2) << "\n";
            return;
        }
        std::cout << x.explanation << "\n\n";
        auto line = [](const std::string& k, const std::string& v) { std::cout << fmt::format("{:<14}{}\n", k, v); };
        line("finding", x.id);
        line("run", run_id);
        line("kind", std::string(to_string(x.kind)) + (x.waiver_id.empty() ? "" : " (waiver " + x.waiver_id + ")"));
        line("certainty", std::string(to_string(x.certainty)));
        line("rule", x.rule_id + " (" + x.rule_type + ")" + (x.article.empty() ? "" : ", " + x.article));
        line("target", x.target_id);
        line("party", x.party.empty() ? "unknown" : x.party);
        line("class", x.equipment_class.empty() ? "(several)" : x.equipment_class);
        line("time", format_interval(x.span));
        line("location", fmt::format("{:.6f}, {:.6f} (lon, lat)", x.location.x(), x.location.y()));
        line("measured", fmt::format("{} {} (limit {} {})", x.measured, x.unit, x.limit, x.unit));
        line("confidence", fmt::format("{}", x.confidence));
        std::cout << "\nEvidence (" << x.evidence.size() << "):\n";
        const bool reports = std::any_of(x.evidence.begin(), x.evidence.end(), [&](const Evidence& e) { return observed.find(e) != nullptr; });
        Table t{reports ? std::vector<std::string>{"kind", "record", "file", "position", "observed"}
                        : std::vector<std::string>{"kind", "record", "file", "position"}};
        for (const auto& e : x.evidence) {
            std::vector<nlohmann::json> row{e.record_kind, e.record_id, e.source_file, e.source_position};
            if (reports) {
                const auto* o = observed.find(e);
                row.push_back(!o ? "" : "report " + o->report_id + ", " + o->means + (o->heading.empty() ? "" : ", heading " + o->heading));
            }
            t.add(row);
        }
        print(t, Format::table, std::cout, out->wide ? 0 : table_width);
        if (!observed.note.empty()) std::cout << "\n" << observed.note << "\n";
    });
}

void register_export(CLI::App& findings) {
    auto store = std::make_shared<std::string>();
    auto filter = std::make_shared<Filter>();
    auto format = std::make_shared<std::string>();
    auto output = std::make_shared<std::string>();
    auto overwrite = std::make_shared<bool>(false);
    auto progress = std::make_shared<ProgressOptions>();
    auto* cmd = findings.add_subcommand("export", "Write a run's findings to a file: csv, json, geojson, or gpkg (opens in QGIS)");
    add_store_option(*cmd, *store);
    filter->add_to(cmd);
    cmd->add_option("-f,--format", *format, "CSV, JSON, GeoJSON or GPKG (default: from the output's extension)");
    cmd->add_option("-o,--output", *output, "Output file (written whole or not at all; never the store)")->required();
    add_overwrite_flag(*cmd, *overwrite);
    add_progress_options(*cmd, *progress);
    cmd->callback([store, filter, format, output, overwrite, progress] {
        Format f = export_format(*format, *output, {Format::csv, Format::json, Format::geojson, Format::gpkg});
        ProgressPrinter bar(progress->wanted(), progress->force);
        OutputFile out(*output, *overwrite, {*store});
        storage::StoreReader reader(*store);
        std::string run = resolve_run(reader, filter->run, *store);
        std::size_t written = 0;
        if (f == Format::gpkg) {
            GpkgWriter w(out.temp_path(), run);
            written = for_each_selected(reader, run, *filter, [&](const Finding& x) {
                w.add(x);
                if (++written % 4096 == 0) bar.show(fmt::format("{} findings exported", written));
            });
            w.close();
        } else {
            written = write_selected(reader, run, *filter, f, true, out.stream(), 0, bar);
        }
        out.commit();
        bar.done(fmt::format("exported {} findings", written));
        std::cerr << "Wrote " << written << " findings of run " << run << " to " << *output << "\n";
    });
}

} // namespace

void register_findings_commands(CLI::App& app) {
    auto* findings = app.add_subcommand("findings", "List, show and export the findings of a run");
    findings->require_subcommand(1);
    register_list(*findings);
    register_show(*findings);
    register_export(*findings);
    register_findings_diff(*findings);
}

} // namespace avf::cli
