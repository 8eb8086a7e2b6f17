// The rule interface and what every rule shares: scope (parties, classes), validity, waivers,
// boundary semantics, and the references to zones and lines it is evaluated against.
//
// A rule is built from its TOML table (setup: no I/O), bound to a zone set (bind: resolves
// references, throws InputError naming the regime line of a missing zone or line), then
// evaluated per detection in parallel with per-thread state, combined, and finalized —
// the Sink → Combine → Finalize shape:
//
//   auto state = rule.make_state();                 // one per thread/chunk
//   rule.evaluate(located, *state, findings);       // const, thread-safe
//   rule.combine(*total, std::move(*state));        // in input order
//   rule.finalize(*total, findings);                // whole-run results (counts in zones…)
//
// Words, one meaning each (in code and comments across the modules):
//   detection    one observed item or group of identical items, a row of a detection file
//                (core/records.hpp); evaluate() sees it with its zones, as a LocatedDetection.
//   sighting     a detection as the declarations side keeps it (fusion/dedup.hpp).
//   observation  sightings of the same items merged across sources (MergedObservation,
//                fusion/dedup.hpp): what the declarations side compares with declarations.
//   side         what a rule judges (RuleSide): the detections; the declarations, against the
//                observations (DeclarationRule); the imagery — images, flown tracks and planned
//                routes (ImageryRecords, evaluate_imagery; read by pipeline::ImageryInputs).
// Treaty terms keep their treaty meaning: observation flight, observation area (a zone kind),
// observation threshold (notification). User-facing text predating these names is unchanged: the
// run summary and docs/regime-format.md call the imagery side "the observation side".
#pragma once

#include "core/geometry.hpp"
#include "core/records.hpp"
#include "core/taxonomy.hpp"
#include "core/time.hpp"
#include "fusion/parties.hpp"
#include "geo/zone_index.hpp"

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace avf::spill {
class ByteWriter;
class ByteReader;
} // namespace avf::spill

namespace avf::fusion {

class TomlReader;
class ZoneSetView;
struct FusionInputs;

/// What a rule's constructor needs from the rest of its regime: the class taxonomy, the regime's
/// in-force period (every rule's validity is clipped to it) and the parties it declares (a rule
/// may name no other).
struct RuleContext {
    const Taxonomy& taxonomy;
    Interval in_force;
    const PartyRoster& parties;
};

/// The `source` values a detection may carry that a rule's `sources` filter can name.
const std::vector<std::string>& detection_sources();

/// An agreed exception: when it covers a would-be violation, the finding is `exempted` and cites it.
struct Waiver {
    std::string id;
    std::vector<std::string> classes;      ///< empty = every class in the rule's scope
    PartySet parties;                      ///< empty = every party (canonical codes)
    std::vector<std::string> zones;        ///< empty = everywhere the rule applies
    std::optional<std::int64_t> max_count; ///< items allowed at once; empty = unlimited
    Interval valid;
    std::string basis; ///< legal basis, quoted in findings
};

/// What evaluate() sees for one detection: the detection and where it is (geo::ZoneIndex::locate).
struct LocatedDetection {
    const Detection& detection;
    /// Zones whose closure contains the centre or that the uncertainty disk touches, plus, for
    /// nesting, the ancestors of each (with the same relation), ordered by zone index.
    const std::vector<geo::ZoneHit>& zones;
};

/// The imagery side of a run, given to evaluate_imagery() once, after the detections: image
/// metadata, flown tracks and planned routes (each sorted by id), and the run's period. A view of
/// the records pipeline::ImageryInputs read from the run's files.
struct ImageryRecords {
    const std::vector<ImageRecord>& images;
    const std::vector<FlightTrack>& tracks;
    const std::vector<PlannedRoute>& routes;
    Interval period; ///< the run's --from/--to (unbounded ends allowed)
};

/// What evaluate_imagery() produces.
struct ImageryOutputs {
    std::vector<Finding> findings;
    std::vector<CoverageRecord> coverage;
};

struct SpillOptions;

/// Which inputs a rule judges. A run given no input of a rule's side says so instead of
/// reporting that rule as quiet.
enum class RuleSide {
    detections,   ///< each detection in the detection pass (prohibited, standoff, ceiling, band)
    declarations, ///< declarations against the detections, after the pass (declaration_match, notification)
    imagery,      ///< images, tracks and routes, once per run (sensor_limit, route, coverage)
};

/// Per-thread partial state of a rule that aggregates (counts in zones); stateless rules have none.
class RuleState {
public:
    virtual ~RuleState() = default;
};

class Rule {
public:
    virtual ~Rule() = default;

