// Files the avf command writes with -o/--output (issue 16, item 5), through the real binary: an
// output that is the store (by its name, a symlink or a hard link) is refused in every format and
// the store stays intact; an existing file is replaced only with --overwrite; a failed write
// (a full disk, a missing directory) leaves no file — no partial output, no temporary file — and
// an existing file untouched.
#include "storage/store.hpp"
#include "tests/reliability/workload.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

using namespace avf;
using avf::reliability::file_sha256;
using avf::reliability::q;
using avf::reliability::run_avf;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// The names in a directory (to see that nothing, not even a temporary file, was left).
std::set<std::string> names_in(const fs::path& dir) {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
    return out;
}

/// Every command that writes a file, writing to `output`.
std::vector<std::string> writers(const std::string& store, const std::string& output) {
    std::vector<std::string> out;
    for (const char* format : {"csv", "json", "geojson", "gpkg"})
        out.push_back("findings export --store " + q(store) + " --format " + format + " --output " + q(output));
    out.push_back("audit report --store " + q(store) + " --output " + q(output));
    return out;
}

} // namespace

TEST_CASE("an output that is the store is refused in every format, with or without --overwrite, and the store stays intact", "[cli][output]") {
    test::TempDir tmp;
    const std::string store = reliability::demo_store_with_run(tmp.path() / "s.h5");
    const std::string before = file_sha256(store);
    fs::create_symlink(store, tmp.path() / "link.h5");
    fs::create_hard_link(store, tmp.path() / "hard.h5");
    fs::create_directory(tmp.path() / "sub");
    fs::create_symlink("../s.h5", tmp.path() / "sub" / "relative.h5");
    for (const fs::path& same :
         {fs::path(store), tmp.path() / "link.h5", tmp.path() / "hard.h5", tmp.path() / "sub" / "relative.h5", tmp.path() / "sub" / ".." / "s.h5"}) {
        for (const std::string& cmd : writers(store, same.string())) {
            for (const char* flag : {"", " --overwrite"}) {
                std::string out;
                const int code = run_avf(cmd + flag, out);
                INFO(cmd << flag << "\n" << out);
                CHECK(code == 2);
                CHECK_THAT(out, Catch::Contains("is the store or an input of this command"));
                CHECK_THAT(out, Catch::Contains(same.string()));
                REQUIRE(file_sha256(store) == before);
            }
        }
    }
    std::string out;
    CHECK(run_avf("audit verify " + q(store), out) == 0);
    CHECK_THAT(out, Catch::StartsWith("ok: 1 runs"));
    CHECK(names_in(tmp.path()) == std::set<std::string>{"s.h5", "s.h5.d", "s.h5.lock", "link.h5", "hard.h5", "sub"});
    CHECK(names_in(tmp.path() / "sub") == std::set<std::string>{"relative.h5"});
}

TEST_CASE("an existing output file is replaced only with --overwrite, a directory never", "[cli][output]") {
    test::TempDir tmp;
    const std::string store = reliability::demo_store_with_run(tmp.path() / "s.h5");
    const std::string existing = tmp.write("out.file", "precious, not to be lost\n");
    for (const std::string& cmd : writers(store, existing)) {
        std::string out;
        int code = run_avf(cmd, out);
        INFO(cmd << "\n" << out);
        CHECK(code == 2);
        CHECK_THAT(out, Catch::Contains("the output file exists; give --overwrite to replace it"));
        CHECK(slurp(existing) == "precious, not to be lost\n");
    }
    // With --overwrite: replaced by the complete output, in each format.
    std::string out;
    REQUIRE(run_avf("findings export --store " + q(store) + " --format csv --overwrite --output " + q(existing), out) == 0);
    CHECK(slurp(existing).rfind("id,kind,certainty,rule,", 0) == 0);
    REQUIRE(run_avf("findings export --store " + q(store) + " --format gpkg --overwrite --output " + q(existing), out) == 0);
    REQUIRE(test::run_command("ogrinfo -so " + q(existing) + " findings", out) == 0);
    CHECK_THAT(out, Catch::Contains("Feature Count: 82"));
    REQUIRE(run_avf("audit report --store " + q(store) + " --overwrite --output " + q(existing), out) == 0);
    CHECK(slurp(existing).rfind("<!DOCTYPE html>", 0) == 0);
    // Through a symlink, the file it names is written (the link stays a link).
    fs::create_symlink("out.file", tmp.path() / "out.link");
    REQUIRE(run_avf("findings export --store " + q(store) + " --format json --overwrite --output " + q((tmp.path() / "out.link").string()), out) ==
            0);
    CHECK(fs::is_symlink(tmp.path() / "out.link"));
    CHECK(slurp(existing).rfind("[", 0) == 0);
    // Not a regular file: refused even with --overwrite.
    fs::create_directory(tmp.path() / "dir.csv");
    CHECK(run_avf("findings export --store " + q(store) + " --format csv --overwrite --output " + q((tmp.path() / "dir.csv").string()), out) == 2);
    CHECK_THAT(out, Catch::Contains("not a regular file"));
    CHECK(names_in(tmp.path()) == std::set<std::string>{"s.h5", "s.h5.d", "s.h5.lock", "out.file", "out.link", "dir.csv"});
}

TEST_CASE("a failed export or report leaves no file and an existing one untouched", "[cli][output]") {
    test::TempDir tmp;
    const std::string store = reliability::demo_store_with_run(tmp.path() / "s.h5");
    const fs::path dir = tmp.path() / "out";
    fs::create_directory(dir);
    const std::string existing = tmp.write("out/existing.json", "precious\n");
    // A full disk: RLIMIT_FSIZE stops every write past 4 KiB (EFBIG; SIGXFSZ ignored so that the
    // error reaches avf), well short of any of these outputs.
    auto limited = [&](const std::string& args, std::string& out) {
        return test::run_command(
            "cd " + q(AVF_SOURCE_DIR) + " && bash -c " + q("trap '' XFSZ; ulimit -f 4; exec " + q(test::avf_binary()) + " " + args), out);
    };
    for (const char* format : {"csv", "json", "geojson", "gpkg"}) {
        const std::string output = (dir / (std::string("findings.") + format)).string();
        std::string out;
        const int code = limited("findings export --store " + q(store) + " --format " + format + " --output " + q(output), out);
        INFO(format << "\n" << out);
        CHECK(code == 4);
        // GDAL's SQLite (gpkg) reports a "disk I/O error" without the errno.
        if (std::string(format) != "gpkg") CHECK_THAT(out, Catch::Contains("File too large"));
        CHECK(names_in(dir) == std::set<std::string>{"existing.json"});
    }
    std::string out;
    CHECK(limited("findings export --store " + q(store) + " --format json --overwrite --output " + q(existing), out) == 4);
    CHECK(slurp(existing) == "precious\n");
    CHECK(limited("audit report --store " + q(store) + " --overwrite --output " + q(existing), out) == 4);
    CHECK(slurp(existing) == "precious\n");
    CHECK(limited("audit report --store " + q(store) + " --output " + q((dir / "report.html").string()), out) == 4);
    CHECK(names_in(dir) == std::set<std::string>{"existing.json"});
    // A directory that does not exist: exit 4 naming the path, before the store is read.
    const std::string nowhere = (tmp.path() / "missing" / "f.csv").string();
    CHECK(run_avf("findings export --store " + q(store) + " --format csv --output " + q(nowhere), out) == 4);
    CHECK_THAT(out, Catch::Contains(nowhere));
    CHECK_THAT(out, Catch::Contains("No such file or directory"));
    CHECK(run_avf("audit verify " + q(store), out) == 0);
}
