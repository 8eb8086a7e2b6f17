// Appender filters its chunks itself (shuffle, deflate, fletcher32) and writes them with
// H5Dwrite_chunk (issue 18, decision 2). These tests hold it to HDF5's own output: every chunk it
// stores is byte for byte the chunk H5Dwrite stores for the same rows through the same filter
// pipeline; the table reads back through HDF5 (fletcher32 verified) and h5py; a damaged chunk
// fails its checksum; partial last chunks, empty tables, appending to a table whose last chunk is
// partial, and datasets with another pipeline (written through H5Dwrite) keep working; and a
// failing write reaches the caller as an IoError.
#include "core/error.hpp"
#include "storage/schema.hpp"
#include "storage/table.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <hdf5.h>

#include <cstdint>
#include <fcntl.h>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace avf;
using namespace avf::storage;

namespace {

// Rows that deflate well but not trivially: a counter, a repeating text and zero padding.
std::vector<std::uint8_t> sample_rows(const TableSchema& schema, std::uint64_t first, std::uint64_t count) {
    std::vector<std::uint8_t> rows(count * schema.row_size());
    for (std::uint64_t r = 0; r < count; ++r) {
        std::uint8_t* row = rows.data() + r * schema.row_size();
        const std::uint64_t n = first + r;
        for (std::size_t b = 0; b < 8 && b < schema.row_size(); ++b) row[b] = static_cast<std::uint8_t>(n >> (8 * b));
        for (std::size_t b = 8; b < schema.row_size() / 2; ++b) row[b] = static_cast<std::uint8_t>('a' + (n * 7 + b) % 23);
    }
    return rows;
}

struct File {
    hid_t id;
    explicit File(const std::string& path, bool create = true)
        : id((h5::init_thread(),
              create ? H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT) : H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT))) {
        REQUIRE(id >= 0);
    }
    ~File() { H5Fclose(id); }
    File(const File&) = delete;
    File& operator=(const File&) = delete;
};

// The reference: the same dataset as Appender::create_table makes, rows written by H5Dwrite so
// that HDF5 filters them.
void write_through_hdf5(hid_t file, const std::string& name, hid_t type, std::uint64_t chunk, const std::vector<std::uint8_t>& bytes,
                        std::uint64_t units) {
    hsize_t dims[1] = {units};
    hsize_t maxdims[1] = {H5S_UNLIMITED};
    hsize_t chunk_dims[1] = {chunk};
    hid_t space = H5Screate_simple(1, dims, maxdims);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    REQUIRE(H5Pset_chunk(dcpl, 1, chunk_dims) >= 0);
    REQUIRE(H5Pset_shuffle(dcpl) >= 0);
    REQUIRE(H5Pset_deflate(dcpl, 1) >= 0);
    REQUIRE(H5Pset_fletcher32(dcpl) >= 0);
    hid_t ds = H5Dcreate2(file, name.c_str(), type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    REQUIRE(ds >= 0);
    if (units > 0) REQUIRE(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data()) >= 0);
    H5Dclose(ds);
    H5Pclose(dcpl);
    H5Sclose(space);
}

struct StoredChunk {
    std::uint32_t mask = 0;
    std::vector<std::uint8_t> bytes;
};

// Every chunk of a 1-D dataset as stored in the file, with its filter mask.
std::vector<StoredChunk> stored_chunks(hid_t file, const std::string& name) {
    hid_t ds = H5Dopen2(file, name.c_str(), H5P_DEFAULT);
    REQUIRE(ds >= 0);
    hid_t dcpl = H5Dget_create_plist(ds);
    hsize_t chunk[1] = {0};
    REQUIRE(H5Pget_chunk(dcpl, 1, chunk) == 1);
    hid_t space = H5Dget_space(ds);
    hsize_t dims[1] = {0};
    H5Sget_simple_extent_dims(space, dims, nullptr);
    std::vector<StoredChunk> out;
    for (hsize_t at = 0; at < dims[0]; at += chunk[0]) {
        hsize_t offset[1] = {at};
        hsize_t size = 0;
        REQUIRE(H5Dget_chunk_storage_size(ds, offset, &size) >= 0);
        StoredChunk c;
        c.bytes.resize(size);
        REQUIRE(H5Dread_chunk(ds, H5P_DEFAULT, offset, &c.mask, c.bytes.data()) >= 0);
        out.push_back(std::move(c));
    }
    H5Sclose(space);
    H5Pclose(dcpl);
    H5Dclose(ds);
    return out;
}

void require_same_chunks(hid_t file, const std::string& ours, const std::string& hdf5s) {
    std::vector<StoredChunk> a = stored_chunks(file, ours);
    std::vector<StoredChunk> b = stored_chunks(file, hdf5s);
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        INFO("chunk " << i);
        CHECK(a[i].mask == 0);
        CHECK(b[i].mask == 0);
        CHECK(a[i].bytes == b[i].bytes);
    }
}

