// The compliance run's writer thread (pipeline/writer_thread.hpp): jobs are written in the order
// they were pushed; the first error of either thread — the writer's or the merging thread's — is
// the one thrown, as it was thrown; a later error, and the merging thread's InternalError that
// only follows from the writer's failure (even when it is caught first), is dropped; after the
// first error nothing more is written. The orderings are forced with flags, never with sleeps.
#include "core/error.hpp"
#include "pipeline/writer_thread.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

using namespace avf;
using namespace avf::pipeline;

namespace {

// A job of problems whose first problem's order numbers the job.
WriterThread::Job job(std::uint64_t n) {
    Problem p;
    p.order = n;
    return std::vector<Problem>{p};
}

std::uint64_t number(WriterThread::Job& j) {
    return std::get<std::vector<Problem>>(j).front().order;
}

void wait_for(const std::atomic<bool>& flag) {
    while (!flag.load()) std::this_thread::yield();
}

// Runs `merging` as the compliance run's merging thread does (push, finish; fail in the catch)
// and returns what it threw.
template <typename Merging> std::string first_error(WriterThread& out, Merging&& merging) {
    try {
        try {
            merging();
            out.finish();
        } catch (...) {
            out.fail(std::current_exception());
        }
    } catch (const IoError& e) {
        return std::string("IoError: ") + e.text();
    } catch (const InternalError& e) {
        return std::string("InternalError: ") + e.text();
    }
    return "no error";
}

} // namespace

TEST_CASE("the writer writes every job in the order pushed, on its thread or at once", "[pipeline][writer]") {
    for (bool threaded : {false, true}) {
        INFO("threaded " << threaded);
        std::vector<std::uint64_t> written;
        std::thread::id writer_thread;
        WriterThread out(
            [&](WriterThread::Job& j) {
                written.push_back(number(j));
                writer_thread = std::this_thread::get_id();
            },
            threaded, /*capacity=*/2);
        for (std::uint64_t n = 0; n < 200; ++n) out.push(job(n));
        out.finish();
        REQUIRE(written.size() == 200);
        for (std::uint64_t n = 0; n < 200; ++n) CHECK(written[n] == n);
        CHECK((writer_thread != std::this_thread::get_id()) == threaded);
        CHECK_FALSE(out.failed());
    }
}

TEST_CASE("the writer's error reaches the merging thread as thrown, and nothing more is written", "[pipeline][writer]") {
    for (bool threaded : {false, true}) {
        INFO("threaded " << threaded);
        std::vector<std::uint64_t> written;
        WriterThread out(
            [&](WriterThread::Job& j) {
                if (number(j) == 2) throw IoError("No space left on device", Context{}.file("s.h5"));
                written.push_back(number(j));
            },
            threaded);
        const std::string error = first_error(out, [&] {
            for (std::uint64_t n = 0; n < 50; ++n) out.push(job(n));
        });
        CHECK(error == "IoError: No space left on device");
        CHECK(written == std::vector<std::uint64_t>{0, 1});
        CHECK(out.failed());
    }
}

TEST_CASE("the merging thread's InternalError that follows a failed write gives way to the writer's error, even caught first", "[pipeline][writer]") {
    // As with a full disk: the write fails, the transaction then refuses the next prepare_findings
    // (InternalError) — and the merging thread catches that before the writer thread has recorded
    // the error that caused it.
    std::atomic<bool> write_failed{false}, merging_caught{false};
    WriterThread out(
        [&](WriterThread::Job&) {
            write_failed = true;
            wait_for(merging_caught);
            throw IoError("No space left on device", Context{}.file("s.h5"));
        },
        /*threaded=*/true);
    std::string error;
    try {
        try {
            out.push(job(0));
            wait_for(write_failed);
            throw InternalError("prepare_findings after a failed write");
        } catch (...) {
            merging_caught = true;
            out.fail(std::current_exception());
        }
    } catch (const Error& e) {
        error = e.text();
    }
    CHECK(error == "No space left on device");
}

TEST_CASE("the merging thread's own error, first, is the one thrown, the writer's later error dropped, nothing more written", "[pipeline][writer]") {
    // The writer holds job 0 until the merging thread's error is recorded; then it fails too, or
    // finishes the job. Either way the merging thread's error is thrown and jobs 1-3 are dropped.
    for (bool writer_fails_too : {true, false}) {
        INFO("writer fails too " << writer_fails_too);
        std::vector<std::uint64_t> written;
        std::atomic<bool> writing{false};
        WriterThread* self = nullptr;
        WriterThread out(
            [&](WriterThread::Job& j) {
                if (number(j) == 0) {
                    writing = true;
                    while (!self->failed()) std::this_thread::yield();
                    if (writer_fails_too) throw IoError("No space left on device", Context{}.file("s.h5"));
                }
                written.push_back(number(j));
            },
            /*threaded=*/true);
        self = &out;
        const std::string error = first_error(out, [&] {
            for (std::uint64_t n = 0; n < 4; ++n) out.push(job(n));
            wait_for(writing);
            throw IoError("cannot read the spill file", Context{}.file("/tmp/avf-spill"));
        });
        CHECK(error == "IoError: cannot read the spill file");
        CHECK(written == (writer_fails_too ? std::vector<std::uint64_t>{} : std::vector<std::uint64_t>{0}));
    }
}

TEST_CASE("an InternalError of the merging thread without a writer error is thrown as it is", "[pipeline][writer]") {
    for (bool threaded : {false, true}) {
        INFO("threaded " << threaded);
        std::atomic<std::uint64_t> written{0};
        WriterThread out([&](WriterThread::Job&) { ++written; }, threaded);
        const std::string error = first_error(out, [&] {
            for (std::uint64_t n = 0; n < 4; ++n) out.push(job(n));
            throw InternalError("a bug of the merging thread");
        });
        CHECK(error == "InternalError: a bug of the merging thread");
        CHECK(written <= 4);
    }
}
