// Reading input files with every failure reported: the one mechanism every avf reader uses (the
// regime, the CSV and JSON readers, the SHA-256 of inputs, and GDAL's reads through the checked
// file system of ingest/gdal_support.cpp).
//
// A read error (EIO, …) is never taken for the end of the file, as `text << in.rdbuf()` and
// fread() do: it throws IoError naming the file, how far reading got and the cause (strerror),
// which the avf command maps to exit 4. A short read — legal POSIX: read() and pread() may return
// fewer bytes than asked for — is continued until the requested size or the real end of the file.
// A regular file that ends before the size it had when opened (it shrank while being read) is an
// error too: what was read is not the file that was hashed or named.
//
//   std::string text = avf::read_file("regime.toml");          // whole file; throws IoError
//   avf::CheckedFile in("detections.csv");                     // throws IoError: missing, a directory…
//   std::size_t n = in.read(buffer, sizeof buffer);            // < size only at the end of the file
//   std::size_t m = in.read_at(offset, buffer, sizeof buffer); // the same at an offset (pread)
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace avf {

/// strerror(e), thread-safe: "Input/output error".
std::string errno_text(int e);

/// One input file opened read-only. Not thread-safe for read(); read_at() may be called from
/// several threads at once (pread keeps no position).
class CheckedFile {
public:
    /// Opens `path` (O_RDONLY). Throws IoError naming the path and the cause when it cannot be
    /// opened or is a directory.
    explicit CheckedFile(std::string path);
    ~CheckedFile();
    CheckedFile(CheckedFile&& other) noexcept;
    CheckedFile& operator=(CheckedFile&& other) noexcept;
    CheckedFile(const CheckedFile&) = delete;
    CheckedFile& operator=(const CheckedFile&) = delete;

    const std::string& path() const { return m_path; }
    /// Size when opened, for regular files; nullopt for pipes and character devices.
    std::optional<std::uint64_t> size() const { return m_size; }
    /// The descriptor, for hints (posix_fadvise); never for reading around this class.
    int descriptor() const { return m_fd; }

    /// Reads up to `n` bytes at the current position into `buffer`, retrying short reads and
    /// EINTR: fewer than `n` bytes only at the end of the file. Throws IoError on a read error,
    /// and when a regular file ends before its size at opening.
    std::size_t read(void* buffer, std::size_t n);
    /// Bytes consumed by read() so far.
    std::uint64_t position() const { return m_position; }

    /// As read(), at `offset`, without moving the position (pread).
    std::size_t read_at(std::uint64_t offset, void* buffer, std::size_t n) const;

private:
    void check_end(std::uint64_t end) const;

    std::string m_path;
    int m_fd = -1;
    std::optional<std::uint64_t> m_size;
    std::uint64_t m_position = 0;
};

/// The whole file; throws IoError as CheckedFile does.
std::string read_file(const std::string& path);

/// At most the first `max_bytes` of the file (fewer when it is shorter): for recognising formats.
std::string read_prefix(const std::string& path, std::size_t max_bytes);

} // namespace avf
