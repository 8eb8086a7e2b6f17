// avf zones export | coverage export | images export — what the map shows, as files QGIS opens:
// a zone set's zones and reference lines, a run's unimaged parts of zones (per coverage rule, zone
// and period, as `avf coverage` lists them), and a run's image footprints, flight tracks and
// planned routes. Written through GDAL (ingest::VectorWriter) as GeoPackage, GeoJSON or CSV with a
// WKT geometry column: the format is inferred from the output's extension (.gpkg, .geojson or
// .json, .csv) unless -f/--format names a GDAL driver (GPKG, GeoJSON, CSV; any case). GeoPackage
// keeps one layer per kind of feature (zones, lines; images, tracks, routes); GeoJSON and CSV hold
// one layer, whose column `layer` says which. Attributes carry the ids, names, kinds, parties,
// times (ISO-8601 UTC, empty when unbounded) and sources. Written with cli::OutputFile: never
// over the store, whole or not at all.
//
//   avf zones export --store demo.h5 [--set demo-2027] -o zones.gpkg
//   avf coverage export --store demo.h5 [--run R] [--rule R] [--zone Z] [--gaps] -o gaps.geojson
//   avf images export --store demo.h5 [--run R] -o mission.csv -f csv
#include "cli/app.hpp"
#include "cli/options.hpp"
#include "cli/output.hpp"
#include "cli/resolve_run.hpp"
#include "core/error.hpp"
#include "geo/geodesic.hpp"
#include "ingest/vector_writer.hpp"
#include "storage/store.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>

