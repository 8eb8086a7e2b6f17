// Internal to storage/: a table is declared once, as a list of typed columns bound to the fields of
// a record, and everything else is derived from that list — the TableSchema (names, types, sizes,
// offsets; hence the HDF5 compound type and the H5TB attributes), the row encoder and the row
// decoder. storage/schema.hpp holds the list of every table.
//
//   struct FindingSlots { std::uint64_t evidence_first = 0; HeapRef explanation; };   // the row's own fields
//   inline constexpr auto findings_columns = col::list<Finding, FindingSlots>("findings", "Findings of the run",
//       col::text("id", id_bytes, &Finding::id),                        // a member of the record
//       col::time_text("span_from", &Finding::span, &Interval::from),   // a member of a member
//       col::float64("lon", col::getset([](const Finding& f) { return f.location.x(); },
//                                       [](Finding& f, double v) { f.location.x(v); })),
//       col::heap("explanation", &FindingSlots::explanation));          // a member of the slots
//   findings_columns.encode(f, slots, row, f.id);   // zero-fills and writes row_size() bytes; InputError if a value does not fit
//   findings_columns.decode(row, f, slots, path);   // the exact inverse; IoError (corrupt store) for an unreadable value
//
// A row holds a record (a core type) and the row's own fields that the record does not have (heap
// references, indexes into other tables), kept in a small `Slots` struct; a column binds to a
// member of either, to a member of a member, or to a getter/setter pair. Rows are packed
// little-endian compounds without padding: a column's offset is the sum of the widths before it,
// computed once when the list is built (at compile time). Encoding a row is a sequence of inlined
// stores at those offsets: no lookup by name, no indirect call.
//
// Column kinds (the builders below): text (fixed-length UTF-8, NULLPAD, zero-filled; a longer value
// is refused, never truncated), time_text (ISO-8601 in time_bytes), enum_name (an enumerator's stable
// name), enum_code (an enumerator's integer value), the integers uint8/uint16/uint32/int32/int64/uint64 and float64 (codes, counts, measures),
// time_ms (a UtcTime as int64 milliseconds since the epoch), heap (two uint64 columns <name>_offset and
// <name>_length addressing a byte heap) and heaps (several such pairs).
#pragma once

