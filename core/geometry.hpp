// Geometry model, decided once for the whole project.
//
// All geometry is EPSG:4326 longitude/latitude in degrees, x = longitude, y = latitude. Zone edges
// are straight lines in lon/lat (as GeoJSON and PostGIS `geometry` read them), so containment is
// a planar test on lon/lat coordinates. Distances and areas are never taken in degrees: geo/
// computes them geodesically on WGS84.
//
// Polygons are counter-clockwise (outer rings; holes clockwise, as RFC 7946 asks) and closed.
// Ingest normalizes every ring to this model before anything else sees it.
//
//   avf::GeoPoint p{127.02, 38.31};        // lon, lat
//   avf::Polygon zone; boost::geometry::read_wkt("POLYGON((...))", zone);
#pragma once

#include <boost/geometry/geometries/box.hpp>
#include <boost/geometry/geometries/linestring.hpp>
#include <boost/geometry/geometries/multi_linestring.hpp>
#include <boost/geometry/geometries/multi_polygon.hpp>
#include <boost/geometry/geometries/point_xy.hpp>
#include <boost/geometry/geometries/polygon.hpp>
#include <boost/geometry/geometries/ring.hpp>

namespace avf {

/// x = longitude, y = latitude, degrees.
using GeoPoint = boost::geometry::model::d2::point_xy<double>;
using Ring = boost::geometry::model::ring<GeoPoint, /*ClockWise=*/false, /*Closed=*/true>;
using Polygon = boost::geometry::model::polygon<GeoPoint, /*ClockWise=*/false, /*Closed=*/true>;
using MultiPolygon = boost::geometry::model::multi_polygon<Polygon>;
using LineString = boost::geometry::model::linestring<GeoPoint>;
using MultiLineString = boost::geometry::model::multi_linestring<LineString>;
using Box = boost::geometry::model::box<GeoPoint>;

/// Answer of a containment test; the boundary is its own answer, never folded silently.
enum class Location { inside, boundary, outside };

} // namespace avf
