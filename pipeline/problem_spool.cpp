#include "pipeline/problem_spool.hpp"

#include <string_view>

namespace avf::pipeline {

void encode_problem(fusion::ByteWriter& w, const Problem& p) {
    w.u8(static_cast<std::uint8_t>(p.severity));
    w.u8(static_cast<std::uint8_t>(p.code));
    w.str(p.message);
    const Context& c = p.where;
    w.str(c.file());
    w.str(c.layer());
    w.str(c.feature());
    w.str(c.record());
    w.str(c.field());
    w.str(c.value());
    w.str(c.expected());
    w.u8(c.line() ? 1 : 0);
    w.i64(c.line().value_or(0));
    w.u8(c.column() ? 1 : 0);
    w.i64(c.column().value_or(0));
    w.u64(p.order);
}

Problem decode_problem(fusion::ByteReader& r) {
    Problem p;
    p.severity = static_cast<Severity>(r.u8());
    p.code = static_cast<ProblemCode>(r.u8());
    p.message = std::string(r.str());
    Context& c = p.where;
    c.file(std::string(r.str())).layer(std::string(r.str())).feature(std::string(r.str())).record(std::string(r.str()));
    c.field(std::string(r.str())).value(std::string(r.str())).expected(std::string(r.str()));
    const bool has_line = r.u8() != 0;
    const auto line = r.i64();
    if (has_line) c.line(static_cast<long>(line));
    const bool has_column = r.u8() != 0;
    const auto column = r.i64();
    if (has_column) c.column(static_cast<long>(column));
    p.order = r.u64();
    return p;
}

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
        fusion::RecordReader reader(*m_file, 0, m_file->size());
        std::string_view record;
        while (reader.next(record)) {
            fusion::ByteReader r(record);
            out.push_back(decode_problem(r));
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
    if (!m_file) m_file = std::make_unique<fusion::SpillFile>(m_dir);
    fusion::ByteWriter w;
    for (const auto& p : m_memory) {
        w.clear();
        encode_problem(w, p);
        fusion::append_record(*m_file, w.bytes());
    }
    m_memory.clear();
    m_bytes = 0;
}

} // namespace avf::pipeline
