// avf_bench_standoff: the CPU cost per detection of the standoff rules' decision (Q2 of
// docs/benchmarks.md), non-flagged and flagged detections apart — the rules themselves
// (fusion/rules/standoff.cpp: bind, then evaluate per detection, findings and explanations
// included), on the bench's regime, lines and detections, nothing else of a run.
//
//   avf_bench_standoff --regime bench/regime-q2.toml --detections d.csv --lines datasets/korea/lines.geojson
//                      --lines datasets/baltic/lines.geojson [--densify 1000] [--repeat 3] [--only flagged]
//
// --densify M cuts every segment of the lines into pieces of at most M metres (geo::densify), for
// lines as dense as real borders (the demo lines have 15-224 vertices); --only times one class (for
// a profiler). Each (rule, in-scope
// detection) pair is first classified (flagged: the rule makes a finding), then each class is timed
// on its own, --repeat times over all its pairs, with the thread's CPU clock (best repeat). Prints
//   bind_s=…                                   binding the rules (their distance grids)
//   class=non-flagged pairs=… us_per_pair=…   what a detection beyond every line costs a rule
//   class=flagged pairs=… us_per_pair=…       with its exact distance and finding
//   class=out-of-scope detections=… us_per_detection=…   the class check of every rule
// The source uses only what the rules have offered since before the lookup, so the same file built
// against an older commit gives the "before" figures (docs/benchmarks.md).
#include "fusion/regime.hpp"
#include "fusion/rule.hpp"
#include "fusion/zone_set_view.hpp"
#include "geo/geodesic.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

using avf::Detection;
using avf::GeoPoint;
using avf::LineString;
using avf::Meters;

std::vector<std::string> split(std::string_view s, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        std::size_t at = s.find(sep, start);
        if (at == std::string_view::npos) at = s.size();
        out.emplace_back(s.substr(start, at - start));
        start = at + 1;
    }
    return out;
}

std::vector<avf::ReferenceLine> read_lines(const std::vector<std::string>& files, double densify_m) {
    std::vector<avf::ReferenceLine> out;
    for (const auto& f : files) {
        std::ifstream in(f);
        if (!in) throw std::runtime_error("cannot open " + f);
        const nlohmann::json doc = nlohmann::json::parse(in);
        for (const auto& feature : doc.at("features")) {
            avf::ReferenceLine line;
            line.id = avf::LineId{feature.at("properties").at("id").get<std::string>()};
            line.name = line.id.str();
            const auto& g = feature.at("geometry");
            auto add = [&](const nlohmann::json& coords) {
                LineString l;
                for (const auto& c : coords) l.push_back(GeoPoint{c[0].get<double>(), c[1].get<double>()});
                line.geometry.push_back(densify_m > 0 ? avf::geo::densify(l, Meters{densify_m}) : l);
            };
            if (g.at("type") == "LineString")
                add(g.at("coordinates"));
            else
                for (const auto& part : g.at("coordinates")) add(part);
            out.push_back(std::move(line));
        }
    }
    return out;
}

// The bench CSV (bench/gen_detections.cpp): id,time,lon,lat,class,count,confidence,source,party.
// Raw model names are resolved through the regime's taxonomy, as the readers do.
std::vector<Detection> read_detections(const std::string& file, const avf::Taxonomy& taxonomy) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot open " + file);
    std::string line;
    std::getline(in, line);
    const auto header = split(line, ',');
    auto column = [&](const char* name) {
        auto it = std::find(header.begin(), header.end(), name);
        if (it == header.end()) throw std::runtime_error(std::string("no column ") + name);
        return static_cast<std::size_t>(it - header.begin());
    };
    const std::size_t id = column("id"), time = column("time"), lon = column("lon"), lat = column("lat"), cls = column("class"),
                      party = column("party");
    std::vector<Detection> out;
    auto number = [](const std::string& s) {
        double v = 0;
        std::from_chars(s.data(), s.data() + s.size(), v);
        return v;
    };
    while (std::getline(in, line)) {
        const auto f = split(line, ',');
        if (f.size() < header.size()) continue;
        Detection d;
        d.id = avf::DetectionId{f[id]};
        d.time = avf::parse_utc(f[time]).value_or(avf::UtcTime{});
        d.position = GeoPoint{number(f[lon]), number(f[lat])};
        d.equipment_class = f[cls];
        if (const std::string* c = taxonomy.resolve(d.equipment_class); c && *c != d.equipment_class) {
            d.model = d.equipment_class;
            d.equipment_class = *c;
        }
        d.party = f[party];
        d.source = "imagery";
        d.origin = avf::SourceRef{file, "", std::to_string(out.size() + 2), 0};
        out.push_back(std::move(d));
    }
    return out;
}

