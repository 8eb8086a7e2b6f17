#include "cli/recorded_inputs.hpp"

#include "core/error.hpp"
#include "core/sha256.hpp"
#include "fusion/regime.hpp"
#include "ingest/declaration_reader.hpp"
#include "ingest/detection_reader.hpp"
#include "ingest/report_reader.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>

namespace avf::cli {
namespace {

namespace fs = std::filesystem;

/// The run's problems with these records are in the store already: reading again, they are not news.
class IgnoredProblems final : public ProblemSink {
public:
    void report(Problem) override {}
};

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
    return out;
}

} // namespace

FoundInput find_recorded_input(const storage::InputFile& input, const std::string& inputs_dir) {
    std::vector<fs::path> candidates;
    const fs::path recorded(input.path);
    if (!inputs_dir.empty()) {
        if (recorded.is_relative()) candidates.push_back(fs::path(inputs_dir) / recorded);
        candidates.push_back(fs::path(inputs_dir) / recorded.filename());
    }
    candidates.push_back(recorded);
    std::vector<std::string> looked, rejected;
    for (const fs::path& c : candidates) {
        std::error_code ec;
        if (!fs::is_regular_file(c, ec)) {
            looked.push_back(c.string());
            continue;
        }
        try {
            if (sha256_file(c.string()) == input.sha256) return {c.string(), ""};
            rejected.push_back(c.string() + " is not the file the run read (its SHA-256 differs from the recorded one)");
        } catch (const Error& e) {
            rejected.push_back(c.string() + " cannot be read (" + e.what() + ")");
        }
    }
    if (!rejected.empty()) return {"", input.path + ": " + join(rejected)};
    std::string where;
    for (const auto& l : looked) where += (where.empty() ? "" : ", ") + l;
    return {"", input.path + ": not found (looked at " + where + ")"};
}

namespace {

/// The gazetteer a run placed its reports with (its input of role "gazetteer", the layer its
/// options name); InputError when that file cannot be used.
ingest::Gazetteer recorded_gazetteer(const storage::RunInfo& run, const std::string& inputs_dir) {
    for (const storage::InputFile& in : run.header.inputs) {
        if (in.role != "gazetteer") continue;
        FoundInput found = find_recorded_input(in, inputs_dir);
        if (found.path.empty()) throw InputError("its gazetteer " + found.reason);
        ingest::GazetteerReadOptions options;
        const auto recorded = nlohmann::json::parse(run.header.options_json, nullptr, false);
        if (recorded.is_object() && recorded.contains("gazetteer_layer") && recorded["gazetteer_layer"].is_string())
            options.vector.layer = recorded["gazetteer_layer"].get<std::string>();
        IgnoredProblems ignored;
        return ingest::read_gazetteer(found.path, options, ignored);
    }
    throw InputError("the run recorded no gazetteer");
}

} // namespace

