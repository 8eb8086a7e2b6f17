// The map of a run: one self-contained HTML file that works offline (no tile server, no network),
// drawn by Leaflet over Natural Earth country outlines, all inlined (cli/web_assets.hpp). Layers:
// the run's zone set (zones, reference lines), its findings coloured by kind and styled by
// certainty with a popup each (explanation, rule, article, evidence ids) and, zoomed in, the
// uncertainty disk of the detection each rests on; the declared places (points with their radius,
// areas, sites); and, for runs given imagery, image footprints, flight tracks, planned routes and
// coverage gaps (the unimaged part of each zone below its coverage rule's fraction). The radii
// and declarations are not in the store: they are read back from the run's input files when
// their SHA-256 still matches (cli/recorded_inputs.hpp), and the map says when they are not. Past MapOptions::max_findings, findings are
// drawn aggregated per grid cell and per zone or line, and the map says so. Written by `avf map`
// (cli/map_command.cpp) and inside `avf audit report`.
//
//   storage::StoreReader reader("demo.h5");
//   out << map_page(reader, run_id, {.store = "demo.h5"});          // a whole document
//   html << map_section(reader, run_id, {.store = "demo.h5"});      // inside another page
#pragma once

#include "storage/store.hpp"

#include <cstddef>
#include <string>

namespace avf::cli {

struct MapOptions {
    std::string store; ///< the store's path as given (for the notes on the map)
    /// Findings drawn one by one up to this many (the demo's take 530 bytes each); past it, or
    /// past max_finding_bytes, per grid cell and per zone or line.
    std::size_t max_findings = 20000;
    /// The most bytes the findings drawn one by one may take, so that the file stays under ~20 MB
    /// with the libraries (0.2 MB), the outlines (0.8 MB), zones and imagery.
    std::size_t max_finding_bytes = 16'000'000;
    /// Evidence ids a finding's popup lists; it counts the others (`avf findings show` lists all).
    std::size_t max_evidence_ids = 100;
    /// Where the run's input files are now ("" = at the paths the store recorded): the
    /// uncertainty radii and the declarations are read from them (cli/recorded_inputs.hpp).
    std::string inputs_dir;
};

/// The map as a part of a page: the CSS, a <div class="avf-map">, the data and the scripts.
/// Once per page (it names its elements with fixed ids).
std::string map_section(const storage::StoreReader& reader, const std::string& run_id, const MapOptions& options);

/// A whole HTML document holding only the map of the run.
std::string map_page(const storage::StoreReader& reader, const std::string& run_id, const MapOptions& options);

} // namespace avf::cli
