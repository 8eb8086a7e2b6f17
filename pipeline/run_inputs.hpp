// What a compliance run reads before its first detection, so that everything that can be wrong
// with it fails in milliseconds: the regime, the zone set it binds to (fusion::Evaluator), the
// imagery side (images, tracks, routes — small, read whole) and the declarations (few, read
// whole, judged by the fusion rules in finalize()). The detections are streamed afterwards by
// the detection pass (detection_pass.hpp), which evaluates them with `evaluator`.
//
//   RunInputs in(options, temp_dir);   // InputError / IoError naming the file, line and field
//   in.describe(result);               // regime id, zone set, declaration and imagery files
//   in.evaluator->evaluate(detection, partial);
//
// RunInputs is neither copied nor moved: the evaluator keeps references to the regime, the zone
// set, the declarations and the image coverage it holds.
#pragma once

#include "core/problem.hpp"
#include "core/records.hpp"
#include "fusion/evaluator.hpp"
#include "fusion/image_coverage.hpp"
#include "fusion/regime.hpp"
#include "fusion/zone_set_view.hpp"
#include "ingest/report_reader.hpp"
#include "pipeline/imagery_inputs.hpp"
#include "pipeline/run_options.hpp"
#include "storage/store.hpp"

#include <memory>
#include <string>
#include <vector>

namespace avf::pipeline {

/// The zone set a run or `regime check` binds to: `name` when given (InputError when the store
/// has no such set; IoError when there is no store), else the newest set of the store, else — the
/// store has no zone set, or does not exist yet — an empty set named "" (enough for a regime that
/// refers to no zone or line; the run records the empty name).
storage::ZoneSet load_zone_set(const std::string& store_path, const std::string& name);

/// Binds the regime's rules to the zone set (fusion::Evaluator: InputError with the regime's
/// file:line for a reference that does not resolve). With no zone set (`zone_set` == ""), such a
/// reference also says that the store has none and how to import one (IoError when the store
/// does not exist).
std::unique_ptr<fusion::Evaluator> bind_regime(fusion::Regime& regime, const fusion::ZoneSetView& view, const std::string& zone_set,
                                               const std::string& store_path, const fusion::SpillOptions& spill);

/// An input file's counts with its path and size (0 when it cannot be read: reading it reports why).
InputCounts input_file(const std::string& path);

class RunInputs {
public:
    /// Reads, in this order, the regime, the zone set (and binds the regime to it), the imagery,
    /// tracks and routes, the declarations and the gazetteer; then hands the declarations, the image coverage and
    /// the period to the evaluator. `temp_dir` receives the evaluator's spill files.
    RunInputs(const RunOptions& options, const std::string& temp_dir);
    RunInputs(const RunInputs&) = delete;
    RunInputs& operator=(const RunInputs&) = delete;

    /// Fills the result's regime id, zone set, declaration and imagery files, images and flights.
    void describe(RunResult& result) const;

    fusion::Regime regime;
    std::string zone_set; ///< the bound set's name; "" when the store has none
    fusion::ZoneSetView zones;
    std::unique_ptr<fusion::Evaluator> evaluator;
    Interval period; ///< [from, to) of the options, unbounded when not given

    bool with_imagery = false; ///< imagery, tracks or routes were given: the imagery side is part of the run
    ImageryInputs imagery;
    std::vector<Declaration> declarations;
    std::vector<Problem> declaration_problems; ///< reading the declarations, in file order (the run's first problems)
    std::vector<InputCounts> declaration_files;
    ingest::Gazetteer gazetteer;             ///< the places sighting reports name (empty without --gazetteer)
    std::vector<Problem> gazetteer_problems; ///< reading the gazetteer, in file order (after the declarations')
    std::vector<InputCounts> gazetteer_files;

private:
    static fusion::ZoneSetView open_zone_set(const RunOptions& options, std::string& name);
    void read_imagery(const RunOptions& options);
    void read_declarations(const RunOptions& options);
    void read_gazetteer(const RunOptions& options);
    void attach();

    bool m_declarations_given = false;
    fusion::ImageCoverage m_image_coverage{imagery.images};
    fusion::FusionInputs m_fusion_inputs;
};

} // namespace avf::pipeline
