#include "storage/codec.hpp"

#include "core/error.hpp"
#include "storage/table.hpp"
#include "storage/wkb.hpp"

#include <array>
#include <chrono>

namespace avf::storage {
namespace {

constexpr std::int64_t absent_position = -1;

/// Finds the enumerator whose stable name is `name`, trying every value of the underlying type.
template <typename Enum> std::optional<Enum> enum_from_name(const std::string& name) {
    for (unsigned i = 0; i < 256; ++i) {
        auto e = static_cast<Enum>(i);
        std::string_view s = to_string(e);
        if (s == "unknown") {
            break;
        }
        if (s == name) {
            return e;
        }
    }
    return std::nullopt;
}

template <typename Enum> Enum parse_enum(const std::string& name, std::string_view what, const std::string& path) {
    if (auto e = enum_from_name<Enum>(name)) {
        return *e;
    }
    throw IoError("unknown " + std::string(what) + " '" + name + "' in the store", Context{}.file(path));
}

std::int64_t position(std::optional<long> v, std::string_view what) {
    if (!v) {
        return absent_position;
    }
    // -1 stands for "absent"; line and column numbers are 1-based, so a negative one is a bug.
    if (*v < 0) {
        throw InternalError("negative " + std::string(what) + " number " + std::to_string(*v) + " in a problem");
    }
    return *v;
}

void add_text(RowEncoder& enc, std::string_view prefix, const std::string& value, std::uint64_t text_base, std::string& text) {
    std::string p(prefix);
    enc.u64(p + "_offset", text_base + text.size());
    enc.u64(p + "_length", value.size());
    text += value;
}

std::string get_text(RowDecoder& dec, std::string_view prefix, const std::string& heap, std::string_view heap_name, const std::string& path) {
    std::string p(prefix);
    std::uint64_t offset = dec.u64(p + "_offset");
    std::uint64_t length = dec.u64(p + "_length");
    return heap_slice(heap, offset, length, std::string(heap_name), path);
}

std::string source_path(const std::vector<InputFile>& files, std::int64_t index, const std::string& path) {
    if (index == -1) {
        return {};
    }
    if (index < 0 || static_cast<std::uint64_t>(index) >= files.size()) {
        throw IoError("source index " + std::to_string(index) + " is outside the " + std::to_string(files.size()) + " recorded files",
                      Context{}.file(path));
    }
    return files[static_cast<std::size_t>(index)].path;
}

} // namespace

std::string time_text(UtcTime t, std::string_view what) {
    using namespace std::chrono;
    // The store's text form is exactly four year digits: 0000-01-01 up to, not including, 10000-01-01.
    static const std::int64_t first_ms = duration_cast<milliseconds>(sys_days{year{0} / January / 1}.time_since_epoch()).count();
    static const std::int64_t end_ms = duration_cast<milliseconds>(sys_days{year{10000} / January / 1}.time_since_epoch()).count();
    std::string s = format_utc(t);
    if (!t.is_min() && !t.is_max() && (t.ms < first_ms || t.ms >= end_ms)) {
        throw InputError(std::string(what) + " " + s + " lies outside the years 0000-9999 that the store keeps");
    }
    return s;
}

UtcTime parse_time_text(const std::string& text, std::string_view what, const std::string& path) {
    if (text == "-inf") {
        return UtcTime::min();
    }
    if (text == "+inf") {
        return UtcTime::max();
    }
    if (auto t = parse_utc(text)) {
        return *t;
    }
    throw IoError("malformed time '" + text + "' in " + std::string(what), Context{}.file(path));
}

std::int64_t input_index(const std::vector<InputFile>& inputs, const std::string& file, std::string_view who) {
    if (file.empty()) {
        return -1;
    }
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (inputs[i].path == file) {
            return static_cast<std::int64_t>(i);
        }
    }
    throw InternalError(std::string(who) + " refers to file " + file + ", which is not among the recorded input files");
}