namespace avf::cli {
namespace {

using ingest::FeatureGeometry;
using ingest::FieldDef;
using ingest::FieldType;
using ingest::FieldValue;
using ingest::LayerGeometry;

/// A layer to write: its fields and features, kept until the format decides how layers are laid out.
struct ExportLayer {
    std::string name;
    LayerGeometry geometry;
    std::vector<FieldDef> fields;
    std::vector<std::pair<FeatureGeometry, std::vector<FieldValue>>> features;
    void add(FeatureGeometry g, std::vector<FieldValue> values) { features.emplace_back(std::move(g), std::move(values)); }
};

/// Writes the layers to `out`'s temporary file with `driver`: one layer each (GPKG), or all in one layer named
/// `merged` (GeoJSON, CSV) with a first column `layer` and the union of the fields.
void write_layers(const std::vector<ExportLayer>& layers, const std::string& driver, const OutputFile& out, const std::string& merged) {
    ingest::VectorWriter w(out.temp_path(), driver, out.path());
    if (ingest::driver_has_layers(driver)) {
        for (const ExportLayer& l : layers) {
            const std::size_t h = w.add_layer(l.name, l.geometry, l.fields);
            for (const auto& [g, values] : l.features) w.add(h, g, values);
        }
    } else {
        std::vector<FieldDef> fields{{"layer", FieldType::text}};
        std::map<std::string, std::size_t> column;
        for (const ExportLayer& l : layers)
            for (const FieldDef& f : l.fields)
                if (column.emplace(f.name, fields.size()).second) fields.push_back(f);
        const bool one_kind = layers.size() == 1;
        const std::size_t h = w.add_layer(merged, one_kind ? layers.front().geometry : LayerGeometry::any, fields);
        for (const ExportLayer& l : layers)
            for (const auto& [g, values] : l.features) {
                std::vector<FieldValue> row(fields.size(), std::monostate{});
                row[0] = l.name;
                for (std::size_t i = 0; i < values.size() && i < l.fields.size(); ++i) row[column.at(l.fields[i].name)] = values[i];
                w.add(h, g, row);
            }
    }
    w.close();
}

/// An instant as ISO-8601 UTC; "" for the open ends of an interval.
std::string time_text(UtcTime t) {
    return t.is_min() || t.is_max() ? std::string() : format_utc(t);
}

double rounded(double v, int decimals) {
    const double k = std::pow(10.0, decimals);
    return std::isfinite(v) ? std::round(v * k) / k : v;
}

/// The options every export takes: the output file, its format, --overwrite.
struct OutputFlags {
    std::string output, format;
    bool overwrite = false;
    void add_to(CLI::App* cmd) {
        cmd->add_option("-o,--output", output, "Output file: .gpkg, .geojson or .json, .csv (written whole or not at all; never the store)")
            ->required();
        cmd->add_option("-f,--format", format, "GDAL driver: GPKG, GeoJSON or CSV, any case (default: from the output's extension)");
        add_overwrite_flag(*cmd, overwrite);
    }
};

/// The GDAL driver of an export: -f or the output's extension, read as `findings export` reads them
/// (cli::export_format); a layer export has no plain JSON, so a .json output is GeoJSON.
std::string gdal_driver(const OutputFlags& out) {
    std::string ext = std::filesystem::path(out.output).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const Format f =
        out.format.empty() && ext == ".json" ? Format::geojson : export_format(out.format, out.output, {Format::gpkg, Format::geojson, Format::csv});
    switch (f) {
    case Format::gpkg: return "GPKG";
    case Format::geojson: return "GeoJSON";
    default: return "CSV";
    }
}

void print_written(const std::vector<ExportLayer>& layers, const std::string& what, const std::string& driver, const std::string& path) {
    std::string counts;
    for (const ExportLayer& l : layers) counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", l.features.size(), l.name);
    std::cerr << fmt::format("Wrote {} of {} to {} ({})\n", counts, what, path, driver);
}

// ---------------------------------------------------------------------------------------------
// avf zones export

std::vector<ExportLayer> zone_layers(const storage::ZoneSet& set) {
    std::map<std::string, std::string> digests;
    for (const auto& in : set.sources) digests[in.path] = in.sha256;
    auto source = [&](const SourceRef& s) -> std::vector<FieldValue> {
        auto d = digests.find(s.file);
        return {s.file, s.layer, s.feature, d == digests.end() ? std::string() : d->second};
    };
    const std::vector<FieldDef> common{{"set", FieldType::text},     {"id", FieldType::text},      {"name", FieldType::text},
                                       {"kind", FieldType::text},    {"parties", FieldType::text}, {"valid_from", FieldType::text},
                                       {"valid_to", FieldType::text}};
    const std::vector<FieldDef> sources{
        {"source_file", FieldType::text}, {"source_layer", FieldType::text}, {"source_feature", FieldType::text}, {"source_sha256", FieldType::text}};
    ExportLayer zones{"zones", LayerGeometry::multi_polygon, common, {}};
    zones.fields.push_back({"parent", FieldType::text});
    zones.fields.push_back({"area_km2", FieldType::real});
    zones.fields.insert(zones.fields.end(), sources.begin(), sources.end());
    for (const Zone& z : set.zones) {
        std::vector<FieldValue> v{set.name,
                                  z.id.str(),
                                  z.name,
                                  z.kind,
                                  z.parties,
                                  time_text(z.valid.from),
                                  time_text(z.valid.to),
                                  z.parent,
                                  rounded(geo::zone_area(z.geometry) / 1e6, 6)};
        for (auto& s : source(z.source)) v.push_back(std::move(s));
        zones.add(z.geometry, std::move(v));
    }
    ExportLayer lines{"lines", LayerGeometry::multi_line, common, {}};
    lines.fields.push_back({"length_km", FieldType::real});
    lines.fields.insert(lines.fields.end(), sources.begin(), sources.end());
    for (const ReferenceLine& l : set.lines) {
        double length = 0;
        for (const auto& part : l.geometry)
            for (std::size_t i = 1; i < part.size(); ++i) length += geo::distance(part[i - 1], part[i]).value;
        std::vector<FieldValue> v{
            set.name, l.id.str(), l.name, l.kind, l.parties, time_text(l.valid.from), time_text(l.valid.to), rounded(length / 1e3, 6)};
        for (auto& s : source(l.source)) v.push_back(std::move(s));
        lines.add(l.geometry, std::move(v));
    }
    return {std::move(zones), std::move(lines)};
}

void register_zones_export(CLI::App& zones) {
    struct Flags {
        std::string store, set;
        OutputFlags out;
    };
    auto f = std::make_shared<Flags>();
    auto* cmd =
        zones.add_subcommand("export", "Write a zone set's zones (polygons) and reference lines (lines) to GPKG, GeoJSON or CSV (WKT) for QGIS");
    add_store_option(*cmd, f->store);
    cmd->add_option("--set", f->set, "Zone set (default: the newest)");
    f->out.add_to(cmd);
    cmd->callback([f] {
        const std::string driver = gdal_driver(f->out);
        OutputFile out(f->out.output, f->out.overwrite, {f->store});
        storage::StoreReader reader(f->store);
        std::string set = f->set;
        if (set.empty()) {
            auto sets = reader.zone_sets();
            if (sets.empty()) throw InputError("the store has no zone set", Context{}.file(f->store));
            set = sets.back().name;
        }
        auto layers = zone_layers(reader.read_zone_set(set));
        write_layers(layers, driver, out, "zones");
        out.commit();
        print_written(layers, "zone set " + set, driver, f->out.output);
    });
}

// ---------------------------------------------------------------------------------------------
// avf coverage export

ExportLayer coverage_layer(const std::vector<CoverageRecord>& coverage, const std::string& run, const std::string& rule, const std::string& zone,
                           bool gaps_only) {
    ExportLayer l{"coverage",
                  LayerGeometry::multi_polygon,
                  {{"run", FieldType::text},
                   {"rule", FieldType::text},
                   {"zone", FieldType::text},
                   {"period_from", FieldType::text},
                   {"period_to", FieldType::text},
                   {"fraction", FieldType::real},
                   {"required", FieldType::real},
                   {"status", FieldType::text},
                   {"best_gsd_m", FieldType::real},
                   {"last_observed", FieldType::text},
                   {"images", FieldType::integer},
                   {"zone_km2", FieldType::real},
                   {"unimaged_km2", FieldType::real},
                   {"finding_id", FieldType::text}},
                  {}};
    for (const CoverageRecord& c : coverage) {
        // As `avf coverage`: a rule without min_fraction reports fractions only (required NaN).
        const bool gap = c.fraction < c.required_fraction;
        if ((!rule.empty() && c.rule_id != rule) || (!zone.empty() && c.zone_id != zone) || (gaps_only && !gap)) continue;
        l.add(c.uncovered, {run, c.rule_id, c.zone_id, time_text(c.period.from), time_text(c.period.to), c.fraction, c.required_fraction,
                            std::string(std::isnan(c.required_fraction) ? "reported"
                                        : gap                           ? "gap"
                                                                        : "covered"),
                            c.best_gsd_m, c.last_observed.is_min() ? std::string() : format_utc(c.last_observed), static_cast<std::int64_t>(c.images),
                            c.zone_area_m2 / 1e6, (c.zone_area_m2 - c.covered_area_m2) / 1e6, c.finding_id});
    }
    return l;
}

/// An option of `avf coverage` (the export's parent) as given, "" when not.
std::string parent_option(CLI::App& parent, const std::string& name) {
    CLI::Option* o = parent.get_option(name);
    return o->count() ? o->as<std::string>() : std::string();
}

void register_coverage_export(CLI::App& coverage) {
    auto out_flags = std::make_shared<OutputFlags>();
    auto* cmd = coverage.add_subcommand("export", "Write the unimaged part of each zone, per coverage rule and period, as polygons (GPKG, GeoJSON, "
                                                  "CSV with WKT); takes avf coverage's --store, --run, --rule, --zone and --gaps");
    out_flags->add_to(cmd);
    cmd->fallthrough(); // --store, --run, --rule, --zone, --gaps are avf coverage's, before or after `export`
    cmd->footer("Also: --store S (required), --run R, --rule R, --zone Z, --gaps, as avf coverage takes them. A zone-period with nothing "
                "unimaged has no geometry. Columns as avf coverage prints them.");
    CLI::App* parent = &coverage;
    cmd->callback([out_flags, parent] {
        const std::string store = parent_option(*parent, "--store");
        const std::string driver = gdal_driver(*out_flags);
        OutputFile out(out_flags->output, out_flags->overwrite, {store});
        storage::StoreReader reader(store);
        const std::string run = resolve_run(reader, parent_option(*parent, "--run"), store);
        storage::RunImagery imagery = reader.read_imagery(run);
        if (imagery.coverage.empty())
            std::cerr << "avf: run " << run << " has no coverage results (give `avf run` --imagery and a regime with coverage rules)\n";
        std::vector<ExportLayer> layers{coverage_layer(imagery.coverage, run, parent_option(*parent, "--rule"), parent_option(*parent, "--zone"),
                                                       parent->get_option("--gaps")->count() > 0)};
        write_layers(layers, driver, out, "coverage");
        out.commit();
        print_written(layers, "run " + run, driver, out_flags->output);
    });
}

// ---------------------------------------------------------------------------------------------
// avf images export

std::vector<ExportLayer> imagery_layers(const storage::RunImagery& imagery, const std::string& run) {
    ExportLayer images{"images",
                       LayerGeometry::multi_polygon,
                       {{"run", FieldType::text},
                        {"id", FieldType::text},
                        {"mission", FieldType::text},
                        {"flight_id", FieldType::text},
                        {"observing_party", FieldType::text},
                        {"observed_party", FieldType::text},
                        {"sensor", FieldType::text},
                        {"acquired_from", FieldType::text},
                        {"acquired_to", FieldType::text},
                        {"gsd_m", FieldType::real},
                        {"height_m", FieldType::real},
                        {"platform", FieldType::text},
                        {"instruments", FieldType::text},
                        {"off_nadir_deg", FieldType::real},
                        {"sar_range_resolution_m", FieldType::real},
                        {"sar_azimuth_resolution_m", FieldType::real},
                        {"sar_polarizations", FieldType::text},
                        {"source_file", FieldType::text},
                        {"source_layer", FieldType::text},
                        {"source_feature", FieldType::text}},
                       {}};
    for (const ImageRecord& im : imagery.images)
        images.add(im.footprint, {run,
                                  im.id.str(),
                                  im.mission,
                                  im.flight_id,
                                  im.observing_party,
                                  im.observed_party,
                                  std::string(to_string(im.sensor)),
                                  time_text(im.acquisition.from),
                                  time_text(im.acquisition.to),
                                  im.gsd.value,
                                  im.height.value,
                                  im.platform,
                                  im.instruments,
                                  im.off_nadir,
                                  im.sar_range_resolution.value,
                                  im.sar_azimuth_resolution.value,
                                  im.sar_polarizations,
                                  im.origin.file,
                                  im.origin.layer,
                                  im.origin.feature});
    ExportLayer tracks{"tracks",
                       LayerGeometry::multi_line,
                       {{"run", FieldType::text},
                        {"flight_id", FieldType::text},
                        {"fixes", FieldType::integer},
                        {"sensor_on_fixes", FieldType::integer},
                        {"first_fix", FieldType::text},
                        {"last_fix", FieldType::text},
                        {"length_km", FieldType::real},
                        {"min_height_m", FieldType::real},
                        {"source_file", FieldType::text}},
                       {}};
    ExportLayer routes{
        "routes", LayerGeometry::multi_line, {{"run", FieldType::text}, {"flight_id", FieldType::text}, {"source_file", FieldType::text}}, {}};
    for (const storage::FlightRecord& fl : imagery.flights) {
        if (!fl.track.empty())
            tracks.add(fl.track, {run, fl.flight_id, static_cast<std::int64_t>(fl.fixes), static_cast<std::int64_t>(fl.sensor_on_fixes),
                                  time_text(fl.first_fix), time_text(fl.last_fix), fl.length_m / 1e3, fl.min_height_m, fl.track_file});
        if (!fl.route.empty()) routes.add(fl.route, {run, fl.flight_id, fl.route_file});
    }
    return {std::move(images), std::move(tracks), std::move(routes)};
}

void register_images_export(CLI::App& images) {
    struct Flags {
        std::string store, run;
        OutputFlags out;
    };
    auto f = std::make_shared<Flags>();
    auto* cmd = images.add_subcommand("export", "Write a run's image footprints (polygons), flight tracks and planned routes (lines) to GPKG, "
                                                "GeoJSON or CSV (WKT) for QGIS");
    add_store_option(*cmd, f->store);
    cmd->add_option("--run", f->run, "Run id (default: the latest committed run)");
    f->out.add_to(cmd);
    cmd->callback([f] {
        const std::string driver = gdal_driver(f->out);
        OutputFile out(f->out.output, f->out.overwrite, {f->store});
        storage::StoreReader reader(f->store);
        const std::string run = resolve_run(reader, f->run, f->store);
        storage::RunImagery imagery = reader.read_imagery(run);
        if (imagery.images.empty() && imagery.flights.empty())
            std::cerr << "avf: run " << run << " was given no imagery, tracks or routes (`avf run` --imagery, --tracks, --routes)\n";
        auto layers = imagery_layers(imagery, run);
        write_layers(layers, driver, out, "images");
        out.commit();
        print_written(layers, "run " + run, driver, f->out.output);
    });
}

} // namespace

void register_export_commands(CLI::App& app) {
    register_zones_export(*app.get_subcommand("zones"));
    register_coverage_export(*app.get_subcommand("coverage"));
    auto* images = app.add_subcommand("images", "Export a run's image footprints, flight tracks and planned routes");
    images->require_subcommand(1);
    register_images_export(*images);
}

} // namespace avf::cli
