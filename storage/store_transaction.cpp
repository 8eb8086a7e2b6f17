// StoreTransaction and RunWriter: copy-on-write, atomically published writes to the store.

#include "core/error.hpp"
#include "storage/codec.hpp"
#include "storage/crash_point.hpp"
#include "storage/finding_codec.hpp"
#include "storage/hdf5_handle.hpp"
#include "storage/schema.hpp"
#include "storage/signing.hpp"
#include "storage/store.hpp"
#include "storage/store_file.hpp"
#include "storage/table.hpp"
#include "storage/wkb.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <optional>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace avf::storage {
namespace {

[[noreturn]] void posix_fail(const std::string& file, const std::string& what, int error) {
    throw IoError(what + ": " + std::strerror(error), Context{}.file(file));
}

/// A file descriptor closed on scope exit (close errors on read-only or lock descriptors carry
/// no data, so they are not reported).
class Descriptor {
public:
    explicit Descriptor(int fd = -1) : m_fd(fd) {}
    ~Descriptor() { reset(); }
    Descriptor(Descriptor&& o) noexcept : m_fd(std::exchange(o.m_fd, -1)) {}
    Descriptor& operator=(Descriptor&& o) noexcept {
        if (this != &o) {
            reset();
            m_fd = std::exchange(o.m_fd, -1);
        }
        return *this;
    }
    [[nodiscard]] int get() const { return m_fd; }
    /// Forgets the descriptor without closing it (it was closed and checked by the owner).
    int release() noexcept { return std::exchange(m_fd, -1); }
    void reset() noexcept {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
        m_fd = -1;
    }

private:
    int m_fd;
};

void fsync_path(const std::string& path, int flags, const std::string& what) {
    Descriptor fd(::open(path.c_str(), flags | O_CLOEXEC));
    if (fd.get() < 0) {
        posix_fail(path, "open for " + what, errno);
    }
    if (::fsync(fd.get()) != 0) {
        posix_fail(path, what, errno);
    }
}

std::string directory_of(const std::string& path) {
    std::string dir = std::filesystem::path(path).parent_path().string();
    return dir.empty() ? "." : dir;
}

/// Copies `from` to the new file `to` with read() and write(), so that the errno of the failing
/// call (ENOSPC, EIO, EFBIG) reaches the message. std::filesystem::copy_file cannot promise that:
/// libstdc++ falls back from a short sendfile() to a streambuf copy whose failure it reports as
/// EIO ("Input/output error"), which is what a full disk used to print. The copy goes through
/// write() rather than sendfile or copy_file_range so the fault harness (tests/reliability/
/// fail_nth.c over fiu-run) can reach every call of it.
void copy_store_file(const std::string& from, const std::string& to) {
    Descriptor in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
    if (in.get() < 0) {
        posix_fail(from, "cannot open the store to copy it", errno);
    }
    Descriptor out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
    if (out.get() < 0) {
        posix_fail(to, "cannot create the store's temporary copy", errno);
    }
    std::vector<char> buffer(std::size_t{1} << 20);
    for (;;) {
        ssize_t got = ::read(in.get(), buffer.data(), buffer.size());
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            posix_fail(from, "cannot read the store to copy it to " + to, errno);
        }
        if (got == 0) {
            break;
        }
        for (ssize_t done = 0; done < got;) {
            ssize_t put = ::write(out.get(), buffer.data() + done, static_cast<std::size_t>(got - done));
            if (put < 0 && errno == EINTR) {
                continue;
            }
            if (put < 0) {
                posix_fail(to, "cannot copy the store " + from + " to its temporary copy", errno);
            }
            done += put;
        }
    }
    // A close error after write() can be a deferred write error (NFS): it is the copy's error.
    if (::close(out.get()) != 0) {
        int error = errno;
        (void)out.release();
        posix_fail(to, "cannot copy the store " + from + " to its temporary copy", error);
    }
    (void)out.release();
}

/// The file a store path names: symbolic links resolved (in the last component and in every
/// directory), so that writers through a link and through the target take the same lock, write
/// their copy beside the target and rename it over the target — the link stays a link. A link
/// to a missing file is refused: avf does not create a store at a place it was not named.
std::string resolve_store_path(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::file_status link = fs::symlink_status(path, ec);
    if (ec && ec != std::errc::no_such_file_or_directory) {
        posix_fail(path, "cannot look up the store", ec.value());
    }
    if (fs::is_symlink(link)) {
        fs::path target = fs::canonical(path, ec);
        if (ec) {
            std::error_code ignored;
            throw IoError("the store is a symbolic link to " + fs::read_symlink(path, ignored).string() + ", which cannot be resolved (" +
                              ec.message() + "); avf does not create a store through a link",
                          Context{}.file(path));
        }
        return target.string();
    }
    if (fs::exists(link)) {
        fs::path target = fs::canonical(path, ec);
        if (ec) {
            posix_fail(path, "cannot resolve the store's path", ec.value());
        }
        return target.string();
    }
    // A new store: resolve its directory (which must exist), keep the file name.
    fs::path p(path);
    fs::path dir = fs::canonical(p.parent_path().empty() ? fs::path(".") : p.parent_path(), ec);
    if (ec) {
        posix_fail(path, "cannot resolve the store's directory", ec.value());
    }
    return (dir / p.filename()).string();
}

/// The transaction's file, shared with the RunWriter it hands out (which may outlive it).
struct FileState {
    std::string path;      ///< the published store, as given (for messages)
    std::string target;    ///< the file it names, symbolic links resolved: what is locked and replaced
    std::string temp_path; ///< where this transaction writes: beside `target`
    h5::File file;
    std::atomic<bool> failed = false;    ///< a write failed after it began: the file must never be published
    std::string run_in_progress;         ///< run id begun and not finished, "" when none
    std::vector<ChainEntry> chain_added; ///< chain rows this transaction appended
    /// Member files this transaction created (temporary or renamed into place): removed when it
    /// is abandoned, since no published store links them.
    std::vector<std::string> created;
    bool ended = false; ///< committed or abandoned: the file is closed

    void require_open(std::string_view operation) const {
        if (ended || !file) {
            throw InternalError(std::string(operation) + " after the transaction ended");
        }
        if (failed) {
            throw InternalError(std::string(operation) + " after a failed write; the transaction can only be abandoned");
        }
    }
    [[nodiscard]] hid_t root() const { return file.get(); }
};

/// Runs `write`; any exception marks the transaction failed, because something may already be in
/// the file (a write error is never retried or ignored, and never published).
template <typename Write> auto guarded(FileState& state, Write&& write) {
    try {
        return write();
    } catch (...) {
        state.failed = true;
        throw;
    }
}

/// Creates the folder `dir` when it is missing and fsyncs its parent, so that the new entry
/// survives a power loss before any file in it is relied on.
void ensure_directory(const std::string& dir) {
    if (::mkdir(dir.c_str(), 0777) == 0) {
        fsync_path(directory_of(dir), O_RDONLY | O_DIRECTORY, "fsync the folder holding " + dir);
        return;
    }
    if (errno != EEXIST) posix_fail(dir, "cannot create the store's member folder", errno);
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        throw IoError("the store's member folder is not a folder", Context{}.file(dir));
    }
}

