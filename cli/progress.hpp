// Progress on stderr for long work: records/s, bytes read and an ETA, redrawn in place — only
// when stderr is a terminal and not silenced (--quiet, NO_COLOR does not matter, TERM=dumb does).
//
//   ProgressPrinter p(!quiet);
//   p.update(records, bytes_read, bytes_total, seconds);
//   p.finish();
#pragma once

#include <cstdint>

namespace avf::cli {

class ProgressPrinter {
public:
    explicit ProgressPrinter(bool wanted);
    bool enabled() const { return m_enabled; }
    void update(std::uint64_t records, std::uint64_t bytes_read, std::uint64_t bytes_total, double seconds);
    void finish();

private:
    bool m_enabled = false;
    bool m_drawn = false;
    double m_last = -1.0;
};

} // namespace avf::cli
