// OGC Well-Known Binary for the two geometry types the store keeps: MultiPolygon (zones) and
// MultiLineString (reference lines). Written little-endian, 2-D, exactly as the coordinates are
// (no reordering, no closing, no rounding), so a store round-trip is bit-exact. Small on purpose:
// storage must not link GDAL.
//
//   std::string wkb = avf::storage::to_wkb(zone.geometry);            // 01 06000000 ...
//   avf::MultiPolygon g = avf::storage::multipolygon_from_wkb(wkb);    // == zone.geometry
//
// Reading accepts either byte order (the byte-order flag of each geometry is honoured, as OGC
// requires) but only 2-D MultiPolygon (type 6) / MultiLineString (type 5) with Polygon (3) /
// LineString (2) members; anything else, trailing bytes or counts larger than the remaining
// bytes are an InputError naming the offset.
#pragma once

#include "core/geometry.hpp"

#include <string>
#include <string_view>

namespace avf::storage {

inline constexpr std::uint32_t wkb_linestring = 2;
inline constexpr std::uint32_t wkb_polygon = 3;
inline constexpr std::uint32_t wkb_multilinestring = 5;
inline constexpr std::uint32_t wkb_multipolygon = 6;

std::string to_wkb(const MultiPolygon& geometry);
std::string to_wkb(const MultiLineString& geometry);

MultiPolygon multipolygon_from_wkb(std::string_view wkb);
MultiLineString multilinestring_from_wkb(std::string_view wkb);

} // namespace avf::storage
