// Explanations rendered from a template and a finding's fields (store schema 4, issue 18 decision 1):
// the store keeps one template per rule form in its `rules` table and renders a finding's sentence
// from it when the finding is read, instead of storing a sentence per finding. The same rule is in
// docs/store-format.md (§ "Explanation templates") and python/avf_store.py; keep the three in step.
//
//   render_explanation("{class} {party_of} observed {from} at {position}, {measured_distance} inside "
//                      "{target} {rule_ref}: {verdict|prohibited}", f, {})
//     → "battle_tank of PRK observed 2027-03-04T10:15:00Z at 38.3100N 127.0200E, 1.4 km inside DMZ-N
//        (rule dmz-1, Armistice art. I ¶6): prohibited; certain"
//
// A template is literal text with fields in braces: `{name}` or `{name|argument}`; `{{` and `}}` stand
// for literal braces. The fields (every one reads only the finding's row and the run's dictionaries):
//   rule, type, article, target, class, party, unit, kind, certainty, waiver  the row's values as text
//   waiver_basis        the basis of the finding's waiver ("" without one)
//   rule_ref            "(rule R)" or "(rule R, ARTICLE)" when the rule has an article
//   party_of            "of P", or "of unknown party" when the party is empty
//   from, to            the span's ends as ISO-8601 UTC ("-inf"/"+inf" when unbounded); date: from's day
//   last                the span's last instant, to − 1 ms (a span of records ends 1 ms after the last one)
//   position            "38.3100N 127.0200E" (lat then lon, 4 decimals, hemisphere letters)
//   measured_distance, limit_distance   the value (in km) as a distance: "850 m" below 1 km, else "1.4 km"
//   lon|N, lat|N, measured|N, limit|N, confidence|N   the number with N (0–9) decimals, fixed notation
//   verdict|PHRASE      "exempted by waiver W (BASIS)" for an exempted finding, else "PHRASE; CERTAINTY"
//   record              the id of the finding's first evidence record ("" without one)
//   records             the number of evidence records
#pragma once

#include "core/records.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace avf {

/// "38.3100N 127.0200E"
std::string format_position(const GeoPoint& p);
/// "1.4 km" (or "850 m" below one kilometre); always positive.
std::string format_distance(double meters);
/// "(rule dmz-1, Armistice art. I ¶6)", or "(rule dmz-1)" without an article.
std::string format_rule_ref(const std::string& rule_id, const std::string& article);

/// Why `tmpl` cannot be rendered (unknown field, missing or unexpected argument, lone brace);
/// nullopt when it can.
std::optional<std::string> template_error(std::string_view tmpl);

/// The sentence `tmpl` gives for `f` (whose `explanation` is ignored); `waiver_basis` is the basis of
/// f's waiver. InternalError for a template template_error refuses: callers check templates when they
/// take them in (a store reader reports a bad one as damage).
std::string render_explanation(std::string_view tmpl, const Finding& f, std::string_view waiver_basis);

/// `text` as template text that renders to itself (braces doubled), to build a rule's template from
/// the rule's own words (class lists, distances).
std::string escape_template(std::string_view text);

/// The regime's waivers: (rule id, waiver id) → basis (fusion::waiver_bases fills it).
using WaiverBases = std::map<std::pair<std::string, std::string>, std::string>;
/// The basis of f's waiver ("" without one, or one `bases` does not know).
std::string_view waiver_basis_of(const WaiverBases& bases, const Finding& f);
/// f's sentence from its explanation_template (f.explanation when it has none).
std::string render_explanation(const Finding& f, const WaiverBases& bases);

} // namespace avf
