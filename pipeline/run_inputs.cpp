#include "pipeline/run_inputs.hpp"

#include "core/error.hpp"
#include "core/sha256.hpp"
#include "fusion/parties.hpp"
#include "ingest/declaration_reader.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

namespace avf::pipeline {

storage::ZoneSet load_zone_set(const std::string& store_path, const std::string& name) {
    std::error_code ec;
    if (name.empty() && !std::filesystem::exists(store_path, ec) && !ec) return storage::ZoneSet{}; // a new store
    storage::StoreReader store(store_path);
    if (!name.empty()) return store.read_zone_set(name);
    auto sets = store.zone_sets();
    return sets.empty() ? storage::ZoneSet{} : store.read_zone_set(sets.back().name);
}

std::unique_ptr<fusion::Evaluator> bind_regime(fusion::Regime& regime, const fusion::ZoneSetView& view, const std::string& zone_set,
                                               const std::string& store_path, const fusion::SpillOptions& spill) {
    try {
        return std::make_unique<fusion::Evaluator>(regime, view, spill);
    } catch (const InputError& e) {
        if (!zone_set.empty()) throw;
        const std::string why = e.text() + ": the regime refers to zones or lines, and the store ";
        std::error_code ec;
        if (!std::filesystem::exists(store_path, ec))
            throw IoError(why + store_path + " does not exist; create it with `avf zones import`", e.context());
        throw InputError(why + store_path + " has no zone set; import one with `avf zones import`", e.context());
    }
}

InputCounts input_file(const std::string& path) {
    InputCounts in;
    in.path = path;
    std::error_code ec;
    in.size = std::filesystem::file_size(path, ec);
    if (ec) in.size = 0;
    return in;
}

namespace {

fusion::SpillOptions evaluator_spill(const RunOptions& options, const std::string& temp_dir) {
    fusion::SpillOptions spill;
    spill.directory = temp_dir;
    spill.memory_bytes = std::max<std::size_t>(1, options.spill_bytes / 8);
    return spill;
}

} // namespace

// Everything that can be wrong with the regime or the zone set fails before data is read.
RunInputs::RunInputs(const RunOptions& options, const std::string& temp_dir)
    : regime(fusion::load_regime(options.regime_path)), zones(open_zone_set(options, zone_set)),
      evaluator(bind_regime(regime, zones, zone_set, options.store_path, evaluator_spill(options, temp_dir))),
      period{options.from.value_or(UtcTime::min()), options.to.value_or(UtcTime::max())} {
    read_imagery(options);
    read_declarations(options);
    read_gazetteer(options);
    attach();
}

fusion::ZoneSetView RunInputs::open_zone_set(const RunOptions& options, std::string& name) {
    storage::ZoneSet set = load_zone_set(options.store_path, options.zone_set);
    name = set.name;
    return {std::move(set.zones), std::move(set.lines)};
}

// The imagery side is small and read whole, before any detection: a bad file fails fast.
void RunInputs::read_imagery(const RunOptions& options) {
    with_imagery = !options.imagery.empty() || !options.tracks.empty() || !options.routes.empty();
    imagery = read_imagery_inputs(options.imagery, options.tracks, options.routes, options.strict);
    CollectingProblemSink notes; // records naming a party the regime does not declare (kept)
    fusion::note_undeclared_parties(regime.meta.parties, imagery.images, notes);
    for (auto& p : notes.problems()) imagery.problems.push_back(std::move(p));
}

// Declarations are few: read whole, before the detection pass, and handed to the fusion rules
// (declaration_match, notification), which judge them in finalize(). Their problems come first.
void RunInputs::read_declarations(const RunOptions& options) {
    m_declarations_given = !options.declarations.empty();
    CollectingProblemSink sink(options.strict);
    ingest::DeclarationReadOptions read_options;
    read_options.taxonomy = &regime.taxonomy;
    declarations = ingest::read_declarations(options.declarations, read_options, sink);
    fusion::note_undeclared_parties(regime.meta.parties, declarations, sink);
    declaration_problems = std::move(sink.problems());
    for (const auto& path : options.declarations) {
        InputCounts in = input_file(path);
        in.role = "declarations";
        for (const auto& d : declarations)
            if (d.origin.file == path) ++in.evaluated;
        for (const auto& p : declaration_problems)
            if (p.severity == Severity::rejected && p.where.file() == path) ++in.rejected;
        in.read = in.evaluated + in.rejected;
        in.sha256 = sha256_file(path);
        declaration_files.push_back(in);
    }
}

// The gazetteer the sighting reports are placed with: read whole, before the detection pass (which
// reads the reports themselves, as detections). Its problems come after the declarations'.
void RunInputs::read_gazetteer(const RunOptions& options) {
    if (options.gazetteer.empty()) return;
    CollectingProblemSink sink(options.strict);
    ingest::GazetteerReadOptions read_options;
    read_options.vector.layer = options.gazetteer_layer;
    gazetteer = ingest::read_gazetteer(options.gazetteer, read_options, sink);
    gazetteer_problems = std::move(sink.problems());
    InputCounts in = input_file(options.gazetteer);
    in.role = "gazetteer";
    in.evaluated = gazetteer.entries().size();
    for (const auto& p : gazetteer_problems)
        if (p.severity == Severity::rejected) ++in.rejected;
    in.read = in.evaluated + in.rejected;
    in.sha256 = sha256_file(options.gazetteer);
    gazetteer_files.push_back(in);
}

void RunInputs::attach() {
    m_fusion_inputs.declarations = m_declarations_given ? &declarations : nullptr; // none given ≠ an empty file
    m_fusion_inputs.dedup = &regime.dedup;
    // Unconfirmed needs imagery: without images a declaration nothing was seen for is unverifiable.
    m_fusion_inputs.coverage = imagery.images.empty() ? nullptr : &m_image_coverage;
    m_fusion_inputs.period = period;
    evaluator->attach(m_fusion_inputs);
}

void RunInputs::describe(RunResult& result) const {
    result.regime_id = regime.meta.id;
    result.zone_set = zone_set;
    result.declaration_inputs = declaration_files;
    result.gazetteer_inputs = gazetteer_files;
    for (const auto& f : imagery.files) result.imagery_inputs.push_back(storage::InputFile{f.role, f.path, f.sha256, f.size, f.read, f.rejected});
    result.images = imagery.images.size();
    std::set<std::string> flights;
    for (const auto& t : imagery.tracks) flights.insert(t.flight_id);
    for (const auto& r : imagery.routes) flights.insert(r.flight_id);
    result.flights = flights.size();
}

} // namespace avf::pipeline
