#include "storage/hdf5_handle.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cstring>
#include <mutex>

namespace avf::storage::h5 {
namespace {

herr_t collect_error(unsigned /*depth*/, const H5E_error2_t* entry, void* data) {
    auto* out = static_cast<std::vector<std::string>*>(data);
    std::string text = entry->func_name ? entry->func_name : "?";
    text += "(): ";
    text += entry->desc ? entry->desc : "(no description)";
    out->push_back(std::move(text));
    return 0;
}

/// "H5Dwrite(): can't write data (cause: H5FD_sec2_write(): file write failed: ... errno = 28 ...)".
/// The outermost entry says which API call failed, the innermost why; the middle adds nothing an
/// operator can act on.
std::string take_error_message() {
    std::vector<std::string> entries;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_error, &entries);
    H5Eclear2(H5E_DEFAULT);
    // Some descriptions embed ctime() output with its newline; keep the message on one line.
    for (auto& e : entries) {
        std::erase(e, '\n');
    }
    if (entries.empty()) {
        return "HDF5 reported no error message";
    }
    if (entries.size() == 1) {
        return entries.front();
    }
    return entries.front() + " (cause: " + entries.back() + ")";
}

Datatype string_type(std::size_t size, H5T_str_t pad, bool utf8, const std::string& path) {
    Datatype t(check_id(H5Tcopy(H5T_C_S1), path, "create string type"));
    check(H5Tset_size(t.get(), size), path, "set string size");
    check(H5Tset_strpad(t.get(), pad), path, "set string padding");
    check(H5Tset_cset(t.get(), utf8 ? H5T_CSET_UTF8 : H5T_CSET_ASCII), path, "set string character set");
    return t;
}

/// Reads a scalar string (attribute or dataset) given its file type, through `read`.
template <typename Read> std::string read_scalar_string(hid_t file_type, const std::string& path, std::string_view what, Read read) {
    if (H5Tget_class(file_type) != H5T_STRING) {
        throw IoError(std::string(what) + " is not a string", Context{}.file(path));
    }
    if (check_tri(H5Tis_variable_str(file_type), path, what)) {
        Datatype mem = Datatype(check_id(H5Tcopy(H5T_C_S1), path, what));
        check(H5Tset_size(mem.get(), H5T_VARIABLE), path, what);
        check(H5Tset_cset(mem.get(), H5Tget_cset(file_type)), path, what);
        char* value = nullptr;
        check(read(mem.get(), &value), path, what);
        std::string out = value ? value : "";
        H5free_memory(value);
        return out;
    }
    std::size_t size = H5Tget_size(file_type);
    if (size == 0) {
        fail(path, what);
    }
    std::string buffer(size, '\0');
    check(read(file_type, buffer.data()), path, what);
    // NULLTERM and NULLPAD both end the value at the first NUL; SPACEPAD is never written by avf.
    auto nul = buffer.find('\0');
    if (nul != std::string::npos) {
        buffer.resize(nul);
    }
    return buffer;
}

} // namespace

void init_thread() {
    // HDF5 registers H5close() with atexit() when it initialises. After a failed H5Fclose (a full
    // disk while abandoning a transaction) the library keeps a half-closed file, and that atexit
    // teardown then crashes (measured: SIGSEGV in H5F__close_cb), turning exit code 4 into 139.
    // Every store file is closed explicitly by its owner, so the teardown has nothing to save;
    // H5dont_atexit() must run before HDF5 initialises, hence first, once per process.
    static std::once_flag no_atexit;
    std::call_once(no_atexit, [] { H5dont_atexit(); });
    thread_local bool done = false;
    if (!done) {
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
        done = true;
    }
}

void fail(const std::string& path, std::string_view what) {
    std::string message = std::string(what) + ": " + take_error_message();
    throw IoError(message, Context{}.file(path));
}

