// Detections from OGR sources (GeoJSON, GeoJSONSeq, GeoPackage, Shapefile, …) through the GDAL
// room's VectorSource. VectorSource visits features with a callback and offers no pull interface,
// while DetectionSource hands out batches on request; so a reader thread runs the visit and feeds
// a small bounded queue of chunks. Memory stays bounded by the queue (never the file), the features
// are read by one thread only (GDAL datasets are not thread-safe), and a destroyed source stops
// the thread at the next feature.
#include "core/error.hpp"
#include "ingest/detection_fields.hpp"
#include "ingest/fields.hpp"
#include "ingest/text.hpp"

#include <fmt/format.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <filesystem>
#include <mutex>
#include <thread>

namespace avf::ingest::detail {
namespace {

constexpr std::size_t k_chunk_records = 4096; // records (good or bad) per queued chunk
constexpr std::size_t k_max_chunks = 4;       // queue bound

// Thrown from inside VectorSource::for_each_feature to stop visiting early.
struct StopVisit {};

struct Chunk {
    std::vector<Detection> detections;
    CollectingProblemSink problems{false}; // never strict: strictness applies when the consumer re-reports
    std::size_t size() const { return detections.size() + problems.size(); }
};

constexpr std::array<DetectionField, 10> k_attribute_fields = {
    DetectionField::id,     DetectionField::time,          DetectionField::equipment_class, DetectionField::count,         DetectionField::confidence,
    DetectionField::source, DetectionField::uncertainty_m, DetectionField::party,           DetectionField::source_record, DetectionField::model,
};

class OgrDetectionSource final : public DetectionSource {
public:
    OgrDetectionSource(const std::string& path, const DetectionParseOptions& options)
        : m_path(path), m_taxonomy(*options.taxonomy), m_source(path, options.vector) {
        const std::vector<std::string> layers = m_source.layers();
        if (layers.size() > 1) {
            std::string list;
            for (const auto& l : layers) list += (list.empty() ? "" : ", ") + l;
            throw InputError(fmt::format("has {} layers; name the one holding the detections", layers.size()),
                             Context{}.file(path).expected("a layer option, one of: " + list));
        }
        if (!layers.empty()) {
            m_layer = layers.front();
            m_feature_count = m_source.feature_count(m_layer);
        }
        std::error_code ec;
        const auto size = std::filesystem::file_size(path, ec);
        m_bytes_total = ec ? 0 : static_cast<std::uint64_t>(size);
        check_schema();
    }

    ~OgrDetectionSource() override {
        {
            std::lock_guard lock(m_mutex);
            m_cancel = true;
        }
        m_cv.notify_all();
        if (m_thread.joinable()) m_thread.join();
    }

    OgrDetectionSource(const OgrDetectionSource&) = delete;
    OgrDetectionSource& operator=(const OgrDetectionSource&) = delete;

    bool next_batch(std::vector<Detection>& out, CollectingProblemSink& problems, std::size_t max_records) override {
        if (max_records == 0) throw InternalError("DetectionSource::next_batch called with max_records = 0");
        out.clear();
        if (!m_thread.joinable()) m_thread = std::thread([this] { produce(); });

        while (out.size() < max_records) {
            if (m_current_pos < m_current.detections.size()) {
                const std::size_t n = std::min(max_records - out.size(), m_current.detections.size() - m_current_pos);
                const auto first = m_current.detections.begin() + static_cast<std::ptrdiff_t>(m_current_pos);
                std::move(first, first + static_cast<std::ptrdiff_t>(n), std::back_inserter(out));
                m_current_pos += n;
                continue;
            }
            Chunk next;
            {
                std::unique_lock lock(m_mutex);
                m_cv.wait(lock, [this] { return !m_queue.empty() || m_done; });
                if (m_queue.empty()) {
                    // The reader stopped. Its error (if any) is raised once the records read
                    // before it have been handed out.
                    if (m_error && out.empty()) std::rethrow_exception(std::exchange(m_error, nullptr));
                    break;
                }
                next = std::move(m_queue.front());
                m_queue.pop_front();
            }
            m_cv.notify_all();
            m_current = std::move(next);
            m_current_pos = 0;
            for (Problem& p : m_current.problems.problems()) problems.report(std::move(p));
            m_current.problems.problems().clear();
        }
        return !out.empty();
    }

