#include "ingest/track_reader.hpp"

#include "core/time.hpp"
#include "geo/geodesic.hpp"
#include "geo/validate.hpp"
#include "ingest/csv.hpp"
#include "ingest/fields.hpp"
#include "ingest/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace avf::ingest {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// A flight id: required, valid UTF-8 without NUL bytes, at most max_id_length bytes.
// (The value shown is escaped once here and once more by the report, as it always was.)
bool flight_field(const RecordCheck& check, const std::string& v) {
    if (v.empty()) return check.reject(ProblemCode::missing_field, "flight_id", {}, "missing required field");
    if (auto defect = encoding_defect(v); !defect.empty())
        return check.reject(ProblemCode::bad_encoding, "flight_id", printable(v), "value " + std::string(defect));
    if (v.size() > max_id_length)
        return check.reject(ProblemCode::bad_value, "flight_id", printable(v.substr(0, 40)) + "…",
                            fmt::format("value is {} bytes long; at most {} are kept", v.size(), max_id_length));
    return true;
}

bool time_value(const RecordCheck& check, const std::string& field, const std::string& v, UtcTime& out) {
    if (v.empty()) return check.reject(ProblemCode::missing_field, field, {}, "missing required field");
    auto t = parse_utc(v);
    if (!t) return check.reject(ProblemCode::bad_time, field, v, "not an ISO-8601 UTC time", "YYYY-MM-DDThh:mm:ssZ");
    out = *t;
    return true;
}

// Metres above ground, NaN when absent.
bool height_value(const RecordCheck& check, const std::string& v, double& out) {
    out = nan;
    if (v.empty()) return true;
    double h = 0;
    if (parse_number(v, h, PlusBeforeSign::ignored) != NumberText::ok)
        return check.reject(ProblemCode::bad_number, "height_m", v, "not a number", "metres above ground");
    if (!std::isfinite(h)) return check.reject(ProblemCode::not_finite, "height_m", v, "not a finite number", "metres above ground");
    if (h < 0) return check.reject(ProblemCode::bad_value, "height_m", v, "negative height above ground", "a number >= 0");
    if (h > max_height_m)
        return check.reject(ProblemCode::bad_value, "height_m", v, fmt::format("larger than any physical height ({} m)", max_height_m),
                            fmt::format("metres, 0 to {}", max_height_m));
    out = h;
    return true;
}

// false when absent.
bool sensor_value(const RecordCheck& check, const std::string& v, bool& out) {
    out = false;
    if (v.empty()) return true;
    auto b = parse_bool(v);
    if (!b) return check.reject(ProblemCode::bad_value, "sensor_on", v, "not a boolean", "true/false, 1/0, yes/no, on/off");
    out = *b;
    return true;
}

bool coordinate_value(const RecordCheck& check, const std::string& field, const std::string& v, double& out) {
    if (v.empty()) return check.reject(ProblemCode::missing_field, field, {}, "missing required field");
    if (parse_number(v, out, PlusBeforeSign::ignored) != NumberText::ok)
        return check.reject(ProblemCode::bad_number, field, v, "not a number", "decimal degrees");
    return true;
}

// Fixes gathered per flight; merged into the caller's tracks at the end.
class TrackBuilder {
public:
    TrackBuilder(std::vector<FlightTrack>& tracks, ProblemSink& sink, TrackFileReport& report) : m_tracks(tracks), m_sink(sink), m_report(report) {
        for (std::size_t i = 0; i < tracks.size(); ++i) m_index.emplace(tracks[i].flight_id, i);
    }
    void add(const std::string& flight, TrackPoint p, const SourceRef& origin) {
        auto [it, fresh] = m_index.emplace(flight, m_tracks.size());
        if (fresh) m_tracks.push_back(FlightTrack{flight, {}, origin});
        m_tracks[it->second].points.push_back(std::move(p));
        ++m_report.accepted;
    }
    void finish(const std::string& path) {
        for (auto& t : m_tracks) {
            std::stable_sort(t.points.begin(), t.points.end(), [](const TrackPoint& a, const TrackPoint& b) { return a.time < b.time; });
            std::vector<TrackPoint> kept;
            for (auto& p : t.points) {
                if (!kept.empty() && kept.back().time == p.time) {
                    m_sink.report(Problem::rejected(
                        ProblemCode::duplicate_id,
                        fmt::format("flight {} already has a fix at {} ({})", t.flight_id, format_utc(p.time), kept.back().source_position),
                        Context{}.file(path).feature(p.source_position).record(t.flight_id).field("time").value(format_utc(p.time))));
                    --m_report.accepted;
                    ++m_report.rejected;
                    continue;
                }
                kept.push_back(std::move(p));
            }
            t.points = std::move(kept);
        }
        std::sort(m_tracks.begin(), m_tracks.end(), [](const FlightTrack& a, const FlightTrack& b) { return a.flight_id < b.flight_id; });
    }

private:
    std::vector<FlightTrack>& m_tracks;
    ProblemSink& m_sink;
    TrackFileReport& m_report;
    std::map<std::string, std::size_t> m_index;
};

