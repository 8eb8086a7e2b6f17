// Base of rules that count items in an area per time window and compare with a ceiling
// (`ceiling`, and `band` with max_count). Per-thread CountState, combined in input order,
// finalized once: a window whose count exceeds the limit becomes one finding citing every
// detection counted.
//
// Memory is bounded: a cell (target, party, window) keeps only its two sums. The evidence of each
// counted detection (id, file, line, time, position, confidence: ~60 bytes) is appended to a
// buffer that spills to an anonymous temporary file (core/spill/spill_file.hpp) past
// SpillOptions::memory_bytes; at the end it is read back once, sequentially, and kept only for
// the cells that exceed their limit — so every reported finding still cites every detection it
// counted, while a run over 10^8 detections holds its cells, not its detections. (The evidence of
// the findings themselves is, of course, in memory while they are written.)
//
// Counting semantics (docs/regime-format.md): detections are taken as distinct sightings, so
// the count in a window is the sum of their counts. `window = "P1D"` sums per UTC day (aligned
// to the epoch); `aggregation = "instant"` sums only detections sharing the same time, i.e. a
// snapshot. Items whose uncertainty disk lies wholly inside count as certain; those whose disk
// straddles the boundary as possible. A window is a certain violation when the certain count
// exceeds the limit, possible when only certain + possible does. Exactly at the limit complies.
// Sums (and waiver allowances) are CountSums (fusion/count_sum.hpp): beyond 64 bits they
// saturate and the explanation says so; they never wrap back under a ceiling.
#pragma once

#include "fusion/rule.hpp"

#include <string>

namespace avf::fusion {

/// Where and when counting rules spill the evidence of counted detections.
struct SpillOptions {
    std::string directory;                           ///< "" = spill::SpillFile::default_directory() ($TMPDIR or /tmp)
    std::size_t memory_bytes = std::size_t{8} << 20; ///< per rule state, before spilling (default 8 MiB)
};

class CountingRule : public Rule {
public:
    /// Applies to states made afterwards (the Evaluator sets it before making any).
    void set_spill_options(const SpillOptions& options) override { m_spill = options; }
    RuleSide side() const override { return RuleSide::detections; }

    std::unique_ptr<RuleState> make_state() const override;
    void combine(RuleState& into, RuleState&& from) const override;
    void finalize(RuleState* state, std::vector<Finding>& out) const override;
    void save_state(RuleState& state, spill::ByteWriter& out) const override;
    void load_state(RuleState& into, spill::ByteReader& in) const override;

protected:
    /// Reads max_count (required unless `optional_limit`), window / aggregation and per_party.
    /// Returns false when max_count is absent (and allowed to be).
    bool read_count_options(TomlReader& r, bool optional_limit);
    /// Adds the detection to the cell of (target, party, window).
    void count(RuleState* state, std::size_t target, const Detection& d, bool certain) const;
    /// Id of a target, and how a finding's sentence names it, as template text ("in {target}").
    virtual std::string target_id(std::size_t target) const = 0;
    virtual std::string target_template() const = 0;

    std::int64_t m_max_count = 0;
    bool m_instant = false;
    Duration m_window{86'400'000};
    bool m_per_party = false;
    SpillOptions m_spill;
};

} // namespace avf::fusion
