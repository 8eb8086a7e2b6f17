#include "tests/support/temp_dir.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <sys/wait.h>

namespace avf::test {

TempDir::TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "avf-test-XXXXXX").string();
    if (!mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
    m_path = templ;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
}

std::string TempDir::write(const std::string& name, const std::string& content) const {
    auto p = m_path / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary);
    out << content;
    return p.string();
}

std::string source_path(const std::string& relative) {
    return std::string(AVF_SOURCE_DIR) + "/" + relative;
}

int run_command(const std::string& command, std::string& output) {
    output.clear();
    std::string cmd = command + " 2>&1";
    FILE* pipe = popen(cmd.c_str(), "r");
    if (!pipe) throw std::runtime_error("popen failed: " + command);
    std::array<char, 4096> buf{};
    std::size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) output.append(buf.data(), n);
    int status = pclose(pipe);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string avf_binary() {
    if (const char* p = std::getenv("AVF_BIN")) return p;
    return std::string(AVF_BINARY_DIR) + "/cli/avf";
}

std::string copy_store(const std::filesystem::path& from, const std::filesystem::path& to) {
    namespace fs = std::filesystem;
    if (from.filename() != to.filename()) {
        throw std::invalid_argument("copy_store: " + to.string() + " must have the file name of " + from.string());
    }
    fs::create_directories(to.parent_path());
    fs::copy_file(from, to, fs::copy_options::overwrite_existing);
    const fs::path members = from.string() + ".d", copy = to.string() + ".d";
    fs::remove_all(copy);
    if (fs::exists(members)) fs::copy(members, copy, fs::copy_options::recursive);
    return to.string();
}

} // namespace avf::test