PropList store_file_access(const std::string& path) {
    PropList fapl(check_id(H5Pcreate(H5P_FILE_ACCESS), path, "create file access properties"));
    check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG), path, "set close degree");
    check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V18, H5F_LIBVER_V110), path, "set format bounds");
    return fapl;
}

PropList utf8_link_creation(const std::string& path) {
    PropList lcpl(check_id(H5Pcreate(H5P_LINK_CREATE), path, "create link properties"));
    check(H5Pset_char_encoding(lcpl.get(), H5T_CSET_UTF8), path, "set link name encoding");
    return lcpl;
}

Group create_group(hid_t parent, const std::string& name, bool track_order, const std::string& path) {
    PropList lcpl = utf8_link_creation(path);
    PropList gcpl(check_id(H5Pcreate(H5P_GROUP_CREATE), path, "create group properties"));
    // No modification times in object headers: the same content gives the same bytes.
    check(H5Pset_obj_track_times(gcpl.get(), false), path, "disable time tracking");
    if (track_order) {
        check(H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED), path, "track link creation order");
    }
    return Group(check_id(H5Gcreate2(parent, name.c_str(), lcpl.get(), gcpl.get(), H5P_DEFAULT), path, "create group " + name));
}

Group open_group(hid_t parent, const std::string& name, const std::string& path) {
    return Group(check_id(H5Gopen2(parent, name.c_str(), H5P_DEFAULT), path, "open group " + name));
}

Dataset open_dataset(hid_t parent, const std::string& name, const std::string& path) {
    return Dataset(check_id(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), path, "open dataset " + name));
}

bool link_exists(hid_t parent, const std::string& name, const std::string& path) {
    return check_tri(H5Lexists(parent, name.c_str(), H5P_DEFAULT), path, "look up " + name);
}

std::vector<std::string> list_links(hid_t group, const std::string& path) {
    std::vector<std::string> names;
    auto collect = [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
        static_cast<std::vector<std::string>*>(data)->emplace_back(name);
        return 0;
    };
    PropList gcpl(check_id(H5Gget_create_plist(group), path, "read group properties"));
    unsigned order_flags = 0;
    check(H5Pget_link_creation_order(gcpl.get(), &order_flags), path, "read link creation order");
    H5_index_t index = (order_flags & H5P_CRT_ORDER_INDEXED) ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME;
    hsize_t position = 0;
    check(H5Literate(group, index, H5_ITER_INC, &position, collect, &names), path, "list group");
    return names;
}

void write_string_attribute(hid_t object, const std::string& name, std::string_view value, const std::string& path, bool utf8) {
    if (value.find('\0') != std::string_view::npos) {
        throw InputError("attribute " + name + " contains a NUL byte", Context{}.file(path));
    }
    if (check_tri(H5Aexists(object, name.c_str()), path, "look up attribute " + name)) {
        check(H5Adelete(object, name.c_str()), path, "replace attribute " + name);
    }
    Datatype type = string_type(value.size() + 1, H5T_STR_NULLTERM, utf8, path);
    Dataspace space(check_id(H5Screate(H5S_SCALAR), path, "create dataspace"));
    Attribute attr(check_id(H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), path, "create attribute " + name));
    std::string buffer(value);
    buffer.push_back('\0');
    check(H5Awrite(attr.get(), type.get(), buffer.data()), path, "write attribute " + name);
}

bool has_attribute(hid_t object, const std::string& name, const std::string& path) {
    return check_tri(H5Aexists(object, name.c_str()), path, "look up attribute " + name);
}

std::string read_string_attribute(hid_t object, const std::string& name, const std::string& path) {
    std::string what = "read attribute " + name;
    Attribute attr(check_id(H5Aopen(object, name.c_str(), H5P_DEFAULT), path, what));
    Datatype type(check_id(H5Aget_type(attr.get()), path, what));
    return read_scalar_string(type.get(), path, what, [&](hid_t mem, void* buffer) { return H5Aread(attr.get(), mem, buffer); });
}

