// Repeated detection ids, judged in input order across a whole run: DuplicateIdFilter keeps a
// 128-bit SipHash-2-4 digest of every id seen (never the id itself) with the position of its first
// occurrence, and turns a repeat into a `duplicate_id` problem naming that position. It runs in the
// pipeline's serial, in-order stage, after the (parallel) parsing of the records.
//
//   avf::ingest::DuplicateIdFilter ids;
//   for (const avf::Detection& d : batch)                  // in input order
//       if (ids.check_unique(d, problems)) use(d);         // a repeat: problem, and false
//   auto digest = avf::ingest::siphash_2_4_128("D-1", key); // the hash alone (16 bytes)
#pragma once

#include "core/problem.hpp"
#include "core/records.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace avf::ingest {

/// Rejects repeated detection ids, in input order (ids are judged across the whole input, so this
/// runs in the pipeline's serial, in-order stage; it is not thread-safe).
///
/// Memory is modest and independent of the id length: the id itself is not kept. Each distinct
/// id costs one 32-byte slot — a 128-bit SipHash-2-4 digest of the id, plus the position of its
/// first occurrence (a small index naming the file and layer, and the line number or feature id)
/// — in an open-addressing table kept between 3/8 and 3/4 full: 43 to 85 bytes per id. Two
/// different ids are taken for the same only on a 128-bit digest collision: for 10^9 ids the
/// odds are below 10^-20.
class DuplicateIdFilter {
public:
    DuplicateIdFilter();

    /// True the first time `id` is seen (it is then remembered without a position).
    bool first_time(const DetectionId& id);
    /// Same, remembering `where` as the first occurrence.
    bool first_time(const DetectionId& id, const SourceRef& where);

    /// True for the first record with its id. For a repeat, reports `duplicate_id` (rejected) for
    /// `d`, naming the line (or feature) of the first occurrence, and returns false.
    bool check_unique(const Detection& d, ProblemSink& problems);

    /// Distinct ids seen.
    std::size_t size() const { return m_size; }
    /// Bytes held by the table (what the header comment promises).
    std::size_t memory_bytes() const;

private:
    struct Slot {
        std::uint64_t digest_lo = 0;
        std::uint64_t digest_hi = 0;
        std::int64_t position = 0; // line number or feature id of the first occurrence
        std::uint32_t source = 0;  // 0 = empty slot, 1 = position unknown, k + 2 = m_sources[k]
        std::uint32_t unused = 0;
    };
    struct Found {
        Slot* slot;
        bool inserted;
    };
    Found insert(std::string_view id);
    void grow();
    std::uint32_t source_index(const SourceRef& where);

    std::vector<Slot> m_slots;
    std::size_t m_size = 0;
    std::vector<std::pair<std::string, std::string>> m_sources; // (file, layer) of first occurrences
};

/// SipHash-2-4 with a 128-bit output (Aumasson & Bernstein), as the reference implementation
/// defines it: bytes 0-7 of the output are the first word, little-endian. Exposed for its
/// known-answer test; DuplicateIdFilter uses it with a fixed key (so runs are reproducible).
std::array<std::uint8_t, 16> siphash_2_4_128(std::string_view data, const std::array<std::uint8_t, 16>& key);

} // namespace avf::ingest
