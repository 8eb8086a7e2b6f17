#include "storage/wkb.hpp"

#include "core/error.hpp"

#include <bit>
#include <cstdint>
#include <limits>

namespace avf::storage {
namespace {

constexpr std::uint8_t little_endian_flag = 1;
constexpr std::uint8_t big_endian_flag = 0;
constexpr std::size_t point_bytes = 16;

class WkbWriter {
public:
    void header(std::uint32_t type) {
        m_out.push_back(static_cast<char>(little_endian_flag));
        u32(type);
    }
    void u32(std::uint32_t v) {
        for (int i = 0; i < 4; ++i) {
            m_out.push_back(static_cast<char>(static_cast<std::uint8_t>(v >> (8 * i))));
        }
    }
    void count(std::size_t n) {
        if (n > std::numeric_limits<std::uint32_t>::max()) {
            throw InputError("geometry has more than 2^32 - 1 parts or points; WKB cannot hold it");
        }
        u32(static_cast<std::uint32_t>(n));
    }
    void f64(double v) {
        auto bits = std::bit_cast<std::uint64_t>(v);
        for (int i = 0; i < 8; ++i) {
            m_out.push_back(static_cast<char>(static_cast<std::uint8_t>(bits >> (8 * i))));
        }
    }
    template <typename Points> void points(const Points& pts) {
        count(pts.size());
        for (const auto& p : pts) {
            f64(p.x());
            f64(p.y());
        }
    }
    std::string take() { return std::move(m_out); }

private:
    std::string m_out;
};

class WkbReader {
public:
    explicit WkbReader(std::string_view in) : m_in(in) {}

    /// Reads a geometry header and checks its type; sets the byte order for what follows.
    void header(std::uint32_t expected_type, const char* name) {
        std::size_t at = m_pos;
        std::uint8_t order = byte();
        if (order != little_endian_flag && order != big_endian_flag) {
            fail(at, "byte-order flag is neither 0 nor 1");
        }
        m_big_endian = order == big_endian_flag;
        std::uint32_t type = u32();
        if (type != expected_type) {
            fail(at, "expected " + std::string(name) + " (type " + std::to_string(expected_type) + "), found type " + std::to_string(type));
        }
    }
    /// A count of items of at least `min_item_bytes` each; refuses counts the remaining bytes
    /// cannot hold, so a corrupt count never causes a huge allocation.
    std::size_t count(std::size_t min_item_bytes) {
        std::size_t at = m_pos;
        std::uint32_t n = u32();
        if (static_cast<std::uint64_t>(n) * min_item_bytes > remaining()) {
            fail(at, "count " + std::to_string(n) + " exceeds the remaining " + std::to_string(remaining()) + " bytes");
        }
        return n;
    }
    template <typename Points> void points(Points& pts) {
        std::size_t n = count(point_bytes);
        pts.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            double x = f64();
            double y = f64();
            pts.emplace_back(x, y);
        }
    }
    void end() const {
        if (m_pos != m_in.size()) {
            fail(m_pos, std::to_string(m_in.size() - m_pos) + " trailing bytes");
        }
    }

private:
    [[nodiscard]] std::size_t remaining() const { return m_in.size() - m_pos; }
    std::uint8_t byte() {
        need(1);
        return static_cast<std::uint8_t>(m_in[m_pos++]);
    }
    std::uint64_t unsigned_bytes(int n) {
        need(static_cast<std::size_t>(n));
        std::uint64_t v = 0;
        for (int i = 0; i < n; ++i) {
            auto b = static_cast<std::uint64_t>(static_cast<std::uint8_t>(m_in[m_pos + static_cast<std::size_t>(i)]));
            v |= m_big_endian ? b << (8 * (n - 1 - i)) : b << (8 * i);
        }
        m_pos += static_cast<std::size_t>(n);
        return v;
    }
    std::uint32_t u32() { return static_cast<std::uint32_t>(unsigned_bytes(4)); }
    double f64() { return std::bit_cast<double>(unsigned_bytes(8)); }
    void need(std::size_t n) const {
        if (remaining() < n) {
            fail(m_pos, "unexpected end of data");
        }
    }
    [[noreturn]] void fail(std::size_t at, const std::string& what) const {
        throw InputError("malformed WKB at byte " + std::to_string(at) + ": " + what);
    }

    std::string_view m_in;
    std::size_t m_pos = 0;
    bool m_big_endian = false;
};

} // namespace

std::string to_wkb(const MultiPolygon& geometry) {
    WkbWriter w;
    w.header(wkb_multipolygon);
    w.count(geometry.size());
    for (const Polygon& polygon : geometry) {
        w.header(wkb_polygon);
        w.count(1 + polygon.inners().size());
        w.points(polygon.outer());
        for (const Ring& inner : polygon.inners()) {
            w.points(inner);
        }
    }
    return w.take();
}

std::string to_wkb(const MultiLineString& geometry) {
    WkbWriter w;
    w.header(wkb_multilinestring);
    w.count(geometry.size());
    for (const LineString& line : geometry) {
        w.header(wkb_linestring);
        w.points(line);
    }
    return w.take();
}

MultiPolygon multipolygon_from_wkb(std::string_view wkb) {
    WkbReader r(wkb);
    r.header(wkb_multipolygon, "MultiPolygon");
    MultiPolygon out;
    std::size_t polygons = r.count(9); // each member has at least its header
    out.reserve(polygons);
    for (std::size_t i = 0; i < polygons; ++i) {
        r.header(wkb_polygon, "Polygon");
        Polygon polygon;
        std::size_t rings = r.count(4); // each ring has at least its point count
        for (std::size_t k = 0; k < rings; ++k) {
            if (k == 0) {
                r.points(polygon.outer());
            } else {
                polygon.inners().emplace_back();
                r.points(polygon.inners().back());
            }
        }
        out.push_back(std::move(polygon));
    }
    r.end();
    return out;
}

MultiLineString multilinestring_from_wkb(std::string_view wkb) {
    WkbReader r(wkb);
    r.header(wkb_multilinestring, "MultiLineString");
    MultiLineString out;
    std::size_t lines = r.count(9);
    out.reserve(lines);
    for (std::size_t i = 0; i < lines; ++i) {
        r.header(wkb_linestring, "LineString");
        LineString line;
        r.points(line);
        out.push_back(std::move(line));
    }
    r.end();
    return out;
}

} // namespace avf::storage
