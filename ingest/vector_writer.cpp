#include "ingest/vector_writer.hpp"

#include "core/error.hpp"
#include "ingest/gdal_support.hpp"

#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>

namespace avf::ingest {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
    const int error = errno; // GDAL's CSV and GeoJSON writers report a failed write() by its count only
    std::string msg = CPLGetLastErrorMsg();
    if (msg.empty() && error != 0) msg = std::strerror(error);
    if (msg.size() > 200) msg = "…" + msg.substr(msg.size() - 120); // SQLite quotes its whole statement; the reason is at the end
    throw IoError(what + (msg.empty() ? "" : " (" + msg + ")"), Context{}.file(path));
}

OGRwkbGeometryType ogr_type(LayerGeometry g) {
    switch (g) {
    case LayerGeometry::point: return wkbPoint;
    case LayerGeometry::multi_line: return wkbMultiLineString;
    case LayerGeometry::multi_polygon: return wkbMultiPolygon;
    case LayerGeometry::any: return wkbUnknown;
    }
    return wkbUnknown;
}

template <typename Points> OGRGeometryH ogr_points(OGRwkbGeometryType type, const Points& points) {
    OGRGeometryH g = OGR_G_CreateGeometry(type);
    OGR_G_SetPointCount(g, static_cast<int>(points.size()));
    for (std::size_t i = 0; i < points.size(); ++i) OGR_G_SetPoint_2D(g, static_cast<int>(i), points[i].x(), points[i].y());
    return g;
}

OGRGeometryH ogr_multi_line(const MultiLineString& lines) {
    OGRGeometryH g = OGR_G_CreateGeometry(wkbMultiLineString);
    for (const LineString& l : lines) OGR_G_AddGeometryDirectly(g, ogr_points(wkbLineString, l));
    return g;
}

OGRGeometryH ogr_multi_polygon(const MultiPolygon& polygons) {
    OGRGeometryH g = OGR_G_CreateGeometry(wkbMultiPolygon);
    for (const Polygon& p : polygons) {
        OGRGeometryH poly = OGR_G_CreateGeometry(wkbPolygon);
        OGR_G_AddGeometryDirectly(poly, ogr_points(wkbLinearRing, p.outer()));
        for (const Ring& inner : p.inners()) OGR_G_AddGeometryDirectly(poly, ogr_points(wkbLinearRing, inner));
        OGR_G_AddGeometryDirectly(g, poly);
    }
    return g;
}

/// The OGR geometry of a feature; nullptr for none (monostate, empty).
OGRGeometryH ogr_geometry(const FeatureGeometry& geometry) {
    if (const auto* p = std::get_if<GeoPoint>(&geometry)) {
        OGRGeometryH g = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(g, 0, p->x(), p->y());
        return g;
    }
    if (const auto* l = std::get_if<LineString>(&geometry)) return l->empty() ? nullptr : ogr_multi_line(MultiLineString{*l});
    if (const auto* ml = std::get_if<MultiLineString>(&geometry)) return ml->empty() ? nullptr : ogr_multi_line(*ml);
    if (const auto* mp = std::get_if<MultiPolygon>(&geometry)) return mp->empty() ? nullptr : ogr_multi_polygon(*mp);
    return nullptr;
}

} // namespace

bool driver_has_layers(const std::string& driver) {
    return driver != "GeoJSON" && driver != "CSV";
}

struct VectorWriter::Impl {
    struct Layer {
        OGRLayerH handle = nullptr;
        std::vector<FieldDef> fields;
        std::string name;
        GIntBig written = 0;
    };
    std::string path, driver;
    std::string shown; // the path errors name
    GDALDatasetH dataset = nullptr;
    std::vector<Layer> layers;
    bool transaction_tried = false, in_transaction = false;
};

VectorWriter::VectorWriter(const std::string& path, const std::string& driver_name, const std::string& name_in_messages)
    : m_impl(std::make_unique<Impl>()) {
    ensure_gdal();
    m_impl->path = path;
    m_impl->shown = name_in_messages.empty() ? path : name_in_messages;
    m_impl->driver = driver_name;
    GDALDriverH driver = GDALGetDriverByName(driver_name.c_str());
    if (!driver) throw UsageError("GDAL has no driver '" + driver_name + "'");
    VSIUnlink(path.c_str()); // overwrite: GDAL's Create refuses to replace some formats
    CPLErrorReset();
    m_impl->dataset = GDALCreate(driver, path.c_str(), 0, 0, 0, GDT_Unknown, nullptr);
    if (!m_impl->dataset) fail(m_impl->shown, "cannot create " + driver_name + " file");
}

VectorWriter::~VectorWriter() {
    if (m_impl && m_impl->dataset) {
        GDALClose(m_impl->dataset); // not committed: an incomplete export is removed
        VSIUnlink(m_impl->path.c_str());
    }
}

