// What whole-run fusion rules (declaration_match, notification) need besides detections: the
// parties' declarations, the de-duplication tolerances, and — when the run has imagery — a way to
// ask whether an area was imaged adequately in a period. Handed to every rule once, before the
// detection pass (Evaluator::attach), and read only in finalize().
//
//   avf::fusion::FusionInputs in;
//   in.declarations = &declarations;   // ingest::read_declarations
//   in.dedup = &regime.dedup;
//   in.coverage = nullptr;             // no imagery: declarations without observations are unverifiable
//   evaluator.attach(in);
#pragma once

#include "core/geometry.hpp"
#include "core/records.hpp"
#include "core/time.hpp"

#include <vector>

namespace avf::fusion {

struct DedupPolicy;
class ZoneSetView;

/// Imagery coverage, as the fusion rules ask for it. Implemented over the run's image records
/// (footprints, acquisition times, ground sample distance) by the imagery side of the pipeline.
class CoverageQuery {
public:
    virtual ~CoverageQuery() = default;
    /// Fraction (0..1) of `area` imaged during `window` by images with a ground sample distance of
    /// at most `max_gsd_m` (geodesic area of the footprint union intersected with `area`, over the
    /// area's area). fusion/image_coverage.hpp implements it over the run's image records.
    virtual double imaged_fraction(const MultiPolygon& area, const Interval& window, double max_gsd_m) const = 0;
};

struct FusionInputs {
    const std::vector<Declaration>* declarations = nullptr; ///< null: none given (the fusion rules report that, unverifiable); empty: none declared
    const DedupPolicy* dedup = nullptr;                     ///< null: no de-duplication tolerance (identical only)
    const CoverageQuery* coverage = nullptr;                ///< null: the run has no imagery
    Interval period;                                        ///< the run's period (--from/--to); declarations are judged within it
};

} // namespace avf::fusion
