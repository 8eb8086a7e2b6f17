// The compliance run's single writer thread, fed through a bounded queue. Findings arrive encoded,
// digested and cut into chunks of rows (storage::RunWriter::prepare_findings, on the thread that
// merges them): what is left here is filtering those chunks — shuffle, deflate, checksum — and
// HDF5 storing them (H5Dwrite_chunk), and the problems; so the write phase keeps two cores busy
// (docs/decisions.md §18). Without a thread (a one-thread run) every job is written at once by
// push().
//
// Errors: the first one, from either thread, is the one the user sees, as it was thrown (an
// IoError naming the store and errno is exit 4). The writer thread keeps its error and stops
// writing; the merging thread hands whatever it catches to fail(), which stops the writer and
// rethrows the first error. One error of the merging thread is a consequence, not a cause: once
// a write has failed, the transaction refuses every later use (InternalError "prepare_findings
// after a failed write") — and it can refuse before the writer thread has recorded the error that
// made it refuse. So an InternalError of the merging thread is judged after the writer has
// stopped, and gives way to the writer's error when there is one.
//
//   WriterThread out(WriterThread::writing_to(run_writer), /*threaded=*/threads > 1);
//   try {
//       for (...) out.push(run_writer.prepare_findings(batch));   // blocks while the queue is full
//       out.push(std::move(problems));
//       out.finish();                                              // waits; rethrows the first error
//   } catch (...) {
//       out.fail(std::current_exception());                        // rethrows the first error
//   }
#pragma once

#include "core/problem.hpp"
#include "storage/store.hpp"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <variant>
#include <vector>

namespace avf::pipeline {

class WriterThread {
public:
    using Job = std::variant<storage::RunWriter::Prepared, std::vector<Problem>>;
    /// Writes one job; what it throws is the writer's error.
    using Write = std::function<void(Job&)>;

    /// Prepared findings to RunWriter::write, problems to RunWriter::append_problems.
    static Write writing_to(storage::RunWriter& writer);

    /// With `threaded`, a thread writes the jobs, at most `capacity` of them queued.
    WriterThread(Write write, bool threaded, std::size_t capacity = 4);
    /// Without finish() (an exception on the way), what is queued is dropped, not written.
    ~WriterThread();
    WriterThread(const WriterThread&) = delete;
    WriterThread& operator=(const WriterThread&) = delete;

    /// Blocks while the queue is full. Rethrows the first error, if any.
    void push(Job job);
    /// Waits until everything is written; rethrows the first error, if any.
    void finish();
    /// For the merging thread's catch: records `error` unless an earlier one is known (see above
    /// for an InternalError), stops the writer (queued jobs dropped) and rethrows the first error.
    [[noreturn]] void fail(const std::exception_ptr& error);
    /// Whether an error has been recorded, by either thread.
    bool failed() const;

private:
    /// Keeps `error` when it is the first; later ones are dropped.
    void record(std::exception_ptr error);
    void stop(bool abandon);
    void loop();

    Write m_write;
    std::size_t m_capacity;
    std::thread m_thread;
    mutable std::mutex m_mutex;
    std::condition_variable m_ready, m_space;
    std::deque<Job> m_queue;
    bool m_closed = false;
    std::exception_ptr m_error;
};

} // namespace avf::pipeline