UncertaintyDisks uncertainty_disks(const storage::RunInfo& run, const std::vector<Finding>& findings, const std::string& inputs_dir) {
    UncertaintyDisks out;
    out.radius_m.assign(findings.size(), std::numeric_limits<double>::quiet_NaN());
    // The detections each file must give: the evidence of every finding.
    std::map<std::string, std::set<std::string>> wanted; // recorded path → detection ids
    for (const Finding& f : findings)
        for (const Evidence& e : f.evidence)
            if (e.record_kind == "detection") wanted[e.source_file].insert(e.record_id);
    if (wanted.empty()) return out;

    struct Place {
        GeoPoint position;
        double radius_m;
    };
    std::map<std::string, std::unordered_map<std::string, Place>> read; // recorded path → id → place
    std::vector<std::string> unavailable;
    std::unique_ptr<fusion::Regime> regime;
    std::optional<ingest::Gazetteer> gazetteer; // for the reports files: read once, when one is needed
    for (const storage::InputFile& in : run.header.inputs) {
        if ((in.role != "detections" && in.role != "reports") || !wanted.count(in.path)) continue;
        FoundInput found = find_recorded_input(in, inputs_dir);
        if (found.path.empty()) {
            unavailable.push_back(found.reason);
            continue;
        }
        try {
            if (!regime)
                regime = std::make_unique<fusion::Regime>(fusion::parse_regime(run.header.regime_text, "the regime of run " + run.header.run_id));
            std::unique_ptr<ingest::DetectionSource> source;
            if (in.role == "reports") {
                // A sighting's place and radius come from the gazetteer the run placed it with.
                if (!gazetteer) gazetteer = recorded_gazetteer(run, inputs_dir);
                source = ingest::open_reports(found.path, *gazetteer, ingest::ReportReadOptions{.taxonomy = &regime->taxonomy});
            } else {
                ingest::DetectionParseOptions options;
                options.taxonomy = &regime->taxonomy;
                source = ingest::open_detections(found.path, options);
            }
            std::set<std::string>& ids = wanted[in.path];
            auto& places = read[in.path];
            CollectingProblemSink problems;
            std::vector<Detection> batch;
            while (places.size() < ids.size() && source->next_batch(batch, problems, 16'384)) {
                problems.problems().clear();
                for (const Detection& d : batch)
                    if (ids.count(d.id.str()))
                        places.emplace(d.id.str(), Place{d.position, d.uncertainty.value}); // the first of an id, as the run kept it
            }
        } catch (const Error& e) {
            unavailable.push_back(in.path + ": " + e.what());
            read.erase(in.path);
        }
    }
    for (std::size_t i = 0; i < findings.size(); ++i) {
        const Finding& f = findings[i];
        for (const Evidence& e : f.evidence) {
            if (e.record_kind != "detection") continue;
            auto file = read.find(e.source_file);
            if (file == read.end()) continue;
            auto p = file->second.find(e.record_id);
            // The detection the finding is placed at (a finding about merged sightings: the member at its place).
            if (p == file->second.end() || p->second.position.x() != f.location.x() || p->second.position.y() != f.location.y()) continue;
            out.radius_m[i] = p->second.radius_m;
            out.with_radius += p->second.radius_m > 0 ? 1 : 0;
            break;
        }
    }
    if (!unavailable.empty())
        out.note = "Uncertainty disks: not drawn for the findings on the detections of " + join(unavailable) +
                   ". The store keeps no radius; avf map reads it from the run's detections and reports files (a report's with its gazetteer; "
                   "--inputs-dir: where they are now).";
    return out;
}

ReportObservations report_observations(const storage::RunInfo& run, const std::vector<Finding>& findings, const std::string& inputs_dir) {
    ReportObservations out;
    std::set<std::string> wanted; // recorded paths of detection evidence
    for (const Finding& f : findings)
        for (const Evidence& e : f.evidence)
            if (e.record_kind == "detection") wanted.insert(e.source_file);
    std::vector<std::string> unavailable;
    for (const storage::InputFile& in : run.header.inputs) {
        if (in.role != "reports" || !wanted.count(in.path)) continue;
        FoundInput found = find_recorded_input(in, inputs_dir);
        if (found.path.empty()) {
            unavailable.push_back(found.reason);
            continue;
        }
        try {
            for (auto& [position, o] : ingest::read_report_observations(found.path)) out.by_record[{in.path, position}] = std::move(o);
        } catch (const Error& e) {
            unavailable.push_back(in.path + ": " + e.what());
        }
    }
    if (!unavailable.empty())
        out.note = "Means of observation and heading not shown for the sightings of " + join(unavailable) +
                   ". The store keeps neither; avf reads them from the run's reports files (--inputs-dir: where they are now).";
    return out;
}

DeclaredPlaces declared_places(const storage::RunInfo& run, const std::string& inputs_dir) {
    DeclaredPlaces out;
    std::vector<std::string> paths, unavailable;
    for (const storage::InputFile& in : run.header.inputs) {
        if (in.role != "declarations") continue;
        out.given = true;
        FoundInput found = find_recorded_input(in, inputs_dir);
        if (found.path.empty())
            unavailable.push_back(found.reason);
        else
            paths.push_back(found.path);
    }
    if (!paths.empty()) {
        try {
            fusion::Regime regime = fusion::parse_regime(run.header.regime_text, "the regime of run " + run.header.run_id);
            IgnoredProblems problems;
            ingest::DeclarationReadOptions options;
            options.taxonomy = &regime.taxonomy;
            out.declarations = ingest::read_declarations(paths, options, problems);
        } catch (const Error& e) {
            unavailable.push_back(e.what());
            out.declarations.clear();
        }
    }
    if (!unavailable.empty())
        out.note = std::string(out.declarations.empty() ? "Declared places: not drawn" : "Declared places: some not drawn") + "; " +
                   join(unavailable) +
                   ". The store keeps the findings about declarations, not the declarations; avf map reads them from the run's "
                   "declarations files (--inputs-dir: where they are now).";
    return out;
}

} // namespace avf::cli