// Appends `rows` in uneven slices through stage() on this thread and write_chunk() on another,
// as the run's writer thread does.
DigestResult append_split(Appender& table, const std::vector<std::uint8_t>& rows, std::size_t row_size) {
    const std::uint64_t n = rows.size() / row_size;
    std::vector<Appender::Chunk> chunks;
    for (std::uint64_t at = 0, step = 1; at < n; at += step, step = step * 3 + 1) {
        const std::uint64_t take = std::min(step, n - at);
        for (auto& c : table.stage(rows.data() + at * row_size, take)) chunks.push_back(std::move(c));
    }
    std::thread writer([&] {
        for (const auto& c : chunks) table.write_chunk(c);
    });
    writer.join();
    return table.finish();
}

std::string h5py_sha256(const std::string& path, const std::string& dataset) {
    std::string out;
    const std::string script = "import h5py,hashlib,sys; d=h5py.File(sys.argv[1],'r')[sys.argv[2]]; "
                               "print(d.fletcher32, d.shuffle, d.compression, d.compression_opts, hashlib.sha256(d[()].tobytes()).hexdigest())";
    REQUIRE(test::run_command("/usr/bin/python3 -c \"" + script + "\" '" + path + "' '" + dataset + "'", out) == 0);
    return out;
}

} // namespace

TEST_CASE("Appender stores the chunks HDF5's own filter pipeline stores, partial last chunk included", "[storage][chunks]") {
    test::TempDir tmp;
    const std::string path = (tmp.path() / "t.h5").string();
    const TableSchema& schema = problems_table();
    const std::uint64_t chunk = schema.chunk_rows();
    const std::uint64_t n = 2 * chunk + 37;
    const std::vector<std::uint8_t> rows = sample_rows(schema, 0, n);
    {
        File f(path);
        Appender table = Appender::create_table(f.id, schema, path);
        DigestResult d = append_split(table, rows, schema.row_size());
        CHECK(d.units == n);
        h5::Datatype type = make_table_type(schema, path);
        write_through_hdf5(f.id, "reference", type.get(), chunk, rows, n);
        require_same_chunks(f.id, schema.name(), "reference");
        // Read back through HDF5, with fletcher32 verification on (the default).
        H5Z_EDC_t edc = H5Z_DISABLE_EDC;
        hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
        edc = H5Pget_edc_check(dxpl);
        H5Pclose(dxpl);
        CHECK(edc == H5Z_ENABLE_EDC);
        CHECK(read_table(f.id, schema, path) == rows);
    }
    const std::string ours = h5py_sha256(path, schema.name());
    CHECK_THAT(ours, Catch::StartsWith("True True gzip 1 "));
    CHECK(ours == h5py_sha256(path, "reference"));
}

