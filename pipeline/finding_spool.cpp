#include "pipeline/finding_spool.hpp"

#include "core/spill/record_codec.hpp"
#include "core/spill/record_file.hpp"

#include <algorithm>
#include <cstring>

namespace avf::pipeline {

void encode_sequenced(spill::ByteWriter& w, std::uint64_t detection, std::uint32_t k, const Finding& f) {
    w.u64(detection);
    w.u32(k);
    spill::encode_finding(w, f);
}

void append_sequenced(spill::SpillFile& file, spill::ByteWriter& w, const Sequenced& s) {
    w.clear();
    encode_sequenced(w, s.detection, s.k, s.finding);
    spill::append_record(file, w.bytes());
}

void read_sequenced(std::string_view record, Sequenced& out) {
    spill::ByteReader r(record);
    out.detection = r.u64();
    out.k = r.u32();
    spill::decode_finding(r, out.finding);
}

std::size_t FindingSpool::spooled_bytes(const Sequenced& s) {
    spill::ByteWriter w;
    encode_sequenced(w, s.detection, s.k, s.finding);
    return w.size() + sizeof(Key);
}

void FindingSpool::add(std::uint64_t detection, std::uint32_t k_th, const Finding& f) {
    // The buffer's memory is reserved once, at the first finding (up to the budget, at most 64 MiB):
    // grown by doubling, it was copied and first touched again at every step.
    // The keys get room for findings of ~256 bytes each.
    if (m_keys.empty() && m_runs.empty() && m_bytes.size() == 0) {
        const std::size_t bytes = std::min<std::size_t>(m_budget, std::size_t{64} << 20);
        m_bytes.reserve(bytes);
        m_keys.reserve(bytes / 256);
    }
    Key k;
    k.offset = m_bytes.size();
    encode_sequenced(m_bytes, detection, k_th, f);
    k.length = static_cast<std::uint32_t>(m_bytes.size() - k.offset);
    const std::string_view rec = record(k);
    spill::ByteReader r(rec);
    k.detection = r.u64();
    k.k = r.u32();
    const spill::EncodedFindingOrder o = spill::read_finding_order(r);
    k.id = static_cast<std::uint32_t>(o.id.data() - rec.data());
    k.id_n = static_cast<std::uint32_t>(o.id.size());
    k.rule = name_code(o.rule_id, m_last_rule);
    k.target = name_code(o.target_id, m_last_target);
    k.from = o.from;
    // The id's first 16 bytes, zero-filled, as big-endian integers: they order as the text does,
    // up to a tie the sort breaks on the whole text.
    unsigned char prefix[16] = {};
    std::memcpy(prefix, o.id.data(), std::min<std::size_t>(o.id.size(), 16));
    for (int half = 0; half < 2; ++half)
        for (int i = 0; i < 8; ++i) k.id_prefix[half] = (k.id_prefix[half] << 8) | prefix[8 * half + i];
    m_keys.push_back(k);
    m_used += k.length + sizeof(Key);
    if (m_used >= m_budget) spill();
}

// Consecutive findings mostly share their rule and target: `last` (the code answered before for
// the same part) is compared first, and becomes this answer.
std::uint32_t FindingSpool::name_code(std::string_view name, std::uint32_t& last) {
    if (last < m_names.size() && m_names[last] == name) return last;
    if (const auto it = m_name_codes.find(name); it != m_name_codes.end()) return last = it->second;
    last = static_cast<std::uint32_t>(m_names.size());
    m_names.emplace_back(name); // a deque: the map's keys view its strings, which never move
    m_name_codes.emplace(m_names.back(), last);
    return last;
}

// SequencedBefore on the keys: (rule, target, time, id) as fusion::finding_order, then the input
// position. Rules and targets compare by the rank of their names.
void FindingSpool::sort() {
    std::vector<std::uint32_t> order(m_names.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return m_names[a] < m_names[b]; });
    std::vector<std::uint32_t> rank(m_names.size());
    for (std::uint32_t r = 0; r < order.size(); ++r) rank[order[r]] = r;
    const char* base = m_bytes.bytes().data();
    const auto id = [base](const Key& k) { return std::string_view(base + k.offset + k.id, k.id_n); };
    std::sort(m_keys.begin(), m_keys.end(), [&](const Key& a, const Key& b) {
        if (a.rule != b.rule) return rank[a.rule] < rank[b.rule];
        if (a.target != b.target) return rank[a.target] < rank[b.target];
        if (a.from != b.from) return a.from < b.from;
        if (a.id_prefix[0] != b.id_prefix[0]) return a.id_prefix[0] < b.id_prefix[0];
        if (a.id_prefix[1] != b.id_prefix[1]) return a.id_prefix[1] < b.id_prefix[1];
        if (const auto c = id(a) <=> id(b); std::is_neq(c)) return std::is_lt(c);
        return std::tie(a.detection, a.k) < std::tie(b.detection, b.k);
    });
}

void FindingSpool::seal() {
    sort();
    if (m_file) m_file->flush();
}

// The memory is kept for the next run (at most the budget and one record).
void FindingSpool::spill() {
    sort();
    if (!m_file) m_file = std::make_unique<spill::SpillFile>(m_dir);
    const std::uint64_t start = m_file->size();
    for (const Key& k : m_keys) spill::append_record(*m_file, record(k));
    m_runs.push_back(Run{m_file.get(), start, m_file->size() - start});
    m_bytes.clear();
    m_keys.clear();
    m_used = 0;
}

} // namespace avf::pipeline
