#include "ingest/duplicate_ids.hpp"

#include "ingest/fields.hpp"
#include "ingest/text.hpp"

#include <fmt/format.h>

#include <bit>
#include <limits>

namespace avf::ingest {

// ---------------------------------------------------------------------------------------------
// SipHash-2-4-128

namespace {

constexpr std::uint64_t load_le64(const unsigned char* p) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

struct SipState {
    std::uint64_t v0, v1, v2, v3;
    void round() {
        v0 += v1;
        v1 = std::rotl(v1, 13);
        v1 ^= v0;
        v0 = std::rotl(v0, 32);
        v2 += v3;
        v3 = std::rotl(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = std::rotl(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = std::rotl(v1, 17);
        v1 ^= v2;
        v2 = std::rotl(v2, 32);
    }
};

// The two 64-bit words of SipHash-2-4-128 (output bytes 0-7 and 8-15, little-endian).
std::pair<std::uint64_t, std::uint64_t> siphash128_words(std::string_view data, std::uint64_t k0, std::uint64_t k1) {
    SipState s{0x736f6d6570736575ULL ^ k0, 0x646f72616e646f6dULL ^ k1, 0x6c7967656e657261ULL ^ k0, 0x7465646279746573ULL ^ k1};
    s.v1 ^= 0xee; // the 128-bit output variant
    const auto* in = reinterpret_cast<const unsigned char*>(data.data());
    const std::size_t n = data.size();
    const std::size_t whole = n - n % 8;
    for (std::size_t i = 0; i < whole; i += 8) {
        const std::uint64_t m = load_le64(in + i);
        s.v3 ^= m;
        s.round();
        s.round();
        s.v0 ^= m;
    }
    std::uint64_t b = static_cast<std::uint64_t>(n) << 56;
    for (std::size_t i = n % 8; i > 0; --i) b |= static_cast<std::uint64_t>(in[whole + i - 1]) << (8 * (i - 1));
    s.v3 ^= b;
    s.round();
    s.round();
    s.v0 ^= b;
    s.v2 ^= 0xee;
    for (int i = 0; i < 4; ++i) s.round();
    const std::uint64_t first = s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
    s.v1 ^= 0xdd;
    for (int i = 0; i < 4; ++i) s.round();
    const std::uint64_t second = s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
    return {first, second};
}

} // namespace

std::array<std::uint8_t, 16> siphash_2_4_128(std::string_view data, const std::array<std::uint8_t, 16>& key) {
    const auto [first, second] = siphash128_words(data, load_le64(key.data()), load_le64(key.data() + 8));
    std::array<std::uint8_t, 16> out{};
    for (std::size_t i = 0; i < 8; ++i) {
        out[i] = static_cast<std::uint8_t>(first >> (8 * i));
        out[8 + i] = static_cast<std::uint8_t>(second >> (8 * i));
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// The duplicate id filter

namespace {

// A fixed key: digests (and so any collision) are the same on every run, which keeps runs
// reproducible. Ids are not secret; the key only has to be fixed.
constexpr std::array<unsigned char, 16> k_id_key = {'a', 'v', 'f', ':', 'd', 'e', 't', 'e', 'c', 't', 'i', 'o', 'n', ':', 'i', 'd'};

constexpr std::size_t k_initial_slots = 1024; // a power of two

// The line number or feature id of a SourceRef; the lowest int64 when it holds neither.
std::int64_t parse_position(const std::string& feature) {
    std::int64_t v = 0;
    return parse_integer(feature, v) == NumberText::ok ? v : std::numeric_limits<std::int64_t>::min();
}

} // namespace

DuplicateIdFilter::DuplicateIdFilter() : m_slots(k_initial_slots) {}

std::size_t DuplicateIdFilter::memory_bytes() const {
    // The slots, plus the (file, layer) names: their pair objects and, at most, their capacities.
    std::size_t bytes = m_slots.capacity() * sizeof(Slot) + m_sources.capacity() * sizeof(std::pair<std::string, std::string>);
    for (const auto& [file, layer] : m_sources) bytes += file.capacity() + layer.capacity();
    return bytes;
}

void DuplicateIdFilter::grow() {
    std::vector<Slot> old(m_slots.size() * 2);
    old.swap(m_slots);
    const std::size_t mask = m_slots.size() - 1;
    for (const Slot& s : old) {
        if (s.source == 0) continue;
        std::size_t i = s.digest_lo & mask;
        while (m_slots[i].source != 0) i = (i + 1) & mask;
        m_slots[i] = s;
    }
}

DuplicateIdFilter::Found DuplicateIdFilter::insert(std::string_view id) {
    if ((m_size + 1) * 4 > m_slots.size() * 3) grow(); // at most 3/4 full: probes stay short
    constexpr std::uint64_t key0 = load_le64(k_id_key.data());
    constexpr std::uint64_t key1 = load_le64(k_id_key.data() + 8);
    const auto [lo, hi] = siphash128_words(id, key0, key1);
    const std::size_t mask = m_slots.size() - 1;
    std::size_t i = lo & mask;
    while (true) {
        Slot& s = m_slots[i];
        if (s.source == 0) {
            s.digest_lo = lo;
            s.digest_hi = hi;
            s.source = 1;
            ++m_size;
            return {&s, true};
        }
        if (s.digest_lo == lo && s.digest_hi == hi) return {&s, false};
        i = (i + 1) & mask;
    }
}

std::uint32_t DuplicateIdFilter::source_index(const SourceRef& where) {
    // Few distinct files per run; the last one is almost always the one asked for.
    for (std::size_t k = m_sources.size(); k-- > 0;)
        if (m_sources[k].first == where.file && m_sources[k].second == where.layer) return static_cast<std::uint32_t>(k);
    m_sources.emplace_back(where.file, where.layer);
    return static_cast<std::uint32_t>(m_sources.size() - 1);
}

bool DuplicateIdFilter::first_time(const DetectionId& id) {
    return insert(id.str()).inserted;
}

bool DuplicateIdFilter::first_time(const DetectionId& id, const SourceRef& where) {
    const Found f = insert(id.str());
    if (f.inserted) {
        f.slot->source = source_index(where) + 2;
        f.slot->position = parse_position(where.feature);
    }
    return f.inserted;
}

bool DuplicateIdFilter::check_unique(const Detection& d, ProblemSink& problems) {
    const Found f = insert(d.id.str());
    if (f.inserted) {
        f.slot->source = source_index(d.origin) + 2;
        f.slot->position = parse_position(d.origin.feature);
        return true;
    }

    std::string first = "an earlier record";
    if (f.slot->source >= 2) {
        const auto& [file, layer] = m_sources[f.slot->source - 2];
        const bool known = f.slot->position != std::numeric_limits<std::int64_t>::min();
        first = layer.empty() ? (known ? fmt::format("line {}", f.slot->position) : std::string("an earlier line"))
                              : (known ? fmt::format("layer {}, feature {}", layer, f.slot->position) : "layer " + layer);
        if (file != d.origin.file) first = file + ", " + first;
    }
    Context where;
    where.file(d.origin.file);
    std::uint64_t order = d.origin.index;
    if (d.origin.layer.empty()) {
        const std::int64_t line = parse_position(d.origin.feature);
        if (line != std::numeric_limits<std::int64_t>::min()) {
            where.line(static_cast<long>(line));
            order = static_cast<std::uint64_t>(line);
        }
    } else {
        where.layer(d.origin.layer).feature(d.origin.feature);
    }
    where.record(printable(d.id.str())).field("id").value(printable(d.id.str()));
    Problem p =
        Problem::rejected(ProblemCode::duplicate_id, "id already used by the record at " + first + "; this record is rejected", std::move(where));
    p.order = order;
    problems.report(std::move(p));
    return false;
}

} // namespace avf::ingest