#include "core/error.hpp"
#include "core/time.hpp"

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace avf::storage {

/// The HDF5 type of a stored column (all little-endian; strings fixed-length UTF-8, NULLPAD).
enum class ColumnType : std::uint8_t { uint8, uint16, uint32, int32, int64, uint64, float64, string };

/// One stored column of a table, as HDF5 sees it.
struct Column {
    std::string name;
    ColumnType type = ColumnType::int64;
    std::size_t size = 8;   ///< bytes
    std::size_t offset = 0; ///< bytes from the start of the row
};

/// A table's stored columns, derived from its column list (ColumnList::schema()).
class TableSchema {
public:
    TableSchema(std::string name, std::string title, std::vector<Column> columns, std::size_t row_size)
        : m_name(std::move(name)), m_title(std::move(title)), m_columns(std::move(columns)), m_row_size(row_size) {}

    const std::string& name() const { return m_name; }
    const std::string& title() const { return m_title; }
    const std::vector<Column>& columns() const { return m_columns; }
    std::size_t row_size() const { return m_row_size; }
    /// Rows per HDF5 chunk: the largest power of two whose rows fit in 1 MiB (HDF5's default
    /// chunk cache), kept within [1024, 16384]. Powers of two make every 4096-row digest block
    /// a whole number of chunks (or a chunk a whole number of blocks).
    std::uint64_t chunk_rows() const;

private:
    std::string m_name, m_title;
    std::vector<Column> m_columns;
    std::size_t m_row_size = 0;
};

/// Bytes of a time_text column: ISO-8601 UTC with milliseconds ("2027-03-01T12:00:00.250Z"), "-inf", "+inf".
inline constexpr std::size_t time_text_bytes = 32;

/// Where a value lies in a byte heap.
struct HeapRef {
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
};

/// The slots of a row that holds nothing besides its record.
struct NoSlots {};

/// Rows of one table in one zero-filled buffer, for encoding: row(i) is where row i starts.
class RowBuffer {
public:
    RowBuffer(const TableSchema& schema, std::size_t rows) : m_row_size(schema.row_size()), m_bytes(rows * schema.row_size()) {}
    std::uint8_t* row(std::size_t i) { return m_bytes.data() + i * m_row_size; }
    std::size_t rows() const { return m_bytes.size() / m_row_size; }
    const std::uint8_t* data() const { return m_bytes.data(); }
    const std::vector<std::uint8_t>& bytes() const { return m_bytes; }

private:
    std::size_t m_row_size;
    std::vector<std::uint8_t> m_bytes;
};

/// Packed rows read from a table, for decoding: `for (const std::uint8_t* row : RowSpan(bytes, schema))`.
class RowSpan {
public:
    RowSpan(const std::vector<std::uint8_t>& bytes, const TableSchema& schema)
        : m_data(bytes.data()), m_row_size(schema.row_size()), m_rows(bytes.size() / schema.row_size()) {}
    std::size_t size() const { return m_rows; }
    const std::uint8_t* operator[](std::size_t i) const { return m_data + i * m_row_size; }

    class iterator {
    public:
        iterator(const std::uint8_t* at, std::size_t step) : m_at(at), m_step(step) {}
        const std::uint8_t* operator*() const { return m_at; }
        iterator& operator++() {
            m_at += m_step;
            return *this;
        }
        bool operator==(const iterator& other) const { return m_at == other.m_at; }

    private:
        const std::uint8_t* m_at;
        std::size_t m_step;
    };
    iterator begin() const { return {m_data, m_row_size}; }
    iterator end() const { return {m_data + m_rows * m_row_size, m_row_size}; }

private:
    const std::uint8_t* m_data;
    std::size_t m_row_size;
    std::size_t m_rows;
};

/// Whether `text` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view text);

namespace col {

/// What an encoder names in its errors: the table and the record ("F-1", "problem 3").
struct WriteContext {
    std::string_view table;
    std::string_view record;
};
/// What a decoder names in its errors: the table and the store file.
struct ReadContext {
    std::string_view table;
    const std::string& path;
};

// ---- the cold paths (columns.cpp): each throws with the table, column, record and value ----
[[noreturn]] void text_too_long(std::string_view value, std::size_t bytes, std::string_view column, const WriteContext& c);
[[noreturn]] void text_has_nul(std::string_view value, std::string_view column, const WriteContext& c);
[[noreturn]] void text_not_utf8(std::string_view value, std::string_view column, const WriteContext& c);
[[noreturn]] void time_out_of_range(UtcTime t, std::string_view column, const WriteContext& c);
[[noreturn]] void bad_time(std::string_view text, std::string_view column, const ReadContext& c);
[[noreturn]] void bad_name(std::string_view text, std::string_view column, const ReadContext& c);

/// Whether a time has the four-digit-year text form the store keeps (0000-01-01 up to, not
/// including, 10000-01-01), or is unbounded ("-inf", "+inf").
bool time_fits_text(UtcTime t);
/// "-inf", "+inf" or format_utc(t); nullopt when malformed.
std::optional<UtcTime> parse_time_text(std::string_view text);

inline void put_text(std::string_view value, std::size_t bytes, std::uint8_t* at, std::string_view column, const WriteContext& c) {
    if (value.size() > bytes) text_too_long(value, bytes, column, c);
    // One pass for the common case, ASCII without NUL; anything else takes the full checks.
    for (char ch : value) {
        if (ch == '\0' || static_cast<unsigned char>(ch) >= 0x80) {
            if (value.find('\0') != std::string_view::npos) text_has_nul(value, column, c);
            if (!is_valid_utf8(value)) text_not_utf8(value, column, c);
            break;
        }
    }
    std::memcpy(at, value.data(), value.size());
}

inline std::string_view get_text(const std::uint8_t* at, std::size_t bytes) {
    const char* begin = reinterpret_cast<const char*>(at);
    return {begin, strnlen(begin, bytes)};
}

/// The unsigned integer holding the bits of a stored number.
template <typename T> struct BitsOf { using type = std::make_unsigned_t<T>; };
template <> struct BitsOf<double> { using type = std::uint64_t; };

template <typename T> void put_le(std::uint8_t* out, T value) {
    using Bits = typename BitsOf<T>::type;
    static_assert(sizeof(Bits) == sizeof(T));
    auto bits = std::bit_cast<Bits>(value);
    for (std::size_t i = 0; i < sizeof(T); ++i) {
        out[i] = static_cast<std::uint8_t>(bits >> (8 * i));
    }
}

template <typename T> T get_le(const std::uint8_t* in) {
    using Bits = typename BitsOf<T>::type;
    static_assert(sizeof(Bits) == sizeof(T));
    Bits bits = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) {
        bits = static_cast<Bits>(bits | static_cast<Bits>(static_cast<Bits>(in[i]) << (8 * i)));
    }
    return std::bit_cast<T>(bits);
}

template <typename T> constexpr ColumnType column_type() {
    if constexpr (std::is_same_v<T, std::uint8_t>)
        return ColumnType::uint8;
    else if constexpr (std::is_same_v<T, std::uint16_t>)
        return ColumnType::uint16;
    else if constexpr (std::is_same_v<T, std::uint32_t>)
        return ColumnType::uint32;
    else if constexpr (std::is_same_v<T, std::int32_t>)
        return ColumnType::int32;
    else if constexpr (std::is_same_v<T, std::int64_t>)
        return ColumnType::int64;
    else if constexpr (std::is_same_v<T, std::uint64_t>)
        return ColumnType::uint64;
    else {
        static_assert(std::is_same_v<T, double>, "no stored column type for this C++ type");
        return ColumnType::float64;
    }
}

// ---- column kinds: how one value is laid out in the row ----
// Each has width() (bytes in the row), describe() (its stored columns), put() and get().

/// A fixed-length UTF-8 string of `bytes` bytes. Binds to std::string, std::string_view or a
/// StrongId; decodes to a view of the row.
struct Text {
    std::size_t bytes;
    constexpr std::size_t width() const { return bytes; }
    void describe(std::string_view name, std::size_t offset, std::vector<Column>& out) const {
        out.push_back(Column{std::string(name), ColumnType::string, bytes, offset});
    }
    template <typename V> void put(const V& value, std::uint8_t* at, std::string_view name, const WriteContext& c) const {
        if constexpr (requires { value.str(); }) {
            put_text(value.str(), bytes, at, name, c);
        } else {
            put_text(value, bytes, at, name, c);
        }
    }
    std::string_view get(const std::uint8_t* at, std::string_view /*name*/, const ReadContext& /*c*/) const { return get_text(at, bytes); }
};

/// A UtcTime as ISO-8601 text in time_bytes: format_utc, "-inf"/"+inf" when unbounded. InputError
/// for an instant outside the years 0000-9999 (it would not read back).
struct TimeText {
    static constexpr std::size_t bytes = time_text_bytes;
    static constexpr std::size_t width() { return bytes; }
    void describe(std::string_view name, std::size_t offset, std::vector<Column>& out) const {
        out.push_back(Column{std::string(name), ColumnType::string, bytes, offset});
    }
    void put(UtcTime t, std::uint8_t* at, std::string_view name, const WriteContext& c) const {
        if (!time_fits_text(t)) time_out_of_range(t, name, c);
        put_text(format_utc(t), bytes, at, name, c);
    }
    UtcTime get(const std::uint8_t* at, std::string_view name, const ReadContext& c) const {
        std::string_view text = get_text(at, bytes);
        if (auto t = parse_time_text(text)) return *t;
        bad_time(text, name, c);
    }
};

/// An enumerator stored by its stable name (to_string); an unknown name reads as damage.
template <typename E> struct EnumName {
    std::size_t bytes;
    constexpr std::size_t width() const { return bytes; }
    void describe(std::string_view name, std::size_t offset, std::vector<Column>& out) const {
        out.push_back(Column{std::string(name), ColumnType::string, bytes, offset});
    }
    void put(E value, std::uint8_t* at, std::string_view name, const WriteContext& c) const { put_text(to_string(value), bytes, at, name, c); }
    E get(const std::uint8_t* at, std::string_view name, const ReadContext& c) const {
        std::string_view text = get_text(at, bytes);
        // Every value of the underlying type up to the first whose name is "unknown".
        for (unsigned i = 0; i < 256; ++i) {
            auto e = static_cast<E>(i);
            std::string_view s = to_string(e);
            if (s == "unknown") break;
            if (s == text) return e;
        }
        bad_name(text, name, c);
    }
};

/// An enumerator stored by its integer value (its underlying type, e.g. uint8); a value that
/// names no enumerator (to_string gives "unknown") reads as damage.
template <typename E> struct EnumCode {
    using Code = std::underlying_type_t<E>;
    static constexpr std::size_t width() { return sizeof(Code); }
    static void describe(std::string_view name, std::size_t offset, std::vector<Column>& out) {
        out.push_back(Column{std::string(name), column_type<Code>(), sizeof(Code), offset});
    }
    static void put(E value, std::uint8_t* at, std::string_view /*name*/, const WriteContext& /*c*/) { put_le<Code>(at, static_cast<Code>(value)); }
    static E get(const std::uint8_t* at, std::string_view name, const ReadContext& c) {
        auto code = get_le<Code>(at);
        auto e = static_cast<E>(code);
        if (to_string(e) == "unknown") bad_name(std::to_string(code), name, c);
        return e;
    }
};

/// A little-endian number of type T (see column_type()).
template <typename T> struct Number {
    static constexpr std::size_t width() { return sizeof(T); }
    static void describe(std::string_view name, std::size_t offset, std::vector<Column>& out) {
        out.push_back(Column{std::string(name), column_type<T>(), sizeof(T), offset});
    }
    template <typename V> static void put(V value, std::uint8_t* at, std::string_view /*name*/, const WriteContext& /*c*/) {
        static_assert(std::is_same_v<V, T>, "a number column binds to a value of exactly its type");
        put_le<T>(at, value);
    }
    static T get(const std::uint8_t* at, std::string_view /*name*/, const ReadContext& /*c*/) { return get_le<T>(at); }
};

/// A UtcTime as int64 milliseconds since the Unix epoch (min()/max() for unbounded).
struct TimeMs {
    static constexpr std::size_t width() { return sizeof(std::int64_t); }
    static void describe(std::string_view name, std::size_t offset, std::vector<Column>& out) {
        out.push_back(Column{std::string(name), ColumnType::int64, sizeof(std::int64_t), offset});
    }
    static void put(UtcTime t, std::uint8_t* at, std::string_view /*name*/, const WriteContext& /*c*/) { put_le<std::int64_t>(at, t.ms); }
    static UtcTime get(const std::uint8_t* at, std::string_view /*name*/, const ReadContext& /*c*/) { return UtcTime{get_le<std::int64_t>(at)}; }
};

/// A HeapRef as two uint64 columns, <name>_offset and <name>_length.
struct Heap {
    static constexpr std::size_t width() { return 2 * sizeof(std::uint64_t); }
    static void describe(std::string_view name, std::size_t offset, std::vector<Column>& out) {
        out.push_back(Column{std::string(name) + "_offset", ColumnType::uint64, sizeof(std::uint64_t), offset});
        out.push_back(Column{std::string(name) + "_length", ColumnType::uint64, sizeof(std::uint64_t), offset + sizeof(std::uint64_t)});
    }
    static void put(HeapRef r, std::uint8_t* at, std::string_view /*name*/, const WriteContext& /*c*/) {
        put_le<std::uint64_t>(at, r.offset);
        put_le<std::uint64_t>(at + sizeof(std::uint64_t), r.length);
    }
    static HeapRef get(const std::uint8_t* at, std::string_view /*name*/, const ReadContext& /*c*/) {
        return HeapRef{get_le<std::uint64_t>(at), get_le<std::uint64_t>(at + sizeof(std::uint64_t))};
    }
};

/// N HeapRefs, one pair of columns per name of `names` (<name>_offset, <name>_length).
template <std::size_t N> struct Heaps {
    const std::array<std::string_view, N>* names;
    static constexpr std::size_t width() { return N * Heap::width(); }
    void describe(std::string_view /*name*/, std::size_t offset, std::vector<Column>& out) const {
        for (std::size_t i = 0; i < N; ++i) Heap::describe((*names)[i], offset + i * Heap::width(), out);
    }
    static void put(const std::array<HeapRef, N>& refs, std::uint8_t* at, std::string_view name, const WriteContext& c) {
        for (std::size_t i = 0; i < N; ++i) Heap::put(refs[i], at + i * Heap::width(), name, c);
    }
    static std::array<HeapRef, N> get(const std::uint8_t* at, std::string_view name, const ReadContext& c) {
        std::array<HeapRef, N> refs;
        for (std::size_t i = 0; i < N; ++i) refs[i] = Heap::get(at + i * Heap::width(), name, c);
        return refs;
    }
};

// ---- bindings: where a column's value lives ----

/// A member of the record or of the slots (whichever `Owner` is).
template <typename Owner, typename T> struct Member { T Owner::*member; };
/// A member of a member of the record or of the slots.
template <typename Owner, typename Mid, typename T> struct Nested {
    Mid Owner::*outer;
    T Mid::*inner;
};
/// A getter `V(const Record&)` and a setter `void(Record&, V)`.
template <typename Get, typename Set> struct GetSet {
    Get get;
    Set set;
};

template <typename Get, typename Set> constexpr GetSet<Get, Set> getset(Get get, Set set) {
    return {get, set};
}

template <typename Owner, typename T> constexpr Member<Owner, T> binding(T Owner::*member) {
    return {member};
}
template <typename Owner, typename Mid, typename T> constexpr Nested<Owner, Mid, T> binding(Mid Owner::*outer, T Mid::*inner) {
    return {outer, inner};
}
template <typename Get, typename Set> constexpr GetSet<Get, Set> binding(GetSet<Get, Set> gs) {
    return gs;
}

/// The record or the slots, whichever `Owner` names.
template <typename Owner, typename Record, typename Slots> constexpr auto& owner(Record& record, Slots& slots) {
    if constexpr (std::is_same_v<std::remove_const_t<Record>, Owner>) {
        return record;
    } else {
        static_assert(std::is_same_v<std::remove_const_t<Slots>, Owner>, "a column binds to a member of its table's record or slots");
        return slots;
    }
}

template <typename Record, typename Slots, typename Owner, typename T>
constexpr const T& read(const Member<Owner, T>& b, const Record& record, const Slots& slots) {
    return owner<Owner>(record, slots).*(b.member);
}
template <typename Record, typename Slots, typename Owner, typename Mid, typename T>
constexpr const T& read(const Nested<Owner, Mid, T>& b, const Record& record, const Slots& slots) {
    return (owner<Owner>(record, slots).*(b.outer)).*(b.inner);
}
template <typename Record, typename Slots, typename Get, typename Set>
constexpr auto read(const GetSet<Get, Set>& b, const Record& record, const Slots& /*slots*/) {
    return b.get(record);
}

/// Stores a decoded value: a view of the row into a string (or a StrongId, or a view), anything
/// else as it is.
template <typename T, typename V> void assign(T& target, V&& value) {
    if constexpr (std::is_same_v<std::remove_cvref_t<V>, std::string_view> && !std::is_same_v<T, std::string_view>) {
        if constexpr (std::is_same_v<T, std::string>) {
            target.assign(value);
        } else {
            target = T(std::string(value));
        }
    } else {
        target = std::forward<V>(value);
    }
}

template <typename Record, typename Slots, typename Owner, typename T, typename V>
void write(const Member<Owner, T>& b, Record& record, Slots& slots, V&& value) {
    assign(owner<Owner>(record, slots).*(b.member), std::forward<V>(value));
}
template <typename Record, typename Slots, typename Owner, typename Mid, typename T, typename V>
void write(const Nested<Owner, Mid, T>& b, Record& record, Slots& slots, V&& value) {
    assign((owner<Owner>(record, slots).*(b.outer)).*(b.inner), std::forward<V>(value));
}
template <typename Record, typename Slots, typename Get, typename Set, typename V>
void write(const GetSet<Get, Set>& b, Record& record, Slots& /*slots*/, V&& value) {
    b.set(record, std::forward<V>(value));
}

/// One column of a list: its name, its kind, and where its value lives.
template <typename Kind, typename Binding> struct Spec {
    std::string_view name;
    Kind kind;
    Binding binding;
};

/// Builds a Spec (clang 14, which make lint runs, has no class template argument deduction for aggregates).
template <typename Kind, typename Binding> constexpr Spec<Kind, Binding> spec(std::string_view name, Kind kind, Binding binding) {
    return {name, kind, binding};
}

/// The columns of one table, in row order, for rows of `Record` plus `Slots`.
template <typename Record, typename Slots, typename... Specs> class ColumnList {
public:
    constexpr ColumnList(std::string_view name, std::string_view title, Specs... specs) : m_name(name), m_title(title), m_specs(specs...) {
        std::size_t offset = 0;
        std::size_t i = 0;
        std::apply([&](const auto&... s) { ((m_offsets[i++] = offset, offset += s.kind.width()), ...); }, m_specs);
        m_row_size = offset;
    }

    constexpr std::string_view name() const { return m_name; }
    constexpr std::size_t row_size() const { return m_row_size; }

    /// The stored columns with their offsets (what HDF5 and the verifier see).
    TableSchema schema() const {
        std::vector<Column> columns;
        each([&](const auto& s, std::size_t offset) { s.kind.describe(s.name, offset, columns); });
        return {std::string(m_name), std::string(m_title), std::move(columns), m_row_size};
    }

    /// Zero-fills `row` (row_size() bytes) and writes every column. `record` names the row in
    /// error messages. InputError when a value does not fit its column; the row is then partly
    /// written, and the caller discards it.
    void encode(const Record& record, const Slots& slots, std::uint8_t* row, std::string_view record_name) const {
        std::memset(row, 0, m_row_size);
        const WriteContext c{m_name, record_name};
        each([&](const auto& s, std::size_t offset) { s.kind.put(read(s.binding, record, slots), row + offset, s.name, c); });
    }
    void encode(const Record& record, std::uint8_t* row, std::string_view record_name) const requires std::is_same_v<Slots, NoSlots> {
        encode(record, NoSlots{}, row, record_name);
    }

    /// Reads every column of `row` into `record` and `slots`. IoError (naming `path`) for a value
    /// that cannot be read back (a malformed time, an unknown enumerator name).
    void decode(const std::uint8_t* row, Record& record, Slots& slots, const std::string& path) const {
        const ReadContext c{m_name, path};
        each([&](const auto& s, std::size_t offset) { write(s.binding, record, slots, s.kind.get(row + offset, s.name, c)); });
    }
    Record decode(const std::uint8_t* row, const std::string& path) const requires std::is_same_v<Slots, NoSlots> {
        Record record;
        NoSlots slots;
        decode(row, record, slots, path);
        return record;
    }

private:
    template <typename F> constexpr void each(F&& f) const {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (f(std::get<I>(m_specs), m_offsets[I]), ...);
        }
        (std::index_sequence_for<Specs...>{});
    }

    std::string_view m_name;
    std::string_view m_title;
    std::tuple<Specs...> m_specs;
    std::array<std::size_t, sizeof...(Specs)> m_offsets{};
    std::size_t m_row_size = 0;
};

