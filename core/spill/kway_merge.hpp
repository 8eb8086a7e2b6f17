// A k-way merge of sorted streams: each stream hands its values in order, the merge hands the
// smallest head of all of them, by `Before` (a strict weak order; with a total order the output
// does not depend on how the values were split into streams). Nothing here knows what a value
// is or where a stream reads it from: VectorStream moves values out of a sorted vector, and the
// compliance run's RunStream (pipeline/finding_merge.cpp) decodes them from a spilled run.
//
//   avf::spill::KWayMerge<int, std::less<int>> m;
//   std::vector<int> a{1, 4}, b{2, 3};
//   m.add(std::make_unique<VectorStream<int>>(a));
//   m.add(std::make_unique<VectorStream<int>>(b));
//   for (int v; m.next(v);) ...;                               // 1 2 3 4
//   m.pop([&](int& v) { ...take part of v... });               // without a copy of the whole value
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace avf::spill {

/// One sorted stream of a merge.
template <typename T> class SortedStream {
public:
    virtual ~SortedStream() = default;
    /// The next value, moved into `out`; false at the end.
    virtual bool next(T& out) = 0;
};

/// Moves the values out of a sorted vector, and frees the vector at the end.
template <typename T> class VectorStream final : public SortedStream<T> {
public:
    explicit VectorStream(std::vector<T>& v) : m_v(v) {}
    bool next(T& out) override {
        if (m_i >= m_v.size()) {
            std::vector<T>().swap(m_v);
            return false;
        }
        out = std::move(m_v[m_i++]);
        return true;
    }

private:
    std::vector<T>& m_v;
    std::size_t m_i = 0;
};

// The heads stay where they are; the heap orders their indices, so a step moves numbers, not
// values (a finding is hundreds of bytes), and a head's value keeps its memory from one record to
// the next (a stream that decodes into it reuses its strings' capacity).
template <typename T, typename Before> class KWayMerge {
public:
    /// Adds a stream (an empty one is dropped at once).
    void add(std::unique_ptr<SortedStream<T>> s) {
        Head h{std::move(s), {}};
        if (!h.stream->next(h.value)) return;
        m_heads.push_back(std::move(h));
        m_heap.push_back(m_heads.size() - 1);
        std::push_heap(m_heap.begin(), m_heap.end(), later());
    }

    bool next(T& out) {
        return pop([&](T& v) { out = std::move(v); });
    }

    /// Hands the smallest head to `take` (which may move from it), then refills it from its stream.
    template <typename Take> bool pop(Take&& take) {
        return pop(std::forward<Take>(take), [](const T&) {});
    }
    /// The same, and hands the value that refilled the head to `refilled`: it will be taken only
    /// after the other streams' heads that are before it, time enough for `refilled` to prefetch
    /// what taking it will read.
    template <typename Take, typename Refilled> bool pop(Take&& take, Refilled&& refilled) {
        if (m_heap.empty()) return false;
        std::pop_heap(m_heap.begin(), m_heap.end(), later());
        Head& h = m_heads[m_heap.back()];
        take(h.value);
        if (h.stream->next(h.value)) {
            refilled(static_cast<const T&>(h.value));
            std::push_heap(m_heap.begin(), m_heap.end(), later());
        } else {
            h.stream.reset(); // its buffers, at once
            h.value = T{};
            m_heap.pop_back();
        }
        return true;
    }

private:
    struct Head {
        std::unique_ptr<SortedStream<T>> stream;
        T value;
    };
    auto later() const {
        return [this](std::size_t a, std::size_t b) { return Before{}(m_heads[b].value, m_heads[a].value); };
    }
    std::vector<Head> m_heads;
    std::vector<std::size_t> m_heap; ///< indices into m_heads, a heap by `later`
};

} // namespace avf::spill
