// StoreReader: read-only access to a published store, and verify().

#include "core/error.hpp"
#include "storage/codec.hpp"
#include "storage/finding_codec.hpp"
#include "storage/hdf5_handle.hpp"
#include "storage/schema.hpp"
#include "storage/signing.hpp"
#include "storage/store.hpp"
#include "storage/store_file.hpp"
#include "storage/table.hpp"

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <map>
#include <optional>
#include <set>

namespace avf::storage {
namespace {

std::vector<InputFile> read_files(hid_t group, const TableSchema& schema, const std::string& path) {
    std::vector<InputFile> files;
    if (!h5::link_exists(group, schema.name(), path)) {
        return files;
    }
    auto rows = read_table(group, schema, path);
    for (const std::uint8_t* row : RowSpan(rows, schema)) {
        files.push_back(decode_source_file(schema, row, path));
    }
    return files;
}

std::vector<Problem> read_problem_rows(hid_t group, const std::string& path) {
    const TableSchema& schema = problems_table();
    auto rows = read_table(group, schema, path);
    std::string text = read_heap(group, layout::problem_text, path);
    std::vector<Problem> problems;
    problems.reserve(RowSpan(rows, schema).size());
    for (const std::uint8_t* row : RowSpan(rows, schema)) {
        problems.push_back(decode_problem(row, text, path));
    }
    return problems;
}

/// Schema 4 runs have a `rules` table; runs written before (schema 1-3) do not.
RunLayout run_layout_of(hid_t run, const std::string& path) {
    return h5::link_exists(run, layout::rules, path) ? RunLayout::v4 : RunLayout::v3;
}

std::uint64_t extent_of(hid_t group, const std::string& name, const std::string& path) {
    if (!h5::link_exists(group, name, path)) {
        return 0;
    }
    h5::Dataset ds = h5::open_dataset(group, name, path);
    return h5::extent(ds.get(), path);
}

std::string commit_digest_of(hid_t group, const std::string& path) {
    if (!h5::link_exists(group, layout::commit, path)) {
        return {};
    }
    h5::Dataset ds = h5::open_dataset(group, layout::commit, path);
    if (!h5::has_attribute(ds.get(), layout::digest_attribute, path)) {
        return {};
    }
    return h5::read_string_attribute(ds.get(), layout::digest_attribute, path);
}

std::string range_text(const char* unit, std::uint64_t first, std::uint64_t count) {
    return std::string(unit) + " " + std::to_string(first) + "-" + std::to_string(first + count - 1);
}

/// The first difference found while verifying one group (a run or a zone set).
struct Mismatch {
    std::string table, location, message;
};

/// Recomputes every entry of one group's commit record; nullopt when all match.
class GroupVerifier {
public:
    /// `alternative`: a second entry list the commit record may follow (runs: with imagery).
    /// `run_layout`: the layout of a run's findings and evidence tables.
    GroupVerifier(hid_t group, const std::vector<std::string>& entries, const std::vector<std::string>& attributes, const std::string& path,
                  std::vector<haddr_t>& fully_read, const std::vector<std::string>* alternative = nullptr, RunLayout run_layout = RunLayout::v3)
        : m_group(group), m_entries(&entries), m_alternative(alternative), m_attributes(attributes), m_path(path), m_fully_read(fully_read),
          m_layout(run_layout) {}

    /// Rows and bytes digested and found matching so far.
    [[nodiscard]] std::uint64_t rows_checked() const { return m_rows; }
    [[nodiscard]] std::uint64_t bytes_checked() const { return m_bytes; }

    std::optional<Mismatch> run(std::string& digest) {
        if (!h5::link_exists(m_group, layout::commit, m_path)) {
            return Mismatch{layout::commit, "missing", "no commit record"};
        }
        std::vector<CommitEntry> commit;
        std::vector<std::uint8_t> blocks_rows;
        try {
            auto rows = read_table(m_group, commit_table(), m_path);
            for (const std::uint8_t* row : RowSpan(rows, commit_table())) {
                commit.push_back(decode_commit(row, m_path));
            }
            if (h5::link_exists(m_group, layout::commit_blocks, m_path)) {
                blocks_rows = read_table(m_group, commit_blocks_table(), m_path);
            }
        } catch (const IoError& e) {
            return Mismatch{layout::commit, "unreadable", e.what()};
        }
        if (m_alternative && commit.size() == m_alternative->size()) {
            m_entries = m_alternative; // a run with imagery members (schema 2)
        }
        const std::vector<std::string>& entries = *m_entries;
        if (commit.size() != entries.size()) {
            return Mismatch{layout::commit, "count",
                            "the commit record lists " + std::to_string(commit.size()) + " entries, schema 1 has " + std::to_string(entries.size())};
        }
        for (std::size_t i = 0; i < commit.size(); ++i) {
            if (commit[i].table != entries[i]) {
                return Mismatch{layout::commit, "rows " + std::to_string(i) + "-" + std::to_string(i),
                                "commit entry " + std::to_string(i) + " is '" + commit[i].table + "', expected '" + entries[i] + "'"};
            }
        }
        digest = commit_digest(commit);
        std::string recorded;
        try {
            recorded = commit_digest_of(m_group, m_path);
        } catch (const IoError& e) {
            return Mismatch{layout::commit, "unreadable", e.what()};
        }
        if (recorded != digest) {
            return Mismatch{layout::commit, "digest", "the commit digest attribute is '" + recorded + "', the commit rows give " + digest};
        }

        for (const std::uint8_t* row : RowSpan(blocks_rows, commit_blocks_table())) {
            std::string table;
            BlockDigest b = decode_block(row, table, m_path);
            m_blocks[table].push_back(b);
        }
        for (const CommitEntry& entry : commit) {
            if (auto m = check_entry(entry)) {
                return m;
            }
        }
        try {
            return check_members(commit);
        } catch (const IoError& e) {
            return Mismatch{layout::commit, "unreadable", e.what()};
        }
    }

private:
    /// The group holds exactly what its commit record lists: no other link, every member a
    /// dataset, no attribute but the listed ones, and on each member exactly the attributes
    /// avf writes (the H5TB profile of a table, CONTENT of a byte heap), with their values.
    std::optional<Mismatch> check_members(const std::vector<CommitEntry>& commit) {
        std::vector<std::string> members = {layout::commit};
        for (const CommitEntry& e : commit) {
            if (e.table != layout::attributes) members.push_back(e.table);
        }
        for (const std::string& link : h5::list_links(m_group, m_path)) {
            if (std::find(members.begin(), members.end(), link) == members.end()) {
                return Mismatch{link, "extra", "the group holds '" + link + "', which its commit record does not list"};
            }
            if (!h5::is_dataset_link(m_group, link, m_path)) {
                return Mismatch{link, "layout", "'" + link + "' is not a dataset (a group, or a soft or external link)"};
            }
        }
        if (auto m = exact_attributes(m_group, layout::attributes, expected_group_attributes())) return m;
        for (const std::string& member : members) {
            h5::Dataset ds = h5::open_dataset(m_group, member, m_path);
            if (auto m = exact_attributes(ds.get(), member, expected_dataset_attributes(member))) return m;
        }
        return std::nullopt;
    }

    /// Attribute name -> value; a value of nullopt is checked by name only (the commit digest,
    /// compared above; the group's attributes, hashed in its commit record).
    using Expected = std::vector<std::pair<std::string, std::optional<std::string>>>;

    [[nodiscard]] Expected expected_group_attributes() const {
        Expected out;
        for (const auto& a : m_attributes) out.emplace_back(a, std::nullopt);
        return out;
    }

