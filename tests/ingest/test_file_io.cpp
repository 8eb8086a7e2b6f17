// core/file_io.hpp, the checked reading under every reader (tested here, with the readers that
// use it): errors name the file and the cause, short reads are continued, a file that shrinks
// while being read is an error, and pipes are read to their end. Read errors injected into the
// real binary (EIO, short reads) are in tests/reliability/test_faults.cpp.
#include "core/error.hpp"
#include "core/file_io.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace avf;

TEST_CASE("read_file reads a whole file, and refuses a missing file or a directory naming it", "[file_io]") {
    test::TempDir tmp;
    const std::string text(100'000, 'x');
    CHECK(read_file(tmp.write("a.txt", text)) == text);
    CHECK(read_file(tmp.write("empty.txt", "")).empty());
    CHECK(read_prefix(tmp.write("b.txt", "abcdef"), 3) == "abc");
    CHECK(read_prefix(tmp.write("c.txt", "ab"), 10) == "ab");

    const std::string missing = (tmp.path() / "missing.toml").string();
    try {
        read_file(missing);
        FAIL("no error");
    } catch (const IoError& e) {
        CHECK(e.context().file() == missing);
        CHECK(e.text().find("No such file or directory") != std::string::npos);
        CHECK(e.exit_code() == 4);
    }
    CHECK_THROWS_AS(read_file(tmp.path().string()), IoError);
}

TEST_CASE("CheckedFile reads at offsets, and a file truncated while being read is an error", "[file_io]") {
    test::TempDir tmp;
    const std::string path = tmp.write("t.bin", "0123456789");
    CheckedFile in(path);
    REQUIRE(in.size() == 10u);
    char buf[16] = {};
    CHECK(in.read_at(4, buf, 3) == 3);
    CHECK(std::string(buf, 3) == "456");
    CHECK(in.read_at(8, buf, 16) == 2); // short only at the end
    CHECK(in.read_at(10, buf, 16) == 0);
    CHECK(in.read_at(50, buf, 16) == 0);
    CHECK(in.read(buf, 4) == 4);
    CHECK(in.position() == 4);

    // Truncated to 6 bytes after opening: reading on finds the end at 6, not 10.
    std::filesystem::resize_file(path, 6);
    CHECK_THROWS_AS(in.read(buf, 16), IoError);
    CHECK_THROWS_AS(in.read_at(0, buf, 16), IoError);
}

TEST_CASE("a pipe is read to its end, however its writer cuts the bytes", "[file_io]") {
    test::TempDir tmp;
    const std::string fifo = (tmp.path() / "fifo").string();
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    std::string expected;
    for (int i = 0; i < 2000; ++i) expected += "line " + std::to_string(i) + "\n";
    std::thread writer([&] {
        FILE* f = std::fopen(fifo.c_str(), "w"); // (no Catch assertion off the test's thread)
        if (!f) return;
        for (std::size_t at = 0; at < expected.size(); at += 777) { // many small writes: short reads on the other side
            std::fwrite(expected.data() + at, 1, std::min<std::size_t>(777, expected.size() - at), f);
            std::fflush(f);
        }
        std::fclose(f);
    });
    const std::string got = read_file(fifo);
    writer.join();
    CHECK(got == expected);
}
