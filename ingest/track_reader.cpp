#include "ingest/track_reader.hpp"

#include "core/time.hpp"
#include "geo/geodesic.hpp"
#include "geo/validate.hpp"
#include "ingest/csv.hpp"
#include "ingest/field_values.hpp"
#include "ingest/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace avf::ingest {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return s;
}

std::string extension(const std::string& path) {
    auto dot = path.find_last_of('.');
    auto slash = path.find_last_of('/');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return {};
    return lower(path.substr(dot + 1));
}

std::string flight_field(const std::string& v) {
    if (v.empty()) throw Defect{ProblemCode::missing_field, "flight_id", "", "missing required field", ""};
    if (auto defect = encoding_defect(v); !defect.empty())
        throw Defect{ProblemCode::bad_encoding, "flight_id", printable(v), "value " + std::string(defect), ""};
    if (v.size() > max_id_length)
        throw Defect{ProblemCode::bad_value, "flight_id", printable(v.substr(0, 40)) + "…",
                     fmt::format("value is {} bytes long; at most {} are kept", v.size(), max_id_length), ""};
    return v;
}

UtcTime time_value(const std::string& field, const std::string& v) {
    if (v.empty()) throw Defect{ProblemCode::missing_field, field, "", "missing required field", ""};
    auto t = parse_utc(v);
    if (!t) throw Defect{ProblemCode::bad_time, field, v, "not an ISO-8601 UTC time", "YYYY-MM-DDThh:mm:ssZ"};
    return *t;
}

double height_value(const std::string& v) {
    if (v.empty()) return nan;
    auto h = parse_number(v);
    if (!h) throw Defect{ProblemCode::bad_number, "height_m", v, "not a number", "metres above ground"};
    if (!std::isfinite(*h)) throw Defect{ProblemCode::not_finite, "height_m", v, "not a finite number", "metres above ground"};
    if (*h < 0) throw Defect{ProblemCode::bad_value, "height_m", v, "negative height above ground", "a number >= 0"};
    if (*h > max_height_m)
        throw Defect{ProblemCode::bad_value, "height_m", v, fmt::format("larger than any physical height ({} m)", max_height_m),
                     fmt::format("metres, 0 to {}", max_height_m)};
    return *h;
}

bool sensor_value(const std::string& v) {
    if (v.empty()) return false;
    auto b = parse_bool(v);
    if (!b) throw Defect{ProblemCode::bad_value, "sensor_on", v, "not a boolean", "true/false, 1/0, yes/no, on/off"};
    return *b;
}

double coordinate_value(const std::string& field, const std::string& v) {
    if (v.empty()) throw Defect{ProblemCode::missing_field, field, "", "missing required field", ""};
    auto x = parse_number(v);
    if (!x) throw Defect{ProblemCode::bad_number, field, v, "not a number", "decimal degrees"};
    return *x;
}

void report_defect(ProblemSink& sink, const Defect& d, Context where, std::uint64_t order) {
    where.field(d.field).value(printable(d.value)); // a raw value may hold any byte
    if (!d.expected.empty()) where.expected(d.expected);
    Problem p = Problem::rejected(d.code, d.reason, std::move(where));
    p.order = order;
    sink.report(std::move(p));
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
    for (std::size_t i = 0; i < reader.header().size(); ++i) column.emplace(lower(trim(reader.header()[i])), i);
    for (const char* required : {"flight_id", "time", "lon", "lat"})
        if (!column.count(required))
            throw InputError("the track file has no column '" + std::string(required) + "'",
                             Context{}
                                 .file(path)
                                 .line(static_cast<long>(reader.header_line()))
                                 .field(required)
                                 .expected("flight_id,time,lon,lat[,height_m,sensor_on]"));
    auto col = [&](const char* name) {
        auto it = column.find(name);
        return it == column.end() ? std::size_t(-1) : it->second;
    };
    const std::size_t c_flight = col("flight_id"), c_time = col("time"), c_lon = col("lon"), c_lat = col("lat"), c_height = col("height_m"),
                      c_on = col("sensor_on");

    CsvBlock block;
    while (reader.next(block, sink)) {
        CsvCursor cursor(block);
        CsvRecord rec;
        while (cursor.next(rec)) {
            ++report.records;
            Context where = Context{}.file(path).line(static_cast<long>(rec.line));
            auto value = [&](std::size_t c) { return c < rec.fields.size() ? trim(rec.fields[c]) : std::string(); };
            if (rec.error != CsvRecordError::none || rec.fields.size() != reader.header().size()) {
                std::string reason = rec.error != CsvRecordError::none
                                         ? std::string(describe(rec.error))
                                         : fmt::format("{} fields where the header has {}", rec.fields.size(), reader.header().size());
                Problem p = Problem::rejected(ProblemCode::unreadable, reason, where);
                p.order = rec.index;
                sink.report(std::move(p));
                ++report.rejected;
                continue;
            }
            std::string flight = value(c_flight);
            try {
                flight = flight_field(flight);
                TrackPoint p;
                p.time = time_value("time", value(c_time));
                p.position = GeoPoint{coordinate_value("lon", value(c_lon)), coordinate_value("lat", value(c_lat))};
                p.height = Meters{c_height == std::size_t(-1) ? nan : height_value(value(c_height))};
                p.sensor_on = c_on != std::size_t(-1) && sensor_value(value(c_on));
                p.source_position = "line " + std::to_string(rec.line);
                if (!geo::check_coordinate(p.position.x(), p.position.y(), sink, Context(where).record(flight))) {
                    ++report.rejected;
                    continue;
                }
                builder.add(flight, std::move(p), SourceRef{path, "", std::to_string(rec.line), rec.index});
            } catch (const Defect& d) {
                if (!flight.empty()) where.record(printable(flight));
                report_defect(sink, d, where, rec.index);
                ++report.rejected;
            }
        }
    }
}

