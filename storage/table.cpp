#include "storage/table.hpp"

#include "core/error.hpp"
#include "storage/crash_point.hpp"

#include <algorithm>
#include <limits>
#include <memory>
#include <new>
#include <zlib.h>

namespace avf::storage {
namespace {

// Level 1: on the benchmark's findings tables (bench/, 10^5 rows) the file is 8 % larger than at
// level 5 and deflate costs ~3x less CPU; what auditors verify is the rows, not the bytes.
constexpr unsigned deflate_level = 1;
constexpr std::uint64_t heap_chunk_bytes = std::uint64_t{64} * 1024;

h5::PropList chunked_creation(std::uint64_t chunk_units, const std::string& path) {
    h5::PropList dcpl(h5::check_id(H5Pcreate(H5P_DATASET_CREATE), path, "create dataset properties"));
    hsize_t chunk[1] = {chunk_units};
    h5::check(H5Pset_chunk(dcpl.get(), 1, chunk), path, "set chunk size");
    // Order matters: shuffle groups bytes of equal significance before deflate; fletcher32 last,
    // over the stored bytes, so a torn or flipped chunk fails to read instead of reading wrong.
    // filter_chunk() produces exactly this pipeline's bytes (Appender writes chunks directly).
    h5::check(H5Pset_shuffle(dcpl.get()), path, "set shuffle filter");
    h5::check(H5Pset_deflate(dcpl.get(), deflate_level), path, "set deflate filter");
    h5::check(H5Pset_fletcher32(dcpl.get()), path, "set fletcher32 filter");
    h5::check(H5Pset_obj_track_times(dcpl.get(), false), path, "disable time tracking");
    return dcpl;
}

h5::Dataset create_extendible(hid_t parent, const std::string& name, hid_t type, std::uint64_t chunk_units, const std::string& path) {
    hsize_t dims[1] = {0};
    hsize_t maxdims[1] = {H5S_UNLIMITED};
    h5::Dataspace space(h5::check_id(H5Screate_simple(1, dims, maxdims), path, "create dataspace"));
    h5::PropList dcpl = chunked_creation(chunk_units, path);
    h5::PropList lcpl = h5::utf8_link_creation(path);
    return h5::Dataset(
        h5::check_id(H5Dcreate2(parent, name.c_str(), type, space.get(), lcpl.get(), dcpl.get(), H5P_DEFAULT), path, "create dataset " + name));
}

// The deflate level when the dataset's filters are exactly chunked_creation's pipeline (shuffle
// of whole rows, deflate, fletcher32) and its fill value is the default (zero bytes, which pad a
// partial chunk): then filter_chunk() produces its chunks. -1 otherwise.
int direct_deflate_level(hid_t dcpl, std::size_t unit_size, const std::string& path) {
    const std::string what = "read the filters of a dataset";
    H5D_fill_value_t fill = H5D_FILL_VALUE_ERROR;
    h5::check(H5Pfill_value_defined(dcpl, &fill), path, what);
    if (fill != H5D_FILL_VALUE_DEFAULT || h5::check_id(H5Pget_nfilters(dcpl), path, what) != 3) {
        return -1;
    }
    const H5Z_filter_t pipeline[3] = {H5Z_FILTER_SHUFFLE, H5Z_FILTER_DEFLATE, H5Z_FILTER_FLETCHER32};
    int level = -1;
    for (unsigned i = 0; i < 3; ++i) {
        unsigned flags = 0;
        unsigned config = 0;
        unsigned values[8] = {};
        std::size_t n_values = 8;
        H5Z_filter_t id = H5Pget_filter2(dcpl, i, &flags, &n_values, values, 0, nullptr, &config);
        if (id != pipeline[i]) {
            return -1;
        }
        if (id == H5Z_FILTER_SHUFFLE && (n_values < 1 || values[0] != unit_size)) {
            return -1;
        }
        if (id == H5Z_FILTER_DEFLATE) {
            if (n_values < 1 || values[0] > 9) {
                return -1;
            }
            level = static_cast<int>(values[0]);
        }
    }
    return level;
}

// HDF5's fletcher32 (H5checksum.c, H5_checksum_fletcher32, not in HDF5's public API): Fletcher's
// sums over big-endian 16-bit words, an odd last byte as the high byte of a word, both sums
// folded to 16 bits every 360 words (the most that cannot overflow) and at the end.
std::uint32_t fletcher32(const std::uint8_t* data, std::size_t size) {
    auto fold = [](std::uint32_t sum) { return (sum & 0xffffU) + (sum >> 16); };
    std::uint32_t sum1 = 0;
    std::uint32_t sum2 = 0;
    for (std::size_t words = size / 2; words > 0;) {
        std::size_t n = std::min<std::size_t>(words, 360);
        words -= n;
        for (; n > 0; --n, data += 2) {
            sum1 += (std::uint32_t{data[0]} << 8) | data[1];
            sum2 += sum1;
        }
        sum1 = fold(sum1);
        sum2 = fold(sum2);
    }
    if (size % 2 != 0) {
        sum1 += std::uint32_t{*data} << 8;
        sum2 += sum1;
        sum1 = fold(sum1);
        sum2 = fold(sum2);
    }
    return (fold(sum2) << 16) | fold(sum1);
}

void read_selection(hid_t dataset, hid_t mem_type, std::uint64_t first, std::uint64_t count, void* out, const std::string& path,
                    const std::string& what) {
    if (count == 0) {
        return;
    }
    h5::Dataspace file_space(h5::check_id(H5Dget_space(dataset), path, what));
    hsize_t start[1] = {first};
    hsize_t n[1] = {count};
    h5::check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, n, nullptr), path, what);
    h5::Dataspace mem_space(h5::check_id(H5Screate_simple(1, n, nullptr), path, what));
    h5::check(H5Dread(dataset, mem_type, mem_space.get(), file_space.get(), H5P_DEFAULT, out), path, what);
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Filtering a chunk as HDF5 does (1.10: H5Zshuffle.c, H5Zdeflate.c, H5Zfletcher32.c)

namespace {

// One zlib deflate stream per thread and level, reset between chunks: the same bytes as
// compress2 (deflateInit at the level, default window, memory level and strategy), without
// allocating and clearing its ~300 KB of state for every chunk.
class Deflater {
public:
    explicit Deflater(int level) : m_level(level) {
        if (deflateInit(&m_stream, level) != Z_OK) {
            throw std::bad_alloc();
        }
    }
    ~Deflater() { deflateEnd(&m_stream); }
    Deflater(const Deflater&) = delete;
    Deflater& operator=(const Deflater&) = delete;

