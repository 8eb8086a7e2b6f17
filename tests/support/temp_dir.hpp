// Test helpers: a per-test temporary directory (removed at the end) and paths into the source tree.
//
//   avf::test::TempDir tmp;                 // /tmp/avf-test-XXXXXX
//   auto store = tmp.path() / "s.h5";
//   avf::test::source_path("datasets/malformed/bowtie.geojson");
#pragma once

#include <filesystem>
#include <string>

namespace avf::test {

class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return m_path; }
    /// Writes `content` to path()/name and returns the full path.
    std::string write(const std::string& name, const std::string& content) const;

private:
    std::filesystem::path m_path;
};

/// Absolute path of a file in the repository.
std::string source_path(const std::string& relative);

/// Runs a shell command; returns its exit status and fills `output` with stdout+stderr.
int run_command(const std::string& command, std::string& output);

/// Copies a store: its file and (schema 5) its member folder `<store>.d`, to `to`, which must
/// have the same file name (the store file's links name `<file name>.d/...`; a copy under another
/// name would read the original's member files). Overwrites; returns `to` as a string.
std::string copy_store(const std::filesystem::path& from, const std::filesystem::path& to);

/// Path of the built avf binary (from the AVF_BIN environment set by CTest, else the build tree).
std::string avf_binary();

} // namespace avf::test
