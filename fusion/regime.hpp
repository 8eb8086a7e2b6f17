// A regime: one agreement's metadata, equipment taxonomy and rules, loaded from a TOML file
// (format: docs/regime-format.md) and checked strictly before any data is read.
//
//   auto regime = avf::fusion::load_regime("korea.toml");   // InputError with file:line and key
//   regime.meta.id; regime.taxonomy.resolve("T-72B3"); regime.rules.size();
//   auto bound = avf::fusion::BoundRegime(regime, zones, lines); // resolves zone/line references
#pragma once

#include "core/explanation.hpp"
#include "core/records.hpp"
#include "core/taxonomy.hpp"
#include "core/time.hpp"
#include "fusion/dedup.hpp"
#include "fusion/parties.hpp"
#include "fusion/rule.hpp"

#include <memory>
#include <string>
#include <vector>

namespace avf::fusion {

struct RegimeMeta {
    std::string id;
    std::string name;
    PartyRoster parties; ///< [regime] parties: canonical upper-case codes; rules may name no other
    Interval in_force;
};

struct Regime {
    std::string path;
    std::string text; ///< the file verbatim (stored with every run)
    RegimeMeta meta;
    Taxonomy taxonomy;
    DedupPolicy dedup; ///< [dedup]: tolerances for merging sightings of the same object
    std::vector<std::unique_ptr<Rule>> rules;
};

/// Parses and checks a regime file. Throws IoError when it cannot be read, InputError (file,
/// line:column, key, expected) for any syntax error, unknown key, bad unit or value (distances
/// beyond half the Earth's circumference, durations beyond a century), unknown class, undeclared
/// party, value longer than its store column (core/store_limits.hpp), duplicate rule id or
/// unknown rule type — so what passes here can be evaluated and stored.
Regime load_regime(const std::string& path);
/// Every rule's waivers: (rule id, waiver id) → basis, what an explanation's `{verdict}` quotes.
WaiverBases waiver_bases(const Regime& regime);
/// Same, from text (path is used in messages).
Regime parse_regime(const std::string& text, const std::string& path);

} // namespace avf::fusion