    std::uint64_t bytes_total() const override { return m_bytes_total; }
    std::uint64_t bytes_read() const override {
        if (m_finished.load(std::memory_order_relaxed)) return m_bytes_total;
        if (m_feature_count <= 0) return 0;
        const std::uint64_t seen =
            std::min<std::uint64_t>(m_records_seen.load(std::memory_order_relaxed), static_cast<std::uint64_t>(m_feature_count));
        return static_cast<std::uint64_t>(static_cast<double>(m_bytes_total) * static_cast<double>(seen) / static_cast<double>(m_feature_count));
    }
    std::uint64_t records_seen() const override { return m_records_seen.load(std::memory_order_relaxed); }

private:
    // Fails fast, before any record is read, when a required attribute is missing (the same rule
    // as a missing CSV column). OGR gives every feature of a layer the same fields, so the first
    // feature tells; an empty layer has nothing to check.
    void check_schema() {
        try {
            m_source.for_each_feature([this](const Feature& f) {
                std::vector<std::string> missing;
                for (DetectionField field : k_attribute_fields)
                    if (is_required(field) && !f.has_field(std::string(column_name(field)))) missing.emplace_back(column_name(field));
                if (!missing.empty()) {
                    std::string list;
                    for (const auto& m : missing) list += (list.empty() ? "'" : ", '") + m + "'";
                    throw InputError(fmt::format("missing required field{} {}: no detection can be read", missing.size() > 1 ? "s" : "", list),
                                     Context{}
                                         .file(m_path)
                                         .layer(f.layer)
                                         .field(missing.front())
                                         .expected("fields id, time, class, count, confidence, source and a Point geometry"));
                }
                throw StopVisit{};
            });
        } catch (const StopVisit&) {
        }
    }

    void convert(const Feature& f, Chunk& chunk) const {
        const RecordPosition where = feature_position(m_path, f);

        GeometryPosition geometry;
        if (f.reprojection_failed()) {
            geometry.defect = ProblemCode::reprojection_failed;
            geometry.reason = "the point could not be reprojected to lon/lat (" + f.reprojection_error() + ")";
        } else {
            switch (f.geometry_kind()) {
            case GeometryKind::none:
                geometry.defect = ProblemCode::empty_geometry;
                geometry.reason = "the feature has no geometry; a detection needs a Point";
                break;
            case GeometryKind::point:
                geometry.point = f.point();
                if (!geometry.point) {
                    geometry.defect = ProblemCode::empty_geometry;
                    geometry.reason = "the Point is empty";
                }
                break;
            default:
                geometry.defect = ProblemCode::unsupported_geometry;
                geometry.reason = "geometry is a " + f.geometry_type_name() + "; a detection needs a Point";
                break;
            }
        }

        std::array<std::string, detection_field_count> texts;
        RawDetection raw;
        for (DetectionField field : k_attribute_fields) {
            const auto i = static_cast<std::size_t>(field);
            if (std::optional<std::string> v = f.field(std::string(column_name(field)))) texts[i] = std::move(*v);
            raw.value[i] = trim(texts[i]);
        }
        Detection d;
        if (build_detection(raw, &geometry, where, m_taxonomy, d, chunk.problems)) chunk.detections.push_back(std::move(d));
    }

    // Blocks while the queue is full. Throws StopVisit when the source is being destroyed.
    void push(Chunk&& chunk) {
        {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [this] { return m_queue.size() < k_max_chunks || m_cancel; });
            if (m_cancel) throw StopVisit{};
            m_queue.push_back(std::move(chunk));
        }
        m_cv.notify_all();
    }

    void produce() {
        std::exception_ptr error;
        try {
            Chunk chunk;
            m_source.for_each_feature([&](const Feature& f) {
                {
                    std::lock_guard lock(m_mutex);
                    if (m_cancel) throw StopVisit{};
                }
                convert(f, chunk);
                m_records_seen.fetch_add(1, std::memory_order_relaxed);
                if (chunk.size() >= k_chunk_records) push(std::exchange(chunk, Chunk{}));
            });
            if (m_records_seen.load(std::memory_order_relaxed) == 0) report_no_records(m_path, m_layer, "detection", chunk.problems, m_bytes_total);
            if (chunk.size() > 0) push(std::move(chunk));
        } catch (const StopVisit&) {
        } catch (...) {
            error = std::current_exception();
        }
        {
            std::lock_guard lock(m_mutex);
            m_error = error;
            m_done = true;
        }
        m_finished.store(true, std::memory_order_relaxed);
        m_cv.notify_all();
    }

    const std::string m_path;
    const Taxonomy& m_taxonomy;
    VectorSource m_source; // used by the reader thread only, once it runs
    std::string m_layer;   // the layer read ("" when the source has none)
    std::int64_t m_feature_count = -1;
    std::uint64_t m_bytes_total = 0;

    std::thread m_thread;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<Chunk> m_queue;  // guarded by m_mutex
    bool m_done = false;        // guarded by m_mutex
    bool m_cancel = false;      // guarded by m_mutex
    std::exception_ptr m_error; // guarded by m_mutex
    std::atomic<std::uint64_t> m_records_seen{0};
    std::atomic<bool> m_finished{false};

    Chunk m_current; // consumer side only
    std::size_t m_current_pos = 0;
};

} // namespace

std::unique_ptr<DetectionSource> open_ogr_detections(const std::string& path, const DetectionParseOptions& options) {
    return std::make_unique<OgrDetectionSource>(path, options);
}

} // namespace avf::ingest::detail