void read_track_csv(const std::string& path, TrackBuilder& builder, TrackFileReport& report, ProblemSink& sink) {
    CsvBlockReader reader(path);
    report.format = "csv";
    std::map<std::string, std::size_t> column;
    for (std::size_t i = 0; i < reader.header().size(); ++i) column.emplace(ascii_lower(trim_space(reader.header()[i])), i);
    for (const char* required : {"flight_id", "time", "lon", "lat"})
        if (!column.count(required))
            throw InputError("the track file has no column '" + std::string(required) + "'",
                             Context{}
                                 .file(path)
                                 .line(static_cast<long>(reader.header_line()))
                                 .field(required)
                                 .expected("flight_id,time,lon,lat[,height_m,sensor_on]"));
    constexpr auto absent = static_cast<std::size_t>(-1);
    auto col = [&](const char* name) {
        auto it = column.find(name);
        return it == column.end() ? absent : it->second;
    };
    const std::size_t c_flight = col("flight_id"), c_time = col("time"), c_lon = col("lon"), c_lat = col("lat"), c_height = col("height_m"),
                      c_on = col("sensor_on");

    CsvBlock block;
    while (reader.next(block, sink)) {
        CsvCursor cursor(block);
        CsvRecord rec;
        while (cursor.next(rec)) {
            ++report.records;
            RecordPosition where;
            where.file = path;
            where.line = rec.line;
            where.index = rec.index;
            where.order = rec.index;
            if (rec.error != CsvRecordError::none || rec.fields.size() != reader.header().size()) {
                std::string reason = rec.error != CsvRecordError::none
                                         ? std::string(describe(rec.error))
                                         : fmt::format("{} fields where the header has {}", rec.fields.size(), reader.header().size());
                RecordCheck(sink, where).reject(ProblemCode::unreadable, {}, {}, std::move(reason));
                ++report.rejected;
                continue;
            }
            auto value = [&](std::size_t c) { return c < rec.fields.size() ? std::string(trim_space(rec.fields[c])) : std::string(); };
            const std::string flight = value(c_flight);
            where.record = flight;
            const RecordCheck check(sink, where);
            TrackPoint p;
            double lon = 0, lat = 0, height = nan;
            if (!flight_field(check, flight) || !time_value(check, "time", value(c_time), p.time) ||
                !coordinate_value(check, "lon", value(c_lon), lon) || !coordinate_value(check, "lat", value(c_lat), lat) ||
                (c_height != absent && !height_value(check, value(c_height), height)) ||
                (c_on != absent && !sensor_value(check, value(c_on), p.sensor_on))) {
                ++report.rejected;
                continue;
            }
            p.position = GeoPoint{lon, lat};
            p.height = Meters{height};
            p.source_position = "line " + std::to_string(rec.line);
            if (!geo::check_coordinate(lon, lat, sink, check.context())) {
                ++report.rejected;
                continue;
            }
            builder.add(flight, std::move(p), where.origin());
        }
    }
}

// One feature of a track layer: a fix (a point) or a leg (a line). False when it is rejected (its
// problem reported).
bool read_track_feature(const Feature& f, RecordPosition& where, TrackBuilder& builder, ProblemSink& sink) {
    const RecordCheck check(sink, where);
    auto text = [&](const char* name) { return std::string(trim_space(f.field(name).value_or(""))); };
    const std::string flight = text("flight_id");
    if (!flight_field(check, flight)) return false;
    where.record = flight; // the problems that follow name the flight
    if (f.reprojection_failed()) return check.reject(ProblemCode::reprojection_failed, "geometry", {}, f.reprojection_error());
    double height = nan;
    bool on = false;
    if (!height_value(check, text("height_m"), height) || !sensor_value(check, text("sensor_on"), on)) return false;
    const std::string position = "feature " + std::string(where.feature);
    switch (f.geometry_kind()) {
    case GeometryKind::point: {
        UtcTime time;
        if (!time_value(check, "time", text("time"), time)) return false;
        TrackPoint p{time, *f.point(), Meters{height}, on, position};
        if (!geo::check_coordinate(p.position.x(), p.position.y(), sink, check.context())) return false;
        builder.add(flight, std::move(p), where.origin());
        return true;
    }
    case GeometryKind::line: {
        // A leg: times spread over the vertices in proportion to geodesic length.
        UtcTime start, end;
        if (!time_value(check, "start_time", text("start_time"), start) || !time_value(check, "end_time", text("end_time"), end)) return false;
        if (end < start)
            return check.reject(ProblemCode::bad_value, "end_time", text("end_time"), "leg ends before it starts", "end_time >= start_time");
        MultiLineString lines = f.lines();
        if (!geo::normalize_lines(lines, sink, check.context())) return false;
        std::vector<GeoPoint> pts;
        for (const auto& part : lines)
            for (const auto& q : part)
                if (pts.empty() || pts.back().x() != q.x() || pts.back().y() != q.y()) pts.push_back(q);
        std::vector<double> at(pts.size(), 0.0);
        for (std::size_t i = 1; i < pts.size(); ++i) at[i] = at[i - 1] + geo::distance(pts[i - 1], pts[i]).value;
        const double total = at.empty() ? 0.0 : at.back();
        for (std::size_t i = 0; i < pts.size(); ++i) {
            const double k = total > 0 ? at[i] / total : 0.0;
            UtcTime t{start.ms + static_cast<std::int64_t>(std::llround(k * static_cast<double>(end.ms - start.ms)))};
            builder.add(flight, TrackPoint{t, pts[i], Meters{height}, on, position + " vertex " + std::to_string(i)}, where.origin());
        }
        return true;
    }
    case GeometryKind::none: return check.reject(ProblemCode::empty_geometry, "geometry", {}, "no position", "a point (fix) or a line (leg)");
    default:
        return check.reject(ProblemCode::unsupported_geometry, "geometry", f.geometry_type_name(), "not a point or a line",
                            "a point (fix) or a line (leg)");
    }
}

