// The floor of the benchmark (bench/run.sh, docs/benchmarks.md): read and parse the detections
// CSV with avf's own fast path and do nothing else — no duplicate-id check, no zones, no rules,
// no store. The same stages as `avf run` up to the records: the serial CsvBlockReader hands
// blocks to parse_detection_block on --threads threads (a oneTBB parallel_pipeline with 2 blocks
// in flight per thread), the records are counted in order.
//
//   avf_bench_parse --regime bench/regime.toml --detections d.csv [--threads 2] [--block-bytes 4194304]
// Prints one line: rows=… rejected=… threads=… seconds=… rows_per_s=…
#include "core/problem.hpp"
#include "fusion/regime.hpp"
#include "ingest/csv.hpp"
#include "ingest/detection_reader.hpp"

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_pipeline.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace {

struct Work {
    avf::ingest::CsvBlock block;
    std::vector<avf::Detection> records;
    avf::CollectingProblemSink problems;
};

} // namespace

int main(int argc, char** argv) try {
    std::string regime_path, detections;
    unsigned threads = 1;
    std::size_t block_bytes = std::size_t{4} << 20; // avf run's default --block-bytes
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
            return argv[++i];
        };
        if (a == "--regime")
            regime_path = next();
        else if (a == "--detections")
            detections = next();
        else if (a == "--threads")
            threads = static_cast<unsigned>(std::stoul(next()));
        else if (a == "--block-bytes")
            block_bytes = std::stoull(next());
        else {
            std::cerr << "usage: avf_bench_parse --regime R.toml --detections D.csv [--threads N] [--block-bytes B]\n";
            return 2;
        }
    }
    if (regime_path.empty() || detections.empty() || threads == 0) {
        std::cerr << "usage: avf_bench_parse --regime R.toml --detections D.csv [--threads N] [--block-bytes B]\n";
        return 2;
    }
    const auto t0 = std::chrono::steady_clock::now();
    const avf::fusion::Regime regime = avf::fusion::load_regime(regime_path);
    avf::ingest::DetectionParseOptions options;
    options.taxonomy = &regime.taxonomy;
    options.csv.block_bytes = block_bytes;

    oneapi::tbb::global_control limit(oneapi::tbb::global_control::max_allowed_parallelism, threads);
    avf::ingest::CsvBlockReader reader(detections, options.csv);
    avf::CollectingProblemSink header_notes;
    const auto layout = avf::ingest::DetectionCsvLayout::from_header(reader.header(), detections, reader.header_line(), header_notes);

    std::uint64_t rows = 0, rejected = 0;
    oneapi::tbb::parallel_pipeline(
        2 * threads,
        oneapi::tbb::make_filter<void, std::shared_ptr<Work>>(oneapi::tbb::filter_mode::serial_in_order,
                                                              [&](oneapi::tbb::flow_control& fc) -> std::shared_ptr<Work> {
                                                                  auto w = std::make_shared<Work>();
                                                                  if (!reader.next(w->block, w->problems)) {
                                                                      fc.stop();
                                                                      return nullptr;
                                                                  }
                                                                  return w;
                                                              }) &
            oneapi::tbb::make_filter<std::shared_ptr<Work>, std::shared_ptr<Work>>(oneapi::tbb::filter_mode::parallel,
                                                                                   [&](std::shared_ptr<Work> w) {
                                                                                       avf::ingest::parse_detection_block(w->block, layout, options,
                                                                                                                          w->records, w->problems);
                                                                                       return w;
                                                                                   }) &
            oneapi::tbb::make_filter<std::shared_ptr<Work>, void>(oneapi::tbb::filter_mode::serial_in_order, [&](std::shared_ptr<Work> w) {
                rows += w->records.size();
                rejected += w->problems.count(avf::Severity::rejected);
            }));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("rows=%llu rejected=%llu threads=%u seconds=%.3f rows_per_s=%.0f\n", static_cast<unsigned long long>(rows),
                static_cast<unsigned long long>(rejected), threads, seconds, static_cast<double>(rows) / seconds);
    return 0;
} catch (const std::exception& e) {
    std::cerr << "avf_bench_parse: " << e.what() << "\n";
    return 1;
}