void write_int_attribute(hid_t object, const std::string& name, std::int64_t value, const std::string& path) {
    if (check_tri(H5Aexists(object, name.c_str()), path, "look up attribute " + name)) {
        check(H5Adelete(object, name.c_str()), path, "replace attribute " + name);
    }
    Dataspace space(check_id(H5Screate(H5S_SCALAR), path, "create dataspace"));
    // 32-bit on disk: small integers such as schema_version read naturally everywhere.
    Attribute attr(
        check_id(H5Acreate2(object, name.c_str(), H5T_STD_I32LE, space.get(), H5P_DEFAULT, H5P_DEFAULT), path, "create attribute " + name));
    check(H5Awrite(attr.get(), H5T_NATIVE_INT64, &value), path, "write attribute " + name);
}

std::int64_t read_int_attribute(hid_t object, const std::string& name, const std::string& path) {
    std::string what = "read attribute " + name;
    Attribute attr(check_id(H5Aopen(object, name.c_str(), H5P_DEFAULT), path, what));
    Datatype type(check_id(H5Aget_type(attr.get()), path, what));
    if (H5Tget_class(type.get()) != H5T_INTEGER) {
        throw IoError("attribute " + name + " is not an integer", Context{}.file(path));
    }
    std::int64_t value = 0;
    check(H5Aread(attr.get(), H5T_NATIVE_INT64, &value), path, what);
    return value;
}

void write_scalar_text(hid_t parent, const std::string& name, std::string_view value, const std::string& path) {
    if (value.find('\0') != std::string_view::npos) {
        throw InputError(name + " contains a NUL byte and cannot be kept verbatim", Context{}.file(path));
    }
    Datatype type = string_type(value.empty() ? 1 : value.size(), H5T_STR_NULLPAD, true, path);
    Dataspace space(check_id(H5Screate(H5S_SCALAR), path, "create dataspace"));
    PropList dcpl(check_id(H5Pcreate(H5P_DATASET_CREATE), path, "create dataset properties"));
    check(H5Pset_obj_track_times(dcpl.get(), false), path, "disable time tracking");
    Dataset ds(
        check_id(H5Dcreate2(parent, name.c_str(), type.get(), space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT), path, "create dataset " + name));
    std::string buffer(value);
    if (buffer.empty()) {
        buffer.push_back('\0');
    }
    check(H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()), path, "write dataset " + name);
    // A small contiguous write stays in HDF5's sieve buffer until the dataset is closed: the
    // write error, if any, comes from H5Dclose, and a destructor would drop it (found by the
    // I/O-error sweep: ENOSPC on the 2nd pwrite published a run whose regime_text was empty).
    check(ds.close(), path, "close dataset " + name);
}

std::string read_scalar_text(hid_t parent, const std::string& name, const std::string& path) {
    std::string what = "read dataset " + name;
    Dataset ds = open_dataset(parent, name, path);
    Datatype type(check_id(H5Dget_type(ds.get()), path, what));
    return read_scalar_string(type.get(), path, what,
                              [&](hid_t mem, void* buffer) { return H5Dread(ds.get(), mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer); });
}

std::uint64_t extent(hid_t dataset, const std::string& path) {
    Dataspace space(check_id(H5Dget_space(dataset), path, "read dataset extent"));
    int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank != 1) {
        throw IoError("expected a 1-D dataset, found rank " + std::to_string(rank), Context{}.file(path));
    }
    hsize_t dims[1] = {0};
    check(H5Sget_simple_extent_dims(space.get(), dims, nullptr), path, "read dataset extent");
    return dims[0];
}

std::vector<std::string> list_attributes(hid_t object, const std::string& path) {
    std::vector<std::string> names;
    auto collect = [](hid_t, const char* name, const H5A_info_t*, void* data) -> herr_t {
        static_cast<std::vector<std::string>*>(data)->emplace_back(name);
        return 0;
    };
    hsize_t position = 0;
    check(H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_INC, &position, collect, &names), path, "list attributes");
    return names;
}

