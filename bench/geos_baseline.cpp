// The GEOS 3.11 baseline of the benchmark (bench/run.sh, docs/benchmarks.md): what an analyst
// would write in C++ against Debian's libgeos-dev C API (geos_c.h, the thread-safe _r functions),
// doing the same work as `avf run --regime bench/regime.toml`:
//
//   Q1  for each detection, the zones containing it, boundary included (prohibited, boundary =
//       "inside"): an STRtree over the zones' envelopes, then GEOSPreparedIntersects_r on the
//       prepared zone. Counted as (detection, zone) pairs.
//   Q2  artillery / MLRS detections closer than 50 / 70 km (geodesic, WGS84) to any border line
//       (standoff; exactly at the limit complies). GEOS is planar: distances in lon/lat degrees
//       mean nothing. So GEOS only filters, conservatively, and GeographicLib decides:
//         * a point within D km (geodesic) of the line lies within delta = 1.001 * D / k degrees
//           (planar, lon/lat) of it, k being the smallest length in km of a degree of longitude
//           or latitude anywhere within D km of the point (see conservative_degrees);
//           GEOSPreparedDistanceWithin_r(line, point, delta) rejects every point farther;
//         * for the remaining candidates, the exact distance to each segment near the point is
//           the geodesic from the point to the segment's geodesic (Karney's foot-of-perpendicular
//           by gnomonic iteration, GeographicLib 2.1), as the regime defines it.
//
// The CSV is read with a plain hand-written splitter (mmap, memchr, std::from_chars): only the
// lon, lat and class columns are parsed — less work than avf's validating parser does. Threads
// take contiguous byte ranges of the file; each has its own GEOS context, geometries, prepared
// geometries and STRtree (prepared geometries are not safe to share).
//
//   avf_bench_geos --detections d.csv --zones datasets/korea/zones.geojson --zones ...
//                  --lines datasets/korea/lines.geojson --lines ... --threads 2
//                  --artillery artillery,2S19,K9 --mlrs mlrs,BM-21 --artillery-km 50 --mlrs-km 70
// Prints one line: rows=… q1_pairs=… q2_artillery=… q2_mlrs=… seconds=… rows_per_s=…
#include <GeographicLib/Geodesic.hpp>
#include <GeographicLib/Gnomonic.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <geos_c.h>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/mman.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using GeographicLib::Geodesic;
using GeographicLib::Gnomonic;

struct Options {
    std::string detections;
    std::vector<std::string> zone_files, line_files;
    std::vector<std::string> artillery, mlrs; // lower-case class names and aliases
    double artillery_km = 50.0, mlrs_km = 70.0;
    unsigned threads = 1;
};

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::vector<std::string> split_list(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        std::size_t comma = s.find(',', start);
        if (comma == std::string::npos) comma = s.size();
        if (comma > start) out.push_back(lower(std::string_view(s).substr(start, comma - start)));
        start = comma + 1;
    }
    return out;
}

// The geometries of the GeoJSON files as JSON text (read once, parsed by GEOS in every thread).
std::vector<std::string> geojson_geometries(const std::vector<std::string>& files) {
    std::vector<std::string> out;
    for (const auto& f : files) {
        std::ifstream in(f);
        if (!in) throw std::runtime_error("cannot open " + f);
        nlohmann::json doc = nlohmann::json::parse(in);
        for (const auto& feature : doc.at("features")) out.push_back(feature.at("geometry").dump());
    }
    return out;
}

// Segments of every line (lon/lat), for the exact check.
struct Seg {
    double lon1, lat1, lon2, lat2;
    double margin_km = 0; // how far the geodesic a-b may stray from the lon/lat chord a-b
};
Seg with_margin(Seg s);
std::vector<std::vector<Seg>> line_segments(const std::vector<std::string>& geometries) {
    std::vector<std::vector<Seg>> out;
    for (const auto& text : geometries) {
        nlohmann::json g = nlohmann::json::parse(text);
        std::vector<Seg> segs;
        auto add = [&](const nlohmann::json& c) {
            for (std::size_t i = 0; i + 1 < c.size(); ++i)
                segs.push_back(with_margin({c[i][0].get<double>(), c[i][1].get<double>(), c[i + 1][0].get<double>(), c[i + 1][1].get<double>()}));
        };
        if (g.at("type") == "LineString")
            add(g.at("coordinates"));
        else
            for (const auto& part : g.at("coordinates")) add(part);
        out.push_back(std::move(segs));
    }
    return out;
}

