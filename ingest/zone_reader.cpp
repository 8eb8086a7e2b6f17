#include "ingest/zone_reader.hpp"

#include "core/time.hpp"
#include "geo/validate.hpp"
#include "ingest/gdal_support.hpp"
#include "ingest/text.hpp"

#include <fmt/format.h>

#include <set>

namespace avf::ingest {
namespace {

// Counts what the sink receives for one feature, so that the file report can say how many
// features were rejected or corrected.
class CountingSink : public ProblemSink {
public:
    explicit CountingSink(ProblemSink& inner) : m_inner(inner) {}
    void report(Problem p) override {
        if (p.severity == Severity::rejected) m_rejected = true;
        if (p.severity == Severity::corrected) m_corrected = true;
        m_inner.report(std::move(p));
    }
    bool rejected() const { return m_rejected; }
    bool corrected() const { return m_corrected; }
    void reset() { m_rejected = m_corrected = false; }

private:
    ProblemSink& m_inner;
    bool m_rejected = false, m_corrected = false;
};

std::string trimmed(std::string s) {
    auto b = s.find_first_not_of(" \t\r\n");
    auto e = s.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// Reads an optional validity bound; false when present but malformed (reported). A time read
// with an assumption (no time zone: UTC) is used, and a note says so.
bool read_bound(const Feature& f, const std::string& field, UtcTime fallback, UtcTime& out, ProblemSink& sink, const Context& where) {
    out = fallback;
    if (field.empty()) return true;
    const std::optional<FieldTime> v = f.time_field(field);
    if (!v) return true;
    if (!v->time) {
        sink.report(Problem::rejected(ProblemCode::bad_time, "not an ISO-8601 UTC date or time",
                                      Context(where)
                                          .field(field)
                                          .value(printable(v->text))
                                          .expected("YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ (or YYYY/MM/DD hh:mm:ss+hh as ogr2ogr writes)")));
        return false;
    }
    if (!v->assumed.empty())
        sink.report(Problem{Severity::note, ProblemCode::bad_time, v->assumed + " (" + format_utc(*v->time) + ")",
                            Context(where).field(field).value(printable(v->text)), 0});
    out = *v->time;
    return true;
}

// A text attribute kept in the store: at most `max` bytes (never truncated) and valid UTF-8 without
// NUL bytes (GDAL passes a Shapefile's or a GeoJSON's bytes through as they are).
bool check_length(const std::string& value, std::size_t max, const std::string& field, ProblemSink& sink, const Context& where) {
    if (auto defect = encoding_defect(value); !defect.empty()) {
        sink.report(Problem::rejected(ProblemCode::bad_encoding, "value " + std::string(defect),
                                      Context(where).field(field).value(printable(value.substr(0, 40)))));
        return false;
    }
    if (value.size() <= max) return true;
    sink.report(Problem::rejected(ProblemCode::bad_value, fmt::format("value is {} bytes long; at most {} are kept", value.size(), max),
                                  Context(where).field(field).value(printable(value.substr(0, 40)) + "…")));
    return false;
}

} // namespace

void read_zones(const std::string& path, const ZoneReadOptions& options, ZoneCollection& out, ProblemSink& problems) {
    VectorSource source(path, VectorSourceOptions{options.layer, options.assume_crs});
    ZoneFileReport report;
    report.path = path;
    report.driver = source.driver();
    report.layers = source.layers();
    if (!report.layers.empty()) report.crs = source.crs_description(report.layers.front());

    CountingSink sink(problems);
    source.for_each_feature([&](const Feature& f) {
        ++report.features_read;
        sink.reset();
        Context where = Context{}.file(path).layer(f.layer).feature(std::to_string(f.fid));
        auto finish = [&] {
            if (sink.rejected())
                ++report.rejected;
            else if (sink.corrected())
                ++report.corrected;
        };

        auto id = f.field(options.id_field);
        if (!id || trimmed(*id).empty()) {
            sink.report(Problem::rejected(ProblemCode::missing_field, "feature has no id",
                                          Context(where).field(options.id_field).expected("a unique id per feature (--id-field)")));
            return finish();
        }
        std::string zone_id = trimmed(*id);
        where.record(printable(zone_id));
        if (!check_length(zone_id, max_id_length, options.id_field, sink, where)) return finish();
        if (auto it = out.seen_ids.find(zone_id); it != out.seen_ids.end()) {
            sink.report(Problem::rejected(ProblemCode::duplicate_id, "id '" + zone_id + "' already used by " + it->second, where));
            return finish();
        }

        std::string name = zone_id;
        if (auto n = f.field(options.name_field); n && !trimmed(*n).empty()) name = trimmed(*n);
        std::string kind = options.kind;
        if (kind.empty() && !options.kind_field.empty())
            if (auto k = f.field(options.kind_field)) kind = trimmed(*k);
        std::string parties, parent;
        if (auto p = f.field(options.parties_field)) parties = canonical_party(trimmed(*p));
        if (auto p = f.field(options.parent_field)) parent = trimmed(*p);
        if (!check_length(name, max_name_length, options.name_field, sink, where) ||
            !check_length(kind, max_id_length, options.kind_field, sink, where) ||
            !check_length(parties, max_id_length, options.parties_field, sink, where) ||
            !check_length(parent, max_id_length, options.parent_field, sink, where))
            return finish();

        Interval valid;
        if (!read_bound(f, options.valid_from_field, UtcTime::min(), valid.from, sink, where) ||
            !read_bound(f, options.valid_to_field, UtcTime::max(), valid.to, sink, where))
            return finish();
        if (valid.empty()) {
            sink.report(Problem::rejected(ProblemCode::bad_value, "validity ends before it starts",
                                          Context(where).field(options.valid_to_field).value(format_interval(valid))));
            return finish();
        }

        if (f.reprojection_failed()) {
            sink.report(Problem::rejected(ProblemCode::reprojection_failed, "cannot reproject to EPSG:4326 (" + f.reprojection_error() + ")", where));
            return finish();
        }
        SourceRef src{path, f.layer, std::to_string(f.fid), f.index};
        switch (f.geometry_kind()) {
        case GeometryKind::polygon: {
            MultiPolygon g = f.polygons();
            if (!geo::normalize_polygons(g, sink, where)) return finish();
            if (kind.empty()) {
                sink.report(Problem{Severity::note, ProblemCode::missing_field,
                                    "zone has no kind; recorded as 'unspecified' (give --kind or a kind field)",
                                    Context(where).field(options.kind_field), 0});
                kind = "unspecified";
            }
            out.zones.push_back(Zone{ZoneId{zone_id}, name, kind, parties, parent, valid, std::move(g), src});
            ++report.zones;
            break;
        }
        case GeometryKind::line: {
            MultiLineString g = f.lines();
            if (!geo::normalize_lines(g, sink, where)) return finish();
            if (kind.empty()) kind = "reference_line";
            out.lines.push_back(ReferenceLine{LineId{zone_id}, name, kind, parties, valid, std::move(g), src});
            ++report.lines;
            break;
        }
        case GeometryKind::none: sink.report(Problem::rejected(ProblemCode::empty_geometry, "feature has no geometry", where)); return finish();
        default:
            sink.report(Problem::rejected(ProblemCode::unsupported_geometry,
                                          f.geometry_type_name() + " cannot be a zone or a reference line (expected polygons or lines)", where));
            return finish();
        }
        out.seen_ids.emplace(zone_id, fmt::format("{}, feature {}", path, f.fid));
        finish();
    });

    if (report.features_read == 0) report_no_records(path, options.layer, "feature", problems);
    out.files.push_back(std::move(report));
}

void check_zone_parents(ZoneCollection& set, ProblemSink& problems) {
    std::unordered_map<std::string, std::size_t> by_id;
    for (std::size_t i = 0; i < set.zones.size(); ++i) by_id.emplace(set.zones[i].id.str(), i);
    for (auto& z : set.zones) {
        if (z.parent.empty()) continue;
        Context where = Context{}.file(z.source.file).layer(z.source.layer).feature(z.source.feature).record(z.id.str());
        if (!by_id.count(z.parent)) {
            problems.report(Problem::corrected(ProblemCode::bad_value, "parent zone '" + z.parent + "' is not in this zone set; nesting ignored",
                                               Context(where).field("parent").value(z.parent)));
            z.parent.clear();
        }
    }
    for (auto& z : set.zones) {
        std::set<std::string> chain{z.id.str()};
        const Zone* cur = &z;
        while (!cur->parent.empty()) {
            if (!chain.insert(cur->parent).second) {
                problems.report(Problem::corrected(ProblemCode::bad_value,
                                                   "parent chain of zone '" + z.id.str() + "' loops back to '" + cur->parent + "'; nesting ignored",
                                                   Context{}.file(z.source.file).feature(z.source.feature).record(z.id.str()).field("parent")));
                z.parent.clear();
                break;
            }
            cur = &set.zones[by_id.at(cur->parent)];
        }
    }
}

} // namespace avf::ingest
