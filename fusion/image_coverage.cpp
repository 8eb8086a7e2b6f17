#include "fusion/image_coverage.hpp"

#include "geo/coverage.hpp"

#include <cmath>

namespace avf::fusion {

double ImageCoverage::imaged_fraction(const MultiPolygon& area, const Interval& window, double max_gsd_m) const {
    std::vector<const MultiPolygon*> footprints;
    for (const auto& image : m_images) {
        Interval acquired = image.acquisition;
        if (!(acquired.from < acquired.to)) acquired.to = UtcTime{acquired.from.ms + 1}; // an instant
        if (!acquired.overlaps(window)) continue;
        if (!std::isfinite(image.gsd.value) || image.gsd.value > max_gsd_m) continue;
        footprints.push_back(&image.footprint);
    }
    if (footprints.empty()) return 0.0;
    return geo::coverage(area, footprints).fraction;
}

} // namespace avf::fusion