// Length in km of one degree of longitude at latitude phi (degrees), and the smallest length of a
// degree of latitude anywhere (the meridian at the equator), on WGS84.
constexpr double wgs84_a_km = 6378.137, wgs84_f = 1 / 298.257223563;
double lon_degree_km(double phi_deg) {
    const double e2 = wgs84_f * (2 - wgs84_f), s = std::sin(phi_deg * M_PI / 180.0);
    return M_PI / 180.0 * wgs84_a_km * std::cos(phi_deg * M_PI / 180.0) / std::sqrt(1 - e2 * s * s);
}
double min_lat_degree_km() {
    const double e2 = wgs84_f * (2 - wgs84_f);
    return M_PI / 180.0 * wgs84_a_km * (1 - e2); // meridional radius of curvature at the equator
}

// Planar lon/lat distance (degrees) that no point within `km` (geodesic) of (lon, lat) can exceed.
// Along any path of length s, ds^2 = (M dphi)^2 + (N cos(phi) dlambda)^2 >= k^2 (dphi^2 + dlambda^2)
// with k the smallest of M and N cos(phi) on the path; the path stays below |lat| + km / M_min,
// where N cos(phi) is smallest. So the lon/lat image of the geodesic is at most s / k degrees
// long, and so is the straight lon/lat distance. 0.1 % margin for rounding.
double conservative_degrees(double lat, double km) {
    const double phi_hi = std::min(89.0, std::abs(lat) + km / min_lat_degree_km() + 1e-6);
    const double k = std::min(min_lat_degree_km(), lon_degree_km(phi_hi));
    return 1.001 * km / k;
}

// The geodesic between a and b departs from the lon/lat chord by about its sagitta,
// L^2 tan(phi) / (8 R) (L its length): twice that plus 10 m is the margin the lower bound keeps.
Seg with_margin(Seg s) {
    double l = 0;
    Geodesic::WGS84().Inverse(s.lat1, s.lon1, s.lat2, s.lon2, l);
    const double l_km = l / 1000, phi = std::min(89.0, std::max(std::abs(s.lat1), std::abs(s.lat2))) * M_PI / 180.0;
    s.margin_km = 2 * l_km * l_km * std::tan(phi) / (8 * 6371.0) + 0.01;
    return s;
}

// Lower bound (km) on the geodesic distance from P to segment s. Along any path,
// ds^2 = (M dphi)^2 + (N cos(phi) dlambda)^2 >= (ky dphi)^2 + (kx dlambda)^2 with ky the smallest
// M anywhere and kx = N cos(phi) at the highest latitude the path can reach, so the distance is at
// least the Euclidean distance in the plane (kx lon, ky lat) — to the chord, less the margin.
double lower_bound_km(double lon, double lat, const Seg& s, double kx, double ky) {
    const double ax = s.lon1 * kx, ay = s.lat1 * ky, bx = s.lon2 * kx, by = s.lat2 * ky, px = lon * kx, py = lat * ky;
    const double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0.0;
    t = std::clamp(t, 0.0, 1.0);
    return std::hypot(ax + t * dx - px, ay + t * dy - py) - s.margin_km;
}

