// The progress a compliance run reports through RunOptions::progress: one clock started with the
// detection pass and the total size of the detection files, and one call per phase — reading
// (records and bytes so far), checking ids (the digest check after a pass), writing (findings
// written). Without a callback every call is a no-op.
//
//   RunProgress progress(options.progress, total_size(result.inputs));
//   progress.reading(records, bytes);   // from the pass's serial reading stage
//   progress.checking_ids(records);     // before DigestSpool::repeated()
//   progress.writing(findings_written); // after every batch handed to the writer
#pragma once

#include "pipeline/run_options.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <string_view>
#include <utility>

namespace avf::pipeline {

class RunProgress {
public:
    RunProgress(std::function<void(const Progress&)> callback, std::uint64_t bytes_total)
        : m_callback(std::move(callback)), m_bytes_total(bytes_total), m_start(std::chrono::steady_clock::now()) {}

    void reading(std::uint64_t records, std::uint64_t bytes_read) const { report("reading", records, bytes_read, 0); }
    void checking_ids(std::uint64_t records) const { report("checking ids", records, m_bytes_total, 0); }
    void writing(std::uint64_t findings_written) const { report("writing", 0, m_bytes_total, findings_written); }

private:
    void report(std::string_view phase, std::uint64_t records, std::uint64_t bytes_read, std::uint64_t findings_written) const {
        if (!m_callback) return;
        Progress p;
        p.phase = phase;
        p.records = records;
        p.bytes_read = bytes_read;
        p.bytes_total = m_bytes_total;
        p.findings_written = findings_written;
        p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
        m_callback(p);
    }

    std::function<void(const Progress&)> m_callback;
    std::uint64_t m_bytes_total;
    std::chrono::steady_clock::time_point m_start;
};

} // namespace avf::pipeline