    const std::string& id() const { return m_id; }
    const std::string& type() const { return m_type; }
    const std::string& article() const { return m_article; }
    const Interval& valid() const { return m_valid; }
    const std::vector<Waiver>& waivers() const { return m_waivers; }
    /// The inputs the rule judges (declared by each rule type).
    virtual RuleSide side() const = 0;

    /// Resolves zone and line references against the zone set. Throws InputError naming the
    /// regime file, line and key of a reference that does not exist.
    virtual void bind(const ZoneSetView& zones) = 0;

    virtual std::unique_ptr<RuleState> make_state() const { return nullptr; }
    virtual void evaluate(const LocatedDetection& located, RuleState* state, std::vector<Finding>& out) const = 0;
    virtual void combine(RuleState& /*into*/, RuleState&& /*from*/) const {}
    virtual void finalize(RuleState* /*state*/, std::vector<Finding>& /*out*/) const {}
    /// A distributed run (docs/mpi.md) ships each rank's state to rank 0: save_state writes the
    /// state (which is spent then), load_state adds what save_state wrote into `into` as combine() adds a
    /// state. Every rule whose make_state() gives a state overrides both.
    virtual void save_state(RuleState& /*state*/, spill::ByteWriter& /*out*/) const {}
    virtual void load_state(RuleState& /*into*/, spill::ByteReader& /*in*/) const {}
    /// Declarations, de-duplication tolerances and coverage for whole-run fusion rules (called
    /// once before evaluation; `inputs` outlives the rule's use). Other rules ignore it.
    virtual void attach(const FusionInputs& /*inputs*/) {}
    /// Where rules that aggregate spill their state (called by the Evaluator before any state is
    /// made). Rules without spilled state ignore it.
    virtual void set_spill_options(const SpillOptions& /*options*/) {}

    /// Rules of the imagery side (sensor limits, routes, coverage) judge the images,
    /// tracks and routes here, once per run, after the detection pass. Outputs need not be
    /// sorted (fusion::evaluate_imagery sorts them). Detection-only rules keep the default.
    virtual void evaluate_imagery(const ImageryRecords& /*in*/, ImageryOutputs& /*out*/) const {}

    /// Reads the keys every rule shares (id, type, article, parties, classes or classes_except,
    /// sources, valid_from/to, waivers, description). Called by each rule's constructor. Values
    /// that end up in the store's fixed-width columns (id, article, waiver ids) are checked
    /// against core/store_limits.hpp here; parties must be declared by the regime.
    void read_common(TomlReader& r, const RuleContext& context);

    /// True when the rule's scope covers this detection's class, party and source and its time
    /// is valid. A detection whose party is unknown — empty, or a code the regime does not
    /// declare — is in scope of every party list (it may be any of them; decisions.md §5).
    bool in_scope(const Detection& d) const;
    /// The first waiver that covers this detection in zone `zone_id` ("" when not zone-bound).
    const Waiver* waiver_for(const Detection& d, const std::string& zone_id) const;

protected:
    /// True when the party is known: not empty and declared by the regime (case-insensitive).
    bool attributed(std::string_view party) const { return !party.empty() && m_declared_parties.count(party) > 0; }
    /// For rules about imagery, tracks and routes: `sources` filters detections only.
    void refuse_sources(TomlReader& r) const;
    /// "battle_tank/artillery", "items except personnel", or "items" (every class).
    std::string classes_phrase() const;

    std::string m_id, m_type, m_article, m_description;
    PartySet m_parties;                     ///< empty = all (canonical codes, each declared)
    PartySet m_declared_parties;            ///< the regime's parties
    std::set<std::string> m_classes;        ///< empty = all classes of the taxonomy
    std::set<std::string> m_classes_except; ///< the classes `classes_except` left out (m_classes holds the rest)
    std::vector<std::string> m_sources;     ///< empty = every source
    Interval m_valid;
    std::vector<Waiver> m_waivers;
};

} // namespace avf::fusion