void read_track_ogr(const std::string& path, const TrackReadOptions& options, TrackBuilder& builder, TrackFileReport& report, ProblemSink& sink) {
    VectorSource source(path, options.vector);
    report.format = source.driver();
    source.for_each_feature([&](const Feature& f) {
        ++report.records;
        Context where = Context{}.file(path).layer(f.layer).feature(std::to_string(f.fid));
        SourceRef origin{path, f.layer, std::to_string(f.fid), f.index};
        auto text = [&](const char* name) { return trim(f.field(name).value_or("")); };
        std::string flight = text("flight_id");
        try {
            flight = flight_field(flight);
            where.record(flight);
            if (f.reprojection_failed()) throw Defect{ProblemCode::reprojection_failed, "geometry", "", f.reprojection_error(), ""};
            const double height = height_value(text("height_m"));
            const bool on = sensor_value(text("sensor_on"));
            const std::string position = "feature " + std::to_string(f.fid);
            if (f.geometry_kind() == GeometryKind::point) {
                TrackPoint p{time_value("time", text("time")), *f.point(), Meters{height}, on, position};
                if (!geo::check_coordinate(p.position.x(), p.position.y(), sink, where)) {
                    ++report.rejected;
                    return;
                }
                builder.add(flight, std::move(p), origin);
            } else if (f.geometry_kind() == GeometryKind::line) {
                // A leg: times spread over the vertices in proportion to geodesic length.
                UtcTime start = time_value("start_time", text("start_time"));
                UtcTime end = time_value("end_time", text("end_time"));
                if (end < start)
                    throw Defect{ProblemCode::bad_value, "end_time", text("end_time"), "leg ends before it starts", "end_time >= start_time"};
                MultiLineString lines = f.lines();
                if (!geo::normalize_lines(lines, sink, where)) {
                    ++report.rejected;
                    return;
                }
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
                    builder.add(flight, TrackPoint{t, pts[i], Meters{height}, on, position + " vertex " + std::to_string(i)}, origin);
                }
            } else if (f.geometry_kind() == GeometryKind::none) {
                throw Defect{ProblemCode::empty_geometry, "geometry", "", "no position", "a point (fix) or a line (leg)"};
            } else {
                throw Defect{ProblemCode::unsupported_geometry, "geometry", f.geometry_type_name(), "not a point or a line",
                             "a point (fix) or a line (leg)"};
            }
        } catch (const Defect& d) {
            report_defect(sink, d, where, f.index);
            ++report.rejected;
        }
    });
}

} // namespace

TrackFileReport read_tracks(const std::string& path, const TrackReadOptions& options, std::vector<FlightTrack>& tracks, ProblemSink& problems) {
    TrackFileReport report;
    report.path = path;
    TrackBuilder builder(tracks, problems, report);
    if (extension(path) == "csv")
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
    if (vo.assume_crs.empty() && extension(path) == "csv") vo.assume_crs = "EPSG:4326";
    VectorSource source(path, vo);
    report.format = source.driver();
    std::map<std::string, std::string> seen;
    for (const auto& r : routes) seen.emplace(r.flight_id, r.origin.file + ", feature " + r.origin.feature);
    source.for_each_feature([&](const Feature& f) {
        ++report.records;
        Context where = Context{}.file(path).layer(f.layer).feature(std::to_string(f.fid));
        std::string flight = trim(f.field("flight_id").value_or(""));
        try {
            flight = flight_field(flight);
            where.record(flight);
            if (f.reprojection_failed()) throw Defect{ProblemCode::reprojection_failed, "geometry", "", f.reprojection_error(), ""};
            if (f.geometry_kind() == GeometryKind::none) throw Defect{ProblemCode::empty_geometry, "geometry", "", "no route", "a line"};
            if (f.geometry_kind() != GeometryKind::line)
                throw Defect{ProblemCode::unsupported_geometry, "geometry", f.geometry_type_name(), "a route must be a line", "a LineString"};
            MultiLineString lines = f.lines();
            if (lines.size() != 1)
                throw Defect{ProblemCode::unsupported_geometry, "geometry", f.geometry_type_name(), "a route must be one line",
                             "a single LineString"};
            if (!geo::normalize_lines(lines, problems, where)) {
                ++report.rejected;
                return;
            }
            auto [it, fresh] = seen.emplace(flight, path + ", feature " + std::to_string(f.fid));
            if (!fresh) throw Defect{ProblemCode::duplicate_id, "flight_id", flight, "flight already has a planned route (" + it->second + ")", ""};
            routes.push_back(PlannedRoute{flight, std::move(lines.front()), SourceRef{path, f.layer, std::to_string(f.fid), f.index}});
            ++report.accepted;
        } catch (const Defect& d) {
            report_defect(problems, d, where, f.index);
            ++report.rejected;
        }
    });
    std::sort(routes.begin(), routes.end(), [](const PlannedRoute& a, const PlannedRoute& b) { return a.flight_id < b.flight_id; });
    if (report.records == 0) report_no_records(path, options.vector.layer, "route", problems);
    return report;
}

} // namespace avf::ingest