void encode_source_file(const TableSchema& schema, const InputFile& f, std::uint8_t* row) {
    RowEncoder(schema, row, f.path)
        .str("role", f.role)
        .str("path", f.path)
        .str("sha256", f.sha256)
        .u64("size", f.size)
        .u64("records_read", f.records_read)
        .u64("records_rejected", f.records_rejected)
        .done();
}

InputFile decode_source_file(const TableSchema& schema, const std::uint8_t* row) {
    RowDecoder d(schema, row);
    InputFile f;
    f.role = d.str("role");
    f.path = d.str("path");
    f.sha256 = d.str("sha256");
    f.size = d.u64("size");
    f.records_read = d.u64("records_read");
    f.records_rejected = d.u64("records_rejected");
    return f;
}

void encode_zone(const Zone& z, std::int64_t source_index, std::uint64_t wkb_offset, std::uint64_t wkb_length, std::uint8_t* row) {
    RowEncoder(zones_table(), row, z.id.str())
        .str("id", z.id.str())
        .str("name", z.name)
        .str("kind", z.kind)
        .str("parties", z.parties)
        .str("parent", z.parent)
        .str("valid_from", time_text(z.valid.from, "valid_from"))
        .str("valid_to", time_text(z.valid.to, "valid_to"))
        .i64("source_index", source_index)
        .str("source_layer", z.source.layer)
        .str("source_feature", z.source.feature)
        .u64("source_position", z.source.index)
        .str("geometry_type", "MultiPolygon")
        .u64("wkb_offset", wkb_offset)
        .u64("wkb_length", wkb_length)
        .done();
}

Zone decode_zone(const std::uint8_t* row, const std::string& wkb_heap, const std::vector<InputFile>& sources, const std::string& path) {
    RowDecoder d(zones_table(), row);
    Zone z;
    z.id = ZoneId(d.str("id"));
    z.name = d.str("name");
    z.kind = d.str("kind");
    z.parties = d.str("parties");
    z.parent = d.str("parent");
    z.valid.from = parse_time_text(d.str("valid_from"), "zones.valid_from", path);
    z.valid.to = parse_time_text(d.str("valid_to"), "zones.valid_to", path);
    z.source.file = source_path(sources, d.i64("source_index"), path);
    z.source.layer = d.str("source_layer");
    z.source.feature = d.str("source_feature");
    z.source.index = d.u64("source_position");
    std::string type = d.str("geometry_type");
    if (type != "MultiPolygon") {
        throw IoError("zone " + z.id.str() + " has geometry type " + type + ", expected MultiPolygon", Context{}.file(path));
    }
    std::uint64_t offset = d.u64("wkb_offset");
    std::uint64_t length = d.u64("wkb_length");
    try {
        z.geometry = multipolygon_from_wkb(heap_slice(wkb_heap, offset, length, layout::zone_wkb, path));
    } catch (const InputError& e) {
        throw IoError("zone " + z.id.str() + ": " + e.what(), Context{}.file(path));
    }
    return z;
}

void encode_line(const ReferenceLine& l, std::int64_t source_index, std::uint64_t wkb_offset, std::uint64_t wkb_length, std::uint8_t* row) {
    RowEncoder(lines_table(), row, l.id.str())
        .str("id", l.id.str())
        .str("name", l.name)
        .str("kind", l.kind)
        .str("parties", l.parties)
        .str("valid_from", time_text(l.valid.from, "valid_from"))
        .str("valid_to", time_text(l.valid.to, "valid_to"))
        .i64("source_index", source_index)
        .str("source_layer", l.source.layer)
        .str("source_feature", l.source.feature)
        .u64("source_position", l.source.index)
        .str("geometry_type", "MultiLineString")
        .u64("wkb_offset", wkb_offset)
        .u64("wkb_length", wkb_length)
        .done();
}

