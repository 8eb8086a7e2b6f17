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
#include <optional>

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
    if (parse_number(v, h) != NumberText::ok) return check.reject(ProblemCode::bad_number, "height_m", v, "not a number", "metres above ground");
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
    if (parse_number(v, out) != NumberText::ok) return check.reject(ProblemCode::bad_number, field, v, "not a number", "decimal degrees");
    return true;
}

// Metres above mean sea level (any sign: the Dead Sea shore is at −430 m), NaN when absent.
bool altitude_value(const RecordCheck& check, const std::string& v, double& out) {
    out = nan;
    if (v.empty()) return true;
    double a = 0;
    if (parse_number(v, a) != NumberText::ok)
        return check.reject(ProblemCode::bad_number, "altitude_m", v, "not a number", "metres above mean sea level");
    if (!std::isfinite(a)) return check.reject(ProblemCode::not_finite, "altitude_m", v, "not a finite number", "metres above mean sea level");
    if (a < -12'000 || a > max_height_m)
        return check.reject(ProblemCode::bad_value, "altitude_m", v, "not a physical altitude", fmt::format("metres, -12000 to {}", max_height_m));
    out = a;
    return true;
}

// Radius of the fix's position error in metres, 0 when absent.
bool error_value(const RecordCheck& check, const std::string& v, double& out) {
    out = 0.0;
    if (v.empty()) return true;
    if (parse_number(v, out) != NumberText::ok) return check.reject(ProblemCode::bad_number, "position_error_m", v, "not a number", "metres");
    if (!std::isfinite(out) || out < 0 || out > max_distance_m)
        return check.reject(ProblemCode::bad_value, "position_error_m", v, "not a radius in metres", fmt::format("0 to {}", max_distance_m));
    return true;
}

// A party code: as an id (valid UTF-8, at most max_id_length bytes); "" when absent.
bool party_value(const RecordCheck& check, const std::string& v) {
    if (v.empty()) return true;
    if (auto defect = encoding_defect(v); !defect.empty())
        return check.reject(ProblemCode::bad_encoding, "party", printable(v), "value " + std::string(defect));
    if (v.size() > max_id_length) return check.reject(ProblemCode::bad_value, "party", printable(v.substr(0, 40)) + "…", "party code too long");
    return true;
}

// The fields of one fix, whatever the format.
struct FixFields {
    std::string track, party, category;
    TrackPoint point;
};

} // namespace

std::optional<std::string> aircraft_category(std::string_view text) {
    std::string c = ascii_lower(trim_space(text));
    std::replace(c.begin(), c.end(), '-', '_');
    std::replace(c.begin(), c.end(), ' ', '_');
    if (c == "fixed_wing" || c == "airplane" || c == "aeroplane") return "fixed_wing";
    if (c == "rotary_wing" || c == "helicopter") return "rotary_wing";
    if (c == "uav" || c == "uas" || c == "drone") return "uav";
    if (c == "balloon") return "balloon";
    return std::nullopt;
}

