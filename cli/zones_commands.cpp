// avf zones import | validate | list | show
#include "cli/app.hpp"
#include "cli/options.hpp"
#include "cli/output.hpp"
#include "cli/receipt.hpp"
#include "core/error.hpp"
#include "geo/geodesic.hpp"
#include "pipeline/zone_import.hpp"
#include "storage/store.hpp"

#include <CLI/CLI.hpp>
#include <boost/geometry/algorithms/envelope.hpp>
#include <boost/geometry/algorithms/num_points.hpp>
#include <boost/geometry/io/wkt/write.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

namespace avf::cli {
namespace {

namespace bg = boost::geometry;

template <typename G> std::string to_wkt(const G& g) {
    std::ostringstream os;
    os.imbue(std::locale::classic());
    os << std::setprecision(10) << bg::wkt(g);
    return os.str();
}

struct ReaderFlags {
    ingest::ZoneReadOptions reader;
    bool strict = false;
};

void add_reader_options(CLI::App* cmd, ReaderFlags& f) {
    cmd->add_option("--layer", f.reader.layer, "Layer to read (default: every layer)");
    cmd->add_option("--assume-crs", f.reader.assume_crs, "CRS for layers that declare none, e.g. EPSG:4326 (default: refuse them)");
    cmd->add_option("--id-field", f.reader.id_field, "Attribute holding the unique zone/line id")->capture_default_str();
    cmd->add_option("--name-field", f.reader.name_field, "Attribute holding the name (default: the id)")->capture_default_str();
    auto* kind = cmd->add_option("--kind", f.reader.kind, "Kind of every feature (dmz, buffer, limited, …)");
    cmd->add_option("--kind-field", f.reader.kind_field, "Attribute holding the kind")->capture_default_str()->excludes(kind);
    cmd->add_option("--parties-field", f.reader.parties_field, "Attribute holding the parties (comma-separated)")->capture_default_str();
    cmd->add_option("--parent-field", f.reader.parent_field, "Attribute holding the enclosing zone's id")->capture_default_str();
    cmd->add_option("--valid-from-field", f.reader.valid_from_field, "Attribute with the start of validity (ISO-8601)")->capture_default_str();
    cmd->add_option("--valid-to-field", f.reader.valid_to_field, "Attribute with the end of validity, exclusive (ISO-8601)")->capture_default_str();
    cmd->add_flag("--strict", f.strict, "Stop at the first rejected feature (exit 3)");
}

std::string validity(const Interval& i) {
    if (i.from.is_min() && i.to.is_max()) return "always";
    return (i.from.is_min() ? std::string("…") : format_date(i.from)) + " – " + (i.to.is_max() ? std::string("…") : format_date(i.to));
}

void print_report(const pipeline::ZoneImportResult& r, std::ostream& out, std::size_t width) {
    Table files{{"source", "driver", "layers", "crs", "features", "zones", "lines", "rejected", "corrected", "sha256"}};
    files.whole = true;
    for (std::size_t i = 0; i < r.collection.files.size(); ++i) {
        const auto& f = r.collection.files[i];
        std::string layers;
        for (const auto& l : f.layers) layers += (layers.empty() ? "" : ",") + l;
        files.add({f.path, f.driver, layers, f.crs.empty() ? "none" : f.crs, f.features_read, f.zones, f.lines, f.rejected, f.corrected,
                   i < r.inputs.size() ? r.inputs[i].sha256.substr(0, 16) : ""});
    }
    print(files, Format::table, out, width);
    out << "\n"
        << r.collection.zones.size() << " zones, " << r.collection.lines.size() << " lines; " << r.problems.count(Severity::rejected)
        << " features rejected, " << r.problems.count(Severity::corrected) << " corrected, " << r.problems.count(Severity::note) << " notes\n";
    if (r.problems.size() > 0) {
        out << "\nProblems:\n";
        print(problems_table(r.problems.problems()), Format::table, out, width);
    }
}

Table zones_table(const std::vector<Zone>& zones, const std::vector<ReferenceLine>& lines) {
    Table t{{"id", "name", "kind", "geometry", "parties", "parent", "valid", "vertices", "area_km2", "source"}};
    for (const auto& z : zones)
        t.add({z.id.str(), z.name, z.kind, "polygon", z.parties, z.parent, validity(z.valid), bg::num_points(z.geometry),
               std::round(geo::zone_area(z.geometry) / 1e4) / 100.0, z.source.file + "#" + z.source.feature});
    for (const auto& l : lines)
        t.add({l.id.str(), l.name, l.kind, "line", l.parties, "", validity(l.valid), bg::num_points(l.geometry), nullptr,
               l.source.file + "#" + l.source.feature});
    return t;
}

void register_import(CLI::App& zones) {
    auto opt = std::make_shared<pipeline::ZoneImportOptions>();
    auto flags = std::make_shared<ReaderFlags>();
    auto out = std::make_shared<OutputOptions>();
    auto receipt = std::make_shared<ReceiptOptions>();
    auto* cmd = zones.add_subcommand("import", "Import zones (polygons) and reference lines (lines) from GDAL vector sources into a new zone set");
    cmd->add_option("sources", opt->sources, "Vector files: GeoPackage, Shapefile, GeoJSON, KML, FlatGeobuf, CSV with WKT…")->required();
    add_store_option(*cmd, opt->store_path, false)->description("HDF5 store to write (created when missing)");
    cmd->add_option("--set", opt->set_name, "Name of the new zone set (sets are immutable; import a new version under a new name)")->required();
    add_reader_options(cmd, *flags);
    add_format_option(*cmd, *out, {Format::table, Format::json});
    cmd->add_option("--sign-key", receipt->sign_key,
                    "Sign the import's audit-chain row with this Ed25519 private key (PEM), in the transaction that commits it");
    cmd->add_option("--receipt", receipt->receipt_path, "Write the import's receipt (JSON) to this new file instead of printing it on stderr");
    cmd->callback([opt, flags, out, receipt] {
        const bool json = out->resolve() == Format::json;
        opt->reader = flags->reader;
        opt->strict = flags->strict;
        receipt->prepare(opt->store_path);
        if (receipt->key) opt->sign_key = &*receipt->key;
        pipeline::ZoneImportJob job(*opt);
        pipeline::ZoneImportResult r;
        try {
            r = job.run();
        } catch (const pipeline::NothingToImport& e) {
            std::cerr << "Problems:\n"; // the ones the error refers to, on stderr above it
            print(problems_table(e.problems()), Format::table, std::cerr, out->wide ? 0 : table_width);
            throw;
        }
        if (r.written) issue_receipt(opt->store_path, storage::ChainKind::zone_set, opt->set_name, *receipt);
        if (json) {
            nlohmann::json j = {{"set", opt->set_name},
                                {"store", opt->store_path},
                                {"zones", r.collection.zones.size()},
                                {"lines", r.collection.lines.size()},
                                {"rejected", r.problems.count(Severity::rejected)},
                                {"corrected", r.problems.count(Severity::corrected)}};
            std::cout << j.dump(2) << "\n";
            return;
        }
        std::cout << "Imported zone set '" << opt->set_name << "' into " << opt->store_path << "\n\n";
        print_report(r, std::cout, out->wide ? 0 : table_width);
        std::cout << "\n";
        out->print(zones_table(r.collection.zones, r.collection.lines), std::cout);
    });
}

void register_validate(CLI::App& zones) {
    auto opt = std::make_shared<pipeline::ZoneImportOptions>();
    auto flags = std::make_shared<ReaderFlags>();
    auto out = std::make_shared<OutputOptions>();
    auto* cmd = zones.add_subcommand("validate", "Read and validate zone sources and report every problem; writes nothing. "
                                                 "Exit 1 when a feature is rejected.");
    cmd->add_option("sources", opt->sources, "Vector files to check")->required();
    add_reader_options(cmd, *flags);
    add_format_option(*cmd, *out, {Format::table, Format::csv, Format::json});
    cmd->callback([opt, flags, out] {
        Format f = out->resolve();
        opt->reader = flags->reader;
        opt->strict = flags->strict;
        opt->validate_only = true;
        pipeline::ZoneImportJob job(*opt);
        auto r = job.run();
        if (f == Format::table)
            print_report(r, std::cout, out->wide ? 0 : table_width);
        else
            out->print(problems_table(r.problems.problems()), std::cout);
        if (r.problems.count(Severity::rejected) > 0) set_exit_status(1);
    });
}

void register_list(CLI::App& zones) {
    auto store = std::make_shared<std::string>();
    auto set = std::make_shared<std::string>();
    auto out = std::make_shared<OutputOptions>();
    auto* cmd = zones.add_subcommand("list", "List the zone sets of a store, or the zones and lines of one set");
    add_store_option(*cmd, *store);
    cmd->add_option("--set", *set, "Zone set to list (default: list the sets)");
    add_format_option(*cmd, *out, {Format::table, Format::csv, Format::json});
    cmd->callback([store, set, out] {
        out->resolve();
        storage::StoreReader reader(*store);
        if (set->empty()) {
            Table t{{"set", "imported", "zones", "lines", "problems", "sources"}};
            for (const auto& s : reader.zone_sets()) {
                std::string sources;
                for (const auto& in : s.sources) sources += (sources.empty() ? "" : " ") + in.path;
                t.add({s.name, s.imported_utc, s.zones, s.lines, s.problems, sources});
            }
            out->print(t, std::cout);
            return;
        }
        auto zs = reader.read_zone_set(*set);
        out->print(zones_table(zs.zones, zs.lines), std::cout);
    });
}

void register_show(CLI::App& zones) {
    auto id = std::make_shared<std::string>();
    auto store = std::make_shared<std::string>();
    auto set = std::make_shared<std::string>();
    auto out = std::make_shared<OutputOptions>();
    auto wkt = std::make_shared<bool>(false);
    auto* cmd = zones.add_subcommand("show", "Show one zone or line: attributes, provenance, geometry summary and its import problems");
    cmd->add_option("id", *id, "Zone or line id")->required();
    add_store_option(*cmd, *store, false);
    cmd->add_option("--set", *set, "Zone set (default: the newest set holding the id)");
    add_format_option(*cmd, *out, {Format::table, Format::json});
    cmd->add_flag("--wkt", *wkt, "Also print the geometry as WKT (lon lat)");
    cmd->callback([id, store, set, out, wkt] {
        Format f = out->resolve();
        storage::StoreReader reader(*store);
        auto sets = reader.zone_sets();
        std::reverse(sets.begin(), sets.end()); // the newest set first
        for (const auto& listed : sets) {
            if (!set->empty() && listed.name != *set) continue;
            auto zs = reader.read_zone_set(listed.name);
            nlohmann::json j;
            std::string geometry_wkt;
            for (const auto& z : zs.zones) {
                if (z.id.str() != *id) continue;
                Box b;
                bg::envelope(z.geometry, b);
                j = {{"set", zs.name},
                     {"id", z.id.str()},
                     {"name", z.name},
                     {"kind", z.kind},
                     {"geometry", "polygon"},
                     {"parties", z.parties},
                     {"parent", z.parent},
                     {"valid_from", format_utc(z.valid.from)},
                     {"valid_to", format_utc(z.valid.to)},
                     {"polygons", z.geometry.size()},
                     {"vertices", bg::num_points(z.geometry)},
                     {"area_km2", geo::zone_area(z.geometry) / 1e6},
                     {"bbox", {b.min_corner().x(), b.min_corner().y(), b.max_corner().x(), b.max_corner().y()}},
                     {"source_file", z.source.file},
                     {"source_layer", z.source.layer},
                     {"source_feature", z.source.feature}};
                geometry_wkt = to_wkt(z.geometry);
            }
            for (const auto& l : zs.lines) {
                if (l.id.str() != *id) continue;
                Box b;
                bg::envelope(l.geometry, b);
                double length = 0;
                for (const auto& part : l.geometry)
                    for (std::size_t i = 1; i < part.size(); ++i) length += geo::distance(part[i - 1], part[i]).value;
                j = {{"set", zs.name},
                     {"id", l.id.str()},
                     {"name", l.name},
                     {"kind", l.kind},
                     {"geometry", "line"},
                     {"parties", l.parties},
                     {"valid_from", format_utc(l.valid.from)},
                     {"valid_to", format_utc(l.valid.to)},
                     {"parts", l.geometry.size()},
                     {"vertices", bg::num_points(l.geometry)},
                     {"length_km", length / 1000.0},
                     {"bbox", {b.min_corner().x(), b.min_corner().y(), b.max_corner().x(), b.max_corner().y()}},
                     {"source_file", l.source.file},
                     {"source_layer", l.source.layer},
                     {"source_feature", l.source.feature}};
                geometry_wkt = to_wkt(l.geometry);
            }
            if (j.is_null()) continue;
            for (const auto& in : zs.sources)
                if (in.path == j["source_file"]) j["source_sha256"] = in.sha256;
            std::vector<Problem> mine;
            for (const auto& p : zs.problems)
                if (p.where.record() == *id) mine.push_back(p);
            if (f == Format::json) {
                if (*wkt) j["wkt"] = geometry_wkt;
                j["problems"] = nlohmann::json::array();
                for (const auto& p : mine) j["problems"].push_back(p.describe());
                std::cout << j.dump(2) << "\n";
                return;
            }
            for (auto& [k, v] : j.items()) std::cout << fmt::format("{:<16}{}\n", k, cell_text(v));
            if (!mine.empty()) {
                std::cout << "\nImport problems:\n";
                out->print(problems_table(mine), std::cout);
            }
            if (*wkt) std::cout << "\n" << geometry_wkt << "\n";
            return;
        }
        throw InputError("no zone or line with id '" + *id + "'" + (set->empty() ? "" : " in set '" + *set + "'"), Context{}.file(*store));
    });
}

} // namespace

void register_zones_commands(CLI::App& app) {
    auto* zones = app.add_subcommand("zones", "Import, validate, list and show treaty zones and reference lines");
    zones->require_subcommand(1);
    register_import(*zones);
    register_validate(*zones);
    register_list(*zones);
    register_show(*zones);
}

} // namespace avf::cli