haddr_t object_address(hid_t object, const std::string& path) {
    H5O_info_t info{};
    check(H5Oget_info2(object, &info, H5O_INFO_BASIC), path, "read object information");
    return info.addr;
}

namespace {

bool is_hard_link_to(hid_t group, const std::string& name, H5O_type_t type, const std::string& path) {
    H5L_info_t link{};
    check(H5Lget_info(group, name.c_str(), &link, H5P_DEFAULT), path, "read link " + name);
    if (link.type != H5L_TYPE_HARD) {
        return false;
    }
    H5O_info_t info{};
    check(H5Oget_info_by_name2(group, name.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT), path, "read object " + name);
    return info.type == type;
}

/// Reads one object in full for read_every_object(); throws IoError on the first failure.
class ObjectReader {
public:
    explicit ObjectReader(std::vector<haddr_t> already_read) : m_skip(std::move(already_read)) { std::sort(m_skip.begin(), m_skip.end()); }

    void read(hid_t root, const char* name, const H5O_info_t& info) {
        const std::string where = name;
        Handle<H5Oclose> object(check_id(H5Oopen(root, name, H5P_DEFAULT), where, "open object"));
        for (hsize_t i = 0; i < info.num_attrs; ++i) {
            Attribute attr(check_id(H5Aopen_by_idx(object.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, H5P_DEFAULT, H5P_DEFAULT), where,
                                    "open attribute " + std::to_string(i)));
            Datatype type(check_id(H5Aget_type(attr.get()), where, "read attribute type"));
            Dataspace space(check_id(H5Aget_space(attr.get()), where, "read attribute dataspace"));
            read_values(type.get(), space.get(), where, [&](hid_t mem, void* buffer) { return H5Aread(attr.get(), mem, buffer); });
        }
        if (info.type == H5O_TYPE_DATASET && !std::binary_search(m_skip.begin(), m_skip.end(), info.addr)) {
            read_dataset(object.get(), where);
        }
    }

private:
    /// Reads every element of `space` through `read` into memory of the type's native form (as
    /// h5py and h5dump convert it), then frees what a variable-length read allocated.
    template <typename Read> void read_values(hid_t file_type, hid_t space, const std::string& where, Read read) {
        Datatype mem(check_id(H5Tget_native_type(file_type, H5T_DIR_ASCEND), where, "convert datatype"));
        hssize_t n = H5Sget_select_npoints(space);
        if (n < 0) fail(where, "count elements");
        std::size_t size = H5Tget_size(mem.get());
        if (size == 0) fail(where, "size datatype");
        std::vector<unsigned char> buffer(static_cast<std::size_t>(n) * size + 1);
        check(read(mem.get(), buffer.data()), where, "read");
        if (check_tri(H5Tdetect_class(mem.get(), H5T_VLEN), where, "inspect datatype") ||
            check_tri(H5Tis_variable_str(mem.get()), where, "inspect datatype")) {
            check(H5Dvlen_reclaim(mem.get(), space, H5P_DEFAULT, buffer.data()), where, "free variable-length data");
        }
    }

