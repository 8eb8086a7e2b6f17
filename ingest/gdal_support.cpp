#include "ingest/gdal_support.hpp"

#include "core/error.hpp"

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_feature.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>
#include <ogr_srs_api.h>
#include <cpl_error.h>

#include <fmt/format.h>

#include <mutex>

namespace avf::ingest {
namespace {

thread_local std::string t_last_gdal_error;

void CPL_STDCALL capture_gdal_error(CPLErr level, CPLErrorNum, const char* msg) {
    // Failures become exceptions with context at the call site; warnings (e.g. "Non closed ring
    // detected") are not printed: avf's own validation reports those defects as problems.
    if (level >= CE_Failure) t_last_gdal_error = msg ? msg : "";
}

std::string take_gdal_error() {
    std::string s = t_last_gdal_error;
    t_last_gdal_error.clear();
    if (s.empty()) s = CPLGetLastErrorMsg();
    return s.empty() ? "unknown GDAL error" : s;
}

struct DatasetCloser {
    void operator()(GDALDatasetH h) const { GDALClose(h); }
};
struct SrsReleaser {
    void operator()(OGRSpatialReferenceH h) const { OSRRelease(h); }
};
struct TransformDestroyer {
    void operator()(OGRCoordinateTransformationH h) const { OCTDestroyCoordinateTransformation(h); }
};
using DatasetPtr = std::unique_ptr<std::remove_pointer_t<GDALDatasetH>, DatasetCloser>;
using SrsPtr = std::unique_ptr<std::remove_pointer_t<OGRSpatialReferenceH>, SrsReleaser>;
using TransformPtr = std::unique_ptr<std::remove_pointer_t<OGRCoordinateTransformationH>, TransformDestroyer>;

GeoPoint to_point(const OGRPoint& p) { return GeoPoint{p.getX(), p.getY()}; }

template <typename Out>
void append_curve(const OGRSimpleCurve& c, Out& out) {
    for (int i = 0; i < c.getNumPoints(); ++i) out.push_back(GeoPoint{c.getX(i), c.getY(i)});
}

void append_polygon(const OGRPolygon& poly, MultiPolygon& out) {
    Polygon p;
    if (const OGRLinearRing* ext = poly.getExteriorRing()) append_curve(*ext, p.outer());
    for (int i = 0; i < poly.getNumInteriorRings(); ++i) {
        Ring r;
        append_curve(*poly.getInteriorRing(i), r);
        p.inners().push_back(std::move(r));
    }
    out.push_back(std::move(p));
}

} // namespace

void ensure_gdal() {
    static std::once_flag once;
    std::call_once(once, [] {
        GDALAllRegister();
        CPLSetErrorHandler(capture_gdal_error);
    });
}

// ---------------------------------------------------------------------------------------------
// Feature

std::optional<std::string> Feature::field(const std::string& name) const {
    auto f = static_cast<OGRFeatureH>(m_feature);
    int i = OGR_F_GetFieldIndex(f, name.c_str());
    if (i < 0 || !OGR_F_IsFieldSetAndNotNull(f, i)) return std::nullopt;
    OGRFieldType type = OGR_Fld_GetType(OGR_F_GetFieldDefnRef(f, i));
    if (type == OFTDate || type == OFTDateTime) {
        // GDAL parses ISO dates in GeoJSON/GPKG into typed fields; give them back as ISO-8601.
        int y = 0, mo = 0, d = 0, h = 0, mi = 0, tz = 0;
        float s = 0;
        OGR_F_GetFieldAsDateTimeEx(f, i, &y, &mo, &d, &h, &mi, &s, &tz);
        if (type == OFTDate) return fmt::format("{:04d}-{:02d}-{:02d}", y, mo, d);
        std::string text = fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:06.3f}", y, mo, d, h, mi, s);
        if (tz == 100) {
            text += "Z";
        } else if (tz > 1) {
            int offset = (tz - 100) * 15; // minutes
            text += fmt::format("{}{:02d}:{:02d}", offset < 0 ? '-' : '+', std::abs(offset) / 60, std::abs(offset) % 60);
        } // tz 0 (unknown) or 1 (local time): no designator, so the time parser refuses it
        return text;
    }
    return std::string(OGR_F_GetFieldAsString(f, i));
}

