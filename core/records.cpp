#include "core/records.hpp"

namespace avf {

std::string_view to_string(FindingKind k) {
    switch (k) {
    case FindingKind::violation: return "violation";
    case FindingKind::discrepancy: return "discrepancy";
    case FindingKind::coverage_gap: return "coverage_gap";
    case FindingKind::unverifiable: return "unverifiable";
    case FindingKind::exempted: return "exempted";
    }
    return "unknown";
}

std::string_view to_string(Certainty c) {
    switch (c) {
    case Certainty::certain: return "certain";
    case Certainty::possible: return "possible";
    case Certainty::not_applicable: return "n/a";
    }
    return "unknown";
}

std::string_view to_string(SensorCategory s) {
    switch (s) {
    case SensorCategory::optical: return "optical";
    case SensorCategory::video: return "video";
    case SensorCategory::infrared: return "infrared";
    case SensorCategory::sar: return "sar";
    }
    return "unknown";
}

} // namespace avf
