// What a compliance run is asked to do and what it reports: the options (each with its default),
// the progress it reports while running, the counts per input file and the result. Types only —
// this header includes nothing else of pipeline/, so every stage of the run can include it.
//
//   avf::pipeline::RunOptions opt;
//   opt.regime_path = "regime.toml"; opt.store_path = "avf.h5"; opt.detections = {"d.csv"};
//   opt.progress = [](const avf::pipeline::Progress& p) { std::cerr << p.phase << ' ' << p.records << '\n'; };
//   avf::pipeline::RunResult r = avf::pipeline::ComplianceRun(opt).run();   // compliance_run.hpp
//   r.finding_count; r.summary; r.inputs[0].rejected;
#pragma once

#include "core/problem.hpp"
#include "core/records.hpp"
#include "storage/signing.hpp"
#include "storage/store.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
    std::string zone_set;                  ///< "" = the newest zone set in the store
    std::vector<std::string> detections;   ///< may be empty when imagery, tracks, routes or declarations are given
    std::vector<std::string> imagery;      ///< image metadata: STAC Items / ItemCollections / lines, CSV, OGR polygons (docs/imagery-format.md)
    std::vector<std::string> tracks;       ///< flight tracks: CSV, OGR points or legs
    std::vector<std::string> routes;       ///< planned routes: OGR lines
    std::vector<std::string> declarations; ///< declarations files (CSV, JSON, any OGR); read whole before the detection pass
    std::vector<std::string> reports;      ///< monitoring-mission sighting reports (CSV, JSON): detections with source monitor_report
    std::string gazetteer;                 ///< the places the reports name (any OGR point layer, CSV with lon/lat); required with `reports`
    std::string gazetteer_layer;           ///< the gazetteer's layer ("" = its only layer, or its only point layer)
    std::optional<UtcTime> from, to;       ///< period [from, to); detections outside are counted, not evaluated
    int threads = 0;                       ///< 0 = every core
    std::size_t batch_size = 16'384;       ///< detections per batch of an OGR source (any value gives the same findings)
    std::size_t block_bytes = std::size_t{4} << 20;  ///< CSV bytes read per block (default 4 MiB; any value gives the same findings)
    bool strict = false;                             ///< stop at the first rejected record
    bool dry_run = false;                            ///< evaluate but write nothing to the store
    std::string temp_dir;                            ///< spill files ("" = $TMPDIR, else /tmp); removed even after a crash
    std::size_t spill_bytes = std::size_t{64} << 20; ///< findings / problems / evidence kept in memory per thread before spilling (default 64 MiB)
    std::size_t merge_fan_in = 1024;  ///< spilled runs of findings merged at once; more are first merged in passes, so the merge reads ahead at most
                                      ///< max(spill_bytes, merge_fan_in × 64 KiB) whatever the input size (any value ≥ 2 gives the same findings)
    std::size_t keep_findings = 1000; ///< findings copied into RunResult::findings (the first ones in output order)
    std::size_t keep_problems = 1000; ///< problems copied into RunResult::problems (the first ones)
    std::function<void(const Progress&)> progress; ///< called from the reading stage and while writing; may be empty
    /// Signs the run's audit-chain row in the transaction that commits it (nullptr: unsigned), so
    /// a signed run is published with its signature or not at all. Not owned.
    const storage::SigningKey* sign_key = nullptr;
};

struct InputCounts {
    std::string path;
    std::string sha256;
    std::uint64_t size = 0;
    std::uint64_t read = 0, rejected = 0, outside_period = 0, evaluated = 0;
    std::string role = "detections"; ///< detections | reports (read = sightings, evaluated = detections) | gazetteer | declarations
};

struct RunResult {
    std::string run_id; ///< "" on a dry run
    std::string zone_set;
    std::string regime_id;
    UtcTime started, finished;
    std::vector<InputCounts> inputs;             ///< detections files, then reports files (role "reports")
    std::vector<InputCounts> declaration_inputs; ///< declarations files (evaluated = declarations kept)
    std::vector<InputCounts> gazetteer_inputs;   ///< the --gazetteer file, when given (read = places, evaluated = places kept)
    std::uint64_t finding_count = 0;             ///< findings of the run (all stored)
    std::uint64_t problem_count = 0;             ///< problems of the run (all stored)
    /// The first RunOptions::keep_findings findings in output order (rule, target, time, id), plus
    /// the first finding of every rule further on; all of them when there are fewer.
    std::vector<Finding> findings;
    std::vector<Problem> problems;            ///< the first RunOptions::keep_problems problems, in input order
    std::vector<storage::SummaryRow> summary; ///< every finding counted per rule, kind and certainty
    /// The imagery side (empty without --imagery/--tracks/--routes): files with counts, and
    /// what the sensor_limit, route and coverage rules saw.
    std::vector<storage::InputFile> imagery_inputs;
    std::uint64_t images = 0, flights = 0;
    std::vector<CoverageRecord> coverage; ///< per coverage rule, zone and period (sorted)
    /// Imagery-side rules (sensor_limit, route, coverage) not evaluated because the run was
    /// given no imagery, tracks or routes.
    std::vector<std::string> imagery_rules_skipped;
    /// Rules that judge detections (all but the imagery side's) when the run was given no
    /// detections: they saw none, so whatever they found comes from declarations alone.
    std::vector<std::string> rules_without_detections;
};

} // namespace avf::pipeline
