// The k-way merge of sorted streams (core/spill/kway_merge.hpp), on plain values: the output is
// every value of every stream, in order, empty streams included, and each vector is freed once read.
#include "core/spill/kway_merge.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <memory>
#include <vector>

using namespace avf;

TEST_CASE("a k-way merge of sorted streams, empty ones included, is sorted and complete", "[spill][merge]") {
    std::vector<std::vector<int>> streams = {{}, {1, 4, 4, 9}, {}, {2, 3, 4}, {0}, {10, 11}};
    std::vector<int> expected;
    for (const auto& s : streams) expected.insert(expected.end(), s.begin(), s.end());
    std::sort(expected.begin(), expected.end());

    spill::KWayMerge<int, std::less<int>> merge;
    for (auto& s : streams) merge.add(std::make_unique<spill::VectorStream<int>>(s));
    std::vector<int> got;
    for (int v; merge.next(v);) got.push_back(v);
    CHECK(got == expected);
    for (const auto& s : streams) CHECK(s.capacity() == 0); // each vector freed once read
}

// pop(take, refilled): each value that refills a head is handed to `refilled` before it is taken,
// once; the streams' first values are not (they are heads from the start).
TEST_CASE("a k-way merge hands each value that refills a head to its look-ahead before taking it", "[spill][merge]") {
    std::vector<std::vector<int>> streams = {{1, 4, 4, 9}, {}, {2, 3}, {0, 10}};
    spill::KWayMerge<int, std::less<int>> merge;
    for (auto& s : streams) merge.add(std::make_unique<spill::VectorStream<int>>(s));
    std::vector<int> taken, ahead;
    std::vector<std::size_t> seen_ahead_when_taken;
    while (merge.pop(
        [&](int& v) {
            taken.push_back(v);
            seen_ahead_when_taken.push_back(ahead.size());
        },
        [&](const int& v) { ahead.push_back(v); })) {
    }
    CHECK(taken == std::vector<int>{0, 1, 2, 3, 4, 4, 9, 10});
    CHECK(ahead == std::vector<int>{10, 4, 3, 4, 9}); // in the order the heads were refilled
    // Every value handed ahead was taken later: when 10 (ahead first) is taken, all five are ahead.
    CHECK(seen_ahead_when_taken.back() == 5);
    CHECK(seen_ahead_when_taken.front() == 0);
}
