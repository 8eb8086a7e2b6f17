// Progress on stderr for long work: records/s, bytes read and an ETA while reading, then the
// phase that follows (checking ids, writing findings), redrawn in place — only when stderr is a
// terminal and not silenced (--quiet; TERM=dumb also turns it off). Nothing goes to stdout.
//
//   ProgressPrinter p(!quiet);
//   p.update(records, bytes_read, bytes_total, seconds);            // reading
//   p.update(records, bytes_read, bytes_total, seconds, "writing", findings_written);
//   p.finish();
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace avf::cli {

class ProgressPrinter {
public:
    explicit ProgressPrinter(bool wanted);
    bool enabled() const { return m_enabled; }
    /// Redraws at most four times a second (and whenever the phase changes).
    void update(std::uint64_t records, std::uint64_t bytes_read, std::uint64_t bytes_total, double seconds, std::string_view phase = "reading",
                std::uint64_t findings_written = 0);
    void finish();

    /// The line update() draws (without the carriage return), for tests.
    static std::string line(std::uint64_t records, std::uint64_t bytes_read, std::uint64_t bytes_total, double seconds, std::string_view phase,
                            std::uint64_t findings_written);

private:
    bool m_enabled = false;
    bool m_drawn = false;
    double m_last = -1.0;
    std::string m_phase;
    std::size_t m_width = 0; // of the last line drawn, to blank leftovers
};

} // namespace avf::cli
