#include "cli/progress.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace avf::cli {

ProgressPrinter::ProgressPrinter(bool wanted) {
    const char* term = std::getenv("TERM");
    m_enabled = wanted && isatty(STDERR_FILENO) && !(term && std::strcmp(term, "dumb") == 0);
}

void ProgressPrinter::update(std::uint64_t records, std::uint64_t bytes_read, std::uint64_t bytes_total, double seconds) {
    if (!m_enabled || seconds - m_last < 0.25) return;
    m_last = seconds;
    double rate = seconds > 0 ? static_cast<double>(records) / seconds : 0.0;
    double mb = static_cast<double>(bytes_read) / 1e6;
    std::string eta;
    if (bytes_total > 0 && bytes_read > 0 && bytes_read < bytes_total)
        eta = fmt::format(", ETA {:.0f} s", seconds * static_cast<double>(bytes_total - bytes_read) / static_cast<double>(bytes_read));
    std::fprintf(stderr, "\r%s", fmt::format("{} records, {:.0f} records/s, {:.1f} MB read{}    ", records, rate, mb, eta).c_str());
    m_drawn = true;
}

void ProgressPrinter::finish() {
    if (m_drawn) std::fprintf(stderr, "\n");
    m_drawn = false;
}

} // namespace avf::cli
