#include "storage/content_digest.hpp"

#include <algorithm>

namespace avf::storage {

ContentDigest::ContentDigest(std::size_t unit_size, std::uint64_t block_units) : m_unit_size(unit_size), m_block_units(block_units) {}

void ContentDigest::update(const std::uint8_t* data, std::uint64_t units) {
    m_total.update(data, units * m_unit_size);
    if (m_block_units == 0) {
        m_units += units;
        return;
    }
    while (units > 0) {
        std::uint64_t take = std::min(units, m_block_units - m_in_block);
        m_block.update(data, take * m_unit_size);
        data += take * m_unit_size;
        units -= take;
        m_units += take;
        m_in_block += take;
        if (m_in_block == m_block_units) {
            m_blocks.push_back(BlockDigest{m_units - m_in_block, m_in_block, m_block.hex()});
            m_block = Sha256{};
            m_in_block = 0;
        }
    }
}

DigestResult ContentDigest::finish() {
    if (m_in_block > 0) {
        m_blocks.push_back(BlockDigest{m_units - m_in_block, m_in_block, m_block.hex()});
        m_in_block = 0;
    }
    return DigestResult{m_units, m_total.hex(), std::move(m_blocks)};
}

DigestResult attribute_digest(const std::vector<std::pair<std::string, std::string>>& attributes) {
    Sha256 h;
    for (const auto& [name, value] : attributes) {
        h.field(name).field(value);
    }
    return DigestResult{attributes.size(), h.hex(), {}};
}

DigestResult text_digest(std::string_view text) {
    return DigestResult{text.size(), Sha256{}.update(text).hex(), {}};
}

std::string commit_digest(const std::vector<CommitEntry>& entries) {
    Sha256 h;
    for (const auto& e : entries) {
        h.update(e.table + " " + std::to_string(e.rows) + " " + e.sha256 + "\n");
    }
    return h.hex();
}

std::string results_digest(const std::vector<CommitEntry>& entries) {
    std::vector<CommitEntry> results;
    for (const auto& e : entries) {
        if (e.table != "attributes" && e.table != "commit_blocks") {
            results.push_back(e);
        }
    }
    return commit_digest(results);
}

std::string chain_digest(const std::string& previous_digest, const std::string& key, const std::string& content_digest) {
    return Sha256{}.update(previous_digest).update(key).update(content_digest).hex();
}

std::string chain_key(std::string_view kind, std::string_view name) {
    return kind == "zone_set" ? "zone_set/" + std::string(name) : std::string(name);
}

} // namespace avf::storage