/// A member file being written (schema 5, docs/store-format.md §7a): a zone set or a run in a file
/// of its own, written at `temp`, renamed to `final` when complete, linked from the store file.
struct MemberFile {
    std::string link_file; ///< the external link's file name, relative to the store's directory
    std::string final;     ///< where it is published: <store>.d/<kind>/<name>.h5
    std::string temp;      ///< where it is written: final + ".tmp-<pid>"
    h5::File file;
};

MemberFile create_member(FileState& state, const char* kind, const std::string& name) {
    MemberFile m;
    ensure_directory(member_folder(state.target));
    ensure_directory(member_folder(state.target) + "/" + kind);
    m.link_file = member_link_name(state.target, kind, name);
    m.final = member_path(state.target, m.link_file);
    m.temp = m.final + ".tmp-" + std::to_string(::getpid());
    if (::unlink(m.temp.c_str()) != 0 && errno != ENOENT) {
        posix_fail(m.temp, "cannot remove a stale temporary member file", errno);
    }
    h5::PropList fapl = h5::store_file_access(m.temp);
    h5::PropList fcpl(h5::check_id(H5Pcreate(H5P_FILE_CREATE), m.temp, "create file properties"));
    h5::check(H5Pset_obj_track_times(fcpl.get(), false), m.temp, "disable time tracking");
    // Listed before it exists: an H5Fcreate that fails part-way (a full disk) leaves the file.
    state.created.push_back(m.temp);
    m.file = h5::File(h5::check_id(H5Fcreate(m.temp.c_str(), H5F_ACC_EXCL, fcpl.get(), fapl.get()), m.temp, "create member file"));
    return m;
}

/// Closes the member file, fsyncs it, renames it into place and fsyncs its folder. It is not part
/// of the store until the store file that links it is published (StoreTransaction::commit).
void publish_member(FileState& state, MemberFile& m) {
    herr_t rc = m.file.close();
    h5::check(rc, m.temp, "close member file");
    crash_point("member-close");
    fsync_path(m.temp, O_RDONLY, "fsync member file");
    crash_point("member-fsync");
    if (::rename(m.temp.c_str(), m.final.c_str()) != 0) {
        posix_fail(m.final, "cannot rename " + m.temp + " into place", errno);
    }
    state.created.push_back(m.final);
    crash_point("member-rename");
    fsync_path(directory_of(m.final), O_RDONLY | O_DIRECTORY, "fsync the member folder");
    crash_point("member-dir-fsync");
}

/// Member files in `<store>.d/zones` and `<store>.d/runs` (full paths).
std::vector<std::string> member_files_on_disk(const std::string& store_target) {
    namespace fs = std::filesystem;
    std::vector<std::string> out;
    for (const char* kind : {layout::zones, layout::runs}) {
        std::error_code ec;
        for (fs::directory_iterator it(member_folder(store_target) + "/" + kind, ec), end; !ec && it != end; it.increment(ec)) {
            out.push_back(it->path().string());
        }
    }
    return out;
}

