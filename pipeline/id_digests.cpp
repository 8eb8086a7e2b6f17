#include "pipeline/id_digests.hpp"

#include <oneapi/tbb/parallel_for.h>

#include <algorithm>
#include <cstring>
#include <string_view>

namespace avf::pipeline {
namespace {

// A fixed key: the same ids give the same digests on every run.
constexpr std::array<std::uint8_t, 16> k_digest_key = {'a', 'v', 'f', ':', 'r', 'u', 'n', ':', 'i', 'd', 's', ':', 'v', '1', '.', '0'};

} // namespace

IdDigest digest_of(const DetectionId& id) {
    const auto b = ingest::siphash_2_4_128(id.str(), k_digest_key);
    IdDigest d;
    std::memcpy(&d.lo, b.data(), 8);
    std::memcpy(&d.hi, b.data() + 8, 8);
    return d;
}

std::vector<IdDigest> DigestSpool::repeated() {
    return scan(false);
}

std::vector<IdDigest> DigestSpool::distinct() {
    return scan(true);
}

std::vector<IdDigest> DigestSpool::scan(bool every) {
    if (m_file) m_file->flush();
    std::vector<std::vector<IdDigest>> found(partitions);
    tbb::parallel_for(std::size_t{0}, partitions, [&](std::size_t p) {
        std::vector<IdDigest> all;
        for (const auto& [offset, count] : m_blocks[p]) {
            const std::size_t at = all.size();
            all.resize(at + count);
            auto reader = m_file->reader(offset, count * sizeof(IdDigest));
            std::string_view piece;
            std::size_t filled = 0;
            while (reader.next(piece, count * sizeof(IdDigest))) {
                std::memcpy(reinterpret_cast<char*>(all.data() + at) + filled, piece.data(), piece.size());
                filled += piece.size();
            }
        }
        all.insert(all.end(), m_buffers[p].begin(), m_buffers[p].end());
        std::sort(all.begin(), all.end());
        if (every) {
            all.erase(std::unique(all.begin(), all.end()), all.end());
            found[p] = std::move(all);
            return;
        }
        for (std::size_t i = 1; i < all.size(); ++i)
            if (all[i] == all[i - 1] && (found[p].empty() || found[p].back() != all[i])) found[p].push_back(all[i]);
    });
    std::vector<IdDigest> out;
    for (auto& f : found) out.insert(out.end(), f.begin(), f.end());
    std::sort(out.begin(), out.end());
    return out;
}

std::size_t DigestSpool::spilled_blocks() const {
    std::size_t n = 0;
    for (const auto& b : m_blocks) n += b.size();
    return n;
}

void DigestSpool::spill(std::size_t p) {
    if (!m_file) m_file = std::make_unique<spill::SpillFile>(m_dir);
    auto& buf = m_buffers[p];
    m_blocks[p].emplace_back(m_file->size(), buf.size());
    m_file->append(std::string_view(reinterpret_cast<const char*>(buf.data()), buf.size() * sizeof(IdDigest)));
    buf.clear();
}

DuplicateIdCheck::DuplicateIdCheck(bool strict, const std::vector<IdDigest>* repeated, std::string temp_dir)
    : m_strict(strict), m_repeated(repeated), m_digests(std::move(temp_dir)) {}

bool DuplicateIdCheck::admit(const Detection& d, const IdDigest& digest, ProblemSink& problems) {
    if (m_strict) return m_filter.check_unique(d, problems);
    if (m_repeated) {
        if (std::binary_search(m_repeated->begin(), m_repeated->end(), digest)) return m_filter.check_unique(d, problems);
        return true;
    }
    m_digests.add(digest);
    return true;
}

std::vector<IdDigest> DuplicateIdCheck::repeated() {
    if (!collects_digests()) return {};
    return m_digests.repeated();
}

std::vector<IdDigest> DuplicateIdCheck::distinct() {
    if (!collects_digests()) return {};
    return m_digests.distinct();
}

} // namespace avf::pipeline
