#include "pipeline/finding_spool.hpp"

#include "core/spill/record_codec.hpp"
#include "core/spill/record_file.hpp"

#include <algorithm>

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
    if (m_keys.empty() && m_runs.empty() && m_bytes.size() == 0) m_bytes.reserve(std::min<std::size_t>(m_budget, std::size_t{64} << 20));
    Key k;
    k.offset = m_bytes.size();
    encode_sequenced(m_bytes, detection, k_th, f);
    k.length = static_cast<std::uint32_t>(m_bytes.size() - k.offset);
    const std::string_view rec = record(k);
    spill::ByteReader r(rec);
    k.detection = r.u64();
    k.k = r.u32();
    const spill::EncodedFindingOrder o = spill::read_finding_order(r);
    const auto at = [&](std::string_view part) { return static_cast<std::uint32_t>(part.data() - rec.data()); };
    k.id = at(o.id);
    k.id_n = static_cast<std::uint32_t>(o.id.size());
    k.rule = at(o.rule_id);
    k.rule_n = static_cast<std::uint32_t>(o.rule_id.size());
    k.target = at(o.target_id);
    k.target_n = static_cast<std::uint32_t>(o.target_id.size());
    k.from = o.from;
    m_keys.push_back(k);
    m_used += k.length + sizeof(Key);
    if (m_used >= m_budget) spill();
}

// SequencedBefore on the keys: (rule, target, time, id) as fusion::finding_order, then the input position.
void FindingSpool::sort() {
    const char* base = m_bytes.bytes().data();
    const auto part = [base](const Key& k, std::uint32_t at, std::uint32_t n) { return std::string_view(base + k.offset + at, n); };
    const auto order = [&](const Key& k) {
        return fusion::FindingOrderKey{part(k, k.rule, k.rule_n), part(k, k.target, k.target_n), k.from, part(k, k.id, k.id_n)};
    };
    std::sort(m_keys.begin(), m_keys.end(), [&](const Key& a, const Key& b) {
        if (const auto c = order(a) <=> order(b); std::is_neq(c)) return std::is_lt(c);
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