/// Whether `name` ends in ".tmp-<digits>".
bool is_temporary_name(const std::string& name) {
    const auto at = name.rfind(".tmp-");
    return at != std::string::npos && at + 5 < name.size() &&
           std::all_of(name.begin() + static_cast<std::ptrdiff_t>(at + 5), name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// The member files that the store file `index` (open) links, resolved against `store_target`.
std::vector<std::string> linked_members(hid_t index, const std::string& store_target, const std::string& path) {
    std::vector<std::string> out;
    for (const char* kind : {layout::zones, layout::runs}) {
        if (!h5::link_exists(index, kind, path)) continue;
        h5::Group group = h5::open_group(index, kind, path);
        for (const std::string& name : h5::list_links(group.get(), path)) {
            if (auto target = h5::external_link(group.get(), name, path)) {
                out.push_back(std::filesystem::path(member_path(store_target, target->file)).lexically_normal().string());
            }
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

/// The commit digest of the member file at `file` ("" when it has no commit record).
std::string member_commit_digest(const std::string& file) {
    h5::PropList fapl = h5::store_file_access(file);
    h5::File member(h5::check_id(H5Fopen(file.c_str(), H5F_ACC_RDONLY, fapl.get()), file, "open member file"));
    if (!h5::link_exists(member.get(), layout::commit, file)) return {};
    h5::Dataset commit = h5::open_dataset(member.get(), layout::commit, file);
    return h5::read_string_attribute(commit.get(), layout::digest_attribute, file);
}

/// Encodes `files` into rows of `schema`, validating every value.
RowBuffer encode_files(const TableSchema& schema, const std::vector<InputFile>& files) {
    RowBuffer rows(schema, files.size());
    for (std::size_t i = 0; i < files.size(); ++i) {
        encode_source_file(schema, files[i], rows.row(i));
    }
    return rows;
}

/// The records window of a run's dictionaries (storage/finding_codec.hpp): the default, or for the
/// tests a small one from AVF_TEST_RECORD_WINDOW, so that a short run spans several windows.
std::size_t record_window() {
    const char* value = std::getenv("AVF_TEST_RECORD_WINDOW");
    if (value == nullptr || *value == '\0') return default_record_window;
    std::size_t n = 0;
    const std::string_view text(value);
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc{} || end != text.data() + text.size() || n == 0)
        throw UsageError("AVF_TEST_RECORD_WINDOW '" + std::string(text) + "' is not a positive number of records");
    return n;
}

void append_table(hid_t group, const TableSchema& schema, const RowBuffer& rows, std::vector<std::pair<std::string, DigestResult>>& digests,
                  const std::string& path) {
    Appender table = Appender::create_table(group, schema, path);
    table.append(rows.data(), rows.rows());
    digests.emplace_back(schema.name(), table.finish());
}

void append_heap(hid_t group, const std::string& name, const std::string& bytes, std::vector<std::pair<std::string, DigestResult>>& digests,
                 const std::string& path) {
    Appender heap = Appender::create_heap(group, name, path);
    heap.append_bytes(bytes);
    digests.emplace_back(name, heap.finish());
}

/// Problems of a batch, encoded: rows plus the text to append to problem_text at `text_base`.
struct EncodedProblems {
    RowBuffer rows;
    std::string text;
};

EncodedProblems encode_problems(const std::vector<Problem>& problems, std::uint64_t text_base) {
    EncodedProblems out{RowBuffer(problems_table(), problems.size()), {}};
    for (std::size_t i = 0; i < problems.size(); ++i) {
        encode_problem(problems[i], out.rows.row(i), text_base, out.text);
    }
    return out;
}

/// Every row of a schema-3 chain (the writer's file is always schema 3 once opened).
std::vector<ChainRow> read_chain_rows(hid_t root, const std::string& path) {
    h5::Group audit = h5::open_group(root, layout::audit, path);
    auto bytes = read_table(audit.get(), chain_table(), path);
    std::vector<ChainRow> rows;
    for (const std::uint8_t* row : RowSpan(bytes, chain_table())) {
        rows.push_back(decode_chain(row, schema_version, path));
    }
    return rows;
}

/// Appends the row of a committed zone set or run to /audit/chain; returns it.
ChainEntry append_chain_row(hid_t root, ChainKind kind, const std::string& name, const std::string& content_digest, const std::string& path) {
    h5::Group audit = h5::open_group(root, layout::audit, path);
    Appender chain = Appender::open_table(audit.get(), chain_table(), path);
    ChainRow row;
    row.sequence = chain.size() + 1;
    row.kind = std::string(to_string(kind));
    row.name = name;
    row.content_digest = content_digest;
    row.previous_digest = genesis_digest;
    if (chain.size() > 0) {
        h5::Dataset ds = open_table(audit.get(), chain_table(), path);
        auto last = read_rows(ds.get(), chain_table(), chain.size() - 1, 1, path);
        row.previous_digest = decode_chain(last.data(), schema_version, path).digest;
    }
    row.digest = chain_digest(row.previous_digest, chain_key(row.kind, row.name), row.content_digest);
    RowBuffer bytes(chain_table(), 1);
    encode_chain(row, bytes.row(0));
    chain.append(bytes.data(), 1);
    chain.finish();
    return chain_entry(row);
}

/// Brings the chain of a schema-1 or schema-2 store to schema 3 (docs/store-format.md §9): the
/// run rows are kept with their digests (a run row is hashed as before), and every zone set,
/// which those schemas left outside the chain, is appended in import order with the commit
/// digest it has now — from here on a rewrite of it no longer goes unnoticed.
void upgrade_chain(hid_t root, const std::string& path, const std::string& store_target) {
    h5::Group audit = h5::open_group(root, layout::audit, path);
    auto old_bytes = read_table(audit.get(), chain_table_v1(), path);
    const RowSpan old_rows(old_bytes, chain_table_v1());
    RowBuffer rows(chain_table(), old_rows.size());
    for (std::size_t i = 0; i < old_rows.size(); ++i) {
        encode_chain(decode_chain(old_rows[i], 1, path), rows.row(i));
    }
    h5::check(H5Ldelete(audit.get(), layout::chain, H5P_DEFAULT), path, "replace the audit chain");
    Appender chain = Appender::create_table(audit.get(), chain_table(), path);
    chain.append(rows.data(), rows.rows());
    chain.finish();
    h5::Group zones = h5::open_group(root, layout::zones, path);
    for (const std::string& name : h5::list_links(zones.get(), path)) {
        std::string digest;
        if (auto target = h5::external_link(zones.get(), name, path)) {
            // Moved out by this transaction (move_groups_out): read the member file directly,
            // never through the link, which would open it for writing along with the store's copy.
            digest = member_commit_digest(member_path(store_target, target->file));
        } else {
            h5::Group set = h5::open_group(zones.get(), name, path);
            if (h5::link_exists(set.get(), layout::commit, path)) {
                h5::Dataset commit = h5::open_dataset(set.get(), layout::commit, path);
                digest = h5::read_string_attribute(commit.get(), layout::digest_attribute, path);
            }
        }
        if (digest.empty()) continue; // never committed: verify reports it
        append_chain_row(root, ChainKind::zone_set, name, digest, path);
    }
    h5::write_int_attribute(root, "schema_version", schema_version, path);
}

/// Whether the published store `target` is of a schema before 5 and holds zone sets or runs inline
/// (hard links to groups in /zones or /runs): its first write moves them out (move_groups_out).
bool has_inline_groups_to_move(const std::string& target, const std::string& path) {
    // Read-only with the default properties, as StoreReader and pack_store open it (HDF5 refuses a
    // second open of a file with another close degree).
    h5::File source(h5::check_id(H5Fopen(target.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path, "open store"));
    if (check_store_root(source.get(), path) >= schema_version) return false;
    for (const char* kind : {layout::zones, layout::runs}) {
        if (!h5::link_exists(source.get(), kind, path)) return false; // not a store: the caller says so
        h5::Group group = h5::open_group(source.get(), kind, path);
        for (const std::string& name : h5::list_links(group.get(), path)) {
            if (h5::is_group_link(group.get(), name, path)) return true;
        }
    }
    return false;
}

/// Copies every attribute of `from` onto `to` (the fixed-size types avf writes: integers and
/// fixed-length strings).
void copy_attributes(hid_t from, hid_t to, const std::string& from_path, const std::string& to_path) {
    for (const std::string& name : h5::list_attributes(from, from_path)) {
        const std::string what = "copy attribute " + name;
        h5::Attribute attr(h5::check_id(H5Aopen(from, name.c_str(), H5P_DEFAULT), from_path, what));
        h5::Datatype type(h5::check_id(H5Aget_type(attr.get()), from_path, what));
        h5::Dataspace space(h5::check_id(H5Aget_space(attr.get()), from_path, what));
        if (h5::check_tri(H5Tdetect_class(type.get(), H5T_VLEN), from_path, what) || h5::check_tri(H5Tis_variable_str(type.get()), from_path, what)) {
            throw IoError("attribute " + name + " has a variable-length type, which no avf store writes", Context{}.file(from_path));
        }
        const hssize_t points = H5Sget_simple_extent_npoints(space.get());
        if (points < 0) throw IoError(what + ": cannot read its size", Context{}.file(from_path));
        std::vector<unsigned char> buffer(H5Tget_size(type.get()) * static_cast<std::size_t>(points) + 1);
        h5::check(H5Aread(attr.get(), type.get(), buffer.data()), from_path, what);
        h5::Attribute copy(h5::check_id(H5Acreate2(to, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), to_path, what));
        h5::check(H5Awrite(copy.get(), type.get(), buffer.data()), to_path, what);
    }
}

/// The first write of a store of schema 1 to 4 holding zone sets or runs inline (docs/store-format.md
/// §9): the store file's new version is written afresh at `state.temp_path` (not copied), each inline
/// zone set and run becomes its member file exactly as a schema-5 avf writes one (same attributes,
/// same datasets with their chunks copied as stored, so the same commit record and digests), linked
/// in the same order, and /audit (chain, signatures) is copied as is. The root keeps the store's
/// `schema_version`, which the caller then raises. Once: later writes copy only the small index.
void move_groups_out(FileState& state) {
    const std::string& temp = state.temp_path;
    h5::File source(h5::check_id(H5Fopen(state.target.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), state.path, "open store"));
    const int version = check_store_root(source.get(), state.path);

    h5::PropList fapl = h5::store_file_access(temp);
    h5::PropList fcpl(h5::check_id(H5Pcreate(H5P_FILE_CREATE), temp, "create file properties"));
    h5::check(H5Pset_obj_track_times(fcpl.get(), false), temp, "disable time tracking");
    state.file = h5::File(h5::check_id(H5Fcreate(temp.c_str(), H5F_ACC_EXCL, fcpl.get(), fapl.get()), temp, "create store"));
    h5::write_int_attribute(state.root(), "schema_version", version, temp);
    h5::write_string_attribute(state.root(), "format", h5::read_string_attribute(source.get(), "format", state.path), temp);
    h5::write_string_attribute(state.root(), "created_by", h5::read_string_attribute(source.get(), "created_by", state.path), temp);

    h5::PropList copy(h5::check_id(H5Pcreate(H5P_OBJECT_COPY), temp, "create copy properties"));
    h5::PropList lcpl = h5::utf8_link_creation(temp);
    for (const char* kind : {layout::zones, layout::runs}) {
        h5::Group from = h5::open_group(source.get(), kind, state.path);
        h5::Group to = h5::create_group(state.root(), kind, true, temp);
        for (const std::string& name : h5::list_links(from.get(), state.path)) {
            if (!h5::is_group_link(from.get(), name, state.path)) {
                // Not a group avf wrote (verify reports it): kept as it is, never interpreted.
                h5::check(H5Ocopy(from.get(), name.c_str(), to.get(), name.c_str(), copy.get(), lcpl.get()), temp,
                          "copy /" + std::string(kind) + "/" + name);
                continue;
            }
            h5::Group group = h5::open_group(from.get(), name, state.path);
            MemberFile member = create_member(state, kind, name);
            h5::Group root = h5::open_group(member.file.get(), "/", member.temp);
            copy_attributes(group.get(), root.get(), state.path, member.temp);
            for (const std::string& child : h5::list_links(group.get(), state.path)) {
                h5::check(H5Ocopy(group.get(), child.c_str(), root.get(), child.c_str(), copy.get(), lcpl.get()), member.temp,
                          "copy /" + std::string(kind) + "/" + name + "/" + child);
            }
            root.reset();
            publish_member(state, member);
            h5::create_external_link(to.get(), name, member.link_file, "/", temp);
            crash_point("raise-move");
        }
    }
    h5::check(H5Ocopy(source.get(), layout::audit, state.root(), layout::audit, copy.get(), lcpl.get()), temp, "copy /audit");
}

} // namespace

std::vector<std::string> leftover_temporary_files(const std::string& given_path) {
    namespace fs = std::filesystem;
    std::string store_path = given_path;
    try {
        store_path = resolve_store_path(given_path);
    } catch (const IoError&) {
        // Unresolvable (a dangling link): look beside the path as given.
    }
    const std::string prefix = fs::path(store_path).filename().string() + ".tmp-";
    std::vector<std::string> out;
    std::error_code ec;
    for (fs::directory_iterator it(directory_of(store_path), ec), end; !ec && it != end; it.increment(ec)) {
        std::string name = it->path().filename().string();
        if (name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0 &&
            std::all_of(name.begin() + static_cast<std::ptrdiff_t>(prefix.size()), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            out.push_back((fs::path(directory_of(store_path)) / name).string());
        }
    }
    // Member files: temporaries of interrupted writes, and files renamed into place by a writer
    // that died before publishing the store file that would have linked them (orphans).
    std::vector<std::string> members = member_files_on_disk(store_path);
    if (!members.empty()) {
        std::optional<std::vector<std::string>> linked;
        try {
            h5::init_thread();
            h5::File index(h5::check_id(H5Fopen(store_path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), store_path, "open store"));
            linked = linked_members(index.get(), store_path, store_path);
        } catch (const IoError&) {
            // No readable store file: only temporaries can be told apart.
        }
        for (const std::string& m : members) {
            const std::string name = fs::path(m).filename().string();
            const bool orphan = linked && name.size() > 3 && name.compare(name.size() - 3, 3, ".h5") == 0 &&
                                !std::binary_search(linked->begin(), linked->end(), fs::path(m).lexically_normal().string());
            if (is_temporary_name(name) || orphan) out.push_back(m);
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

// =============================================================================================
// RunWriter

struct RunWriter::Impl {
    std::shared_ptr<FileState> state;
    RunHeader header;
    std::string zone_set_digest;
    MemberFile member; ///< the run's own file (schema 5); its root group is the run's group
    h5::Group group;
    std::optional<Appender> findings, evidence, problems, problem_text;
    /// The run's dictionaries (schema 4): codes of the findings' texts, written by finish() but for
    /// the records, which are streamed with the findings that first cite them.
    std::optional<FindingDictionaries> dictionaries;
    std::optional<Appender> records, record_text;
    /// Encoded by encode_finding and not yet prepared: the findings' rows and their evidence rows.
    std::vector<std::uint8_t> encoded_rows;
    std::size_t encoded = 0;
    std::vector<EvidenceRowV4> encoded_evidence;
    /// Forgets what was encoded and not prepared (the memory is kept for the next batch).
    void drop_encoded() {
        encoded_rows.clear();
        encoded_evidence.clear();
        encoded = 0;
    }
    bool finished = false;
    /// Digests of the imagery members (schema 2), in commit order; empty when none were written.
    std::vector<std::pair<std::string, DigestResult>> imagery;
    bool has_imagery = false;

    ~Impl() {
        if (member.file) {
            // An unfinished run: closing its file (H5F_CLOSE_STRONG) closes these identifiers too.
            group.release();
            for (auto* a : {&findings, &evidence, &problems, &problem_text, &records, &record_text}) {
                if (*a) {
                    (*a)->release();
                }
            }
            member.file.reset();
        }
    }

    void require_writable(std::string_view operation) const {
        state->require_open(operation);
        if (finished) {
            throw InternalError(std::string(operation) + " after run " + header.run_id + " was finished");
        }
    }
};

RunWriter::RunWriter(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
RunWriter::RunWriter(RunWriter&&) noexcept = default;
RunWriter& RunWriter::operator=(RunWriter&&) noexcept = default;
RunWriter::~RunWriter() = default;

const std::string& RunWriter::run_id() const {
    return m_impl->header.run_id;
}

void RunWriter::append_findings(const std::vector<Finding>& batch) {
    write(prepare_findings(batch));
}

RunWriter::Prepared RunWriter::prepare_findings(const std::vector<Finding>& batch) {
    if (m_impl->encoded != 0) throw InternalError("prepare_findings with findings encoded and not prepared");
    try {
        for (const Finding& f : batch) encode_finding(f);
    } catch (...) {
        m_impl->drop_encoded(); // a refused batch writes nothing of itself (its dictionary values stay interned)
        throw;
    }
    return prepare_encoded();
}

// A batch is encoded whole before any of it is staged (schema 4: codes into the run's
// dictionaries). A refused finding leaves no row; the dictionaries keep what it interned.
void RunWriter::encode_finding(const Finding& f) {
    Impl& run = *m_impl;
    run.require_writable("encode_finding");
    const std::size_t row_size = findings_v4_table().row_size();
    run.encoded_rows.resize(run.encoded_rows.size() + row_size); // zero-filled
    const std::size_t evidence_before = run.encoded_evidence.size();
    try {
        const std::string_view basis = waiver_basis_of(run.header.waiver_bases, f);
        run.dictionaries->encode(f, FindingText{f.explanation_template, basis}, run.findings->size() + run.encoded,
                                 run.encoded_rows.data() + run.encoded * row_size, run.encoded_evidence, run.evidence->size());
    } catch (...) {
        run.encoded_rows.resize(run.encoded * row_size); // a refused finding leaves no row
        run.encoded_evidence.resize(evidence_before);
        throw;
    }
    ++run.encoded;
}

void RunWriter::prefetch(const Finding& f) noexcept {
    if (m_impl->dictionaries) m_impl->dictionaries->prefetch(f);
}

std::size_t RunWriter::encoded_findings() const {
    return m_impl->encoded;
}

RunWriter::Prepared RunWriter::prepare_encoded() {
    Impl& run = *m_impl;
    run.require_writable("prepare_findings");
    std::vector<RecordSlots> records;
    std::string record_text;
    run.dictionaries->take_records(records, record_text);
    RowBuffer e_rows = encode_evidence_v4(run.encoded_evidence);
    RowBuffer r_rows = encode_records(records, run.records->size());
    // Staging changes the digests and offsets: a failure part-way leaves the run unusable.
    Prepared out = guarded(*run.state, [&] {
        Prepared p;
        p.findings = run.findings->stage(run.encoded_rows.data(), run.encoded);
        p.evidence = run.evidence->stage(e_rows.data(), run.encoded_evidence.size());
        p.records = run.records->stage(r_rows.data(), records.size());
        p.record_text = run.record_text->stage_bytes(record_text);
        return p;
    });
    run.drop_encoded();
    return out;
}

void RunWriter::write(const Prepared& prepared) {
    h5::init_thread();
    Impl& run = *m_impl;
    run.require_writable("write findings");
    guarded(*run.state, [&] {
        for (const auto& c : prepared.findings) run.findings->write_chunk(c);
        for (const auto& c : prepared.evidence) run.evidence->write_chunk(c);
        for (const auto& c : prepared.records) run.records->write_chunk(c);
        for (const auto& c : prepared.record_text) run.record_text->write_chunk(c);
    });
    crash_point("findings-batch");
}

void RunWriter::append_problems(const std::vector<Problem>& batch) {
    h5::init_thread();
    Impl& run = *m_impl;
    run.require_writable("append_problems");
    EncodedProblems encoded = encode_problems(batch, run.problem_text->size());
    guarded(*run.state, [&] {
        run.problems->append(encoded.rows.data(), encoded.rows.rows());
        run.problem_text->append_bytes(encoded.text);
    });
    crash_point("problems");
}

void RunWriter::write_imagery(const RunImagery& imagery) {
    h5::init_thread();
    Impl& run = *m_impl;
    run.require_writable("write_imagery");
    if (run.has_imagery) throw InternalError("write_imagery called twice for run " + run.header.run_id);

    // Encode and check everything before writing anything.
    RowBuffer image_rows(images_table(), imagery.images.size());
    std::string image_wkb;
    for (std::size_t i = 0; i < imagery.images.size(); ++i) {
        const ImageRecord& im = imagery.images[i];
        std::string wkb = to_wkb(im.footprint);
        std::int64_t input = input_index(run.header.inputs, im.origin.file, "image " + im.id.str());
        encode_image(im, input, image_wkb.size(), wkb.size(), image_rows.row(i));
        image_wkb += wkb;
    }
    RowBuffer flight_rows(flights_table(), imagery.flights.size());
    std::string flight_wkb;
    for (std::size_t i = 0; i < imagery.flights.size(); ++i) {
        const FlightRecord& f = imagery.flights[i];
        std::string track = to_wkb(MultiLineString{f.track});
        std::string route = f.route.empty() ? to_wkb(MultiLineString{}) : to_wkb(MultiLineString{f.route});
        std::int64_t input = input_index(run.header.inputs, f.track_file, "flight " + f.flight_id);
        std::int64_t route_input = input_index(run.header.inputs, f.route_file, "route of flight " + f.flight_id);
        const std::uint64_t track_at = flight_wkb.size();
        flight_wkb += track;
        encode_flight(f, input, route_input, track_at, track.size(), flight_wkb.size(), route.size(), flight_rows.row(i));
        flight_wkb += route;
    }
    RowBuffer coverage_rows(coverage_table(), imagery.coverage.size());
    std::string coverage_wkb;
    for (std::size_t i = 0; i < imagery.coverage.size(); ++i) {
        const CoverageRecord& c = imagery.coverage[i];
        std::string wkb = to_wkb(c.uncovered);
        encode_coverage(c, coverage_wkb.size(), wkb.size(), coverage_rows.row(i));
        coverage_wkb += wkb;
    }

    const std::string& path = run.member.temp;
    guarded(*run.state, [&] {
        // A store holding a run with imagery is schema 2: older builds must refuse it, not
        // misreport the run's longer commit record as damage.
        const std::string& index = run.state->temp_path;
        if (h5::read_int_attribute(run.state->root(), "schema_version", index) < schema_version) {
            h5::write_int_attribute(run.state->root(), "schema_version", schema_version, index);
        }
        hid_t group = run.group.get();
        append_table(group, images_table(), image_rows, run.imagery, path);
        append_heap(group, layout::image_wkb, image_wkb, run.imagery, path);
        append_table(group, flights_table(), flight_rows, run.imagery, path);
        append_heap(group, layout::flight_wkb, flight_wkb, run.imagery, path);
        append_table(group, coverage_table(), coverage_rows, run.imagery, path);
        append_heap(group, layout::coverage_wkb, coverage_wkb, run.imagery, path);
    });
    run.has_imagery = true;
}

void RunWriter::finish(const RunSummary& summary) {
    h5::init_thread();
    Impl& run = *m_impl;
    run.require_writable("finish");
    const std::string& path = run.member.temp;

    // Complete the inputs known at the start with what the run counted.
    std::vector<InputFile> inputs = run.header.inputs;
    for (const InputFile& s : summary.inputs) {
        auto same = std::find_if(inputs.begin(), inputs.end(), [&](const InputFile& f) { return f.path == s.path && f.role == s.role; });
        if (same == inputs.end()) {
            inputs.push_back(s);
            continue;
        }
        same->records_read = s.records_read;
        same->records_rejected = s.records_rejected;
        if (same->sha256.empty()) {
            same->sha256 = s.sha256;
        }
        if (same->size == 0) {
            same->size = s.size;
        }
    }
    RowBuffer input_rows = encode_files(inputs_table(), inputs);
    RowBuffer summary_rows(summary_table(), summary.rows.size());
    for (std::size_t i = 0; i < summary.rows.size(); ++i) {
        encode_summary(summary.rows[i], summary_rows.row(i));
    }
    // The dictionaries the findings' codes refer to (schema 4).
    const FindingDictionaries& dict = *run.dictionaries;
    std::string dictionary_text;
    RowBuffer rule_rows = encode_rules(dict.rules(), dictionary_text);
    RowBuffer waiver_rows = encode_waivers(dict.waivers(), dictionary_text);
    RowBuffer target_rows = encode_dictionary(targets_table(), dict.targets());
    RowBuffer class_rows = encode_dictionary(classes_table(), dict.classes());
    RowBuffer party_rows = encode_dictionary(parties_table(), dict.parties());
    std::vector<RecordSlots> records;
    std::string record_text;
    run.dictionaries->take_records(records, record_text);
    RowBuffer record_rows = encode_records(records, run.records->size());
    std::string finished = time_text(summary.finished, "finished");
    std::string status = summary.status.empty() ? "complete" : summary.status;

    guarded(*run.state, [&] {
        hid_t group = run.group.get();
        h5::write_string_attribute(group, "finished", finished, path);
        h5::write_string_attribute(group, "status", status, path);

        std::vector<std::pair<std::string, DigestResult>> digests;
        digests.emplace_back(layout::attributes, attribute_digest(read_attributes(group, run_attribute_names(), path)));
        digests.emplace_back(layout::regime_text, text_digest(run.header.regime_text));
        append_table(group, inputs_table(), input_rows, digests, path);
        digests.emplace_back(layout::findings, run.findings->finish());
        digests.emplace_back(layout::evidence, run.evidence->finish());
        append_table(group, rules_table(), rule_rows, digests, path);
        append_table(group, targets_table(), target_rows, digests, path);
        append_table(group, classes_table(), class_rows, digests, path);
        append_table(group, parties_table(), party_rows, digests, path);
        append_table(group, waivers_table(), waiver_rows, digests, path);
        append_heap(group, layout::dictionary_text, dictionary_text, digests, path);
        run.records->append(record_rows.data(), record_rows.rows());
        digests.emplace_back(layout::records, run.records->finish());
        run.record_text->append_bytes(record_text);
        digests.emplace_back(layout::record_text, run.record_text->finish());
        digests.emplace_back(layout::problems, run.problems->finish());
        digests.emplace_back(layout::problem_text, run.problem_text->finish());
        append_table(group, summary_table(), summary_rows, digests, path);
        for (auto& d : run.imagery) digests.push_back(std::move(d));
        crash_point("run-tables");
        for (auto* a : {&run.findings, &run.evidence, &run.problems, &run.problem_text, &run.records, &run.record_text}) {
            a->reset();
        }

        // The commit record is the last thing written to the run: without it the run is incomplete.
        std::string content_digest = write_commit_record(group, digests, run_commit_entries(RunLayout::v4, run.has_imagery), path);
        h5::check(run.group.close(), path, "close run " + run.header.run_id);
        crash_point("run-commit");

        // The run's file is complete: into place, linked from the store file as /runs/<id>.
        publish_member(*run.state, run.member);
        const std::string& index = run.state->temp_path;
        h5::Group runs = h5::open_group(run.state->root(), layout::runs, index);
        h5::create_external_link(runs.get(), run.header.run_id, run.member.link_file, "/", index);

        // Then the run joins the audit chain.
        run.state->chain_added.push_back(append_chain_row(run.state->root(), ChainKind::run, run.header.run_id, content_digest, index));
        crash_point("chain");
    });
    run.finished = true;
    run.state->run_in_progress.clear();
}

// =============================================================================================
// StoreTransaction

struct StoreTransaction::Impl {
    std::shared_ptr<FileState> state = std::make_shared<FileState>();
    Descriptor lock;
    bool temp_created = false;

    ~Impl() {
        if (!state->ended) {
            state->file.reset(); // H5F_CLOSE_STRONG: closes every object still open in the file
            state->ended = true;
        }
        if (temp_created) {
            ::unlink(state->temp_path.c_str()); // abandoned: the published store is untouched
        }
        for (const std::string& member : state->created) {
            ::unlink(member.c_str()); // no published store file links it
        }
        // The lock is released when the descriptor closes (last member destroyed).
    }

    void acquire_lock() {
        std::string lock_path = state->target + ".lock";
        // O_NOFOLLOW: a symbolic link planted as the lock file (dangling or not) is refused, never
        // followed, so avf cannot be made to create or truncate a file elsewhere.
        lock = Descriptor(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666));
        if (lock.get() < 0) {
            int error = errno;
            if (error == ELOOP) {
                throw IoError("the store's lock file " + lock_path +
                                  " is a symbolic link; avf does not follow it (remove the link; the lock file must be a regular file)",
                              Context{}.file(state->path));
            }
            posix_fail(lock_path, "cannot open the store's lock file", error);
        }
        if (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
            int error = errno;
            if (error == EWOULDBLOCK) {
                throw IoError("another process is writing this store (lock held on " + lock_path + ")", Context{}.file(state->path));
            }
            posix_fail(lock_path, "cannot lock the store", error);
        }
    }

    /// Temporary files of writers that died (kill -9, power loss) before publishing. We hold the
    /// lock, and a writer creates its temporary file only while holding it, so every one of them
    /// is stale: none can ever be published, and each may be as large as the store.
    void remove_stale_temporaries() const {
        for (const std::string& stale : leftover_temporary_files(state->target)) {
            if (::unlink(stale.c_str()) != 0 && errno != ENOENT) {
                posix_fail(stale, "cannot remove a stale temporary file of an interrupted write", errno);
            }
        }
    }

    void open_copy_or_create() {
        const std::string& temp = state->temp_path;
        // A leftover from a process that died with this pid; we hold the lock, so nobody uses it.
        if (::unlink(temp.c_str()) != 0 && errno != ENOENT) {
            posix_fail(temp, "cannot remove stale temporary file", errno);
        }
        struct stat st {};
        bool published = ::stat(state->target.c_str(), &st) == 0;
        if (!published && errno != ENOENT) {
            posix_fail(state->path, "cannot stat the store", errno);
        }

        h5::PropList fapl = h5::store_file_access(temp);
        if (published) {
            temp_created = true;
            if (has_inline_groups_to_move(state->target, state->path)) {
                move_groups_out(*state); // schema 1-4: written afresh, its groups moved to member files
                crash_point("copy");
            } else {
                copy_store_file(state->target, temp);
                crash_point("copy");
                state->file = h5::File(h5::check_id(H5Fopen(temp.c_str(), H5F_ACC_RDWR, fapl.get()), temp, "open store copy"));
            }
            int version = check_store_root(state->root(), state->path);
            for (const char* group : {layout::zones, layout::runs, layout::audit}) {
                if (!h5::link_exists(state->root(), group, temp)) {
                    throw IoError(std::string("not an avf store (group /") + group + " is missing)", Context{}.file(state->path));
                }
            }
            if (version < 3) {
                upgrade_chain(state->root(), temp, state->target); // raises schema_version too
            } else if (version < schema_version) {
                // 3 or 4 -> 5: nothing else to rewrite. A schema-3 run keeps its layout (readers tell
                // the two apart by the run's `rules` table); runs and zone sets written before were
                // moved to member files above, unchanged; the version rises so that older builds
                // refuse the store rather than misread what this build writes.
                h5::write_int_attribute(state->root(), "schema_version", schema_version, temp);
            }
        } else {
            // The root group, like every object, without modification times: same content, same bytes.
            h5::PropList fcpl(h5::check_id(H5Pcreate(H5P_FILE_CREATE), temp, "create file properties"));
            h5::check(H5Pset_obj_track_times(fcpl.get(), false), temp, "disable time tracking");
            temp_created = true; // before: an H5Fcreate that fails part-way leaves the file
            state->file = h5::File(h5::check_id(H5Fcreate(temp.c_str(), H5F_ACC_EXCL, fcpl.get(), fapl.get()), temp, "create store"));
            write_store_root(state->root(), temp);
            h5::create_group(state->root(), layout::zones, true, temp);
            h5::create_group(state->root(), layout::runs, true, temp);
            h5::Group audit = h5::create_group(state->root(), layout::audit, false, temp);
            Appender::create_table(audit.get(), chain_table(), temp).finish();
        }
    }
};

StoreTransaction::StoreTransaction(std::string path) : m_impl(std::make_unique<Impl>()) {
    h5::init_thread();
    FileState& state = *m_impl->state;
    state.path = std::move(path);
    state.target = resolve_store_path(state.path);
    state.temp_path = state.target + ".tmp-" + std::to_string(::getpid());
    m_impl->acquire_lock();
    crash_point("lock");
    m_impl->remove_stale_temporaries();
    m_impl->open_copy_or_create();
    crash_point("open");
}

StoreTransaction::~StoreTransaction() = default;

const std::string& StoreTransaction::path() const {
    return m_impl->state->path;
}

bool StoreTransaction::has_zone_set(const std::string& name) const {
    h5::init_thread();
    const FileState& state = *m_impl->state;
    state.require_open("has_zone_set");
    if (!is_valid_group_name(name)) {
        return false;
    }
    h5::Group zones = h5::open_group(state.root(), layout::zones, state.temp_path);
    return h5::link_exists(zones.get(), name, state.temp_path);
}

bool StoreTransaction::has_run(const std::string& run_id) const {
    h5::init_thread();
    const FileState& state = *m_impl->state;
    state.require_open("has_run");
    if (!is_valid_group_name(run_id)) {
        return false;
    }
    h5::Group runs = h5::open_group(state.root(), layout::runs, state.temp_path);
    return h5::link_exists(runs.get(), run_id, state.temp_path);
}

void StoreTransaction::write_zone_set(const ZoneSet& set) {
    h5::init_thread();
    FileState& state = *m_impl->state;
    state.require_open("write_zone_set");
    check_group_name(set.name, "zone set name");
    if (has_zone_set(set.name)) {
        throw InputError("zone set " + set.name + " already exists in " + state.path + "; import under a new name");
    }

    // Encode and check everything before the first write.
    RowBuffer source_rows = encode_files(sources_table(), set.sources);
    RowBuffer zone_rows(zones_table(), set.zones.size());
    std::string zone_wkb;
    for (std::size_t i = 0; i < set.zones.size(); ++i) {
        const Zone& z = set.zones[i];
        std::string wkb = to_wkb(z.geometry);
        encode_zone(z, input_index(set.sources, z.source.file, "zone " + z.id.str()), zone_wkb.size(), wkb.size(), zone_rows.row(i));
        zone_wkb += wkb;
    }
    RowBuffer line_rows(lines_table(), set.lines.size());
    std::string line_wkb;
    for (std::size_t i = 0; i < set.lines.size(); ++i) {
        const ReferenceLine& l = set.lines[i];
        std::string wkb = to_wkb(l.geometry);
        encode_line(l, input_index(set.sources, l.source.file, "line " + l.id.str()), line_wkb.size(), wkb.size(), line_rows.row(i));
        line_wkb += wkb;
    }
    EncodedProblems problems = encode_problems(set.problems, 0);
    std::vector<std::pair<std::string, std::string>> attributes = {
        {"name", set.name}, {"imported_utc", set.imported_utc}, {"options_json", set.options_json}};

    guarded(state, [&] {
        // The set in a file of its own (schema 5), whose root group is the set's group.
        MemberFile member = create_member(state, layout::zones, set.name);
        const std::string& path = member.temp;
        h5::Group group = h5::open_group(member.file.get(), "/", path);
        for (const auto& [name, value] : attributes) {
            h5::write_string_attribute(group.get(), name, value, path);
        }

        std::vector<std::pair<std::string, DigestResult>> digests;
        digests.emplace_back(layout::attributes, attribute_digest(read_attributes(group.get(), zone_set_attribute_names(), path)));
        append_table(group.get(), sources_table(), source_rows, digests, path);
        append_table(group.get(), zones_table(), zone_rows, digests, path);
        append_heap(group.get(), layout::zone_wkb, zone_wkb, digests, path);
        append_table(group.get(), lines_table(), line_rows, digests, path);
        append_heap(group.get(), layout::line_wkb, line_wkb, digests, path);
        append_table(group.get(), problems_table(), problems.rows, digests, path);
        append_heap(group.get(), layout::problem_text, problems.text, digests, path);
        crash_point("zone-set-tables");
        std::string content_digest = write_commit_record(group.get(), digests, zone_set_commit_entries(), path);
        crash_point("zone-set-commit");
        h5::check(group.close(), path, "close zone set " + set.name);
        publish_member(state, member);
        const std::string& index = state.temp_path;
        h5::Group zones = h5::open_group(state.root(), layout::zones, index);
        h5::create_external_link(zones.get(), set.name, member.link_file, "/", index);
        // Then the import joins the audit chain, as a run does: a zone set that no run uses yet
        // is pinned by the chain head all the same.
        state.chain_added.push_back(append_chain_row(state.root(), ChainKind::zone_set, set.name, content_digest, index));
    });
}

RunWriter StoreTransaction::begin_run(const RunHeader& header) {
    h5::init_thread();
    FileState& state = *m_impl->state;
    state.require_open("begin_run");
    check_group_name(header.run_id, "run id");
    if (!state.run_in_progress.empty()) {
        throw InternalError("begin_run(" + header.run_id + ") while run " + state.run_in_progress + " is not finished");
    }
    if (has_run(header.run_id)) {
        throw InputError("run " + header.run_id + " already exists in " + state.path + "; choose a new run id");
    }
    const std::string& path = state.temp_path;

    // Check what can be checked before writing: input rows, the start time, the regime text.
    encode_files(inputs_table(), header.inputs);
    std::string started = time_text(header.started, "started");
    if (header.regime_text.find('\0') != std::string::npos) {
        throw InputError("the regime text contains a NUL byte and cannot be kept verbatim", Context{}.file(state.path));
    }

    auto impl = std::make_unique<RunWriter::Impl>();
    impl->state = m_impl->state;
    impl->header = header;
    impl->dictionaries.emplace(impl->header.inputs, record_window());
    if (has_zone_set(header.zone_set)) {
        h5::Group zones = h5::open_group(state.root(), layout::zones, path);
        if (auto target = h5::external_link(zones.get(), header.zone_set, path)) {
            // A member file (schema 5): read it directly, never through the link, which would
            // open it for writing along with the store's copy.
            impl->zone_set_digest = member_commit_digest(member_path(state.target, target->file));
        } else {
            h5::Group set = h5::open_group(zones.get(), header.zone_set, path);
            if (h5::link_exists(set.get(), layout::commit, path)) {
                h5::Dataset commit = h5::open_dataset(set.get(), layout::commit, path);
                impl->zone_set_digest = h5::read_string_attribute(commit.get(), layout::digest_attribute, path);
            }
        }
    }

    guarded(state, [&] {
        // The run in a file of its own (schema 5), whose root group is the run's group; the store
        // file links it when the run is finished.
        impl->member = create_member(state, layout::runs, header.run_id);
        const std::string& path = impl->member.temp;
        impl->group = h5::open_group(impl->member.file.get(), "/", path);
        hid_t group = impl->group.get();
        const std::pair<const char*, std::string> attributes[] = {{"run_id", header.run_id},
                                                                  {"zone_set", header.zone_set},
                                                                  {"zone_set_digest", impl->zone_set_digest},
                                                                  {"regime_id", header.regime_id},
                                                                  {"tool_version", header.tool_version},
                                                                  {"started", started},
                                                                  {"finished", ""},
                                                                  {"status", "running"},
                                                                  {"options_json", header.options_json}};
        for (const auto& [name, value] : attributes) {
            h5::write_string_attribute(group, name, value, path);
        }
        h5::write_scalar_text(group, layout::regime_text, header.regime_text, path);
        impl->findings.emplace(Appender::create_table(group, findings_v4_table(), path));
        impl->evidence.emplace(Appender::create_table(group, evidence_v4_table(), path));
        impl->problems.emplace(Appender::create_table(group, problems_table(), path));
        impl->problem_text.emplace(Appender::create_heap(group, layout::problem_text, path));
        impl->records.emplace(Appender::create_table(group, records_table(), path));
        impl->record_text.emplace(Appender::create_heap(group, layout::record_text, path));
        crash_point("run-begin");
    });
    state.run_in_progress = header.run_id;
    return RunWriter(std::move(impl));
}

SignatureRecord StoreTransaction::sign(const SigningKey& key, std::uint64_t sequence) {
    h5::init_thread();
    FileState& state = *m_impl->state;
    state.require_open("sign");
    const std::string& path = state.temp_path;
    std::vector<ChainRow> chain = read_chain_rows(state.root(), path);
    if (chain.empty()) {
        throw InputError("the audit chain is empty: there is no head to sign (import a zone set or run first)", Context{}.file(state.path));
    }
    if (sequence == 0) {
        sequence = chain.size();
    }
    if (sequence > chain.size()) {
        throw InputError("the audit chain has no row " + std::to_string(sequence) + " (it has " + std::to_string(chain.size()) + ")",
                         Context{}.file(state.path));
    }
    SignatureRecord record;
    record.sequence = sequence;
    record.head_digest = chain[sequence - 1].digest;
    record.signed_utc = time_text(
        UtcTime{std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count()}, "signed");
    record.key_fingerprint = key.public_key().fingerprint();
    record.public_key = key.public_key().hex();
    record.signature = key.sign(head_message(record.sequence, record.head_digest, record.signed_utc));
    RowBuffer row(signatures_table(), 1);
    encode_signature(record, row.row(0));
    guarded(state, [&] {
        h5::Group audit = h5::open_group(state.root(), layout::audit, path);
        Appender table = h5::link_exists(audit.get(), layout::signatures, path) ? Appender::open_table(audit.get(), signatures_table(), path)
                                                                                : Appender::create_table(audit.get(), signatures_table(), path);
        table.append(row.data(), 1);
        table.finish();
    });
    return record;
}

const std::vector<ChainEntry>& StoreTransaction::chain_rows_added() const {
    return m_impl->state->chain_added;
}

std::vector<ChainEntry> StoreTransaction::chain() const {
    h5::init_thread();
    const FileState& state = *m_impl->state;
    state.require_open("chain");
    std::vector<ChainEntry> out;
    for (const ChainRow& row : read_chain_rows(state.root(), state.temp_path)) {
        out.push_back(chain_entry(row));
    }
    return out;
}

std::optional<ChainEntry> StoreTransaction::chain_row(ChainKind kind, const std::string& name) const {
    for (ChainEntry& e : chain()) {
        if (e.kind == kind && e.name == name) {
            return std::move(e);
        }
    }
    return std::nullopt;
}

void StoreTransaction::commit() {
    h5::init_thread();
    FileState& state = *m_impl->state;
    state.require_open("commit");
    if (!state.run_in_progress.empty()) {
        throw InternalError("commit while run " + state.run_in_progress + " is not finished; nothing was published");
    }
    const std::string& temp = state.temp_path;
    guarded(state, [&] {
        // Closing flushes everything HDF5 still holds; its error is the write error.
        herr_t rc = state.file.close();
        state.ended = true;
        h5::check(rc, temp, "close store");
        crash_point("close");
        fsync_path(temp, O_RDONLY, "fsync store");
        crash_point("fsync");
        if (::rename(temp.c_str(), state.target.c_str()) != 0) {
            posix_fail(state.path, "cannot rename " + temp + " over the store", errno);
        }
        m_impl->temp_created = false;
        state.created.clear(); // the published store links them now
        crash_point("rename");
        std::string dir = directory_of(state.target);
        // The new store is already in place (complete and verifiable); only its durability across
        // a power loss is in doubt. Still fatal (exit 4), and the message says what is true.
        fsync_path(dir, O_RDONLY | O_DIRECTORY,
                   "the new version of " + state.path + " is in place, but fsync of its directory failed, so it may not survive a power loss");
        crash_point("dir-fsync");
    });
    m_impl->lock.reset();
}

// =============================================================================================
// pack_store

PackReport pack_store(const std::string& store, const std::string& out) {
    namespace fs = std::filesystem;
    h5::init_thread();
    std::error_code ec;
    if (fs::exists(fs::symlink_status(out, ec))) {
        throw InputError("the output " + out + " exists; avf store pack never overwrites a file", Context{}.file(store));
    }
    const std::string target = fs::canonical(store, ec).string();
    if (ec) posix_fail(store, "cannot open the store", ec.value());
    h5::File source(h5::check_id(H5Fopen(target.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), store, "open store"));
    const int version = check_store_root(source.get(), store);

    const std::string temp = out + ".tmp-" + std::to_string(::getpid());
    PackReport report;
    bool created = false;
    try {
        h5::PropList fapl = h5::store_file_access(temp);
        h5::PropList fcpl(h5::check_id(H5Pcreate(H5P_FILE_CREATE), temp, "create file properties"));
        h5::check(H5Pset_obj_track_times(fcpl.get(), false), temp, "disable time tracking");
        created = true; // before: an H5Fcreate that fails part-way leaves the file
        h5::File packed(h5::check_id(H5Fcreate(temp.c_str(), H5F_ACC_EXCL, fcpl.get(), fapl.get()), temp, "create packed store"));
        h5::write_int_attribute(packed.get(), "schema_version", version, temp);
        h5::write_string_attribute(packed.get(), "format", h5::read_string_attribute(source.get(), "format", store), temp);
        h5::write_string_attribute(packed.get(), "created_by", h5::read_string_attribute(source.get(), "created_by", store), temp);

        // Member files are copied in place of their links (H5O_COPY_EXPAND_EXT_LINK_FLAG); chunks
        // are copied as stored, so every digest stays what the commit records say.
        h5::PropList copy(h5::check_id(H5Pcreate(H5P_OBJECT_COPY), temp, "create copy properties"));
        h5::check(H5Pset_copy_object(copy.get(), H5O_COPY_EXPAND_EXT_LINK_FLAG), temp, "set copy properties");
        h5::PropList lcpl = h5::utf8_link_creation(temp);
        for (const char* name : {layout::zones, layout::runs, layout::audit}) {
            h5::Group from = h5::open_group(source.get(), name, store);
            // Children one by one, in the store's (creation) order: listings keep import order.
            h5::Group to = h5::create_group(packed.get(), name, std::string(name) != layout::audit, temp);
            for (const std::string& child : h5::list_links(from.get(), store)) {
                const bool member = h5::external_link(from.get(), child, store).has_value();
                if (member) {
                    const std::string file = member_path(target, h5::external_link(from.get(), child, store)->file);
                    if (!fs::exists(file))
                        throw IoError("the member file " + file + " of /" + std::string(name) + "/" + child + " is missing", Context{}.file(store));
                }
                h5::check(H5Ocopy(from.get(), child.c_str(), to.get(), child.c_str(), copy.get(), lcpl.get()), temp,
                          "copy /" + std::string(name) + "/" + child);
                if (std::string(name) == layout::audit) continue;
                if (!member) {
                    ++report.inline_groups;
                } else if (std::string(name) == layout::runs) {
                    ++report.runs;
                } else {
                    ++report.zone_sets;
                }
            }
        }
        herr_t rc = packed.close();
        h5::check(rc, temp, "close packed store");
        fsync_path(temp, O_RDONLY, "fsync packed store");
        if (::rename(temp.c_str(), out.c_str()) != 0) posix_fail(out, "cannot rename " + temp + " into place", errno);
        created = false;
        fsync_path(directory_of(out), O_RDONLY | O_DIRECTORY, "fsync the folder of " + out);
    } catch (...) {
        if (created) ::unlink(temp.c_str());
        throw;
    }
    report.bytes = fs::file_size(out);
    return report;
}

} // namespace avf::storage
