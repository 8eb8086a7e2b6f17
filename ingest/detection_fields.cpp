#include "ingest/detection_fields.hpp"

#include "geo/validate.hpp"
#include "ingest/text.hpp"

#include <fmt/format.h>

#include <cmath>

namespace avf::ingest::detail {
namespace {

// A ProblemSink that stamps Problem::order before forwarding (geo::check_coordinate builds its
// problems without it).
class OrderingSink final : public ProblemSink {
public:
    OrderingSink(ProblemSink& target, std::uint64_t order) : m_target(target), m_order(order) {}
    void report(Problem p) override {
        p.order = m_order;
        m_target.report(std::move(p));
    }

private:
    ProblemSink& m_target;
    std::uint64_t m_order;
};

// The fields of one record, checked in their documented order: each check reports the record's
// defect through the RecordCheck and returns false.
class DetectionFields {
public:
    DetectionFields(const RawDetection& raw, const RecordCheck& check) : m_raw(raw), m_check(check) {}

    std::string_view operator[](DetectionField f) const { return m_raw[f]; }

    bool reject(ProblemCode code, DetectionField f, std::string_view value, std::string message, std::string expected = {}) const {
        return m_check.reject(code, column_name(f), value, std::move(message), std::move(expected));
    }
    bool missing(DetectionField f) const { return reject(ProblemCode::missing_field, f, {}, "required value is empty"); }

    // Text fields that end up in the store's fixed-size id columns.
    bool storable(DetectionField f) const {
        const std::string_view v = m_raw[f];
        if (v.size() > max_id_length)
            return reject(ProblemCode::bad_value, f, v,
                          fmt::format("longer than {} bytes ({} bytes; values are never truncated)", max_id_length, v.size()));
        const std::string_view defect = encoding_defect(v);
        if (!defect.empty()) return reject(ProblemCode::bad_encoding, f, v, "value " + std::string(defect));
        return true;
    }

    // A number field: reports and returns false unless it is a finite double.
    bool number(DetectionField f, double& value) const {
        const std::string_view text = m_raw[f];
        switch (parse_number(text, value)) {
        case NumberText::malformed: return reject(ProblemCode::bad_number, f, text, "not a number", "a decimal number with '.' as decimal point");
        case NumberText::out_of_range: return reject(ProblemCode::bad_number, f, text, "number out of the range of a double");
        case NumberText::ok: break;
        }
        if (!std::isfinite(value)) return reject(ProblemCode::not_finite, f, text, "not a finite number");
        return true;
    }

