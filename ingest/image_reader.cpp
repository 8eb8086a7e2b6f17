#include "ingest/image_reader.hpp"

#include "core/file_io.hpp"
#include "core/time.hpp"
#include "geo/validate.hpp"
#include "ingest/fields.hpp"
#include "ingest/text.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>

namespace avf::ingest {
namespace {

using nlohmann::json;
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::string excerpt(const json& v) {
    std::string s = v.dump();
    return s.size() > 60 ? s.substr(0, 60) + "…" : s;
}

// The fields of one item, whatever it was read from. A read that finds the item's first defect
// reports it through the item's RecordCheck and returns false.
class Fields {
public:
    explicit Fields(const RecordCheck& check) : m_check(check) {}
    virtual ~Fields() = default;
    Fields(const Fields&) = delete;
    Fields& operator=(const Fields&) = delete;

    /// Present and not null / not empty.
    virtual bool present(const std::string& name) const = 0;
    /// The text of a string field (trimmed); "" when absent.
    virtual bool text(const std::string& name, std::string& out) const = 0;
    /// A number field; nullopt when absent.
    virtual bool number(const std::string& name, std::optional<double>& out) const = 0;
    virtual bool list(const std::string& name, std::vector<std::string>& out) const = 0;

    const RecordCheck& check() const { return m_check; }

private:
    const RecordCheck& m_check;
};

// A STAC Item: `id` at the top level, everything else in `properties`.
class JsonFields final : public Fields {
public:
    JsonFields(const json& item, const RecordCheck& check) : Fields(check), m_item(item) {
        auto p = item.find("properties");
        if (p != item.end() && p->is_object()) m_props = &*p;
    }
    bool present(const std::string& name) const override {
        const json* v = find(name);
        return v && !v->is_null();
    }
    bool text(const std::string& name, std::string& out) const override {
        const json* v = find(name);
        out.clear();
        if (!v || v->is_null()) return true;
        if (!v->is_string()) return check().reject(ProblemCode::bad_value, name, excerpt(*v), "expected a string", "a JSON string");
        out = trim_space(v->get_ref<const std::string&>());
        return true;
    }
    bool number(const std::string& name, std::optional<double>& out) const override {
        const json* v = find(name);
        out.reset();
        if (!v || v->is_null()) return true;
        if (!v->is_number()) return check().reject(ProblemCode::bad_number, name, excerpt(*v), "expected a number", "a JSON number");
        out = v->get<double>();
        return true;
    }
    bool list(const std::string& name, std::vector<std::string>& out) const override {
        const json* v = find(name);
        out.clear();
        if (!v || v->is_null()) return true;
        if (!v->is_array()) return check().reject(ProblemCode::bad_value, name, excerpt(*v), "expected a list of strings", "a JSON array of strings");
        for (const auto& e : *v) {
            if (!e.is_string())
                return check().reject(ProblemCode::bad_value, name, excerpt(*v), "expected a list of strings", "a JSON array of strings");
            out.emplace_back(trim_space(e.get_ref<const std::string&>()));
        }
        return true;
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
    FeatureFields(const Feature& f, const RecordCheck& check) : Fields(check), m_f(f) {}
    bool present(const std::string& name) const override { return !value(name).empty(); }
    bool text(const std::string& name, std::string& out) const override {
        out = value(name);
        return true;
    }
    bool number(const std::string& name, std::optional<double>& out) const override {
        const std::string t = value(name);
        out.reset();
        if (t.empty()) return true;
        double v = 0;
        if (parse_number(t, v) != NumberText::ok)
            return check().reject(ProblemCode::bad_number, name, t, "not a number", "a decimal number such as 0.30");
        out = v;
        return true;
    }
    bool list(const std::string& name, std::vector<std::string>& out) const override {
        out = split_list(value(name));
        return true;
    }

private:
    std::string value(const std::string& name) const { return std::string(trim_space(m_f.field(name).value_or(""))); }
    const Feature& m_f;
};

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
    return out;
}

bool time_field(const Fields& f, const std::string& name, UtcTime& out) {
    std::string t;
    if (!f.text(name, t)) return false;
    auto v = parse_utc(t);
    if (!v) return f.check().reject(ProblemCode::bad_time, name, t, "not an ISO-8601 UTC time", "YYYY-MM-DDThh:mm:ssZ");
    out = *v;
    return true;
}

// A positive, finite number of metres up to `max` (a physical bound: core/records.hpp), or NaN
// when absent.
bool positive(const Fields& f, const std::string& name, double& out, double max = max_distance_m) {
    std::optional<double> v;
    if (!f.number(name, v)) return false;
    out = nan;
    if (!v) return true;
    const RecordCheck& check = f.check();
    const std::string shown = fmt::format("{}", *v);
    if (!std::isfinite(*v)) return check.reject(ProblemCode::not_finite, name, shown, "not a finite number", "a positive number");
    if (*v <= 0) return check.reject(ProblemCode::bad_value, name, shown, "must be positive", "a number > 0 (metres)");
    if (*v > max)
        return check.reject(ProblemCode::bad_value, name, shown, fmt::format("larger than any physical value ({} m)", max),
                            fmt::format("a number of metres from 0 to {}", max));
    out = *v;
    return true;
}

// Text kept in the store: valid UTF-8 without NUL bytes (text.hpp) and at most `max` bytes.
// (The value shown is escaped once here and once more by the report, as it always was.)
bool stored_text(const RecordCheck& check, const std::string& name, const std::string& v, std::size_t max) {
    if (auto defect = encoding_defect(v); !defect.empty())
        return check.reject(ProblemCode::bad_encoding, name, printable(v), "value " + std::string(defect));
    if (v.size() > max)
        return check.reject(ProblemCode::bad_value, name, printable(v.substr(0, 40)) + "…",
                            fmt::format("value is {} bytes long; at most {} are kept", v.size(), max));
    return true;
}

bool id_field(const Fields& f, const std::string& name, bool required, std::string& out) {
    if (!f.text(name, out)) return false;
    if (out.empty() && required) return f.check().reject(ProblemCode::missing_field, name, {}, "missing required field");
    return stored_text(f.check(), name, out, max_id_length);
}

bool list_field(const Fields& f, const std::string& name, std::size_t max, std::string& out) {
    std::vector<std::string> items;
    if (!f.list(name, items)) return false;
    out = join(items);
    return stored_text(f.check(), name, out, max);
}

bool party_field(const Fields& f, const std::string& name, std::string& out) {
    if (!id_field(f, name, false, out)) return false;
    out = canonical_party(out);
    return true;
}

// Reads every field but the footprint (see docs/imagery-format.md for the rules).
bool image_fields(const Fields& f, ImageRecord& r) {
    const RecordCheck& check = f.check();
    std::string id;
    if (!id_field(f, "id", true, id)) return false;
    r.id = ImageId{id};

    const bool has_start = f.present("start_datetime"), has_end = f.present("end_datetime");
    if (has_start || has_end) {
        if (!has_start) return check.reject(ProblemCode::missing_field, "start_datetime", {}, "end_datetime is given without start_datetime");
        if (!has_end) return check.reject(ProblemCode::missing_field, "end_datetime", {}, "start_datetime is given without end_datetime");
        if (!time_field(f, "start_datetime", r.acquisition.from) || !time_field(f, "end_datetime", r.acquisition.to)) return false;
        if (r.acquisition.to < r.acquisition.from) {
            std::string end;
            (void)f.text("end_datetime", end); // a string: time_field read it
            return check.reject(ProblemCode::bad_value, "end_datetime", end, "acquisition ends before it starts", "end_datetime >= start_datetime");
        }
        UtcTime t;
        if (f.present("datetime") && !time_field(f, "datetime", t)) return false; // still checked
    } else if (f.present("datetime")) {
        UtcTime t;
        if (!time_field(f, "datetime", t)) return false;
        r.acquisition = Interval{t, t};
    } else {
        return check.reject(ProblemCode::missing_field, "datetime", {}, "no acquisition time", "datetime, or start_datetime and end_datetime");
    }

    if (!id_field(f, "platform", false, r.platform) || !id_field(f, "mission", false, r.mission) ||
        !list_field(f, "instruments", max_name_length, r.instruments) || !list_field(f, "sar:polarizations", max_id_length, r.sar_polarizations) ||
        !party_field(f, "avf:observing_party", r.observing_party) || !party_field(f, "avf:observed_party", r.observed_party) ||
        !id_field(f, "avf:flight_id", false, r.flight_id))
        return false;

    if (!positive(f, "sar:resolution_range", r.sar_range_resolution.value) || !positive(f, "sar:resolution_azimuth", r.sar_azimuth_resolution.value))
        return false;
    const bool has_sar = !std::isnan(r.sar_range_resolution.value) || !std::isnan(r.sar_azimuth_resolution.value) || f.present("sar:polarizations");

    std::string sensor;
    if (!f.text("avf:sensor", sensor) || !stored_text(check, "avf:sensor", sensor, max_id_length)) return false;
    if (sensor.empty()) {
        if (!has_sar)
            return check.reject(ProblemCode::missing_field, "avf:sensor", {}, "no sensor category (and no sar:* field)",
                                "optical, video, infrared or sar");
        r.sensor = SensorCategory::sar;
    } else {
        auto s = parse_sensor_category(sensor);
        if (!s) return check.reject(ProblemCode::bad_value, "avf:sensor", sensor, "unknown sensor category", "optical, video, infrared or sar");
        r.sensor = *s;
    }

    double gsd = nan;
    if (!positive(f, "gsd", gsd)) return false;
    if (std::isnan(gsd) && r.sensor == SensorCategory::sar) gsd = std::fmin(r.sar_range_resolution.value, r.sar_azimuth_resolution.value);
    if (std::isnan(gsd))
        return check.reject(ProblemCode::missing_field, "gsd", {}, "no ground resolution",
                            r.sensor == SensorCategory::sar ? "gsd, or sar:resolution_range / sar:resolution_azimuth" : "gsd (metres)");
    r.gsd = Meters{gsd};

    if (!positive(f, "avf:height_m", r.height.value, max_height_m)) return false;
    r.off_nadir = nan;
    std::optional<double> off_nadir;
    if (!f.number("view:off_nadir", off_nadir)) return false;
    if (off_nadir) {
        if (!std::isfinite(*off_nadir) || *off_nadir < 0 || *off_nadir > 90)
            return check.reject(ProblemCode::bad_value, "view:off_nadir", fmt::format("{}", *off_nadir), "off-nadir angle outside [0, 90] degrees",
                                "0..90");
        r.off_nadir = *off_nadir;
    }
    return true;
}

// GeoJSON Polygon / MultiPolygon coordinates → MultiPolygon (not yet validated).
bool json_ring(const RecordCheck& check, const json& ring, Ring& out) {
    if (!ring.is_array()) return check.reject(ProblemCode::invalid_geometry, "geometry", excerpt(ring), "a ring is not an array of positions");
    for (const auto& pos : ring) {
        if (!pos.is_array() || pos.size() < 2 || !pos[0].is_number() || !pos[1].is_number())
            return check.reject(ProblemCode::invalid_geometry, "geometry", excerpt(pos), "a position is not [lon, lat]", "[lon, lat] numbers");
        out.push_back(GeoPoint{pos[0].get<double>(), pos[1].get<double>()});
    }
    return true;
}

bool json_polygon(const RecordCheck& check, const json& rings, MultiPolygon& out) {
    if (!rings.is_array() || rings.empty()) return check.reject(ProblemCode::empty_geometry, "geometry", excerpt(rings), "a polygon without rings");
    Polygon& p = out.emplace_back();
    if (!json_ring(check, rings[0], p.outer())) return false;
    for (std::size_t i = 1; i < rings.size(); ++i)
        if (!json_ring(check, rings[i], p.inners().emplace_back())) return false;
    return true;
}

bool json_footprint(const RecordCheck& check, const json& item, MultiPolygon& out) {
    auto g = item.find("geometry");
    if (g == item.end() || g->is_null())
        return check.reject(ProblemCode::empty_geometry, "geometry", "null", "no footprint", "a Polygon or MultiPolygon");
    if (!g->is_object())
        return check.reject(ProblemCode::invalid_geometry, "geometry", excerpt(*g), "not a GeoJSON geometry", "a Polygon or MultiPolygon");
    std::string type = g->value("type", std::string());
    auto c = g->find("coordinates");
    if (type != "Polygon" && type != "MultiPolygon")
        return check.reject(ProblemCode::unsupported_geometry, "geometry", type, "footprint is not a polygon", "a Polygon or MultiPolygon");
    if (c == g->end() || !c->is_array() || c->empty())
        return check.reject(ProblemCode::empty_geometry, "geometry", type, "footprint without coordinates", "a Polygon or MultiPolygon");
    if (type == "Polygon") return json_polygon(check, *c, out);
    for (const auto& rings : *c)
        if (!json_polygon(check, rings, out)) return false;
    return true;
}

// Collects the records of one file, checking ids against everything already in `out`.
class Collector {
public:
    Collector(std::vector<ImageRecord>& out, ProblemSink& sink, ImageFileReport& report) : m_out(out), m_sink(sink), m_report(report) {
        for (const auto& r : out) m_seen.emplace(r.id.str(), describe(r.origin));
    }

