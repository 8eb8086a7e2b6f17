#include "ingest/zone_reader.hpp"

#include "core/time.hpp"
#include "geo/validate.hpp"
#include "ingest/fields.hpp"
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

std::string trimmed(const std::string& s) {
    return std::string(trim_space(s));
}

// Reads an optional validity bound; false when present but malformed (reported). A time read
// with an assumption (no time zone: UTC) is used, and a note says so.
bool read_bound(const Feature& f, const std::string& field, UtcTime fallback, UtcTime& out, const RecordCheck& check) {
    out = fallback;
    if (field.empty()) return true;
    const std::optional<FieldTime> v = f.time_field(field);
    if (!v) return true;
    if (!v->time)
        return check.reject(ProblemCode::bad_time, field, v->text, "not an ISO-8601 UTC date or time",
                            "YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ (or YYYY/MM/DD hh:mm:ss+hh as ogr2ogr writes)");
    if (!v->assumed.empty()) check.note(ProblemCode::bad_time, field, v->text, v->assumed + " (" + format_utc(*v->time) + ")");
    out = *v->time;
    return true;
}

// A text attribute kept in the store: at most `max` bytes (never truncated) and valid UTF-8 without
// NUL bytes (GDAL passes a Shapefile's or a GeoJSON's bytes through as they are). A bad value is
// shown by its first 40 bytes.
bool check_length(const std::string& value, std::size_t max, const std::string& field, const RecordCheck& check) {
    const std::string_view head = std::string_view(value).substr(0, 40);
    if (auto defect = encoding_defect(value); !defect.empty())
        return check.reject(ProblemCode::bad_encoding, field, head, "value " + std::string(defect));
    if (value.size() <= max) return true;
    return check.reject(ProblemCode::bad_value, field, std::string(head) + "…",
                        fmt::format("value is {} bytes long; at most {} are kept", value.size(), max));
}

// One feature: a zone (polygons) or a reference line (lines), added to `out`; or its problems.
void read_zone(const Feature& f, const std::string& path, const ZoneReadOptions& options, ZoneCollection& out, ZoneFileReport& report,
               ProblemSink& sink) {
    const std::string feature = std::to_string(f.fid);
    RecordPosition where;
    where.file = path;
    where.layer = f.layer;
    where.feature = feature;
    where.index = f.index;
    const RecordCheck check(sink, where); // Problem::order 0: zone problems keep their report order

    auto id = f.field(options.id_field);
    if (!id || trimmed(*id).empty()) {
        check.reject(ProblemCode::missing_field, options.id_field, {}, "feature has no id", "a unique id per feature (--id-field)");
        return;
    }
    const std::string zone_id = trimmed(*id);
    where.record = zone_id;
    if (!check_length(zone_id, max_id_length, options.id_field, check)) return;
    if (auto it = out.seen_ids.find(zone_id); it != out.seen_ids.end()) {
        check.reject(ProblemCode::duplicate_id, {}, {}, "id '" + zone_id + "' already used by " + it->second);
        return;
    }

    std::string name = zone_id;
    if (auto n = f.field(options.name_field); n && !trimmed(*n).empty()) name = trimmed(*n);
    std::string kind = options.kind;
    if (kind.empty() && !options.kind_field.empty())
        if (auto k = f.field(options.kind_field)) kind = trimmed(*k);
    std::string parties, parent;
    if (auto p = f.field(options.parties_field)) parties = canonical_party(trimmed(*p));
    if (auto p = f.field(options.parent_field)) parent = trimmed(*p);
    if (!check_length(name, max_name_length, options.name_field, check) || !check_length(kind, max_id_length, options.kind_field, check) ||
        !check_length(parties, max_id_length, options.parties_field, check) || !check_length(parent, max_id_length, options.parent_field, check))
        return;

    Interval valid;
    if (!read_bound(f, options.valid_from_field, UtcTime::min(), valid.from, check) ||
        !read_bound(f, options.valid_to_field, UtcTime::max(), valid.to, check))
        return;
    if (valid.empty()) {
        check.reject(ProblemCode::bad_value, options.valid_to_field, format_interval(valid), "validity ends before it starts");
        return;
    }

    if (f.reprojection_failed()) {
        check.reject(ProblemCode::reprojection_failed, {}, {}, "cannot reproject to EPSG:4326 (" + f.reprojection_error() + ")");
        return;
    }
    const SourceRef src = where.origin();
    switch (f.geometry_kind()) {
    case GeometryKind::polygon: {
        MultiPolygon g = f.polygons();
        if (!geo::normalize_polygons(g, sink, check.context())) return;
        if (kind.empty()) {
            check.note(ProblemCode::missing_field, options.kind_field, {},
                       "zone has no kind; recorded as 'unspecified' (give --kind or a kind field)");
            kind = "unspecified";
        }
        out.zones.push_back(Zone{ZoneId{zone_id}, name, kind, parties, parent, valid, std::move(g), src});
        ++report.zones;
        break;
    }
    case GeometryKind::line: {
        MultiLineString g = f.lines();
        if (!geo::normalize_lines(g, sink, check.context())) return;
        if (kind.empty()) kind = "reference_line";
        out.lines.push_back(ReferenceLine{LineId{zone_id}, name, kind, parties, valid, std::move(g), src});
        ++report.lines;
        break;
    }
    case GeometryKind::none: check.reject(ProblemCode::empty_geometry, {}, {}, "feature has no geometry"); return;
    default:
        check.reject(ProblemCode::unsupported_geometry, {}, {},
                     f.geometry_type_name() + " cannot be a zone or a reference line (expected polygons or lines)");
        return;
    }
    out.seen_ids.emplace(zone_id, fmt::format("{}, feature {}", path, f.fid));
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
        read_zone(f, path, options, out, report, sink);
        if (sink.rejected())
            ++report.rejected;
        else if (sink.corrected())
            ++report.corrected;
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
