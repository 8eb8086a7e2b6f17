// The plain binary encoding of spilled records: ByteWriter appends fixed-size values and
// length-framed strings to a byte buffer, ByteReader reads them back in the same order. Native
// byte order and widths: the bytes never leave the process that wrote them (spill files are
// anonymous), so nothing here is a file format to keep stable.
//
// Length framing (a native u32 length, then the bytes) is shared by ByteWriter::str and the
// framed records of a spill file (record_file.hpp).
//
//   avf::spill::ByteWriter w; w.u64(7); w.str("D-1");
//   avf::spill::ByteReader r(w.bytes());
//   std::uint64_t n = r.u64(); std::string_view id = r.str();   // 7, "D-1"; r.done()
//
// Errors: reading past the end is an InternalError (a spilled record is read by the code that wrote it).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace avf::spill {

/// The length before a framed string or record.
using FrameLength = std::uint32_t;

/// The frame header of a string or record of `size` bytes.
inline std::array<char, sizeof(FrameLength)> frame_header(std::size_t size) {
    const auto n = static_cast<FrameLength>(size);
    std::array<char, sizeof n> head{};
    std::memcpy(head.data(), &n, sizeof n);
    return head;
}

/// The length in a frame header (`p` points at sizeof(FrameLength) bytes).
inline FrameLength frame_length(const char* p) {
    FrameLength n = 0;
    std::memcpy(&n, p, sizeof n);
    return n;
}

class ByteWriter {
public:
    void u8(std::uint8_t v) { m_bytes.push_back(static_cast<char>(v)); }
    void u32(std::uint32_t v) { raw(&v, sizeof v); }
    void u64(std::uint64_t v) { raw(&v, sizeof v); }
    void i64(std::int64_t v) { raw(&v, sizeof v); }
    void f64(double v) { raw(&v, sizeof v); }
    /// The string framed by its length.
    void str(std::string_view s) {
        const auto head = frame_header(s.size());
        m_bytes.append(head.data(), head.size());
        m_bytes.append(s.data(), s.size());
    }

    const std::string& bytes() const { return m_bytes; }
    std::size_t size() const { return m_bytes.size(); }
    void clear() { m_bytes.clear(); }
    void reserve(std::size_t n) { m_bytes.reserve(n); }

private:
    void raw(const void* p, std::size_t n) { m_bytes.append(static_cast<const char*>(p), n); }
    std::string m_bytes;
};

/// Reads what ByteWriter wrote, from a contiguous buffer.
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
    /// A string written by ByteWriter::str (a view into the buffer).
    std::string_view str() {
        const FrameLength n = frame_length(take(sizeof(FrameLength)));
        return {take(n), n};
    }

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

} // namespace avf::spill
