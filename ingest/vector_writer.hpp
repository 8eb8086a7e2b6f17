// Writing point features through GDAL, for exports analysts open in QGIS (GeoPackage,
// GeoJSON, FlatGeobuf…). Attributes are declared once; each feature gives a value per field.
// The path is where GDAL writes, and it is replaced: the avf command gives it the temporary file
// of a cli::OutputFile (which refuses the store, inputs and existing files, and renames the
// finished file into place), never a user's path directly.
//
//   avf::ingest::PointLayerWriter w("findings.gpkg", "GPKG", "findings",
//       {{"id", FieldType::text}, {"measured", FieldType::real}});
//   w.add({127.0, 38.3}, {std::string("a1b2"), 12.5});
//   w.close();                                   // throws IoError on any failure
#pragma once

#include "core/geometry.hpp"

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
using FieldValue = std::variant<std::string, double, std::int64_t>;

class PointLayerWriter {
public:
    /// Creates `path` (replacing what is there) with one point layer in EPSG:4326 (lon/lat
    /// order). Without close(), the destructor removes the incomplete file.
    PointLayerWriter(const std::string& path, const std::string& driver, const std::string& layer, std::vector<FieldDef> fields);
    ~PointLayerWriter();
    PointLayerWriter(const PointLayerWriter&) = delete;
    PointLayerWriter& operator=(const PointLayerWriter&) = delete;
    void add(const GeoPoint& p, const std::vector<FieldValue>& values);
    void close();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace avf::ingest