ReferenceLine decode_line(const std::uint8_t* row, const std::string& wkb_heap, const std::vector<InputFile>& sources, const std::string& path) {
    RowDecoder d(lines_table(), row);
    ReferenceLine l;
    l.id = LineId(d.str("id"));
    l.name = d.str("name");
    l.kind = d.str("kind");
    l.parties = d.str("parties");
    l.valid.from = parse_time_text(d.str("valid_from"), "lines.valid_from", path);
    l.valid.to = parse_time_text(d.str("valid_to"), "lines.valid_to", path);
    l.source.file = source_path(sources, d.i64("source_index"), path);
    l.source.layer = d.str("source_layer");
    l.source.feature = d.str("source_feature");
    l.source.index = d.u64("source_position");
    std::string type = d.str("geometry_type");
    if (type != "MultiLineString") {
        throw IoError("line " + l.id.str() + " has geometry type " + type + ", expected MultiLineString", Context{}.file(path));
    }
    std::uint64_t offset = d.u64("wkb_offset");
    std::uint64_t length = d.u64("wkb_length");
    try {
        l.geometry = multilinestring_from_wkb(heap_slice(wkb_heap, offset, length, layout::line_wkb, path));
    } catch (const InputError& e) {
        throw IoError("line " + l.id.str() + ": " + e.what(), Context{}.file(path));
    }
    return l;
}

void encode_problem(const Problem& p, std::uint8_t* row, std::uint64_t text_base, std::string& text) {
    const Context& w = p.where;
    std::string record = w.record().empty() ? "problem " + std::to_string(p.order) : w.record();
    std::size_t text_size_before = text.size();
    try {
        RowEncoder enc(problems_table(), row, record);
        enc.str("severity", to_string(p.severity))
            .str("code", to_string(p.code))
            .i64("line", position(w.line(), "line"))
            .i64("column", position(w.column(), "column"))
            .u64("order", p.order);
        const std::array<const std::string*, 8> values = {&p.message,  &w.file(),  &w.layer(), &w.feature(),
                                                          &w.record(), &w.field(), &w.value(), &w.expected()};
        for (std::size_t i = 0; i < values.size(); ++i) {
            add_text(enc, problem_text_fields[i], *values[i], text_base, text);
        }
        enc.done();
    } catch (...) {
        text.resize(text_size_before); // keep the batch's heap bytes aligned with its complete rows
        throw;
    }
}

Problem decode_problem(const std::uint8_t* row, const std::string& text_heap, const std::string& path) {
    RowDecoder d(problems_table(), row);
    Problem p;
    p.severity = parse_severity(d.str("severity"), path);
    p.code = parse_problem_code(d.str("code"), path);
    std::int64_t line = d.i64("line");
    std::int64_t column = d.i64("column");
    p.order = d.u64("order");
    std::array<std::string, 8> values;
    for (std::size_t i = 0; i < values.size(); ++i) {
        values[i] = get_text(d, problem_text_fields[i], text_heap, layout::problem_text, path);
    }
    p.message = std::move(values[0]);
    Context& w = p.where;
    w.file(std::move(values[1])).layer(std::move(values[2])).feature(std::move(values[3])).record(std::move(values[4]));
    w.field(std::move(values[5])).value(std::move(values[6])).expected(std::move(values[7]));
    if (line != absent_position) {
        w.line(static_cast<long>(line));
    }
    if (column != absent_position) {
        w.column(static_cast<long>(column));
    }
    return p;
}

void encode_finding(const Finding& f, std::uint64_t evidence_first, std::uint8_t* row, std::uint64_t text_base, std::string& text) {
    RowEncoder enc(findings_table(), row, f.id);
    enc.str("id", f.id)
        .str("kind", to_string(f.kind))
        .str("certainty", to_string(f.certainty))
        .str("rule_id", f.rule_id)
        .str("rule_type", f.rule_type)
        .str("article", f.article)
        .str("target_id", f.target_id)
        .str("party", f.party)
        .str("equipment_class", f.equipment_class)
        .str("span_from", time_text(f.span.from, "span_from"))
        .str("span_to", time_text(f.span.to, "span_to"))
        .f64("lon", f.location.x())
        .f64("lat", f.location.y())
        .f64("measured", f.measured)
        .f64("limit", f.limit)
        .str("unit", f.unit)
        .f64("confidence", f.confidence)
        .str("waiver_id", f.waiver_id)
        .u64("evidence_first", evidence_first)
        .u64("evidence_count", f.evidence.size());
    // Last, after every check of this row passed, so a refused row leaves no stray text behind.
    add_text(enc, "explanation", f.explanation, text_base, text);
    enc.done();
}

