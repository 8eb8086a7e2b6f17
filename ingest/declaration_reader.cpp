#include "ingest/declaration_reader.hpp"

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "geo/validate.hpp"
#include "ingest/csv.hpp"
#include "ingest/csv_records.hpp"
#include "ingest/fields.hpp"
#include "ingest/json_records.hpp"
#include "ingest/record_fields.hpp"
#include "ingest/text.hpp"

#include <boost/geometry.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <optional>

namespace avf::ingest {
namespace {

// The fields, in the order a record is validated (which defines its "first defect").
constexpr std::array<const char*, 16> k_fields = {"id",  "party",    "class", "quantity", "valid_from", "valid_to",  "kind",     "lon",
                                                  "lat", "radius_m", "area",  "site_id",  "unit",       "reference", "notified", "area_wkt"};

// One record as text per field, plus a geometry when the source has one.
struct RawDeclaration : RecordTexts {
    std::optional<GeoPoint> point;        // OGR Point geometry
    std::optional<MultiPolygon> polygons; // OGR polygon or JSON GeoJSON area
    std::string geometry_error;           // why the source geometry is unusable ("" = fine)
};

bool parse_wkt_area(const std::string& wkt, MultiPolygon& out) {
    try {
        std::string head = ascii_lower(wkt.substr(0, std::min<std::size_t>(wkt.size(), 16)));
        if (head.rfind("multipolygon", 0) == 0) {
            boost::geometry::read_wkt(wkt, out);
        } else if (head.rfind("polygon", 0) == 0) {
            Polygon p;
            boost::geometry::read_wkt(wkt, p);
            out.clear();
            out.push_back(std::move(p));
        } else {
            return false;
        }
    } catch (const std::exception&) {
        return false;
    }
    return !out.empty();
}

// Validates one record; true and `out` filled when it is good, else exactly one rejected problem.
bool build(const RawDeclaration& raw, const RecordPosition& where, const Taxonomy& taxonomy, Declaration& out, ProblemSink& sink) {
    RecordPosition at = where; // problems name the record by its id
    at.record = raw["id"];
    const RecordCheck check(sink, at);
    const RecordFields b(raw, check);
    Declaration d;
    std::string id, cls, kind;
    if (!b.text("id", id, true)) return false;
    d.id = DeclarationId{id};
    if (!b.text("party", d.party, true)) return false;
    d.party = canonical_party(d.party);
    if (!b.text("class", cls, true)) return false;
    const std::string* canonical = taxonomy.resolve(cls);
    if (!canonical) return b.reject(ProblemCode::unknown_class, "class", "unknown equipment class", "a class or alias of the regime's [classes]");
    d.equipment_class = *canonical;
    if (raw["quantity"].empty()) return b.reject(ProblemCode::missing_field, "quantity", "required field 'quantity' is empty or missing");
    double q = 0;
    if (!b.number("quantity", q)) return false;
    if (q < 0 || q != std::floor(q)) return b.reject(ProblemCode::bad_value, "quantity", "quantity must be a whole number >= 0");
    if (q > static_cast<double>(max_items_per_record))
        return b.reject(ProblemCode::bad_value, "quantity",
                        "quantity is above the most one record may claim (" + std::to_string(max_items_per_record) + ")",
                        "a whole number from 0 to " + std::to_string(max_items_per_record));
    d.quantity = static_cast<std::int64_t>(q);
    if (raw["valid_from"].empty()) return b.reject(ProblemCode::missing_field, "valid_from", "required field 'valid_from' is empty or missing");
    if (!b.time("valid_from", d.valid.from)) return false;
    if (raw["valid_to"].empty()) return b.reject(ProblemCode::missing_field, "valid_to", "required field 'valid_to' is empty or missing");
    if (!b.time("valid_to", d.valid.to)) return false;
    if (!(d.valid.from < d.valid.to)) return b.reject(ProblemCode::bad_value, "valid_to", "valid_to must be after valid_from");
    if (!b.text("kind", kind, true)) return false;
    kind = ascii_lower(kind);
    if (kind != "deployment" && kind != "exercise" && kind != "notification" && kind != "movement")
        return b.reject(ProblemCode::bad_value, "kind", "unknown declaration kind", "deployment, exercise, notification or movement");
    d.kind = kind;

    // Location: area (attribute or source geometry), else point, else site id.
    const std::string& wkt = !raw["area"].empty() ? raw["area"] : raw["area_wkt"];
    const std::string area_field = !raw["area"].empty() ? "area" : "area_wkt";
    if (!raw.geometry_error.empty()) return b.reject(ProblemCode::invalid_geometry, "", raw.geometry_error);
    if (raw.polygons) {
        d.area = *raw.polygons;
    } else if (!wkt.empty()) {
        if (!parse_wkt_area(wkt, d.area)) return b.reject(ProblemCode::invalid_geometry, area_field, "not a WKT Polygon or MultiPolygon");
    }
    if (!d.area.empty()) {
        for (const auto& poly : d.area)
            for (const auto& pt : poly.outer())
                if (!std::isfinite(pt.x()) || !std::isfinite(pt.y()) || std::abs(pt.x()) > 180 || std::abs(pt.y()) > 90)
                    return b.reject(ProblemCode::coordinate_out_of_range, area_field, "area coordinate outside [-180, 180] x [-90, 90]");
        if (!geo::normalize_polygons(d.area, sink, b.at(area_field))) return false;
    } else if (raw.point || !raw["lon"].empty() || !raw["lat"].empty()) {
        double lon = 0, lat = 0;
        if (raw.point) {
            lon = raw.point->x();
            lat = raw.point->y();
        } else {
            if (raw["lon"].empty()) return b.reject(ProblemCode::missing_field, "lon", "lat given without lon");
            if (!b.number("lon", lon)) return false;
            if (raw["lat"].empty()) return b.reject(ProblemCode::missing_field, "lat", "lon given without lat");
            if (!b.number("lat", lat)) return false;
        }
        if (lon < -180 || lon > 180) return b.reject(ProblemCode::coordinate_out_of_range, "lon", "longitude outside [-180, 180]");
        if (lat < -90 || lat > 90) return b.reject(ProblemCode::coordinate_out_of_range, "lat", "latitude outside [-90, 90]");
        d.location = GeoPoint{lon, lat};
        d.point_given = true;
        double r = 0;
        if (!raw["radius_m"].empty()) {
            if (!b.number("radius_m", r)) return false;
            if (r < 0) return b.reject(ProblemCode::bad_value, "radius_m", "radius must not be negative", "metres >= 0");
            if (r > max_distance_m)
                return b.reject(ProblemCode::bad_value, "radius_m", "radius longer than half the Earth's circumference",
                                "metres, 0 to " + std::to_string(static_cast<long long>(max_distance_m)));
        }
        d.radius = Meters{r};
    }
    if (!b.text("site_id", d.site_id, false)) return false;
    if (d.area.empty() && !d.point_given && d.site_id.empty())
        return b.reject(ProblemCode::missing_field, "", "no location: give lon/lat (+ radius_m), an area polygon or a site_id");
    if (!b.text("unit", d.unit, false, max_name_length)) return false;
    if (!b.text("reference", d.reference, false, max_name_length)) return false;
    if (!raw["notified"].empty() && !b.time("notified", d.notified)) return false;
    d.origin = where.origin();
    out = std::move(d);
    return true;
}

// Each reader returns the number of records it saw (good or bad).
std::uint64_t read_csv(const std::string& path, const Taxonomy& taxonomy, std::vector<Declaration>& out, ProblemSink& problems) {
    CsvBlockReader reader(path);
    std::map<std::string, std::size_t> columns;
    std::vector<std::string> ignored;
    for (std::size_t i = 0; i < reader.header().size(); ++i) {
        std::string name = ascii_lower(trim(reader.header()[i]));
        if (std::find(k_fields.begin(), k_fields.end(), name) == k_fields.end()) {
            ignored.push_back(name);
            continue;
        }
        if (!columns.emplace(name, i).second)
            throw InputError("column '" + name + "' appears twice", Context{}.file(path).line(static_cast<long>(reader.header_line())).field(name));
    }
    for (const char* f : {"id", "party", "class", "quantity", "valid_from", "valid_to", "kind"})
        if (!columns.count(f))
            throw InputError(std::string("missing required column '") + f + "'",
                             Context{}
                                 .file(path)
                                 .line(static_cast<long>(reader.header_line()))
                                 .field(f)
                                 .expected("columns id, party, class, quantity, valid_from, valid_to, kind and a location"));
    if (!ignored.empty()) {
        std::string list;
        for (const auto& n : ignored) list += (list.empty() ? "" : ", ") + n;
        Problem p{Severity::note, ProblemCode::bad_value, "columns ignored: " + list,
                  Context{}.file(path).line(static_cast<long>(reader.header_line())), 0};
        problems.report(std::move(p));
    }
    return for_each_csv_record(reader, path, columns, problems, [&](std::map<std::string, std::string> fields, const RecordPosition& where) {
        RawDeclaration raw;
        raw.value = std::move(fields);
        Declaration d;
        if (build(raw, where, taxonomy, d, problems)) out.push_back(std::move(d));
    });
}

// A GeoJSON Polygon or MultiPolygon object → MultiPolygon; false when it is anything else.
bool geojson_area(const nlohmann::json& g, MultiPolygon& out) {
    if (!g.is_object() || !g.contains("type") || !g.contains("coordinates")) return false;
    auto ring_of = [](const nlohmann::json& r, Ring& ring) {
        if (!r.is_array()) return false;
        for (const auto& p : r) {
            if (!p.is_array() || p.size() < 2 || !p[0].is_number() || !p[1].is_number()) return false;
            ring.push_back(GeoPoint{p[0].get<double>(), p[1].get<double>()});
        }
        return true;
    };
    auto polygon_of = [&](const nlohmann::json& c, Polygon& poly) {
        if (!c.is_array() || c.empty()) return false;
        if (!ring_of(c[0], poly.outer())) return false;
        for (std::size_t i = 1; i < c.size(); ++i) {
            poly.inners().emplace_back();
            if (!ring_of(c[i], poly.inners().back())) return false;
        }
        return true;
    };
    const std::string type = g["type"].is_string() ? g["type"].get<std::string>() : "";
    const auto& c = g["coordinates"];
    out.clear();
    if (type == "Polygon") {
        Polygon p;
        if (!polygon_of(c, p)) return false;
        out.push_back(std::move(p));
    } else if (type == "MultiPolygon") {
        if (!c.is_array()) return false;
        for (const auto& pc : c) {
            Polygon p;
            if (!polygon_of(pc, p)) return false;
            out.push_back(std::move(p));
        }
    } else {
        return false;
    }
    return !out.empty();
}

std::uint64_t read_json(const std::string& path, const Taxonomy& taxonomy, std::vector<Declaration>& out, ProblemSink& problems) {
    const nlohmann::json doc = parse_json_file(path, "declaration objects");
    const auto& list = json_list(doc, "declarations", path, "declarations");
    return for_each_json_record(list, path, problems, [&](const nlohmann::json& item, const RecordPosition& where) {
        RawDeclaration raw;
        for (const auto& [key, v] : item.items()) {
            std::string k = ascii_lower(key);
            if (k == "area" && v.is_object()) {
                MultiPolygon mp;
                if (geojson_area(v, mp))
                    raw.polygons = std::move(mp);
                else
                    raw.geometry_error = "'area' is not a GeoJSON Polygon or MultiPolygon";
                continue;
            }
            raw.value[k] = json_text(v);
        }
        Declaration d;
        if (build(raw, where, taxonomy, d, problems)) out.push_back(std::move(d));
    });
}

std::uint64_t read_ogr(const std::string& path, const DeclarationReadOptions& options, std::vector<Declaration>& out, ProblemSink& problems) {
    VectorSource source(path, options.vector);
    std::uint64_t records = 0;
    source.for_each_feature([&](const Feature& f) {
        ++records;
        const RecordPosition where = feature_position(path, f);
        RawDeclaration raw;
        for (const char* name : k_fields)
            if (auto v = f.field(name)) raw.value[name] = std::string(trim(*v));
        if (f.reprojection_failed()) {
            raw.geometry_error = "could not reproject the geometry: " + f.reprojection_error();
        } else if (f.geometry_kind() == GeometryKind::polygon) {
            raw.polygons = f.polygons();
        } else if (f.geometry_kind() == GeometryKind::point) {
            raw.point = f.point();
        } else if (f.geometry_kind() != GeometryKind::none) {
            raw.geometry_error = "unsupported geometry " + f.geometry_type_name() + " (a Point or a Polygon is expected)";
        }
        Declaration d;
        if (build(raw, where, *options.taxonomy, d, problems)) out.push_back(std::move(d));
    });
    return records;
}

} // namespace

std::vector<Declaration> read_declarations(const std::string& path, const DeclarationReadOptions& options, ProblemSink& problems) {
    if (!options.taxonomy) throw UsageError("read_declarations needs the regime's taxonomy");
    std::vector<Declaration> out;
    const std::string ext = file_extension(path);
    std::uint64_t records = 0;
    if (ext == "csv")
        records = read_csv(path, *options.taxonomy, out, problems);
    else if (ext == "json")
        records = read_json(path, *options.taxonomy, out, problems);
    else
        records = read_ogr(path, options, out, problems);
    if (records == 0 && ext != "csv") report_no_records(path, options.vector.layer, "declaration", problems); // (CSV: the block reader says it)
    return out;
}

std::vector<Declaration> read_declarations(const std::vector<std::string>& paths, const DeclarationReadOptions& options, ProblemSink& problems) {
    std::vector<Declaration> all;
    std::map<std::string, SourceRef> first;
    for (const auto& path : paths) {
        for (auto& d : read_declarations(path, options, problems)) {
            auto [it, fresh] = first.emplace(d.id.str(), d.origin);
            if (!fresh) {
                Context c;
                c.file(d.origin.file).record(printable(d.id.str())).field("id").value(printable(d.id.str()));
                if (!d.origin.layer.empty()) c.layer(d.origin.layer);
                c.feature(d.origin.feature);
                Problem p = Problem::rejected(ProblemCode::duplicate_id,
                                              "declaration id already used at " + it->second.file + ":" + it->second.feature, std::move(c));
                p.order = d.origin.index;
                problems.report(std::move(p));
                continue;
            }
            all.push_back(std::move(d));
        }
    }
    return all;
}

} // namespace avf::ingest
