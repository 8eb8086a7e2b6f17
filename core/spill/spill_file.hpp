// An anonymous temporary file for spilling to disk, so that memory stays bounded whatever the
// input size: created in a directory and unlinked at once (it vanishes with the process, even
// after a crash), appended to through a buffer, read back sequentially in pieces.
// What goes into it: framed records (record_file.hpp) encoded with ByteWriter (byte_codec.hpp),
// or raw fixed-size values. Used for the evidence of counted detections
// (fusion/counting_rule.cpp) and by the compliance run for findings, problems and id digests
// (pipeline/finding_spool.hpp, pipeline/problem_spool.hpp, pipeline/id_digests.hpp).
//
//   avf::spill::SpillFile f(avf::spill::SpillFile::default_directory());
//   f.append(bytes); f.flush();
//   auto reader = f.reader();                  // reads everything appended so far, in order
//   std::string_view chunk; while (reader.next(chunk, 1 << 20)) ...;
//
// Errors: IoError naming the directory when the file cannot be created, written or read (a full
// disk ends the run; nothing half-written is ever published).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace avf::spill {

class SpillFile {
public:
    /// $TMPDIR when set, else /tmp.
    static std::string default_directory();

    explicit SpillFile(const std::string& directory);
    ~SpillFile();
    SpillFile(const SpillFile&) = delete;
    SpillFile& operator=(const SpillFile&) = delete;
    SpillFile(SpillFile&& other) noexcept;
    SpillFile& operator=(SpillFile&& other) noexcept;

    /// Appends bytes (buffered; the buffer is flushed at 1 MiB and before reading).
    void append(std::string_view bytes);
    /// Bytes appended so far.
    std::uint64_t size() const { return m_size; }
    /// Flushes the buffer.
    void flush();

    /// Reads [offset, offset + length) sequentially in pieces.
    class Reader {
    public:
        /// The next piece of at most `max` bytes (valid until the next call); false at the end.
        bool next(std::string_view& piece, std::size_t max);
        /// The next piece of at most `max` bytes appended to `out` (no intermediate copy); false at the end.
        bool append_to(std::string& out, std::size_t max);
        std::uint64_t remaining() const { return m_end - m_pos; }

    private:
        friend class SpillFile;
        Reader(const SpillFile* f, std::uint64_t offset, std::uint64_t end) : m_file(f), m_pos(offset), m_end(end) {}
        const SpillFile* m_file;
        std::uint64_t m_pos, m_end;
        std::string m_buffer;
    };
    /// A reader over [offset, offset + length); flush() first.
    Reader reader(std::uint64_t offset, std::uint64_t length) const;
    Reader reader() const { return reader(0, m_size); }

private:
    void read_at(std::uint64_t offset, char* out, std::size_t n) const;

    int m_fd = -1;
    std::string m_directory;
    std::string m_buffer;
    std::uint64_t m_size = 0;    // bytes appended (file + buffer)
    std::uint64_t m_written = 0; // bytes in the file
};

} // namespace avf::spill
