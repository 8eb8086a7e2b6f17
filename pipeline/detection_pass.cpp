#include "pipeline/detection_pass.hpp"

#include "fusion/parties.hpp"
#include "ingest/csv.hpp"

#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/parallel_pipeline.h>

#include <algorithm>

namespace avf::pipeline {

struct DetectionPass::Source {
    std::string path;
    bool csv = false;
    std::unique_ptr<ingest::CsvBlockReader> reader; // CSV fast path
    ingest::DetectionCsvLayout layout;
    std::vector<Problem> header_notes;
    std::unique_ptr<ingest::DetectionSource> source; // OGR sources

    std::uint64_t records() const { return csv ? (reader ? reader->records_read() : 0) : (source ? source->records_seen() : 0); }
    std::uint64_t bytes() const { return csv ? (reader ? reader->bytes_read() : 0) : (source ? source->bytes_read() : 0); }
    bool skipped() const { return !reader && !source; } // another rank's file (InputShare::read false)
};

struct DetectionPass::Chunk {
    std::size_t input = 0;
    bool csv = false;
    ingest::CsvBlock block;
    std::vector<Detection> detections;
    std::vector<IdDigest> digests;  // of `detections`, before admission
    CollectingProblemSink problems; // reading and parsing (never strict: strictness is applied in order)
    std::uint64_t first = 0;        // input position of the first admitted detection

