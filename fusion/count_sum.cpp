#include "fusion/count_sum.hpp"

namespace avf::fusion {

std::string format_count(std::int64_t n, bool group) {
    // Through the unsigned magnitude: -INT64_MIN does not exist.
    const std::uint64_t magnitude = n < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(n) : static_cast<std::uint64_t>(n);
    std::string s = std::to_string(magnitude);
    if (group)
        for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<std::size_t>(i), ",");
    return n < 0 ? "-" + s : s;
}

std::string format_count(const CountSum& n, bool group) {
    if (!n.overflowed()) return format_count(n.value(), group);
    return (n.value() > 0 ? "more than " : "less than ") + format_count(n.value(), group);
}

} // namespace avf::fusion
