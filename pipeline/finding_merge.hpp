// The findings of a compliance run in output order: every sealed FindingSpool's spilled runs and
// in-memory remainder, merged k-way (core/spill/kway_merge.hpp) by SequencedBefore.
//
// Each spilled run is read ahead a piece at a time, the pieces of one merge sharing the spill
// budget (64 KiB to 1 MiB a run). More than `fan_in` runs are first merged `fan_in` at a time
// into longer runs, pass after pass, so the merge reads ahead at most
// max(spill_bytes, fan_in × 64 KiB) whatever the input size. The order is total, so neither the
// grouping nor the fan-in changes the output.
//
//   std::vector<FindingSpool*> spools = ...;            // every thread's, and the whole-run findings'
//   FindingMerge merge(spools, {temp_dir, spill_bytes, /*fan_in=*/1024});   // seals the spools
//   for (Finding f; merge.next(f);) writer.add(f);
//   while (merge.visit([&](const Finding& f) { writer.encode_finding(f); })) ...;   // without a copy
//
// The spools must outlive the merge (it reads their files and their memory).
#pragma once

#include "core/records.hpp"
#include "core/spill/kway_merge.hpp"
#include "core/spill/spill_file.hpp"
#include "pipeline/finding_spool.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace avf::pipeline {

struct MergeOptions {
    std::string temp_dir;                            ///< where the longer runs of a multi-pass merge go
    std::size_t spill_bytes = std::size_t{64} << 20; ///< read-ahead shared by the runs of one merge (64 KiB to 1 MiB a run)
    std::size_t fan_in = 1024;                       ///< runs merged at once (at least 2)
};

class FindingMerge {
public:
    /// Seals every spool, merges their spilled runs in passes while there are more than fan_in,
    /// and opens the final merge of the runs left and every spool's memory.
    FindingMerge(const std::vector<FindingSpool*>& spools, const MergeOptions& options);

    /// The next finding in output order; false at the end.
    bool next(Finding& out) {
        return m_merge.pop([&](Sequenced& v) { out = std::move(v.finding); });
    }
    /// The next finding with its sequence.
    bool next(Sequenced& out) { return m_merge.next(out); }
    /// Hands the next finding to `use` where it lies (no copy; valid during the call); false at the end.
    template <typename Use> bool visit(Use&& use) {
        return m_merge.pop([&](const Sequenced& v) { use(v.finding); });
    }
    /// visit(use), and hands `ahead` each finding as it comes to the head of its stream, before
    /// it is used: on average after as many findings as there are streams.
    template <typename Use, typename Ahead> bool visit(Use&& use, Ahead&& ahead) {
        return m_merge.pop([&](const Sequenced& v) { use(v.finding); }, [&](const Sequenced& v) { ahead(v.finding); });
    }

    /// Passes merged before the final merge (0 when the spilled runs were at most fan_in).
    std::size_t passes() const { return m_passes; }
    /// Spilled runs the final merge reads.
    std::size_t final_runs() const { return m_final_runs; }

private:
    std::unique_ptr<spill::SpillFile> m_merged; // the longer runs of the last pass (read by m_merge: declared first)
    spill::KWayMerge<Sequenced, SequencedBefore> m_merge;
    std::size_t m_passes = 0, m_final_runs = 0;
};

} // namespace avf::pipeline
