#include "core/file_io.hpp"

#include "core/error.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>
#include <utility>

namespace avf {

std::string errno_text(int e) {
    return std::generic_category().message(e);
}

CheckedFile::CheckedFile(std::string path) : m_path(std::move(path)) {
    m_fd = ::open(m_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (m_fd < 0) throw IoError("cannot open (" + errno_text(errno) + ")", Context{}.file(m_path));
    struct stat st {};
    if (::fstat(m_fd, &st) != 0) {
        const int e = errno;
        ::close(m_fd);
        m_fd = -1;
        throw IoError("cannot stat (" + errno_text(e) + ")", Context{}.file(m_path));
    }
    if (S_ISDIR(st.st_mode)) {
        ::close(m_fd);
        m_fd = -1;
        throw IoError("is a directory, not a file", Context{}.file(m_path));
    }
    if (S_ISREG(st.st_mode)) m_size = static_cast<std::uint64_t>(st.st_size);
}

CheckedFile::~CheckedFile() {
    if (m_fd >= 0) ::close(m_fd);
}

CheckedFile::CheckedFile(CheckedFile&& other) noexcept
    : m_path(std::move(other.m_path)), m_fd(std::exchange(other.m_fd, -1)), m_size(other.m_size), m_position(other.m_position) {}

CheckedFile& CheckedFile::operator=(CheckedFile&& other) noexcept {
    if (this != &other) {
        if (m_fd >= 0) ::close(m_fd);
        m_path = std::move(other.m_path);
        m_fd = std::exchange(other.m_fd, -1);
        m_size = other.m_size;
        m_position = other.m_position;
    }
    return *this;
}

// A regular file that ends before the size it had when opened was changed (truncated) while
// being read: the bytes read are not the file's.
void CheckedFile::check_end(std::uint64_t end) const {
    if (m_size && end < *m_size)
        throw IoError("the file ended after " + std::to_string(end) + " of its " + std::to_string(*m_size) +
                          " bytes (it was truncated while being read)",
                      Context{}.file(m_path));
}

std::size_t CheckedFile::read(void* buffer, std::size_t n) {
    auto* out = static_cast<char*>(buffer);
    std::size_t got = 0;
    while (got < n) {
        const ssize_t r = ::read(m_fd, out + got, n - got);
        if (r < 0) {
            if (errno == EINTR) continue;
            const int e = errno;
            throw IoError("read failed after " + std::to_string(m_position + got) + " bytes (" + errno_text(e) + ")", Context{}.file(m_path));
        }
        if (r == 0) {
            check_end(m_position + got);
            break;
        }
        got += static_cast<std::size_t>(r);
    }
    m_position += got;
    return got;
}

std::size_t CheckedFile::read_at(std::uint64_t offset, void* buffer, std::size_t n) const {
    auto* out = static_cast<char*>(buffer);
    std::size_t got = 0;
    while (got < n) {
        const ssize_t r = ::pread(m_fd, out + got, n - got, static_cast<off_t>(offset + got));
        if (r < 0) {
            if (errno == EINTR) continue;
            const int e = errno;
            throw IoError("read failed at byte " + std::to_string(offset + got) + " (" + errno_text(e) + ")", Context{}.file(m_path));
        }
        if (r == 0) {
            check_end(offset + got);
            break;
        }
        got += static_cast<std::size_t>(r);
    }
    return got;
}

std::string read_file(const std::string& path) {
    CheckedFile in(path);
    std::string text;
    // The size at opening is a hint (a pipe has none, a file may grow): read until the real end.
    std::size_t chunk = in.size() ? static_cast<std::size_t>(*in.size()) + 1 : std::size_t{64} << 10;
    while (true) {
        const std::size_t old = text.size();
        text.resize(old + chunk);
        const std::size_t got = in.read(text.data() + old, chunk);
        text.resize(old + got);
        if (got < chunk) break;
        chunk = std::size_t{1} << 20;
    }
    return text;
}

std::string read_prefix(const std::string& path, std::size_t max_bytes) {
    CheckedFile in(path);
    std::string text(max_bytes, '\0');
    text.resize(in.read(text.data(), max_bytes));
    return text;
}

} // namespace avf
