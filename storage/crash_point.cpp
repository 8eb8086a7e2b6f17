#include "storage/crash_point.hpp"

#include <charconv>
#include <csignal>
#include <cstdlib>
#include <mutex>
#include <string>
#include <unistd.h>

namespace avf::storage {
namespace {

struct Target {
    std::string point;            ///< "" = the hook is off
    unsigned long occurrence = 1; ///< kill at the n-th time the point is reached
    unsigned long seen = 0;
};

Target& target() {
    static Target t = [] {
        Target out;
        const char* value = std::getenv("AVF_TEST_CRASH_AT");
        if (value == nullptr || *value == '\0') {
            return out;
        }
        std::string_view text(value);
        auto hash = text.find('#');
        out.point = std::string(text.substr(0, hash));
        if (hash != std::string_view::npos) {
            std::string_view n = text.substr(hash + 1);
            unsigned long parsed = 0;
            auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), parsed);
            // A malformed count is a broken test setup: never crash at an unintended point.
            out.occurrence = (ec == std::errc{} && end == n.data() + n.size() && parsed > 0) ? parsed : 0;
        }
        return out;
    }();
    return t;
}

std::mutex g_mutex;

} // namespace

void crash_point(std::string_view point) {
    Target& t = target();
    if (t.point.empty() || t.point != point) {
        return;
    }
    std::lock_guard lock(g_mutex);
    if (++t.seen == t.occurrence) {
        ::kill(::getpid(), SIGKILL);
        ::_exit(137); // not reached
    }
}

} // namespace avf::storage
