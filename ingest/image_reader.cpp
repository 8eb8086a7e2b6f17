#include "ingest/image_reader.hpp"

#include "core/file_io.hpp"
#include "core/time.hpp"
#include "geo/validate.hpp"
#include "ingest/field_values.hpp"
#include "ingest/text.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>

namespace avf::ingest {
namespace {

using nlohmann::json;
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// The fields of one item, whatever it was read from. Accessors throw Defect (the item's first
// defect), which read_item turns into one problem.
class Fields {
public:
    virtual ~Fields() = default;
    /// Present and not null / not empty.
    virtual bool present(const std::string& name) const = 0;
    /// The text of a string field; "" when absent.
    virtual std::string text(const std::string& name) const = 0;
    virtual std::optional<double> number(const std::string& name) const = 0;
    virtual std::vector<std::string> list(const std::string& name) const = 0;
};

std::string excerpt(const json& v) {
    std::string s = v.dump();
    return s.size() > 60 ? s.substr(0, 60) + "…" : s;
}

// A STAC Item: `id` at the top level, everything else in `properties`.
class JsonFields final : public Fields {
public:
    explicit JsonFields(const json& item) : m_item(item) {
        auto p = item.find("properties");
        if (p != item.end() && p->is_object()) m_props = &*p;
    }
    bool present(const std::string& name) const override {
        const json* v = find(name);
        return v && !v->is_null();
    }
    std::string text(const std::string& name) const override {
        const json* v = find(name);
        if (!v || v->is_null()) return {};
        if (!v->is_string()) throw Defect{ProblemCode::bad_value, name, excerpt(*v), "expected a string", "a JSON string"};
        return trim(v->get<std::string>());
    }
    std::optional<double> number(const std::string& name) const override {
        const json* v = find(name);
        if (!v || v->is_null()) return std::nullopt;
        if (!v->is_number()) throw Defect{ProblemCode::bad_number, name, excerpt(*v), "expected a number", "a JSON number"};
        return v->get<double>();
    }
    std::vector<std::string> list(const std::string& name) const override {
        const json* v = find(name);
        std::vector<std::string> out;
        if (!v || v->is_null()) return out;
        if (!v->is_array()) throw Defect{ProblemCode::bad_value, name, excerpt(*v), "expected a list of strings", "a JSON array of strings"};
        for (const auto& e : *v) {
            if (!e.is_string()) throw Defect{ProblemCode::bad_value, name, excerpt(*v), "expected a list of strings", "a JSON array of strings"};
            out.push_back(trim(e.get<std::string>()));
        }
        return out;
    }

private:
    const json* find(const std::string& name) const {
        const json& where = name == "id" || !m_props ? m_item : *m_props;
        auto it = where.find(name);
        return it == where.end() ? nullptr : &*it;
    }
    const json& m_item;
    const json* m_props = nullptr;
};

// A CSV row or OGR feature: every value is text.
class FeatureFields final : public Fields {
public:
    explicit FeatureFields(const Feature& f) : m_f(f) {}
    bool present(const std::string& name) const override { return !text(name).empty(); }
    std::string text(const std::string& name) const override { return trim(m_f.field(name).value_or("")); }
    std::optional<double> number(const std::string& name) const override {
        std::string t = text(name);
        if (t.empty()) return std::nullopt;
        auto v = parse_number(t);
        if (!v) throw Defect{ProblemCode::bad_number, name, t, "not a number", "a decimal number such as 0.30"};
        return v;
    }
    std::vector<std::string> list(const std::string& name) const override { return split_list(text(name)); }

private:
    const Feature& m_f;
};

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
    return out;
}

UtcTime time_field(const Fields& f, const std::string& name) {
    std::string t = f.text(name);
    auto v = parse_utc(t);
    if (!v) throw Defect{ProblemCode::bad_time, name, t, "not an ISO-8601 UTC time", "YYYY-MM-DDThh:mm:ssZ"};
    return *v;
}

// A positive, finite number of metres up to `max` (a physical bound: core/records.hpp), or NaN
// when absent.
double positive(const Fields& f, const std::string& name, double max = max_distance_m) {
    auto v = f.number(name);
    if (!v) return nan;
    if (!std::isfinite(*v)) throw Defect{ProblemCode::not_finite, name, fmt::format("{}", *v), "not a finite number", "a positive number"};
    if (*v <= 0) throw Defect{ProblemCode::bad_value, name, fmt::format("{}", *v), "must be positive", "a number > 0 (metres)"};
    if (*v > max)
        throw Defect{ProblemCode::bad_value, name, fmt::format("{}", *v), fmt::format("larger than any physical value ({} m)", max),
                     fmt::format("a number of metres from 0 to {}", max)};
    return *v;
}

// Text kept in the store: valid UTF-8 without NUL bytes (text.hpp) and at most `max` bytes.
std::string stored_text(const std::string& name, std::string v, std::size_t max) {
    if (auto defect = encoding_defect(v); !defect.empty())
        throw Defect{ProblemCode::bad_encoding, name, printable(v), "value " + std::string(defect), ""};
    if (v.size() > max)
        throw Defect{ProblemCode::bad_value, name, printable(v.substr(0, 40)) + "…",
                     fmt::format("value is {} bytes long; at most {} are kept", v.size(), max), ""};
    return v;
}

std::string id_field(const Fields& f, const std::string& name, bool required) {
    std::string v = f.text(name);
    if (v.empty() && required) throw Defect{ProblemCode::missing_field, name, "", "missing required field", ""};
    return stored_text(name, std::move(v), max_id_length);
}

// Reads every field but the footprint (see docs/imagery-format.md for the rules).
ImageRecord image_fields(const Fields& f) {
    ImageRecord r;
    r.id = ImageId{id_field(f, "id", true)};

    const bool has_start = f.present("start_datetime"), has_end = f.present("end_datetime");
    if (has_start || has_end) {
        if (!has_start) throw Defect{ProblemCode::missing_field, "start_datetime", "", "end_datetime is given without start_datetime", ""};
        if (!has_end) throw Defect{ProblemCode::missing_field, "end_datetime", "", "start_datetime is given without end_datetime", ""};
        r.acquisition = Interval{time_field(f, "start_datetime"), time_field(f, "end_datetime")};
        if (r.acquisition.to < r.acquisition.from)
            throw Defect{ProblemCode::bad_value, "end_datetime", f.text("end_datetime"), "acquisition ends before it starts",
                         "end_datetime >= start_datetime"};
        if (f.present("datetime")) (void)time_field(f, "datetime"); // still checked
    } else if (f.present("datetime")) {
        UtcTime t = time_field(f, "datetime");
        r.acquisition = Interval{t, t};
    } else {
        throw Defect{ProblemCode::missing_field, "datetime", "", "no acquisition time", "datetime, or start_datetime and end_datetime"};
    }

    r.platform = id_field(f, "platform", false);
    r.mission = id_field(f, "mission", false);
    r.instruments = stored_text("instruments", join(f.list("instruments")), max_name_length);
    r.sar_polarizations = stored_text("sar:polarizations", join(f.list("sar:polarizations")), max_id_length);
    r.observing_party = canonical_party(id_field(f, "avf:observing_party", false));
    r.observed_party = canonical_party(id_field(f, "avf:observed_party", false));
    r.flight_id = id_field(f, "avf:flight_id", false);

    r.sar_range_resolution = Meters{positive(f, "sar:resolution_range")};
    r.sar_azimuth_resolution = Meters{positive(f, "sar:resolution_azimuth")};
    const bool has_sar = !std::isnan(r.sar_range_resolution.value) || !std::isnan(r.sar_azimuth_resolution.value) || f.present("sar:polarizations");

    std::string sensor = stored_text("avf:sensor", f.text("avf:sensor"), max_id_length);
    if (sensor.empty()) {
        if (!has_sar)
            throw Defect{ProblemCode::missing_field, "avf:sensor", "", "no sensor category (and no sar:* field)", "optical, video, infrared or sar"};
        r.sensor = SensorCategory::sar;
    } else {
        auto s = parse_sensor_category(sensor);
        if (!s) throw Defect{ProblemCode::bad_value, "avf:sensor", sensor, "unknown sensor category", "optical, video, infrared or sar"};
        r.sensor = *s;
    }

    double gsd = positive(f, "gsd");
    if (std::isnan(gsd) && r.sensor == SensorCategory::sar) gsd = std::fmin(r.sar_range_resolution.value, r.sar_azimuth_resolution.value);
    if (std::isnan(gsd))
        throw Defect{ProblemCode::missing_field, "gsd", "", "no ground resolution",
                     r.sensor == SensorCategory::sar ? "gsd, or sar:resolution_range / sar:resolution_azimuth" : "gsd (metres)"};
    r.gsd = Meters{gsd};

    r.height = Meters{positive(f, "avf:height_m", max_height_m)};
    r.off_nadir = nan;
    if (auto v = f.number("view:off_nadir")) {
        if (!std::isfinite(*v) || *v < 0 || *v > 90)
            throw Defect{ProblemCode::bad_value, "view:off_nadir", fmt::format("{}", *v), "off-nadir angle outside [0, 90] degrees", "0..90"};
        r.off_nadir = *v;
    }
    return r;
}

// GeoJSON Polygon / MultiPolygon coordinates → MultiPolygon (not yet validated).
Ring json_ring(const json& ring) {
    if (!ring.is_array()) throw Defect{ProblemCode::invalid_geometry, "geometry", excerpt(ring), "a ring is not an array of positions", ""};
    Ring out;
    for (const auto& pos : ring) {
        if (!pos.is_array() || pos.size() < 2 || !pos[0].is_number() || !pos[1].is_number())
            throw Defect{ProblemCode::invalid_geometry, "geometry", excerpt(pos), "a position is not [lon, lat]", "[lon, lat] numbers"};
        out.push_back(GeoPoint{pos[0].get<double>(), pos[1].get<double>()});
    }
    return out;
}

Polygon json_polygon(const json& rings) {
    if (!rings.is_array() || rings.empty()) throw Defect{ProblemCode::empty_geometry, "geometry", excerpt(rings), "a polygon without rings", ""};
    Polygon p;
    p.outer() = json_ring(rings[0]);
    for (std::size_t i = 1; i < rings.size(); ++i) p.inners().push_back(json_ring(rings[i]));
    return p;
}

MultiPolygon json_footprint(const json& item) {
    auto g = item.find("geometry");
    if (g == item.end() || g->is_null()) throw Defect{ProblemCode::empty_geometry, "geometry", "null", "no footprint", "a Polygon or MultiPolygon"};
    if (!g->is_object()) throw Defect{ProblemCode::invalid_geometry, "geometry", excerpt(*g), "not a GeoJSON geometry", "a Polygon or MultiPolygon"};
    std::string type = g->value("type", std::string());
    auto c = g->find("coordinates");
    if (type != "Polygon" && type != "MultiPolygon")
        throw Defect{ProblemCode::unsupported_geometry, "geometry", type, "footprint is not a polygon", "a Polygon or MultiPolygon"};
    if (c == g->end() || !c->is_array() || c->empty())
        throw Defect{ProblemCode::empty_geometry, "geometry", type, "footprint without coordinates", "a Polygon or MultiPolygon"};
    MultiPolygon mp;
    if (type == "Polygon")
        mp.push_back(json_polygon(*c));
    else
        for (const auto& rings : *c) mp.push_back(json_polygon(rings));
    return mp;
}

// Collects the records of one file, checking ids against everything already in `out`.
class Collector {
public:
    Collector(std::vector<ImageRecord>& out, ProblemSink& sink, ImageFileReport& report) : m_out(out), m_sink(sink), m_report(report) {
        for (const auto& r : out) m_seen.emplace(r.id.str(), describe(r.origin));
    }