void read_track_ogr(const std::string& path, const TrackReadOptions& options, TrackBuilder& builder, TrackFileReport& report, ProblemSink& sink) {
    VectorSource source(path, options.vector);
    report.format = source.driver();
    source.for_each_feature([&](const Feature& f) {
        ++report.records;
        RecordPosition where = feature_position(path, f);
        if (!read_track_feature(f, where, builder, sink)) ++report.rejected;
    });
}

// One feature of a routes layer: a single line. False when it is rejected (its problem reported).
bool read_route_feature(const Feature& f, RecordPosition& where, std::map<std::string, std::string>& seen, std::vector<PlannedRoute>& routes,
                        ProblemSink& problems) {
    const RecordCheck check(problems, where);
    const std::string flight(trim_space(f.field("flight_id").value_or("")));
    if (!flight_field(check, flight)) return false;
    where.record = flight; // the problems that follow name the flight
    if (f.reprojection_failed()) return check.reject(ProblemCode::reprojection_failed, "geometry", {}, f.reprojection_error());
    if (f.geometry_kind() == GeometryKind::none) return check.reject(ProblemCode::empty_geometry, "geometry", {}, "no route", "a line");
    if (f.geometry_kind() != GeometryKind::line)
        return check.reject(ProblemCode::unsupported_geometry, "geometry", f.geometry_type_name(), "a route must be a line", "a LineString");
    MultiLineString lines = f.lines();
    if (lines.size() != 1)
        return check.reject(ProblemCode::unsupported_geometry, "geometry", f.geometry_type_name(), "a route must be one line", "a single LineString");
    if (!geo::normalize_lines(lines, problems, check.context())) return false;
    auto [it, fresh] = seen.emplace(flight, std::string(where.file) + ", feature " + std::string(where.feature));
    if (!fresh) return check.reject(ProblemCode::duplicate_id, "flight_id", flight, "flight already has a planned route (" + it->second + ")");
    routes.push_back(PlannedRoute{flight, std::move(lines.front()), where.origin()});
    return true;
}

} // namespace

TrackFileReport read_tracks(const std::string& path, const TrackReadOptions& options, std::vector<FlightTrack>& tracks, ProblemSink& problems) {
    TrackFileReport report;
    report.path = path;
    TrackBuilder builder(tracks, problems, report);
    if (file_extension(path) == "csv")
        read_track_csv(path, builder, report, problems);
    else
        read_track_ogr(path, options, builder, report, problems);
    builder.finish(path);
    if (report.records == 0 && report.format != "csv")
        report_no_records(path, options.vector.layer, "track fix", problems); // (CSV: the block reader says it)
    return report;
}

TrackFileReport read_routes(const std::string& path, const TrackReadOptions& options, std::vector<PlannedRoute>& routes, ProblemSink& problems) {
    TrackFileReport report;
    report.path = path;
    VectorSourceOptions vo = options.vector;
    if (vo.assume_crs.empty() && file_extension(path) == "csv") vo.assume_crs = "EPSG:4326";
    VectorSource source(path, vo);
    report.format = source.driver();
    std::map<std::string, std::string> seen;
    for (const auto& r : routes) seen.emplace(r.flight_id, r.origin.file + ", feature " + r.origin.feature);
    source.for_each_feature([&](const Feature& f) {
        ++report.records;
        RecordPosition where = feature_position(path, f);
        if (read_route_feature(f, where, seen, routes, problems))
            ++report.accepted;
        else
            ++report.rejected;
    });
    std::sort(routes.begin(), routes.end(), [](const PlannedRoute& a, const PlannedRoute& b) { return a.flight_id < b.flight_id; });
    if (report.records == 0) report_no_records(path, options.vector.layer, "route", problems);
    return report;
}

} // namespace avf::ingest
