// Fuzz target: image metadata from STAC JSON (ingest/image_reader: nlohmann-json, footprint
// normalization, every field's checks). The first byte chooses the form (even: .json — an Item or
// an ItemCollection; odd: .ndjson — one Item per line); the rest is the file. Beyond not crashing,
// what the reader promises: every item is counted once as accepted or rejected, and an accepted
// footprint is a normalized lon/lat polygon (finite, in range, closed).
#include "core/problem.hpp"
#include "ingest/image_reader.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <cmath>
#include <cstdlib>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string path = avf::fuzz::write_scratch((data[0] & 1) ? ".ndjson" : ".json", data + 1, size - 1);
    return avf::fuzz::refuse_or_run([&] {
        std::vector<avf::ImageRecord> images;
        avf::CollectingProblemSink problems;
        const auto report = avf::ingest::read_images(path, {}, images, problems);
        if (report.accepted + report.rejected != report.records || report.accepted != images.size()) std::abort();
        for (const avf::ImageRecord& im : images) {
            if (im.footprint.empty()) std::abort();
            for (const auto& polygon : im.footprint) {
                const auto& ring = polygon.outer();
                if (ring.size() < 4 || ring.front().x() != ring.back().x() || ring.front().y() != ring.back().y()) std::abort();
                for (const auto& p : ring)
                    if (!std::isfinite(p.x()) || !std::isfinite(p.y()) || std::abs(p.x()) > 180.0 || std::abs(p.y()) > 90.0) std::abort();
            }
        }
    });
}
