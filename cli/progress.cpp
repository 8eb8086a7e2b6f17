#include "cli/progress.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace avf::cli {

namespace {
double now_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
} // namespace

ProgressPrinter::ProgressPrinter(bool wanted, bool force) {
    const char* term = std::getenv("TERM");
    const bool terminal = isatty(STDERR_FILENO) && !(term && std::strcmp(term, "dumb") == 0);
    m_enabled = force || (wanted && terminal);
    m_lines = m_enabled && !terminal;
    m_started = now_seconds();
}

void ProgressPrinter::draw(std::string text) {
    if (m_lines) {
        std::fprintf(stderr, "%s\n", text.c_str());
    } else {
        const std::size_t width = text.size();
        if (width < m_width) text.append(m_width - width, ' ');
        m_width = width;
        std::fprintf(stderr, "\r%s", text.c_str());
        m_drawn = true;
    }
    std::fflush(stderr);
}

void ProgressPrinter::show(const std::string& text) {
    if (!m_enabled) return;
    const double seconds = now_seconds() - m_started;
    if (m_last >= 0 && seconds - m_last < 0.25) return;
    m_last = seconds;
    draw(text);
}

void ProgressPrinter::done(const std::string& text) {
    if (!m_enabled) return;
    // On a terminal, a command that was quick and drew nothing yet says nothing more.
    if (!m_lines && !m_drawn && now_seconds() - m_started < 1.0) return;
    draw(text);
    finish();
}

std::string ProgressPrinter::line(std::uint64_t records, std::uint64_t bytes_read, std::uint64_t bytes_total, double seconds, std::string_view phase,
                                  std::uint64_t findings_written) {
    const double rate = seconds > 0 ? static_cast<double>(records) / seconds : 0.0;
    const double mb = static_cast<double>(bytes_read) / 1e6;
    if (phase == "reading") {
        std::string eta;
        if (bytes_total > 0 && bytes_read > 0 && bytes_read < bytes_total)
            eta = fmt::format(", ETA {:.0f} s", seconds * static_cast<double>(bytes_total - bytes_read) / static_cast<double>(bytes_read));
        const std::string of = bytes_total > 0 ? fmt::format(" of {:.1f}", static_cast<double>(bytes_total) / 1e6) : std::string();
        return fmt::format("{} records, {:.0f} records/s, {:.1f}{} MB read{}", records, rate, mb, of, eta);
    }
    if (phase == "writing") return fmt::format("{} records read in {:.1f} s; writing findings: {} written", records, seconds, findings_written);
    return fmt::format("{} records read in {:.1f} s; {}", records, seconds, phase);
}

void ProgressPrinter::update(std::uint64_t records, std::uint64_t bytes_read, std::uint64_t bytes_total, double seconds, std::string_view phase,
                             std::uint64_t findings_written) {
    if (!m_enabled) return;
    const bool new_phase = phase != m_phase;
    if (!new_phase && seconds - m_last < 0.25) return;
    m_last = seconds;
    m_phase = std::string(phase);
    draw(line(records, bytes_read, bytes_total, seconds, phase, findings_written));
}

void ProgressPrinter::finish() {
    if (m_drawn) std::fprintf(stderr, "\n");
    m_drawn = false;
}

} // namespace avf::cli
