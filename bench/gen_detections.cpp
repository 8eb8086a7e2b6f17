// Seeded generator of a detections CSV for the benchmark (bench/run.sh): N rows, ~70 % within
// 200 km of the demo borders (the reference lines of datasets/korea and datasets/baltic), the rest
// uniformly over Europe. The same seed and row count give the same bytes, whatever the thread count.
//
//   avf_bench_gen --rows 10000000 --seed 2027 --out d.csv datasets/korea/lines.geojson datasets/baltic/lines.geojson
//
// Rows: id,time,lon,lat,class,count,confidence,source,party
//   id      B000000000001… (unique), time uniform over 2027 (minutes, UTC), lon/lat 6 decimals.
//   near    pick a border point uniformly by length, go 0-200 km (uniform) in a uniform azimuth
//           (spherical destination: the generator only scatters points, nothing is measured here).
//   class   battle tanks 30 %, ACVs 25 %, troops 20 %, artillery 6 %, MLRS 4 %, SAMs 8 %, aircraft
//           7 %; 22 % of the rows give a raw model name the regime maps (T-72B3, K9, BM-21, …).
//           Artillery and MLRS together: 10 % of the rows.
// Rows are produced in chunks of 2^16, each with its own generator seeded from (seed, chunk):
// threads only change the speed.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr double pi = 3.14159265358979323846;
constexpr double deg = pi / 180.0;
constexpr double earth_radius_m = 6371008.8;
constexpr std::size_t chunk_rows = std::size_t{1} << 16;

struct Segment {
    double lon1, lat1, lon2, lat2;
    double cumulative_m; // length of the segments before this one plus its own
};

double haversine_m(double lon1, double lat1, double lon2, double lat2) {
    double dlat = (lat2 - lat1) * deg, dlon = (lon2 - lon1) * deg;
    double h = std::sin(dlat / 2) * std::sin(dlat / 2) + std::cos(lat1 * deg) * std::cos(lat2 * deg) * std::sin(dlon / 2) * std::sin(dlon / 2);
    return 2.0 * earth_radius_m * std::asin(std::min(1.0, std::sqrt(h)));
}

void destination(double lon, double lat, double azimuth, double distance_m, double& out_lon, double& out_lat) {
    double d = distance_m / earth_radius_m, phi1 = lat * deg, lam1 = lon * deg;
    double phi2 = std::asin(std::sin(phi1) * std::cos(d) + std::cos(phi1) * std::sin(d) * std::cos(azimuth));
    double lam2 = lam1 + std::atan2(std::sin(azimuth) * std::sin(d) * std::cos(phi1), std::cos(d) - std::sin(phi1) * std::sin(phi2));
    out_lat = phi2 / deg;
    out_lon = std::remainder(lam2 / deg, 360.0);
}

std::vector<Segment> read_lines(const std::vector<std::string>& files) {
    std::vector<Segment> out;
    double total = 0.0;
    auto add_line = [&](const nlohmann::json& coords) {
        for (std::size_t i = 0; i + 1 < coords.size(); ++i) {
            Segment s{coords[i][0].get<double>(), coords[i][1].get<double>(), coords[i + 1][0].get<double>(), coords[i + 1][1].get<double>(), 0.0};
            total += haversine_m(s.lon1, s.lat1, s.lon2, s.lat2);
            s.cumulative_m = total;
            out.push_back(s);
        }
    };
    for (const auto& f : files) {
        std::ifstream in(f);
        if (!in) throw std::runtime_error("cannot open " + f);
        nlohmann::json doc = nlohmann::json::parse(in);
        for (const auto& feature : doc.at("features")) {
            const auto& g = feature.at("geometry");
            if (g.at("type") == "LineString")
                add_line(g.at("coordinates"));
            else if (g.at("type") == "MultiLineString")
                for (const auto& part : g.at("coordinates")) add_line(part);
        }
    }
    if (out.empty()) throw std::runtime_error("no line segments in the given files");
    return out;
}

struct Class {
    const char* name;
    double weight;
};
// Canonical classes and raw model names of datasets/demo/regime.toml's taxonomy (bench/regime.toml
// uses the same [classes]).
constexpr std::array<Class, 15> k_classes{{{"battle_tank", 22},
                                           {"T-72B3", 5},
                                           {"K2", 3},
                                           {"acv", 16},
                                           {"BMP-2", 5},
                                           {"K21", 4},
                                           {"troops", 20},
                                           {"artillery", 4},
                                           {"K9", 1},
                                           {"2S19", 1},
                                           {"mlrs", 3},
                                           {"BM-21", 1},
                                           {"sam", 6},
                                           {"S-400", 2},
                                           {"aircraft_fixed_wing", 7}}};
constexpr std::array<const char*, 8> k_parties{"KOR", "PRK", "EST", "LVA", "LTU", "RUS", "BLR", ""};
constexpr std::array<const char*, 3> k_sources{"imagery", "monitor_report", "open_source"};