Finding decode_finding(const std::uint8_t* row, const std::string& explanations, std::uint64_t& evidence_first, std::uint64_t& evidence_count,
                       const std::string& path) {
    RowDecoder d(findings_table(), row);
    Finding f;
    f.id = d.str("id");
    f.kind = parse_finding_kind(d.str("kind"), path);
    f.certainty = parse_certainty(d.str("certainty"), path);
    f.rule_id = d.str("rule_id");
    f.rule_type = d.str("rule_type");
    f.article = d.str("article");
    f.target_id = d.str("target_id");
    f.party = d.str("party");
    f.equipment_class = d.str("equipment_class");
    f.span.from = parse_time_text(d.str("span_from"), "findings.span_from", path);
    f.span.to = parse_time_text(d.str("span_to"), "findings.span_to", path);
    double lon = d.f64("lon");
    double lat = d.f64("lat");
    f.location = GeoPoint(lon, lat);
    f.measured = d.f64("measured");
    f.limit = d.f64("limit");
    f.unit = d.str("unit");
    f.confidence = d.f64("confidence");
    f.waiver_id = d.str("waiver_id");
    evidence_first = d.u64("evidence_first");
    evidence_count = d.u64("evidence_count");
    f.explanation = get_text(d, "explanation", explanations, layout::explanations, path);
    return f;
}

void encode_evidence(const Finding& f, std::uint64_t finding_row, const Evidence& e, std::int64_t input, std::uint8_t* row) {
    RowEncoder(evidence_table(), row, f.id)
        .u64("finding_row", finding_row)
        .str("finding_id", f.id)
        .str("record_kind", e.record_kind)
        .str("record_id", e.record_id)
        .i64("input", input)
        .str("source_position", e.source_position)
        .done();
}

Evidence decode_evidence(const std::uint8_t* row, const std::vector<InputFile>& inputs, const std::string& path) {
    RowDecoder d(evidence_table(), row);
    d.u64("finding_row");
    d.str("finding_id");
    Evidence e;
    e.record_kind = d.str("record_kind");
    e.record_id = d.str("record_id");
    e.source_file = source_path(inputs, d.i64("input"), path);
    e.source_position = d.str("source_position");
    return e;
}

void encode_image(const ImageRecord& im, std::int64_t input, std::uint64_t wkb_offset, std::uint64_t wkb_length, std::uint8_t* row) {
    RowEncoder(images_table(), row, im.id.str())
        .str("id", im.id.str())
        .str("flight_id", im.flight_id)
        .str("mission", im.mission)
        .str("platform", im.platform)
        .str("instruments", im.instruments)
        .str("observing_party", im.observing_party)
        .str("observed_party", im.observed_party)
        .str("sensor", to_string(im.sensor))
        .str("start", time_text(im.acquisition.from, "image start"))
        .str("end", time_text(im.acquisition.to, "image end"))
        .f64("gsd_m", im.gsd.value)
        .f64("height_m", im.height.value)
        .f64("off_nadir_deg", im.off_nadir)
        .f64("sar_range_m", im.sar_range_resolution.value)
        .f64("sar_azimuth_m", im.sar_azimuth_resolution.value)
        .str("sar_polarizations", im.sar_polarizations)
        .i64("input", input)
        .str("source_layer", im.origin.layer)
        .str("source_feature", im.origin.feature)
        .u64("source_position", im.origin.index)
        .u64("wkb_offset", wkb_offset)
        .u64("wkb_length", wkb_length)
        .done();
}

