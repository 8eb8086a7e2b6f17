#include "pipeline/finding_spool.hpp"

#include "core/spill/record_codec.hpp"
#include "core/spill/record_file.hpp"

#include <algorithm>

namespace avf::pipeline {

void append_sequenced(spill::SpillFile& file, spill::ByteWriter& w, const Sequenced& s) {
    w.clear();
    w.u64(s.detection);
    w.u32(s.k);
    spill::encode_finding(w, s.finding);
    spill::append_record(file, w.bytes());
}

void read_sequenced(std::string_view record, Sequenced& out) {
    spill::ByteReader r(record);
    out.detection = r.u64();
    out.k = r.u32();
    out.finding = spill::decode_finding(r);
}

std::size_t approximate_bytes(const Finding& f) {
    std::size_t n = sizeof(Finding) + f.id.size() + f.rule_id.size() + f.rule_type.size() + f.article.size() + f.target_id.size() + f.party.size() +
                    f.equipment_class.size() + f.unit.size() + f.waiver_id.size() + f.explanation.size() + f.explanation_template.size();
    for (const auto& e : f.evidence)
        n += sizeof(Evidence) + e.record_kind.size() + e.record_id.size() + e.source_file.size() + e.source_position.size();
    return n;
}

void FindingSpool::seal() {
    std::sort(m_memory.begin(), m_memory.end(), SequencedBefore{});
    if (m_file) m_file->flush();
}

void FindingSpool::spill() {
    std::sort(m_memory.begin(), m_memory.end(), SequencedBefore{});
    if (!m_file) m_file = std::make_unique<spill::SpillFile>(m_dir);
    const std::uint64_t start = m_file->size();
    spill::ByteWriter w;
    for (const auto& s : m_memory) append_sequenced(*m_file, w, s);
    m_runs.push_back(Run{m_file.get(), start, m_file->size() - start});
    m_memory.clear();
    m_memory.shrink_to_fit();
    m_bytes = 0;
}

} // namespace avf::pipeline
