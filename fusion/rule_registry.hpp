// The rule types a regime may name, in one explicit list (no static registration: static
// libraries drop such initialisers). Adding a rule type = one class under fusion/rules/ (with its
// side(), fusion/rule.hpp) + one line in rule_registry.cpp.
//
//   auto rule = avf::fusion::make_rule(table, context);   // throws InputError for an unknown type
//   for (auto& t : avf::fusion::builtin_rule_types()) ...  // "band", "ceiling", …
#pragma once

#include "fusion/rule.hpp"

#include <memory>
#include <string>
#include <vector>

namespace avf::fusion {

/// Builds a rule of a registered type from its TOML table (throws InputError).
std::unique_ptr<Rule> make_rule(TomlReader& table, const RuleContext& context);

/// The registered rule types, sorted.
std::vector<std::string> builtin_rule_types();

} // namespace avf::fusion
