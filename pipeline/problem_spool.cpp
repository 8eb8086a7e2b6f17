#include "pipeline/problem_spool.hpp"

#include "core/spill/record_codec.hpp"
#include "core/spill/record_file.hpp"

#include <string_view>

namespace avf::pipeline {

void ProblemSpool::add(Problem p) {
    ++m_count;
    m_bytes += sizeof(Problem) + p.message.size() + p.where.file().size() + p.where.value().size() + 64;
    m_memory.push_back(std::move(p));
    if (m_bytes >= m_budget) spill();
}

void ProblemSpool::drain(std::size_t batch, const std::function<void(std::vector<Problem>&&)>& f) {
    std::vector<Problem> out;
    if (m_file) {
        m_file->flush();
        spill::RecordReader reader(*m_file, 0, m_file->size());
        std::string_view record;
        while (reader.next(record)) {
            spill::ByteReader r(record);
            out.push_back(spill::decode_problem(r));
            if (out.size() == batch) {
                f(std::move(out));
                out.clear();
            }
        }
    }
    for (auto& p : m_memory) {
        out.push_back(std::move(p));
        if (out.size() == batch) {
            f(std::move(out));
            out.clear();
        }
    }
    m_memory.clear();
    if (!out.empty()) f(std::move(out));
}

void ProblemSpool::spill() {
    if (!m_file) m_file = std::make_unique<spill::SpillFile>(m_dir);
    spill::ByteWriter w;
    for (const auto& p : m_memory) {
        w.clear();
        spill::encode_problem(w, p);
        spill::append_record(*m_file, w.bytes());
    }
    m_memory.clear();
    m_bytes = 0;
}

} // namespace avf::pipeline
