#include "core/spill/record_file.hpp"

#include "core/error.hpp"
#include "core/spill/byte_codec.hpp"

#include <algorithm>

namespace avf::spill {

void append_record(SpillFile& f, std::string_view record) {
    const auto head = frame_header(record.size());
    f.append(std::string_view(head.data(), head.size()));
    f.append(record);
}

bool RecordReader::next(std::string_view& record) {
    auto available = [&] { return m_pending.size() - m_pos; };
    auto fill = [&](std::size_t need) {
        while (available() < need) {
            m_pending.erase(0, m_pos);
            m_pos = 0;
            if (!m_reader.append_to(m_pending, std::max(need - m_pending.size(), m_piece))) return false;
        }
        return true;
    };
    if (!fill(sizeof(FrameLength))) {
        if (available() != 0) throw InternalError("a spill file ends inside a record");
        return false;
    }
    const FrameLength n = frame_length(m_pending.data() + m_pos);
    if (!fill(sizeof n + n)) throw InternalError("a spill file ends inside a record");
    record = std::string_view(m_pending).substr(m_pos + sizeof n, n);
    m_pos += sizeof n + n;
    return true;
}

} // namespace avf::spill
