#include "storage/schema.hpp"

#include "core/error.hpp"
#include "core/store_limits.hpp"

#include <algorithm>
#include <bit>

namespace avf::storage {

TableSchema& TableSchema::add(std::string column, ColumnType type, std::size_t size) {
    m_columns.push_back(Column{std::move(column), type, size, m_row_size});
    m_row_size += size;
    return *this;
}

std::uint64_t TableSchema::chunk_rows() const {
    constexpr std::uint64_t target_bytes = std::uint64_t{1024} * 1024;
    std::uint64_t rows = std::bit_floor(target_bytes / std::max<std::size_t>(m_row_size, 1));
    return std::clamp<std::uint64_t>(rows, 1024, 16384);
}

namespace {

/// Offset and length columns addressing a value in a byte heap.
TableSchema& heap_reference(TableSchema& t, const std::string& prefix) {
    return t.uint64(prefix + "_offset").uint64(prefix + "_length");
}

TableSchema make_source_files(std::string name, std::string title) {
    TableSchema t(std::move(name), std::move(title));
    t.string("role", id_bytes)
        .string("path", path_bytes)
        .string("sha256", digest_bytes)
        .uint64("size")
        .uint64("records_read")
        .uint64("records_rejected");
    return t;
}

} // namespace

const std::vector<std::string>& zone_set_attribute_names() {
    static const std::vector<std::string> names = {"name", "imported_utc", "options_json"};
    return names;
}

const std::vector<std::string>& run_attribute_names() {
    static const std::vector<std::string> names = {"run_id",  "zone_set", "zone_set_digest", "regime_id",   "tool_version",
                                                   "started", "finished", "status",          "options_json"};
    return names;
}

const std::vector<std::string>& zone_set_commit_entries() {
    static const std::vector<std::string> entries = {layout::attributes, layout::sources,      layout::zone_table,
                                                     layout::zone_wkb,   layout::line_table,   layout::line_wkb,
                                                     layout::problems,   layout::problem_text, layout::commit_blocks};
    return entries;
}

const std::vector<std::string>& run_commit_entries() {
    static const std::vector<std::string> entries = {layout::attributes,   layout::regime_text,  layout::inputs,   layout::findings,
                                                     layout::explanations, layout::evidence,     layout::problems, layout::problem_text,
                                                     layout::summary,      layout::commit_blocks};
    return entries;
}

const std::vector<std::string>& imagery_run_commit_entries() {
    static const std::vector<std::string> entries = [] {
        std::vector<std::string> e = run_commit_entries();
        e.insert(e.end() - 1, {layout::images, layout::image_wkb, layout::flights, layout::flight_wkb, layout::coverage, layout::coverage_wkb});
        return e;
    }();
    return entries;
}

bool is_heap(std::string_view entry) {
    return entry == layout::zone_wkb || entry == layout::line_wkb || entry == layout::problem_text || entry == layout::explanations ||
           entry == layout::image_wkb || entry == layout::flight_wkb || entry == layout::coverage_wkb;
}

const std::string& heap_description(std::string_view heap) {
    static const std::pair<std::string_view, std::string> descriptions[] = {
        {layout::zone_wkb, "OGC WKB MultiPolygon (little-endian) of each zone, addressed by zones.wkb_offset/wkb_length"},
        {layout::line_wkb, "OGC WKB MultiLineString (little-endian) of each line, addressed by lines.wkb_offset/wkb_length"},
        {layout::problem_text, "UTF-8 text of problems: message, file, layer, feature, record, field, value, expected, addressed by "
                               "problems.<field>_offset/_length"},
        {layout::explanations, "UTF-8 explanation of each finding, addressed by findings.explanation_offset/_length"},
        {layout::image_wkb, "Image footprints as WKB MultiPolygons, addressed by images.wkb_offset/_length"},
        {layout::flight_wkb, "Flight tracks and planned routes as WKB MultiLineStrings, addressed by flights.track_wkb_* and route_wkb_*"},
        {layout::coverage_wkb, "Uncovered parts of zones as WKB MultiPolygons, addressed by coverage.uncovered_wkb_offset/_length"},
    };
    for (const auto& [name, text] : descriptions) {
        if (name == heap) {
            return text;
        }
    }
    throw InternalError("no byte heap named " + std::string(heap));
}

const TableSchema& zones_table() {
    static const TableSchema t = [] {
        TableSchema s(layout::zone_table, "Zones of the set (geometry: zone_wkb)");
        s.string("id", id_bytes)
            .string("name", name_bytes)
            .string("kind", id_bytes)
            .string("parties", id_bytes)
            .string("parent", id_bytes)
            .string("valid_from", time_bytes)
            .string("valid_to", time_bytes)
            .int64("source_index")
            .string("source_layer", name_bytes)
            .string("source_feature", id_bytes)
            .uint64("source_position")
            .string("geometry_type", kind_bytes);
        return heap_reference(s, "wkb");
    }();
    return t;
}

const TableSchema& lines_table() {
    static const TableSchema t = [] {
        TableSchema s(layout::line_table, "Reference lines of the set (geometry: line_wkb)");
        s.string("id", id_bytes)
            .string("name", name_bytes)
            .string("kind", id_bytes)
            .string("parties", id_bytes)
            .string("valid_from", time_bytes)
            .string("valid_to", time_bytes)
            .int64("source_index")
            .string("source_layer", name_bytes)
            .string("source_feature", id_bytes)
            .uint64("source_position")
            .string("geometry_type", kind_bytes);
        return heap_reference(s, "wkb");
    }();
    return t;
}

const TableSchema& sources_table() {
    static const TableSchema t = make_source_files(layout::sources, "Source files of the zone set");
    return t;
}

const TableSchema& inputs_table() {
    static const TableSchema t = make_source_files(layout::inputs, "Input files of the run");
    return t;
}

const TableSchema& problems_table() {
    static const TableSchema t = [] {
        TableSchema s(layout::problems, "Problems found in the input data (text: problem_text)");
        s.string("severity", enum_bytes).string("code", id_bytes).int64("line").int64("column").uint64("order");
        for (auto field : problem_text_fields) {
            heap_reference(s, std::string(field));
        }
        return s;
    }();
    return t;
}

const TableSchema& findings_table() {
    static const TableSchema t = [] {
        TableSchema s(layout::findings, "Findings of the run in their final order (text: explanations)");
        s.string("id", id_bytes)
            .string("kind", kind_bytes)
            .string("certainty", enum_bytes)
            .string("rule_id", store_limits::rule_id)
            .string("rule_type", store_limits::rule_type)
            .string("article", store_limits::article)
            .string("target_id", store_limits::target_id)
            .string("party", store_limits::party)
            .string("equipment_class", store_limits::equipment_class)
            .string("span_from", time_bytes)
            .string("span_to", time_bytes)
            .float64("lon")
            .float64("lat")
            .float64("measured")
            .float64("limit")
            .string("unit", store_limits::unit)
            .float64("confidence")
            .string("waiver_id", store_limits::waiver_id)
            .uint64("evidence_first")
            .uint64("evidence_count");
        return heap_reference(s, "explanation");
    }();
    return t;
}

const TableSchema& evidence_table() {
    static const TableSchema t = [] {
        TableSchema s(layout::evidence, "Input records each finding rests on");
        s.uint64("finding_row")
            .string("finding_id", id_bytes)
            .string("record_kind", id_bytes)
            .string("record_id", id_bytes)
            .int64("input")
            .string("source_position", id_bytes);
        return s;
    }();
    return t;
}

const TableSchema& summary_table() {
    static const TableSchema t = [] {
        TableSchema s(layout::summary, "Findings per rule, kind and certainty");
        s.string("rule_id", store_limits::rule_id).string("kind", kind_bytes).string("certainty", enum_bytes).uint64("findings");
        return s;
    }();
    return t;
}

const TableSchema& images_table() {
    static const TableSchema t = [] {
        TableSchema s(layout::images, "Image metadata of the run (footprints: image_wkb)");
        s.string("id", id_bytes)
            .string("flight_id", id_bytes)
            .string("mission", id_bytes)
            .string("platform", id_bytes)
            .string("instruments", name_bytes)
            .string("observing_party", id_bytes)
            .string("observed_party", id_bytes)
            .string("sensor", enum_bytes)
            .string("start", time_bytes)
            .string("end", time_bytes)
            .float64("gsd_m")
            .float64("height_m")
            .float64("off_nadir_deg")
            .float64("sar_range_m")
            .float64("sar_azimuth_m")
            .string("sar_polarizations", id_bytes)
            .int64("input")
            .string("source_layer", name_bytes)
            .string("source_feature", id_bytes)
            .uint64("source_position");
        return heap_reference(s, "wkb");
    }();
    return t;
}

const TableSchema& flights_table() {
    static const TableSchema t = [] {
        TableSchema s(layout::flights, "Flights of the run: track and planned route (geometry: flight_wkb)");
        s.string("flight_id", id_bytes)
            .int64("input")
            .int64("route_input")
            .uint64("fixes")
            .uint64("sensor_on_fixes")
            .string("first_fix", time_bytes)
            .string("last_fix", time_bytes)
            .float64("length_m")
            .float64("min_height_m");
        heap_reference(s, "track_wkb");
        return heap_reference(s, "route_wkb");
    }();
    return t;
}

const TableSchema& coverage_table() {
    static const TableSchema t = [] {
        TableSchema s(layout::coverage, "Coverage of each zone per coverage rule and period (uncovered part: coverage_wkb)");
        s.string("rule_id", store_limits::rule_id)
            .string("zone_id", store_limits::target_id)
            .string("period_from", time_bytes)
            .string("period_to", time_bytes)
            .float64("zone_area_m2")
            .float64("covered_area_m2")
            .float64("fraction")
            .float64("required_fraction")
            .float64("best_gsd_m")
            .string("last_observed", time_bytes)
            .uint64("images")
            .string("finding_id", id_bytes);
        return heap_reference(s, "uncovered_wkb");
    }();
    return t;
}

const TableSchema& commit_table() {
    static const TableSchema t = [] {
        TableSchema s(layout::commit, "Commit record: rows and SHA-256 of every member, written last");
        s.string("table", id_bytes).uint64("rows").string("sha256", digest_bytes);
        return s;
    }();
    return t;
}

const TableSchema& commit_blocks_table() {
    static const TableSchema t = [] {
        TableSchema s(layout::commit_blocks, "SHA-256 per block of 4096 rows or 65536 bytes, to locate damage");
        s.string("table", id_bytes).uint64("first").uint64("count").string("sha256", digest_bytes);
        return s;
    }();
    return t;
}

const TableSchema& chain_table() {
    static const TableSchema t = [] {
        TableSchema s(layout::chain, "Audit chain: one row per committed zone set or run");
        s.uint64("sequence")
            .string("kind", chain_kind_bytes)
            .string("name", id_bytes)
            .string("content_digest", digest_bytes)
            .string("previous_digest", digest_bytes)
            .string("digest", digest_bytes);
        return s;
    }();
    return t;
}

const TableSchema& signatures_table() {
    static const TableSchema t = [] {
        TableSchema s(layout::signatures, "Ed25519 signatures of audit chain heads");
        s.uint64("sequence")
            .string("head_digest", digest_bytes)
            .string("signed_utc", time_bytes)
            .string("key_fingerprint", digest_bytes)
            .string("public_key", digest_bytes)
            .string("signature", signature_bytes);
        return s;
    }();
    return t;
}

const TableSchema& chain_table_v1() {
    static const TableSchema t = [] {
        TableSchema s(layout::chain, "Audit chain: one row per committed run");
        s.uint64("sequence")
            .string("run_id", id_bytes)
            .string("content_digest", digest_bytes)
            .string("previous_digest", digest_bytes)
            .string("digest", digest_bytes);
        return s;
    }();
    return t;
}

const TableSchema& table_for_entry(std::string_view entry) {
    for (const TableSchema* t : {&zones_table(), &lines_table(), &sources_table(), &inputs_table(), &problems_table(), &findings_table(),
                                 &evidence_table(), &summary_table(), &commit_blocks_table(), &images_table(), &flights_table(), &coverage_table()}) {
        if (t->name() == entry) {
            return *t;
        }
    }
    throw InternalError("no table schema for commit entry " + std::string(entry));
}

} // namespace avf::storage
