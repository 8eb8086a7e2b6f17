// Fuzz target: the geometry validator on its own (no GDAL): the input bytes become a multipolygon
// of raw doubles — any bit pattern, NaN, Inf, huge, tiny, repeated, self-crossing — and a
// multilinestring. Accepted geometry must come out closed, finite and in range.
#include "core/geometry.hpp"
#include "core/problem.hpp"
#include "geo/validate.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <cmath>
#include <cstring>

namespace {
struct Bytes {
    const std::uint8_t* data;
    std::size_t size;
    std::size_t at = 0;
    bool take(void* out, std::size_t n) {
        if (size - at < n) return false;
        std::memcpy(out, data + at, n);
        at += n;
        return true;
    }
    // Mostly "ordinary" coordinates (a byte → a small grid), sometimes raw doubles.
    bool coordinate(double& v, double scale) {
        std::uint8_t tag = 0;
        if (!take(&tag, 1)) return false;
        if (tag < 200) {
            v = (static_cast<double>(tag) - 100.0) * scale;
            return true;
        }
        return take(&v, sizeof v);
    }
};
template <typename Ring> void check_ring(const Ring& ring) {
    if (ring.size() < 4 || ring.front().x() != ring.back().x() || ring.front().y() != ring.back().y()) std::abort();
    for (const auto& p : ring)
        if (!std::isfinite(p.x()) || !std::isfinite(p.y()) || std::abs(p.x()) > 180.0 || std::abs(p.y()) > 90.0) std::abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Bytes in{data, size};
    avf::MultiPolygon polygons;
    avf::MultiLineString lines;
    std::uint8_t shape = 0;
    while (in.take(&shape, 1)) {
        const std::size_t points = shape % 16;
        const double scale = (shape & 0x80) ? 1e-7 : 1.0;
        avf::Ring ring;
        avf::LineString line;
        for (std::size_t i = 0; i < points; ++i) {
            double x = 0, y = 0;
            if (!in.coordinate(x, scale) || !in.coordinate(y, scale)) break;
            ring.push_back(avf::GeoPoint(x, y));
            line.push_back(avf::GeoPoint(x, y));
        }
        if (shape & 0x40 && !polygons.empty())
            polygons.back().inners().push_back(ring);
        else {
            avf::Polygon p;
            p.outer() = ring;
            polygons.push_back(p);
        }
        if (shape & 0x20) lines.push_back(line);
    }
    avf::CollectingProblemSink problems;
    if (avf::geo::normalize_polygons(polygons, problems, avf::Context{}.file("fuzz"))) {
        for (const auto& polygon : polygons) {
            check_ring(polygon.outer());
            for (const auto& hole : polygon.inners()) check_ring(hole);
        }
    }
    if (avf::geo::normalize_lines(lines, problems, avf::Context{}.file("fuzz"))) {
        for (const auto& line : lines)
            for (const auto& p : line)
                if (!std::isfinite(p.x()) || !std::isfinite(p.y())) std::abort();
    }
    return 0;
}
