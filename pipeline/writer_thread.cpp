#include "pipeline/writer_thread.hpp"

#include "core/error.hpp"

namespace avf::pipeline {

WriterThread::Write WriterThread::writing_to(storage::RunWriter& writer) {
    return [&writer](Job& job) {
        if (auto* f = std::get_if<storage::RunWriter::Prepared>(&job))
            writer.write(*f);
        else
            writer.append_problems(std::get<std::vector<Problem>>(job));
    };
}

WriterThread::WriterThread(Write write, bool threaded, std::size_t capacity) : m_write(std::move(write)), m_capacity(capacity) {
    if (threaded) m_thread = std::thread([this] { loop(); });
}

WriterThread::~WriterThread() {
    stop(/*abandon=*/true);
}

void WriterThread::push(Job job) {
    if (!m_thread.joinable()) {
        m_write(job);
        return;
    }
    std::unique_lock lock(m_mutex);
    m_space.wait(lock, [&] { return m_queue.size() < m_capacity || m_error; });
    if (m_error) std::rethrow_exception(m_error);
    m_queue.push_back(std::move(job));
    m_ready.notify_one();
}

void WriterThread::finish() {
    stop(/*abandon=*/false);
    if (m_error) std::rethrow_exception(m_error);
}

void WriterThread::fail(const std::exception_ptr& error) {
    bool consequence = false;
    try {
        std::rethrow_exception(error);
    } catch (const InternalError&) {
        consequence = true;
    } catch (...) {
    }
    if (!consequence) record(error);
    stop(/*abandon=*/true);
    record(error);
    std::rethrow_exception(m_error);
}

bool WriterThread::failed() const {
    std::lock_guard lock(m_mutex);
    return m_error != nullptr;
}

void WriterThread::record(std::exception_ptr error) {
    std::lock_guard lock(m_mutex);
    if (!m_error) m_error = std::move(error);
    m_space.notify_all();
}

void WriterThread::stop(bool abandon) {
    if (!m_thread.joinable()) return;
    {
        std::lock_guard lock(m_mutex);
        m_closed = true;
        if (abandon) m_queue.clear();
        m_ready.notify_one();
    }
    m_thread.join();
}

void WriterThread::loop() {
    while (true) {
        Job job;
        {
            std::unique_lock lock(m_mutex);
            m_ready.wait(lock, [&] { return !m_queue.empty() || m_closed; });
            if (m_queue.empty() || m_error) return;
            job = std::move(m_queue.front());
            m_queue.pop_front();
            m_space.notify_one();
        }
        try {
            m_write(job);
        } catch (...) {
            record(std::current_exception());
            return;
        }
    }
}

} // namespace avf::pipeline
