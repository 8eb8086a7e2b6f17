// Spilling to disk, so that memory stays bounded whatever the input size: an anonymous temporary
// file (unlinked at once: it vanishes with the process, even after a crash) with buffered
// appends and sequential reads, and a plain binary encoding for the records spilled into it.
// Used for the evidence of counted detections (fusion/counting_rule.cpp) and by the compliance
// run for findings, problems and id digests (pipeline/finding_spool.hpp, pipeline/problem_spool.hpp, pipeline/id_digests.hpp).
//
//   avf::fusion::SpillFile f(avf::fusion::SpillFile::default_directory());
//   avf::fusion::ByteWriter w; w.u64(7); w.str("D-1"); f.append(w.bytes()); w.clear();
//   auto reader = f.reader();                  // reads everything appended so far, in order
//   std::string_view chunk; while (reader.next(chunk, 1 << 20)) ...;
//
// Errors: IoError naming the directory when the file cannot be created, written or read (a full
// disk ends the run; nothing half-written is ever published).
#pragma once

#include "core/records.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace avf::fusion {

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

/// Little-endian-agnostic (native) encoding: the bytes never leave the process.
class ByteWriter {
public:
    void u8(std::uint8_t v) { m_bytes.push_back(static_cast<char>(v)); }
    void u32(std::uint32_t v) { raw(&v, sizeof v); }
    void u64(std::uint64_t v) { raw(&v, sizeof v); }
    void i64(std::int64_t v) { raw(&v, sizeof v); }
    void f64(double v) { raw(&v, sizeof v); }
    void str(std::string_view s) {
        u32(static_cast<std::uint32_t>(s.size()));
        m_bytes.append(s.data(), s.size());
    }
    void finding(const Finding& f);
    void evidence(const Evidence& e);

    const std::string& bytes() const { return m_bytes; }
    std::size_t size() const { return m_bytes.size(); }
    void clear() { m_bytes.clear(); }

private:
    void raw(const void* p, std::size_t n) { m_bytes.append(static_cast<const char*>(p), n); }
    std::string m_bytes;
};

/// Reads what ByteWriter wrote, from a contiguous buffer. Reading past the end is an
/// InternalError (spill files are written and read by the same process).
class ByteReader {
public:
    explicit ByteReader(std::string_view bytes) : m_bytes(bytes) {}
    bool done() const { return m_pos >= m_bytes.size(); }
    std::size_t position() const { return m_pos; }
    std::uint8_t u8() { return static_cast<std::uint8_t>(*take(1)); }
    std::uint32_t u32() { return get<std::uint32_t>(); }
    std::uint64_t u64() { return get<std::uint64_t>(); }
    std::int64_t i64() { return get<std::int64_t>(); }
    double f64() { return get<double>(); }
    std::string_view str() {
        const std::uint32_t n = u32();
        return std::string_view(take(n), n);
    }
    Finding finding();
    Evidence evidence();

private:
    template <typename T> T get() {
        T v;
        std::memcpy(&v, take(sizeof v), sizeof v);
        return v;
    }
    const char* take(std::size_t n);
    std::string_view m_bytes;
    std::size_t m_pos = 0;
};

/// Whole records framed by a u32 length, read back one at a time from a SpillFile range.
class RecordReader {
public:
    /// Reads ahead `piece` bytes at a time (or a whole record when it is longer): its memory is
    /// about `piece` plus the longest record. A k-way merge of many runs takes smaller pieces.
    RecordReader(const SpillFile& file, std::uint64_t offset, std::uint64_t length, std::size_t piece = std::size_t{1} << 20)
        : m_reader(file.reader(offset, length)), m_piece(piece) {}
    /// The next record's bytes (valid until the next call); false at the end.
    bool next(std::string_view& record);

private:
    SpillFile::Reader m_reader;
    std::size_t m_piece;
    std::string m_pending;
    std::size_t m_pos = 0;
};

/// Appends `record` framed by its length (what RecordReader reads).
inline void append_record(SpillFile& f, std::string_view record) {
    const std::uint32_t n = static_cast<std::uint32_t>(record.size());
    char head[sizeof n];
    std::memcpy(head, &n, sizeof n);
    f.append(std::string_view(head, sizeof n));
    f.append(record);
}

} // namespace avf::fusion