    [[nodiscard]] Expected expected_dataset_attributes(const std::string& member) const {
        Expected out;
        if (member == layout::regime_text) return out;
        if (is_heap(member)) {
            out.emplace_back("CONTENT", heap_description(member));
            return out;
        }
        for (auto& [name, value] : table_attributes(member == layout::commit ? commit_table() : table_for_entry(member, m_layout))) {
            out.emplace_back(name, value);
        }
        if (member == layout::commit) out.emplace_back(layout::digest_attribute, std::nullopt);
        return out;
    }

    std::optional<Mismatch> exact_attributes(hid_t object, const std::string& table, const Expected& expected) {
        std::vector<std::string> found = h5::list_attributes(object, m_path);
        for (const std::string& name : found) {
            auto it = std::find_if(expected.begin(), expected.end(), [&](const auto& e) { return e.first == name; });
            if (it == expected.end()) {
                return Mismatch{table, "extra", "attribute '" + name + "' is not one avf writes there (and no digest covers it)"};
            }
            if (it->second && h5::read_string_attribute(object, name, m_path) != *it->second) {
                return Mismatch{table, "value", "attribute " + name + " is not '" + *it->second + "'"};
            }
        }
        for (const auto& [name, value] : expected) {
            if (std::find(found.begin(), found.end(), name) == found.end()) {
                return Mismatch{table, "missing", "attribute " + name + " is missing"};
            }
        }
        return std::nullopt;
    }

    std::optional<Mismatch> check_entry(const CommitEntry& entry) {
        const std::string& name = entry.table;
        try {
            if (name == layout::attributes) {
                std::vector<std::pair<std::string, std::string>> values;
                for (const auto& a : m_attributes) {
                    if (!h5::has_attribute(m_group, a, m_path)) {
                        return Mismatch{name, "missing", "attribute " + a + " is missing"};
                    }
                    values.emplace_back(a, h5::read_string_attribute(m_group, a, m_path));
                }
                return compare_whole(entry, attribute_digest(values), "value", false);
            }
            if (name == layout::regime_text) {
                if (!h5::link_exists(m_group, name, m_path)) {
                    return Mismatch{name, "missing", name + " is missing"};
                }
                return compare_whole(entry, text_digest(h5::read_scalar_text(m_group, name, m_path)), "value", true);
            }
            if (!h5::link_exists(m_group, name, m_path)) {
                return Mismatch{name, "missing", name + " is missing"};
            }
            if (is_heap(name)) {
                return check_heap(entry);
            }
            return check_table(entry);
        } catch (const IoError& e) {
            return Mismatch{name, "unreadable", e.what()};
        }
    }

    /// `bytes`: the units are bytes (a text), else attributes or rows (commit_blocks).
    std::optional<Mismatch> compare_whole(const CommitEntry& entry, const DigestResult& found, const char* location, bool bytes) {
        if (found.units != entry.rows) {
            return Mismatch{entry.table, "count", "the commit record says " + std::to_string(entry.rows) + ", found " + std::to_string(found.units)};
        }
        if (found.sha256 != entry.sha256) {
            return Mismatch{entry.table, location, "digest mismatch: the SHA-256 differs from the commit record"};
        }
        (bytes ? m_bytes : m_rows) += found.units;
        return std::nullopt;
    }

    /// Reads in blocks, digesting each, so damage is located to a block and a block that cannot
    /// be read (fletcher32) is reported as such. When the count differs, only the blocks both
    /// the dataset and the record have are read, to name the first one that differs.
    template <typename ReadBlock>
    std::optional<Mismatch> check_blocks(const CommitEntry& entry, std::uint64_t units, std::uint64_t block_units, std::size_t unit_size,
                                         const char* unit_name, ReadBlock read_block) {
        const bool count_ok = units == entry.rows;
        const std::uint64_t readable = std::min(units, entry.rows);
        ContentDigest total(unit_size, 0);
        const auto& recorded = m_blocks[entry.table];
        std::optional<Mismatch> first_bad_block;
        std::size_t block_index = 0;
        for (std::uint64_t first = 0; first < readable; first += block_units, ++block_index) {
            std::uint64_t count = std::min(block_units, readable - first);
            std::string range = range_text(unit_name, first, count);
            std::vector<std::uint8_t> bytes;
            try {
                bytes = read_block(first, count);
            } catch (const IoError& e) {
                return Mismatch{entry.table, range, std::string("unreadable (fletcher32 checksum or HDF5 read error): ") + e.what()};
            }
            total.update(bytes.data(), count);
            ContentDigest block(unit_size, 0);
            block.update(bytes.data(), count);
            std::string sha = block.finish().sha256;
            bool block_ok = block_index < recorded.size() && recorded[block_index].first == first && recorded[block_index].count == count &&
                            recorded[block_index].sha256 == sha;
            if (!block_ok && !first_bad_block) {
                first_bad_block = Mismatch{entry.table, range,
                                           std::string("digest mismatch: the SHA-256 of these ") + unit_name + " differs from the commit record"};
            }
        }
        if (!count_ok) {
            std::string message =
                "the commit record says " + std::to_string(entry.rows) + " " + unit_name + ", the dataset has " + std::to_string(units);
            message += first_bad_block ? "; the first block that differs from its recorded digest is " + first_bad_block->location
                                       : "; the " + std::to_string(readable) + " " + unit_name + " both have match";
            return Mismatch{entry.table, "count", message};
        }
        if (total.finish().sha256 == entry.sha256) {
            if (first_bad_block) {
                return Mismatch{layout::commit_blocks, "value", entry.table + " matches its digest but not its block digests"};
            }
            (unit_size == 1 ? m_bytes : m_rows) += units;
            return std::nullopt;
        }
        if (first_bad_block) {
            return first_bad_block;
        }
        return Mismatch{entry.table, "digest", "digest mismatch: the SHA-256 differs from the commit record"};
    }

    std::optional<Mismatch> check_table(const CommitEntry& entry) {
        const TableSchema& schema = table_for_entry(entry.table, m_layout);
        h5::Dataset ds;
        try {
            ds = open_table(m_group, schema, m_path);
        } catch (const IoError& e) {
            return Mismatch{entry.table, "layout", e.what()};
        }
        std::uint64_t rows = h5::extent(ds.get(), m_path);
        if (entry.table == layout::commit_blocks) {
            // Its own blocks are not recorded (that would be circular): compare it whole.
            return compare_whole(entry, whole_table_digest(ds.get(), schema, rows), "digest", false);
        }
        auto m = check_blocks(entry, rows, table_block_rows, schema.row_size(), "rows",
                              [&](std::uint64_t first, std::uint64_t count) { return read_rows(ds.get(), schema, first, count, m_path); });
        if (!m) m_fully_read.push_back(h5::object_address(ds.get(), m_path));
        return m;
    }

    DigestResult whole_table_digest(hid_t ds, const TableSchema& schema, std::uint64_t rows) {
        ContentDigest d(schema.row_size(), 0);
        auto bytes = read_rows(ds, schema, 0, rows, m_path);
        d.update(bytes.data(), rows);
        return d.finish();
    }

    std::optional<Mismatch> check_heap(const CommitEntry& entry) {
        h5::Dataset ds = open_heap(m_group, entry.table, m_path);
        std::uint64_t bytes = h5::extent(ds.get(), m_path);
        auto m = check_blocks(entry, bytes, heap_block_bytes, 1, "bytes", [&](std::uint64_t first, std::uint64_t count) {
            std::string s = read_heap_bytes(ds.get(), first, count, m_path);
            return std::vector<std::uint8_t>(s.begin(), s.end());
        });
        if (!m) m_fully_read.push_back(h5::object_address(ds.get(), m_path));
        return m;
    }

    hid_t m_group;
    const std::vector<std::string>* m_entries;
    const std::vector<std::string>* m_alternative;
    const std::vector<std::string>& m_attributes;
    const std::string& m_path;
    std::vector<haddr_t>& m_fully_read;
    RunLayout m_layout;
    std::map<std::string, std::vector<BlockDigest>> m_blocks;
    std::uint64_t m_rows = 0, m_bytes = 0;
};

} // namespace

struct StoreReader::Impl {
    std::string path;
    std::string target; ///< the store file, symbolic links resolved: member files are beside it
    h5::File file;
    int version = 0;

