// The problems of a compliance run, in the order they are added (input order: the declarations',
// then the detections' block by block, then the imagery side's), counted, and spilled to an
// anonymous temporary file past a memory budget; drained once, in that order, in batches, to the
// store and into the run's result.
//
//   ProblemSpool problems(temp_dir, /*budget=*/64 << 20);
//   problems.add(problem);                                     // may spill what is in memory
//   problems.count();
//   problems.drain(8192, [&](std::vector<Problem>&& batch) { writer.append_problems(batch); });
#pragma once

#include "core/problem.hpp"
#include "core/spill/spill_file.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace avf::pipeline {

class ProblemSpool {
public:
    /// Spills what is in memory whenever it reaches about `budget` bytes.
    ProblemSpool(std::string dir, std::size_t budget) : m_dir(std::move(dir)), m_budget(budget) {}

    void add(Problem p);
    /// Problems added.
    std::uint64_t count() const { return m_count; }
    /// Calls f(batch) for every problem in order, `batch` at a time (the last batch may be
    /// smaller); the spool is empty afterwards. Call once.
    void drain(std::size_t batch, const std::function<void(std::vector<Problem>&&)>& f);
    /// Whether some problems went to the spill file.
    bool spilled() const { return m_file != nullptr; }
    /// Problems held in memory (the last ones added; not yet spilled).
    std::size_t in_memory() const { return m_memory.size(); }

private:
    void spill();

    std::string m_dir;
    std::size_t m_budget;
    std::vector<Problem> m_memory;
    std::size_t m_bytes = 0;
    std::uint64_t m_count = 0;
    std::unique_ptr<spill::SpillFile> m_file;
};

} // namespace avf::pipeline