ImageRecord decode_image(const std::uint8_t* row, const std::string& wkb_heap, const std::vector<InputFile>& inputs, const std::string& path) {
    RowDecoder d(images_table(), row);
    ImageRecord im;
    im.id = ImageId(d.str("id"));
    im.flight_id = d.str("flight_id");
    im.mission = d.str("mission");
    im.platform = d.str("platform");
    im.instruments = d.str("instruments");
    im.observing_party = d.str("observing_party");
    im.observed_party = d.str("observed_party");
    std::string sensor = d.str("sensor");
    auto category = parse_sensor_category(sensor);
    if (!category) throw IoError("image " + im.id.str() + " has unknown sensor category '" + sensor + "'", Context{}.file(path));
    im.sensor = *category;
    im.acquisition.from = parse_time_text(d.str("start"), "images.start", path);
    im.acquisition.to = parse_time_text(d.str("end"), "images.end", path);
    im.gsd = Meters{d.f64("gsd_m")};
    im.height = Meters{d.f64("height_m")};
    im.off_nadir = d.f64("off_nadir_deg");
    im.sar_range_resolution = Meters{d.f64("sar_range_m")};
    im.sar_azimuth_resolution = Meters{d.f64("sar_azimuth_m")};
    im.sar_polarizations = d.str("sar_polarizations");
    im.origin.file = source_path(inputs, d.i64("input"), path);
    im.origin.layer = d.str("source_layer");
    im.origin.feature = d.str("source_feature");
    im.origin.index = d.u64("source_position");
    std::uint64_t offset = d.u64("wkb_offset");
    std::uint64_t length = d.u64("wkb_length");
    try {
        im.footprint = multipolygon_from_wkb(heap_slice(wkb_heap, offset, length, layout::image_wkb, path));
    } catch (const InputError& e) {
        throw IoError("image " + im.id.str() + ": " + e.what(), Context{}.file(path));
    }
    return im;
}

void encode_flight(const FlightRecord& f, std::int64_t input, std::int64_t route_input, std::uint64_t track_offset, std::uint64_t track_length,
                   std::uint64_t route_offset, std::uint64_t route_length, std::uint8_t* row) {
    RowEncoder(flights_table(), row, f.flight_id)
        .str("flight_id", f.flight_id)
        .i64("input", input)
        .i64("route_input", route_input)
        .u64("fixes", f.fixes)
        .u64("sensor_on_fixes", f.sensor_on_fixes)
        .str("first_fix", time_text(f.first_fix, "first fix"))
        .str("last_fix", time_text(f.last_fix, "last fix"))
        .f64("length_m", f.length_m)
        .f64("min_height_m", f.min_height_m)
        .u64("track_wkb_offset", track_offset)
        .u64("track_wkb_length", track_length)
        .u64("route_wkb_offset", route_offset)
        .u64("route_wkb_length", route_length)
        .done();
}

namespace {
LineString single_line(const std::string& wkb, const std::string& what, const std::string& path) {
    try {
        MultiLineString m = multilinestring_from_wkb(wkb);
        if (m.size() > 1) throw IoError(what + " has " + std::to_string(m.size()) + " parts, expected one", Context{}.file(path));
        return m.empty() ? LineString{} : m.front();
    } catch (const InputError& e) {
        throw IoError(what + ": " + e.what(), Context{}.file(path));
    }
}
} // namespace

FlightRecord decode_flight(const std::uint8_t* row, const std::string& wkb_heap, const std::vector<InputFile>& inputs, const std::string& path) {
    RowDecoder d(flights_table(), row);
    FlightRecord f;
    f.flight_id = d.str("flight_id");
    f.track_file = source_path(inputs, d.i64("input"), path);
    f.route_file = source_path(inputs, d.i64("route_input"), path);
    f.fixes = d.u64("fixes");
    f.sensor_on_fixes = d.u64("sensor_on_fixes");
    f.first_fix = parse_time_text(d.str("first_fix"), "flights.first_fix", path);
    f.last_fix = parse_time_text(d.str("last_fix"), "flights.last_fix", path);
    f.length_m = d.f64("length_m");
    f.min_height_m = d.f64("min_height_m");
    std::uint64_t to = d.u64("track_wkb_offset"), tl = d.u64("track_wkb_length");
    std::uint64_t ro = d.u64("route_wkb_offset"), rl = d.u64("route_wkb_length");
    f.track = single_line(heap_slice(wkb_heap, to, tl, layout::flight_wkb, path), "track of flight " + f.flight_id, path);
    f.route = single_line(heap_slice(wkb_heap, ro, rl, layout::flight_wkb, path), "route of flight " + f.flight_id, path);
    return f;
}