    // One item at `where` (its id, as read before any check, in `id`): the fields, then the
    // footprint through geo validation. read_fields(check, record) and read_geometry(check,
    // footprint) report the item's first defect and return false.
    template <typename ReadFields, typename ReadGeometry>
    void item(const RecordPosition& where, SourceRef origin, std::string id, ReadFields&& read_fields, ReadGeometry&& read_geometry) {
        ++m_report.records;
        if (id.size() > max_id_length) id.clear();
        RecordPosition at = where;
        at.record = id;
        const RecordCheck check(m_sink, at);
        ImageRecord r;
        if (!read_fields(check, r)) return rejected();
        id = r.id.str();
        at.record = id;
        Context here = where.context();
        here.record(id);
        if (!read_geometry(check, r.footprint)) return rejected();
        if (!geo::normalize_polygons(r.footprint, m_sink, Context(here).field("geometry"))) return rejected();
        auto [it, fresh] = m_seen.emplace(id, describe(origin));
        if (!fresh) {
            m_sink.report(
                Problem::rejected(ProblemCode::duplicate_id, "image id already read at " + it->second, Context(here).field("id").value(id)));
            return rejected();
        }
        r.origin = std::move(origin);
        m_out.push_back(std::move(r));
        ++m_report.accepted;
    }

private:
    void rejected() { ++m_report.rejected; }
    static std::string describe(const SourceRef& o) {
        return o.file + (o.layer.empty() ? "" : ", layer " + o.layer) + (o.feature.empty() ? "" : ", " + o.feature);
    }
    std::vector<ImageRecord>& m_out;
    ProblemSink& m_sink;
    ImageFileReport& m_report;
    std::map<std::string, std::string> m_seen;
};

bool is_lines_extension(const std::string& e) {
    return e == "ndjson" || e == "jsonl" || e == "geojsonl" || e == "geojsons";
}

void json_item(Collector& c, const json& item, const RecordPosition& where, SourceRef origin) {
    std::string id;
    if (item.is_object())
        if (auto it = item.find("id"); it != item.end() && it->is_string()) id = trim_space(it->get_ref<const std::string&>());
    c.item(
        where, std::move(origin), id,
        [&](const RecordCheck& check, ImageRecord& r) {
            if (!item.is_object()) return check.reject(ProblemCode::bad_value, "type", excerpt(item), "not a JSON object", "a STAC Item");
            std::string type = item.value("type", std::string());
            if (type != "Feature") return check.reject(ProblemCode::bad_value, "type", type, "not a STAC Item", R"("type": "Feature")");
            if (auto id = item.find("id"); id != item.end() && id->is_number()) { // GeoJSON allows numeric ids
                json copy = item;
                copy["id"] = id->dump();
                return image_fields(JsonFields(copy, check), r);
            }
            return image_fields(JsonFields(item, check), r);
        },
        [&](const RecordCheck& check, MultiPolygon& footprint) { return json_footprint(check, item, footprint); });
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
    bool lines = is_lines_extension(file_extension(path));
    if (!lines) {
        json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
        if (!doc.is_discarded()) {
            std::string type = doc.is_object() ? doc.value("type", std::string()) : std::string();
            if (type == "Feature") {
                report.format = "stac-item";
                RecordPosition where;
                where.file = path;
                json_item(c, doc, where, SourceRef{path, "", "", 0});
            } else if (type == "FeatureCollection") {
                report.format = "stac-itemcollection";
                auto f = doc.find("features");
                if (f == doc.end() || !f->is_array())
                    throw InputError("an ItemCollection without a \"features\" array", Context{}.file(path).field("features"));
                for (std::size_t i = 0; i < f->size(); ++i) {
                    const std::string feature = std::to_string(i);
                    RecordPosition where;
                    where.file = path;
                    where.feature = feature;
                    where.index = i;
                    where.order = i;
                    json_item(c, (*f)[i], where, SourceRef{path, "", "feature " + feature, i});
                }
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
        if (trim_space(l).empty()) continue;
        RecordPosition where;
        where.file = path;
        where.line = line;
        where.index = index++;
        where.order = where.index;
        json item = json::parse(l, nullptr, false);
        if (item.is_discarded()) {
            ++report.records;
            ++report.rejected;
            auto error = parse_error_of(l);
            std::string reason = error ? fmt::format("not JSON (byte {} of the line)", error->byte) : "not a JSON document";
            RecordCheck(sink, where).reject(ProblemCode::unreadable, {}, {}, std::move(reason));
            continue;
        }
        json_item(c, item, where, where.origin());
    }
}

void read_ogr(const std::string& path, const ImageReadOptions& options, Collector& c, ImageFileReport& report) {
    VectorSourceOptions vo = options.vector;
    if (vo.assume_crs.empty() && file_extension(path) == "csv") vo.assume_crs = "EPSG:4326";
    VectorSource source(path, vo);
    report.format = source.driver();
    source.for_each_feature([&](const Feature& f) {
        const RecordPosition where = feature_position(path, f);
        c.item(
            where, where.origin(), std::string(trim_space(f.field("id").value_or(""))),
            [&](const RecordCheck& check, ImageRecord& r) { return image_fields(FeatureFields(f, check), r); },
            [&](const RecordCheck& check, MultiPolygon& footprint) {
                if (f.reprojection_failed()) return check.reject(ProblemCode::reprojection_failed, "geometry", {}, f.reprojection_error());
                switch (f.geometry_kind()) {
                case GeometryKind::polygon: footprint = f.polygons(); return true;
                case GeometryKind::none:
                    return check.reject(ProblemCode::empty_geometry, "geometry", {}, "no footprint", "a polygon (CSV: a WKT column)");
                default:
                    return check.reject(ProblemCode::unsupported_geometry, "geometry", f.geometry_type_name(), "footprint is not a polygon",
                                        "a polygon");
                }
            });
    });
}

} // namespace

bool is_stac_json(const std::string& path) {
    const std::string e = file_extension(path);
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