    void read_dataset(hid_t object, const std::string& where) {
        Datatype type(check_id(H5Dget_type(object), where, "read dataset type"));
        Dataspace space(check_id(H5Dget_space(object), where, "read dataset dataspace"));
        int rank = H5Sget_simple_extent_ndims(space.get());
        if (rank < 0) fail(where, "read dataset rank");
        if (rank == 0) {
            read_values(type.get(), space.get(), where,
                        [&](hid_t mem, void* buffer) { return H5Dread(object, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer); });
            return;
        }
        std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
        check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), where, "read dataset extent");
        // Slices along the first dimension of at most ~16 MiB, whole chunks where possible.
        hsize_t per_row = H5Tget_size(type.get());
        for (std::size_t d = 1; d < dims.size(); ++d) per_row *= std::max<hsize_t>(dims[d], 1);
        hsize_t rows = std::max<hsize_t>(1, (hsize_t{16} << 20) / std::max<hsize_t>(per_row, 1));
        for (hsize_t first = 0; first < dims[0]; first += rows) {
            std::vector<hsize_t> start(dims.size(), 0), count = dims;
            count[0] = std::min(rows, dims[0] - first);
            start[0] = first;
            Dataspace file_space(check_id(H5Scopy(space.get()), where, "copy dataspace"));
            check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr), where, "select rows");
            Dataspace mem_space(check_id(H5Screate_simple(rank, count.data(), nullptr), where, "create dataspace"));
            read_values(type.get(), mem_space.get(), where,
                        [&](hid_t mem, void* buffer) { return H5Dread(object, mem, mem_space.get(), file_space.get(), H5P_DEFAULT, buffer); });
        }
    }

    std::vector<haddr_t> m_skip;
};

struct WalkState {
    ObjectReader* reader;
    ReadAllResult* result;
};

herr_t visit_object(hid_t root, const char* name, const H5O_info_t* info, void* data) {
    auto* walk = static_cast<WalkState*>(data);
    try {
        walk->reader->read(root, name, *info);
        ++walk->result->objects;
        return 0;
    } catch (const std::exception& e) {
        walk->result->object = std::string(name) == "." ? "/" : "/" + std::string(name);
        walk->result->error = e.what();
        return -1; // stop: the first damaged object is reported
    }
}

} // namespace

bool is_dataset_link(hid_t group, const std::string& name, const std::string& path) {
    return is_hard_link_to(group, name, H5O_TYPE_DATASET, path);
}

bool is_group_link(hid_t group, const std::string& name, const std::string& path) {
    return is_hard_link_to(group, name, H5O_TYPE_GROUP, path);
}

std::optional<ExternalTarget> external_link(hid_t group, const std::string& name, const std::string& path) {
    H5L_info_t link{};
    check(H5Lget_info(group, name.c_str(), &link, H5P_DEFAULT), path, "read link " + name);
    if (link.type != H5L_TYPE_EXTERNAL) return std::nullopt;
    std::vector<char> value(link.u.val_size + 1, '\0');
    check(H5Lget_val(group, name.c_str(), value.data(), value.size(), H5P_DEFAULT), path, "read external link " + name);
    unsigned flags = 0;
    const char* file = nullptr;
    const char* object = nullptr;
    check(H5Lunpack_elink_val(value.data(), link.u.val_size, &flags, &file, &object), path, "read external link " + name);
    return ExternalTarget{file ? file : "", object ? object : ""};
}

void create_external_link(hid_t group, const std::string& name, const std::string& file, const std::string& object, const std::string& path) {
    PropList lcpl = utf8_link_creation(path);
    check(H5Lcreate_external(file.c_str(), object.c_str(), group, name.c_str(), lcpl.get(), H5P_DEFAULT), path, "link " + name + " to " + file);
}

ReadAllResult read_every_object(hid_t file, const std::vector<haddr_t>& already_read) {
    ReadAllResult result;
    ObjectReader reader(already_read);
    WalkState walk{&reader, &result};
    // H5O_INFO_ALL: object headers and the sizes of B-trees and heaps, as h5py's visit reads them.
    herr_t rc = H5Ovisit2(file, H5_INDEX_NAME, H5_ITER_INC, visit_object, &walk, H5O_INFO_ALL);
    if (rc < 0 && result.object.empty()) {
        result.object = "/";
        result.error = "visit the objects of the file: " + take_error_message();
    }
    H5Eclear2(H5E_DEFAULT);
    return result;
}

} // namespace avf::storage::h5