void encode_coverage(const CoverageRecord& c, std::uint64_t wkb_offset, std::uint64_t wkb_length, std::uint8_t* row) {
    RowEncoder(coverage_table(), row, c.rule_id + "/" + c.zone_id)
        .str("rule_id", c.rule_id)
        .str("zone_id", c.zone_id)
        .str("period_from", time_text(c.period.from, "coverage period"))
        .str("period_to", time_text(c.period.to, "coverage period"))
        .f64("zone_area_m2", c.zone_area_m2)
        .f64("covered_area_m2", c.covered_area_m2)
        .f64("fraction", c.fraction)
        .f64("required_fraction", c.required_fraction)
        .f64("best_gsd_m", c.best_gsd_m)
        .str("last_observed", time_text(c.last_observed, "last observed"))
        .u64("images", c.images)
        .str("finding_id", c.finding_id)
        .u64("uncovered_wkb_offset", wkb_offset)
        .u64("uncovered_wkb_length", wkb_length)
        .done();
}

CoverageRecord decode_coverage(const std::uint8_t* row, const std::string& wkb_heap, const std::string& path) {
    RowDecoder d(coverage_table(), row);
    CoverageRecord c;
    c.rule_id = d.str("rule_id");
    c.zone_id = d.str("zone_id");
    c.period.from = parse_time_text(d.str("period_from"), "coverage.period_from", path);
    c.period.to = parse_time_text(d.str("period_to"), "coverage.period_to", path);
    c.zone_area_m2 = d.f64("zone_area_m2");
    c.covered_area_m2 = d.f64("covered_area_m2");
    c.fraction = d.f64("fraction");
    c.required_fraction = d.f64("required_fraction");
    c.best_gsd_m = d.f64("best_gsd_m");
    c.last_observed = parse_time_text(d.str("last_observed"), "coverage.last_observed", path);
    c.images = d.u64("images");
    c.finding_id = d.str("finding_id");
    std::uint64_t offset = d.u64("uncovered_wkb_offset");
    std::uint64_t length = d.u64("uncovered_wkb_length");
    try {
        c.uncovered = multipolygon_from_wkb(heap_slice(wkb_heap, offset, length, layout::coverage_wkb, path));
    } catch (const InputError& e) {
        throw IoError("coverage of " + c.zone_id + ": " + e.what(), Context{}.file(path));
    }
    return c;
}

void encode_summary(const SummaryRow& s, std::uint8_t* row) {
    RowEncoder(summary_table(), row, s.rule_id)
        .str("rule_id", s.rule_id)
        .str("kind", s.kind)
        .str("certainty", s.certainty)
        .u64("findings", s.findings)
        .done();
}

SummaryRow decode_summary(const std::uint8_t* row) {
    RowDecoder d(summary_table(), row);
    SummaryRow s;
    s.rule_id = d.str("rule_id");
    s.kind = d.str("kind");
    s.certainty = d.str("certainty");
    s.findings = d.u64("findings");
    return s;
}

std::string_view to_string(ChainKind kind) {
    return kind == ChainKind::zone_set ? "zone_set" : "run";
}

ChainEntry chain_entry(const ChainRow& row) {
    ChainEntry e;
    e.sequence = row.sequence;
    e.kind = row.kind == "zone_set" ? ChainKind::zone_set : ChainKind::run;
    e.name = row.name;
    e.run_id = e.kind == ChainKind::run ? row.name : std::string{};
    e.content_digest = row.content_digest;
    e.previous_digest = row.previous_digest;
    e.digest = row.digest;
    return e;
}