// Geodesic distance (m) from P to the geodesic segment A-B: the foot of the perpendicular by
// Karney's gnomonic iteration (Karney 2013, "Algorithms for geodesics", sec. 8), clamped to the
// segment, and the endpoints.
// Stops early with an endpoint's distance when that is already below `enough`.
double distance_to_segment_m(const Geodesic& geod, const Gnomonic& gn, double plon, double plat, const Seg& s, double enough) {
    double d_a = 0, d_b = 0;
    geod.Inverse(plat, plon, s.lat1, s.lon1, d_a);
    if (d_a < enough) return d_a;
    geod.Inverse(plat, plon, s.lat2, s.lon2, d_b);
    double best = std::min(d_a, d_b);
    if (best < enough) return best;
    double lat0 = (s.lat1 + s.lat2) / 2, lon0 = (s.lon1 + s.lon2) / 2;
    for (int i = 0; i < 12; ++i) {
        double xa, ya, xb, yb, xp, yp, azi, rk;
        gn.Forward(lat0, lon0, s.lat1, s.lon1, xa, ya, azi, rk);
        gn.Forward(lat0, lon0, s.lat2, s.lon2, xb, yb, azi, rk);
        gn.Forward(lat0, lon0, plat, plon, xp, yp, azi, rk);
        const double dx = xb - xa, dy = yb - ya, len2 = dx * dx + dy * dy;
        if (len2 == 0) break;
        double t = ((xp - xa) * dx + (yp - ya) * dy) / len2;
        if (t <= 0 || t >= 1) return best; // the foot lies beyond an endpoint: an endpoint is nearest
        double lat1, lon1;
        gn.Reverse(lat0, lon0, xa + t * dx, ya + t * dy, lat1, lon1, azi, rk);
        const bool converged = std::abs(lat1 - lat0) < 1e-12 && std::abs(lon1 - lon0) < 1e-12;
        lat0 = lat1;
        lon0 = lon1;
        if (converged) break;
    }
    double d_foot = 0;
    geod.Inverse(plat, plon, lat0, lon0, d_foot);
    return std::min(best, d_foot);
}

void geos_notice(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    std::vfprintf(stderr, fmt, ap);
    std::fputc('\n', stderr);
    va_end(ap);
}

struct Counts {
    std::uint64_t rows = 0, q1_pairs = 0, q2_artillery = 0, q2_mlrs = 0, q2_candidates = 0;
};

struct Shared {
    const Options* options;
    std::vector<std::string> zones_json, lines_json;
    std::vector<std::vector<Seg>> segments;
    int lon_col = -1, lat_col = -1, class_col = -1;
};

struct QueryState {
    GEOSContextHandle_t h;
    const GEOSGeometry* point;
    const std::vector<const GEOSPreparedGeometry*>* prepared;
    std::uint64_t hits = 0;
};

void zone_callback(void* item, void* userdata) {
    auto* q = static_cast<QueryState*>(userdata);
    const auto zone = reinterpret_cast<std::uintptr_t>(item);
    if (GEOSPreparedIntersects_r(q->h, (*q->prepared)[zone], q->point) == 1) ++q->hits;
}