double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

int usage() {
    std::cerr << "usage: avf_bench_standoff --regime R.toml --detections D.csv --lines L.geojson... [--densify M] [--repeat N]\n";
    return 2;
}

} // namespace

int main(int argc, char** argv) try {
    std::string regime_path, detections;
    std::vector<std::string> line_files;
    double densify_m = 0.0;
    int repeat = 3;
    std::string only;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (i + 1 >= argc) return usage();
        const std::string v = argv[++i];
        if (a == "--regime")
            regime_path = v;
        else if (a == "--detections")
            detections = v;
        else if (a == "--lines")
            line_files.push_back(v);
        else if (a == "--densify")
            densify_m = std::stod(v);
        else if (a == "--repeat")
            repeat = std::stoi(v);
        else if (a == "--only")
            only = v;
        else
            return usage();
    }
    if (regime_path.empty() || detections.empty() || line_files.empty()) return usage();

    const avf::fusion::Regime regime = avf::fusion::load_regime(regime_path);
    std::vector<avf::ReferenceLine> lines = read_lines(line_files, densify_m);
    std::size_t vertices = 0;
    for (const auto& l : lines)
        for (const auto& part : l.geometry) vertices += part.size();
    const avf::fusion::ZoneSetView view({}, std::move(lines));
    const double t0 = cpu_seconds();
    for (const auto& rule : regime.rules) rule->bind(view);
    std::printf("rules=%zu lines=%zu vertices=%zu bind_s=%.4f\n", regime.rules.size(), view.lines().size(), vertices, cpu_seconds() - t0);

    const std::vector<Detection> ds = read_detections(detections, regime.taxonomy);
    const std::vector<avf::geo::ZoneHit> no_zones;
    struct Pair {
        const avf::fusion::Rule* rule;
        const Detection* d;
    };
    std::vector<Pair> flagged, clear;
    std::vector<const Detection*> out_of_scope;
    std::vector<avf::Finding> out;
    for (const Detection& d : ds) {
        bool any = false;
        for (const auto& rule : regime.rules) {
            if (!rule->in_scope(d)) continue;
            any = true;
            out.clear();
            rule->evaluate(avf::fusion::LocatedDetection{d, no_zones}, nullptr, out);
            (out.empty() ? clear : flagged).push_back(Pair{rule.get(), &d});
        }
        if (!any) out_of_scope.push_back(&d);
    }

    auto best_of = [&](auto&& pass) {
        double best = std::numeric_limits<double>::infinity();
        for (int r = 0; r < repeat; ++r) {
            const double start = cpu_seconds();
            pass();
            best = std::min(best, cpu_seconds() - start);
        }
        return best;
    };
    std::size_t findings = 0;
    for (const auto& [name, set] : {std::pair{"non-flagged", &clear}, std::pair{"flagged", &flagged}}) {
        if (!only.empty() && only != name) continue;
        const double s = best_of([&] {
            for (const Pair& p : *set) {
                out.clear();
                p.rule->evaluate(avf::fusion::LocatedDetection{*p.d, no_zones}, nullptr, out);
                findings += out.size();
            }
        });
        std::printf("class=%s pairs=%zu us_per_pair=%.3f\n", name, set->size(), set->empty() ? 0.0 : 1e6 * s / static_cast<double>(set->size()));
    }
    if (!only.empty() && only != "out-of-scope") return 0;
    const double s = best_of([&] {
        for (const Detection* d : out_of_scope)
            for (const auto& rule : regime.rules) findings += rule->in_scope(*d) ? 1 : 0;
    });
    std::printf("class=out-of-scope detections=%zu us_per_detection=%.3f\n", out_of_scope.size(),
                out_of_scope.empty() ? 0.0 : 1e6 * s / static_cast<double>(out_of_scope.size()));
    std::printf("findings=%zu (over %d repeats)\n", findings, repeat);
    return 0;
} catch (const std::exception& e) {
    std::cerr << "avf_bench_standoff: " << e.what() << "\n";
    return 1;
}
