// The compliance run: detections × regime × zone set → findings with evidence, stored as one
// committed run. Streaming, with memory bounded by the blocks in flight, not by the input size:
//
//   read (serial)  ─► parse (parallel) ─► admit (serial, in order) ─► evaluate (parallel)
//   CSV blocks of      parse_detection_     problems merged in input    locate + every rule, into
//   whole records      block; id digests    order (--strict stops at    per-thread aggregates and
//   (or OGR batches)                        the first), duplicate ids,  per-thread finding spools
//                                           the period, counts
//
// then, once: aggregates combined and finalized; findings merged from the sorted spools (k-way,
// by rule, target, time, id) and handed through a bounded queue to one writer thread that appends
// them to the store; problems follow in input order; the run is committed. Findings, problems and
// counted evidence spill to anonymous temporary files past their memory budgets.
//
// Duplicate ids are judged in input order. With --strict, by ingest::DuplicateIdFilter at once
// (43-85 bytes per id in memory). Otherwise without holding the ids: each good record's 128-bit
// id digest is spilled (16 bytes, partitioned) and checked at the end; only if a repeated digest
// is found — i.e. the input really has duplicate ids — is the run evaluated a second time, with
// DuplicateIdFilter applied to the repeated ids only, so the problems and findings are exactly
// those of the one-pass filter.
//
// Imagery, tracks and routes (--imagery/--tracks/--routes) are read before the detections; the
// rules about them (sensor_limit, route, coverage) are evaluated once after the detection pass and
// their findings merged into the same order; a detection whose source_record names an image gets
// that image as evidence; images, flights and coverage are stored with the run (schema 2).
//
// Every input kind is optional, as long as there is one (detections, imagery, tracks, routes or
// declarations); the zone set too, when the regime refers to no zone or line (load_zone_set): the
// run then records an empty zone set name, and creates the store when it does not exist.
//
// Output is identical for any thread count and block or batch size: every finding carries the
// input position of its detection, and ties in the output order are broken by it.
//
//   avf::pipeline::RunOptions opt;
//   opt.regime_path = "regime.toml"; opt.store_path = "avf.h5"; opt.detections = {"d.csv"};
//   avf::pipeline::ComplianceRun run(opt);   // checks options; no I/O
//   avf::pipeline::RunResult r = run.run();  // reads, evaluates, writes /runs/<id>
#pragma once

#include "core/problem.hpp"
#include "core/records.hpp"
#include "storage/store.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace avf::fusion {
class Evaluator;
class ZoneSetView;
struct Regime;
struct SpillOptions;
} // namespace avf::fusion

