#include "pipeline/zone_import.hpp"

#include "core/error.hpp"
#include "core/sha256.hpp"
#include "core/version.hpp"
#include "ingest/gdal_support.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>

namespace avf::pipeline {

bool valid_set_name(const std::string& name) {
    if (name.empty() || name.size() > 64 || name == "." || name == "..") return false;
    for (char c : name) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        if (!ok) return false;
    }
    return true;
}

ZoneImportJob::ZoneImportJob(ZoneImportOptions options) : m_options(std::move(options)) {
    if (m_options.sources.empty())
        throw UsageError("no source given: name at least one vector file (GeoPackage, Shapefile, GeoJSON, KML, FlatGeobuf, CSV with WKT)");
    if (!m_options.validate_only) {
        if (m_options.store_path.empty()) throw UsageError("--store is required: the HDF5 store to write the zone set into");
        if (!valid_set_name(m_options.set_name))
            throw UsageError("--set '" + m_options.set_name + "' is not a valid zone set name (1–64 letters, digits, '-', '_', '.')");
    }
    if (m_options.reader.id_field.empty()) throw UsageError("--id-field cannot be empty");
}

ZoneImportResult ZoneImportJob::run() {
    ZoneImportResult result{{}, CollectingProblemSink(m_options.strict), {}, false};
    for (const auto& path : m_options.sources) {
        // Validation reports a source that cannot be used and goes on with the others; an import
        // stops, since a zone set missing a source would be silently incomplete.
        try {
            ingest::read_zones(path, m_options.reader, result.collection, result.problems);
        } catch (const ingest::MissingCrsError& e) {
            if (!m_options.validate_only || m_options.strict) throw;
            result.problems.report(Problem::rejected(ProblemCode::missing_crs, e.text(), e.context()));
        } catch (const IoError& e) {
            if (!m_options.validate_only || m_options.strict) throw;
            result.problems.report(Problem::rejected(ProblemCode::unreadable, e.text(), e.context()));
        }
    }
    ingest::check_zone_parents(result.collection, result.problems);

    for (const auto& f : result.collection.files) {
        storage::InputFile in;
        in.role = "zones";
        in.path = f.path;
        std::error_code ec;
        // A Shapefile is several files; its .shp is what is hashed (the main geometry file).
        in.size = std::filesystem::is_regular_file(f.path, ec) ? std::filesystem::file_size(f.path) : 0;
        in.sha256 = std::filesystem::is_regular_file(f.path, ec) ? sha256_file(f.path) : "";
        in.records_read = f.features_read;
        in.records_rejected = f.rejected;
        result.inputs.push_back(std::move(in));
    }
    if (m_options.validate_only) return result;

    if (result.collection.zones.empty() && result.collection.lines.empty())
        throw NothingToImport("nothing to import: every feature was rejected or the sources are empty (see the problems above)",
                              Context{}.file(m_options.sources.front()), result.problems.problems());

    nlohmann::json opts = {
        {"layer", m_options.reader.layer},
        {"assume_crs", m_options.reader.assume_crs},
        {"id_field", m_options.reader.id_field},
        {"name_field", m_options.reader.name_field},
        {"kind", m_options.reader.kind},
        {"kind_field", m_options.reader.kind_field},
        {"parties_field", m_options.reader.parties_field},
        {"parent_field", m_options.reader.parent_field},
        {"valid_from_field", m_options.reader.valid_from_field},
        {"valid_to_field", m_options.reader.valid_to_field},
        {"strict", m_options.strict},
        {"tool_version", tool_version},
    };
    storage::ZoneSet set;
    set.name = m_options.set_name;
    set.imported_utc =
        format_utc(UtcTime{std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count()});
    set.options_json = opts.dump();
    set.sources = result.inputs;
    set.zones = result.collection.zones;
    set.lines = result.collection.lines;
    set.problems = result.problems.problems();

    storage::StoreTransaction tx(m_options.store_path);
    tx.write_zone_set(set);
    if (m_options.sign_key) tx.sign(*m_options.sign_key); // the new head is the set's row
    tx.commit();
    result.written = true;
    return result;
}

} // namespace avf::pipeline
