#include "fusion/observation_rule.hpp"

#include <algorithm>

namespace avf::fusion {

void ObservationRule::evaluate(const Observation& obs, RuleState* state, std::vector<Finding>&) const {
    if (!in_scope(obs.detection)) return;
    static_cast<SightingState&>(*state).sightings.push_back(Sighting::of(obs.detection));
}

void ObservationRule::combine(RuleState& into, RuleState&& from) const {
    auto& a = static_cast<SightingState&>(into).sightings;
    auto& b = static_cast<SightingState&>(from).sightings;
    a.insert(a.end(), std::make_move_iterator(b.begin()), std::make_move_iterator(b.end()));
    std::vector<Sighting>().swap(b);
}

std::vector<MergedObservation> ObservationRule::observations(RuleState* state) const {
    static const DedupPolicy none;
    auto& s = static_cast<SightingState&>(*state).sightings;
    auto out = deduplicate(std::move(s), m_inputs.dedup ? *m_inputs.dedup : none);
    std::vector<Sighting>().swap(s);
    return out;
}

const std::vector<Declaration>& ObservationRule::declarations() const {
    static const std::vector<Declaration> none;
    return m_inputs.declarations ? *m_inputs.declarations : none;
}

bool ObservationRule::declaration_in_scope(const Declaration& d) const {
    if (!d.valid.overlaps(m_valid)) return false;
    if (!m_classes.empty() && !m_classes.count(d.equipment_class)) return false;
    if (!m_parties.empty() && !m_parties.count(d.party)) return false;
    return true;
}

Evidence evidence_of(const Declaration& d) {
    return Evidence{"declaration", d.id.str(), d.origin.file, d.origin.feature};
}

} // namespace avf::fusion
