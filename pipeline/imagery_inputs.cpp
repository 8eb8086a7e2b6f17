#include "pipeline/imagery_inputs.hpp"

#include "core/sha256.hpp"
#include "fusion/imagery.hpp"
#include "geo/geodesic.hpp"
#include "ingest/image_reader.hpp"
#include "ingest/track_reader.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>

namespace avf::pipeline {

ImageryInputs read_imagery_inputs(const std::vector<std::string>& imagery, const std::vector<std::string>& tracks,
                                  const std::vector<std::string>& routes, bool strict) {
    ImageryInputs in;
    CollectingProblemSink problems(strict);
    auto file = [&](const std::string& role, const std::string& path, std::uint64_t read, std::uint64_t rejected) {
        ImageryFile f{role, path, sha256_file(path), 0, read, rejected};
        std::error_code ec;
        f.size = std::filesystem::file_size(path, ec);
        if (ec) f.size = 0;
        in.files.push_back(std::move(f));
    };
    for (const auto& path : imagery) {
        auto r = ingest::read_images(path, {}, in.images, problems);
        file("imagery", path, r.records, r.rejected);
    }
    for (const auto& path : tracks) {
        auto r = ingest::read_tracks(path, {}, in.tracks, problems);
        file("tracks", path, r.records, r.rejected);
    }
    for (const auto& path : routes) {
        auto r = ingest::read_routes(path, {}, in.routes, problems);
        file("routes", path, r.records, r.rejected);
    }
    std::sort(in.images.begin(), in.images.end(), [](const ImageRecord& a, const ImageRecord& b) { return a.id < b.id; });
    for (std::size_t i = 0; i < in.images.size(); ++i) in.image_by_id.emplace(in.images[i].id.str(), i);
    in.problems = std::move(problems.problems());
    return in;
}

void link_image(Finding& f, const Detection& d, const ImageryInputs& in) {
    if (d.source_record.empty()) return;
    auto it = in.image_by_id.find(d.source_record);
    if (it == in.image_by_id.end()) return;
    f.evidence.push_back(fusion::evidence_of(in.images[it->second]));
}

storage::RunImagery to_store(const ImageryInputs& in, std::vector<CoverageRecord> coverage) {
    storage::RunImagery out;
    out.images = in.images;
    out.coverage = std::move(coverage);
    std::map<std::string, storage::FlightRecord> flights;
    for (const FlightTrack& t : in.tracks) {
        storage::FlightRecord& f = flights[t.flight_id];
        f.flight_id = t.flight_id;
        f.track_file = t.origin.file;
        f.fixes = t.points.size();
        f.min_height_m = std::numeric_limits<double>::quiet_NaN();
        if (!t.points.empty()) {
            f.first_fix = t.points.front().time;
            f.last_fix = t.points.back().time;
        }
        for (std::size_t i = 0; i < t.points.size(); ++i) {
            const TrackPoint& p = t.points[i];
            f.track.push_back(p.position);
            if (i > 0) f.length_m += geo::distance(t.points[i - 1].position, p.position).value;
            if (p.sensor_on) {
                ++f.sensor_on_fixes;
                if (!std::isnan(p.height.value) && (std::isnan(f.min_height_m) || p.height.value < f.min_height_m)) f.min_height_m = p.height.value;
            }
        }
    }
    for (const PlannedRoute& r : in.routes) {
        storage::FlightRecord& f = flights[r.flight_id];
        if (f.flight_id.empty()) {
            f.flight_id = r.flight_id;
            f.first_fix = UtcTime::min();
            f.last_fix = UtcTime::min();
            f.min_height_m = std::numeric_limits<double>::quiet_NaN();
        }
        f.route_file = r.origin.file;
        f.route = r.route;
    }
    for (auto& [id, f] : flights) out.flights.push_back(std::move(f));
    return out;
}

} // namespace avf::pipeline
