// Geodesic computations on the WGS84 ellipsoid (GeographicLib, Karney's algorithms). A degree is
// never a distance: every length here is in Meters.
//
//   avf::geo::distance({126.9, 37.5}, {127.0, 37.6});               // point to point
//   avf::geo::distance_to_segment(p, a, b);                          // point to the geodesic a–b
//   avf::geo::geodesic_area(polygon);                                 // m², edges as geodesics
//
// Point-to-segment distance is solved exactly: the foot of the perpendicular is found by Newton
// iteration along the segment (each step an exact GeographicLib inverse and direct problem),
// converging to 1e-6 m; the endpoints are also tested, so the result is the true minimum for
// points within a few thousand kilometres of the segment.
#pragma once

#include "core/geometry.hpp"
#include "core/units.hpp"

#include <memory>

namespace GeographicLib {
class GeodesicLine;
}

namespace avf::geo {

/// Geodesic distance between two lon/lat points.
Meters distance(const GeoPoint& a, const GeoPoint& b);

struct SegmentFoot {
    Meters distance{0.0};
    GeoPoint foot;         ///< the nearest point on the segment
    double fraction = 0.0; ///< position of the foot along the segment, 0 (a) … 1 (b)
};

/// Distance from p to the geodesic segment a–b, with the nearest point.
SegmentFoot distance_to_segment(const GeoPoint& p, const GeoPoint& a, const GeoPoint& b);

/// The geodesic from an end of a segment to the query point: its length and its azimuth at the
/// end. Neighbouring segments share ends, so a caller solving several can compute each once.
struct EndToPoint {
    double distance = 0.0; ///< metres
    double azimuth = 0.0;  ///< degrees, at the end
};
EndToPoint end_to_point(const GeoPoint& end, const GeoPoint& p);
/// The same as distance_to_segment(p, a, b), given end_to_point(a, p) and end_to_point(b, p).
SegmentFoot distance_to_segment(const GeoPoint& p, const GeoPoint& a, const GeoPoint& b, const EndToPoint& from_a, const EndToPoint& from_b);

/// A segment's geodesic solved once (the inverse problem a→b), for callers that measure many points
/// against the same segment: distance_to_segment(p, solved, …) then gives the same bits as
/// distance_to_segment(p, a, b, …) without solving it again.
class SolvedSegment {
public:
    SolvedSegment(const GeoPoint& a, const GeoPoint& b);
    SolvedSegment(SolvedSegment&&) noexcept;
    ~SolvedSegment();
    const GeoPoint& a() const { return m_a; }
    const GeoPoint& b() const { return m_b; }
    const GeographicLib::GeodesicLine& line() const { return *m_line; }
    double length() const { return m_length; }       ///< metres
    double azimuth_a() const { return m_azimuth_a; } ///< degrees, forward azimuth at a
    double azimuth_b() const { return m_azimuth_b; } ///< degrees, forward azimuth at b (as the line gives it at its length)

private:
    GeoPoint m_a, m_b;
    std::unique_ptr<GeographicLib::GeodesicLine> m_line;
    double m_length = 0.0, m_azimuth_a = 0.0, m_azimuth_b = 0.0;
};
SegmentFoot distance_to_segment(const GeoPoint& p, const SolvedSegment& s, const EndToPoint& from_a, const EndToPoint& from_b);

/// Without solving anything more: whether distance_to_segment(p, s, from_a, from_b) would stop at
/// an end at once, its first estimate of the foot lying more than a millimetre before a (and,
/// for foot_beyond_b, more than a millimetre beyond b with the step at b pointing on). Its answer is
/// then within nanometres of the smaller of the two ends' distances, so a caller holding a better
/// distance can skip the segment. Never true for ends 5000 km or more from p.
bool foot_before_a(const SolvedSegment& s, const EndToPoint& from_a);
bool foot_beyond_b(const SolvedSegment& s, const EndToPoint& from_a, const EndToPoint& from_b);

/// The point at `distance` from `origin` in direction `azimuth_deg` (clockwise from north).
GeoPoint destination(const GeoPoint& origin, double azimuth_deg, Meters distance);

/// Forward azimuth (degrees, clockwise from north) of the geodesic from a to b.
double azimuth(const GeoPoint& a, const GeoPoint& b);

/// Geodesic area in m² of a polygon whose edges are geodesics (outer minus holes).
double geodesic_area(const Polygon& polygon);
double geodesic_area(const MultiPolygon& polygons);

/// Geodesic area in m² of polygons whose edges are straight in lon/lat (zones, footprints): the
/// edges are densified to ≤ 100 m pieces first, so the result is the area of the lon/lat shape.
double zone_area(const MultiPolygon& polygons);

/// Splits every edge of a ring that is straight in lon/lat into pieces of at most `max_piece`
/// (measured geodesically), so that the pieces, taken as geodesics, stay within millimetres of
/// the lon/lat-straight edge. Used wherever a zone's edges meet geodesic computations.
LineString densify(const LineString& line, Meters max_piece);

/// Great-circle central angle (radians) on the unit sphere between two lon/lat points — a cheap
/// estimate used only for conservative bounds, never as a result.
double central_angle(const GeoPoint& a, const GeoPoint& b);

/// Bounds on geodesic distance (WGS84) as a multiple of great-circle distance on a sphere of
/// radius sphere_radius: lower ≤ geodesic / (angle × R) ≤ upper. Measured extremes are 0.9944
/// (meridional arcs at the equator) and 1.0045 (at the poles); the bounds keep a margin.
inline constexpr double sphere_radius = 6371008.8;
inline constexpr double sphere_ratio_lower = 0.993;
inline constexpr double sphere_ratio_upper = 1.007;

} // namespace avf::geo
