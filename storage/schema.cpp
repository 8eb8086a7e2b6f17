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

const std::vector<std::string>& run_commit_entries(RunLayout run_layout, bool imagery) {
    using namespace layout;
    static const std::vector<std::string> v3 = {attributes, regime_text, inputs,       findings, explanations,
                                                evidence,   problems,    problem_text, summary,  commit_blocks};
    static const std::vector<std::string> v4 = {attributes,  regime_text, inputs,       findings, evidence,        rules,
                                                targets,     classes,     parties,      waivers,  dictionary_text, records,
                                                record_text, problems,    problem_text, summary,  commit_blocks};
    auto with_imagery = [](std::vector<std::string> e) {
        e.insert(e.end() - 1, {images, image_wkb, flights, flight_wkb, coverage, coverage_wkb});
        return e;
    };
    static const std::vector<std::string> v3_imagery = with_imagery(v3);
    static const std::vector<std::string> v4_imagery = with_imagery(v4);
    if (run_layout == RunLayout::v4) return imagery ? v4_imagery : v4;
    return imagery ? v3_imagery : v3;
}

bool is_heap(std::string_view entry) {
    return entry == layout::zone_wkb || entry == layout::line_wkb || entry == layout::problem_text || entry == layout::explanations ||
           entry == layout::image_wkb || entry == layout::flight_wkb || entry == layout::coverage_wkb || entry == layout::dictionary_text ||
           entry == layout::record_text;
}

const std::string& heap_description(std::string_view heap) {
    static const std::pair<std::string_view, std::string> descriptions[] = {
        {layout::zone_wkb, "OGC WKB MultiPolygon (little-endian) of each zone, addressed by zones.wkb_offset/wkb_length"},
        {layout::line_wkb, "OGC WKB MultiLineString (little-endian) of each line, addressed by lines.wkb_offset/wkb_length"},
        {layout::problem_text, "UTF-8 text of problems: message, file, layer, feature, record, field, value, expected, addressed by "
                               "problems.<field>_offset/_length"},
        {layout::explanations, "UTF-8 explanation of each finding, addressed by findings.explanation_offset/_length"},
        {layout::dictionary_text, "UTF-8 explanation templates of rules and bases of waivers, addressed by rules.template_offset/_length and "
                                  "waivers.basis_offset/_length"},
        {layout::record_text, "UTF-8 ids and positions of records, addressed by records.text_offset, id_length and position_length"},
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

const TableSchema& table_for_entry(std::string_view entry, RunLayout run_layout) {
    if (run_layout == RunLayout::v4) {
        if (entry == layout::findings) return findings_v4_table();
        if (entry == layout::evidence) return evidence_v4_table();
    }
    for (const TableSchema* t : {&zones_table(), &lines_table(), &sources_table(), &inputs_table(), &problems_table(), &findings_table(),
                                 &evidence_table(), &summary_table(), &commit_blocks_table(), &images_table(), &flights_table(), &coverage_table(),
                                 &rules_table(), &targets_table(), &classes_table(), &parties_table(), &waivers_table(), &records_table()}) {
        if (t->name() == entry) {
            return *t;
        }
    }
    throw InternalError("no table schema for commit entry " + std::string(entry));
}

} // namespace avf::storage
