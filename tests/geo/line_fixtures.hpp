// Random polylines and the brute-force distance to them, shared by the tests of the segment index
// and of the distance grid.
#pragma once

#include "geo/geodesic.hpp"

#include <algorithm>
#include <limits>
#include <random>

namespace avf::test {

// A random polyline of `n` vertices starting at (lon, lat), steps of up to `step_km`.
inline LineString random_line(std::mt19937_64& rng, double lon, double lat, std::size_t n, double step_km) {
    std::uniform_real_distribution<double> az(0.0, 360.0), len(0.05, 1.0);
    LineString l{GeoPoint{lon, lat}};
    double heading = az(rng);
    for (std::size_t i = 1; i < n; ++i) {
        heading += std::uniform_real_distribution<double>(-60.0, 60.0)(rng);
        l.push_back(geo::destination(l.back(), heading, Meters{len(rng) * step_km * 1000.0}));
    }
    return l;
}

// The exact distance from p to the lines: the minimum over every segment, each solved.
inline double brute_force(const MultiLineString& lines, const GeoPoint& p) {
    double best = std::numeric_limits<double>::infinity();
    for (const auto& l : lines)
        for (std::size_t i = 0; i + 1 < l.size(); ++i) best = std::min(best, geo::distance_to_segment(p, l[i], l[i + 1]).distance.value);
    return best;
}

} // namespace avf::test
