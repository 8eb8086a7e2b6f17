#include "fusion/spill.hpp"

#include "core/error.hpp"

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <system_error>
#include <unistd.h>
#include <utility>

namespace avf::fusion {
namespace {

constexpr std::size_t flush_bytes = std::size_t{1} << 20;

std::string errno_text(int e) {
    return std::generic_category().message(e);
}

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
    return Reader(this, offset, offset + length);
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
    if (!fill(sizeof(std::uint32_t))) {
        if (available() != 0) throw InternalError("a spill file ends inside a record");
        return false;
    }
    std::uint32_t n = 0;
    std::memcpy(&n, m_pending.data() + m_pos, sizeof n);
    if (!fill(sizeof n + n)) throw InternalError("a spill file ends inside a record");
    record = std::string_view(m_pending).substr(m_pos + sizeof n, n);
    m_pos += sizeof n + n;
    return true;
}

const char* ByteReader::take(std::size_t n) {
    if (m_pos + n > m_bytes.size()) throw InternalError("spilled record shorter than expected");
    const char* p = m_bytes.data() + m_pos;
    m_pos += n;
    return p;
}

void ByteWriter::evidence(const Evidence& e) {
    str(e.record_kind);
    str(e.record_id);
    str(e.source_file);
    str(e.source_position);
}

Evidence ByteReader::evidence() {
    Evidence e;
    e.record_kind = std::string(str());
    e.record_id = std::string(str());
    e.source_file = std::string(str());
    e.source_position = std::string(str());
    return e;
}

void ByteWriter::finding(const Finding& f) {
    str(f.id);
    u8(static_cast<std::uint8_t>(f.kind));
    u8(static_cast<std::uint8_t>(f.certainty));
    str(f.rule_id);
    str(f.rule_type);
    str(f.article);
    str(f.target_id);
    str(f.party);
    str(f.equipment_class);
    i64(f.span.from.ms);
    i64(f.span.to.ms);
    f64(f.location.x());
    f64(f.location.y());
    f64(f.measured);
    f64(f.limit);
    str(f.unit);
    f64(f.confidence);
    str(f.waiver_id);
    u64(f.evidence.size());
    for (const auto& e : f.evidence) evidence(e);
    str(f.explanation);
}

Finding ByteReader::finding() {
    Finding f;
    f.id = std::string(str());
    f.kind = static_cast<FindingKind>(u8());
    f.certainty = static_cast<Certainty>(u8());
    f.rule_id = std::string(str());
    f.rule_type = std::string(str());
    f.article = std::string(str());
    f.target_id = std::string(str());
    f.party = std::string(str());
    f.equipment_class = std::string(str());
    f.span.from.ms = i64();
    f.span.to.ms = i64();
    const double x = f64();
    const double y = f64();
    f.location = GeoPoint{x, y};
    f.measured = f64();
    f.limit = f64();
    f.unit = std::string(str());
    f.confidence = f64();
    f.waiver_id = std::string(str());
    const std::uint64_t n = u64();
    f.evidence.reserve(static_cast<std::size_t>(n));
    for (std::uint64_t i = 0; i < n; ++i) f.evidence.push_back(evidence());
    f.explanation = std::string(str());
    return f;
}

} // namespace avf::fusion
