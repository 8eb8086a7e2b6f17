// The duplicate-id check of a compliance run, in input order, without holding every id.
//
// With --strict, ingest::DuplicateIdFilter judges every id at once (43-85 bytes per id). Otherwise
// a first pass only spills each admitted record's 128-bit id digest (16 bytes, partitioned by its
// top byte: DigestSpool) and asks at the end which digests were seen more than once. Only when
// some were — the input really repeats ids — is the run evaluated again, with DuplicateIdFilter
// applied to those ids only, so the problems and findings are exactly the one-pass filter's.
//
//   DuplicateIdCheck first(/*strict=*/false, /*repeated=*/nullptr, temp_dir);
//   for (auto& d : detections_in_input_order) first.admit(d, digest_of(d.id), problems);   // always true
//   std::vector<IdDigest> repeated = first.repeated();                                   // sorted
//   DuplicateIdCheck second(false, &repeated, temp_dir);
//   second.admit(d, digest_of(d.id), problems);   // false (and a duplicate_id problem) for a repeat
#pragma once

#include "core/problem.hpp"
#include "core/records.hpp"
#include "core/spill/spill_file.hpp"
#include "ingest/detection_reader.hpp"

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace avf::pipeline {

struct IdDigest {
    std::uint64_t lo = 0, hi = 0;
    auto operator<=>(const IdDigest&) const = default; // NOLINT(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
};

/// SipHash-2-4 (128 bits) of the id with a fixed key: the same ids give the same digests on every run.
IdDigest digest_of(const DetectionId& id);

/// Every added digest, partitioned by its top byte into blocks of one spill file, so that the
/// check at the end sorts one partition (1/256 of the digests) at a time, in parallel.
class DigestSpool {
public:
    static constexpr std::size_t partitions = 256;

    /// Spills a partition's digests `block` at a time (default 4096 digests: 64 KiB).
    explicit DigestSpool(std::string dir, std::size_t block = 4096) : m_dir(std::move(dir)), m_block(block) {}

    void add(const IdDigest& d) {
        const auto p = static_cast<std::size_t>(d.hi >> 56);
        auto& buf = m_buffers[p];
        buf.push_back(d);
        if (buf.size() == m_block) spill(p);
    }

    /// The digests seen more than once, sorted, each once.
    std::vector<IdDigest> repeated();
    /// Every digest, sorted, each once (a distributed run's cross-rank check, docs/mpi.md).
    std::vector<IdDigest> distinct();
    /// Blocks spilled so far.
    std::size_t spilled_blocks() const;

private:
    void spill(std::size_t p);
    std::vector<IdDigest> scan(bool every); // every digest once, or the repeated ones

    std::string m_dir;
    std::size_t m_block;
    std::unique_ptr<spill::SpillFile> m_file;
    std::array<std::vector<IdDigest>, partitions> m_buffers;
    std::array<std::vector<std::pair<std::uint64_t, std::size_t>>, partitions> m_blocks; // offset, digests
};

/// One pass's duplicate-id check, called in input order (the serial admitting stage).
class DuplicateIdCheck {
public:
    /// `strict`: every id through DuplicateIdFilter. Else with `repeated` (sorted; from a first
    /// pass's repeated()): only those ids. Else (a first pass): every digest spilled, nothing judged.
    DuplicateIdCheck(bool strict, const std::vector<IdDigest>* repeated, std::string temp_dir);

    /// Whether admit() needs the records' digests (not with --strict).
    bool needs_digests() const { return !m_strict; }
    /// A first pass: every digest is spilled, and repeated() tells whether a second pass is needed.
    bool collects_digests() const { return !m_strict && !m_repeated; }
    /// False for a record whose id came before (reported to `problems` as duplicate_id, rejected).
    bool admit(const Detection& d, const IdDigest& digest, ProblemSink& problems);
    /// A first pass's repeated digests (sorted; empty when no id repeats). Empty for the other modes.
    std::vector<IdDigest> repeated();
    /// A first pass's digests, sorted, each once. Empty for the other modes.
    std::vector<IdDigest> distinct();

private:
    bool m_strict;
    const std::vector<IdDigest>* m_repeated;
    ingest::DuplicateIdFilter m_filter;
    DigestSpool m_digests;
};

} // namespace avf::pipeline
