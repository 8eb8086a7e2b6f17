// Where the compliance run keeps its findings until they are merged into output order: each
// evaluating thread adds to its own FindingSpool, which sorts and spills a run to an anonymous
// temporary file whenever its memory budget is reached; at the end the sealed spools' spilled
// runs and in-memory remainders are merged (finding_merge.hpp).
//
// A finding is encoded (append_sequenced's record) the moment it is added: the spool holds one
// byte buffer and a small sort key per finding, not Finding objects of strings, so adding costs
// no allocation, sorting moves 72-byte keys of numbers and spilling copies bytes (docs/benchmarks.md,
// "The finding spool as bytes").
//
// Output order is (rule, target, time, id) and, for equal keys, the input position of the
// finding's detection (Sequenced): so the order never depends on threads, blocks or budgets.
//
//   FindingSpool spool(temp_dir, /*budget=*/64 << 20);
//   spool.add(Sequenced{detection_position, k, std::move(finding)});   // may spill a sorted run
//   spool.seal();                                                       // sorts what is in memory
//   spool.runs(); spool.memory_record(i);                               // what FindingMerge reads
#pragma once

#include "core/records.hpp"
#include "core/spill/byte_codec.hpp"
#include "core/spill/spill_file.hpp"
#include "fusion/finding_builder.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <tuple>
#include <unordered_map>
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
        if (const auto c = fusion::order_key(a.finding) <=> fusion::order_key(b.finding); std::is_neq(c)) return std::is_lt(c);
        return std::tie(a.detection, a.k) < std::tie(b.detection, b.k);
    }
};

/// A spilled finding: one length-framed record (what read_sequenced reads back). `w` is scratch.
void append_sequenced(spill::SpillFile& file, spill::ByteWriter& w, const Sequenced& s);
/// The record of append_sequenced, unframed, appended to `w`.
void encode_sequenced(spill::ByteWriter& w, std::uint64_t detection, std::uint32_t k, const Finding& f);
/// Decodes one record written by append_sequenced into `out` (whose strings keep their memory).
void read_sequenced(std::string_view record, Sequenced& out);

class FindingSpool {
public:
    /// A sorted run of findings spilled to a file: [offset, offset + length).
    struct Run {
        const spill::SpillFile* file;
        std::uint64_t offset, length;
    };

    /// Spills a sorted run whenever the findings in memory reach `budget` bytes (spooled_bytes).
    FindingSpool(std::string dir, std::size_t budget) : m_dir(std::move(dir)), m_budget(budget) {}

    void add(const Sequenced& s) { add(s.detection, s.k, s.finding); }
    void add(std::uint64_t detection, std::uint32_t k, const Finding& f);
    /// Sorts what is in memory and flushes the spill file (call once, at the end).
    void seal();
    /// Findings held in memory (not spilled).
    std::size_t in_memory() const { return m_keys.size(); }
    /// The i-th finding in memory as append_sequenced's record (after seal: in output order).
    std::string_view memory_record(std::size_t i) const { return record(m_keys[i]); }
    const std::vector<Run>& runs() const { return m_runs; }

    /// What one finding costs in a spool's budget: its record and its sort key.
    static std::size_t spooled_bytes(const Sequenced& s);

private:
    // Where a finding's record is in m_bytes, and its output order as numbers: the rule and the
    // target as codes into m_names (ranked by name when sorting), the id's first 16 bytes as two
    // big-endian integers. The sort compares the id's whole text only when those are equal.
    struct Key {
        std::uint64_t offset = 0;           // the record
        std::uint32_t length = 0;           //
        std::uint32_t id = 0, id_n = 0;     // offset in the record and length of the id
        std::uint32_t rule = 0, target = 0; // codes into m_names
        std::int64_t from = 0;              // span.from (ms)
        std::uint64_t id_prefix[2] = {0, 0};
        std::uint64_t detection = 0;
        std::uint32_t k = 0;
    };
    std::string_view record(const Key& k) const { return std::string_view(m_bytes.bytes()).substr(k.offset, k.length); }
    void sort();
    void spill();
    std::uint32_t name_code(std::string_view name, std::uint32_t& last);

    std::string m_dir;
    std::size_t m_budget;
    spill::ByteWriter m_bytes; // the records of the findings in memory, back to back
    std::vector<Key> m_keys;
    std::deque<std::string> m_names;                                  // rule and target ids seen, in order of first use
    std::unordered_map<std::string_view, std::uint32_t> m_name_codes; // into m_names
    std::uint32_t m_last_rule = 0, m_last_target = 0;                 // codes of the previous finding's rule and target
    std::size_t m_used = 0;                                           // budget used: records and keys
    std::unique_ptr<spill::SpillFile> m_file;
    std::vector<Run> m_runs;
};

} // namespace avf::pipeline
