#include "core/spill/spill_file.hpp"

#include "core/error.hpp"
#include "core/file_io.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <unistd.h>
#include <utility>

namespace avf::spill {
namespace {

constexpr std::size_t flush_bytes = std::size_t{1} << 20;

} // namespace

std::string SpillFile::default_directory() {
    const char* t = std::getenv("TMPDIR");
    return t && *t ? std::string(t) : std::string("/tmp");
}

SpillFile::SpillFile(const std::string& directory) : m_directory(directory) {
    std::string tmpl = directory + "/avf-spill-XXXXXX";
    m_fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
    if (m_fd < 0) throw IoError("cannot create a temporary spill file (" + errno_text(errno) + ")", Context{}.file(directory));
    ::unlink(tmpl.c_str()); // anonymous from now on: removed when closed, even after a crash
}

SpillFile::~SpillFile() {
    if (m_fd >= 0) ::close(m_fd);
}

SpillFile::SpillFile(SpillFile&& o) noexcept
    : m_fd(std::exchange(o.m_fd, -1)), m_directory(std::move(o.m_directory)), m_buffer(std::move(o.m_buffer)), m_size(o.m_size),
      m_written(o.m_written) {}

SpillFile& SpillFile::operator=(SpillFile&& o) noexcept {
    if (this != &o) {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = std::exchange(o.m_fd, -1);
        m_directory = std::move(o.m_directory);
        m_buffer = std::move(o.m_buffer);
        m_size = o.m_size;
        m_written = o.m_written;
    }
    return *this;
}

void SpillFile::append(std::string_view bytes) {
    m_buffer.append(bytes.data(), bytes.size());
    m_size += bytes.size();
    if (m_buffer.size() >= flush_bytes) flush();
}

void SpillFile::flush() {
    const char* p = m_buffer.data();
    std::size_t left = m_buffer.size();
    while (left > 0) {
        const ssize_t n = ::pwrite(m_fd, p, left, static_cast<off_t>(m_written));
        if (n < 0) {
            if (errno == EINTR) continue;
            throw IoError("cannot write a temporary spill file (" + errno_text(errno) + ")", Context{}.file(m_directory));
        }
        p += n;
        left -= static_cast<std::size_t>(n);
        m_written += static_cast<std::uint64_t>(n);
    }
    m_buffer.clear();
    if (m_buffer.capacity() > 2 * flush_bytes) m_buffer.shrink_to_fit();
}

void SpillFile::read_at(std::uint64_t offset, char* out, std::size_t n) const {
    while (n > 0) {
        const ssize_t got = ::pread(m_fd, out, n, static_cast<off_t>(offset));
        if (got < 0) {
            if (errno == EINTR) continue;
            throw IoError("cannot read a temporary spill file (" + errno_text(errno) + ")", Context{}.file(m_directory));
        }
        if (got == 0) throw InternalError("a temporary spill file is shorter than what was written to it");
        out += got;
        n -= static_cast<std::size_t>(got);
        offset += static_cast<std::uint64_t>(got);
    }
}

SpillFile::Reader SpillFile::reader(std::uint64_t offset, std::uint64_t length) const {
    if (offset + length > m_written) throw InternalError("spill file read before flush()");
    return {this, offset, offset + length};
}

bool SpillFile::Reader::next(std::string_view& piece, std::size_t max) {
    if (m_pos >= m_end) return false;
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(max, m_end - m_pos));
    m_buffer.resize(n);
    m_file->read_at(m_pos, m_buffer.data(), n);
    m_pos += n;
    piece = m_buffer;
    return true;
}

bool SpillFile::Reader::append_to(std::string& out, std::size_t max) {
    if (m_pos >= m_end) return false;
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(max, m_end - m_pos));
    const std::size_t at = out.size();
    out.resize(at + n);
    m_file->read_at(m_pos, out.data() + at, n);
    m_pos += n;
    return true;
}

} // namespace avf::spill
