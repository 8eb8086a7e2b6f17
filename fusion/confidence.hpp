// Confidence of a finding from the confidences of its evidence, by noisy-OR over independent
// sources.
//
// Evidence items are grouped by their source (Detection::source: imagery, inspection,
// monitor_report, open_source…). Items of one source are not independent — the same sensor type,
// the same analysts, often the same picture — so a source contributes the highest confidence of
// its items, not a product of them. Distinct sources are taken as independent witnesses, and the
// finding is wrong only if every one of them is wrong:
//
//   confidence = 1 − Π_s (1 − max_{i ∈ s} c_i)
//
// One source therefore gives its best item's confidence; two sources at 0.8 give 0.96. A
// finding that rests on no observation (an unconfirmed declaration) is given the confidence of
// its absence evidence by the rule itself, not by this function.
//
//   std::vector<avf::fusion::SourcedConfidence> items{{"imagery", 0.8}, {"imagery", 0.7}, {"inspection", 0.8}};
//   auto s = avf::fusion::combine_confidence(items);   // s.confidence == 0.96, s.sources == 2
//   avf::fusion::describe(s);                          // "confidence 0.96 from 2 independent sources (imagery, inspection)"
#pragma once

#include <string>
#include <vector>

namespace avf::fusion {

struct SourcedConfidence {
    std::string source; ///< "" is a source of its own ("unknown source")
    double confidence = 1.0;
};

struct Support {
    double confidence = 0.0;        ///< noisy-OR over sources (0 when there is no evidence)
    std::size_t sources = 0;        ///< independent sources
    std::vector<std::string> names; ///< their names, sorted
};

Support combine_confidence(const std::vector<SourcedConfidence>& items);

/// "confidence 0.96 from 2 independent sources (imagery, inspection)"
std::string describe(const Support& s);

} // namespace avf::fusion