TEST_CASE("Appender heaps: chunks identical to HDF5's, a heap shorter than one chunk", "[storage][chunks]") {
    test::TempDir tmp;
    const std::string path = (tmp.path() / "h.h5").string();
    for (std::size_t size : {std::size_t{100}, std::size_t{200'001}}) {
        DYNAMIC_SECTION("bytes " << size) {
            std::string text;
            for (std::size_t i = 0; text.size() < size; ++i) text += "finding " + std::to_string(i * 7919 % 1000) + " lies inside zone K-17. ";
            text.resize(size);
            File f(path);
            const std::string name(layout::explanations);
            Appender heap = Appender::create_heap(f.id, name, path);
            for (auto& c : heap.stage_bytes(text)) heap.write_chunk(c);
            heap.finish();
            h5::Datatype u8(H5Tcopy(H5T_STD_U8LE));
            write_through_hdf5(f.id, "reference", u8.get(), 64 * 1024, std::vector<std::uint8_t>(text.begin(), text.end()), size);
            require_same_chunks(f.id, name, "reference");
            CHECK(read_heap(f.id, name, path) == text);
        }
    }
}

TEST_CASE("Appender: an empty table has no chunk and reads back empty", "[storage][chunks]") {
    test::TempDir tmp;
    const std::string path = (tmp.path() / "e.h5").string();
    File f(path);
    Appender table = Appender::create_table(f.id, problems_table(), path);
    CHECK(table.stage(nullptr, 0).empty());
    DigestResult d = table.finish();
    CHECK(d.units == 0);
    CHECK(stored_chunks(f.id, problems_table().name()).empty());
    CHECK(read_table(f.id, problems_table(), path).empty());
}

TEST_CASE("Appender: appending to a table whose last chunk is partial rewrites that chunk whole", "[storage][chunks]") {
    test::TempDir tmp;
    const std::string path = (tmp.path() / "a.h5").string();
    const TableSchema& schema = problems_table();
    const std::uint64_t chunk = schema.chunk_rows();
    const std::uint64_t first = chunk + 5;
    for (std::uint64_t second : {std::uint64_t{0}, std::uint64_t{3}, chunk + 11}) {
        DYNAMIC_SECTION("then " << second << " rows") {
            const std::vector<std::uint8_t> all = sample_rows(schema, 0, first + second);
            const std::vector<std::uint8_t> head(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(first * schema.row_size()));
            const std::vector<std::uint8_t> tail(all.begin() + static_cast<std::ptrdiff_t>(first * schema.row_size()), all.end());
            {
                File f(path);
                Appender table = Appender::create_table(f.id, schema, path);
                table.append(head.data(), first);
                table.finish();
            }
            File f(path, false);
            Appender table = Appender::open_table(f.id, schema, path);
            CHECK(table.size() == first);
            DigestResult d = append_split(table, tail, schema.row_size());
            CHECK(d.units == second); // the digests cover only the rows appended
            CHECK(read_table(f.id, schema, path) == all);
            h5::Datatype type = make_table_type(schema, path);
            write_through_hdf5(f.id, "reference", type.get(), chunk, all, first + second);
            require_same_chunks(f.id, schema.name(), "reference");
        }
    }
}

TEST_CASE("Appender: a dataset with another filter pipeline is appended to through HDF5's filters", "[storage][chunks]") {
    test::TempDir tmp;
    const std::string path = (tmp.path() / "o.h5").string();
    const TableSchema& schema = problems_table();
    const std::vector<std::uint8_t> rows = sample_rows(schema, 0, 1500);
    File f(path);
    {
        // Deflate alone, chunks of 100 rows: not the pipeline Appender produces.
        hsize_t dims[1] = {0};
        hsize_t maxdims[1] = {H5S_UNLIMITED};
        hsize_t chunk[1] = {100};
        hid_t space = H5Screate_simple(1, dims, maxdims);
        hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
        H5Pset_chunk(dcpl, 1, chunk);
        H5Pset_deflate(dcpl, 6);
        h5::Datatype type = make_table_type(schema, path);
        hid_t ds = H5Dcreate2(f.id, schema.name().c_str(), type.get(), space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
        REQUIRE(ds >= 0);
        H5Dclose(ds);
        H5Pclose(dcpl);
        H5Sclose(space);
    }
    Appender table = Appender::open_table(f.id, schema, path);
    append_split(table, rows, schema.row_size());
    CHECK(read_table(f.id, schema, path) == rows);
    hid_t ds = H5Dopen2(f.id, schema.name().c_str(), H5P_DEFAULT);
    hid_t dcpl = H5Dget_create_plist(ds);
    CHECK(H5Pget_nfilters(dcpl) == 1);
    H5Pclose(dcpl);
    H5Dclose(ds);
}

TEST_CASE("Appender: a damaged chunk fails its fletcher32 check on reading", "[storage][chunks]") {
    test::TempDir tmp;
    const std::string path = (tmp.path() / "d.h5").string();
    const TableSchema& schema = problems_table();
    const std::vector<std::uint8_t> rows = sample_rows(schema, 0, schema.chunk_rows());
    File f(path);
    Appender table = Appender::create_table(f.id, schema, path);
    std::vector<Appender::Chunk> chunks = table.stage(rows.data(), schema.chunk_rows());
    REQUIRE(chunks.size() == 1);
    table.write_chunk(chunks[0]);
    table.finish();
    REQUIRE(read_table(f.id, schema, path) == rows);
    // A flipped bit inside the stored, deflated chunk.
    hid_t ds = H5Dopen2(f.id, schema.name().c_str(), H5P_DEFAULT);
    REQUIRE(ds >= 0);
    hsize_t offset[1] = {0};
    hsize_t stored_size = 0;
    REQUIRE(H5Dget_chunk_storage_size(ds, offset, &stored_size) >= 0);
    std::vector<std::uint8_t> stored(stored_size);
    std::uint32_t mask = 0;
    REQUIRE(H5Dread_chunk(ds, H5P_DEFAULT, offset, &mask, stored.data()) >= 0);
    stored[stored.size() / 2] ^= 0x01;
    REQUIRE(H5Dwrite_chunk(ds, H5P_DEFAULT, mask, offset, stored.size(), stored.data()) >= 0);
    H5Dclose(ds);
    CHECK_THROWS_AS(read_table(f.id, schema, path), IoError);
}

TEST_CASE("Appender: a failing chunk write is an IoError naming the file and the table", "[storage][chunks]") {
    test::TempDir tmp;
    const std::string path = (tmp.path() / "w.h5").string();
    const TableSchema& schema = problems_table();
    const std::vector<std::uint8_t> rows = sample_rows(schema, 0, schema.chunk_rows());
    File f(path);
    Appender table = Appender::create_table(f.id, schema, path);
    std::vector<Appender::Chunk> chunks = table.stage(rows.data(), schema.chunk_rows());
    REQUIRE(chunks.size() == 1);
    // The file's descriptor made read-only for the write: pwrite fails with EBADF.
    int* fd = nullptr;
    REQUIRE(H5Fget_vfd_handle(f.id, H5P_DEFAULT, reinterpret_cast<void**>(&fd)) >= 0);
    const int saved = dup(*fd);
    const int read_only = open(path.c_str(), O_RDONLY);
    REQUIRE((saved >= 0 && read_only >= 0));
    REQUIRE(dup2(read_only, *fd) == *fd);
    std::string message;
    try {
        table.write_chunk(chunks[0]);
    } catch (const IoError& e) {
        message = e.what();
    }
    REQUIRE(dup2(saved, *fd) == *fd);
    close(saved);
    close(read_only);
    CHECK_THAT(message, Catch::Contains(path) && Catch::Contains("append to " + schema.name()));
}
