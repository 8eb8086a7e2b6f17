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
#include "cli/resolve_run.hpp"
#include "core/error.hpp"
#include "ingest/vector_writer.hpp"
#include "storage/store.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

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

std::vector<Finding> select(const std::vector<Finding>& all, const Filter& f) {
    Interval period = f.period();
    std::vector<Finding> out;
    for (const auto& x : all) {
        if (!f.matches(x, period)) continue;
        out.push_back(x);
        if (f.limit && out.size() >= f.limit) break;
    }
    return out;
}

Table findings_table(const std::vector<Finding>& findings, bool wide) {
    Table t{{"id", "kind", "certainty", "rule", "target", "party", "class", "time", "lon", "lat", "measured", "limit", "unit", "confidence",
             "evidence", "explanation"}};
    t.brief = {"id", "kind", "certainty", "rule", "target", "time", "explanation"};
    for (const auto& f : findings) {
        std::string time = f.span.to.ms - f.span.from.ms <= 1 ? format_utc(f.span.from) : format_interval(f.span);
        t.add({wide ? f.id : f.id.substr(0, 12), std::string(to_string(f.kind)), std::string(to_string(f.certainty)), f.rule_id, f.target_id, f.party,
               f.equipment_class, time, std::round(f.location.x() * 1e6) / 1e6, std::round(f.location.y() * 1e6) / 1e6,
               std::round(f.measured * 1000) / 1000, f.limit, f.unit, f.confidence, f.evidence.size(), f.explanation});
    }
    return t;
}

void write_geojson(const std::vector<Finding>& findings, std::ostream& out) {
    nlohmann::json fc = {{"type", "FeatureCollection"}, {"features", nlohmann::json::array()}};
    for (const auto& f : findings) {
        nlohmann::json ev = nlohmann::json::array();
        for (const auto& e : f.evidence)
            ev.push_back({{"kind", e.record_kind}, {"id", e.record_id}, {"file", e.source_file}, {"position", e.source_position}});
        fc["features"].push_back({{"type", "Feature"},
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
                                    {"explanation", f.explanation}}}});
    }
    out << fc.dump(1) << "\n";
}

void write_gpkg(const std::vector<Finding>& findings, const std::string& path, const std::string& run_id) {
    using ingest::FieldType;
    ingest::PointLayerWriter w(path, "GPKG", "findings",
                               {{"finding_id", FieldType::text},
                                {"run_id", FieldType::text},
                                {"kind", FieldType::text},
                                {"certainty", FieldType::text},
                                {"rule", FieldType::text},
                                {"rule_type", FieldType::text},
                                {"article", FieldType::text},
                                {"target", FieldType::text},
                                {"party", FieldType::text},
                                {"class", FieldType::text},
                                {"time_from", FieldType::text},
                                {"time_to", FieldType::text},
                                {"measured", FieldType::real},
                                {"limit_value", FieldType::real},
                                {"unit", FieldType::text},
                                {"confidence", FieldType::real},
                                {"waiver", FieldType::text},
                                {"evidence", FieldType::text},
                                {"explanation", FieldType::text}});
    for (const auto& f : findings) {
        std::string ev;
        for (const auto& e : f.evidence) ev += (ev.empty() ? "" : ";") + e.record_id;
        w.add(f.location, {f.id, run_id, std::string(to_string(f.kind)), std::string(to_string(f.certainty)), f.rule_id, f.rule_type, f.article,
                           f.target_id, f.party, f.equipment_class, format_utc(f.span.from), format_utc(f.span.to), f.measured, f.limit, f.unit,
                           f.confidence, f.waiver_id, ev, f.explanation});
    }
    w.close();
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
        auto selected = select(reader.read_findings(run), *filter);
        bar.done(fmt::format("listed {} findings", selected.size()));
        if (f == Format::geojson)
            write_geojson(selected, std::cout);
        else
            print(findings_table(selected, out->wide || f != Format::table), f, std::cout, width);
    });
}

void register_show(CLI::App& findings) {
    auto store = std::make_shared<std::string>();
    auto run = std::make_shared<std::string>();
    auto id = std::make_shared<std::string>();
    auto out = std::make_shared<OutputOptions>();
    auto* cmd = findings.add_subcommand("show", "Show one finding with its evidence and explanation (an id prefix is enough)");
    cmd->add_option("id", *id, "Finding id or a unique prefix")->required();
    add_store_option(*cmd, *store, false);
    cmd->add_option("--run", *run, "Run id (default: the latest committed run)");
    add_format_option(*cmd, *out, {Format::table, Format::json});
    cmd->callback([store, run, id, out] {
        Format f = out->resolve();
        storage::StoreReader reader(*store);
        std::string run_id = resolve_run(reader, *run, *store);
        std::vector<Finding> hits;
        for (auto& x : reader.read_findings(run_id))
            if (x.id.rfind(*id, 0) == 0) hits.push_back(std::move(x));
        if (hits.empty()) throw InputError("no finding with id '" + *id + "' in run " + run_id, Context{}.file(*store));
        if (hits.size() > 1) throw UsageError(fmt::format("id prefix '{}' matches {} findings; give more of the id", *id, hits.size()));
        const Finding& x = hits.front();
        if (f == Format::json) {
            std::ostringstream os;
            write_geojson(hits, os);
            auto j = nlohmann::json::parse(os.str())["features"][0];
            j["run_id"] = run_id;
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
        Table t{{"kind", "record", "file", "position"}};
        for (const auto& e : x.evidence) t.add({e.record_kind, e.record_id, e.source_file, e.source_position});
        print(t, Format::table, std::cout, out->wide ? 0 : table_width);
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
        auto selected = select(reader.read_findings(run), *filter);
        if (f == Format::gpkg)
            write_gpkg(selected, out.temp_path(), run);
        else if (f == Format::geojson)
            write_geojson(selected, out.stream());
        else
            print(findings_table(selected, true), f, out.stream(), 0);
        out.commit();
        bar.done(fmt::format("exported {} findings", selected.size()));
        std::cerr << "Wrote " << selected.size() << " findings of run " << run << " to " << *output << "\n";
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
