// Fuzz target: zone and reference-line import from GeoJSON (OGR, CRS, geometry validation and
// normalization, parent checks) — what `avf zones import` and `avf zones validate` run. A zone
// that is accepted must come out valid: closed, finite, in range.
#include "core/problem.hpp"
#include "ingest/zone_reader.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <cmath>

namespace {
template <typename Ring> void check_ring(const Ring& ring) {
    if (ring.size() < 4) std::abort();
    if (ring.front().x() != ring.back().x() || ring.front().y() != ring.back().y()) std::abort();
    for (const auto& p : ring)
        if (!std::isfinite(p.x()) || !std::isfinite(p.y()) || std::abs(p.x()) > 180.0 || std::abs(p.y()) > 90.0) std::abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = avf::fuzz::write_scratch(".geojson", data, size);
    return avf::fuzz::refuse_or_run([&] {
        avf::ingest::ZoneReadOptions options;
        avf::ingest::ZoneCollection set;
        avf::CollectingProblemSink problems;
        avf::ingest::read_zones(path, options, set, problems);
        avf::ingest::check_zone_parents(set, problems);
        for (const avf::Zone& z : set.zones)
            for (const auto& polygon : z.geometry) {
                check_ring(polygon.outer());
                for (const auto& hole : polygon.inners()) check_ring(hole);
            }
    });
}