    // One item: the fields (may throw Defect), then the footprint through geo validation.
    template <typename ReadFields, typename ReadGeometry>
    void item(const Context& where, SourceRef origin, std::string id, ReadFields&& read_fields, ReadGeometry&& read_geometry) {
        ++m_report.records;
        if (id.size() > max_id_length) id.clear();
        try {
            ImageRecord r = read_fields();
            id = r.id.str();
            Context here = Context(where).record(id);
            r.footprint = read_geometry();
            if (!geo::normalize_polygons(r.footprint, m_sink, Context(here).field("geometry"))) {
                ++m_report.rejected;
                return;
            }
            auto [it, fresh] = m_seen.emplace(id, describe(origin));
            if (!fresh) {
                m_sink.report(
                    Problem::rejected(ProblemCode::duplicate_id, "image id already read at " + it->second, Context(here).field("id").value(id)));
                ++m_report.rejected;
                return;
            }
            r.origin = std::move(origin);
            m_out.push_back(std::move(r));
            ++m_report.accepted;
        } catch (const Defect& d) {
            Context here = where;
            if (!id.empty()) here.record(printable(id));
            here.field(d.field).value(printable(d.value)); // a raw value may hold any byte
            if (!d.expected.empty()) here.expected(d.expected);
            Problem p = Problem::rejected(d.code, d.reason, here);
            p.order = origin.index;
            m_sink.report(std::move(p));
            ++m_report.rejected;
        }
    }

private:
    static std::string describe(const SourceRef& o) {
        return o.file + (o.layer.empty() ? "" : ", layer " + o.layer) + (o.feature.empty() ? "" : ", " + o.feature);
    }
    std::vector<ImageRecord>& m_out;
    ProblemSink& m_sink;
    ImageFileReport& m_report;
    std::map<std::string, std::string> m_seen;
};

std::string extension(const std::string& path) {
    auto dot = path.find_last_of('.');
    auto slash = path.find_last_of('/');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return {};
    std::string e = path.substr(dot + 1);
    std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return e;
}

bool is_lines_extension(const std::string& e) {
    return e == "ndjson" || e == "jsonl" || e == "geojsonl" || e == "geojsons";
}

void json_item(Collector& c, const json& item, const Context& where, SourceRef origin) {
    std::string id;
    if (item.is_object())
        if (auto it = item.find("id"); it != item.end() && it->is_string()) id = trim(it->get<std::string>());
    c.item(
        where, std::move(origin), id,
        [&] {
            if (!item.is_object()) throw Defect{ProblemCode::bad_value, "type", excerpt(item), "not a JSON object", "a STAC Item"};
            std::string type = item.value("type", std::string());
            if (type != "Feature") throw Defect{ProblemCode::bad_value, "type", type, "not a STAC Item", "\"type\": \"Feature\""};
            if (auto id = item.find("id"); id != item.end() && id->is_number()) // GeoJSON allows numeric ids
                return [&] {
                    json copy = item;
                    copy["id"] = id->dump();
                    return image_fields(JsonFields(copy));
                }();
            return image_fields(JsonFields(item));
        },
        [&] { return json_footprint(item); });
}

struct ParseError {
    std::string message;
    std::size_t byte = 0;
};

// nlohmann's description of why `text` is not JSON (nullopt when it is).
std::optional<ParseError> parse_error_of(std::string_view text) {
    try {
        json parsed = json::parse(text);
        if (parsed.is_discarded()) return ParseError{"discarded", 0};
    } catch (const json::parse_error& e) {
        return ParseError{e.what(), e.byte};
    }
    return std::nullopt;
}

void read_json(const std::string& path, Collector& c, ImageFileReport& report, ProblemSink& sink) {
    std::string text = read_file(path); // IoError on any read error
    mark_invalid_utf8(text);            // a Latin-1 byte: a problem on its item, not an unreadable file
    bool lines = is_lines_extension(extension(path));
    if (!lines) {
        json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
        if (!doc.is_discarded()) {
            std::string type = doc.is_object() ? doc.value("type", std::string()) : std::string();
            if (type == "Feature") {
                report.format = "stac-item";
                json_item(c, doc, Context{}.file(path), SourceRef{path, "", "", 0});
            } else if (type == "FeatureCollection") {
                report.format = "stac-itemcollection";
                auto f = doc.find("features");
                if (f == doc.end() || !f->is_array())
                    throw InputError("an ItemCollection without a \"features\" array", Context{}.file(path).field("features"));
                for (std::size_t i = 0; i < f->size(); ++i)
                    json_item(c, (*f)[i], Context{}.file(path).feature(std::to_string(i)), SourceRef{path, "", "feature " + std::to_string(i), i});
            } else {
                throw InputError("not a STAC Item or ItemCollection",
                                 Context{}.file(path).field("type").value(printable(type)).expected("Feature or FeatureCollection"));
            }
            return;
        }
        // Not one JSON document: one Item per line, if the first line is one.
        std::string first = text.substr(0, text.find('\n'));
        if (!json::accept(first)) {
            auto error = parse_error_of(text);
            throw InputError("not JSON: " + (error ? error->message : std::string("unreadable")),
                             Context{}.file(path).value(fmt::format("byte {}", error ? error->byte : 0)));
        }
    }
    report.format = "stac-lines";
    std::size_t pos = 0, line = 0, index = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::string_view l(text.data() + pos, end - pos);
        pos = end + 1;
        ++line;
        if (!l.empty() && l.front() == '\x1e') l.remove_prefix(1); // RFC 8142 record separator
        if (trim(std::string(l)).empty()) continue;
        Context where = Context{}.file(path).line(static_cast<long>(line));
        SourceRef origin{path, "", std::to_string(line), index++};
        json item = json::parse(l, nullptr, false);
        if (item.is_discarded()) {
            ++report.records;
            ++report.rejected;
            auto error = parse_error_of(l);
            std::string reason = error ? fmt::format("not JSON (byte {} of the line)", error->byte) : "not a JSON document";
            Problem p = Problem::rejected(ProblemCode::unreadable, reason, where);
            p.order = origin.index;
            sink.report(std::move(p));
            continue;
        }
        json_item(c, item, where, std::move(origin));
    }
}

