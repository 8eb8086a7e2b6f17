#include "core/spill/byte_codec.hpp"

#include "core/error.hpp"

namespace avf::spill {

const char* ByteReader::take(std::size_t n) {
    if (m_pos + n > m_bytes.size()) throw InternalError("spilled record shorter than expected");
    const char* p = m_bytes.data() + m_pos;
    m_pos += n;
    return p;
}

} // namespace avf::spill
