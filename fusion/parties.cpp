#include "fusion/parties.hpp"

#include "core/store_limits.hpp"
#include "fusion/toml_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace avf::fusion {
namespace {

char upper(char c) {
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

// Where a record is, for its note: the line for text formats (as the readers report it), else
// the layer and feature; `order` sorts the note among the reader's problems of the same block.
Context record_context(const SourceRef& origin, const std::string& id, std::uint64_t& order) {
    Context where;
    where.file(origin.file);
    order = origin.index;
    long line = 0;
    const char* end = origin.feature.data() + origin.feature.size();
    if (origin.layer.empty() && !origin.feature.empty() && std::from_chars(origin.feature.data(), end, line).ptr == end) {
        where.line(line);
        order = static_cast<std::uint64_t>(line);
    } else {
        if (!origin.layer.empty()) where.layer(origin.layer);
        if (!origin.feature.empty()) where.feature(origin.feature);
    }
    return where.record(id);
}

void note(const PartyRoster& roster, const SourceRef& origin, const std::string& id, const char* field, const std::string& code, ProblemSink& sink) {
    if (roster.empty() || code.empty() || roster.declared(code)) return;
    std::uint64_t order = 0;
    Context where = record_context(origin, id, order);
    where.field(field).value(code).expected(fmt::format("one of the regime's parties: {}", fmt::join(roster.codes(), ", ")));
    Problem p{Severity::note, ProblemCode::unknown_party,
              fmt::format("party '{}' is not declared by the regime; the record is kept and rules scope it as of unknown party", code),
              std::move(where), order};
    sink.report(std::move(p));
}

} // namespace

std::string canonical_party(std::string_view code) {
    std::string out(code);
    for (char& c : out) c = upper(c);
    return out;
}

bool same_party(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return upper(x) == upper(y); });
}

bool PartyLess::operator()(std::string_view a, std::string_view b) const {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) { return upper(x) < upper(y); });
}

void PartyRoster::read(TomlReader& r, const std::string& key) {
    for (const auto& code : r.string_list(key)) {
        if (code.size() > store_limits::party)
            r.fail(key, fmt::format("party code '{}' is {} bytes long; the store keeps at most {}", code, code.size(), store_limits::party),
                   fmt::format("codes of at most {} bytes", store_limits::party));
        std::string canonical = canonical_party(code);
        if (!m_set.insert(canonical).second) r.fail(key, "party '" + canonical + "' is listed twice (codes are compared case-insensitively)");
        m_codes.push_back(std::move(canonical));
    }
}

std::string PartyRoster::require(const TomlReader& r, const std::string& key, std::string_view code) const {
    if (declared(code)) return canonical_party(code);
    if (m_codes.empty())
        r.fail(key, fmt::format("party '{}' is not declared: the regime declares no parties", code), "[regime] parties = [\"…\", …] naming it");
    r.fail(key, fmt::format("party '{}' is not declared by the regime", code), fmt::format("one of [regime] parties: {}", fmt::join(m_codes, ", ")));
}

PartySet PartyRoster::require_list(TomlReader& r, const std::string& key) const {
    PartySet out;
    for (const auto& code : r.string_list(key)) out.insert(require(r, key, code));
    return out;
}

void note_undeclared_parties(const PartyRoster& roster, const std::vector<Detection>& records, ProblemSink& sink) {
    for (const auto& d : records) note(roster, d.origin, d.id.str(), "party", d.party, sink);
}

void note_undeclared_parties(const PartyRoster& roster, const std::vector<Declaration>& records, ProblemSink& sink) {
    for (const auto& d : records) note(roster, d.origin, d.id.str(), "party", d.party, sink);
}

void note_undeclared_parties(const PartyRoster& roster, const std::vector<ImageRecord>& records, ProblemSink& sink) {
    for (const auto& im : records) {
        note(roster, im.origin, im.id.str(), "observing_party", im.observing_party, sink);
        note(roster, im.origin, im.id.str(), "observed_party", im.observed_party, sink);
    }
}

} // namespace avf::fusion
