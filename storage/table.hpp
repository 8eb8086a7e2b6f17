// Internal to storage/: appending the canonical rows of a table (storage/columns.hpp encodes them)
// and byte heaps to chunked datasets, and reading them back.
//
//   RowBuffer rows(findings_table(), n);                            // zero-filled
//   for (i...) encode_finding(f[i], ..., rows.row(i), ...);
//   Appender table = Appender::create_table(run_group, findings_table(), path);
//   table.append(rows.data(), rows.rows());                         // buffered, written by whole chunks
//   DigestResult d = table.finish();                                // flushes, returns the digests
//
// Byte order is little-endian whatever the host, fixed by the encoder rather than left to HDF5
// conversions, so the bytes hashed are the bytes stored.
//
// Chunks are filtered here, not by HDF5: write_chunk() shuffles, deflates and checksums
// (fletcher32) every whole chunk that stage() cut, exactly as HDF5's filter pipeline would, and
// hands the finished bytes to H5Dwrite_chunk. The files are the same plain
// shuffle + deflate + fletcher32 datasets any HDF5 reader opens (and verifies) as before.
#pragma once

#include "storage/content_digest.hpp"
#include "storage/hdf5_handle.hpp"
#include "storage/schema.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace avf::storage {

/// Appends to a 1-D chunked dataset (shuffle + deflate + fletcher32) and digests what it appends.
/// Buffers up to one chunk and writes whole chunks, filtered by filter_chunk() and written with
/// H5Dwrite_chunk; the last, partial chunk is written whole (zero-padded, as HDF5 pads it) with
/// the extent ending inside it. A table opened for appending whose last chunk is partial has that
/// chunk's rows read back once, at open, so that every chunk written is whole and aligned. A
/// dataset whose filters are not exactly that pipeline (none written by avf) is appended to
/// through H5Dwrite, HDF5 filtering.
class Appender {
public:
    /// Creates the table dataset with its H5TB attributes (CLASS, VERSION, TITLE, FIELD_n_NAME).
    static Appender create_table(hid_t parent, const TableSchema& schema, const std::string& path);
    /// Creates a uint8 byte heap dataset; its CONTENT attribute is heap_description(name).
    static Appender create_heap(hid_t parent, const std::string& name, const std::string& path);
    /// Opens an existing table for appending (the audit chain); digests cover only new rows.
    static Appender open_table(hid_t parent, const TableSchema& schema, const std::string& path);

    Appender(Appender&&) noexcept = default;
    Appender& operator=(Appender&&) noexcept = default;

    /// `units` rows of the table (row_size bytes each) or bytes of the heap.
    void append(const std::uint8_t* data, std::uint64_t units);
    void append_bytes(std::string_view bytes) { append(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()); }

    /// append() in two halves, for a writer that encodes on one thread and writes on another:
    /// stage() digests and buffers `units` and returns the whole chunks they completed, as rows,
    /// touching no HDF5 object; write_chunk() filters one such chunk (shuffle, deflate, checksum:
    /// the bytes stored) and writes it. The filtering is the writing thread's: the staging thread
    /// (merge, encode, digest) is the write phase's critical path (docs/decisions.md §18). Chunks
    /// are written in the order they were staged. stage() and write_chunk() may run on two
    /// different threads at the same time; neither may run twice at once, and finish() comes
    /// after both.
    using Chunk = std::vector<std::uint8_t>;
    std::vector<Chunk> stage(const std::uint8_t* data, std::uint64_t units);
    std::vector<Chunk> stage_bytes(std::string_view bytes) { return stage(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()); }
    void write_chunk(const Chunk& chunk);

    /// Units appended or staged so far (including those still buffered), i.e. the next offset or row.
    std::uint64_t size() const { return m_staged; }
    /// Writes what is buffered, closes the dataset and returns the digest of everything appended.
    DigestResult finish();
    /// The file's identifiers are gone (closed with H5F_CLOSE_STRONG): forget them unclosed.
    void release() noexcept {
        m_dataset.release();
        m_type.release();
    }

private:
    Appender(h5::Dataset dataset, h5::Datatype type, std::string name, std::string path, std::size_t unit_size, std::uint64_t block_units,
             std::uint64_t existing);
    /// Reads back the rows of a partial last chunk into the buffer (direct writing only).
    void reload_last_chunk();
    Chunk filtered(const std::uint8_t* data) const;
    void write_filtered(const Chunk& chunk, std::uint64_t units);
    void write_rows(const std::uint8_t* data, std::uint64_t units);

