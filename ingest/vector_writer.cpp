#include "ingest/vector_writer.hpp"

#include "core/error.hpp"
#include "ingest/gdal_support.hpp"

#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

namespace avf::ingest {

struct PointLayerWriter::Impl {
    std::string path;
    GDALDatasetH dataset = nullptr;
    OGRLayerH layer = nullptr;
    std::vector<FieldDef> fields;
    bool in_transaction = false;
};

namespace {
[[noreturn]] void fail(const std::string& path, const std::string& what) {
    std::string msg = CPLGetLastErrorMsg();
    throw IoError(what + (msg.empty() ? "" : " (" + msg + ")"), Context{}.file(path));
}
} // namespace

PointLayerWriter::PointLayerWriter(const std::string& path, const std::string& driver_name, const std::string& layer, std::vector<FieldDef> fields)
    : m_impl(std::make_unique<Impl>()) {
    ensure_gdal();
    m_impl->path = path;
    m_impl->fields = std::move(fields);
    GDALDriverH driver = GDALGetDriverByName(driver_name.c_str());
    if (!driver) throw UsageError("GDAL has no driver '" + driver_name + "'");
    VSIUnlink(path.c_str()); // overwrite: GDAL's Create refuses to replace some formats
    m_impl->dataset = GDALCreate(driver, path.c_str(), 0, 0, 0, GDT_Unknown, nullptr);
    if (!m_impl->dataset) fail(path, "cannot create " + driver_name + " file");
    OGRSpatialReferenceH srs = OSRNewSpatialReference(nullptr);
    OSRImportFromEPSG(srs, 4326);
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    char** options = nullptr;
    if (driver_name == "GeoJSON") options = CSLSetNameValue(options, "RFC7946", "YES");
    m_impl->layer = GDALDatasetCreateLayer(m_impl->dataset, layer.c_str(), srs, wkbPoint, options);
    CSLDestroy(options);
    OSRRelease(srs);
    if (!m_impl->layer) fail(path, "cannot create layer '" + layer + "'");
    for (const auto& f : m_impl->fields) {
        OGRFieldType t = f.type == FieldType::text ? OFTString : f.type == FieldType::real ? OFTReal : OFTInteger64;
        OGRFieldDefnH defn = OGR_Fld_Create(f.name.c_str(), t);
        OGRErr err = OGR_L_CreateField(m_impl->layer, defn, TRUE);
        OGR_Fld_Destroy(defn);
        if (err != OGRERR_NONE) fail(path, "cannot create field '" + f.name + "'");
    }
    m_impl->in_transaction = GDALDatasetStartTransaction(m_impl->dataset, FALSE) == OGRERR_NONE;
}

PointLayerWriter::~PointLayerWriter() {
    if (m_impl && m_impl->dataset) {
        GDALClose(m_impl->dataset); // not committed: an incomplete export is removed
        VSIUnlink(m_impl->path.c_str());
    }
}

void PointLayerWriter::add(const GeoPoint& p, const std::vector<FieldValue>& values) {
    OGRFeatureH feature = OGR_F_Create(OGR_L_GetLayerDefn(m_impl->layer));
    for (std::size_t i = 0; i < values.size() && i < m_impl->fields.size(); ++i) {
        int idx = static_cast<int>(i);
        if (auto s = std::get_if<std::string>(&values[i]))
            OGR_F_SetFieldString(feature, idx, s->c_str());
        else if (auto d = std::get_if<double>(&values[i]))
            OGR_F_SetFieldDouble(feature, idx, *d);
        else
            OGR_F_SetFieldInteger64(feature, idx, std::get<std::int64_t>(values[i]));
    }
    OGRGeometryH point = OGR_G_CreateGeometry(wkbPoint);
    OGR_G_SetPoint_2D(point, 0, p.x(), p.y());
    OGR_F_SetGeometryDirectly(feature, point);
    OGRErr err = OGR_L_CreateFeature(m_impl->layer, feature);
    OGR_F_Destroy(feature);
    if (err != OGRERR_NONE) fail(m_impl->path, "cannot write a feature");
}

void PointLayerWriter::close() {
    if (m_impl->in_transaction && GDALDatasetCommitTransaction(m_impl->dataset) != OGRERR_NONE) fail(m_impl->path, "cannot commit");
    CPLErrorReset();
    GDALClose(m_impl->dataset);
    m_impl->dataset = nullptr;
    if (CPLGetLastErrorType() >= CE_Failure) fail(m_impl->path, "writing failed on close");
}

} // namespace avf::ingest
