#include "fusion/evaluator.hpp"

#include "fusion/finding_builder.hpp"

#include <algorithm>

namespace avf::fusion {

Evaluator::Evaluator(Regime& regime, const ZoneSetView& zones, const SpillOptions& spill) : m_regime(regime), m_zones(zones) {
    for (auto& rule : m_regime.rules) {
        rule->bind(zones);
        rule->set_spill_options(spill);
    }
}

void Evaluator::attach(const FusionInputs& inputs) {
    for (auto& rule : m_regime.rules) rule->attach(inputs);
}

Partial Evaluator::make_partial() const {
    Partial p;
    for (const auto& rule : m_regime.rules) p.states.push_back(rule->make_state());
    return p;
}

void Evaluator::evaluate(const Detection& d, Partial& partial) const {
    m_zones.locate(d, partial.scratch);
    LocatedDetection located{d, partial.scratch};
    for (std::size_t i = 0; i < m_regime.rules.size(); ++i) m_regime.rules[i]->evaluate(located, partial.states[i].get(), partial.findings);
}

void Evaluator::combine(Partial& into, Partial&& from) const {
    into.findings.insert(into.findings.end(), std::make_move_iterator(from.findings.begin()), std::make_move_iterator(from.findings.end()));
    from.findings.clear();
    for (std::size_t i = 0; i < m_regime.rules.size(); ++i)
        if (into.states[i] && from.states[i]) m_regime.rules[i]->combine(*into.states[i], std::move(*from.states[i]));
}

std::vector<Finding> Evaluator::finalize(Partial& total, std::size_t rule) const {
    std::vector<Finding> out;
    m_regime.rules[rule]->finalize(total.states[rule].get(), out);
    return out;
}

std::vector<Finding> Evaluator::finish(Partial&& total) const {
    std::vector<Finding> out = std::move(total.findings);
    for (std::size_t i = 0; i < m_regime.rules.size(); ++i) m_regime.rules[i]->finalize(total.states[i].get(), out);
    std::sort(out.begin(), out.end(), finding_order);
    return out;
}

} // namespace avf::fusion