bool Feature::has_field(const std::string& name) const {
    return OGR_F_GetFieldIndex(static_cast<OGRFeatureH>(m_feature), name.c_str()) >= 0;
}

GeometryKind Feature::geometry_kind() const {
    auto g = static_cast<OGRGeometry*>(m_geometry);
    if (!g) return GeometryKind::none;
    switch (wkbFlatten(g->getGeometryType())) {
    case wkbPoint: return GeometryKind::point;
    case wkbLineString:
    case wkbMultiLineString:
    case wkbCircularString:
    case wkbCompoundCurve:
    case wkbMultiCurve: return GeometryKind::line;
    case wkbPolygon:
    case wkbMultiPolygon:
    case wkbCurvePolygon:
    case wkbMultiSurface: return GeometryKind::polygon;
    case wkbMultiPoint: return g->toMultiPoint()->getNumGeometries() == 1 ? GeometryKind::point : GeometryKind::other;
    default: return GeometryKind::other;
    }
}

std::string Feature::geometry_type_name() const {
    auto g = static_cast<OGRGeometry*>(m_geometry);
    return g ? OGRGeometryTypeToName(g->getGeometryType()) : "none";
}

MultiPolygon Feature::polygons() const {
    MultiPolygon out;
    auto g = static_cast<OGRGeometry*>(m_geometry);
    if (!g || geometry_kind() != GeometryKind::polygon) return out;
    std::unique_ptr<OGRGeometry> linear;
    if (g->hasCurveGeometry()) {
        linear.reset(g->getLinearGeometry());
        g = linear.get();
    }
    switch (wkbFlatten(g->getGeometryType())) {
    case wkbPolygon: append_polygon(*g->toPolygon(), out); break;
    case wkbMultiPolygon:
        for (const auto* p : *g->toMultiPolygon()) append_polygon(*p, out);
        break;
    default: break;
    }
    return out;
}

MultiLineString Feature::lines() const {
    MultiLineString out;
    auto g = static_cast<OGRGeometry*>(m_geometry);
    if (!g || geometry_kind() != GeometryKind::line) return out;
    std::unique_ptr<OGRGeometry> linear;
    if (g->hasCurveGeometry()) {
        linear.reset(g->getLinearGeometry());
        g = linear.get();
    }
    switch (wkbFlatten(g->getGeometryType())) {
    case wkbLineString: {
        LineString l;
        append_curve(*g->toLineString(), l);
        out.push_back(std::move(l));
        break;
    }
    case wkbMultiLineString:
        for (const auto* part : *g->toMultiLineString()) {
            LineString l;
            append_curve(*part, l);
            out.push_back(std::move(l));
        }
        break;
    default: break;
    }
    return out;
}

std::optional<GeoPoint> Feature::point() const {
    auto g = static_cast<OGRGeometry*>(m_geometry);
    if (!g || geometry_kind() != GeometryKind::point) return std::nullopt;
    if (wkbFlatten(g->getGeometryType()) == wkbMultiPoint) return to_point(*g->toMultiPoint()->getGeometryRef(0));
    const OGRPoint* p = g->toPoint();
    if (p->IsEmpty()) return std::nullopt;
    return to_point(*p);
}

// ---------------------------------------------------------------------------------------------
// VectorSource

struct VectorSource::Impl {
    DatasetPtr dataset;
    std::vector<OGRLayerH> layers;
};

