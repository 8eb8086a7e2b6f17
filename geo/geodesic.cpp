#include "geo/geodesic.hpp"

#include <GeographicLib/Geodesic.hpp>
#include <GeographicLib/GeodesicLine.hpp>
#include <GeographicLib/PolygonArea.hpp>

#include <algorithm>
#include <cmath>

namespace avf::geo {
namespace {

const GeographicLib::Geodesic& wgs84() {
    return GeographicLib::Geodesic::WGS84();
}
constexpr double deg = M_PI / 180.0;

} // namespace

Meters distance(const GeoPoint& a, const GeoPoint& b) {
    double s12 = 0.0;
    wgs84().Inverse(a.y(), a.x(), b.y(), b.x(), s12);
    return Meters{s12};
}

double azimuth(const GeoPoint& a, const GeoPoint& b) {
    double s12 = 0.0, azi1 = 0.0, azi2 = 0.0;
    wgs84().Inverse(a.y(), a.x(), b.y(), b.x(), s12, azi1, azi2);
    return azi1;
}

GeoPoint destination(const GeoPoint& origin, double azimuth_deg, Meters d) {
    double lat = 0.0, lon = 0.0;
    wgs84().Direct(origin.y(), origin.x(), azimuth_deg, d.value, lat, lon);
    return GeoPoint{lon, lat};
}

EndToPoint end_to_point(const GeoPoint& end, const GeoPoint& p) {
    EndToPoint e;
    double azi2 = 0.0;
    wgs84().Inverse(end.y(), end.x(), p.y(), p.x(), e.distance, e.azimuth, azi2);
    return e;
}

SolvedSegment::SolvedSegment(const GeoPoint& a, const GeoPoint& b)
    : m_a(a), m_b(b), m_line(std::make_unique<GeographicLib::GeodesicLine>(wgs84().InverseLine(a.y(), a.x(), b.y(), b.x()))) {
    m_length = m_line->Distance();
    m_azimuth_a = m_line->Azimuth();
    double lat = 0.0, lon = 0.0;
    m_line->Position(m_length, lat, lon, m_azimuth_b);
}
SolvedSegment::SolvedSegment(SolvedSegment&&) noexcept = default;
SolvedSegment::~SolvedSegment() = default;

SegmentFoot distance_to_segment(const GeoPoint& p, const GeoPoint& a, const GeoPoint& b) {
    return distance_to_segment(p, a, b, end_to_point(a, p), end_to_point(b, p));
}

SegmentFoot distance_to_segment(const GeoPoint& p, const GeoPoint& a, const GeoPoint& b, const EndToPoint& from_a, const EndToPoint& from_b) {
    return distance_to_segment(p, SolvedSegment(a, b), from_a, from_b);
}

namespace {

constexpr double R = sphere_radius;

// The along-track offset from a point X of the line to the foot of the perpendicular from P, on
// the sphere: atan2(sin σ cos α, cos σ) · R, σ the angular distance X→P and α the angle between
// the line and the direction to P (the Newton step of distance_to_segment).
double along_track(double distance, double azimuth_to_p, double azimuth_line) {
    const double sigma = distance / R;
    return std::atan2(std::sin(sigma) * std::cos((azimuth_to_p - azimuth_line) * deg), std::cos(sigma)) * R;
}

// distance_to_segment's first estimate of the foot, before clamping to the segment.
double first_estimate(const SolvedSegment& s, const EndToPoint& from_a) {
    return along_track(from_a.distance, from_a.azimuth, s.azimuth_a());
}

// What foot_before_a / foot_beyond_b allow: the iteration's point at an end (GeodesicLine::Position
// at 0 or at the length) lies nanometres from the end, so its step differs from the one computed
// at the end itself by far less than this; and far ends stay clear of the antipode, where the
// azimuth to P is ill-conditioned.
constexpr double step_margin = 1e-3;    // metres
constexpr double far_end = 5'000'000.0; // metres

} // namespace

bool foot_before_a(const SolvedSegment& s, const EndToPoint& from_a) {
    return s.length() > 0.0 && from_a.distance < far_end && first_estimate(s, from_a) < -step_margin;
}

bool foot_beyond_b(const SolvedSegment& s, const EndToPoint& from_a, const EndToPoint& from_b) {
    return s.length() > 0.0 && from_a.distance < far_end && from_b.distance < far_end && first_estimate(s, from_a) > s.length() + step_margin &&
           along_track(from_b.distance, from_b.azimuth, s.azimuth_b()) > step_margin;
}

SegmentFoot distance_to_segment(const GeoPoint& p, const SolvedSegment& segment, const EndToPoint& from_a, const EndToPoint& from_b) {
    const auto& g = wgs84();
    const GeographicLib::GeodesicLine& line = segment.line();
    const GeoPoint& a = segment.a();
    const GeoPoint& b = segment.b();
    const double length = segment.length();

    const double d_a = from_a.distance;
    if (!(length > 0.0)) return SegmentFoot{Meters{d_a}, a, 0.0};

    // Start from the spherical along-track estimate, then Newton steps along the geodesic: at the
    // current point X the along-track offset of the foot is along_track(|XP|, azimuth X→P, azimuth
    // of the line at X).
    double s = std::clamp(first_estimate(segment, from_a), 0.0, length);
    double best_d = 0.0;
    double lat = 0.0, lon = 0.0;
    for (int iter = 0; iter < 60; ++iter) {
        double azi_line = 0.0, d = 0.0, azi_xp = 0.0, azi_tmp = 0.0;
        line.Position(s, lat, lon, azi_line);
        g.Inverse(lat, lon, p.y(), p.x(), d, azi_xp, azi_tmp);
        best_d = d;
        double next = std::clamp(s + along_track(d, azi_xp, azi_line), 0.0, length);
        if (std::abs(next - s) < 1e-6) break;
        s = next;
    }
    SegmentFoot foot{Meters{best_d}, GeoPoint{lon, lat}, s / length};

    // The endpoints guard against the far side of the ellipsoid, where the distance along the
    // segment need not be unimodal.
    const double d_b = from_b.distance;
    if (d_a < foot.distance.value) foot = SegmentFoot{Meters{d_a}, a, 0.0};
    if (d_b < foot.distance.value) foot = SegmentFoot{Meters{d_b}, b, 1.0};
    return foot;
}

double geodesic_area(const Polygon& polygon) {
    auto ring_area = [](const Ring& ring) {
        GeographicLib::PolygonArea area(wgs84());
        // A closed ring repeats its first vertex; PolygonArea closes implicitly.
        for (std::size_t i = 0; i + 1 < ring.size(); ++i) area.AddPoint(ring[i].y(), ring[i].x());
        double perimeter = 0.0, a = 0.0;
        area.Compute(/*reverse=*/false, /*sign=*/true, perimeter, a);
        return std::abs(a);
    };
    double total = ring_area(polygon.outer());
    for (const auto& hole : polygon.inners()) total -= ring_area(hole);
    return total;
}

double geodesic_area(const MultiPolygon& polygons) {
    double total = 0.0;
    for (const auto& p : polygons) total += geodesic_area(p);
    return total;
}

double zone_area(const MultiPolygon& polygons) {
    auto dense = [](const Ring& r) {
        LineString l = densify(LineString(r.begin(), r.end()), Meters{100.0});
        return Ring(l.begin(), l.end());
    };
    double total = 0.0;
    for (const auto& p : polygons) {
        Polygon d;
        d.outer() = dense(p.outer());
        for (const auto& h : p.inners()) d.inners().push_back(dense(h));
        total += geodesic_area(d);
    }
    return total;
}

LineString densify(const LineString& line, Meters max_piece) {
    LineString out;
    if (line.empty()) return out;
    out.push_back(line.front());
    for (std::size_t i = 1; i < line.size(); ++i) {
        const GeoPoint& a = line[i - 1];
        const GeoPoint& b = line[i];
        // An edge surely no longer than one piece stays whole without solving its geodesic (zones
        // of 10^6 vertices have edges of metres: that solve was most of building their boundary).
        if (sphere_ratio_upper * sphere_radius * central_angle(a, b) + 1e-3 < max_piece.value) {
            out.push_back(b);
            continue;
        }
        double len = distance(a, b).value;
        auto pieces = static_cast<std::size_t>(std::ceil(len / max_piece.value));
        for (std::size_t k = 1; k < pieces; ++k) {
            double t = static_cast<double>(k) / static_cast<double>(pieces);
            out.push_back(GeoPoint{a.x() + t * (b.x() - a.x()), a.y() + t * (b.y() - a.y())});
        }
        out.push_back(b);
    }
    return out;
}

double central_angle(const GeoPoint& a, const GeoPoint& b) {
    double lat1 = a.y() * deg, lat2 = b.y() * deg;
    double dlat = lat2 - lat1, dlon = (b.x() - a.x()) * deg;
    double h = std::sin(dlat / 2) * std::sin(dlat / 2) + std::cos(lat1) * std::cos(lat2) * std::sin(dlon / 2) * std::sin(dlon / 2);
    return 2.0 * std::asin(std::min(1.0, std::sqrt(h)));
}

} // namespace avf::geo