/// A table's column list: `list<Record, Slots>(name, title, columns...)`.
template <typename Record, typename Slots = NoSlots, typename... Specs>
constexpr ColumnList<Record, Slots, Specs...> list(std::string_view name, std::string_view title, Specs... specs) {
    return ColumnList<Record, Slots, Specs...>(name, title, specs...);
}

// ---- the column builders: name, (size,) then the binding (a member pointer, two for a member
// of a member, or getset(get, set)) ----

template <typename... B> constexpr auto text(std::string_view name, std::size_t bytes, B... b) {
    return spec(name, Text{bytes}, binding(b...));
}
template <typename... B> constexpr auto time_text(std::string_view name, B... b) {
    return spec(name, TimeText{}, binding(b...));
}
template <typename Owner, typename E> constexpr auto enum_name(std::string_view name, std::size_t bytes, E Owner::*member) {
    return spec(name, EnumName<E>{bytes}, binding(member));
}
template <typename Owner, typename E> constexpr auto enum_code(std::string_view name, E Owner::*member) {
    return spec(name, EnumCode<E>{}, binding(member));
}
template <typename T, typename... B> constexpr auto number(std::string_view name, B... b) {
    return spec(name, Number<T>{}, binding(b...));
}
template <typename... B> constexpr auto uint8(std::string_view name, B... b) {
    return number<std::uint8_t>(name, b...);
}
template <typename... B> constexpr auto uint16(std::string_view name, B... b) {
    return number<std::uint16_t>(name, b...);
}
template <typename... B> constexpr auto uint32(std::string_view name, B... b) {
    return number<std::uint32_t>(name, b...);
}
template <typename... B> constexpr auto int32(std::string_view name, B... b) {
    return number<std::int32_t>(name, b...);
}
template <typename... B> constexpr auto int64(std::string_view name, B... b) {
    return number<std::int64_t>(name, b...);
}
template <typename... B> constexpr auto uint64(std::string_view name, B... b) {
    return number<std::uint64_t>(name, b...);
}
template <typename... B> constexpr auto float64(std::string_view name, B... b) {
    return number<double>(name, b...);
}
template <typename... B> constexpr auto time_ms(std::string_view name, B... b) {
    return spec(name, TimeMs{}, binding(b...));
}
template <typename... B> constexpr auto heap(std::string_view name, B... b) {
    return spec(name, Heap{}, binding(b...));
}
template <std::size_t N, typename... B> constexpr auto heaps(const std::array<std::string_view, N>& names, B... b) {
    return spec(std::string_view{}, Heaps<N>{&names}, binding(b...));
}

} // namespace col

/// The TableSchema of a column list, built once.
template <const auto& List> const TableSchema& schema_of() {
    static const TableSchema schema = List.schema();
    return schema;
}

} // namespace avf::storage
