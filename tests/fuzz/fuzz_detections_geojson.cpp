// Fuzz target: detections from GeoJSON and GeoJSONSeq through OGR (avf's wrapper: CRS checks,
// point geometry, attribute validation). The first byte chooses the format (even: .geojson, odd:
// .geojsonl); the rest is the file.
#include "core/problem.hpp"
#include "core/taxonomy.hpp"
#include "ingest/detection_reader.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <cmath>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static const avf::Taxonomy taxonomy = [] {
        avf::Taxonomy t;
        t.add_class("battle_tank", {"T-72"});
        t.add_class("artillery", {"K9"});
        return t;
    }();
    const std::string path = avf::fuzz::write_scratch((data[0] & 1) ? ".geojsonl" : ".geojson", data + 1, size - 1);
    return avf::fuzz::refuse_or_run([&] {
        avf::ingest::DetectionParseOptions options;
        options.taxonomy = &taxonomy;
        auto source = avf::ingest::open_detections(path, options);
        avf::CollectingProblemSink problems;
        std::vector<avf::Detection> batch;
        while (source->next_batch(batch, problems, 64)) {
            for (const avf::Detection& d : batch)
                if (!std::isfinite(d.position.x()) || !std::isfinite(d.position.y()) || std::abs(d.position.x()) > 180.0 ||
                    std::abs(d.position.y()) > 90.0)
                    std::abort();
            batch.clear();
        }
    });
}