    const RecordCheck& check() const { return m_check; }

private:
    const RawDetection& m_raw;
    const RecordCheck& m_check;
};

} // namespace

bool build_detection(const RawDetection& raw, const GeometryPosition* geometry, const RecordPosition& where, const Taxonomy& taxonomy, Detection& out,
                     ProblemSink& problems) {
    const std::string_view id = raw[DetectionField::id];
    RecordPosition at = where; // problems name the record by its id
    at.record = id;
    const RecordCheck check(problems, at);
    const DetectionFields fields(raw, check);

    // id
    if (id.empty()) return fields.missing(DetectionField::id);
    if (!fields.storable(DetectionField::id)) return false;

    // time
    const std::string_view time_text = raw[DetectionField::time];
    if (time_text.empty()) return fields.missing(DetectionField::time);
    const std::optional<UtcTime> time = parse_utc(time_text);
    if (!time)
        return fields.reject(ProblemCode::bad_time, DetectionField::time, time_text, "not an ISO-8601 time with a zone",
                             "YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.fff]] followed by Z or +hh:mm");

    // lon, lat
    double lon = 0.0;
    double lat = 0.0;
    if (geometry) {
        if (!geometry->point) return check.reject(geometry->defect, "geometry", {}, geometry->reason);
        lon = geometry->point->x();
        lat = geometry->point->y();
    } else {
        if (raw[DetectionField::lon].empty()) return fields.missing(DetectionField::lon);
        if (!fields.number(DetectionField::lon, lon)) return false; // bad_number, or not_finite for NaN/Inf
        if (raw[DetectionField::lat].empty()) return fields.missing(DetectionField::lat);
        if (!fields.number(DetectionField::lat, lat)) return false;
    }
    const bool lon_ok = std::isfinite(lon) && lon >= -180.0 && lon <= 180.0;
    const bool lat_ok = std::isfinite(lat) && lat >= -90.0 && lat <= 90.0;
    if (!lon_ok || !lat_ok) {
        // Name the field at fault: the first non-finite one, else the first out of range.
        const bool blame_lon = !std::isfinite(lon) || (std::isfinite(lat) && !lon_ok);
        const DetectionField f = blame_lon ? DetectionField::lon : DetectionField::lat;
        const std::string shown = geometry ? fmt::format("{}", blame_lon ? lon : lat) : std::string(raw[f]);
        OrderingSink sink(problems, where.order);
        if (!geo::check_coordinate(lon, lat, sink, check.context(column_name(f), shown))) return false;
    }

    // class (or the model it is derived from)
    const std::string_view class_text = raw[DetectionField::equipment_class];
    const std::string_view model_text = raw[DetectionField::model];
    const std::string* canonical = nullptr;
    std::string_view kept_model = model_text;
    std::string conflict_note;
    if (!class_text.empty()) {
        canonical = taxonomy.resolve(class_text);
        if (!canonical)
            return fields.reject(ProblemCode::unknown_class, DetectionField::equipment_class, class_text,
                                 "neither a class nor an alias of the regime's taxonomy");
        if (model_text.empty()) {
            if (!iequals(class_text, *canonical)) kept_model = class_text; // an alias: the raw model name
        } else if (const std::string* from_model = taxonomy.resolve(model_text); from_model && from_model != canonical) {
            conflict_note = fmt::format("model '{}' maps to class '{}' but the class column says '{}'; the class column is used",
                                        printable(model_text), *from_model, *canonical);
        }
    } else if (!model_text.empty()) {
        canonical = taxonomy.resolve(model_text);
        if (!canonical)
            return fields.reject(ProblemCode::unknown_class, DetectionField::model, model_text,
                                 "class is empty and the model is neither a class nor an alias of the regime's taxonomy");
    } else {
        return fields.reject(ProblemCode::missing_field, DetectionField::equipment_class, {},
                             "class is empty and there is no model to derive it from");
    }

    // count: a positive whole number. 3.0 is accepted because spreadsheet and pandas exports
    // write integer columns with any missing value as floats.
    const std::string_view count_text = raw[DetectionField::count];
    if (count_text.empty()) return fields.missing(DetectionField::count);
    std::int64_t count = 0;
    if (parse_integer(count_text, count) != NumberText::ok) {
        double v = 0.0;
        if (!fields.number(DetectionField::count, v)) return false;
        constexpr double max_exact = 9007199254740992.0; // 2^53: every whole double up to here is exact
        if (std::fabs(v) > max_exact)
            return fields.reject(ProblemCode::bad_value, DetectionField::count, count_text, "count is too large", "a positive whole number");
        if (v != std::floor(v))
            return fields.reject(ProblemCode::bad_value, DetectionField::count, count_text, "count is not a whole number", "a positive whole number");
        count = static_cast<std::int64_t>(v);
    }
    if (count <= 0)
        return fields.reject(ProblemCode::bad_value, DetectionField::count, count_text, "count is not positive", "a positive whole number");
    if (count > max_items_per_record)
        return fields.reject(ProblemCode::bad_value, DetectionField::count, count_text,
                             fmt::format("count is above the most one record may claim ({})", max_items_per_record),
                             fmt::format("a whole number from 1 to {}", max_items_per_record));

    // confidence
    if (raw[DetectionField::confidence].empty()) return fields.missing(DetectionField::confidence);
    double confidence = 0.0;
    if (!fields.number(DetectionField::confidence, confidence)) return false;
    if (confidence < 0.0 || confidence > 1.0)
        return fields.reject(ProblemCode::bad_value, DetectionField::confidence, raw[DetectionField::confidence], "confidence outside [0, 1]",
                             "a number from 0 to 1");

    // source
    if (raw[DetectionField::source].empty()) return fields.missing(DetectionField::source);
    if (!fields.storable(DetectionField::source)) return false;

    // uncertainty_m (optional)
    double uncertainty = 0.0;
    if (!raw[DetectionField::uncertainty_m].empty()) {
        if (!fields.number(DetectionField::uncertainty_m, uncertainty)) return false;
        if (uncertainty < 0.0)
            return fields.reject(ProblemCode::bad_value, DetectionField::uncertainty_m, raw[DetectionField::uncertainty_m], "negative uncertainty",
                                 "metres, 0 or more");
        if (uncertainty > max_distance_m)
            return fields.reject(ProblemCode::bad_value, DetectionField::uncertainty_m, raw[DetectionField::uncertainty_m],
                                 "uncertainty radius longer than half the Earth's circumference", fmt::format("metres, 0 to {}", max_distance_m));
    }

    // optional text fields
    for (DetectionField f : {DetectionField::party, DetectionField::source_record, DetectionField::model})
        if (!fields.storable(f)) return false;
    if (kept_model.data() == class_text.data() && !fields.storable(DetectionField::equipment_class)) return false;

    out.id = DetectionId(std::string(id));
    out.time = *time;
    out.position = GeoPoint(lon, lat);
    out.uncertainty = Meters{uncertainty};
    out.equipment_class = *canonical;
    out.model.assign(kept_model);
    out.count = count;
    out.confidence = confidence;
    out.party = canonical_party(raw[DetectionField::party]);
    out.source.assign(raw[DetectionField::source]);
    out.source_record.assign(raw[DetectionField::source_record]);
    out.origin = where.origin();

    if (!conflict_note.empty()) check.note(ProblemCode::bad_value, column_name(DetectionField::model), model_text, std::move(conflict_note));
    return true;
}

} // namespace avf::ingest::detail
