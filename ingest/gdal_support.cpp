#include "ingest/gdal_support.hpp"

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "ingest/fields.hpp"

#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <fmt/format.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_feature.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>
#include <ogr_srs_api.h>

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <filesystem>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <sys/stat.h>

namespace avf::ingest {
namespace {

thread_local std::string t_last_gdal_error;

// ---------------------------------------------------------------------------------------------
// The checked file system. GDAL 3.6's own file access (fread underneath VSIFReadL) takes a read
// error for the end of the file, and many drivers then carry on with what they have: measured
// with libfiu failing one fread, the CSV driver split a feature in two, KML and GeoJSON returned
// fewer features, all with exit status 0 and no error reported. So every local file GDAL reads
// goes through this VSI plugin under the prefix /vsiavf/, which reads with core's CheckedFile (a
// read error is an IoError, a short read is continued) and keeps the first read error of the
// thread; VectorSource raises it as soon as GDAL returns, before any feature read after it is
// used. GDAL reads a dataset on the thread that calls it, so a thread-local record suffices.

constexpr std::string_view k_checked_prefix = "/vsiavf/";

struct ReadFailure {
    std::string file;    // the real path that failed
    std::string message; // what CheckedFile said: "read failed at byte 65536 (Input/output error)"
};
thread_local std::optional<ReadFailure> t_read_failure;

void record_read_failure(std::string file, std::string message) {
    if (!t_read_failure) t_read_failure = ReadFailure{std::move(file), std::move(message)};
}

// The real path behind a name GDAL passes to the plugin: with or without the prefix (GDAL strips
// it before calling back), always absolute.
std::string real_path(const char* name) {
    std::string_view n(name ? name : "");
    if (n.substr(0, k_checked_prefix.size()) == k_checked_prefix) n.remove_prefix(k_checked_prefix.size());
    while (!n.empty() && n.front() == '/') n.remove_prefix(1);
    return "/" + std::string(n);
}

struct CheckedHandle {
    CheckedFile file;
    std::uint64_t position = 0;
    bool eof = false;
};

int checked_stat(void*, const char* name, VSIStatBufL* buf, int) {
    return ::stat64(real_path(name).c_str(), buf) == 0 ? 0 : -1;
}

char** checked_read_dir(void*, const char* name, int max_files) {
    const std::string dir = real_path(name);
    DIR* d = ::opendir(dir.c_str());
    if (!d) return nullptr;
    CPLStringList list;
    while (true) {
        errno = 0;
        const dirent* e = ::readdir(d);
        if (!e) {
            if (errno != 0) record_read_failure(dir, "cannot list the directory (" + errno_text(errno) + ")");
            break;
        }
        if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
        list.AddString(e->d_name);
        if (max_files > 0 && list.size() >= max_files) break;
    }
    ::closedir(d);
    return list.StealList();
}

void* checked_open(void*, const char* name, const char* access) {
    if (std::strpbrk(access, "wa+")) { // avf only reads its inputs
        errno = EACCES;
        return nullptr;
    }
    const std::string path = real_path(name);
    struct stat64 st {};
    if (::stat64(path.c_str(), &st) != 0) return nullptr; // GDAL probes for files that do not exist (errno is set)
    try {
        return new CheckedHandle{CheckedFile(path)};
    } catch (const IoError& e) {
        // The file exists but cannot be opened (permissions, EIO): a driver might go on without it
        // (a Shapefile without its .dbf), so it counts as a failed read.
        if (!S_ISDIR(st.st_mode)) record_read_failure(path, e.text());
        errno = EIO;
        return nullptr;
    }
}

vsi_l_offset checked_tell(void* h) {
    return static_cast<CheckedHandle*>(h)->position;
}

int checked_seek(void* h, vsi_l_offset offset, int whence) {
    auto* f = static_cast<CheckedHandle*>(h);
    switch (whence) {
    case SEEK_SET: f->position = offset; break;
    case SEEK_CUR: f->position += offset; break;
    case SEEK_END: {
        struct stat64 st {};
        if (::fstat64(f->file.descriptor(), &st) != 0) return -1;
        f->position = static_cast<std::uint64_t>(st.st_size) + offset;
        break;
    }
    default: return -1;
    }
    f->eof = false;
    return 0;
}

size_t checked_read(void* h, void* buffer, size_t size, size_t count) {
    auto* f = static_cast<CheckedHandle*>(h);
    if (size == 0 || count == 0) return 0;
    const std::size_t wanted = size * count;
    std::size_t got = 0;
    try {
        got = f->file.read_at(f->position, buffer, wanted); // short only at the end of the file
    } catch (const IoError& e) {
        record_read_failure(f->file.path(), e.text());
        f->eof = true;
        return 0;
    }
    f->position += got;
    if (got < wanted) f->eof = true;
    return got / size;
}

int checked_eof(void* h) {
    return static_cast<CheckedHandle*>(h)->eof ? 1 : 0;
}

int checked_close(void* h) {
    delete static_cast<CheckedHandle*>(h);
    return 0;
}

void install_checked_file_system() {
    // Installed once per process and never freed, whether or not GDAL copies it (kept reachable,
    // for LeakSanitizer).
    static VSIFilesystemPluginCallbacksStruct* const cb = VSIAllocFilesystemPluginCallbacksStruct();
    cb->stat = checked_stat;
    cb->read_dir = checked_read_dir;
    cb->open = checked_open;
    cb->tell = checked_tell;
    cb->seek = checked_seek;
    cb->read = checked_read;
    cb->eof = checked_eof;
    cb->close = checked_close;
    // Small reads (a Shapefile's records, the CSV driver's lines) are served from 64 KiB chunks
    // kept by GDAL (up to 4 MiB per file), not one pread each.
    cb->nBufferSize = std::size_t{64} << 10;
    cb->nCacheSize = std::size_t{4} << 20;
    // GDAL 3.6 keeps the prefix pointer: a literal lives long enough.
    if (VSIInstallPluginHandler(k_checked_prefix.data(), cb) != 0)
        throw InternalError("GDAL refused to install avf's checked file system " + std::string(k_checked_prefix));
}

// What GDAL is given for a source: a local file or directory through the checked file system;
// anything else (GDAL's /vsi… paths, connection strings) as it is.
std::string checked_name(const std::string& path) {
    if (path.rfind("/vsi", 0) == 0) return path;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return path;
    const std::filesystem::path absolute = std::filesystem::absolute(path, ec);
    if (ec) return path;
    return std::string(k_checked_prefix) + absolute.lexically_normal().string().substr(1);
}

// Raises the thread's first read failure (if any) as an IoError naming the file: `source` when
// it is the source's own file, else the file that failed (a Shapefile's .dbf, …).
void throw_read_failure(const std::string& source, const std::string& real_source) {
    if (!t_read_failure) return;
    ReadFailure f = std::move(*t_read_failure);
    t_read_failure.reset();
    throw IoError(f.message, Context{}.file(f.file == real_source ? source : f.file));
}

void CPL_STDCALL capture_gdal_error(CPLErr level, CPLErrorNum, const char* msg) {
    // Failures become exceptions with context at the call site; warnings (e.g. "Non closed ring
    // detected") are not printed: avf's own validation reports those defects as problems.
    if (level >= CE_Failure) t_last_gdal_error = msg ? msg : "";
}

std::string take_gdal_error() {
    std::string s = t_last_gdal_error;
    t_last_gdal_error.clear();
    if (s.empty()) s = CPLGetLastErrorMsg();
    // GDAL names files by the name it was given: the checked file system's, not the user's.
    for (std::size_t at = s.find(k_checked_prefix); at != std::string::npos; at = s.find(k_checked_prefix, at + 1))
        s.replace(at, k_checked_prefix.size(), "/");
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

GeoPoint to_point(const OGRPoint& p) {
    return GeoPoint{p.getX(), p.getY()};
}

template <typename Out> void append_curve(const OGRSimpleCurve& c, Out& out) {
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
        install_checked_file_system();
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

namespace {

// What ogr2ogr and spreadsheets write for a date or time, made ISO-8601: "1953/07/27" →
// "1953-07-27", a space before the time → 'T', a zone "+02" or "+0200" → "+02:00", and no zone
// after a time → 'Z' (and `assumed` says so). Anything else is left as it is, for parse_utc to refuse.
std::string iso_from_lenient(std::string t, std::string& assumed) {
    const auto digits = [&t](std::size_t from, std::size_t n) {
        if (from + n > t.size()) return false;
        for (std::size_t i = from; i < from + n; ++i)
            if (t[i] < '0' || t[i] > '9') return false;
        return true;
    };
    if (t.size() < 10 || !digits(0, 4) || !digits(5, 2) || !digits(8, 2)) return t;
    if (t[4] == '/' && t[7] == '/') t[4] = t[7] = '-';
    if (t.size() == 10) return t; // a date: a UTC day, as ISO-8601 dates are read
    if (t[10] == ' ') t[10] = 'T';
    if (t[10] != 'T') return t;
    const std::size_t zone = t.find_first_of("Z+-", 11);
    if (zone == std::string::npos) {
        t += 'Z';
        assumed = "the time has no time zone: taken as UTC";
    } else if (t[zone] != 'Z') {
        const std::size_t n = t.size() - zone - 1;
        if (n == 2 && digits(zone + 1, 2))
            t += ":00";
        else if (n == 4 && digits(zone + 1, 4))
            t.insert(zone + 3, ":");
    }
    return t;
}

} // namespace

std::optional<FieldTime> Feature::time_field(const std::string& name) const {
    auto f = static_cast<OGRFeatureH>(m_feature);
    const int i = OGR_F_GetFieldIndex(f, name.c_str());
    if (i < 0 || !OGR_F_IsFieldSetAndNotNull(f, i)) return std::nullopt;
    FieldTime out;
    const OGRFieldType type = OGR_Fld_GetType(OGR_F_GetFieldDefnRef(f, i));
    if (type == OFTDate || type == OFTDateTime) {
        int y = 0, mo = 0, d = 0, h = 0, mi = 0, tz = 0;
        float s = 0;
        OGR_F_GetFieldAsDateTimeEx(f, i, &y, &mo, &d, &h, &mi, &s, &tz);
        out.text = OGR_F_GetFieldAsString(f, i);
        std::string iso;
        if (type == OFTDate) {
            iso = fmt::format("{:04d}-{:02d}-{:02d}", y, mo, d);
        } else {
            iso = fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:06.3f}", y, mo, d, h, mi, s);
            if (tz == 100) {
                iso += "Z";
            } else if (tz > 1) {
                const int offset = (tz - 100) * 15; // minutes (OGR's flag: 100 + quarter hours)
                iso += fmt::format("{}{:02d}:{:02d}", offset < 0 ? '-' : '+', std::abs(offset) / 60, std::abs(offset) % 60);
            } else { // 0: unknown, 1: local time (GDAL's TZ flags)
                iso += "Z";
                out.assumed = tz == 1 ? "the time is local time of an unknown zone: taken as UTC" : "the time has no time zone: taken as UTC";
            }
        }
        out.time = parse_utc(iso);
        return out;
    }
    const std::string_view text = trim_space(OGR_F_GetFieldAsString(f, i));
    if (text.empty()) return std::nullopt;
    out.text = text;
    out.time = parse_utc(out.text);
    if (!out.time) {
        out.time = parse_utc(iso_from_lenient(out.text, out.assumed));
        if (!out.time) out.assumed.clear();
    }
    return out;
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

std::vector<Feature::VertexZM> Feature::vertices_zm() const {
    std::vector<VertexZM> out;
    auto g = static_cast<OGRGeometry*>(m_geometry);
    if (!g) return out;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const bool has_z = g->Is3D(), has_m = g->IsMeasured();
    auto curve = [&](const OGRSimpleCurve& c) {
        for (int i = 0; i < c.getNumPoints(); ++i) {
            OGRPoint p;
            c.getPoint(i, &p);
            out.push_back(VertexZM{to_point(p), has_z ? p.getZ() : nan, has_m ? p.getM() : nan});
        }
    };
    switch (geometry_kind()) {
    case GeometryKind::point: {
        const OGRPoint* p = wkbFlatten(g->getGeometryType()) == wkbMultiPoint ? g->toMultiPoint()->getGeometryRef(0) : g->toPoint();
        if (!p->IsEmpty()) out.push_back(VertexZM{to_point(*p), has_z ? p->getZ() : nan, has_m ? p->getM() : nan});
        break;
    }
    case GeometryKind::line: {
        std::unique_ptr<OGRGeometry> linear;
        if (g->hasCurveGeometry()) {
            linear.reset(g->getLinearGeometry());
            g = linear.get();
        }
        if (wkbFlatten(g->getGeometryType()) == wkbLineString)
            curve(*g->toLineString());
        else if (wkbFlatten(g->getGeometryType()) == wkbMultiLineString)
            for (const auto* part : *g->toMultiLineString()) curve(*part);
        break;
    }
    default: break;
    }
    return out;
}

RecordPosition feature_position(std::string_view file, const Feature& f) {
    RecordPosition where;
    where.file = file;
    where.layer = f.layer;
    where.feature = f.fid_text;
    where.index = f.index;
    where.order = f.index;
    return where;
}

// ---------------------------------------------------------------------------------------------
// VectorSource

struct VectorSource::Impl {
    std::string name;      // what GDAL opened (the checked file system's name for local files)
    std::string real_path; // the absolute path behind it
    DatasetPtr dataset;
    std::vector<OGRLayerH> layers;
};

VectorSource::VectorSource(std::string path, VectorSourceOptions options)
    : m_path(std::move(path)), m_options(std::move(options)), m_impl(std::make_unique<Impl>()) {
    ensure_gdal();
    t_last_gdal_error.clear();
    t_read_failure.reset();
    m_impl->name = checked_name(m_path);
    m_impl->real_path = m_impl->name == m_path ? m_path : real_path(m_impl->name.c_str());
    m_impl->dataset.reset(GDALOpenEx(m_impl->name.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
    throw_read_failure(m_path, m_impl->real_path);
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
    for (auto l : m_impl->layers) {
        if (layer != OGR_L_GetName(l)) continue;
        const GIntBig n = OGR_L_GetFeatureCount(l, /*bForce=*/FALSE);
        throw_read_failure(m_path, m_impl->real_path);
        return n;
    }
    return -1;
}

std::string VectorSource::geometry_type(const std::string& layer) const {
    for (auto l : m_impl->layers)
        if (layer == OGR_L_GetName(l)) return OGRGeometryTypeToName(wkbFlatten(OGR_L_GetGeomType(l)));
    return "";
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

        throw_read_failure(m_path, m_impl->real_path); // e.g. while GDAL read the layer's CRS
        OGR_L_ResetReading(layer);
        std::uint64_t index = 0;
        t_last_gdal_error.clear();
        while (true) {
            OGRFeatureH raw = OGR_L_GetNextFeature(layer);
            if (t_read_failure) { // a feature read after a failed read is not used
                if (raw) OGR_F_Destroy(raw);
                throw_read_failure(m_path, m_impl->real_path);
            }
            if (!raw) {
                if (!t_last_gdal_error.empty())
                    throw IoError("unreadable: reading failed after " + std::to_string(index) + " features (" + take_gdal_error() + ")", where);
                break;
            }
            std::unique_ptr<std::remove_pointer_t<OGRFeatureH>, decltype(&OGR_F_Destroy)> owned(raw, &OGR_F_Destroy);
            Feature f;
            f.fid = OGR_F_GetFID(raw);
            f.fid_text = std::to_string(f.fid);
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
