// The detection side of a compliance run: one streaming pass over every detections file, with
// memory bounded by the blocks in flight, not by the input size (oneTBB parallel_pipeline):
//
//   read (serial)  ─► parse (parallel) ─► admit (serial, in order) ─► evaluate (parallel)
//   CSV blocks of      parse_detection_     problems merged in input    locate + every rule, into
//   whole records      block; id digests    order (--strict stops at    per-thread aggregates and
//   (or OGR batches)                        the first), duplicate ids,  per-thread finding spools
//                                           the period, counts
//
// Each admitted detection gets its input position, which sequences its findings (Sequenced), so
// the output never depends on the thread count or the block or batch size. Duplicate ids are
// judged by DuplicateIdCheck (id_digests.hpp): evaluate_detections runs a second pass only when
// the first found repeated ids.
//
//   std::vector<InputCounts> counts = ...;        // one per detections file: path and size
//   DetectionPass::Output out = evaluate_detections(options, inputs, temp_dir, threads, progress, counts);
//   out.workers;    // each thread's aggregates (fusion::Partial) and findings (FindingSpool)
//   out.problems;   // the declarations' problems, then the detections', in input order
#pragma once

#include "core/problem.hpp"
#include "fusion/evaluator.hpp"
#include "ingest/detection_reader.hpp"
#include "pipeline/finding_spool.hpp"
#include "pipeline/id_digests.hpp"
#include "pipeline/problem_spool.hpp"
#include "pipeline/run_inputs.hpp"
#include "pipeline/run_options.hpp"
#include "pipeline/run_progress.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace avf::pipeline {

/// One process's share of a streamed input in a distributed run (docs/mpi.md, distributed.hpp):
/// the whole file, none of it, or the bytes [begin, end) of a CSV file from line `first_line`.
struct InputShare {
    bool read = true;                 ///< false: another rank reads this file
    bool whole = true;                ///< else only [begin, end)
    bool first = true;                ///< the share holding the file's first record: it reports the header's notes
    std::uint64_t begin = 0, end = 0; ///< byte offsets (begin: a record boundary past the header)
    std::uint64_t first_line = 1;     ///< line number at `begin`
};

class DetectionPass {
public:
    /// One evaluating thread's aggregates and findings.
    struct Worker {
        fusion::Partial partial;
        FindingSpool spool;
    };
    /// What a pass leaves for the rest of the run.
    struct Output {
        std::vector<std::unique_ptr<Worker>> workers;
        std::unique_ptr<ProblemSpool> problems; ///< the declarations' problems, then the detections', in input order
        std::vector<IdDigest> repeated;         ///< a first pass without --strict: the ids seen more than once (sorted)
        std::vector<IdDigest> distinct;         ///< with shares, a first pass: every id's digest once (sorted)
        bool share_broken = false;              ///< with shares: a CSV share ended inside a record (CsvBlockReader)
    };

    /// Opens every detections file, then every reports file (IoError / InputError for one that
    /// cannot be read). `repeated`: see DuplicateIdCheck. `counts` (one per detections file, then
    /// one per reports file) are reset, then counted by the pass.
    /// `shares` (one per detections file, then one per reports file; nullptr: every file whole):
    /// what of each file this process reads (a distributed run, docs/mpi.md).
    DetectionPass(const RunOptions& options, const RunInputs& inputs, const std::vector<IdDigest>* repeated, const std::string& temp_dir,
                  const RunProgress& progress, std::vector<InputCounts>& counts, const std::vector<InputShare>* shares = nullptr);
    ~DetectionPass();
    DetectionPass(const DetectionPass&) = delete;
    DetectionPass& operator=(const DetectionPass&) = delete;

    /// Runs the pass with `threads` threads (call once).
    Output run(int threads);

private:
    struct Source; // one detections file: CSV blocks or OGR batches
    struct Chunk;  // one block or batch flowing through the pipeline

    std::shared_ptr<Chunk> read(); // nullptr after the last file
    std::shared_ptr<Chunk> take_chunk();
    void recycle(Chunk* chunk) noexcept;
    void parse(Chunk& chunk) const;
    void admit(Chunk& chunk);
    void evaluate(Chunk& chunk, Worker& worker) const;

    const RunOptions& m_options;
    const RunInputs& m_inputs;
    std::string m_temp_dir;
    const RunProgress& m_progress;
    std::vector<InputCounts>& m_counts;
    const std::vector<InputShare>* m_shares = nullptr;
    ingest::DetectionParseOptions m_parse_options;
    std::unique_ptr<ProblemSpool> m_problems;
    std::vector<Source> m_sources;
    DuplicateIdCheck m_ids;
    CollectingProblemSink m_strict_sink{true};              // --strict: throws at the first rejected record, in input order
    std::size_t m_current = 0;                              // the file being read
    bool m_share_broken = false;                            // see Output::share_broken
    std::uint64_t m_admitted = 0;                           // detections admitted so far: the next one's input position
    std::uint64_t m_records_before = 0, m_bytes_before = 0; // of the files already read
    std::mutex m_pool_mutex;                                // guards m_pool
    std::vector<std::unique_ptr<Chunk>> m_pool;             // chunks done with, kept for their memory (take_chunk)
};

/// The detection side of the run: a pass, and — when the input repeats ids — a second pass that
/// judges those ids in input order (the first pass's output is dropped).
DetectionPass::Output evaluate_detections(const RunOptions& options, const RunInputs& inputs, const std::string& temp_dir, int threads,
                                          const RunProgress& progress, std::vector<InputCounts>& counts);

} // namespace avf::pipeline