Meters max_speed(std::string_view category) {
    if (category == "fixed_wing") return Meters{1'200.0}; // Mach 3.5 at altitude: beyond any aircraft in service
    if (category == "rotary_wing") return Meters{150.0};  // 540 km/h: beyond the helicopter speed record (X3, 472 km/h)
    if (category == "uav") return Meters{1'200.0};        // jet-powered target drones and UCAVs fly as fast as fixed-wing aircraft
    if (category == "balloon") return Meters{150.0};      // beyond the fastest jet-stream winds
    return Meters{std::numeric_limits<double>::infinity()};
}

namespace {

// Fixes gathered per flight; merged into the caller's tracks at the end.
class TrackBuilder {
public:
    TrackBuilder(std::vector<FlightTrack>& tracks, ProblemSink& sink, TrackFileReport& report) : m_tracks(tracks), m_sink(sink), m_report(report) {
        for (std::size_t i = 0; i < tracks.size(); ++i) m_index.emplace(tracks[i].flight_id, i);
    }
    // Adds a fix; false (its problem reported) when it contradicts its track: another party or
    // category, an aircraft's fix without altitude, or an aircraft's time going backwards in this file.
    bool add(FixFields& fix, const RecordCheck& check) {
        if (!fix.category.empty() && std::isnan(fix.point.altitude.value))
            return check.reject(ProblemCode::missing_field, "altitude_m", {}, "missing altitude: a " + fix.category + " fix needs one",
                                "metres above mean sea level (altitude_m, or the geometry's Z)");
        auto [it, fresh] = m_index.emplace(fix.track, m_tracks.size());
        if (fresh) m_tracks.push_back(FlightTrack{fix.track, {}, check.where().origin(), fix.party, fix.category});
        FlightTrack& t = m_tracks[it->second];
        if (t.party != fix.party)
            return check.reject(ProblemCode::bad_value, "party", fix.party,
                                fmt::format("track {} is of party '{}' ({})", t.flight_id, t.party, first_of(t)), "one party per track");
        if (t.category != fix.category)
            return check.reject(ProblemCode::bad_value, "category", fix.category,
                                fmt::format("track {} is of category '{}' ({})", t.flight_id, t.category, first_of(t)), "one category per track");
        if (!t.category.empty()) {
            auto [last, first_in_file] = m_last.emplace(fix.track, std::make_pair(fix.point.time, fix.point.source_position));
            if (!first_in_file) {
                if (fix.point.time < last->second.first)
                    return check.reject(ProblemCode::bad_time, "time", format_utc(fix.point.time),
                                        fmt::format("time goes backwards: the previous fix of track {} is at {} ({})", t.flight_id,
                                                    format_utc(last->second.first), last->second.second),
                                        "fixes of a track in time order");
                last->second = {fix.point.time, fix.point.source_position};
            }
        }
        t.points.push_back(std::move(fix.point));
        ++m_report.accepted;
        return true;
    }
    void finish(const std::string& path) {
        for (auto& t : m_tracks) {
            std::stable_sort(t.points.begin(), t.points.end(), [](const TrackPoint& a, const TrackPoint& b) { return a.time < b.time; });
            std::vector<TrackPoint> kept;
            const double limit = max_speed(t.category).value;
            for (auto& p : t.points) {
                auto reject = [&](ProblemCode code, const std::string& field, const std::string& value, std::string message) {
                    m_sink.report(Problem::rejected(code, std::move(message),
                                                    Context{}.file(path).feature(p.source_position).record(t.flight_id).field(field).value(value)));
                    --m_report.accepted;
                    ++m_report.rejected;
                };
                if (!kept.empty() && kept.back().time == p.time) {
                    reject(ProblemCode::duplicate_id, "time", format_utc(p.time),
                           fmt::format("flight {} already has a fix at {} ({})", t.flight_id, format_utc(p.time), kept.back().source_position));
                    continue;
                }
                if (!kept.empty() && std::isfinite(limit)) {
                    // The slowest speed the two fixes allow: their distance less both position errors.
                    const TrackPoint& q = kept.back();
                    const double d = geo::distance(q.position, p.position).value - q.position_error.value - p.position_error.value;
                    const double seconds = static_cast<double>(p.time.ms - q.time.ms) / 1000.0;
                    if (d > limit * seconds) {
                        reject(ProblemCode::bad_value, "position", fmt::format("{:.7f} {:.7f}", p.position.x(), p.position.y()),
                               fmt::format("impossible speed: at least {:.0f} m/s since the fix at {} ({}), a {} flies at most {:.0f} m/s",
                                           d / seconds, format_utc(q.time), q.source_position, t.category, limit));
                        continue;
                    }
                }
                kept.push_back(std::move(p));
            }
            t.points = std::move(kept);
        }
        std::sort(m_tracks.begin(), m_tracks.end(), [](const FlightTrack& a, const FlightTrack& b) { return a.flight_id < b.flight_id; });
    }

private:
    static std::string first_of(const FlightTrack& t) {
        return t.points.empty() ? t.origin.file : t.origin.file + ", " + t.points.front().source_position;
    }
    std::vector<FlightTrack>& m_tracks;
    ProblemSink& m_sink;
    TrackFileReport& m_report;
    std::map<std::string, std::size_t> m_index;
    std::map<std::string, std::pair<UtcTime, std::string>> m_last; ///< per aircraft track: the latest fix read from this file
};

// The track's party and category (the category canonical); false when the category is unknown.
bool track_fields(const RecordCheck& check, const std::string& party, const std::string& category, FixFields& fix) {
    if (!party_value(check, party)) return false;
    fix.party = party;
    if (!category.empty()) {
        auto c = aircraft_category(category);
        if (!c)
            return check.reject(ProblemCode::bad_value, "category", category, "unknown aircraft category", "fixed_wing, rotary_wing, uav or balloon");
        fix.category = *c;
    }
    return true;
}

void read_track_csv(const std::string& path, TrackBuilder& builder, TrackFileReport& report, ProblemSink& sink) {
    CsvBlockReader reader(path);
    report.format = "csv";
    std::map<std::string, std::size_t> column;
    for (std::size_t i = 0; i < reader.header().size(); ++i) column.emplace(ascii_lower(trim_space(reader.header()[i])), i);
    // The track id: flight_id (observation flights) or track_id (aircraft tracks).
    const char* id_column = column.count("flight_id") || !column.count("track_id") ? "flight_id" : "track_id";
    for (const char* required : {id_column, "time", "lon", "lat"})
        if (!column.count(required))
            throw InputError("the track file has no column '" + std::string(required) + "'",
                             Context{}
                                 .file(path)
                                 .line(static_cast<long>(reader.header_line()))
                                 .field(required)
                                 .expected("flight_id (or track_id),time,lon,lat[,height_m,sensor_on,altitude_m,party,category,position_error_m]"));
    constexpr auto absent = static_cast<std::size_t>(-1);
    auto col = [&](const char* name) {
        auto it = column.find(name);
        return it == column.end() ? absent : it->second;
    };
    const std::size_t c_flight = col(id_column), c_time = col("time"), c_lon = col("lon"), c_lat = col("lat"), c_height = col("height_m"),
                      c_on = col("sensor_on"), c_alt = col("altitude_m"), c_party = col("party"), c_category = col("category"),
                      c_error = col("position_error_m");

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
            FixFields fix;
            fix.track = value(c_flight);
            where.record = fix.track;
            const RecordCheck check(sink, where);
            TrackPoint& p = fix.point;
            double lon = 0, lat = 0, height = nan, altitude = nan, error = 0.0;
            if (!flight_field(check, fix.track) || !time_value(check, "time", value(c_time), p.time) ||
                !coordinate_value(check, "lon", value(c_lon), lon) || !coordinate_value(check, "lat", value(c_lat), lat) ||
                (c_height != absent && !height_value(check, value(c_height), height)) ||
                (c_on != absent && !sensor_value(check, value(c_on), p.sensor_on)) || !altitude_value(check, value(c_alt), altitude) ||
                !error_value(check, value(c_error), error) || !track_fields(check, value(c_party), value(c_category), fix)) {
                ++report.rejected;
                continue;
            }
            p.position = GeoPoint{lon, lat};
            p.height = Meters{height};
            p.altitude = Meters{altitude};
            p.position_error = Meters{error};
            p.source_position = "line " + std::to_string(rec.line);
            if (!geo::check_coordinate(lon, lat, sink, check.context()) || !builder.add(fix, check)) {
                ++report.rejected;
                continue;
            }
        }
    }
}

// What a GPX file's `tracks` layer says of each track, by its feature id: the track id (<name>), its
// category (<type>) and party (an <avf:party> extension).
struct GpxTrack {
    std::string id, party, category;
};
using GpxTracks = std::map<std::string, GpxTrack>;

// The first of `names` the feature has a value for ("" when none).
std::string first_field(const Feature& f, std::initializer_list<const char*> names) {
    for (const char* n : names)
        if (auto v = f.field(n); v && !trim_space(*v).empty()) return std::string(trim_space(*v));
    return {};
}

// A time from a vertex's M: seconds since 1970-01-01T00:00:00Z.
std::optional<UtcTime> time_from_m(double m) {
    if (!std::isfinite(m) || std::abs(m) > 1e13) return std::nullopt;
    return UtcTime{static_cast<std::int64_t>(std::llround(m * 1000.0))};
}

// One feature of a track layer: a fix (a point) or a leg (a line). False when it is rejected (its
// problem reported). A point's altitude is altitude_m (GPX: ele) or else its Z, its time `time`
// or else its M; a line's vertices take their altitude from Z and their time from M when every
// vertex has one, else from start_time/end_time spread in proportion to geodesic length.
bool read_track_feature(const Feature& f, RecordPosition& where, TrackBuilder& builder, ProblemSink& sink, const GpxTracks* gpx) {
    const RecordCheck check(sink, where);
    auto text = [&](const char* name) { return std::string(trim_space(f.field(name).value_or(""))); };
    FixFields fix;
    std::string party, category;
    if (gpx) {
        auto it = gpx->find(text("track_fid"));
        if (it == gpx->end())
            return check.reject(ProblemCode::missing_field, "track_fid", text("track_fid"), "a track point of no track", "a point of a <trk>");
        fix.track = it->second.id;
        party = it->second.party;
        category = it->second.category;
    } else {
        fix.track = text("flight_id").empty() ? text("track_id") : text("flight_id");
        party = text("party");
        category = text("category");
    }
    if (!flight_field(check, fix.track)) return false;
    where.record = fix.track; // the problems that follow name the flight
    if (f.reprojection_failed()) return check.reject(ProblemCode::reprojection_failed, "geometry", {}, f.reprojection_error());
    double height = nan, altitude = nan, error = 0.0;
    bool on = false;
    if (!height_value(check, text("height_m"), height) || !sensor_value(check, text("sensor_on"), on) ||
        !altitude_value(check, first_field(f, {"altitude_m", "ele"}), altitude) ||
        !error_value(check, first_field(f, {"position_error_m", "avf_position_error_m"}), error) || !track_fields(check, party, category, fix))
        return false;
    const std::string position = "feature " + std::string(where.feature);
    auto add = [&](UtcTime t, GeoPoint p, double alt, std::string pos) {
        FixFields one = fix;
        one.point = TrackPoint{t, p, Meters{height}, on, std::move(pos), Meters{alt}, Meters{error}};
        return builder.add(one, check);
    };
    const auto vertices = f.vertices_zm();
    switch (f.geometry_kind()) {
    case GeometryKind::point: {
        if (vertices.empty()) return check.reject(ProblemCode::empty_geometry, "geometry", {}, "no position", "a point (fix) or a line (leg)");
        const auto& v = vertices.front();
        UtcTime time;
        if (auto m = time_from_m(v.m); m && text("time").empty())
            time = *m;
        else if (!time_value(check, "time", text("time"), time))
            return false;
        if (!geo::check_coordinate(v.position.x(), v.position.y(), sink, check.context())) return false;
        return add(time, v.position, std::isnan(altitude) ? v.z : altitude, position);
    }
    case GeometryKind::line: {
        const bool timed =
            !vertices.empty() && std::all_of(vertices.begin(), vertices.end(), [](const auto& v) { return time_from_m(v.m).has_value(); });
        const bool with_z = !vertices.empty() && std::isnan(altitude) &&
                            std::any_of(vertices.begin(), vertices.end(), [](const auto& v) { return !std::isnan(v.z); });
        if (timed || with_z) {
            // Vertices with their own Z or M: each is a fix.
            UtcTime start, end;
            if (!timed && (!time_value(check, "start_time", text("start_time"), start) || !time_value(check, "end_time", text("end_time"), end)))
                return false;
            if (!timed && end < start)
                return check.reject(ProblemCode::bad_value, "end_time", text("end_time"), "leg ends before it starts", "end_time >= start_time");
            std::vector<double> at(vertices.size(), 0.0);
            for (std::size_t i = 0; i < vertices.size(); ++i) {
                if (!geo::check_coordinate(vertices[i].position.x(), vertices[i].position.y(), sink, check.context())) return false;
                if (i > 0) at[i] = at[i - 1] + geo::distance(vertices[i - 1].position, vertices[i].position).value;
            }
            bool all = true;
            for (std::size_t i = 0; i < vertices.size(); ++i) {
                UtcTime t = timed ? *time_from_m(vertices[i].m)
                                  : UtcTime{start.ms + static_cast<std::int64_t>(std::llround((at.back() > 0 ? at[i] / at.back() : 0.0) *
                                                                                              static_cast<double>(end.ms - start.ms)))};
                all &= add(t, vertices[i].position, with_z ? vertices[i].z : altitude, position + " vertex " + std::to_string(i));
            }
            return all;
        }
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
        bool all = true;
        for (std::size_t i = 0; i < pts.size(); ++i) {
            const double k = total > 0 ? at[i] / total : 0.0;
            UtcTime t{start.ms + static_cast<std::int64_t>(std::llround(k * static_cast<double>(end.ms - start.ms)))};
            all &= add(t, pts[i], altitude, position + " vertex " + std::to_string(i));
        }
        return all;
    }
    case GeometryKind::none: return check.reject(ProblemCode::empty_geometry, "geometry", {}, "no position", "a point (fix) or a line (leg)");
    default:
        return check.reject(ProblemCode::unsupported_geometry, "geometry", f.geometry_type_name(), "not a point or a line",
                            "a point (fix) or a line (leg)");
    }
}

void read_track_ogr(const std::string& path, const TrackReadOptions& options, TrackBuilder& builder, TrackFileReport& report, ProblemSink& sink) {
    // GPX: the tracks (<trk>: name, type, extensions) first, then their points.
    const bool gpx = file_extension(path) == "gpx" && options.vector.layer.empty();
    GpxTracks tracks;
    VectorSourceOptions vo = options.vector;
    if (gpx) {
        vo.layer = "tracks";
        VectorSource(path, vo).for_each_feature([&](const Feature& f) {
            tracks[f.fid_text] = GpxTrack{first_field(f, {"name"}), first_field(f, {"avf_party", "party"}), first_field(f, {"avf_category", "type"})};
        });
        vo.layer = "track_points";
    }
    VectorSource source(path, vo);
    report.format = source.driver();
    source.for_each_feature([&](const Feature& f) {
        ++report.records;
        RecordPosition where = feature_position(path, f);
        if (!read_track_feature(f, where, builder, sink, gpx ? &tracks : nullptr)) ++report.rejected;
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
