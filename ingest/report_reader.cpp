#include "ingest/report_reader.hpp"

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "geo/geodesic.hpp"
#include "ingest/csv.hpp"
#include "ingest/csv_records.hpp"
#include "ingest/fields.hpp"
#include "ingest/json_records.hpp"
#include "ingest/record_fields.hpp"
#include "ingest/text.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

namespace avf::ingest {
namespace {

// ---- texts of one record, by field name: RecordTexts (ingest/record_fields.hpp) ----

// A CSV file's header mapped to the known fields; unknown columns are one note.
std::map<std::string, std::size_t> csv_columns(const CsvBlockReader& reader, const std::string& path, const std::vector<std::string>& known,
                                               ProblemSink& problems) {
    std::map<std::string, std::size_t> columns;
    std::vector<std::string> ignored;
    for (std::size_t i = 0; i < reader.header().size(); ++i) {
        std::string name = ascii_lower(trim(reader.header()[i]));
        if (std::find(known.begin(), known.end(), name) == known.end()) {
            ignored.push_back(name);
            continue;
        }
        if (!columns.emplace(name, i).second)
            throw InputError("column '" + name + "' appears twice", Context{}.file(path).line(static_cast<long>(reader.header_line())).field(name));
    }
    if (!ignored.empty()) {
        std::string list;
        for (const auto& n : ignored) list += (list.empty() ? "" : ", ") + n;
        problems.report(Problem{Severity::note, ProblemCode::bad_value, "columns ignored: " + list,
                                Context{}.file(path).line(static_cast<long>(reader.header_line())), 0});
    }
    return columns;
}

void require_column(const std::map<std::string, std::size_t>& columns, std::initializer_list<const char*> any_of, const CsvBlockReader& reader,
                    const std::string& path, const std::string& expected) {
    for (const char* c : any_of)
        if (columns.count(c)) return;
    throw InputError(std::string("missing required column '") + *any_of.begin() + "'",
                     Context{}.file(path).line(static_cast<long>(reader.header_line())).field(*any_of.begin()).expected(expected));
}

// ---- the gazetteer ----

const std::vector<std::string> k_place_fields = {"id", "name", "alt_names", "alternate_names", "lon", "lat", "radius_m"};

std::vector<std::string> split_names(std::string_view text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        if (i == text.size() || text[i] == ',' || text[i] == ';') {
            std::string_view item = trim_space(text.substr(start, i - start));
            if (!item.empty()) out.emplace_back(item);
            start = i + 1;
        }
    }
    return out;
}

// Validates one gazetteer entry; `point` is the OGR geometry (nullopt: lon/lat fields).
bool build_place(const RecordTexts& raw, const std::optional<GeoPoint>& point, const std::string& geometry_error, const RecordPosition& where,
                 GazetteerEntry& out, ProblemSink& sink) {
    RecordPosition at = where;
    at.record = raw["id"];
    const RecordCheck check(sink, at);
    const RecordFields b(raw, check);
    GazetteerEntry e;
    if (!b.text("id", e.id, true)) return false;
    if (!b.text("name", e.name, true, max_name_length)) return false;
    const std::string alt_field = raw.has("alt_names") ? "alt_names" : "alternate_names";
    for (auto& name : split_names(raw[alt_field])) {
        if (auto defect = encoding_defect(name); !defect.empty())
            return b.reject(ProblemCode::bad_encoding, alt_field, "an alternate name " + std::string(defect));
        e.alternate_names.push_back(std::move(name));
    }
    if (!geometry_error.empty()) return b.reject(ProblemCode::unsupported_geometry, "", geometry_error, "a Point");
    double lon = 0, lat = 0;
    if (point) {
        lon = point->x();
        lat = point->y();
    } else {
        if (!raw.has("lon")) return b.reject(ProblemCode::missing_field, "lon", "required field 'lon' is empty or missing");
        if (!b.number("lon", lon)) return false;
        if (!raw.has("lat")) return b.reject(ProblemCode::missing_field, "lat", "required field 'lat' is empty or missing");
        if (!b.number("lat", lat)) return false;
    }
    if (!(lon >= -180 && lon <= 180)) return b.reject(ProblemCode::coordinate_out_of_range, point ? "" : "lon", "longitude outside [-180, 180]");
    if (!(lat >= -90 && lat <= 90)) return b.reject(ProblemCode::coordinate_out_of_range, point ? "" : "lat", "latitude outside [-90, 90]");
    e.position = GeoPoint{lon, lat};
    if (raw.has("radius_m")) {
        double r = 0;
        if (!b.number("radius_m", r)) return false;
        if (r < 0 || r > max_distance_m)
            return b.reject(ProblemCode::bad_value, "radius_m", "the place's radius must be from 0 to half the Earth's circumference",
                            "metres, 0 to " + std::to_string(static_cast<long long>(max_distance_m)));
        e.radius = Meters{r};
    }
    e.origin = where.origin();
    out = std::move(e);
    return true;
}

// The layer of a multi-layer source that holds the places when none was named: its only point
// layer; "" for a source of one layer. InputError, listing the layers, when there is no single one.
std::string gazetteer_layer(const std::string& path, const VectorSourceOptions& options) {
    VectorSource source(path, options);
    const std::vector<std::string> layers = source.layers();
    if (layers.size() <= 1) return "";
    std::vector<std::string> points;
    std::string list;
    for (const auto& l : layers) {
        const std::string type = source.geometry_type(l);
        if (type == "Point") points.push_back(l);
        list += (list.empty() ? "" : ", ") + l + " (" + type + ")";
    }
    if (points.size() == 1) return points.front();
    throw InputError(
        fmt::format("has {} layers, {} of them point layers; name the one holding the places (--gazetteer-layer)", layers.size(), points.size()),
        Context{}.file(path).expected("one of: " + list));
}

// ---- bearings, rounding, placement ----

// The 16 compass points, clockwise from north, 22.5° apart.
constexpr std::array<std::string_view, 16> k_compass = {"n", "nne", "ne", "ene", "e", "ese", "se", "sse",
                                                        "s", "ssw", "sw", "wsw", "w", "wnw", "nw", "nnw"};

// "north-north-east" → "nne"; "" when a word is not north/east/south/west.
std::string compass_from_words(std::string_view folded) {
    std::string letters;
    std::size_t i = 0;
    while (i < folded.size()) {
        const char c = folded[i];
        if (c == '-' || c == ' ' || c == '_') {
            ++i;
            continue;
        }
        bool matched = false;
        for (std::string_view word : {"north", "east", "south", "west"}) {
            if (folded.substr(i, word.size()) == word) {
                letters += word.front();
                i += word.size();
                matched = true;
                break;
            }
        }
        if (!matched) return {};
    }
    return letters;
}

bool parse_means(std::string_view text, ObservationMeans& out) {
    std::string s;
    for (char c : trim(text)) s += (c == '-' || c == ' ') ? '_' : ascii_lower(c);
    static const std::array<std::pair<std::string_view, ObservationMeans>, 4> names = {{{"patrol", ObservationMeans::patrol},
                                                                                        {"mini_uav", ObservationMeans::mini_uav},
                                                                                        {"long_range_uav", ObservationMeans::long_range_uav},
                                                                                        {"camera", ObservationMeans::camera}}};
    for (const auto& [name, m] : names)
        if (s == name) {
            out = m;
            return true;
        }
    return false;
}

const std::string* resolve_class(const Taxonomy& taxonomy, std::string_view text) {
    if (const std::string* c = taxonomy.resolve(text)) return c;
    if (text.size() > 1 && (text.back() == 's' || text.back() == 'S')) return taxonomy.resolve(text.substr(0, text.size() - 1));
    return nullptr;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    std::iota(row.begin(), row.end(), std::size_t{0});
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

std::string describe_entry(const GazetteerEntry& e) {
    return fmt::format("{} (id {}, {:.5f} {:.5f})", e.name, e.id, e.position.x(), e.position.y());
}

// ---- sightings ----

const std::vector<std::string> k_report_fields = {
    "report_id", "id",    "time",  "place", "place_id", "bearing", "bearing_error_deg", "distance_km", "distance_error_km",
    "counts",    "class", "count", "means", "heading",  "party",   "confidence"};

struct RawSighting {
    RecordTexts raw;
    std::optional<std::vector<std::pair<std::string, std::string>>> count_items; // JSON {"tanks": 4}: (count text, class text)
    std::string count_error;                                                     // why the JSON counts are unusable
};

struct CountItem {
    std::int64_t count = 0;
    std::string written; // the class as written
    const std::string* canonical = nullptr;
};

class SightingBuilder {
public:
    SightingBuilder(const Gazetteer& gazetteer, const Taxonomy& taxonomy) : m_gazetteer(gazetteer), m_taxonomy(taxonomy) {}

    bool build(const RawSighting& in, const RecordPosition& where, ReportedSighting& out, ProblemSink& sink) {
        const RecordTexts& raw = in.raw;
        // The sighting's number within its report counts every row of the report, good or bad, so
        // that fixing one row never renumbers the others.
        std::uint64_t number = 0;
        if (raw.has("report_id")) number = ++m_rows_per_report[raw["report_id"]];
        RecordPosition at = where;
        at.record = raw.has("id") ? raw["id"] : raw["report_id"];
        const RecordCheck check(sink, at);
        const RecordFields b(raw, check);
        ReportedSighting s;
        if (!b.text("report_id", s.report_id, true)) return false;
        if (!b.text("id", s.id, false)) return false;
        if (s.id.empty()) s.id = s.report_id + "-" + std::to_string(number);

        UtcTime time;
        if (!raw.has("time")) return b.reject(ProblemCode::missing_field, "time", "required field 'time' is empty or missing");
        if (auto t = parse_utc(raw["time"]))
            time = *t;
        else
            return b.reject(ProblemCode::bad_time, "time", "not an ISO-8601 UTC time", "YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss]Z/±hh:mm");

        std::optional<StatedBearing> bearing;
        if (raw.has("bearing")) {
            bearing = parse_bearing(raw["bearing"]);
            if (!bearing)
                return b.reject(ProblemCode::bad_value, "bearing", "not a bearing",
                                "degrees clockwise from north, 0 to 360, or a compass point (N, NNE, NE … NNW, or north-east …)");
        }
        if (raw.has("bearing_error_deg")) {
            double e = 0;
            if (!b.number("bearing_error_deg", e)) return false;
            if (e < 0 || e > 180) return b.reject(ProblemCode::bad_value, "bearing_error_deg", "bearing error outside [0, 180] degrees");
            if (bearing) bearing->half_width = e;
        }

        if (!raw.has("distance_km")) return b.reject(ProblemCode::missing_field, "distance_km", "required field 'distance_km' is empty or missing");
        double km = 0;
        if (!b.number("distance_km", km)) return false;
        if (km < 0 || km * 1000.0 > max_distance_m)
            return b.reject(ProblemCode::bad_value, "distance_km", "distance outside [0, half the Earth's circumference]", "kilometres >= 0");
        s.distance = kilometers(km);
        s.distance_half_width = kilometers(rounding_half_width(raw["distance_km"]));
        if (raw.has("distance_error_km")) {
            double e = 0;
            if (!b.number("distance_error_km", e)) return false;
            if (e < 0 || e * 1000.0 > max_distance_m)
                return b.reject(ProblemCode::bad_value, "distance_error_km", "distance error must be >= 0", "kilometres >= 0");
            s.distance_half_width = kilometers(e);
        }
        if (!bearing) {
            // "at <place>": no direction, the whole circle of the stated distance's rounding.
            if (km != 0.0) return b.reject(ProblemCode::missing_field, "bearing", "a distance other than 0 needs a bearing");
            bearing = StatedBearing{0.0, 180.0};
        }
        s.bearing = *bearing;

        std::vector<CountItem> items;
        if (!read_counts(in, b, items)) return false;

        const std::string means_text = raw["means"];
        if (means_text.empty()) return b.reject(ProblemCode::missing_field, "means", "required field 'means' is empty or missing");
        if (!parse_means(means_text, s.means))
            return b.reject(ProblemCode::bad_value, "means", "unknown means of observation", "patrol, mini_uav, long_range_uav or camera");
        if (raw.has("heading")) {
            s.heading = parse_bearing(raw["heading"]);
            if (!s.heading)
                return b.reject(ProblemCode::bad_value, "heading", "not a heading", "degrees clockwise from north, 0 to 360, or a compass point");
        }
        std::string party;
        if (!b.text("party", party, false)) return false;
        party = canonical_party(party);
        double confidence = 1.0;
        if (raw.has("confidence")) {
            if (!b.number("confidence", confidence)) return false;
            if (confidence < 0 || confidence > 1) return b.reject(ProblemCode::bad_value, "confidence", "confidence outside [0, 1]");
        }

        const GazetteerEntry* place = nullptr;
        if (!find_place(raw, b, place)) return false;
        s.place_id = place->id;

        const SightingPlacement at_point = place_sighting(place->position, place->radius, s.bearing, s.distance, s.distance_half_width);
        if (!(at_point.uncertainty.value <= max_distance_m))
            return b.reject(ProblemCode::bad_value, "distance_km", "the sighting's uncertainty is beyond half the Earth's circumference");

        for (std::size_t k = 0; k < items.size(); ++k) {
            Detection d;
            const std::string id = items.size() == 1 ? s.id : s.id + "/" + std::to_string(k + 1);
            if (id.size() > max_id_length)
                return b.reject(ProblemCode::bad_value, raw.has("id") ? "id" : "report_id", "the detection id '" + id + "' would be too long",
                                "at most " + std::to_string(max_id_length) + " bytes");
            d.id = DetectionId{id};
            d.time = time;
            d.position = at_point.position;
            d.uncertainty = at_point.uncertainty;
            d.equipment_class = *items[k].canonical;
            if (items[k].written != *items[k].canonical && items[k].written.size() <= max_id_length) d.model = items[k].written;
            d.count = items[k].count;
            d.confidence = confidence;
            d.party = party;
            d.source = "monitor_report";
            d.source_record = s.report_id;
            d.origin = where.origin();
            s.detections.push_back(std::move(d));
        }
        out = std::move(s);
        return true;
    }

private:
    bool read_counts(const RawSighting& in, const RecordFields& b, std::vector<CountItem>& items) const {
        const RecordTexts& raw = in.raw;
        std::vector<std::pair<std::string, std::string>> written; // (count text, class text)
        std::string field = "counts";
        if (!in.count_error.empty()) return b.reject(ProblemCode::bad_value, "counts", in.count_error, "\"4 tanks; 2 MLRS\" or {\"tanks\": 4}");
        if (in.count_items) {
            written = *in.count_items;
        } else if (raw.has("counts")) {
            for (auto& item : split_names(raw["counts"])) {
                const auto blank = item.find_first_of(" \t");
                if (blank == std::string::npos)
                    return b.reject(ProblemCode::bad_value, "counts", "item '" + printable(item) + "' is not '<count> <class>'",
                                    "\"4 tanks; 2 MLRS\"");
                written.emplace_back(item.substr(0, blank), std::string(trim_space(std::string_view(item).substr(blank))));
            }
        } else if (raw.has("class")) {
            field = "class";
            if (!raw.has("count")) return b.reject(ProblemCode::missing_field, "count", "a class needs its count");
            written.emplace_back(raw["count"], raw["class"]);
        } else {
            return b.reject(ProblemCode::missing_field, "counts", "nothing counted: give counts (\"4 tanks; 2 MLRS\") or class and count");
        }
        if (written.empty()) return b.reject(ProblemCode::missing_field, field, "nothing counted");
        for (const auto& [count_text, cls] : written) {
            CountItem item;
            if (auto defect = encoding_defect(cls); !defect.empty())
                return b.reject(ProblemCode::bad_encoding, field, "a class " + std::string(defect));
            item.written = cls;
            if (parse_integer(count_text, item.count) != NumberText::ok || item.count < 1 || item.count > max_items_per_record)
                return b.reject(ProblemCode::bad_value, field == "class" ? "count" : field,
                                "count '" + printable(count_text) + "' of '" + printable(cls) + "' is not a whole number from 1",
                                "a whole number from 1 to " + std::to_string(max_items_per_record));
            item.canonical = resolve_class(m_taxonomy, cls);
            if (!item.canonical)
                return b.reject(ProblemCode::unknown_class, field, "unknown equipment class '" + printable(cls) + "'",
                                "a class or alias of the regime's [classes]");
            items.push_back(std::move(item));
        }
        return true;
    }

    bool find_place(const RecordTexts& raw, const RecordFields& b, const GazetteerEntry*& place) const {
        const std::string& name = raw["place"];
        if (raw.has("place_id")) {
            place = m_gazetteer.by_id(raw["place_id"]);
            if (!place) return b.reject(ProblemCode::unknown_place, "place_id", "no gazetteer entry has this id");
            if (!name.empty()) {
                const auto named = m_gazetteer.find(name);
                if (std::find(named.begin(), named.end(), place) == named.end())
                    return b.reject(ProblemCode::bad_value, "place",
                                    "'" + printable(name) + "' is not a name of gazetteer entry " + describe_entry(*place));
            }
            return true;
        }
        if (name.empty()) return b.reject(ProblemCode::missing_field, "place", "no place: give place (a gazetteer name) or place_id");
        const auto named = m_gazetteer.find(name);
        if (named.size() == 1) {
            place = named.front();
            return true;
        }
        if (named.empty()) {
            std::string near;
            for (const GazetteerEntry* e : m_gazetteer.near_names(name)) near += (near.empty() ? "" : "; ") + describe_entry(*e);
            return b.reject(ProblemCode::unknown_place, "place",
                            "no gazetteer entry is named so" + (near.empty() ? std::string() : "; closest names: " + near),
                            "a name or alternate name of the gazetteer, or place_id");
        }
        std::string candidates;
        for (const GazetteerEntry* e : named) candidates += (candidates.empty() ? "" : "; ") + describe_entry(*e);
        return b.reject(ProblemCode::ambiguous_place, "place", fmt::format("{} gazetteer entries are named so: {}", named.size(), candidates),
                        "place_id naming one of them");
    }

    const Gazetteer& m_gazetteer;
    const Taxonomy& m_taxonomy;
    std::map<std::string, std::uint64_t> m_rows_per_report;
};

std::uint64_t read_reports_csv(const std::string& path, SightingBuilder& builder, std::vector<ReportedSighting>& out, ProblemSink& problems) {
    CsvBlockReader reader(path);
    const auto columns = csv_columns(reader, path, k_report_fields, problems);
    const std::string expected = "columns report_id, time, place or place_id, bearing, distance_km, means, and counts or class + count";
    require_column(columns, {"report_id"}, reader, path, expected);
    require_column(columns, {"time"}, reader, path, expected);
    require_column(columns, {"place", "place_id"}, reader, path, expected);
    require_column(columns, {"distance_km"}, reader, path, expected);
    require_column(columns, {"means"}, reader, path, expected);
    require_column(columns, {"counts", "class"}, reader, path, expected);
    return for_each_csv_record(reader, path, columns, problems, [&](std::map<std::string, std::string> fields, const RecordPosition& where) {
        RawSighting in;
        in.raw.value = std::move(fields);
        ReportedSighting s;
        if (builder.build(in, where, s, problems)) out.push_back(std::move(s));
    });
}

std::uint64_t read_reports_json(const std::string& path, SightingBuilder& builder, std::vector<ReportedSighting>& out, ProblemSink& problems) {
    const nlohmann::json doc = parse_json_file(path, "sighting objects");
    return for_each_json_record(json_list(doc, "sightings", path, "sightings"), path, problems,
                                [&](const nlohmann::json& item, const RecordPosition& where) {
                                    RawSighting in;
                                    for (const auto& [key, v] : item.items()) {
                                        const std::string k = ascii_lower(key);
                                        if (k == "counts" && v.is_object()) {
                                            in.count_items.emplace();
                                            for (const auto& [cls, n] : v.items()) {
                                                if (!n.is_number_integer() && !n.is_string())
                                                    in.count_error = "the count of '" + printable(cls) + "' is not a whole number";
                                                in.count_items->emplace_back(json_text(n), std::string(trim(cls)));
                                            }
                                            continue;
                                        }
                                        in.raw.value[k] = json_text(v);
                                    }
                                    ReportedSighting s;
                                    if (builder.build(in, where, s, problems)) out.push_back(std::move(s));
                                });
}

// The reports file as a DetectionSource: read whole when opened (reports are a mission's daily
// sightings, not a sensor feed), then handed out in batches.
class ReportSource final : public DetectionSource {
public:
    ReportSource(const std::string& path, const Gazetteer& gazetteer, const ReportReadOptions& options) {
        std::uint64_t rows = 0;
        auto sightings = read_all(path, gazetteer, options, m_problems, &rows);
        for (auto& s : sightings)
            for (auto& d : s.detections) m_detections.push_back(std::move(d));
        m_rows = rows;
        std::error_code ec;
        const auto size = std::filesystem::file_size(path, ec);
        m_bytes_total = ec ? 0 : static_cast<std::uint64_t>(size);
    }

    bool next_batch(std::vector<Detection>& out, CollectingProblemSink& problems, std::size_t max_records) override {
        if (max_records == 0) throw InternalError("DetectionSource::next_batch called with max_records = 0");
        out.clear();
        for (auto& p : m_problems.problems()) problems.report(std::move(p));
        m_problems.problems().clear();
        while (m_next < m_detections.size() && out.size() < max_records) out.push_back(std::move(m_detections[m_next++]));
        m_started = true;
        return !out.empty();
    }
    std::uint64_t bytes_total() const override { return m_bytes_total; }
    std::uint64_t bytes_read() const override { return m_started ? m_bytes_total : 0; }
    std::uint64_t records_seen() const override { return m_started ? m_rows : 0; }

    static std::vector<ReportedSighting> read_all(const std::string& path, const Gazetteer& gazetteer, const ReportReadOptions& options,
                                                  ProblemSink& problems, std::uint64_t* rows);

private:
    std::vector<Detection> m_detections;
    CollectingProblemSink m_problems;
    std::size_t m_next = 0;
    std::uint64_t m_rows = 0, m_bytes_total = 0;
    bool m_started = false;
};

std::vector<ReportedSighting> ReportSource::read_all(const std::string& path, const Gazetteer& gazetteer, const ReportReadOptions& options,
                                                     ProblemSink& problems, std::uint64_t* rows) {
    if (!options.taxonomy) throw UsageError("read_reports needs the regime's taxonomy");
    SightingBuilder builder(gazetteer, *options.taxonomy);
    std::vector<ReportedSighting> out;
    std::uint64_t records = 0;
    if (file_extension(path) == "json") {
        records = read_reports_json(path, builder, out, problems);
        if (records == 0) report_no_records(path, "", "sighting", problems); // (CSV: the block reader says it)
    } else {
        records = read_reports_csv(path, builder, out, problems);
    }
    if (rows) *rows = records;
    return out;
}

} // namespace

// ---- Gazetteer ----

std::string Gazetteer::fold(std::string_view name) {
    // Unicode case folding with compatibility normalization (ICU's NFKC_Casefold: "НОВОАЗОВСЬК"
    // and "Новоазовськ", a decomposed "Ka\u0304rsava" and "Kārsava", a no-break space and a space
    // compare equal); then blanks collapsed. A byte that is not UTF-8 becomes U+FFFD.
    std::string folded;
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(status);
    if (U_SUCCESS(status)) {
        const icu::UnicodeString text = icu::UnicodeString::fromUTF8(icu::StringPiece(name.data(), static_cast<int32_t>(name.size())));
        const icu::UnicodeString out = nfkc_cf->normalize(text, status);
        if (U_SUCCESS(status)) out.toUTF8String(folded);
    }
    if (U_FAILURE(status)) folded = ascii_lower(name); // ICU's data missing: ASCII folding only
    std::string out;
    bool blank = false;
    for (char c : trim_space(folded)) {
        if (c == ' ' || c == '\t') {
            blank = true;
            continue;
        }
        if (blank) out += ' ';
        blank = false;
        out += c;
    }
    return out;
}

Gazetteer::Gazetteer(std::vector<GazetteerEntry> entries) : m_entries(std::move(entries)) {
    for (std::size_t i = 0; i < m_entries.size(); ++i) {
        const GazetteerEntry& e = m_entries[i];
        m_by_id.emplace(e.id, i);
        std::vector<std::string> names{fold(e.name)};
        for (const auto& a : e.alternate_names) names.push_back(fold(a));
        std::sort(names.begin(), names.end());
        names.erase(std::unique(names.begin(), names.end()), names.end()); // an entry once per name
        for (auto& n : names) m_by_name[n].push_back(i);
    }
}

std::vector<const GazetteerEntry*> Gazetteer::find(std::string_view name) const {
    std::vector<const GazetteerEntry*> out;
    auto it = m_by_name.find(fold(name));
    if (it == m_by_name.end()) return out;
    for (std::size_t i : it->second) out.push_back(&m_entries[i]);
    return out;
}

const GazetteerEntry* Gazetteer::by_id(std::string_view id) const {
    auto it = m_by_id.find(id);
    return it == m_by_id.end() ? nullptr : &m_entries[it->second];
}

std::vector<const GazetteerEntry*> Gazetteer::near_names(std::string_view name, std::size_t max) const {
    const std::string folded = fold(name);
    std::vector<std::pair<std::size_t, std::size_t>> found; // (distance, entry)
    std::vector<std::size_t> best(m_entries.size(), 3);
    for (const auto& [n, entries] : m_by_name) {
        if (n.size() + 2 < folded.size() || folded.size() + 2 < n.size()) continue;
        const std::size_t d = edit_distance(folded, n);
        for (std::size_t i : entries) best[i] = std::min(best[i], d);
    }
    for (std::size_t i = 0; i < m_entries.size(); ++i)
        if (best[i] <= 2) found.emplace_back(best[i], i);
    std::sort(found.begin(), found.end());
    std::vector<const GazetteerEntry*> out;
    for (std::size_t k = 0; k < found.size() && k < max; ++k) out.push_back(&m_entries[found[k].second]);
    return out;
}

Gazetteer read_gazetteer(const std::string& path, const GazetteerReadOptions& options, ProblemSink& problems) {
    std::vector<GazetteerEntry> entries;
    std::map<std::string, SourceRef> first;
    auto keep = [&](GazetteerEntry e, const RecordPosition& where) {
        auto [it, fresh] = first.emplace(e.id, e.origin);
        if (!fresh) {
            RecordPosition at = where;
            at.record = e.id;
            RecordCheck(problems, at)
                .reject(ProblemCode::duplicate_id, "id", e.id, "gazetteer id already used at " + it->second.file + ":" + it->second.feature);
            return;
        }
        entries.push_back(std::move(e));
    };
    if (file_extension(path) == "csv") {
        CsvBlockReader reader(path);
        const auto columns = csv_columns(reader, path, k_place_fields, problems);
        const std::string expected = "columns id, name, lon, lat (optional alt_names, radius_m)";
        for (const char* c : {"id", "name", "lon", "lat"}) require_column(columns, {c}, reader, path, expected);
        for_each_csv_record(reader, path, columns, problems, [&](std::map<std::string, std::string> fields, const RecordPosition& where) {
            const RecordTexts raw{std::move(fields)};
            GazetteerEntry e;
            if (build_place(raw, std::nullopt, "", where, e, problems)) keep(std::move(e), where);
        });
    } else {
        VectorSourceOptions vector = options.vector;
        if (vector.layer.empty()) vector.layer = gazetteer_layer(path, vector);
        VectorSource source(path, vector);
        std::uint64_t records = 0;
        source.for_each_feature([&](const Feature& f) {
            ++records;
            const RecordPosition where = feature_position(path, f);
            RecordTexts raw;
            for (const auto& name : k_place_fields)
                if (auto v = f.field(name)) raw.value[name] = std::string(trim(*v));
            std::optional<GeoPoint> point;
            std::string geometry_error;
            if (f.reprojection_failed()) {
                geometry_error = "could not reproject the geometry: " + f.reprojection_error();
            } else if (f.geometry_kind() == GeometryKind::point && f.point()) {
                point = f.point();
            } else if (f.geometry_kind() == GeometryKind::none) {
                geometry_error = "the place has no geometry";
            } else {
                geometry_error = "unsupported geometry " + f.geometry_type_name() + " (a place is a Point)";
            }
            GazetteerEntry e;
            if (build_place(raw, point, geometry_error, where, e, problems)) keep(std::move(e), where);
        });
        if (records == 0) report_no_records(path, vector.layer, "place", problems);
    }
    return Gazetteer(std::move(entries));
}

// ---- bearings, rounding, placement ----

std::string_view to_string(ObservationMeans m) {
    switch (m) {
    case ObservationMeans::patrol: return "patrol";
    case ObservationMeans::mini_uav: return "mini_uav";
    case ObservationMeans::long_range_uav: return "long_range_uav";
    case ObservationMeans::camera: return "camera";
    }
    return "unknown";
}

double rounding_half_width(std::string_view text) {
    text = trim_space(text);
    int exponent = 0;
    if (auto e = text.find_first_of("eE"); e != std::string_view::npos) {
        std::int64_t x = 0;
        if (parse_integer(text.substr(e + 1), x) == NumberText::ok) exponent = static_cast<int>(std::clamp<std::int64_t>(x, -300, 300));
        text = text.substr(0, e);
    }
    int decimals = 0;
    if (auto dot = text.find('.'); dot != std::string_view::npos) decimals = static_cast<int>(text.size() - dot - 1);
    return 0.5 * std::pow(10.0, exponent - decimals);
}

std::optional<StatedBearing> parse_bearing(std::string_view text) {
    text = trim_space(text);
    if (text.empty()) return std::nullopt;
    double degrees = 0;
    if (parse_number(text, degrees) == NumberText::ok) {
        if (!std::isfinite(degrees) || degrees < 0 || degrees > 360) return std::nullopt;
        return StatedBearing{degrees == 360 ? 0.0 : degrees, rounding_half_width(text)};
    }
    std::string folded = ascii_lower(text);
    std::string letters = folded.size() <= 3 ? folded : compass_from_words(folded);
    for (std::size_t i = 0; i < k_compass.size(); ++i) {
        if (letters != k_compass[i]) continue;
        // The 8 principal points name a 45° sector, the 8 between them a 22.5° one.
        return StatedBearing{22.5 * static_cast<double>(i), i % 2 == 0 ? 22.5 : 11.25};
    }
    return std::nullopt;
}

SightingPlacement place_sighting(const GeoPoint& place, Meters place_radius, const StatedBearing& bearing, Meters distance,
                                 Meters distance_half_width) {
    SightingPlacement out;
    out.position = distance.value > 0 ? geo::destination(place, bearing.degrees, distance) : place;
    const double near = std::max(0.0, distance.value - distance_half_width.value);
    const double far = distance.value + distance_half_width.value;
    double sector = 0.0;
    for (double side : {-1.0, 1.0})
        for (double r : {near, far}) {
            const GeoPoint corner = r > 0 ? geo::destination(place, bearing.degrees + side * bearing.half_width, Meters{r}) : place;
            sector = std::max(sector, geo::distance(out.position, corner).value);
        }
    out.uncertainty = Meters{sector + place_radius.value};
    return out;
}

std::map<std::string, SightingObservation> read_report_observations(const std::string& path) {
    std::map<std::string, SightingObservation> out;
    auto note = [&](const RecordTexts& raw, const RecordPosition& where) {
        SightingObservation o;
        o.report_id = raw["report_id"];
        ObservationMeans means = ObservationMeans::patrol;
        o.means = parse_means(raw["means"], means) ? std::string(to_string(means)) : raw["means"];
        const std::string& heading = raw["heading"];
        if (auto h = parse_bearing(heading)) {
            double degrees = 0;
            o.heading = parse_number(trim_space(heading), degrees) == NumberText::ok ? fmt::format("{:g}°", h->degrees)
                                                                                     : fmt::format("{} ({:g}°)", heading, h->degrees);
        } else {
            o.heading = heading;
        }
        out[where.origin().feature] = std::move(o);
    };
    CollectingProblemSink ignored; // the run reported this file's problems already
    if (file_extension(path) == "json") {
        const nlohmann::json doc = parse_json_file(path, "sighting objects");
        for_each_json_record(json_list(doc, "sightings", path, "sightings"), path, ignored,
                             [&](const nlohmann::json& item, const RecordPosition& where) {
                                 RecordTexts raw;
                                 for (const auto& [key, v] : item.items())
                                     if (!v.is_object()) raw.value[ascii_lower(key)] = json_text(v);
                                 note(raw, where);
                             });
        return out;
    }
    CsvBlockReader reader(path);
    const auto columns = csv_columns(reader, path, k_report_fields, ignored);
    for_each_csv_record(reader, path, columns, ignored,
                        [&](std::map<std::string, std::string> fields, const RecordPosition& where) { note(RecordTexts{std::move(fields)}, where); });
    return out;
}

std::vector<ReportedSighting> read_reports(const std::string& path, const Gazetteer& gazetteer, const ReportReadOptions& options,
                                           ProblemSink& problems) {
    return ReportSource::read_all(path, gazetteer, options, problems, nullptr);
}

std::unique_ptr<DetectionSource> open_reports(const std::string& path, const Gazetteer& gazetteer, const ReportReadOptions& options) {
    return std::make_unique<ReportSource>(path, gazetteer, options);
}

} // namespace avf::ingest
