// Internal to storage/: SHA-256 of a dataset's canonical bytes, whole and per block, as recorded in
// commit records and recomputed by StoreReader::verify().
//
//   ContentDigest d(row_size, table_block_rows);
//   d.update(rows.data(), n_rows);          // in storage order, any batch sizes
//   DigestResult r = d.finish();            // r.units == rows, r.sha256, r.blocks[i] = rows [first, first+count)
//
// The canonical bytes of a table are its rows exactly as stored (packed little-endian compound,
// strings zero-filled), so `hashlib.sha256(h5py.File(f)[table][...].tobytes())` reproduces the
// digest; those of a byte heap are its bytes (docs/store-format.md, "Commit records").
#pragma once

#include "core/sha256.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace avf::storage {

/// Rows per block digest of a table, and bytes per block digest of a byte heap. Part of the
/// schema-1 definition: changing them changes what commit_blocks means.
inline constexpr std::uint64_t table_block_rows = 4096;
inline constexpr std::uint64_t heap_block_bytes = 65536;

struct BlockDigest {
    std::uint64_t first = 0; ///< first row (tables) or byte (heaps) of the block
    std::uint64_t count = 0; ///< rows or bytes in the block
    std::string sha256;      ///< hex
};

struct DigestResult {
    std::uint64_t units = 0; ///< rows (tables), bytes (heaps, texts) or attributes
    std::string sha256;      ///< hex digest of all canonical bytes
    std::vector<BlockDigest> blocks;
};

class ContentDigest {
public:
    /// `unit_size`: bytes per unit (the row size, or 1 for byte heaps); `block_units`: units per
    /// block digest (0 = no block digests).
    ContentDigest(std::size_t unit_size, std::uint64_t block_units);
    void update(const std::uint8_t* data, std::uint64_t units);
    DigestResult finish();

private:
    std::size_t m_unit_size;
    std::uint64_t m_block_units;
    Sha256 m_total;
    Sha256 m_block;
    std::uint64_t m_units = 0;
    std::uint64_t m_in_block = 0;
    std::vector<BlockDigest> m_blocks;
};

/// The "attributes" entry of a commit record: SHA-256 over Sha256::field(name), Sha256::field(value)
/// for each attribute in order (a field is its byte length as 8-byte little-endian, then the
/// bytes); units = number of attributes.
DigestResult attribute_digest(const std::vector<std::pair<std::string, std::string>>& attributes);
/// A text kept verbatim (regime_text): SHA-256 of its bytes; units = bytes.
DigestResult text_digest(std::string_view text);

/// The digest of a run or zone set: SHA-256 of the lines "<table> <rows> <sha256>\n" of its commit
/// record, in order.
struct CommitEntry {
    std::string table;
    std::uint64_t rows = 0;
    std::string sha256;
};
std::string commit_digest(const std::vector<CommitEntry>& entries);

/// The results digest of a run: commit_digest() over its commit entries without `attributes` (run
/// id, times, options, status) and `commit_blocks` (derived from the others). Two runs over the
/// same inputs and regime have the same results digest, whatever their ids, times or thread
/// counts; it is derived, never stored (docs/store-format.md §5).
std::string results_digest(const std::vector<CommitEntry>& entries);

/// One audit-chain row's digest: SHA-256 of previous_digest ‖ key ‖ content_digest, all as UTF-8
/// text (the two digests are 64 hex characters, so the concatenation is unambiguous).
std::string chain_digest(const std::string& previous_digest, const std::string& key, const std::string& content_digest);
/// The `key` of a chain row: the run id for a run (as schemas 1 and 2 hashed it), "zone_set/" +
/// the name for a zone set. A run id never holds '/', so no run row and zone-set row share a key.
std::string chain_key(std::string_view kind, std::string_view name);

/// previous_digest of the first chain row.
inline const std::string genesis_digest(64, '0');

} // namespace avf::storage