    [[nodiscard]] hid_t root() const { return file.get(); }

    /// /runs/<name> or /zones/<name>: an inline group, or (schema 5) the root group of a member
    /// file reached through its external link. IoError naming the file when the member is missing.
    [[nodiscard]] h5::Group member_group(hid_t parent, const char* kind, const std::string& name) const {
        if (auto link = h5::external_link(parent, name, path)) {
            const std::string file = member_path(target, link->file);
            if (!std::filesystem::exists(file)) {
                throw IoError(std::string(kind == layout::runs ? "run " : "zone set ") + name + ": its member file " + file + " is missing",
                              Context{}.file(path));
            }
        }
        return h5::open_group(parent, name, path);
    }

    [[nodiscard]] h5::Group run_group(const std::string& run_id) const {
        h5::Group runs = h5::open_group(root(), layout::runs, path);
        if (!is_valid_group_name(run_id) || !h5::link_exists(runs.get(), run_id, path)) {
            throw InputError("no run " + run_id + " in the store", Context{}.file(path));
        }
        return member_group(runs.get(), layout::runs, run_id);
    }

    [[nodiscard]] h5::Group zone_set_group(const std::string& name) const {
        h5::Group zones = h5::open_group(root(), layout::zones, path);
        if (!is_valid_group_name(name) || !h5::link_exists(zones.get(), name, path)) {
            throw InputError("no zone set " + name + " in the store", Context{}.file(path));
        }
        return member_group(zones.get(), layout::zones, name);
    }

    /// A group to verify: inline in the store file, or the root of a member file opened on its own
    /// (not through the link), whose objects verify() then reads in full separately (object
    /// addresses are per file).
    struct Verified {
        std::string file; ///< the member file; "" for an inline group
        h5::File member;
        h5::Group group;
        std::vector<haddr_t> read; ///< datasets of the member file read in full
    };
    [[nodiscard]] Verified open_verified(hid_t parent, const std::string& name) const {
        Verified v;
        if (auto link = h5::external_link(parent, name, path)) {
            v.file = member_path(target, link->file);
            v.member = h5::File(h5::check_id(H5Fopen(v.file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), v.file, "open member file"));
            v.group = h5::open_group(v.member.get(), "/", v.file);
        } else {
            v.group = h5::open_group(parent, name, path);
        }
        return v;
    }
    /// Reads every object of a verified member file in full; false after recording a mismatch.
    bool read_member(Verified& v, const std::string& run, const std::string& set, VerifyReport& report) const;

    [[nodiscard]] const TableSchema& chain_schema() const { return version >= 3 ? chain_table() : chain_table_v1(); }

    /// Every row of /audit/chain as stored (a schema-1 or -2 row reads as kind "run").
    [[nodiscard]] std::vector<ChainRow> chain_rows() const {
        h5::Group audit = h5::open_group(root(), layout::audit, path);
        const TableSchema& schema = chain_schema();
        auto rows = read_table(audit.get(), schema, path);
        std::vector<ChainRow> out;
        for (const std::uint8_t* row : RowSpan(rows, schema)) {
            out.push_back(decode_chain(row, version, path));
        }
        return out;
    }

    [[nodiscard]] std::vector<ChainEntry> chain() const {
        std::vector<ChainEntry> out;
        for (const ChainRow& row : chain_rows()) out.push_back(chain_entry(row));
        return out;
    }

    /// The run rows of the chain.
    [[nodiscard]] std::vector<ChainEntry> run_rows() const {
        std::vector<ChainEntry> out;
        for (ChainEntry& e : chain()) {
            if (e.kind == ChainKind::run) out.push_back(std::move(e));
        }
        return out;
    }

    [[nodiscard]] std::vector<SignatureRecord> signatures() const {
        h5::Group audit = h5::open_group(root(), layout::audit, path);
        std::vector<SignatureRecord> out;
        if (!h5::link_exists(audit.get(), layout::signatures, path)) return out;
        auto rows = read_table(audit.get(), signatures_table(), path);
        for (const std::uint8_t* row : RowSpan(rows, signatures_table())) {
            out.push_back(decode_signature(row, path));
        }
        return out;
    }

    [[nodiscard]] RunInfo run_info(const std::string& run_id, const std::vector<ChainEntry>& chain) const;

    /// verify() steps; each returns false after recording the first mismatch in `report`.
    /// `fully_read` collects the datasets read in full and digested (not read again afterwards).
    bool verify_chain(const std::vector<ChainRow>& chain, std::size_t rows, VerifyReport& report) const;
    bool verify_run(const ChainRow& row, VerifyReport& report, std::vector<haddr_t>& fully_read) const;
    bool verify_zone_set(const std::string& name, const ChainRow* row, VerifyReport& report, std::vector<haddr_t>& fully_read) const;
    bool verify_structure(VerifyReport& report) const;
    bool verify_signatures(const std::vector<ChainRow>& chain, VerifyReport& report) const;
    /// Run groups that have no row in the chain, in creation order.
    [[nodiscard]] std::vector<std::string> runs_outside(const std::vector<ChainRow>& chain) const;

    /// InputError unless the run exists and has its commit record (what is read as a result).
    void require_committed(const std::string& run_id) const {
        (void)run_group(run_id); // InputError when there is no such run
        if (!run_committed(run_id)) {
            throw InputError("run " + run_id + " is incomplete (it has no commit record): its findings and problems are not results and are not read",
                             Context{}.file(path));
        }
    }