// One thread: the records in [begin, end) (whole lines).
Counts run_range(const Shared& sh, const char* begin, const char* end) {
    Counts c;
    GEOSContextHandle_t h = GEOS_init_r();
    GEOSContext_setNoticeHandler_r(h, geos_notice);
    GEOSContext_setErrorHandler_r(h, geos_notice);
    GEOSGeoJSONReader* reader = GEOSGeoJSONReader_create_r(h);
    auto read = [&](const std::string& text) {
        GEOSGeometry* g = GEOSGeoJSONReader_readGeometry_r(h, reader, text.c_str());
        if (!g) throw std::runtime_error("GEOS could not read a geometry");
        return g;
    };
    std::vector<GEOSGeometry*> zones, lines;
    std::vector<const GEOSPreparedGeometry*> zones_prepared, lines_prepared;
    GEOSSTRtree* tree = GEOSSTRtree_create_r(h, 10);
    for (std::size_t i = 0; i < sh.zones_json.size(); ++i) {
        zones.push_back(read(sh.zones_json[i]));
        zones_prepared.push_back(GEOSPrepare_r(h, zones.back()));
        GEOSSTRtree_insert_r(h, tree, zones.back(), reinterpret_cast<void*>(static_cast<std::uintptr_t>(i)));
    }
    struct Env {
        double xmin, ymin, xmax, ymax;
    };
    std::vector<Env> line_env;
    for (const auto& text : sh.lines_json) {
        lines.push_back(read(text));
        lines_prepared.push_back(GEOSPrepare_r(h, lines.back()));
        Env e{};
        GEOSGeom_getXMin_r(h, lines.back(), &e.xmin);
        GEOSGeom_getYMin_r(h, lines.back(), &e.ymin);
        GEOSGeom_getXMax_r(h, lines.back(), &e.xmax);
        GEOSGeom_getYMax_r(h, lines.back(), &e.ymax);
        line_env.push_back(e);
    }
    const Geodesic& geod = Geodesic::WGS84();
    const Gnomonic gn(geod);
    const Options& o = *sh.options;
    const int need = std::max({sh.lon_col, sh.lat_col, sh.class_col});
    std::string_view fields[64];
    std::vector<std::pair<double, const Seg*>> near;

    for (const char* p = begin; p < end;) {
        const char* eol = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
        if (!eol) eol = end;
        std::string_view line(p, static_cast<std::size_t>(eol - p));
        p = eol + 1;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) continue;
        int n = 0;
        for (std::size_t start = 0; n <= need;) {
            std::size_t comma = line.find(',', start);
            if (comma == std::string_view::npos) comma = line.size();
            fields[n++] = line.substr(start, comma - start);
            if (comma == line.size()) break;
            start = comma + 1;
        }
        if (n <= need) continue;
        double lon = 0, lat = 0;
        auto parse = [](std::string_view f, double& v) { return std::from_chars(f.data(), f.data() + f.size(), v).ec == std::errc{}; };
        if (!parse(fields[sh.lon_col], lon) || !parse(fields[sh.lat_col], lat)) continue;
        ++c.rows;

        GEOSGeometry* pt = GEOSGeom_createPointFromXY_r(h, lon, lat);
        QueryState q{h, pt, &zones_prepared, 0};
        GEOSSTRtree_query_r(h, tree, pt, zone_callback, &q);
        c.q1_pairs += q.hits;

        const std::string cls = lower(fields[sh.class_col]);
        const bool arty = std::find(o.artillery.begin(), o.artillery.end(), cls) != o.artillery.end();
        const bool mlrs = !arty && std::find(o.mlrs.begin(), o.mlrs.end(), cls) != o.mlrs.end();
        if (arty || mlrs) {
            const double km = arty ? o.artillery_km : o.mlrs_km;
            const double delta = conservative_degrees(lat, km);
            bool violation = false;
            for (std::size_t li = 0; li < lines.size() && !violation; ++li) {
                const Env& e = line_env[li];
                if (lon < e.xmin - delta || lon > e.xmax + delta || lat < e.ymin - delta || lat > e.ymax + delta) continue;
                if (GEOSPreparedDistanceWithin_r(h, lines_prepared[li], pt, delta) != 1) continue;
                ++c.q2_candidates;
                // Segments by lower bound; the exact distance only while a bound is below D.
                const double phi_hi = std::min(89.0, std::abs(lat) + km / min_lat_degree_km() + 1e-6);
                const double kx = lon_degree_km(phi_hi), ky = min_lat_degree_km();
                near.clear();
                for (const Seg& s : sh.segments[li]) {
                    const double lb = lower_bound_km(lon, lat, s, kx, ky);
                    if (lb < km) near.emplace_back(lb, &s);
                }
                std::sort(near.begin(), near.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
                for (const auto& [lb, s] : near) {
                    if (distance_to_segment_m(geod, gn, lon, lat, *s, km * 1000.0) < km * 1000.0) {
                        violation = true;
                        break;
                    }
                }
            }
            if (violation) ++(arty ? c.q2_artillery : c.q2_mlrs);
        }
        GEOSGeom_destroy_r(h, pt);
    }
    GEOSSTRtree_destroy_r(h, tree);
    for (auto* pg : zones_prepared) GEOSPreparedGeom_destroy_r(h, pg);
    for (auto* pg : lines_prepared) GEOSPreparedGeom_destroy_r(h, pg);
    for (auto* g : zones) GEOSGeom_destroy_r(h, g);
    for (auto* g : lines) GEOSGeom_destroy_r(h, g);
    GEOSGeoJSONReader_destroy_r(h, reader);
    GEOS_finish_r(h);
    return c;
}

int usage() {
    std::cerr << "usage: avf_bench_geos --detections D.csv --zones Z.geojson... --lines L.geojson... [--threads N]\n"
                 "       [--artillery a,b,c] [--mlrs a,b] [--artillery-km 50] [--mlrs-km 70]\n";
    return 2;
}

} // namespace

