// The map's JavaScript, CSS and base-layer data, embedded in avf at build time so that a map
// (cli/map_page.hpp) is one offline file. Defined in a source cmake/embed_web.cmake generates
// from web/ (avf's own files) and web/node_modules (npm packages pinned by web/package-lock.json,
// installed by scripts/install-deps.sh; licences in web/LICENSES.md).
//
//   out << "<script>" << avf::cli::web::leaflet_js << "</script>";
#pragma once

#include <string_view>

namespace avf::cli::web {

extern const std::string_view leaflet_js;     ///< Leaflet (leaflet/dist/leaflet.js), BSD-2-Clause
extern const std::string_view leaflet_css;    ///< Leaflet's CSS, its url(images/...) removed
extern const std::string_view topojson_js;    ///< topojson-client (dist/topojson-client.min.js), ISC
extern const std::string_view countries_json; ///< world-atlas countries-50m.json: Natural Earth 1:50m, TopoJSON
extern const std::string_view avf_map_js;     ///< web/avf-map.js: draws the page's data
extern const std::string_view avf_map_css;    ///< web/avf-map.css

} // namespace avf::cli::web
