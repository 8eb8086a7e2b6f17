#include "fusion/confidence.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace avf::fusion {

Support combine_confidence(const std::vector<SourcedConfidence>& items) {
    // std::map: sources in name order, so the product is taken in the same order on every run.
    std::map<std::string, double> best;
    for (const auto& i : items) {
        const double c = std::clamp(i.confidence, 0.0, 1.0);
        auto [it, fresh] = best.emplace(i.source, c);
        if (!fresh) it->second = std::max(it->second, c);
    }
    Support s;
    double all_wrong = 1.0;
    for (const auto& [name, c] : best) {
        all_wrong *= 1.0 - c;
        s.names.push_back(name.empty() ? "unknown source" : name);
    }
    s.sources = best.size();
    s.confidence = best.empty() ? 0.0 : 1.0 - all_wrong;
    return s;
}

std::string describe(const Support& s) {
    if (s.sources == 0) return "no observation supports it";
    return fmt::format("confidence {:.2f} from {} independent source{} ({})", s.confidence, s.sources, s.sources == 1 ? "" : "s",
                       fmt::join(s.names, ", "));
}

} // namespace avf::fusion