    h5::Dataset m_dataset;
    h5::Datatype m_type;
    std::string m_name;
    std::string m_path;
    std::size_t m_unit_size;
    std::uint64_t m_chunk_units; ///< the dataset's chunk size
    /// The deflate level of the dataset's shuffle + deflate + fletcher32 pipeline, or -1 when its
    /// filters are another pipeline (then HDF5 filters: H5Dwrite). Fixed at construction.
    int m_deflate_level = -1;
    std::uint64_t m_written; ///< units in the dataset, or where the next chunk starts (the writing side)
    // The staging side:
    std::uint64_t m_staged; ///< units staged: written, in chunks handed out, or buffered
    std::uint64_t m_buffered = 0;
    std::uint64_t m_reloaded = 0; ///< leading buffered units read back from the file, not staged
    std::vector<std::uint8_t> m_buffer;
    ContentDigest m_digest;
};

/// The bytes HDF5's filter pipeline shuffle (element size `element_size`), deflate (`level`),
/// fletcher32 stores for `size` bytes of one chunk: what H5Dwrite_chunk takes with filter mask 0.
std::vector<std::uint8_t> filter_chunk(const std::uint8_t* data, std::size_t size, std::size_t element_size, int level);

/// The H5TB attributes of a table as create_table writes them (CLASS, VERSION, TITLE,
/// FIELD_<n>_NAME), in order, with their values.
std::vector<std::pair<std::string, std::string>> table_attributes(const TableSchema& schema);

/// The HDF5 compound type of a schema: packed, explicit offsets, little-endian members.
h5::Datatype make_table_type(const TableSchema& schema, const std::string& path);

/// Opens table `schema.name()` in `parent` and checks it has exactly the schema's layout.
h5::Dataset open_table(hid_t parent, const TableSchema& schema, const std::string& path);
/// Rows [first, first + count) of an open table, as canonical row bytes.
std::vector<std::uint8_t> read_rows(hid_t dataset, const TableSchema& schema, std::uint64_t first, std::uint64_t count, const std::string& path);
/// Every row of table `schema.name()` in `parent`.
std::vector<std::uint8_t> read_table(hid_t parent, const TableSchema& schema, const std::string& path);
/// Opens byte heap `name` in `parent`, checking it is a 1-D uint8 dataset.
h5::Dataset open_heap(hid_t parent, const std::string& name, const std::string& path);
/// Bytes [first, first + count) of an open heap.
std::string read_heap_bytes(hid_t dataset, std::uint64_t first, std::uint64_t count, const std::string& path);
/// The whole byte heap `name` in `parent`.
std::string read_heap(hid_t parent, const std::string& name, const std::string& path);

/// The value at [offset, offset + length) of a heap; IoError when the reference is out of range.
std::string heap_slice(const std::string& heap, std::uint64_t offset, std::uint64_t length, const std::string& heap_name, const std::string& path);

/// Part of a byte heap of `total` bytes: bytes [first, first + bytes.size()), what a batch of rows
/// refers to (storage::FindingCursor reads a run's heaps a window at a time).
struct HeapView {
    std::string_view bytes;
    std::uint64_t first = 0;
    std::uint64_t total = 0;
    /// A whole heap held in memory.
    static HeapView whole(const std::string& heap) { return HeapView{heap, 0, heap.size()}; }
    /// heap_slice() of the whole heap: IoError (as heap_slice words it) when the reference lies
    /// outside the heap, InternalError when it lies in the heap but outside this view.
    std::string slice(std::uint64_t offset, std::uint64_t length, const std::string& heap_name, const std::string& path) const;
};
/// The bytes of open heap `dataset` (`total` bytes) covering [first, end), clamped to the heap.
std::string read_heap_window(hid_t dataset, std::uint64_t first, std::uint64_t end, std::uint64_t total, const std::string& path);

} // namespace avf::storage
