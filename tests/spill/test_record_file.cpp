// Framed records in a spill file (core/spill/record_file.hpp) come back exactly as appended, in
// order, whatever the read-ahead piece — records longer than a piece, empty ones, and records
// that straddle pieces included.
#include "core/spill/record_file.hpp"
#include "core/spill/spill_file.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

using namespace avf;

TEST_CASE("spilled records come back whole and in order with any read-ahead piece", "[spill]") {
    test::TempDir tmp;
    spill::SpillFile file(tmp.path().string());
    std::mt19937_64 rng(5);
    std::vector<std::string> records;
    for (int i = 0; i < 3000; ++i) {
        // Mostly short, some empty, some far longer than the small pieces (and than the 1 MiB write buffer).
        const std::size_t n = i % 500 == 7 ? (std::size_t{3} << 19) : i % 50 == 3 ? 0 : rng() % 300;
        std::string r(n, '\0');
        for (auto& c : r) c = static_cast<char>(rng());
        spill::append_record(file, r);
        records.push_back(std::move(r));
    }
    file.flush();
    for (std::size_t piece : {std::size_t{1}, std::size_t{7}, std::size_t{4096}, std::size_t{64} << 10, std::size_t{1} << 20}) {
        INFO("piece " << piece);
        spill::RecordReader reader(file, 0, file.size(), piece);
        std::string_view got;
        std::size_t i = 0;
        while (reader.next(got)) {
            REQUIRE(i < records.size());
            REQUIRE(got == records[i]);
            ++i;
        }
        CHECK(i == records.size());
    }
}