std::size_t VectorWriter::add_layer(const std::string& name, LayerGeometry geometry, std::vector<FieldDef> fields) {
    Impl& m = *m_impl;
    if (!m.layers.empty() && !driver_has_layers(m.driver))
        throw UsageError(m.driver + " files hold one layer: cannot add layer '" + name + "'", Context{}.file(m.shown));
    OGRSpatialReferenceH srs = OSRNewSpatialReference(nullptr);
    OSRImportFromEPSG(srs, 4326);
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    char** options = nullptr;
    if (m.driver == "GeoJSON") options = CSLSetNameValue(options, "RFC7946", "YES");
    if (m.driver == "CSV") options = CSLSetNameValue(options, "GEOMETRY", geometry == LayerGeometry::point ? "AS_XY" : "AS_WKT");
    CPLErrorReset();
    OGRLayerH layer = GDALDatasetCreateLayer(m.dataset, name.c_str(), srs, ogr_type(geometry), options);
    CSLDestroy(options);
    OSRRelease(srs);
    if (!layer) fail(m.shown, "cannot create layer '" + name + "'");
    for (const auto& f : fields) {
        OGRFieldType t = f.type == FieldType::text ? OFTString : f.type == FieldType::real ? OFTReal : OFTInteger64;
        OGRFieldDefnH defn = OGR_Fld_Create(f.name.c_str(), t);
        OGRErr err = OGR_L_CreateField(layer, defn, TRUE);
        OGR_Fld_Destroy(defn);
        if (err != OGRERR_NONE) fail(m.shown, "cannot create field '" + f.name + "' in layer '" + name + "'");
    }
    m.layers.push_back({layer, std::move(fields), name, 0});
    return m.layers.size() - 1;
}

void VectorWriter::add(std::size_t layer_index, const FeatureGeometry& geometry, const std::vector<FieldValue>& values) {
    Impl& m = *m_impl;
    if (layer_index >= m.layers.size()) throw InternalError("VectorWriter::add: no layer " + std::to_string(layer_index));
    if (!m.transaction_tried) { // one transaction for every feature (GeoPackage: one commit, not one per row)
        m.transaction_tried = true;
        m.in_transaction = GDALDatasetTestCapability(m.dataset, ODsCTransactions) && GDALDatasetStartTransaction(m.dataset, FALSE) == OGRERR_NONE;
    }
    Impl::Layer& l = m.layers[layer_index];
    OGRFeatureH feature = OGR_F_Create(OGR_L_GetLayerDefn(l.handle));
    for (std::size_t i = 0; i < values.size() && i < l.fields.size(); ++i) {
        int idx = static_cast<int>(i);
        if (auto s = std::get_if<std::string>(&values[i]))
            OGR_F_SetFieldString(feature, idx, s->c_str());
        else if (auto d = std::get_if<double>(&values[i]); d && std::isfinite(*d))
            OGR_F_SetFieldDouble(feature, idx, *d);
        else if (auto n = std::get_if<std::int64_t>(&values[i]))
            OGR_F_SetFieldInteger64(feature, idx, *n);
        else
            OGR_F_SetFieldNull(feature, idx); // monostate, NaN, ±inf: unknown
    }
    if (OGRGeometryH g = ogr_geometry(geometry)) OGR_F_SetGeometryDirectly(feature, g);
    CPLErrorReset();
    errno = 0;
    OGRErr err = OGR_L_CreateFeature(l.handle, feature);
    OGR_F_Destroy(feature);
    if (err != OGRERR_NONE || CPLGetLastErrorType() >= CE_Failure) fail(m.shown, "cannot write a feature of layer '" + l.name + "'");
    ++l.written;
}

void VectorWriter::close() {
    Impl& m = *m_impl;
    CPLErrorReset();
    errno = 0;
    if (m.in_transaction && GDALDatasetCommitTransaction(m.dataset) != OGRERR_NONE) fail(m.shown, "cannot commit");
    for (auto& l : m.layers)
        if (OGR_L_SyncToDisk(l.handle) != OGRERR_NONE) fail(m.shown, "cannot write layer '" + l.name + "'");
    if (CPLGetLastErrorType() >= CE_Failure) fail(m.shown, "writing failed");
    GDALClose(m.dataset);
    m.dataset = nullptr;
    if (CPLGetLastErrorType() >= CE_Failure) {
        VSIUnlink(m.path.c_str());
        fail(m.shown, "writing failed on close");
    }
    // Read the file back: some drivers (GeoJSON, CSV) report no error for a short write, so a
    // file is good only when it holds every feature written, in every layer.
    GDALDatasetH check = GDALOpenEx(m.path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr);
    std::string bad;
    if (!check) bad = "the written file cannot be read back";
    for (const auto& l : m.layers) {
        if (!bad.empty()) break;
        OGRLayerH read = driver_has_layers(m.driver) ? GDALDatasetGetLayerByName(check, l.name.c_str()) : GDALDatasetGetLayer(check, 0);
        const GIntBig n = read ? OGR_L_GetFeatureCount(read, TRUE) : -1;
        if (n != l.written)
            bad = "the written file holds " + std::to_string(n) + " features in layer '" + l.name + "', not " + std::to_string(l.written);
    }
    if (check) GDALClose(check);
    if (!bad.empty()) {
        VSIUnlink(m.path.c_str());
        fail(m.shown, "writing failed: " + bad);
    }
}

PointLayerWriter::PointLayerWriter(const std::string& path, const std::string& driver, const std::string& layer, std::vector<FieldDef> fields)
    : m_writer(path, driver), m_layer(m_writer.add_layer(layer, LayerGeometry::point, std::move(fields))) {}

} // namespace avf::ingest