    // Empty again, keeping the vectors' memory.
    void reset() {
        input = 0;
        csv = false;
        block.bytes.clear(); // its memory is read into again (CsvBlockReader::next)
        block.first_line = 1;
        block.first_record_index = 0;
        detections.clear();
        digests.clear();
        problems.problems().clear();
        first = 0;
    }
};

// Chunks are recycled: a block is read into, and its detections are parsed into, the memory of an
// earlier block, not into freshly mapped pages the kernel must fault in and zero for every block
// (a 4 MiB block holds ~50,000 detections, ~15 MB; docs/benchmarks.md, "Recycled chunks"). At
// most the chunks in flight are ever allocated.
std::shared_ptr<DetectionPass::Chunk> DetectionPass::take_chunk() {
    std::unique_ptr<Chunk> chunk;
    {
        const std::lock_guard lock(m_pool_mutex);
        if (!m_pool.empty()) {
            chunk = std::move(m_pool.back());
            m_pool.pop_back();
        }
    }
    if (!chunk) chunk = std::make_unique<Chunk>();
    return std::shared_ptr<Chunk>(chunk.release(), [this](Chunk* c) { recycle(c); });
}

void DetectionPass::recycle(Chunk* chunk) noexcept {
    std::unique_ptr<Chunk> owned(chunk);
    try {
        owned->reset();
        const std::lock_guard lock(m_pool_mutex);
        m_pool.push_back(std::move(owned));
    } catch (...) { // no memory to keep it: it is freed
    }
}

DetectionPass::DetectionPass(const RunOptions& options, const RunInputs& inputs, const std::vector<IdDigest>* repeated, const std::string& temp_dir,
                             const RunProgress& progress, std::vector<InputCounts>& counts, const std::vector<InputShare>* shares)
    : m_options(options), m_inputs(inputs), m_temp_dir(temp_dir), m_progress(progress), m_counts(counts), m_shares(shares),
      m_problems(std::make_unique<ProblemSpool>(temp_dir, options.spill_bytes)), m_ids(options.strict, repeated, temp_dir) {
    const auto share = [&](std::size_t i) { return shares ? (*shares)[i] : InputShare{}; };
    m_parse_options.taxonomy = &inputs.regime.taxonomy;
    m_parse_options.csv.block_bytes = options.block_bytes;
    for (const auto& p : inputs.declaration_problems) m_problems->add(p);
    for (const auto& p : inputs.gazetteer_problems) m_problems->add(p);
    for (auto& in : m_counts) in.read = in.rejected = in.outside_period = in.evaluated = 0;
    for (const auto& path : options.detections) {
        Source in;
        in.path = path;
        const InputShare mine = share(m_sources.size());
        if (!mine.read) {
            in.csv = ingest::is_detection_csv(path);
        } else if (ingest::is_detection_csv(path)) {
            // open_detections' CSV path, split so that blocks can be parsed in parallel.
            in.csv = true;
            in.reader = std::make_unique<ingest::CsvBlockReader>(path, m_parse_options.csv);
            CollectingProblemSink notes;
            in.layout = ingest::DetectionCsvLayout::from_header(in.reader->header(), path, in.reader->header_line(), notes);
            if (mine.first) in.header_notes = std::move(notes.problems());
            if (!mine.whole) in.reader->restrict_to(mine.begin, mine.end, mine.first_line);
        } else {
            in.source = ingest::open_detections(path, m_parse_options);
        }
        m_sources.push_back(std::move(in));
    }
    // Sighting reports after the detections files: read whole, placed with the gazetteer, and
    // handed out as detections (source monitor_report) like an OGR source's.
    ingest::ReportReadOptions report_options;
    report_options.taxonomy = &inputs.regime.taxonomy;
    for (const auto& path : options.reports) {
        Source in;
        in.path = path;
        if (share(m_sources.size()).read) in.source = ingest::open_reports(path, inputs.gazetteer, report_options);
        m_sources.push_back(std::move(in));
    }
}

DetectionPass::~DetectionPass() = default;

DetectionPass::Output DetectionPass::run(int threads) {
    tbb::enumerable_thread_specific<std::unique_ptr<Worker>> workers([&] {
        return std::make_unique<Worker>(Worker{m_inputs.evaluator->make_partial(), FindingSpool(m_temp_dir, m_options.spill_bytes)});
    });
    using ChunkPtr = std::shared_ptr<Chunk>;
    const auto read_blocks = tbb::make_filter<void, ChunkPtr>(tbb::filter_mode::serial_in_order, [&](tbb::flow_control& fc) {
        ChunkPtr chunk = read();
        if (!chunk) fc.stop();
        return chunk;
    });
    const auto parse_blocks = tbb::make_filter<ChunkPtr, ChunkPtr>(tbb::filter_mode::parallel, [&](ChunkPtr chunk) {
        parse(*chunk);
        return chunk;
    });
    const auto admit_in_order = tbb::make_filter<ChunkPtr, ChunkPtr>(tbb::filter_mode::serial_in_order, [&](ChunkPtr chunk) {
        admit(*chunk);
        return chunk;
    });
    const auto evaluate_blocks =
        tbb::make_filter<ChunkPtr, void>(tbb::filter_mode::parallel, [&](const ChunkPtr& chunk) { evaluate(*chunk, *workers.local()); });
    tbb::parallel_pipeline(2 * static_cast<std::size_t>(threads), read_blocks & parse_blocks & admit_in_order & evaluate_blocks);

    Output out;
    for (auto& w : workers) out.workers.push_back(std::move(w));
    out.problems = std::move(m_problems);
    if (m_ids.collects_digests()) {
        m_progress.checking_ids(m_records_before);
        out.repeated = m_ids.repeated();
        if (m_shares) out.distinct = m_ids.distinct();
    }
    out.share_broken = m_share_broken;
    return out;
}

// Serial, in order: the next block of whole records (CSV) or batch (OGR).
std::shared_ptr<DetectionPass::Chunk> DetectionPass::read() {
    while (m_current < m_sources.size()) {
        Source& in = m_sources[m_current];
        if (in.skipped()) {
            m_counts[m_current].read = 0;
            ++m_current;
            continue;
        }
        std::shared_ptr<Chunk> chunk = take_chunk();
        chunk->input = m_current;
        chunk->csv = in.csv;
        for (auto& note : in.header_notes) chunk->problems.report(std::move(note));
        in.header_notes.clear();
        bool got;
        if (in.csv) {
            got = in.reader->next(chunk->block, chunk->problems);
        } else {
            got = in.source->next_batch(chunk->detections, chunk->problems, m_options.batch_size) || !chunk->detections.empty();
        }
        if (got || chunk->problems.size() > 0) {
            m_progress.reading(m_records_before + in.records(), m_bytes_before + in.bytes());
            return chunk;
        }
        m_records_before += in.records();
        m_bytes_before += in.bytes();
        m_counts[m_current].read = in.records();
        if (in.reader && in.reader->share_ended_inside_record()) m_share_broken = true;
        in.reader.reset();
        in.source.reset();
        ++m_current;
    }
    return nullptr;
}

// Parallel: parse the block; digest the ids.
void DetectionPass::parse(Chunk& chunk) const {
    if (chunk.csv && !chunk.block.bytes.empty()) {
        ingest::parse_detection_block(chunk.block, m_sources[chunk.input].layout, m_parse_options, chunk.detections, chunk.problems);
    }
    fusion::note_undeclared_parties(m_inputs.regime.meta.parties, chunk.detections, chunk.problems);
    if (m_ids.needs_digests()) {
        chunk.digests.reserve(chunk.detections.size());
        for (const auto& d : chunk.detections) chunk.digests.push_back(digest_of(d.id));
    }
}

// Serial, in order: problems in input order (--strict stops at the first), duplicate ids, the
// period, counts; each admitted detection gets its input position.
void DetectionPass::admit(Chunk& chunk) {
    InputCounts& counts = m_counts[chunk.input];
    std::vector<Problem> found = std::move(chunk.problems.problems());
    CollectingProblemSink dup_problems;
    std::size_t kept = 0;
    for (std::size_t i = 0; i < chunk.detections.size(); ++i) {
        Detection& d = chunk.detections[i];
        if (!m_ids.admit(d, m_ids.needs_digests() ? chunk.digests[i] : IdDigest{}, dup_problems)) continue;
        if (!m_inputs.period.contains(d.time)) {
            ++counts.outside_period;
            continue;
        }
        if (kept != i) chunk.detections[kept] = std::move(d);
        ++kept;
    }
    chunk.detections.resize(kept);
    counts.evaluated += kept;
    chunk.first = m_admitted;
    m_admitted += kept;
    // Reading, parsing and duplicate problems of this block, by line (a block is a range of lines,
    // so this is input order whatever the block size).
    for (auto& p : dup_problems.problems()) found.push_back(std::move(p));
    std::stable_sort(found.begin(), found.end(), [](const Problem& a, const Problem& b) { return a.order < b.order; });
    for (auto& p : found) {
        if (p.severity == Severity::rejected)
            for (auto& in : m_counts)
                if (in.path == p.where.file()) ++in.rejected;
        if (m_options.strict) m_strict_sink.report(p); // throws at the first rejected record
        m_problems->add(std::move(p));
    }
}

// Parallel: locate and evaluate, into this thread's aggregates and finding spool.
void DetectionPass::evaluate(Chunk& chunk, Worker& w) const {
    for (std::size_t i = 0; i < chunk.detections.size(); ++i) {
        m_inputs.evaluator->evaluate(chunk.detections[i], w.partial);
        auto& fs = w.partial.findings;
        for (auto& f : fs) link_image(f, chunk.detections[i], m_inputs.imagery);
        for (std::size_t k = 0; k < fs.size(); ++k) w.spool.add(chunk.first + i, static_cast<std::uint32_t>(k), fs[k]);
        fs.clear();
    }
}

DetectionPass::Output evaluate_detections(const RunOptions& options, const RunInputs& inputs, const std::string& temp_dir, int threads,
                                          const RunProgress& progress, std::vector<InputCounts>& counts) {
    DetectionPass::Output out = DetectionPass(options, inputs, nullptr, temp_dir, progress, counts).run(threads);
    if (out.repeated.empty()) return out;
    // The input repeats ids: evaluate again, judging those ids in input order.
    const std::vector<IdDigest> repeated = std::move(out.repeated);
    out = DetectionPass::Output{};
    return DetectionPass(options, inputs, &repeated, temp_dir, progress, counts).run(threads);
}

} // namespace avf::pipeline
