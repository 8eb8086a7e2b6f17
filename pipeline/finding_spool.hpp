// Where the compliance run keeps its findings until they are merged into output order: each
// evaluating thread adds to its own FindingSpool, which sorts and spills a run to an anonymous
// temporary file whenever its memory budget is reached; at the end the sealed spools' spilled
// runs and in-memory remainders are merged (finding_merge.hpp).
//
// Output order is (rule, target, time, id) and, for equal keys, the input position of the
// finding's detection (Sequenced): so the order never depends on threads, blocks or budgets.
//
//   FindingSpool spool(temp_dir, /*budget=*/64 << 20);
//   spool.add(Sequenced{detection_position, k, std::move(finding)});   // may spill a sorted run
//   spool.seal();                                                       // sorts what is in memory
//   spool.runs(); spool.memory();                                       // what FindingMerge reads
#pragma once

#include "core/records.hpp"
#include "core/spill/byte_codec.hpp"
#include "core/spill/spill_file.hpp"
#include "fusion/finding_builder.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

namespace avf::pipeline {

/// A finding with the input position of its detection.
struct Sequenced {
    std::uint64_t detection = 0; ///< input position of the detection (whole-run findings: after every detection)
    std::uint32_t k = 0;         ///< the detection's k-th finding
    Finding finding;
};

/// The output order: fusion::finding_order, then the input position. A total order, so that any
/// grouping of the findings into runs and merges gives the same output.
struct SequencedBefore {
    bool operator()(const Sequenced& a, const Sequenced& b) const {
        if (fusion::finding_order(a.finding, b.finding)) return true;
        if (fusion::finding_order(b.finding, a.finding)) return false;
        return std::tie(a.detection, a.k) < std::tie(b.detection, b.k);
    }
};

/// A spilled finding: one length-framed record (what read_sequenced reads back). `w` is scratch.
void append_sequenced(spill::SpillFile& file, spill::ByteWriter& w, const Sequenced& s);
/// Decodes one record written by append_sequenced.
void read_sequenced(std::string_view record, Sequenced& out);

/// What a finding costs in memory, about (for the spill budget).
std::size_t approximate_bytes(const Finding& f);

class FindingSpool {
public:
    /// A sorted run of findings spilled to a file: [offset, offset + length).
    struct Run {
        const spill::SpillFile* file;
        std::uint64_t offset, length;
    };

    /// Spills a sorted run whenever the findings in memory reach `budget` bytes (approximate_bytes).
    FindingSpool(std::string dir, std::size_t budget) : m_dir(std::move(dir)), m_budget(budget) {}

    void add(Sequenced&& s) {
        m_bytes += approximate_bytes(s.finding);
        m_memory.push_back(std::move(s));
        if (m_bytes >= m_budget) spill();
    }
    /// Sorts what is in memory and flushes the spill file (call once, at the end).
    void seal();
    std::vector<Sequenced>& memory() { return m_memory; }
    const std::vector<Run>& runs() const { return m_runs; }

private:
    void spill();

    std::string m_dir;
    std::size_t m_budget;
    std::vector<Sequenced> m_memory;
    std::size_t m_bytes = 0;
    std::unique_ptr<spill::SpillFile> m_file;
    std::vector<Run> m_runs;
};

} // namespace avf::pipeline