void read_ogr(const std::string& path, const ImageReadOptions& options, Collector& c, ImageFileReport& report) {
    VectorSourceOptions vo = options.vector;
    if (vo.assume_crs.empty() && extension(path) == "csv") vo.assume_crs = "EPSG:4326";
    VectorSource source(path, vo);
    report.format = source.driver();
    source.for_each_feature([&](const Feature& f) {
        Context where = Context{}.file(path).layer(f.layer).feature(std::to_string(f.fid));
        SourceRef origin{path, f.layer, std::to_string(f.fid), f.index};
        c.item(
            where, std::move(origin), trim(f.field("id").value_or("")), [&] { return image_fields(FeatureFields(f)); },
            [&] {
                if (f.reprojection_failed()) throw Defect{ProblemCode::reprojection_failed, "geometry", "", f.reprojection_error(), ""};
                switch (f.geometry_kind()) {
                case GeometryKind::polygon: return f.polygons();
                case GeometryKind::none: throw Defect{ProblemCode::empty_geometry, "geometry", "", "no footprint", "a polygon (CSV: a WKT column)"};
                default:
                    throw Defect{ProblemCode::unsupported_geometry, "geometry", f.geometry_type_name(), "footprint is not a polygon", "a polygon"};
                }
            });
    });
}

} // namespace

bool is_stac_json(const std::string& path) {
    const std::string e = extension(path);
    if (e == "json" || e == "geojson" || is_lines_extension(e)) return true;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return false; // left to OGR, which names the error
    for (char ch : read_prefix(path, 4096))                        // IoError on a read error
        if (!std::isspace(static_cast<unsigned char>(ch))) return ch == '{' || ch == '\x1e';
    return false;
}

ImageFileReport read_images(const std::string& path, const ImageReadOptions& options, std::vector<ImageRecord>& out, ProblemSink& problems) {
    ImageFileReport report;
    report.path = path;
    Collector c(out, problems, report);
    if (is_stac_json(path))
        read_json(path, c, report, problems);
    else
        read_ogr(path, options, c, report);
    if (report.records == 0) report_no_records(path, options.vector.layer, "image record", problems);
    return report;
}

} // namespace avf::ingest
