// Strong unit types used in every signature between modules: a degree is never a distance.
//
//   avf::Meters d = avf::kilometers(20.0);   // 20 000 m
//   if (d < avf::Meters{50.0}) ...
#pragma once

#include <compare>

namespace avf {

template <typename Tag> struct Quantity {
    double value = 0.0;
    constexpr Quantity() = default;
    constexpr explicit Quantity(double v) : value(v) {}
    constexpr auto operator<=>(const Quantity&) const = default;
    constexpr Quantity operator+(Quantity o) const { return Quantity{value + o.value}; }
    constexpr Quantity operator-(Quantity o) const { return Quantity{value - o.value}; }
    constexpr Quantity operator*(double k) const { return Quantity{value * k}; }
};

struct MetersTag {};
struct DegreesTag {};

/// Length on the WGS84 ellipsoid, in metres.
using Meters = Quantity<MetersTag>;
/// Angle, in degrees (longitude, latitude, azimuth).
using Degrees = Quantity<DegreesTag>;

constexpr Meters kilometers(double km) {
    return Meters{km * 1000.0};
}
constexpr double to_kilometers(Meters m) {
    return m.value / 1000.0;
}

} // namespace avf
