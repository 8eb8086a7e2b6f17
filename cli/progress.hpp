// Progress on stderr for long work: records/s, bytes read and an ETA while reading, then the
// phase that follows (checking ids, writing findings), redrawn in place — only when stderr is a
// terminal and not silenced (--quiet; TERM=dumb also turns it off). Nothing goes to stdout.
//
//   ProgressPrinter p(!quiet);
//   p.update(records, bytes_read, bytes_total, seconds);            // reading
//   p.update(records, bytes_read, bytes_total, seconds, "writing", findings_written);
//   p.finish();
//
// Commands that read a store (list, export, diff, verify, report) draw a line of their own and
// end with one that states the result:
//
//   ProgressPrinter p(progress.wanted(), progress.force);
//   p.show(fmt::format("reading findings: {} of {}", done, total));
//   p.done(fmt::format("{} findings written to {}", n, path));
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace avf::cli {

class ProgressPrinter {
public:
    /// Draws when `wanted` and stderr is a terminal (not TERM=dumb), or whenever `force`d
    /// (--progress): then each line ends with a newline instead of being redrawn in place.
    explicit ProgressPrinter(bool wanted, bool force = false);
    bool enabled() const { return m_enabled; }
    /// Redraws at most four times a second (and whenever the phase changes).
    void update(std::uint64_t records, std::uint64_t bytes_read, std::uint64_t bytes_total, double seconds, std::string_view phase = "reading",
                std::uint64_t findings_written = 0);
    void finish();

    /// A line of the command's own, redrawn at most four times a second.
    void show(const std::string& text);
    /// The last line: it states the command's result (on a terminal, only after a second or
    /// once something was drawn: a quick command stays quiet).
    void done(const std::string& text);

    /// The line update() draws (without the carriage return), for tests.
    static std::string line(std::uint64_t records, std::uint64_t bytes_read, std::uint64_t bytes_total, double seconds, std::string_view phase,
                            std::uint64_t findings_written);

private:
    bool m_enabled = false;
    bool m_drawn = false;
    bool m_lines = false; // forced onto a non-terminal: one line per update
    double m_started = 0.0;
    double m_last = -1.0;
    std::string m_phase;
    std::size_t m_width = 0; // of the last line drawn, to blank leftovers
    void draw(std::string text);
};

} // namespace avf::cli
