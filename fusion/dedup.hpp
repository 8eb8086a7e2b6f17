// Multi-source de-duplication: detections of the same object — from overlapping images, or from
// several sources (imagery, an inspection, a monitoring report) — merged into one observation
// that keeps all its evidence, before declarations are matched and activities counted.
//
// Method (documented in docs/decisions.md, "Declarations and fusion"): leader clustering in a
// canonical order.
//   1. Sightings are sorted by (class, party, time, id, file, position in file): an order that
//      depends on content only, never on the thread count, the block size or the input order.
//   2. Each sighting in that order joins the nearest open observation of the same class and the
//      same party (an unknown party "" is a party of its own: never merged with a known one)
//      whose first sighting (the anchor) is at most the class's `distance` away (geodesic, between
//      centres) and at most its `time` earlier, and which does not already hold a sighting from the
//      same source record (two detections on one image are two objects). Ties in distance go to
//      the observation opened first. Otherwise it opens a new observation.
//   3. An observation's count is the largest count of its sightings (the same items seen again
//      are not more items); its position and time are its anchor's; its evidence is every
//      sighting; its confidence is the noisy-OR over its sources (fusion/confidence.hpp).
// Distance and time limits are inclusive (exactly at the tolerance merges; distances to within
// k_distance_slack_m, the round-off of a geodesic computed back from a point placed at the limit).
//
// Tolerances come from the regime's [dedup] table (docs/regime-format.md):
//   [dedup]
//   distance_m = 250          # default for every class (default 0: only identical positions merge)
//   time = "PT2H"             # default for every class (default 0: only identical times merge)
//   [dedup.classes]
//   troops = { distance_m = 1000, time = "PT6H" }
//
//   auto obs = avf::fusion::deduplicate(std::move(sightings), regime.dedup);
#pragma once

#include "core/geometry.hpp"
#include "core/records.hpp"
#include "core/time.hpp"
#include "core/units.hpp"
#include "fusion/confidence.hpp"

#include <map>
#include <string>
#include <vector>

namespace avf {
class Taxonomy;
}

namespace avf::fusion {

class TomlReader;

/// Distance limits of the fusion rules are inclusive to within this (1 µm): a point placed
/// exactly at a limit with a geodesic solver measures back a few nanometres off.
inline constexpr double k_distance_slack_m = 1e-6;

/// True when the geodesic distance from a to b is certainly more than `limit_m`, from the
/// great-circle bound of geo/geodesic.hpp (sphere_ratio_lower) and a metre of margin: no geodesic
/// is solved. Lets a scan skip the far candidates of an exact distance test cheaply.
bool farther_than(const GeoPoint& a, const GeoPoint& b, double limit_m);

struct DedupTolerance {
    Meters distance{0.0};
    Duration time{0};
};

struct DedupPolicy {
    DedupTolerance fallback;                         ///< for classes without their own entry
    std::map<std::string, DedupTolerance> per_class; ///< canonical class → tolerance
    const DedupTolerance& for_class(const std::string& cls) const;
};

/// Reads the [dedup] table (strict keys; classes must be in the taxonomy).
DedupPolicy read_dedup_policy(TomlReader& r, const Taxonomy& taxonomy);

/// What whole-run fusion rules keep of an in-scope detection: enough to locate, count and cite it.
struct Sighting {
    std::string id;
    std::string equipment_class;
    std::string party;
    std::string source;
    std::string source_record;
    std::string file;
    std::string position_in_file; ///< line or feature id
    UtcTime time;
    GeoPoint position;
    double uncertainty_m = 0.0;
    std::int64_t count = 1;
    double confidence = 1.0;

    static Sighting of(const Detection& d);
    Evidence evidence() const { return Evidence{"detection", id, file, position_in_file}; }
};

/// The canonical order of step 1.
bool sighting_order(const Sighting& a, const Sighting& b);

/// One object (or group of identical items) seen one or more times.
struct MergedObservation {
    std::string equipment_class;
    std::string party;
    UtcTime time;                  ///< the anchor's
    Interval span;                 ///< first to last sighting (half-open: last + 1 ms)
    GeoPoint position;             ///< the anchor's
    std::int64_t count = 0;        ///< the largest count of its sightings
    std::vector<Sighting> members; ///< in canonical order; members[0] is the anchor
    Support support;               ///< noisy-OR over the members' sources

    std::vector<SourcedConfidence> confidences() const;
};

/// Merges sightings into observations (see the header comment). The result is in canonical
/// order (class, party, anchor time, anchor id) whatever the order of `sightings`.
std::vector<MergedObservation> deduplicate(std::vector<Sighting> sightings, const DedupPolicy& policy);

} // namespace avf::fusion
