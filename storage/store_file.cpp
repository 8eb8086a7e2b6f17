#include "storage/store_file.hpp"

#include "core/error.hpp"
#include "core/version.hpp"
#include "storage/codec.hpp"
#include "storage/schema.hpp"
#include "storage/store.hpp"
#include "storage/table.hpp"

#include <filesystem>

namespace avf::storage {

std::string created_by() {
    return std::string(tool_name) + " " + tool_version + " (git " + git_commit + ")";
}

void write_store_root(hid_t file, const std::string& path) {
    h5::write_int_attribute(file, "schema_version", schema_version, path);
    h5::write_string_attribute(file, "format", layout::format_name, path);
    h5::write_string_attribute(file, "created_by", created_by(), path);
}

int check_store_root(hid_t file, const std::string& path) {
    if (!h5::has_attribute(file, "format", path) || h5::read_string_attribute(file, "format", path) != layout::format_name) {
        throw IoError("not an avf store (the root attribute format is not \"avf-store\")", Context{}.file(path));
    }
    if (!h5::has_attribute(file, "schema_version", path)) {
        throw IoError("not an avf store (no root attribute schema_version)", Context{}.file(path));
    }
    std::int64_t version = h5::read_int_attribute(file, "schema_version", path);
    if (version > schema_version) {
        throw InputError("the store has schema_version " + std::to_string(version) + "; this build of avf supports schema versions 1 to " +
                             std::to_string(schema_version) + " (use a newer avf)",
                         Context{}.file(path));
    }
    if (version < 1) {
        throw IoError("invalid schema_version " + std::to_string(version), Context{}.file(path));
    }
    return static_cast<int>(version);
}

std::string write_commit_record(hid_t group, const std::vector<std::pair<std::string, DigestResult>>& entries,
                                const std::vector<std::string>& expected, const std::string& path) {
    if (entries.size() + 1 != expected.size() || expected.back() != layout::commit_blocks) {
        throw InternalError("commit record with " + std::to_string(entries.size()) + " entries, expected " + std::to_string(expected.size() - 1));
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (entries[i].first != expected[i]) {
            throw InternalError("commit record entry " + entries[i].first + " where " + expected[i] + " belongs");
        }
    }

    std::size_t n_blocks = 0;
    for (const auto& entry : entries) {
        n_blocks += entry.second.blocks.size();
    }
    RowBuffer rows(commit_blocks_table(), n_blocks);
    std::size_t i = 0;
    for (const auto& [name, digest] : entries) {
        for (const BlockDigest& b : digest.blocks) {
            encode_block(name, b, rows.row(i++));
        }
    }
    Appender blocks = Appender::create_table(group, commit_blocks_table(), path);
    blocks.append(rows.data(), rows.rows());
    DigestResult blocks_digest = blocks.finish();

    std::vector<CommitEntry> commit;
    commit.reserve(entries.size());
    for (const auto& [name, digest] : entries) {
        commit.push_back(CommitEntry{name, digest.units, digest.sha256});
    }
    commit.push_back(CommitEntry{layout::commit_blocks, blocks_digest.units, blocks_digest.sha256});

    RowBuffer commit_rows(commit_table(), commit.size());
    for (std::size_t k = 0; k < commit.size(); ++k) {
        encode_commit(commit[k], commit_rows.row(k));
    }
    Appender table = Appender::create_table(group, commit_table(), path);
    table.append(commit_rows.data(), commit_rows.rows());
    table.finish();

    std::string digest = commit_digest(commit);
    h5::Dataset ds = h5::open_dataset(group, layout::commit, path);
    h5::write_string_attribute(ds.get(), layout::digest_attribute, digest, path);
    return digest;
}

std::string member_folder(const std::string& store_target) {
    return store_target + ".d";
}

std::string member_link_name(const std::string& store_target, const char* kind, const std::string& name) {
    return std::filesystem::path(store_target).filename().string() + ".d/" + kind + "/" + name + ".h5";
}

std::string member_path(const std::string& store_target, const std::string& link_file) {
    return (std::filesystem::path(store_target).parent_path() / link_file).string();
}

bool is_member_link_name(const std::string& link_file, const char* kind, const std::string& name) {
    const auto slash = link_file.find('/');
    if (slash == std::string::npos || slash < 3) return false;
    const std::string folder = link_file.substr(0, slash);
    if (folder.compare(folder.size() - 2, 2, ".d") != 0 || folder == "..d" || folder.front() == '/') return false;
    return link_file.substr(slash) == "/" + std::string(kind) + "/" + name + ".h5";
}

std::vector<std::pair<std::string, std::string>> read_attributes(hid_t object, const std::vector<std::string>& names, const std::string& path) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& name : names) {
        if (!h5::has_attribute(object, name, path)) {
            throw IoError("attribute " + name + " is missing", Context{}.file(path));
        }
        out.emplace_back(name, h5::read_string_attribute(object, name, path));
    }
    return out;
}

} // namespace avf::storage