    [[nodiscard]] bool run_committed(const std::string& run_id) const {
        h5::Group runs = h5::open_group(root(), layout::runs, path);
        if (!is_valid_group_name(run_id) || !h5::link_exists(runs.get(), run_id, path)) {
            return false;
        }
        h5::Group run = member_group(runs.get(), layout::runs, run_id);
        return h5::link_exists(run.get(), layout::commit, path);
    }
};

StoreReader::StoreReader(std::string path) : m_impl(std::make_unique<Impl>()) {
    h5::init_thread();
    m_impl->path = std::move(path);
    const std::string& p = m_impl->path;
    if (!std::filesystem::exists(p)) {
        throw IoError("no such store", Context{}.file(p));
    }
    if (!h5::check_tri(H5Fis_hdf5(p.c_str()), p, "open store")) {
        throw IoError("not an HDF5 file", Context{}.file(p));
    }
    // Through symbolic links to the file itself: HDF5 resolves an external link's relative file name
    // against the directory of the file as opened, and member files sit beside the real file.
    std::error_code ec;
    m_impl->target = std::filesystem::canonical(p, ec).string();
    if (ec) m_impl->target = p;
    m_impl->file = h5::File(h5::check_id(H5Fopen(m_impl->target.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), p, "open store"));
    m_impl->version = check_store_root(m_impl->root(), p);
    for (const char* group : {layout::zones, layout::runs, layout::audit}) {
        if (!h5::link_exists(m_impl->root(), group, p)) {
            throw IoError(std::string("not an avf store (group /") + group + " is missing)", Context{}.file(p));
        }
    }
}

StoreReader::~StoreReader() = default;
StoreReader::StoreReader(StoreReader&&) noexcept = default;
StoreReader& StoreReader::operator=(StoreReader&&) noexcept = default;

const std::string& StoreReader::path() const {
    return m_impl->path;
}
int StoreReader::schema_version() const {
    return m_impl->version;
}

std::vector<ZoneSetInfo> StoreReader::zone_sets() const {
    h5::init_thread();
    const std::string& path = m_impl->path;
    h5::Group zones = h5::open_group(m_impl->root(), layout::zones, path);
    std::vector<ZoneSetInfo> out;
    for (const std::string& name : h5::list_links(zones.get(), path)) {
        h5::Group set = m_impl->member_group(zones.get(), layout::zones, name);
        ZoneSetInfo info;
        info.name = name;
        info.imported_utc = h5::read_string_attribute(set.get(), "imported_utc", path);
        info.zones = extent_of(set.get(), layout::zone_table, path);
        info.lines = extent_of(set.get(), layout::line_table, path);
        info.problems = extent_of(set.get(), layout::problems, path);
        info.sources = read_files(set.get(), sources_table(), path);
        info.digest = commit_digest_of(set.get(), path);
        out.push_back(std::move(info));
    }
    return out;
}

ZoneSet StoreReader::read_zone_set(const std::string& name) const {
    h5::init_thread();
    const std::string& path = m_impl->path;
    h5::Group set = m_impl->zone_set_group(name);
    ZoneSet out;
    out.name = h5::read_string_attribute(set.get(), "name", path);
    out.imported_utc = h5::read_string_attribute(set.get(), "imported_utc", path);
    out.options_json = h5::read_string_attribute(set.get(), "options_json", path);
    out.sources = read_files(set.get(), sources_table(), path);

    auto zone_rows = read_table(set.get(), zones_table(), path);
    std::string zone_wkb = read_heap(set.get(), layout::zone_wkb, path);
    for (const std::uint8_t* row : RowSpan(zone_rows, zones_table())) {
        out.zones.push_back(decode_zone(row, zone_wkb, out.sources, path));
    }

    auto line_rows = read_table(set.get(), lines_table(), path);
    std::string line_wkb = read_heap(set.get(), layout::line_wkb, path);
    for (const std::uint8_t* row : RowSpan(line_rows, lines_table())) {
        out.lines.push_back(decode_line(row, line_wkb, out.sources, path));
    }

    out.problems = read_problem_rows(set.get(), path);
    return out;
}

RunInfo StoreReader::run_info(const std::string& run_id) const {
    h5::init_thread();
    return m_impl->run_info(run_id, m_impl->run_rows());
}

RunInfo StoreReader::Impl::run_info(const std::string& run_id, const std::vector<ChainEntry>& chain) const {
    h5::Group run = run_group(run_id);
    hid_t g = run.get();
    RunInfo info;
    RunHeader& h = info.header;
    h.run_id = h5::read_string_attribute(g, "run_id", path);
    h.zone_set = h5::read_string_attribute(g, "zone_set", path);
    info.zone_set_digest = h5::read_string_attribute(g, "zone_set_digest", path);
    h.regime_id = h5::read_string_attribute(g, "regime_id", path);
    h.tool_version = h5::read_string_attribute(g, "tool_version", path);
    h.started = parse_time_text(h5::read_string_attribute(g, "started", path), "attribute started", path);
    h.options_json = h5::read_string_attribute(g, "options_json", path);
    h.regime_text = h5::read_scalar_text(g, layout::regime_text, path);
    h.inputs = read_files(g, inputs_table(), path);

    info.summary.inputs = h.inputs;
    info.summary.status = h5::read_string_attribute(g, "status", path);
    std::string finished = h5::read_string_attribute(g, "finished", path);
    if (!finished.empty()) {
        info.summary.finished = parse_time_text(finished, "attribute finished", path);
    }
    if (h5::link_exists(g, layout::summary, path)) {
        auto rows = read_table(g, summary_table(), path);
        for (const std::uint8_t* row : RowSpan(rows, summary_table())) {
            info.summary.rows.push_back(decode_summary(row, path));
        }
    }
    info.findings = extent_of(g, layout::findings, path);
    info.evidence = extent_of(g, layout::evidence, path);
    info.problems = extent_of(g, layout::problems, path);
    info.committed = h5::link_exists(g, layout::commit, path);
    info.content_digest = info.committed ? commit_digest_of(g, path) : std::string{};
    if (info.committed) {
        std::vector<CommitEntry> commit;
        auto rows = read_table(g, commit_table(), path);
        for (const std::uint8_t* row : RowSpan(rows, commit_table())) {
            commit.push_back(decode_commit(row, path));
        }
        info.results_digest = results_digest(commit);
    }
    for (const ChainEntry& c : chain) {
        if (c.kind == ChainKind::run && c.name == run_id) {
            info.sequence = c.sequence;
        }
    }
    return info;
}

std::vector<RunInfo> StoreReader::runs() const {
    h5::init_thread();
    const std::string& path = m_impl->path;
    std::vector<RunInfo> out;
    std::vector<std::string> listed;
    h5::Group runs = h5::open_group(m_impl->root(), layout::runs, path);
    std::vector<ChainEntry> chain = m_impl->run_rows();
    for (const ChainEntry& c : chain) {
        if (!is_valid_group_name(c.run_id) || !h5::link_exists(runs.get(), c.run_id, path)) {
            continue; // verify() reports it
        }
        out.push_back(m_impl->run_info(c.run_id, chain));
        listed.push_back(c.run_id);
    }
    for (const std::string& name : h5::list_links(runs.get(), path)) {
        if (std::find(listed.begin(), listed.end(), name) == listed.end()) {
            out.push_back(m_impl->run_info(name, chain));
        }
    }
    return out;
}

std::optional<std::string> StoreReader::latest_run() const {
    h5::init_thread();
    auto chain = m_impl->run_rows();
    // Reverse iterators rather than std::ranges::reverse_view: clang-tidy 14 (make lint) cannot
    // parse libstdc++ 12's <ranges> views.
    auto last = std::find_if(chain.rbegin(), chain.rend(), [&](const ChainEntry& e) { return m_impl->run_committed(e.run_id); });
    if (last != chain.rend()) {
        return last->run_id;
    }
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// FindingCursor: a run's findings a batch at a time. Each batch is one hyperslab of the findings
// table; the evidence rows, records and texts its rows refer to are read as the windows of their
// datasets those rows address (written in the same order, so a batch's windows are short), and
// the datasets stay open so HDF5's chunk cache serves the chunks two batches share.

struct FindingCursor::Impl {
    std::string path;
    RunLayout layout = RunLayout::v3;
    std::vector<InputFile> inputs;
    FindingCursorOptions options;
    std::uint64_t total = 0, position = 0;
    h5::Dataset findings, evidence, text, records; // text: explanations (v3) or record_text (v4)
    std::uint64_t evidence_rows = 0, text_bytes = 0, record_rows = 0;
    FindingDictionariesRead dictionaries; // v4: every dictionary but records
    std::vector<Finding> pending;         // next(): the current batch
    std::size_t pending_next = 0;

    [[nodiscard]] bool keep(const Finding& f) const { return !options.keep || options.keep(f); }

    void read_v3(std::uint64_t first, std::uint64_t count, std::vector<Finding>& out) {
        auto rows = read_rows(findings.get(), findings_table(), first, count, path);
        struct Row {
            Finding f;
            FindingSlots s;
        };
        std::vector<Row> kept;
        for (const std::uint8_t* row : RowSpan(rows, findings_table())) {
            Row r;
            r.f = decode_finding(row, r.s, path);
            if (keep(r.f)) kept.push_back(std::move(r));
        }
        // The windows of the explanations heap and the evidence table these rows refer to (a
        // reference outside the dataset is reported when the row is completed).
        std::uint64_t text_lo = text_bytes, text_hi = 0, ev_lo = evidence_rows, ev_hi = 0;
        for (const Row& r : kept) {
            const HeapRef& e = r.s.explanation;
            if (e.length > 0 && e.offset <= text_bytes && e.length <= text_bytes - e.offset) {
                text_lo = std::min(text_lo, e.offset);
                text_hi = std::max(text_hi, e.offset + e.length);
            }
            if (r.s.evidence_count > 0 && r.s.evidence_first <= evidence_rows && r.s.evidence_count <= evidence_rows - r.s.evidence_first) {
                ev_lo = std::min(ev_lo, r.s.evidence_first);
                ev_hi = std::max(ev_hi, r.s.evidence_first + r.s.evidence_count);
            }
        }
        const std::string text_window = text_lo < text_hi ? read_heap_window(text.get(), text_lo, text_hi, text_bytes, path) : std::string();
        const HeapView explanations{text_window, text_lo < text_hi ? text_lo : 0, text_bytes};
        const std::vector<std::uint8_t> ev_bytes =
            ev_lo < ev_hi ? read_rows(evidence.get(), evidence_table(), ev_lo, ev_hi - ev_lo, path) : std::vector<std::uint8_t>();
        const RowSpan ev(ev_bytes, evidence_table());
        for (Row& r : kept) {
            r.f.explanation = explanations.slice(r.s.explanation.offset, r.s.explanation.length, layout::explanations, path);
            const std::uint64_t first_row = r.s.evidence_first, n = r.s.evidence_count;
            if (first_row > evidence_rows || n > evidence_rows - first_row) {
                throw IoError("finding " + r.f.id + " refers to evidence rows outside the evidence table", Context{}.file(path));
            }
            for (std::uint64_t k = first_row; k < first_row + n; ++k) r.f.evidence.push_back(decode_evidence(ev[k - ev_lo], inputs, path));
            out.push_back(std::move(r.f));
        }
    }

    /// The records `codes` (sorted, unique, inside the table) name, read in ranges: codes closer
    /// than `gap` rows share one read.
    RecordLookup read_records(const std::vector<std::uint64_t>& codes) {
        constexpr std::uint64_t gap = 64;
        RecordLookup lookup(record_rows);
        for (std::size_t i = 0; i < codes.size();) {
            std::size_t j = i;
            while (j + 1 < codes.size() && codes[j + 1] - codes[j] <= gap) ++j;
            const std::uint64_t first = codes[i], count = codes[j] - codes[i] + 1;
            auto bytes = read_rows(records.get(), records_table(), first, count, path);
            std::vector<RecordSlots> slots;
            slots.reserve(count);
            std::uint64_t lo = text_bytes, hi = 0;
            for (const std::uint8_t* row : RowSpan(bytes, records_table())) {
                const RecordSlots& r = slots.emplace_back(records_columns.decode(row, path));
                const std::uint64_t length = std::uint64_t{r.id_length} + r.position_length;
                if (length > 0 && r.text_offset <= text_bytes && length <= text_bytes - r.text_offset) {
                    lo = std::min(lo, r.text_offset);
                    hi = std::max(hi, r.text_offset + length);
                }
            }
            const std::string window = lo < hi ? read_heap_window(text.get(), lo, hi, text_bytes, path) : std::string();
            lookup.add_range(first, decode_records(slots, HeapView{window, lo < hi ? lo : 0, text_bytes}, inputs, path));
            i = j + 1;
        }
        return lookup;
    }

    void read_v4(std::uint64_t first, std::uint64_t count, std::vector<Finding>& out) {
        auto rows = read_rows(findings.get(), findings_v4_table(), first, count, path);
        struct Row {
            Finding f;
            FindingCodes c;
        };
        std::vector<Row> kept;
        for (const std::uint8_t* row : RowSpan(rows, findings_v4_table())) {
            Row r;
            r.f = decode_finding_v4_fields(row, dictionaries, r.c, path);
            if (keep(r.f)) kept.push_back(std::move(r));
        }
        // The evidence rows of the findings resting on several records, then every record named.
        std::uint64_t ev_lo = evidence_rows, ev_hi = 0;
        for (const Row& r : kept) {
            if (r.c.evidence_count == 1 || r.c.evidence_count == 0) continue;
            const std::uint64_t end = std::min<std::uint64_t>(std::uint64_t{r.c.evidence} + r.c.evidence_count, evidence_rows);
            if (r.c.evidence < end) {
                ev_lo = std::min<std::uint64_t>(ev_lo, r.c.evidence);
                ev_hi = std::max(ev_hi, end);
            }
        }
        EvidenceWindowV4 window{ev_lo < ev_hi ? ev_lo : 0, evidence_rows, {}};
        if (ev_lo < ev_hi) window.rows = decode_evidence_v4(read_rows(evidence.get(), evidence_v4_table(), ev_lo, ev_hi - ev_lo, path), path);
        std::vector<std::uint64_t> codes;
        for (const Row& r : kept) {
            if (r.c.evidence_count == 1) {
                codes.push_back(r.c.evidence);
                continue;
            }
            const std::uint64_t end = std::min<std::uint64_t>(std::uint64_t{r.c.evidence} + r.c.evidence_count, evidence_rows);
            for (std::uint64_t k = r.c.evidence; k < end; ++k) codes.push_back(window.rows[k - window.first].record);
        }
        std::sort(codes.begin(), codes.end());
        codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
        codes.erase(std::lower_bound(codes.begin(), codes.end(), record_rows), codes.end()); // reported when the finding is completed
        const RecordLookup lookup = read_records(codes);
        for (Row& r : kept) {
            complete_finding_v4(r.f, r.c, dictionaries, window, lookup, path);
            out.push_back(std::move(r.f));
        }
    }
};

FindingCursor::FindingCursor(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
FindingCursor::FindingCursor(FindingCursor&&) noexcept = default;
FindingCursor& FindingCursor::operator=(FindingCursor&&) noexcept = default;
FindingCursor::~FindingCursor() = default;

bool FindingCursor::next_batch(std::vector<Finding>& out) {
    h5::init_thread();
    out.clear();
    Impl& m = *m_impl;
    if (m.position >= m.total) return false;
    const std::uint64_t count = std::min<std::uint64_t>(std::max<std::size_t>(m.options.batch_rows, 1), m.total - m.position);
    if (m.layout == RunLayout::v4)
        m.read_v4(m.position, count, out);
    else
        m.read_v3(m.position, count, out);
    m.position += count;
    return true;
}

bool FindingCursor::next(Finding& out) {
    Impl& m = *m_impl;
    while (m.pending_next >= m.pending.size()) {
        m.pending_next = 0;
        if (!next_batch(m.pending)) return false;
    }
    out = std::move(m.pending[m.pending_next++]);
    return true;
}

std::uint64_t FindingCursor::rows() const {
    return m_impl->total;
}
std::uint64_t FindingCursor::rows_read() const {
    return m_impl->position;
}

FindingCursor StoreReader::findings(const std::string& run_id, FindingCursorOptions options) const {
    h5::init_thread();
    const std::string& path = m_impl->path;
    m_impl->require_committed(run_id);
    h5::Group run = m_impl->run_group(run_id);
    auto c = std::make_unique<FindingCursor::Impl>();
    c->path = path;
    c->options = std::move(options);
    c->inputs = read_files(run.get(), inputs_table(), path);
    c->layout = run_layout_of(run.get(), path);
    if (c->layout == RunLayout::v4) {
        // The small dictionaries once; records (one per detection a finding rests on) per batch.
        FindingDictionariesRead& d = c->dictionaries;
        const std::string dictionary_text = read_heap(run.get(), layout::dictionary_text, path);
        d.rules = decode_rules(read_table(run.get(), rules_table(), path), dictionary_text, path);
        d.waivers = decode_waivers(read_table(run.get(), waivers_table(), path), dictionary_text, path);
        d.targets = decode_dictionary(targets_table(), read_table(run.get(), targets_table(), path), path);
        d.classes = decode_dictionary(classes_table(), read_table(run.get(), classes_table(), path), path);
        d.parties = decode_dictionary(parties_table(), read_table(run.get(), parties_table(), path), path);
        c->findings = open_table(run.get(), findings_v4_table(), path);
        c->evidence = open_table(run.get(), evidence_v4_table(), path);
        c->records = open_table(run.get(), records_table(), path);
        c->record_rows = h5::extent(c->records.get(), path);
        c->text = open_heap(run.get(), layout::record_text, path);
    } else {
        c->findings = open_table(run.get(), findings_table(), path);
        c->evidence = open_table(run.get(), evidence_table(), path);
        c->text = open_heap(run.get(), layout::explanations, path);
    }
    c->total = h5::extent(c->findings.get(), path);
    c->evidence_rows = h5::extent(c->evidence.get(), path);
    c->text_bytes = h5::extent(c->text.get(), path);
    return FindingCursor(std::move(c));
}

std::vector<Finding> StoreReader::read_findings(const std::string& run_id) const {
    FindingCursor cursor = findings(run_id);
    std::vector<Finding> out;
    out.reserve(cursor.rows());
    std::vector<Finding> batch;
    while (cursor.next_batch(batch)) std::move(batch.begin(), batch.end(), std::back_inserter(out));
    return out;
}

std::vector<Problem> StoreReader::read_problems(const std::string& run_id) const {
    h5::init_thread();
    m_impl->require_committed(run_id);
    h5::Group run = m_impl->run_group(run_id);
    return read_problem_rows(run.get(), m_impl->path);
}

RunImagery StoreReader::read_imagery(const std::string& run_id) const {
    h5::init_thread();
    const std::string& path = m_impl->path;
    m_impl->require_committed(run_id);
    h5::Group run = m_impl->run_group(run_id);
    RunImagery out;
    if (!h5::link_exists(run.get(), layout::images, path)) {
        return out; // a run without imagery (or a schema-1 run)
    }
    std::vector<InputFile> inputs = read_files(run.get(), inputs_table(), path);
    {
        auto rows = read_table(run.get(), images_table(), path);
        std::string wkb = read_heap(run.get(), layout::image_wkb, path);
        for (const std::uint8_t* row : RowSpan(rows, images_table())) out.images.push_back(decode_image(row, wkb, inputs, path));
    }
    {
        auto rows = read_table(run.get(), flights_table(), path);
        std::string wkb = read_heap(run.get(), layout::flight_wkb, path);
        for (const std::uint8_t* row : RowSpan(rows, flights_table())) out.flights.push_back(decode_flight(row, wkb, inputs, path));
    }
    {
        auto rows = read_table(run.get(), coverage_table(), path);
        std::string wkb = read_heap(run.get(), layout::coverage_wkb, path);
        for (const std::uint8_t* row : RowSpan(rows, coverage_table())) out.coverage.push_back(decode_coverage(row, wkb, path));
    }
    return out;
}

std::vector<ChainEntry> StoreReader::audit_chain() const {
    h5::init_thread();
    return m_impl->run_rows();
}

std::vector<ChainEntry> StoreReader::chain() const {
    h5::init_thread();
    return m_impl->chain();
}

std::vector<SignatureRecord> StoreReader::signatures() const {
    h5::init_thread();
    return m_impl->signatures();
}

namespace {

/// Records the first mismatch in `report` ("run R, table T, L: detail") and returns false.
bool mismatch(VerifyReport& report, std::string run_id, std::string zone_set, std::string table, std::string location, const std::string& detail) {
    report.ok = false;
    std::string where = !run_id.empty() ? "run " + run_id : !zone_set.empty() ? "zone set " + zone_set : std::string("store");
    report.message = where + ", table " + table + ", " + location + ": " + detail;
    report.run_id = std::move(run_id);
    report.zone_set = std::move(zone_set);
    report.table = std::move(table);
    report.location = std::move(location);
    return false;
}

} // namespace

bool StoreReader::Impl::verify_chain(const std::vector<ChainRow>& chain, std::size_t rows, VerifyReport& report) const {
    std::string previous = genesis_digest;
    std::set<std::pair<std::string, std::string>> seen;
    for (std::size_t i = 0; i < rows; ++i) {
        const ChainRow& c = chain[i];
        const std::string run = c.kind == "run" ? c.name : std::string{};
        const std::string set = c.kind == "zone_set" ? c.name : std::string{};
        ++report.chain_rows;
        if (c.sequence != i + 1) {
            return mismatch(report, run, set, layout::chain, "link",
                            "chain row " + std::to_string(i) + " has sequence " + std::to_string(c.sequence));
        }
        if (c.kind != "run" && c.kind != "zone_set") {
            return mismatch(report, "", "", layout::chain, "value",
                            "chain row " + std::to_string(i + 1) + " has kind '" + c.kind + "' (expected run or zone_set)");
        }
        if (!seen.emplace(c.kind, c.name).second) {
            return mismatch(report, run, set, layout::chain, "link",
                            "a second chain row for the same " + c.kind + " (row " + std::to_string(i + 1) + ")");
        }
        if (c.previous_digest != previous) {
            return mismatch(report, run, set, layout::chain, "link", "previous_digest does not match the digest of the row before");
        }
        if (c.digest != chain_digest(c.previous_digest, chain_key(c.kind, c.name), c.content_digest)) {
            return mismatch(report, run, set, layout::chain, "digest", "the row's digest does not match its content");
        }
        previous = c.digest;
    }
    return true;
}

bool StoreReader::Impl::read_member(Verified& v, const std::string& run, const std::string& set, VerifyReport& report) const {
    if (v.file.empty()) return true;
    v.group.reset();
    h5::ReadAllResult all = h5::read_every_object(v.member.get(), v.read);
    report.objects_read += all.objects;
    if (!all.object.empty()) {
        return mismatch(report, run, set, all.object, "unreadable", "member file " + v.file + ": cannot be read in full: " + all.error);
    }
    return true;
}

bool StoreReader::Impl::verify_run(const ChainRow& c, VerifyReport& report, std::vector<haddr_t>& fully_read) const {
    h5::Group runs = h5::open_group(root(), layout::runs, path);
    if (!is_valid_group_name(c.name) || !h5::link_exists(runs.get(), c.name, path)) {
        return mismatch(report, c.name, "", "run", "missing", "the audit chain names a run that is not in the store");
    }
    const bool member = h5::external_link(runs.get(), c.name, path).has_value();
    if (!member && !h5::is_group_link(runs.get(), c.name, path)) {
        return mismatch(report, c.name, "", "run", "layout", "/runs/" + c.name + " is not a group");
    }
    Verified v;
    try {
        v = open_verified(runs.get(), c.name);
    } catch (const IoError& e) {
        return mismatch(report, c.name, "", "member", "unreadable", e.what());
    }
    const h5::Group& run = v.group;
    const std::string& file = member ? v.file : path;
    std::string digest;
    const RunLayout run_layout = run_layout_of(run.get(), file);
    GroupVerifier verifier(run.get(), run_commit_entries(run_layout, false), run_attribute_names(), file, member ? v.read : fully_read,
                           &run_commit_entries(run_layout, true), run_layout);
    if (auto m = verifier.run(digest)) {
        std::string detail = m->message;
        if (m->table == layout::commit && m->location == "missing") {
            detail = "no commit record: the run is incomplete and none of its content can be trusted";
        }
        return mismatch(report, c.name, "", m->table, m->location, detail);
    }
    if (digest != c.content_digest) {
        return mismatch(report, c.name, "", layout::chain, "digest", "the run's commit digest differs from the content_digest recorded in the chain");
    }
    // The zone set the run used must still be the one it used.
    std::string set_name = h5::read_string_attribute(run.get(), "zone_set", file);
    std::string set_digest = h5::read_string_attribute(run.get(), "zone_set_digest", file);
    if (!set_digest.empty()) {
        h5::Group zones = h5::open_group(root(), layout::zones, path);
        std::string current;
        if (is_valid_group_name(set_name) && h5::link_exists(zones.get(), set_name, path) &&
            (h5::is_group_link(zones.get(), set_name, path) || h5::external_link(zones.get(), set_name, path))) {
            Verified set = open_verified(zones.get(), set_name);
            current = commit_digest_of(set.group.get(), set.file.empty() ? path : set.file);
        }
        if (current != set_digest) {
            return mismatch(report, c.name, set_name, layout::attributes, "value",
                            "zone set " + set_name + " is missing or differs from the one the run used (digest " + set_digest + ")");
        }
    }
    if (!read_member(v, c.name, "", report)) return false;
    report.rows_checked += verifier.rows_checked();
    report.bytes_checked += verifier.bytes_checked();
    ++report.runs_checked;
    return true;
}

bool StoreReader::Impl::verify_zone_set(const std::string& name, const ChainRow* row, VerifyReport& report, std::vector<haddr_t>& fully_read) const {
    h5::Group zones = h5::open_group(root(), layout::zones, path);
    if (!is_valid_group_name(name) || !h5::link_exists(zones.get(), name, path)) {
        return mismatch(report, "", name, "zone set", "missing", "the audit chain names a zone set that is not in the store");
    }
    const bool member = h5::external_link(zones.get(), name, path).has_value();
    if (!member && !h5::is_group_link(zones.get(), name, path)) {
        return mismatch(report, "", name, "zone set", "layout", "/zones/" + name + " is not a group");
    }
    Verified v;
    try {
        v = open_verified(zones.get(), name);
    } catch (const IoError& e) {
        return mismatch(report, "", name, "member", "unreadable", e.what());
    }
    const std::string& file = member ? v.file : path;
    std::string digest;
    GroupVerifier verifier(v.group.get(), zone_set_commit_entries(), zone_set_attribute_names(), file, member ? v.read : fully_read);
    if (auto m = verifier.run(digest)) {
        return mismatch(report, "", name, m->table, m->location, m->message);
    }
    if (row && digest != row->content_digest) {
        return mismatch(report, "", name, layout::chain, "digest",
                        "the zone set's commit digest differs from the content_digest recorded in the chain");
    }
    if (!read_member(v, "", name, report)) return false;
    report.rows_checked += verifier.rows_checked();
    report.bytes_checked += verifier.bytes_checked();
    ++report.zone_sets_checked;
    return true;
}

namespace {

/// Links and attributes a store-level group holds beyond what the format defines (the first one).
std::optional<std::string> unexpected(const std::vector<std::string>& found, const std::vector<std::string>& allowed) {
    for (const std::string& name : found) {
        if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) return name;
    }
    return std::nullopt;
}

} // namespace

bool StoreReader::Impl::verify_structure(VerifyReport& report) const {
    // The root: /zones, /runs, /audit and the three root attributes; nothing else.
    h5::Group top = h5::open_group(root(), "/", path);
    if (auto extra = unexpected(h5::list_links(top.get(), path), {layout::zones, layout::runs, layout::audit})) {
        return mismatch(report, "", "", "/", "extra", "the file holds '/" + *extra + "', which the store format does not define");
    }
    if (auto extra = unexpected(h5::list_attributes(root(), path), {"schema_version", "format", "created_by"})) {
        return mismatch(report, "", "", "/", "extra", "the root holds attribute '" + *extra + "', which the store format does not define");
    }
    for (const char* name : {layout::zones, layout::runs, layout::audit}) {
        if (!h5::is_group_link(root(), name, path)) {
            return mismatch(report, "", "", std::string("/") + name, "layout", std::string("/") + name + " is not a group");
        }
        h5::Group group = h5::open_group(root(), name, path);
        if (auto extra = unexpected(h5::list_attributes(group.get(), path), {})) {
            return mismatch(report, "", "", std::string("/") + name, "extra", "attribute '" + *extra + "' is not part of the store format");
        }
        if (std::string(name) == layout::audit) continue;
        for (const std::string& child : h5::list_links(group.get(), path)) {
            const bool is_run = std::string(name) == layout::runs;
            if (auto link = h5::external_link(group.get(), child, path)) {
                // Schema 5: a member file beside the store, in the one form avf writes; never a link
                // to anywhere else (no digest would tell what such a file is).
                if (version < 5 || !is_member_link_name(link->file, name, child) || link->object != "/") {
                    return mismatch(report, is_run ? child : "", is_run ? "" : child, std::string("/") + name, "layout",
                                    std::string("/") + name + "/" + child + " is an external link to " + link->file + ":" + link->object +
                                        ", not a member file of the store");
                }
                const std::string file = member_path(target, link->file);
                if (!std::filesystem::exists(file)) {
                    return mismatch(report, is_run ? child : "", is_run ? "" : child, "member", "missing", "the member file " + file + " is missing");
                }
                continue;
            }
            if (!h5::is_group_link(group.get(), child, path)) {
                return mismatch(report, "", "", std::string("/") + name, "layout", std::string("/") + name + "/" + child + " is not a group");
            }
        }
    }
    h5::Group audit = h5::open_group(root(), layout::audit, path);
    std::vector<std::string> allowed = {layout::chain};
    if (version >= 3) allowed.emplace_back(layout::signatures);
    if (auto extra = unexpected(h5::list_links(audit.get(), path), allowed)) {
        return mismatch(report, "", "", "/audit", "extra", "/audit holds '" + *extra + "', which the store format does not define");
    }
    for (const std::string& name : h5::list_links(audit.get(), path)) {
        const TableSchema& schema = name == layout::chain ? chain_schema() : signatures_table();
        try {
            (void)open_table(audit.get(), schema, path);
        } catch (const IoError& e) {
            return mismatch(report, "", "", name, "layout", e.what());
        }
        h5::Dataset ds = h5::open_dataset(audit.get(), name, path);
        auto expected = table_attributes(schema);
        for (const std::string& a : h5::list_attributes(ds.get(), path)) {
            auto it = std::find_if(expected.begin(), expected.end(), [&](const auto& e) { return e.first == a; });
            if (it == expected.end()) return mismatch(report, "", "", name, "extra", "attribute '" + a + "' is not one avf writes there");
            if (h5::read_string_attribute(ds.get(), a, path) != it->second) {
                return mismatch(report, "", "", name, "value", "attribute " + a + " is not '" + it->second + "'");
            }
        }
    }
    // Runs without a commit record (incomplete) hold only what a run holds.
    h5::Group runs = h5::open_group(root(), layout::runs, path);
    std::vector<std::string> members = run_commit_entries(RunLayout::v3, true);
    for (const std::string& m : run_commit_entries(RunLayout::v4, true)) members.push_back(m);
    members.emplace_back(layout::commit);
    for (const std::string& name : h5::list_links(runs.get(), path)) {
        h5::Group run = member_group(runs.get(), layout::runs, name);
        if (h5::link_exists(run.get(), layout::commit, path)) continue; // checked exactly against its commit record
        if (auto extra = unexpected(h5::list_links(run.get(), path), members)) {
            return mismatch(report, name, "", *extra, "extra", "the incomplete run holds '" + *extra + "', which no run holds");
        }
        if (auto extra = unexpected(h5::list_attributes(run.get(), path), run_attribute_names())) {
            return mismatch(report, name, "", layout::attributes, "extra", "attribute '" + *extra + "' is not one a run has");
        }
    }
    return true;
}

bool StoreReader::Impl::verify_signatures(const std::vector<ChainRow>& chain, VerifyReport& report) const {
    std::vector<SignatureRecord> records;
    try {
        records = signatures();
    } catch (const IoError& e) {
        return mismatch(report, "", "", layout::signatures, "unreadable", e.what());
    }
    for (std::size_t i = 0; i < records.size(); ++i) {
        const SignatureRecord& s = records[i];
        const std::string where = "rows " + std::to_string(i) + "-" + std::to_string(i);
        if (s.sequence == 0 || s.sequence > chain.size()) {
            return mismatch(report, "", "", layout::signatures, where,
                            "signature " + std::to_string(i + 1) + " names chain row " + std::to_string(s.sequence) +
                                ", which the chain does not have");
        }
        const ChainRow& row = chain[s.sequence - 1];
        if (row.digest != s.head_digest) {
            return mismatch(report, "", "", layout::signatures, where,
                            "signature " + std::to_string(i + 1) + " covers chain row " + std::to_string(s.sequence) + " with digest " +
                                s.head_digest + ", but that row's digest is now " + row.digest + ": the chain was rewritten after it was signed");
        }
        std::optional<PublicKey> key;
        try {
            key.emplace(PublicKey::from_hex(s.public_key));
        } catch (const InputError&) {
            return mismatch(report, "", "", layout::signatures, where, "signature " + std::to_string(i + 1) + " holds no valid Ed25519 public key");
        }
        if (key->fingerprint() != s.key_fingerprint) {
            return mismatch(report, "", "", layout::signatures, where,
                            "signature " + std::to_string(i + 1) + ": the key fingerprint does not match the public key stored with it");
        }
        if (!key->verify(head_message(s.sequence, s.head_digest, s.signed_utc), s.signature)) {
            return mismatch(report, "", "", layout::signatures, where,
                            "signature " + std::to_string(i + 1) + " is not a valid Ed25519 signature of chain row " + std::to_string(s.sequence) +
                                " by key " + s.key_fingerprint);
        }
        ++report.signatures_checked;
    }
    return true;
}

std::vector<std::string> StoreReader::Impl::runs_outside(const std::vector<ChainRow>& chain) const {
    h5::Group runs = h5::open_group(root(), layout::runs, path);
    std::vector<std::string> out;
    for (const std::string& name : h5::list_links(runs.get(), path)) {
        if (std::none_of(chain.begin(), chain.end(), [&](const ChainRow& c) { return c.kind == "run" && c.name == name; })) {
            out.push_back(name);
        }
    }
    return out;
}

namespace {

/// The trust checks of VerifyOptions on a store found consistent.
void check_trust(const std::vector<ChainRow>& chain, const std::vector<SignatureRecord>& signatures, const VerifyOptions& options,
                 VerifyReport& report) {
    auto distrust = [&](std::string why) {
        if (report.trusted) {
            report.trusted = false;
            report.trust_message = std::move(why);
        }
    };
    for (const std::string& expected : options.expected_heads) {
        if (std::none_of(chain.begin(), chain.end(), [&](const ChainRow& c) { return c.digest == expected; })) {
            distrust("the expected head " + expected +
                     " is not the digest of any row of the chain: the history up to it was rewritten, or this is not the store it came from");
        }
    }
    if (options.trusted_key) {
        const PublicKey& key = *options.trusted_key;
        for (const SignatureRecord& s : signatures) {
            if (s.public_key == key.hex()) report.signed_sequence = std::max(report.signed_sequence, s.sequence);
        }
        if (report.signed_sequence == 0) {
            distrust("no signature by the trusted key " + key.fingerprint() +
                     " is in the store: its history is not anchored by that key (a rewrite would look the same)");
        }
        for (std::size_t i = report.signed_sequence; i < chain.size(); ++i) report.unsigned_rows.push_back(chain_entry(chain[i]));
    }
}

} // namespace

VerifyReport StoreReader::verify(const VerifyOptions& options) const {
    h5::init_thread();
    const std::string& path = m_impl->path;
    VerifyReport report;

    std::vector<ChainRow> chain;
    try {
        chain = m_impl->chain_rows();
    } catch (const IoError& e) {
        mismatch(report, "", "", layout::chain, "unreadable", e.what());
        return report;
    }
    if (!chain.empty()) report.head = chain_entry(chain.back());
    std::vector<haddr_t> fully_read;
    try {
        // Incomplete runs are listed whatever else is found.
        std::vector<std::string> outside = m_impl->runs_outside(chain);
        std::vector<std::string> committed_outside;
        for (const std::string& name : outside) {
            (m_impl->run_committed(name) ? committed_outside : report.uncommitted_runs).push_back(name);
        }
        // 0. Nothing in the file beyond what the format defines.
        if (!m_impl->verify_structure(report)) return report;
        // 1. The chain's links, then every zone set and run of the chain in order.
        if (!m_impl->verify_chain(chain, chain.size(), report)) return report;
        for (const ChainRow& c : chain) {
            if (options.progress) options.progress(c.name, static_cast<std::size_t>(&c - chain.data()), chain.size());
            bool ok = c.kind == "run" ? m_impl->verify_run(c, report, fully_read) : m_impl->verify_zone_set(c.name, &c, report, fully_read);
            if (!ok) return report;
        }
        // 2. A committed run outside the chain was removed from it (or the chain row was).
        if (!committed_outside.empty()) {
            mismatch(report, committed_outside.front(), "", layout::chain, "missing", "the run has a commit record but no row in the audit chain");
            return report;
        }
        // 3. Zone sets: from schema 3 on, each is in the chain; before, each against its commit record.
        h5::Group zones = h5::open_group(m_impl->root(), layout::zones, path);
        for (const std::string& name : h5::list_links(zones.get(), path)) {
            if (m_impl->version >= 3) {
                if (std::none_of(chain.begin(), chain.end(), [&](const ChainRow& c) { return c.kind == "zone_set" && c.name == name; })) {
                    mismatch(report, "", name, layout::chain, "missing", "the zone set has no row in the audit chain");
                    return report;
                }
                continue;
            }
            if (!m_impl->verify_zone_set(name, nullptr, report, fully_read)) return report;
        }
        // 4. Signatures: each valid, for a row of the chain as it is.
        if (!m_impl->verify_signatures(chain, report)) return report;
    } catch (const IoError& e) {
        mismatch(report, "", "", "store", "unreadable", e.what());
        return report;
    }
    // 5. Everything else h5dump would read: every object's header and attributes, every dataset
    // not already read in full above (the chain, incomplete runs, ...).
    if (options.progress) options.progress("every object", chain.size(), chain.size());
    h5::ReadAllResult all = h5::read_every_object(m_impl->root(), fully_read);
    report.objects_read = all.objects;
    if (!all.object.empty()) {
        mismatch(report, "", "", all.object, "unreadable", "cannot be read in full: " + all.error);
        return report;
    }
    check_trust(chain, m_impl->signatures(), options, report);
    return report;
}

VerifyReport StoreReader::verify_run(const std::string& run_id) const {
    h5::init_thread();
    (void)m_impl->run_group(run_id); // InputError when there is no such run
    VerifyReport report;
    std::vector<ChainRow> chain;
    try {
        chain = m_impl->chain_rows();
    } catch (const IoError& e) {
        mismatch(report, run_id, "", layout::chain, "unreadable", e.what());
        return report;
    }
    auto row = std::find_if(chain.begin(), chain.end(), [&](const ChainRow& c) { return c.kind == "run" && c.name == run_id; });
    if (row == chain.end()) {
        if (!m_impl->run_committed(run_id)) {
            report.uncommitted_runs.push_back(run_id);
            mismatch(report, run_id, "", layout::commit, "missing", "no commit record: the run is incomplete and none of its content can be trusted");
        } else {
            mismatch(report, run_id, "", layout::chain, "missing", "the run has a commit record but no row in the audit chain");
        }
        return report;
    }
    auto rows = static_cast<std::size_t>(row - chain.begin()) + 1;
    report.head = chain_entry(*row);
    std::vector<haddr_t> fully_read;
    try {
        if (m_impl->verify_chain(chain, rows, report)) {
            m_impl->verify_run(*row, report, fully_read);
        }
    } catch (const IoError& e) {
        mismatch(report, run_id, "", "store", "unreadable", e.what());
    }
    return report;
}

} // namespace avf::storage