    int level() const { return m_level; }
    /// Deflates [in, in + size) into `out` (at least compressBound(size) bytes); returns the length.
    std::size_t deflate(const std::uint8_t* in, std::size_t size, std::uint8_t* out, std::size_t capacity) {
        if (size > std::numeric_limits<uInt>::max() || capacity > std::numeric_limits<uInt>::max()) {
            throw InternalError("a chunk of " + std::to_string(size) + " bytes is too large for one zlib call");
        }
        if (deflateReset(&m_stream) != Z_OK) {
            throw InternalError("zlib deflateReset failed");
        }
        m_stream.next_in = const_cast<Bytef*>(in); // zlib's API is not const-correct; it does not write
        m_stream.avail_in = static_cast<uInt>(size);
        m_stream.next_out = out;
        m_stream.avail_out = static_cast<uInt>(capacity);
        int rc = ::deflate(&m_stream, Z_FINISH);
        if (rc != Z_STREAM_END) {
            throw InternalError("deflate of a " + std::to_string(size) + "-byte chunk failed (zlib error " + std::to_string(rc) + ")");
        }
        return m_stream.total_out;
    }

private:
    int m_level;
    z_stream m_stream{};
};

// Shuffle: byte 0 of every element, then byte 1 of every element, ...; the bytes of a partial
// last element stay at the end. In blocks of elements, so that what is read stays in cache.
void shuffle(const std::uint8_t* data, std::size_t size, std::size_t element_size, std::uint8_t* out) {
    constexpr std::size_t block = 64;
    const std::size_t elements = size / element_size;
    for (std::size_t first = 0; first < elements; first += block) {
        const std::size_t last = std::min(elements, first + block);
        for (std::size_t byte = 0; byte < element_size; ++byte) {
            std::uint8_t* to = out + byte * elements;
            const std::uint8_t* from = data + byte;
            for (std::size_t i = first; i < last; ++i) {
                to[i] = from[i * element_size];
            }
        }
    }
    std::copy(data + elements * element_size, data + size, out + elements * element_size);
}

} // namespace

std::vector<std::uint8_t> filter_chunk(const std::uint8_t* data, std::size_t size, std::size_t element_size, int level) {
    // Per-thread scratch: the shuffled bytes and the deflated bytes before they are sized.
    thread_local std::vector<std::uint8_t> shuffled;
    thread_local std::vector<std::uint8_t> packed;
    thread_local std::unique_ptr<Deflater> deflater;
    const std::uint8_t* source = data;
    // Nothing to shuffle for 1-byte elements or a single element (HDF5 leaves those as they are).
    if (element_size > 1 && size / element_size > 1) {
        if (shuffled.size() < size) {
            shuffled.resize(size);
        }
        shuffle(data, size, element_size, shuffled.data());
        source = shuffled.data();
    }
    // Deflate: one zlib stream at the dataset's level, as HDF5's deflate filter writes it.
    if (!deflater || deflater->level() != level) {
        deflater = std::make_unique<Deflater>(level);
    }
    const std::size_t bound = compressBound(static_cast<uLong>(size));
    if (packed.size() < bound) {
        packed.resize(bound);
    }
    const std::size_t length = deflater->deflate(source, size, packed.data(), bound);
    // Fletcher32 of the deflated bytes, appended little-endian.
    const std::uint32_t sum = fletcher32(packed.data(), length);
    std::vector<std::uint8_t> out;
    out.reserve(length + 4);
    out.assign(packed.begin(), packed.begin() + static_cast<std::ptrdiff_t>(length));
    for (int i = 0; i < 4; ++i) {
        out.push_back(static_cast<std::uint8_t>(sum >> (8 * i)));
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Appender

Appender::Appender(h5::Dataset dataset, h5::Datatype type, std::string name, std::string path, std::size_t unit_size, std::uint64_t block_units,
                   std::uint64_t existing)
    : m_dataset(std::move(dataset)), m_type(std::move(type)), m_name(std::move(name)), m_path(std::move(path)), m_unit_size(unit_size),
      m_written(existing), m_staged(existing), m_digest(unit_size, block_units) {
    const std::string what = "read the properties of " + m_name;
    h5::PropList dcpl(h5::check_id(H5Dget_create_plist(m_dataset.get()), m_path, what));
    hsize_t chunk[1] = {0};
    if (H5Pget_layout(dcpl.get()) != H5D_CHUNKED || H5Pget_chunk(dcpl.get(), 1, chunk) != 1 || chunk[0] == 0) {
        throw IoError("dataset " + m_name + " is not a 1-D chunked dataset and cannot be appended to", Context{}.file(m_path));
    }
    m_chunk_units = chunk[0];
    m_deflate_level = direct_deflate_level(dcpl.get(), unit_size, m_path);
    m_buffer.reserve(m_chunk_units * m_unit_size);
}

std::vector<std::pair<std::string, std::string>> table_attributes(const TableSchema& schema) {
    std::vector<std::pair<std::string, std::string>> out = {{"CLASS", "TABLE"}, {"VERSION", "3.0"}, {"TITLE", schema.title()}};
    for (std::size_t i = 0; i < schema.columns().size(); ++i) {
        out.emplace_back("FIELD_" + std::to_string(i) + "_NAME", schema.columns()[i].name);
    }
    return out;
}

Appender Appender::create_table(hid_t parent, const TableSchema& schema, const std::string& path) {
    h5::Datatype type = make_table_type(schema, path);
    h5::Dataset ds = create_extendible(parent, schema.name(), type.get(), schema.chunk_rows(), path);
    // The H5TB profile (HDF5 Table Specification 1.0 as H5TB writes it), so PyTables and other
    // table-aware tools see a Table. Written once, at creation; rows are appended with the core API.
    for (const auto& [name, value] : table_attributes(schema)) {
        h5::write_string_attribute(ds.get(), name, value, path, false);
    }
    return {std::move(ds), std::move(type), schema.name(), path, schema.row_size(), table_block_rows, 0};
}

Appender Appender::create_heap(hid_t parent, const std::string& name, const std::string& path) {
    h5::Datatype type(h5::check_id(H5Tcopy(H5T_STD_U8LE), path, "create byte type"));
    h5::Dataset ds = create_extendible(parent, name, type.get(), heap_chunk_bytes, path);
    h5::write_string_attribute(ds.get(), "CONTENT", heap_description(name), path, false);
    return {std::move(ds), std::move(type), name, path, 1, heap_block_bytes, 0};
}

Appender Appender::open_table(hid_t parent, const TableSchema& schema, const std::string& path) {
    h5::Dataset ds = storage::open_table(parent, schema, path);
    std::uint64_t existing = h5::extent(ds.get(), path);
    Appender table(std::move(ds), make_table_type(schema, path), schema.name(), path, schema.row_size(), table_block_rows, existing);
    table.reload_last_chunk();
    return table;
}

void Appender::reload_last_chunk() {
    const std::uint64_t partial = m_written % m_chunk_units;
    if (m_deflate_level < 0 || partial == 0) {
        return;
    }
    m_written -= partial;
    m_buffer.resize(partial * m_unit_size);
    read_selection(m_dataset.get(), m_type.get(), m_written, partial, m_buffer.data(), m_path, "read back the last chunk of " + m_name);
    m_buffered = partial;
    m_reloaded = partial;
}

void Appender::append(const std::uint8_t* data, std::uint64_t units) {
    for (const Chunk& chunk : stage(data, units)) {
        write_chunk(chunk);
    }
}

std::vector<Appender::Chunk> Appender::stage(const std::uint8_t* data, std::uint64_t units) {
    m_digest.update(data, units);
    m_staged += units;
    std::vector<Chunk> full;
    while (units > 0) {
        std::uint64_t take = std::min(units, m_chunk_units - m_buffered);
        m_buffer.insert(m_buffer.end(), data, data + take * m_unit_size);
        m_buffered += take;
        data += take * m_unit_size;
        units -= take;
        if (m_buffered == m_chunk_units) {
            full.push_back(std::move(m_buffer));
            m_buffer = {};
            m_buffer.reserve(m_chunk_units * m_unit_size);
            m_buffered = 0;
            m_reloaded = 0;
        }
    }
    return full;
}

Appender::Chunk Appender::filtered(const std::uint8_t* data) const {
    return filter_chunk(data, m_chunk_units * m_unit_size, m_unit_size, m_deflate_level);
}

void Appender::write_chunk(const Chunk& chunk) {
    if (m_deflate_level >= 0) {
        write_filtered(filtered(chunk.data()), m_chunk_units);
    } else {
        write_rows(chunk.data(), chunk.size() / m_unit_size);
    }
}

// One whole chunk at m_written, holding `units` units (fewer than a chunk for the last one).
void Appender::write_filtered(const Chunk& chunk, std::uint64_t units) {
    std::string what = "append to " + m_name;
    hsize_t new_size[1] = {m_written + units};
    h5::check(H5Dset_extent(m_dataset.get(), new_size), m_path, what);
    hsize_t offset[1] = {m_written};
    h5::check(H5Dwrite_chunk(m_dataset.get(), H5P_DEFAULT, 0, offset, chunk.size(), chunk.data()), m_path, what);
    m_written += units;
    crash_point("chunk-write");
}

void Appender::write_rows(const std::uint8_t* data, std::uint64_t units) {
    if (units == 0) {
        return;
    }
    std::string what = "append to " + m_name;
    hsize_t new_size[1] = {m_written + units};
    h5::check(H5Dset_extent(m_dataset.get(), new_size), m_path, what);
    h5::Dataspace file_space(h5::check_id(H5Dget_space(m_dataset.get()), m_path, what));
    hsize_t start[1] = {m_written};
    hsize_t count[1] = {units};
    h5::check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr), m_path, what);
    h5::Dataspace mem_space(h5::check_id(H5Screate_simple(1, count, nullptr), m_path, what));
    h5::check(H5Dwrite(m_dataset.get(), m_type.get(), mem_space.get(), file_space.get(), H5P_DEFAULT, data), m_path, what);
    m_written += units;
    crash_point("chunk-write");
}

DigestResult Appender::finish() {
    if (m_deflate_level < 0) {
        write_rows(m_buffer.data(), m_buffered);
    } else if (m_buffered > m_reloaded) {
        // The last chunk, whole: zero-padded as HDF5 pads an edge chunk, the extent ending inside it.
        m_buffer.resize(m_chunk_units * m_unit_size, 0);
        write_filtered(filtered(m_buffer.data()), m_buffered);
    }
    m_buffer.clear();
    m_buffered = 0;
    h5::check(m_dataset.close(), m_path, "close " + m_name);
    m_type.reset();
    return m_digest.finish();
}

// ---------------------------------------------------------------------------------------------
// Types and reading

h5::Datatype make_table_type(const TableSchema& schema, const std::string& path) {
    h5::Datatype type(h5::check_id(H5Tcreate(H5T_COMPOUND, schema.row_size()), path, "create table type"));
    for (const Column& c : schema.columns()) {
        h5::Datatype member;
        auto copy = [&](hid_t predefined) { return h5::Datatype(h5::check_id(H5Tcopy(predefined), path, "copy type")); };
        switch (c.type) {
        case ColumnType::uint8: member = copy(H5T_STD_U8LE); break;
        case ColumnType::uint16: member = copy(H5T_STD_U16LE); break;
        case ColumnType::uint32: member = copy(H5T_STD_U32LE); break;
        case ColumnType::int32: member = copy(H5T_STD_I32LE); break;
        case ColumnType::int64: member = copy(H5T_STD_I64LE); break;
        case ColumnType::uint64: member = copy(H5T_STD_U64LE); break;
        case ColumnType::float64: member = copy(H5T_IEEE_F64LE); break;
        case ColumnType::string:
            member = copy(H5T_C_S1);
            h5::check(H5Tset_size(member.get(), c.size), path, "set string size");
            h5::check(H5Tset_strpad(member.get(), H5T_STR_NULLPAD), path, "set string padding");
            h5::check(H5Tset_cset(member.get(), H5T_CSET_UTF8), path, "set string character set");
            break;
        }
        h5::check(H5Tinsert(type.get(), c.name.c_str(), c.offset, member.get()), path, "add column " + c.name);
    }
    return type;
}

h5::Dataset open_table(hid_t parent, const TableSchema& schema, const std::string& path) {
    h5::Dataset ds = h5::open_dataset(parent, schema.name(), path);
    h5::Datatype stored(h5::check_id(H5Dget_type(ds.get()), path, "read type of " + schema.name()));
    h5::Datatype expected = make_table_type(schema, path);
    if (!h5::check_tri(H5Tequal(stored.get(), expected.get()), path, "compare type of " + schema.name())) {
        throw IoError("table " + schema.name() + " does not have the schema-1 column layout", Context{}.file(path));
    }
    return ds;
}

std::vector<std::uint8_t> read_rows(hid_t dataset, const TableSchema& schema, std::uint64_t first, std::uint64_t count, const std::string& path) {
    std::vector<std::uint8_t> rows(count * schema.row_size());
    h5::Datatype type = make_table_type(schema, path);
    read_selection(dataset, type.get(), first, count, rows.data(), path,
                   "read rows " + std::to_string(first) + "-" + std::to_string(first + count - 1) + " of " + schema.name());
    return rows;
}

std::vector<std::uint8_t> read_table(hid_t parent, const TableSchema& schema, const std::string& path) {
    h5::Dataset ds = open_table(parent, schema, path);
    return read_rows(ds.get(), schema, 0, h5::extent(ds.get(), path), path);
}

h5::Dataset open_heap(hid_t parent, const std::string& name, const std::string& path) {
    h5::Dataset ds = h5::open_dataset(parent, name, path);
    h5::Datatype stored(h5::check_id(H5Dget_type(ds.get()), path, "read type of " + name));
    if (H5Tget_class(stored.get()) != H5T_INTEGER || H5Tget_size(stored.get()) != 1) {
        throw IoError("dataset " + name + " is not a byte heap", Context{}.file(path));
    }
    return ds;
}

std::string read_heap_bytes(hid_t dataset, std::uint64_t first, std::uint64_t count, const std::string& path) {
    std::string bytes(count, '\0');
    read_selection(dataset, H5T_NATIVE_UINT8, first, count, bytes.data(), path,
                   "read bytes " + std::to_string(first) + "-" + std::to_string(first + count - 1));
    return bytes;
}

std::string read_heap(hid_t parent, const std::string& name, const std::string& path) {
    h5::Dataset ds = open_heap(parent, name, path);
    return read_heap_bytes(ds.get(), 0, h5::extent(ds.get(), path), path);
}

std::string heap_slice(const std::string& heap, std::uint64_t offset, std::uint64_t length, const std::string& heap_name, const std::string& path) {
    if (offset > heap.size() || length > heap.size() - offset) {
        throw IoError("reference [" + std::to_string(offset) + ", +" + std::to_string(length) + ") lies outside " + heap_name + " (" +
                          std::to_string(heap.size()) + " bytes)",
                      Context{}.file(path));
    }
    return heap.substr(offset, length);
}

std::string HeapView::slice(std::uint64_t offset, std::uint64_t length, const std::string& heap_name, const std::string& path) const {
    if (offset > total || length > total - offset) {
        throw IoError("reference [" + std::to_string(offset) + ", +" + std::to_string(length) + ") lies outside " + heap_name + " (" +
                          std::to_string(total) + " bytes)",
                      Context{}.file(path));
    }
    if (length == 0) return {};
    if (offset < first || offset - first > bytes.size() || length > bytes.size() - (offset - first)) {
        throw InternalError("reference [" + std::to_string(offset) + ", +" + std::to_string(length) + ") of " + heap_name +
                            " lies outside the part read (" + std::to_string(first) + ", +" + std::to_string(bytes.size()) + ")");
    }
    return std::string(bytes.substr(offset - first, length));
}

std::string read_heap_window(hid_t dataset, std::uint64_t first, std::uint64_t end, std::uint64_t total, const std::string& path) {
    end = std::min(end, total);
    if (first >= end) return {};
    return read_heap_bytes(dataset, first, end - first, path);
}

} // namespace avf::storage
