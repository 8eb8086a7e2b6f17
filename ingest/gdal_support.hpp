// The GDAL/OGR room: opening vector sources, choosing layers, reprojecting to EPSG:4326 lon/lat,
// and converting OGR geometries to avf's model. No GDAL type appears in this header.
//
//   avf::ingest::VectorSource src("zones.gpkg", {.layer = "dmz", .assume_crs = ""});
//   for (std::size_t i = 0; i < src.layer_count(); ++i) ...
//   src.for_each_feature([&](const avf::ingest::Feature& f) {
//       f.fid; f.field("id"); f.geometry_kind(); f.polygons(); f.lines(); f.point();
//   });
//
// Axis order: every spatial reference is set to OAMS_TRADITIONAL_GIS_ORDER, so EPSG:4326 is
// lon/lat here whatever the authority says (GDAL 3 otherwise reads it lat/lon).
// A layer without a CRS is refused (InputError, problem code missing_crs) unless assume_crs is
// given (any string GDAL's SetFromUserInput accepts: "EPSG:4326", a WKT, a PROJ string).
#pragma once

#include "core/error.hpp"
#include "core/geometry.hpp"
#include "core/time.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace avf::ingest {

struct VectorSourceOptions {
    std::string layer;      ///< layer name; "" = every layer (the zones importer) or the only one
    std::string assume_crs; ///< CRS for layers that declare none; "" = refuse such layers
};

enum class GeometryKind { none, point, line, polygon, other };

/// A date or time attribute as Feature::time_field reads it.
struct FieldTime {
    std::string text;            ///< the value as the source gives it (for messages)
    std::optional<UtcTime> time; ///< nullopt: present but not a date or time avf can read
    std::string assumed;         ///< what was assumed to read it ("" when the value was unambiguous)
};

/// One feature, valid only inside the for_each_feature callback.
class Feature {
public:
    std::int64_t fid = -1;
    std::string fid_text;    ///< fid as text (std::to_string): what problems and SourceRef name the feature by
    std::uint64_t index = 0; ///< 0-based position in its layer
    std::string layer;

    /// Field value as text; nullopt when the field does not exist or is null/unset.
    std::optional<std::string> field(const std::string& name) const;
    bool has_field(const std::string& name) const;
    /// A date or time attribute; nullopt when the field does not exist or is null or empty.
    /// Typed OGR date fields (OFTDate, OFTDateTime: GeoPackage, FlatGeobuf, GeoJSON…) are read as
    /// such, with their time zone flag: a time whose zone is unknown or local is taken as UTC and
    /// `assumed` says so. Text is read as ISO-8601 (core/time.hpp), or as ogr2ogr writes dates
    /// into CSV and KML — "YYYY/MM/DD", "YYYY/MM/DD hh:mm[:ss[.fff]]" with an optional "+hh",
    /// "+hhmm" or "+hh:mm" — a time without a zone being taken as UTC (said in `assumed`).
    std::optional<FieldTime> time_field(const std::string& name) const;
    GeometryKind geometry_kind() const;
    /// Geometry converted to lon/lat (reprojected). Empty containers when not of that kind.
    MultiPolygon polygons() const;
    MultiLineString lines() const;
    std::optional<GeoPoint> point() const;
    /// A vertex of a point or line geometry with its Z and M (NaN when the geometry has none).
    struct VertexZM {
        GeoPoint position;
        double z = 0.0;
        double m = 0.0;
    };
    /// The vertices of a point or line geometry (every part of a multi-line, in order), in lon/lat
    /// like point() and lines(); empty for other kinds. Curves are linearized.
    std::vector<VertexZM> vertices_zm() const;
    /// The OGR geometry type name ("Polygon", "GeometryCollection"…), for messages.
    std::string geometry_type_name() const;
    /// True when reprojecting this feature's geometry failed (reason in reprojection_error()).
    bool reprojection_failed() const { return !m_reprojection_error.empty(); }
    const std::string& reprojection_error() const { return m_reprojection_error; }

private:
    friend class VectorSource;
    void* m_feature = nullptr;  // OGRFeatureH, owned by the source during the callback
    void* m_geometry = nullptr; // reprojected clone (OGRGeometryH), owned by the source
    std::string m_reprojection_error;
};

class VectorSource {
public:
    /// Opens the dataset; throws IoError when it cannot be opened (with GDAL's reason),
    /// InputError when the named layer does not exist (listing those that do).
    VectorSource(std::string path, VectorSourceOptions options);
    ~VectorSource();
    VectorSource(const VectorSource&) = delete;
    VectorSource& operator=(const VectorSource&) = delete;

    const std::string& path() const { return m_path; }
    const std::string& driver() const { return m_driver; }
    /// Names of the layers this source will read (one when options.layer is set).
    std::vector<std::string> layers() const;
    /// Number of features GDAL reports for a layer (-1 when unknown without a scan).
    std::int64_t feature_count(const std::string& layer) const;
    /// Description of the layer's CRS ("EPSG:32652", or the name), "" when it has none.
    std::string crs_description(const std::string& layer) const;
    /// The layer's declared geometry type as OGR names it without Z/M ("Point", "Multi Polygon",
    /// "Unknown (any)"), "" for a layer this source does not read.
    std::string geometry_type(const std::string& layer) const;

    /// Visits every feature of every selected layer in order. Throws InputError (missing_crs)
    /// when a layer has no CRS and no assume_crs was given, IoError when reading fails
    /// (e.g. a truncated file).
    void for_each_feature(const std::function<void(const Feature&)>& visit);

private:
    struct Impl;
    std::string m_path;
    std::string m_driver;
    VectorSourceOptions m_options;
    std::unique_ptr<Impl> m_impl;
};

/// A layer without a CRS and no --assume-crs: the whole source is refused (problem missing_crs).
class MissingCrsError : public InputError {
public:
    using InputError::InputError;
};

/// Registers GDAL drivers once (thread-safe) and routes GDAL's error messages into avf's
/// exceptions instead of stderr.
void ensure_gdal();

} // namespace avf::ingest
