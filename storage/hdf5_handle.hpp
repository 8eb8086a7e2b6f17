// Internal to storage/: owning handles for HDF5 identifiers and the one place where HDF5 failures
// become avf::IoError. Nothing outside storage/ includes this header (HDF5 is linked PRIVATE).
//
//   h5::init_thread();                                    // silence HDF5's own stderr printing
//   h5::File file(h5::check_id(H5Fopen(p.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), p, "open store"));
//   h5::Group runs = h5::open_group(file.get(), "runs", p);
//   h5::write_string_attribute(runs.get(), "note", "text", p);
//
// Every HDF5 call that can fail is checked; a negative return throws IoError whose context names
// the file and whose text holds what we were doing plus the message HDF5 left on its error stack.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace avf::storage::h5 {

/// Turns off HDF5's automatic error-stack printing for the calling thread (the setting is
/// per-thread in Debian's thread-safe build), so failures reach the user once, as an IoError.
/// Cheap after the first call on a thread; every public storage entry point calls it.
void init_thread();

/// Throws IoError for `path`: "<what>: <HDF5 error message>". Clears the HDF5 error stack.
[[noreturn]] void fail(const std::string& path, std::string_view what);

/// Returns `id`, or throws via fail() when it is negative.
inline hid_t check_id(hid_t id, const std::string& path, std::string_view what) {
    if (id < 0) fail(path, what);
    return id;
}
inline void check(herr_t rc, const std::string& path, std::string_view what) {
    if (rc < 0) fail(path, what);
}
/// For htri_t results: true, false, or throws.
inline bool check_tri(htri_t rc, const std::string& path, std::string_view what) {
    if (rc < 0) fail(path, what);
    return rc > 0;
}

/// Owns one HDF5 identifier and closes it with `Close`. Move-only.
template <herr_t (*Close)(hid_t)> class Handle {
public:
    Handle() = default;
    explicit Handle(hid_t id) : m_id(id) {}
    ~Handle() { reset(); }
    Handle(Handle&& other) noexcept : m_id(std::exchange(other.m_id, H5I_INVALID_HID)) {}
    Handle& operator=(Handle&& other) noexcept {
        if (this != &other) {
            reset();
            m_id = std::exchange(other.m_id, H5I_INVALID_HID);
        }
        return *this;
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;

    hid_t get() const { return m_id; }
    explicit operator bool() const { return m_id >= 0; }
    /// Closes quietly (destructor path: errors there cannot be reported).
    void reset() noexcept {
        if (m_id >= 0) Close(m_id);
        m_id = H5I_INVALID_HID;
    }
    /// Closes and returns HDF5's result: closing a file flushes it, and that error must surface.
    herr_t close() noexcept {
        herr_t rc = m_id >= 0 ? Close(m_id) : 0;
        m_id = H5I_INVALID_HID;
        return rc;
    }
    /// Forgets the identifier without closing it (its file was already closed with
    /// H5F_CLOSE_STRONG, which closed every object in it).
    void release() noexcept { m_id = H5I_INVALID_HID; }

private:
    hid_t m_id = H5I_INVALID_HID;
};

using File = Handle<H5Fclose>;
using Group = Handle<H5Gclose>;
using Dataset = Handle<H5Dclose>;
using Datatype = Handle<H5Tclose>;
using Dataspace = Handle<H5Sclose>;
using PropList = Handle<H5Pclose>;
using Attribute = Handle<H5Aclose>;

// ---- small helpers used by the writer and the reader; `path` is the file, for error messages ----

/// File access properties of every store: H5F_CLOSE_STRONG (closing the file closes everything
/// in it, so a close error cannot hide behind an open object) and the format pinned to
/// [1.8, 1.10] so any HDF5 >= 1.8 reads a batch-written store, now and after library upgrades.
PropList store_file_access(const std::string& path);

/// Link-creation properties with UTF-8 names (zone set names and run ids may be non-ASCII).
PropList utf8_link_creation(const std::string& path);

/// Creates a group; `track_order` records link creation order so listings follow import order.
Group create_group(hid_t parent, const std::string& name, bool track_order, const std::string& path);
Group open_group(hid_t parent, const std::string& name, const std::string& path);
Dataset open_dataset(hid_t parent, const std::string& name, const std::string& path);
/// Whether `parent` has a direct link `name` (never a nested path).
bool link_exists(hid_t parent, const std::string& name, const std::string& path);
/// The names of a group's links, in creation order when the group tracks it, else by name.
std::vector<std::string> list_links(hid_t group, const std::string& path);

/// Scalar fixed-length string attribute (NULLTERM, size = bytes + 1), replacing an existing one.
/// `utf8` selects the character set; the H5TB system attributes are ASCII as H5LT writes them.
void write_string_attribute(hid_t object, const std::string& name, std::string_view value, const std::string& path, bool utf8 = true);
/// Reads a scalar string attribute (fixed-length or variable-length); IoError when missing.
std::string read_string_attribute(hid_t object, const std::string& name, const std::string& path);
bool has_attribute(hid_t object, const std::string& name, const std::string& path);
void write_int_attribute(hid_t object, const std::string& name, std::int64_t value, const std::string& path);
std::int64_t read_int_attribute(hid_t object, const std::string& name, const std::string& path);

/// A scalar dataset of one fixed-length UTF-8 string of exactly value.size() bytes (NULLPAD;
/// an empty text is one NUL byte). Used for texts kept verbatim, such as the regime file.
void write_scalar_text(hid_t parent, const std::string& name, std::string_view value, const std::string& path);
std::string read_scalar_text(hid_t parent, const std::string& name, const std::string& path);

/// Number of elements of a 1-D dataset.
std::uint64_t extent(hid_t dataset, const std::string& path);

/// The names of an object's attributes, in name order.
std::vector<std::string> list_attributes(hid_t object, const std::string& path);
/// The file address of an object (identifies it within its file).
haddr_t object_address(hid_t object, const std::string& path);
/// Whether link `name` of `group` is a hard link to a dataset (false for a group, a soft or
/// external link).
bool is_dataset_link(hid_t group, const std::string& name, const std::string& path);
/// Whether link `name` of `group` is a hard link to a group.
bool is_group_link(hid_t group, const std::string& name, const std::string& path);

/// The target of an external link: a file name (as stored: relative to the linking file's
/// directory when it is not absolute) and an object path in that file.
struct ExternalTarget {
    std::string file;
    std::string object;
};
/// The target when link `name` of `group` is an external link; nullopt for any other link.
std::optional<ExternalTarget> external_link(hid_t group, const std::string& name, const std::string& path);
/// Creates the external link `name` (UTF-8 name) in `group` to `object` of `file`.
void create_external_link(hid_t group, const std::string& name, const std::string& file, const std::string& object, const std::string& path);

/// What read_every_object() found.
struct ReadAllResult {
    std::uint64_t objects = 0; ///< objects visited and read
    std::string object;        ///< the first object that could not be read in full ("" when all could)
    std::string error;         ///< why
};
/// Reads what h5dump reads: every object reachable from the file's root (with its full object
/// information: headers, B-trees, attribute storage), every attribute's value, and every
/// dataset's data in full, chunk after chunk (filters and fletcher32 applied) — except datasets
/// whose address is in `already_read` (read in full and digested elsewhere). Never throws for
/// damage: it is reported in the result.
ReadAllResult read_every_object(hid_t file, const std::vector<haddr_t>& already_read);

} // namespace avf::storage::h5