int main(int argc, char** argv) try {
    Options o;
    o.artillery = split_list("artillery,2S19,K9,M-1978 Koksan,D-30");
    o.mlrs = split_list("mlrs,BM-30,BM-21,K239,KN-09");
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
            return argv[++i];
        };
        if (a == "--detections")
            o.detections = next();
        else if (a == "--zones")
            o.zone_files.push_back(next());
        else if (a == "--lines")
            o.line_files.push_back(next());
        else if (a == "--threads")
            o.threads = static_cast<unsigned>(std::stoul(next()));
        else if (a == "--artillery")
            o.artillery = split_list(next());
        else if (a == "--mlrs")
            o.mlrs = split_list(next());
        else if (a == "--artillery-km")
            o.artillery_km = std::stod(next());
        else if (a == "--mlrs-km")
            o.mlrs_km = std::stod(next());
        else
            return usage();
    }
    if (o.detections.empty() || o.zone_files.empty() || o.line_files.empty() || o.threads == 0) return usage();
    const auto t0 = std::chrono::steady_clock::now();

    Shared sh;
    sh.options = &o;
    sh.zones_json = geojson_geometries(o.zone_files);
    sh.lines_json = geojson_geometries(o.line_files);
    sh.segments = line_segments(sh.lines_json);

    const int fd = ::open(o.detections.c_str(), O_RDONLY);
    if (fd < 0) throw std::runtime_error("cannot open " + o.detections);
    struct stat st {};
    ::fstat(fd, &st);
    const auto size = static_cast<std::size_t>(st.st_size);
    const char* data = size ? static_cast<const char*>(::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0)) : "";
    if (data == MAP_FAILED) throw std::runtime_error("cannot map " + o.detections);
    if (size) ::madvise(const_cast<char*>(data), size, MADV_SEQUENTIAL);

    // Header.
    const char* body = static_cast<const char*>(std::memchr(data, '\n', size));
    if (!body) throw std::runtime_error("no header in " + o.detections);
    {
        std::string_view header(data, static_cast<std::size_t>(body - data));
        int col = 0;
        for (std::size_t start = 0;; ++col) {
            std::size_t comma = header.find(',', start);
            std::string name = lower(header.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
            while (!name.empty() && (name.back() == '\r' || name.back() == ' ')) name.pop_back();
            if (name == "lon") sh.lon_col = col;
            if (name == "lat") sh.lat_col = col;
            if (name == "class") sh.class_col = col;
            if (comma == std::string_view::npos) break;
            start = comma + 1;
        }
        if (sh.lon_col < 0 || sh.lat_col < 0 || sh.class_col < 0) throw std::runtime_error("lon, lat or class column missing");
    }
    ++body;
    const char* end = data + size;

    // Contiguous ranges of whole lines, one per thread.
    std::vector<const char*> cuts{body};
    for (unsigned t = 1; t < o.threads; ++t) {
        const char* c = body + (end - body) * static_cast<std::ptrdiff_t>(t) / static_cast<std::ptrdiff_t>(o.threads);
        c = std::max(c, cuts.back());
        const char* nl = static_cast<const char*>(std::memchr(c, '\n', static_cast<std::size_t>(end - c)));
        cuts.push_back(nl ? nl + 1 : end);
    }
    cuts.push_back(end);
    std::vector<Counts> results(o.threads);
    std::vector<std::thread> pool;
    std::exception_ptr failure;
    std::atomic<bool> failed{false};
    for (unsigned t = 0; t < o.threads; ++t)
        pool.emplace_back([&, t] {
            try {
                results[t] = run_range(sh, cuts[t], cuts[t + 1]);
            } catch (...) {
                if (!failed.exchange(true)) failure = std::current_exception();
            }
        });
    for (auto& th : pool) th.join();
    if (failure) std::rethrow_exception(failure);
    Counts total;
    for (const auto& r : results) {
        total.rows += r.rows;
        total.q1_pairs += r.q1_pairs;
        total.q2_artillery += r.q2_artillery;
        total.q2_mlrs += r.q2_mlrs;
        total.q2_candidates += r.q2_candidates;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("rows=%llu q1_pairs=%llu q2_artillery=%llu q2_mlrs=%llu q2_candidates=%llu threads=%u seconds=%.3f rows_per_s=%.0f\n",
                static_cast<unsigned long long>(total.rows), static_cast<unsigned long long>(total.q1_pairs),
                static_cast<unsigned long long>(total.q2_artillery), static_cast<unsigned long long>(total.q2_mlrs),
                static_cast<unsigned long long>(total.q2_candidates), o.threads, seconds, static_cast<double>(total.rows) / seconds);
    return 0;
} catch (const std::exception& e) {
    std::cerr << "avf_bench_geos: " << e.what() << "\n";
    return 1;
}
