// Party codes where they meet: the parties a regime declares (`[regime] parties`), the parties
// its rules name, and the parties records carry. Codes are compared case-insensitively (ASCII)
// and kept canonical, upper-case: `prk` in a detection is PRK.
//
//   PartyRoster roster;
//   roster.read(meta, "parties");                  // [regime] parties = ["KOR", "PRK"]
//   roster.require(rule, "parties", "prk");        // "PRK"; an undeclared code is an InputError
//   roster.declared("Kor");                        // true
//   note_undeclared_parties(roster, detections, sink); // one `note` per record naming another party
//
// A rule may only name declared parties (a typo such as "XXX" would silently narrow it). A record
// naming a party the regime does not declare is kept: it is a `note` problem, and rules scope it
// as a record of unknown party (docs/decisions.md §5) while its findings keep the code it gave.
#pragma once

#include "core/problem.hpp"
#include "core/records.hpp"

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace avf::fusion {

class TomlReader;

/// The canonical form of a party code: ASCII upper-case.
std::string canonical_party(std::string_view code);
/// True when two codes are the same party (ASCII case-insensitive).
bool same_party(std::string_view a, std::string_view b);

/// Case-insensitive ordering of party codes (transparent: look up with any string_view).
struct PartyLess {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const;
};
using PartySet = std::set<std::string, PartyLess>;
template <typename V> using PartyMap = std::map<std::string, V, PartyLess>;

/// The parties a regime declares.
class PartyRoster {
public:
    /// Reads a list of party codes at `key` (e.g. [regime] parties): canonical, unique, each at
    /// most the store's party column wide. InputError with file:line otherwise.
    void read(TomlReader& r, const std::string& key);

    bool empty() const { return m_codes.empty(); }
    /// The canonical codes, in the order the regime lists them.
    const std::vector<std::string>& codes() const { return m_codes; }
    const PartySet& set() const { return m_set; }
    bool declared(std::string_view code) const { return m_set.count(code) > 0; }

    /// The canonical code of a party the regime names at `key`; InputError (file:line) when the
    /// regime does not declare it.
    std::string require(const TomlReader& r, const std::string& key, std::string_view code) const;
    /// Every code of the list at `key`, each required to be declared (canonical).
    PartySet require_list(TomlReader& r, const std::string& key) const;

private:
    std::vector<std::string> m_codes;
    PartySet m_set;
};

/// One `note` problem (bad_value, field `party` / `observing_party` / `observed_party`) for each
/// record naming a party the roster does not declare. Nothing when the regime declares no parties
/// (it then scopes nothing by party). The record stays in the run.
void note_undeclared_parties(const PartyRoster& roster, const std::vector<Detection>& records, ProblemSink& sink);
void note_undeclared_parties(const PartyRoster& roster, const std::vector<Declaration>& records, ProblemSink& sink);
void note_undeclared_parties(const PartyRoster& roster, const std::vector<ImageRecord>& records, ProblemSink& sink);

} // namespace avf::fusion
