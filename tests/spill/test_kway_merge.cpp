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
