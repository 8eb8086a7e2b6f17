// Where a declaration says its items are, resolved for matching: a point with a radius, a polygon,
// or a site (a zone of the zone set, by id). Shared by declaration_match and notification.
#pragma once

#include "core/geometry.hpp"
#include "core/records.hpp"

#include <optional>
#include <string>

namespace avf::fusion {

class ZoneSetView;

struct DeclaredArea {
    bool resolved = false; ///< false: a site id that is not in the zone set
    bool is_point = false;
    GeoPoint centre; ///< the point, or a representative point of the polygon (for findings)
    double radius_m = 0.0;
    MultiPolygon polygon; ///< area or site geometry (empty for a point)

    static DeclaredArea of(const Declaration& d, const ZoneSetView* zones);
    /// How far p is from the declared place: for a point, the geodesic distance to the centre
    /// (minus nothing: the radius is compared by `within`); for a polygon, 0 inside or on the
    /// boundary, else the geodesic distance to the boundary.
    double distance(const GeoPoint& p) const;
    /// True when p is within the declared place enlarged by `tolerance_m` (inclusive).
    bool within(const GeoPoint& p, double tolerance_m) const;
    /// The polygon to ask coverage about (a 64-gon for a point and radius; at least 1 m).
    MultiPolygon coverage_area() const;
    /// "within 2.0 km of 53.1000N 26.0000E", "in area", "at site X"
    std::string describe(const Declaration& d) const;
};

} // namespace avf::fusion
