// Coverage of declared places by the run's images, for declaration_match: the fraction of a
// place imaged during a window by images at least as sharp as a ground sample distance. Built on
// geo::coverage (footprint union ∩ place, geodesic areas).
//
//   avf::fusion::ImageCoverage coverage(images);            // the run's image records
//   coverage.imaged_fraction(place, window, 1.0);           // images with GSD <= 1 m acquired in the window
#pragma once

#include "fusion/fusion_inputs.hpp"

#include <vector>

namespace avf::fusion {

class ImageCoverage : public CoverageQuery {
public:
    /// Keeps a reference: `images` must outlive this object.
    explicit ImageCoverage(const std::vector<ImageRecord>& images) : m_images(images) {}
    /// Images whose acquisition overlaps `window` (an instant acquisition counts at its instant)
    /// and whose GSD is known and <= max_gsd_m.
    double imaged_fraction(const MultiPolygon& area, const Interval& window, double max_gsd_m) const override;

private:
    const std::vector<ImageRecord>& m_images;
};

} // namespace avf::fusion
