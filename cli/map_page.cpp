#include "cli/map_page.hpp"

#include "cli/output.hpp"
#include "cli/recorded_inputs.hpp"
#include "cli/web_assets.hpp"
#include "core/time.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <sstream>
#include <string_view>

namespace avf::cli {
namespace {

using nlohmann::json;

/// Degrees rounded to 1e-6 (about 0.1 m): the map needs no more, and the file stays small.
double degrees(double v) {
    return std::round(v * 1e6) / 1e6;
}

json points(const auto& line) {
    json out = json::array();
    for (const GeoPoint& p : line) out.push_back({degrees(p.x()), degrees(p.y())});
    return out;
}

json polygons(const MultiPolygon& mp) {
    json out = json::array();
    for (const Polygon& poly : mp) {
        json rings = json::array({points(poly.outer())});
        for (const Ring& inner : poly.inners()) rings.push_back(points(inner));
        out.push_back(std::move(rings));
    }
    return out;
}

json lines(const MultiLineString& ml) {
    json out = json::array();
    for (const LineString& l : ml) out.push_back(points(l));
    return out;
}

/// A number for JSON: NaN and infinities (unknown values) become null.
json number(double v) {
    return std::isfinite(v) ? json(v) : json(nullptr);
}

std::string span_text(const Interval& span) {
    return span.to.ms - span.from.ms <= 1 ? format_utc(span.from) : format_interval(span);
}

json zone_layers(const storage::StoreReader& reader, const std::string& set_name, json& missing) {
    json zones = json::array(), reference_lines = json::array();
    bool present = false;
    for (const auto& info : reader.zone_sets()) present = present || info.name == set_name;
    if (!present) {
        missing.push_back("Zones and lines: the run's zone set '" + set_name + "' is not in the store.");
        return {{"zones", zones}, {"lines", reference_lines}};
    }
    storage::ZoneSet set = reader.read_zone_set(set_name);
    for (const Zone& z : set.zones)
        zones.push_back({{"id", z.id.str()},
                         {"name", z.name},
                         {"kind", z.kind},
                         {"parties", z.parties},
                         {"valid", format_interval(z.valid)},
                         {"g", polygons(z.geometry)}});
    for (const ReferenceLine& l : set.lines)
        reference_lines.push_back({{"id", l.id.str()},
                                   {"name", l.name},
                                   {"kind", l.kind},
                                   {"parties", l.parties},
                                   {"valid", format_interval(l.valid)},
                                   {"g", lines(l.geometry)}});
    return {{"zones", zones}, {"lines", reference_lines}};
}

json finding_rows(const std::vector<Finding>& findings, const std::vector<double>& radius_m, std::size_t max_evidence_ids) {
    json rows = json::array();
    for (std::size_t i = 0; i < findings.size(); ++i) {
        const Finding& f = findings[i];
        json evidence = json::array();
        for (const Evidence& e : f.evidence) {
            if (evidence.size() == max_evidence_ids) break;
            evidence.push_back(e.record_id);
        }
        rows.push_back({f.id,
                        to_string(f.kind),
                        to_string(f.certainty),
                        f.rule_id,
                        f.rule_type,
                        f.article,
                        f.target_id,
                        f.party,
                        f.equipment_class,
                        span_text(f.span),
                        degrees(f.location.x()),
                        degrees(f.location.y()),
                        number(f.measured),
                        number(f.limit),
                        f.unit,
                        number(f.confidence),
                        f.waiver_id,
                        std::move(evidence),
                        f.evidence.size(),
                        f.explanation,
                        number(radius_m[i])});
    }
    return rows;
}

/// Counts of findings by kind and by rule, and where they lie (for one grid cell or one target).
struct Aggregate {
    std::uint64_t n = 0;
    double lon_sum = 0.0, lat_sum = 0.0;
    std::map<std::string, std::uint64_t> kinds, rules;
    void add(const Finding& f) {
        ++n;
        lon_sum += f.location.x();
        lat_sum += f.location.y();
        ++kinds[std::string(to_string(f.kind))];
        ++rules[f.rule_id];
    }
};

/// Findings per grid cell (the finest cell, from 0.05° doubling, that gives at most
/// `max_cells` cells) and per zone or line they refer to.
json aggregated_findings(const std::vector<Finding>& findings, std::size_t max_cells) {
    double cell = 0.05;
    std::map<std::pair<std::int64_t, std::int64_t>, Aggregate> cells;
    for (;;) {
        cells.clear();
        for (const Finding& f : findings) {
            auto key =
                std::pair{static_cast<std::int64_t>(std::floor(f.location.x() / cell)), static_cast<std::int64_t>(std::floor(f.location.y() / cell))};
            cells[key].add(f);
        }
        if (cells.size() <= max_cells || cell >= 90.0) break;
        cell *= 2;
    }
    json cell_rows = json::array();
    for (const auto& [key, a] : cells)
        cell_rows.push_back({{"lon", (static_cast<double>(key.first) + 0.5) * cell},
                             {"lat", (static_cast<double>(key.second) + 0.5) * cell},
                             {"n", a.n},
                             {"counts", a.kinds},
                             {"rules", a.rules}});
    std::map<std::string, Aggregate> targets;
    for (const Finding& f : findings)
        if (!f.target_id.empty()) targets[f.target_id].add(f);
    json target_rows = json::array();
    for (const auto& [target, a] : targets)
        target_rows.push_back({{"target", target},
                               {"lon", degrees(a.lon_sum / static_cast<double>(a.n))},
                               {"lat", degrees(a.lat_sum / static_cast<double>(a.n))},
                               {"n", a.n},
                               {"counts", a.kinds},
                               {"rules", a.rules}});
    return {{"cell_deg", cell}, {"cells", std::move(cell_rows)}, {"zones", std::move(target_rows)}};
}

json imagery_layers(const storage::RunImagery& imagery, json& missing) {
    json images = json::array(), flights = json::array(), gaps = json::array();
    for (const ImageRecord& im : imagery.images)
        images.push_back({{"id", im.id.str()},
                          {"flight", im.flight_id},
                          {"sensor", to_string(im.sensor)},
                          {"gsd", number(im.gsd.value)},
                          {"time", span_text(im.acquisition)},
                          {"g", polygons(im.footprint)}});
    for (const storage::FlightRecord& fl : imagery.flights)
        flights.push_back({{"id", fl.flight_id},
                           {"fixes", fl.fixes},
                           {"first", format_utc(fl.first_fix)},
                           {"last", format_utc(fl.last_fix)},
                           {"km", number(std::round(fl.length_m) / 1000)},
                           {"track", points(fl.track)},
                           {"route", points(fl.route)}});
    for (const CoverageRecord& c : imagery.coverage) {
        if (!(c.fraction < c.required_fraction) || c.uncovered.empty()) continue; // covered, or reported only (NaN)
        gaps.push_back({{"rule", c.rule_id},
                        {"zone", c.zone_id},
                        {"period", format_interval(c.period)},
                        {"fraction", number(std::round(c.fraction * 1e4) / 1e4)},
                        {"required", number(c.required_fraction)},
                        {"g", polygons(c.uncovered)}});
    }
    if (imagery.images.empty() && imagery.flights.empty() && imagery.coverage.empty())
        missing.push_back("Image footprints, flight tracks, planned routes, coverage gaps: the run was given no imagery, tracks or routes.");
    return {{"images", images}, {"flights", flights}, {"gaps", gaps}};
}

/// The declared places: a point with its radius, an area, or a zone of the zone set (site).
json declared_layer(const DeclaredPlaces& places) {
    json out = json::array();
    for (const Declaration& d : places.declarations) {
        json row = {{"id", d.id.str()},
                    {"party", d.party},
                    {"unit", d.unit},
                    {"class", d.equipment_class},
                    {"quantity", d.quantity},
                    {"kind", d.kind},
                    {"valid", format_interval(d.valid)},
                    {"reference", d.reference},
                    {"notified", d.notified.is_min() ? std::string() : format_utc(d.notified)}};
        if (d.has_area())
            row["g"] = polygons(d.area);
        else if (d.point_given) {
            row["lon"] = degrees(d.location.x());
            row["lat"] = degrees(d.location.y());
            row["r"] = number(d.radius.value);
        } else
            row["site"] = d.site_id;
        out.push_back(std::move(row));
    }
    return out;
}

/// JavaScript inside <script>: "</" would end the element early ("<\/" means the same in the
/// strings and regular expressions where the libraries have it).
std::string in_script(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        out += text[i];
        if (text[i] == '<' && i + 1 < text.size() && text[i + 1] == '/') out += '\\';
    }
    return out;
}

/// JSON inside <script>: '<', '>' and '&' (which JSON has only inside strings) as \u escapes, so
/// that no text of the store — an article "<script>…" — reads as markup anywhere in the page.
std::string in_json_script(std::string_view json_text) {
    std::string out;
    out.reserve(json_text.size());
    for (char c : json_text) {
        switch (c) {
        case '<': out += "\\u003c"; break;
        case '>': out += "\\u003e"; break;
        case '&': out += "\\u0026"; break;
        default: out += c;
        }
    }
    return out;
}

} // namespace

