// Writing features through GDAL, for exports analysts open in QGIS (GeoPackage, GeoJSON, CSV
// with a WKT geometry column, FlatGeobuf…). A file holds one or more layers; each layer declares
// its geometry kind and its attributes once, and each feature gives a geometry and a value per
// field. The path is where GDAL writes, and it is replaced: the avf command gives it the
// temporary file of a cli::OutputFile (which refuses the store, inputs and existing files, and
// renames the finished file into place), never a user's path directly.
//
//   avf::ingest::VectorWriter w(temp_path, "GPKG");   // a GDAL driver name (cli picks it from -f or the extension)
//   auto zones = w.add_layer("zones", avf::ingest::LayerGeometry::multi_polygon,
//       {{"id", FieldType::text}, {"area_km2", FieldType::real}});
//   w.add(zones, zone.geometry, {zone.id.str(), 12.5});
//   w.close();                                   // throws IoError on any failure
//
//   avf::ingest::PointLayerWriter p("findings.gpkg", "GPKG", "findings", fields); // one point layer
//
// Coordinates are EPSG:4326 lon/lat. A double that is not finite, and std::monostate, are
// written as null. GeoJSON is written as RFC 7946 (7 decimals: about 1 cm), CSV with its
// geometry as a WKT column named WKT (GEOMETRY=AS_WKT). GeoJSON and CSV hold one layer per file.
// Every GDAL error — a full disk, a failed write, commit or close — is an IoError naming the
// path; without close(), the destructor removes the incomplete file.
#pragma once

#include "core/geometry.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace avf::ingest {

enum class FieldType { text, real, integer };
struct FieldDef {
    std::string name;
    FieldType type;
};
/// A value of a field; std::monostate (and a non-finite double) is null.
using FieldValue = std::variant<std::string, double, std::int64_t, std::monostate>;

/// The geometry a layer declares. `any`: features of several kinds in one layer (GeoJSON and CSV,
/// which hold one layer per file).
enum class LayerGeometry { point, multi_line, multi_polygon, any };

/// A feature's geometry; std::monostate (or an empty container) is a feature without one.
using FeatureGeometry = std::variant<std::monostate, GeoPoint, LineString, MultiLineString, MultiPolygon>;

/// True when `driver` keeps several layers in one file (GPKG); GeoJSON and CSV keep one.
bool driver_has_layers(const std::string& driver);

class VectorWriter {
public:
    /// Creates `path` (replacing what is there) with `driver` (a GDAL driver name, exact).
    /// Errors name `name_in_messages` when given (the user's output, not its temporary file).
    VectorWriter(const std::string& path, const std::string& driver, const std::string& name_in_messages = "");
    ~VectorWriter();
    VectorWriter(const VectorWriter&) = delete;
    VectorWriter& operator=(const VectorWriter&) = delete;

    /// Adds a layer in EPSG:4326 (lon/lat order) and returns its handle for add(). UsageError
    /// for a second layer in a driver without layers (driver_has_layers).
    std::size_t add_layer(const std::string& name, LayerGeometry geometry, std::vector<FieldDef> fields);
    /// One feature in layer `layer`; `values` in the order of the layer's fields.
    void add(std::size_t layer, const FeatureGeometry& geometry, const std::vector<FieldValue>& values);
    /// Commits and closes; IoError when anything failed (the file is then removed).
    void close();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// One point layer: the findings export's writer (VectorWriter with one layer).
class PointLayerWriter {
public:
    /// Creates `path` (replacing what is there) with one point layer in EPSG:4326 (lon/lat
    /// order). Without close(), the destructor removes the incomplete file.
    PointLayerWriter(const std::string& path, const std::string& driver, const std::string& layer, std::vector<FieldDef> fields);
    void add(const GeoPoint& p, const std::vector<FieldValue>& values) { m_writer.add(m_layer, p, values); }
    void close() { m_writer.close(); }

private:
    VectorWriter m_writer;
    std::size_t m_layer;
};

} // namespace avf::ingest