VectorSource::VectorSource(std::string path, VectorSourceOptions options)
    : m_path(std::move(path)), m_options(std::move(options)), m_impl(std::make_unique<Impl>()) {
    ensure_gdal();
    t_last_gdal_error.clear();
    m_impl->dataset.reset(GDALOpenEx(m_path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
    if (!m_impl->dataset) {
        throw IoError("unreadable: cannot open as a vector data source (" + take_gdal_error() + ")", Context{}.file(m_path));
    }
    m_driver = GDALGetDriverShortName(GDALGetDatasetDriver(m_impl->dataset.get()));
    int n = GDALDatasetGetLayerCount(m_impl->dataset.get());
    std::vector<std::string> names;
    for (int i = 0; i < n; ++i) {
        OGRLayerH l = GDALDatasetGetLayer(m_impl->dataset.get(), i);
        names.emplace_back(OGR_L_GetName(l));
        if (m_options.layer.empty() || m_options.layer == names.back()) m_impl->layers.push_back(l);
    }
    if (!m_options.layer.empty() && m_impl->layers.empty()) {
        std::string list;
        for (const auto& s : names) list += (list.empty() ? "" : ", ") + s;
        throw InputError("no layer named '" + m_options.layer + "'", Context{}.file(m_path).expected("one of: " + list));
    }
}

VectorSource::~VectorSource() = default;

std::vector<std::string> VectorSource::layers() const {
    std::vector<std::string> out;
    for (auto l : m_impl->layers) out.emplace_back(OGR_L_GetName(l));
    return out;
}

std::int64_t VectorSource::feature_count(const std::string& layer) const {
    for (auto l : m_impl->layers)
        if (layer == OGR_L_GetName(l)) return OGR_L_GetFeatureCount(l, /*bForce=*/FALSE);
    return -1;
}

std::string VectorSource::crs_description(const std::string& layer) const {
    for (auto l : m_impl->layers) {
        if (layer != OGR_L_GetName(l)) continue;
        OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(l);
        if (!srs) return "";
        const char* auth = OSRGetAuthorityName(srs, nullptr);
        const char* code = OSRGetAuthorityCode(srs, nullptr);
        if (auth && code) return std::string(auth) + ":" + code;
        const char* name = OSRGetName(srs);
        return name ? name : "unnamed CRS";
    }
    return "";
}

void VectorSource::for_each_feature(const std::function<void(const Feature&)>& visit) {
    SrsPtr target(OSRNewSpatialReference(nullptr));
    OSRImportFromEPSG(target.get(), 4326);
    OSRSetAxisMappingStrategy(target.get(), OAMS_TRADITIONAL_GIS_ORDER);

    for (OGRLayerH layer : m_impl->layers) {
        std::string layer_name = OGR_L_GetName(layer);
        Context where = Context{}.file(m_path).layer(layer_name);

        SrsPtr source;
        if (OGRSpatialReferenceH s = OGR_L_GetSpatialRef(layer)) {
            source.reset(OSRClone(s));
        } else if (OGR_L_GetGeomType(layer) != wkbNone) {
            if (m_options.assume_crs.empty())
                throw MissingCrsError("layer has no coordinate reference system; give --assume-crs EPSG:xxxx if you know it", where);
            source.reset(OSRNewSpatialReference(nullptr));
            if (OSRSetFromUserInput(source.get(), m_options.assume_crs.c_str()) != OGRERR_NONE)
                throw UsageError("--assume-crs '" + m_options.assume_crs + "' is not a CRS GDAL understands", where);
        }
        TransformPtr transform;
        if (source) {
            OSRSetAxisMappingStrategy(source.get(), OAMS_TRADITIONAL_GIS_ORDER);
            if (!OSRIsSame(source.get(), target.get())) {
                transform.reset(OCTNewCoordinateTransformation(source.get(), target.get()));
                if (!transform) throw InputError("cannot transform from the layer's CRS to EPSG:4326 (" + take_gdal_error() + ")", where);
            }
        }

        OGR_L_ResetReading(layer);
        std::uint64_t index = 0;
        t_last_gdal_error.clear();
        while (true) {
            OGRFeatureH raw = OGR_L_GetNextFeature(layer);
            if (!raw) {
                if (!t_last_gdal_error.empty()) throw IoError("unreadable: reading failed after " + std::to_string(index) + " features (" + take_gdal_error() + ")", where);
                break;
            }
            std::unique_ptr<std::remove_pointer_t<OGRFeatureH>, decltype(&OGR_F_Destroy)> owned(raw, &OGR_F_Destroy);
            Feature f;
            f.fid = OGR_F_GetFID(raw);
            f.index = index++;
            f.layer = layer_name;
            f.m_feature = raw;
            std::unique_ptr<OGRGeometry> geometry;
            if (OGRGeometry* g = OGRGeometry::FromHandle(OGR_F_GetGeometryRef(raw))) {
                geometry.reset(g->clone());
                if (transform && OGR_G_Transform(OGRGeometry::ToHandle(geometry.get()), transform.get()) != OGRERR_NONE) {
                    f.m_reprojection_error = take_gdal_error();
                    geometry.reset();
                }
            }
            f.m_geometry = geometry.get();
            visit(f);
        }
    }
}

} // namespace avf::ingest