namespace avf::pipeline {

struct Progress {
    std::uint64_t bytes_read = 0, bytes_total = 0;
    std::uint64_t records = 0;
    double seconds = 0.0;
    std::string_view phase = "reading"; ///< reading | checking ids | writing
    std::uint64_t findings_written = 0; ///< while writing
    std::uint64_t findings_total = 0;   ///< while writing
};

struct RunOptions {
    std::string regime_path;
    std::string store_path;
    std::string zone_set;                      ///< "" = the newest zone set in the store
    std::vector<std::string> detections;       ///< may be empty when imagery, tracks, routes or declarations are given
    std::vector<std::string> imagery;          ///< image metadata: STAC Items / ItemCollections / lines, CSV, OGR polygons (docs/imagery-format.md)
    std::vector<std::string> tracks;           ///< flight tracks: CSV, OGR points or legs
    std::vector<std::string> routes;           ///< planned routes: OGR lines
    std::vector<std::string> declarations;     ///< declarations files (CSV, JSON, any OGR); read whole before the detection pass
    std::optional<UtcTime> from, to;           ///< period [from, to); detections outside are counted, not evaluated
    int threads = 0;                           ///< 0 = every core
    std::size_t batch_size = 16'384;           ///< detections per batch of an OGR source (any value gives the same findings)
    std::size_t block_bytes = std::size_t{4} << 20; ///< CSV bytes read per block (default 4 MiB; any value gives the same findings)
    bool strict = false;                       ///< stop at the first rejected record
    bool dry_run = false;                      ///< evaluate but write nothing to the store
    std::string temp_dir;                      ///< spill files ("" = $TMPDIR, else /tmp); removed even after a crash
    std::size_t spill_bytes = std::size_t{64} << 20; ///< findings / problems / evidence kept in memory per thread before spilling (default 64 MiB)
    std::size_t merge_fan_in = 1024;           ///< spilled runs of findings merged at once; more are first merged in passes, so the merge reads ahead at most max(spill_bytes, merge_fan_in × 64 KiB) whatever the input size (any value ≥ 2 gives the same findings)
    std::size_t keep_findings = 1000;          ///< findings copied into RunResult::findings (the first ones in output order)
    std::size_t keep_problems = 1000;          ///< problems copied into RunResult::problems (the first ones)
    std::function<void(const Progress&)> progress; ///< called from the reading stage and while writing; may be empty
};

struct InputCounts {
    std::string path;
    std::string sha256;
    std::uint64_t size = 0;
    std::uint64_t read = 0, rejected = 0, outside_period = 0, evaluated = 0;
};

struct RunResult {
    std::string run_id;                        ///< "" on a dry run
    std::string zone_set;
    std::string regime_id;
    UtcTime started, finished;
    std::vector<InputCounts> inputs;           ///< detections files
    std::vector<InputCounts> declaration_inputs; ///< declarations files (evaluated = declarations kept)
    std::uint64_t finding_count = 0;           ///< findings of the run (all stored)
    std::uint64_t problem_count = 0;           ///< problems of the run (all stored)
    /// The first RunOptions::keep_findings findings in output order (rule, target, time, id), plus
    /// the first finding of every rule further on; all of them when there are fewer.
    std::vector<Finding> findings;
    std::vector<Problem> problems;             ///< the first RunOptions::keep_problems problems, in input order
    std::vector<storage::SummaryRow> summary;  ///< every finding counted per rule, kind and certainty
    /// The observation side (empty without --imagery/--tracks/--routes): files with counts, and
    /// what the sensor_limit, route and coverage rules saw.
    std::vector<storage::InputFile> imagery_inputs;
    std::uint64_t images = 0, flights = 0;
    std::vector<CoverageRecord> coverage;      ///< per coverage rule, zone and period (sorted)
    /// Observation-side rules (sensor_limit, route, coverage) not evaluated because the run was
    /// given no imagery, tracks or routes.
    std::vector<std::string> observation_rules_skipped;
    /// Rules that judge detections (all but the observation side's) when the run was given no
    /// detections: they saw none, so whatever they found comes from declarations alone.
    std::vector<std::string> rules_without_detections;
};

class ComplianceRun {
public:
    /// Checks the options without touching a file; throws UsageError.
    explicit ComplianceRun(RunOptions options);
    RunResult run();

private:
    RunOptions m_options;
};

/// The zone set a run or `regime check` binds to: `name` when given (InputError when the store
/// has no such set; IoError when there is no store), else the newest set of the store, else — the
/// store has no zone set, or does not exist yet — an empty set named "" (enough for a regime that
/// refers to no zone or line; the run records the empty name).
storage::ZoneSet load_zone_set(const std::string& store_path, const std::string& name);

/// Binds the regime's rules to the zone set (fusion::Evaluator: InputError with the regime's
/// file:line for a reference that does not resolve). With no zone set (`zone_set` == ""), such a
/// reference also says that the store has none and how to import one (IoError when the store
/// does not exist).
std::unique_ptr<fusion::Evaluator> bind_regime(fusion::Regime& regime, const fusion::ZoneSetView& view, const std::string& zone_set,
                                               const std::string& store_path, const fusion::SpillOptions& spill);

/// Findings counted per rule, kind and certainty, in rule order.
std::vector<storage::SummaryRow> summarize(const std::vector<Finding>& findings);

} // namespace avf::pipeline