void encode_chain(const ChainRow& c, std::uint8_t* row) {
    RowEncoder(chain_table(), row, c.name)
        .u64("sequence", c.sequence)
        .str("kind", c.kind)
        .str("name", c.name)
        .str("content_digest", c.content_digest)
        .str("previous_digest", c.previous_digest)
        .str("digest", c.digest)
        .done();
}

ChainRow decode_chain(const std::uint8_t* row, int schema) {
    ChainRow c;
    if (schema < 3) {
        RowDecoder d(chain_table_v1(), row);
        c.sequence = d.u64("sequence");
        c.kind = "run";
        c.name = d.str("run_id");
        c.content_digest = d.str("content_digest");
        c.previous_digest = d.str("previous_digest");
        c.digest = d.str("digest");
        return c;
    }
    RowDecoder d(chain_table(), row);
    c.sequence = d.u64("sequence");
    c.kind = d.str("kind");
    c.name = d.str("name");
    c.content_digest = d.str("content_digest");
    c.previous_digest = d.str("previous_digest");
    c.digest = d.str("digest");
    return c;
}

void encode_signature(const SignatureRecord& s, std::uint8_t* row) {
    RowEncoder(signatures_table(), row, "signature of row " + std::to_string(s.sequence))
        .u64("sequence", s.sequence)
        .str("head_digest", s.head_digest)
        .str("signed_utc", s.signed_utc)
        .str("key_fingerprint", s.key_fingerprint)
        .str("public_key", s.public_key)
        .str("signature", s.signature)
        .done();
}

SignatureRecord decode_signature(const std::uint8_t* row) {
    RowDecoder d(signatures_table(), row);
    SignatureRecord s;
    s.sequence = d.u64("sequence");
    s.head_digest = d.str("head_digest");
    s.signed_utc = d.str("signed_utc");
    s.key_fingerprint = d.str("key_fingerprint");
    s.public_key = d.str("public_key");
    s.signature = d.str("signature");
    return s;
}

void encode_commit(const CommitEntry& e, std::uint8_t* row) {
    RowEncoder(commit_table(), row, e.table).str("table", e.table).u64("rows", e.rows).str("sha256", e.sha256).done();
}

CommitEntry decode_commit(const std::uint8_t* row) {
    RowDecoder d(commit_table(), row);
    CommitEntry e;
    e.table = d.str("table");
    e.rows = d.u64("rows");
    e.sha256 = d.str("sha256");
    return e;
}

void encode_block(const std::string& table, const BlockDigest& b, std::uint8_t* row) {
    RowEncoder(commit_blocks_table(), row, table).str("table", table).u64("first", b.first).u64("count", b.count).str("sha256", b.sha256).done();
}

BlockDigest decode_block(const std::uint8_t* row, std::string& table) {
    RowDecoder d(commit_blocks_table(), row);
    table = d.str("table");
    BlockDigest b;
    b.first = d.u64("first");
    b.count = d.u64("count");
    b.sha256 = d.str("sha256");
    return b;
}

Severity parse_severity(const std::string& s, const std::string& path) {
    return parse_enum<Severity>(s, "severity", path);
}
ProblemCode parse_problem_code(const std::string& s, const std::string& path) {
    return parse_enum<ProblemCode>(s, "problem code", path);
}
FindingKind parse_finding_kind(const std::string& s, const std::string& path) {
    return parse_enum<FindingKind>(s, "finding kind", path);
}
Certainty parse_certainty(const std::string& s, const std::string& path) {
    return parse_enum<Certainty>(s, "certainty", path);
}

bool is_valid_group_name(const std::string& name) {
    return !name.empty() && name.size() <= id_bytes && name != "." && name != ".." && name.find('/') == std::string::npos &&
           name.find('\0') == std::string::npos && is_valid_utf8(name);
}

void check_group_name(const std::string& name, std::string_view what) {
    if (!is_valid_group_name(name)) {
        throw InputError(std::string(what) + " '" + name + "' cannot name a store group (1-" + std::to_string(id_bytes) +
                             " bytes of UTF-8, without '/', not '.' or '..')",
                         Context{}.value(name));
    }
}

} // namespace avf::storage