std::uint64_t splitmix(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

// 2027-01-01T00:00Z + minutes, as ISO-8601.
void put_time(std::string& s, std::uint32_t minute_of_year) {
    static constexpr int days_in_month[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int day = static_cast<int>(minute_of_year / 1440), minute = static_cast<int>(minute_of_year % 1440);
    int month = 0;
    while (day >= days_in_month[month]) day -= days_in_month[month++];
    char buf[32];
    std::snprintf(buf, sizeof buf, "2027-%02d-%02dT%02d:%02d:00Z", month + 1, day + 1, minute / 60, minute % 60);
    s += buf;
}

void put_fixed(std::string& s, double v, int decimals) {
    char buf[48];
    auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
    s.append(buf, r.ptr);
}

std::string make_chunk(std::uint64_t seed, std::uint64_t chunk, std::uint64_t first_row, std::uint64_t rows, const std::vector<Segment>& lines,
                       double near_fraction, double radius_m) {
    std::mt19937_64 rng(splitmix(seed ^ splitmix(chunk + 1)));
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<double> weights;
    for (const auto& c : k_classes) weights.push_back(c.weight);
    std::discrete_distribution<std::size_t> cls(weights.begin(), weights.end());
    const double total_m = lines.back().cumulative_m;
    std::string out;
    out.reserve(rows * 96);
    for (std::uint64_t i = 0; i < rows; ++i) {
        double lon = 0, lat = 0;
        if (u(rng) < near_fraction) {
            double at = u(rng) * total_m;
            auto it = std::lower_bound(lines.begin(), lines.end(), at, [](const Segment& s, double v) { return s.cumulative_m < v; });
            if (it == lines.end()) it = std::prev(lines.end());
            double before = it == lines.begin() ? 0.0 : std::prev(it)->cumulative_m;
            double len = it->cumulative_m - before;
            double t = len > 0 ? (at - before) / len : 0.0;
            double lon0 = it->lon1 + t * (it->lon2 - it->lon1), lat0 = it->lat1 + t * (it->lat2 - it->lat1);
            destination(lon0, lat0, u(rng) * 2 * pi, u(rng) * radius_m, lon, lat);
        } else {
            lon = -10.0 + 50.0 * u(rng);
            lat = 36.0 + 34.0 * u(rng);
        }
        const std::uint64_t row = first_row + i;
        char id[24];
        std::snprintf(id, sizeof id, "B%012llu", static_cast<unsigned long long>(row + 1));
        out += id;
        out += ',';
        put_time(out, static_cast<std::uint32_t>(u(rng) * 365 * 1440));
        out += ',';
        put_fixed(out, lon, 6);
        out += ',';
        put_fixed(out, lat, 6);
        out += ',';
        out += k_classes[cls(rng)].name;
        out += ',';
        out += std::to_string(1 + static_cast<int>(u(rng) * 8));
        out += ",0.";
        out += std::to_string(50 + static_cast<int>(u(rng) * 49));
        out += ',';
        out += k_sources[static_cast<std::size_t>(u(rng) * 3) % 3];
        out += ',';
        out += k_parties[static_cast<std::size_t>(u(rng) * 8) % 8];
        out += '\n';
    }
    return out;
}

int usage() {
    std::cerr << "usage: avf_bench_gen --rows N --out FILE [--seed S] [--threads T] [--near 0.7] [--radius-km 200] LINES.geojson...\n";
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    std::uint64_t rows = 0, seed = 2027;
    std::string out_path;
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    double near_fraction = 0.7, radius_km = 200.0;
    std::vector<std::string> line_files;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
            return argv[++i];
        };
        if (a == "--rows")
            rows = std::stoull(next());
        else if (a == "--seed")
            seed = std::stoull(next());
        else if (a == "--out")
            out_path = next();
        else if (a == "--threads")
            threads = static_cast<unsigned>(std::stoul(next()));
        else if (a == "--near")
            near_fraction = std::stod(next());
        else if (a == "--radius-km")
            radius_km = std::stod(next());
        else if (!a.empty() && a[0] == '-')
            return usage();
        else
            line_files.push_back(a);
    }
    if (rows == 0 || out_path.empty() || line_files.empty()) return usage();
    const std::vector<Segment> lines = read_lines(line_files);

    std::FILE* out = std::fopen(out_path.c_str(), "wb");
    if (!out) {
        std::cerr << "cannot write " << out_path << "\n";
        return 1;
    }
    const std::string header = "id,time,lon,lat,class,count,confidence,source,party\n";
    std::fwrite(header.data(), 1, header.size(), out);

    // Workers take chunks in turn; the main thread writes them in order (a window of 2 per thread).
    const std::uint64_t chunks = (rows + chunk_rows - 1) / chunk_rows;
    std::mutex m;
    std::condition_variable cv;
    std::vector<std::string> ready(chunks);
    std::vector<char> done(chunks, 0);
    std::uint64_t next_chunk = 0, written = 0;
    auto worker = [&] {
        while (true) {
            std::uint64_t c;
            {
                std::unique_lock lock(m);
                cv.wait(lock, [&] { return next_chunk >= chunks || next_chunk < written + 2 * threads; });
                if (next_chunk >= chunks) return;
                c = next_chunk++;
            }
            std::uint64_t first = c * chunk_rows, n = std::min<std::uint64_t>(chunk_rows, rows - first);
            std::string text = make_chunk(seed, c, first, n, lines, near_fraction, radius_km * 1000.0);
            {
                std::lock_guard lock(m);
                ready[c] = std::move(text);
                done[c] = 1;
            }
            cv.notify_all();
        }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
    for (std::uint64_t c = 0; c < chunks; ++c) {
        std::string text;
        {
            std::unique_lock lock(m);
            cv.wait(lock, [&] { return done[c] != 0; });
            text = std::move(ready[c]);
            ready[c] = std::string();
            written = c + 1;
        }
        cv.notify_all();
        if (std::fwrite(text.data(), 1, text.size(), out) != text.size()) {
            std::cerr << "write failed: " << out_path << "\n";
            return 1;
        }
    }
    for (auto& t : pool) t.join();
    if (std::fclose(out) != 0) {
        std::cerr << "write failed: " << out_path << "\n";
        return 1;
    }
    return 0;
}
