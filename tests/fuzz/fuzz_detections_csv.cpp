// Fuzz target: the detections CSV reader (block reader + record parser + field validation), the
// fast path of `avf run`. Input: the bytes of a CSV file.
#include "core/problem.hpp"
#include "core/taxonomy.hpp"
#include "ingest/detection_reader.hpp"
#include "ingest/duplicate_ids.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <vector>

namespace {
const avf::Taxonomy& taxonomy() {
    static const avf::Taxonomy t = [] {
        avf::Taxonomy x;
        x.add_class("battle_tank", {"T-72", "T-72B3", "K2"});
        x.add_class("artillery", {"K9", "2S19"});
        x.add_class("mlrs", {"BM-21"});
        x.add_class("troops", {});
        return x;
    }();
    return t;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = avf::fuzz::write_scratch(".csv", data, size);
    return avf::fuzz::refuse_or_run([&] {
        avf::ingest::DetectionParseOptions options;
        options.taxonomy = &taxonomy();
        options.csv.block_bytes = 4096; // small blocks: records cross block boundaries
        auto source = avf::ingest::open_detections(path, options);
        avf::CollectingProblemSink problems;
        avf::ingest::DuplicateIdFilter ids;
        std::vector<avf::Detection> batch;
        while (source->next_batch(batch, problems, 256)) {
            for (const avf::Detection& d : batch) {
                if (!(d.position.x() >= -180.0 && d.position.x() <= 180.0 && d.position.y() >= -90.0 && d.position.y() <= 90.0)) std::abort();
                if (!(d.count > 0) || !(d.confidence >= 0.0 && d.confidence <= 1.0)) std::abort();
                (void)ids.check_unique(d, problems);
            }
            batch.clear();
        }
    });
}