std::string map_section(const storage::StoreReader& reader, const std::string& run_id, const MapOptions& options) {
    storage::RunInfo info = reader.run_info(run_id);
    std::vector<Finding> findings = reader.read_findings(run_id);
    json missing = json::array();
    json data = zone_layers(reader, info.header.zone_set, missing);
    data["title"] = "run " + run_id + " (regime " + info.header.regime_id + ", zone set " + info.header.zone_set + ")";
    data.update(imagery_layers(reader.read_imagery(run_id), missing));

    // Run-wide conclusions (e.g. "unverifiable: no declarations were given") rest on no record and
    // keep the default location (0, 0): they are listed beside the map, not drawn off Africa.
    std::vector<Finding> placed;
    json unplaced = json::array();
    for (Finding& f : findings) {
        if (f.evidence.empty() && f.location.x() == 0.0 && f.location.y() == 0.0)
            unplaced.push_back({{"id", f.id}, {"kind", to_string(f.kind)}, {"rule", f.rule_id}, {"explanation", f.explanation}});
        else
            placed.push_back(std::move(f));
    }
    json shown = {{"total", findings.size()}, {"unplaced", std::move(unplaced)}};
    // The uncertainty radii only for findings drawn one by one: reading the detections files is the cost.
    UncertaintyDisks disks;
    if (placed.size() <= options.max_findings) disks = uncertainty_disks(info, placed, options.inputs_dir);
    json rows = placed.size() <= options.max_findings ? finding_rows(placed, disks.radius_m, options.max_evidence_ids) : json::array();
    const std::size_t row_bytes = rows.empty() ? 0 : rows.dump().size();
    if (placed.size() <= options.max_findings && row_bytes <= options.max_finding_bytes) {
        shown["fields"] = {"id",    "kind",       "certainty", "rule",     "rule_type",  "article",     "target",
                           "party", "class",      "time",      "lon",      "lat",        "measured",    "limit",
                           "unit",  "confidence", "waiver",    "evidence", "evidence_n", "explanation", "uncertainty_m"};
        shown["rows"] = std::move(rows);
    } else {
        shown.update(aggregated_findings(placed, options.max_findings));
        shown["note"] = fmt::format("{} findings, more than this map draws one by one ({} findings, {} MB): shown per grid cell of {}° and "
                                    "per zone or line. `avf findings list --store {} --run {}` lists each.",
                                    placed.size(), options.max_findings, static_cast<double>(options.max_finding_bytes) / 1e6,
                                    shown["cell_deg"].get<double>(), options.store, run_id);
    }
    const bool one_by_one = shown.contains("rows");
    data["findings"] = std::move(shown);
    if (!one_by_one)
        missing.push_back("Uncertainty disks: not drawn while findings are aggregated.");
    else if (!disks.note.empty())
        missing.push_back(disks.note);
    DeclaredPlaces places = declared_places(info, options.inputs_dir);
    data["declared"] = declared_layer(places);
    if (!places.given)
        missing.push_back("Declared places: the run was given no declarations.");
    else if (!places.note.empty())
        missing.push_back(places.note);
    data["missing"] = std::move(missing);

    std::ostringstream o;
    o << "<!-- avf map (cli/map_page.cpp): inline CSS, data and scripts; nothing is fetched -->\n";
    o << "<style>\n" << web::leaflet_css << "\n" << web::avf_map_css << "\n</style>\n";
    o << R"(<div class="avf-map" id="avf-map" data-src="avf-map-data" role="region" aria-label="map of )"
      << html_text(data["title"].get<std::string>()) << "\"></div>\n";
    o << R"(<script type="application/json" id="avf-map-data">)" << in_json_script(data.dump(-1, ' ', false, json::error_handler_t::replace))
      << "</script>\n";
    o << R"(<script type="application/json" id="avf-countries">)" << in_json_script(web::countries_json) << "</script>\n";
    o << "<script>\n" << in_script(web::leaflet_js) << "\n</script>\n";
    o << "<script>\n" << in_script(web::topojson_js) << "\n</script>\n";
    o << "<script>\n" << in_script(web::avf_map_js) << "\n</script>\n";
    o << "<!-- end of avf map -->\n";
    return o.str();
}

std::string map_page(const storage::StoreReader& reader, const std::string& run_id, const MapOptions& options) {
    std::ostringstream o;
    o << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>avf map: run "
      << html_text(run_id) << "</title>\n</head>\n<body class=\"avf-map-page\">\n"
      << map_section(reader, run_id, options) << "</body>\n</html>\n";
    return o.str();
}

} // namespace avf::cli
