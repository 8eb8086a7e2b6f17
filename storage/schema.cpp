#include "storage/schema.hpp"

#include "core/error.hpp"
#include "core/store_limits.hpp"

namespace avf::storage {

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
