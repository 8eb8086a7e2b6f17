#include "fusion/finding_builder.hpp"

#include "core/sha256.hpp"
#include "fusion/parties.hpp"
#include "fusion/rule.hpp"

#include <fmt/format.h>

#include <cmath>
#include <tuple>

namespace avf::fusion {

Evidence evidence_of(const Detection& d) {
    return Evidence{"detection", d.id.str(), d.origin.file, d.origin.feature};
}

Finding detection_finding(const std::string& rule_id, const std::string& rule_type, const std::string& article, const std::string& target_id,
                          const Detection& d) {
    Finding f;
    f.rule_id = rule_id;
    f.rule_type = rule_type;
    f.article = article;
    f.target_id = target_id;
    f.party = canonical_party(d.party); // party codes are stored canonical (upper-case)
    f.equipment_class = d.equipment_class;
    f.span = Interval{d.time, UtcTime{d.time.ms + 1}};
    f.location = d.position;
    f.confidence = d.confidence;
    f.evidence.push_back(evidence_of(d));
    f.id = content_id({rule_id, target_id, d.id.str(), d.origin.file});
    return f;
}

void apply_waiver(Finding& f, const Waiver* waiver) {
    if (!waiver) {
        f.kind = FindingKind::violation;
        return;
    }
    f.kind = FindingKind::exempted;
    f.waiver_id = waiver->id;
}

std::string content_id(std::initializer_list<std::string_view> parts) {
    Sha256 h;
    for (const std::string_view p : parts) h.field(p);
    const auto d = h.digest();
    return to_hex(d.data(), 16); // the first 32 hex digits
}

std::string format_items(const Detection& d) {
    std::string s = fmt::format("{} {}", d.count, d.equipment_class);
    if (!d.model.empty() && d.model != d.equipment_class) s += " (" + d.model + ")";
    s += d.party.empty() ? std::string(" of unknown party") : " of " + canonical_party(d.party);
    return s;
}

std::string format_days(UtcTime first, UtcTime last) {
    const std::string a = format_date(first), b = format_date(last);
    return a == b ? "on " + a : "from " + a + " to " + b;
}

} // namespace avf::fusion
