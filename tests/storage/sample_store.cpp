#include "tests/storage/sample_store.hpp"

#include "storage/wkb.hpp"

#include <boost/geometry/io/wkt/read.hpp>
#include <catch2/catch.hpp>

#include <bit>
#include <fstream>
#include <iterator>

namespace avf::test {
namespace {

UtcTime utc(const char* text) {
    auto t = parse_utc(text);
    REQUIRE(t);
    return *t;
}

const std::string zones_sha = "3f1b5c0e9d7a2b4c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f";
const std::string lines_sha = "0000000000000000000000000000000000000000000000000000000000000abc";

} // namespace

MultiPolygon multipolygon_wkt(const std::string& wkt) {
    MultiPolygon g;
    boost::geometry::read_wkt(wkt, g);
    return g;
}

MultiLineString multilinestring_wkt(const std::string& wkt) {
    MultiLineString g;
    boost::geometry::read_wkt(wkt, g);
    return g;
}

storage::ZoneSet sample_zone_set(const std::string& name) {
    storage::ZoneSet set;
    set.name = name;
    set.imported_utc = "2027-02-01T08:00:00Z";
    set.options_json = R"({"assume_crs":"EPSG:4326","densify_m":1000})";
    set.sources = {{"zones", "data/dmz.gpkg", zones_sha, 123456, 3, 1}, {"lines", "data/mdl.geojson", lines_sha, 2048, 1, 0}};

    Zone north;
    north.id = ZoneId("DMZ-N");
    north.name = "비무장지대 북측"; // Korean: "demilitarized zone, north side"
    north.kind = "dmz";
    north.parties = "KP";
    north.valid = Interval{utc("2027-01-01"), UtcTime::max()};
    north.geometry = multipolygon_wkt("MULTIPOLYGON(((126.1 37.9,127.5 37.9,127.5 38.4,126.1 38.4,126.1 37.9),"
                                      "(126.5 38.0,126.6 38.1,126.7 38.0,126.5 38.0)))");
    north.source = SourceRef{"data/dmz.gpkg", "dmz", "812", 0};

    Zone south;
    south.id = ZoneId("DMZ-S");
    south.name = "DMZ south";
    south.kind = "dmz";
    south.parties = "KR,US";
    south.parent = "DMZ";
    south.valid = Interval{UtcTime::min(), utc("2030-06-30T12:00:00.250Z")};
    south.geometry = multipolygon_wkt("MULTIPOLYGON(((126.1 37.7,127.5 37.7,127.5 37.9,126.1 37.9,126.1 37.7)),"
                                      "((128.0 37.5,128.1 37.5,128.1 37.6,128.0 37.5)))");
    south.source = SourceRef{"data/dmz.gpkg", "dmz", "813", 1};

    Zone drawn;
    drawn.id = ZoneId("AOA");
    drawn.name = "Area of application (drawn by hand)";
    drawn.kind = "area_of_application";
    drawn.geometry = multipolygon_wkt("MULTIPOLYGON(((124 33,132 33,132 43,124 43,124 33)))");
    set.zones = {north, south, drawn};

    ReferenceLine mdl;
    mdl.id = LineId("MDL");
    mdl.name = "Military demarcation line";
    mdl.kind = "demarcation";
    mdl.valid = Interval{utc("1953-07-27"), UtcTime::max()};
    mdl.geometry = multilinestring_wkt("MULTILINESTRING((126.1 37.9,127.0 38.2,128.3 38.3),(128.5 38.4,129.0 38.6))");
    mdl.source = SourceRef{"data/mdl.geojson", "", "1", 0};
    set.lines = {mdl};

    Problem open_ring = Problem::rejected(ProblemCode::ring_not_closed, "ring not closed",
                                          Context{}
                                              .file("data/dmz.gpkg")
                                              .layer("dmz")
                                              .feature("814")
                                              .record("K-17")
                                              .line(7)
                                              .column(12)
                                              .field("geom")
                                              .value("POLYGON((126 38,127 38,127 39))")
                                              .expected("a closed ring"));
    open_ring.order = 2;
    Problem renamed = Problem::corrected(ProblemCode::bad_value, "종류 'DMZ' normalised to 'dmz'",
                                         Context{}.file("data/dmz.gpkg").layer("dmz").feature("812").field("kind"));
    renamed.order = 0;
    set.problems = {open_ring, renamed};
    return set;
}

storage::RunHeader sample_run_header(const std::string& run_id) {
    storage::RunHeader h;
    h.run_id = run_id;
    h.zone_set = "dmz-2027";
    h.regime_id = "kr-dmz-1953";
    h.regime_text = "# Korean Armistice Agreement, Article I (illustrative)\n"
                    "[regime]\nid = \"kr-dmz-1953\"\nname = \"정전협정\"\n\n"
                    "[[rules]]\nid = \"I-1\"\ntype = \"prohibited\"\nzones = { kind = \"dmz\" }\n";
    h.options_json = R"({"strict":false,"chunk":50000})";
    h.tool_version = "0.1.0";
    h.started = utc("2027-03-04T10:15:00Z");
    h.inputs = {{"detections", "obs/detections.csv", std::string(64, 'd'), 9876543, 0, 0},
                {"declarations", "obs/declarations.json", std::string(64, 'e'), 4321, 0, 0}};
    return h;
}

std::vector<Finding> sample_findings() {
    Finding tank;
    tank.id = "00000000000000010000000000000a3c"; // a content id: 32 hex digits (schema 4 stores 128 bits)
    tank.kind = FindingKind::violation;
    tank.certainty = Certainty::certain;
    tank.rule_id = "I-1";
    tank.rule_type = "prohibited";
    tank.article = "Art. I(6)";
    tank.target_id = "DMZ-N";
    tank.party = "KP";
    tank.equipment_class = "battle_tank";
    tank.span = Interval{utc("2027-03-01T06:00:00Z"), utc("2027-03-01T06:00:00.001Z")};
    tank.location = GeoPoint(127.0123456789, 38.123456789);
    tank.measured = 2.0;
    tank.limit = 0.0;
    tank.unit = "count";
    tank.confidence = 0.875;
    tank.evidence = {{"detection", "det-17", "obs/detections.csv", "18"}, {"detection", "det-18", "obs/detections.csv", "19"}};
    tank.explanation = "2 battle_tank of KP observed inside DMZ-N (비무장지대 북측) on 2027-03-01; Art. I(6) prohibits them.";

    Finding gap;
    gap.id = "000000000000000200000000000077e0";
    gap.kind = FindingKind::coverage_gap;
    gap.certainty = Certainty::not_applicable;
    gap.rule_id = "cov-1";
    gap.rule_type = "coverage";
    gap.target_id = "DMZ-S";
    gap.span = Interval{UtcTime::min(), UtcTime::max()};
    gap.location = GeoPoint(126.8, 37.8);
    gap.measured = 0.25;
    gap.limit = 0.9;
    gap.unit = "fraction";
    gap.explanation = "";

    Finding waived;
    waived.id = "00000000000000030000000000000b1d";
    waived.kind = FindingKind::exempted;
    waived.certainty = Certainty::possible;
    waived.rule_id = "I-2";
    waived.rule_type = "standoff";
    waived.article = "Art. I(2)";
    waived.target_id = "MDL";
    waived.party = "KR";
    waived.equipment_class = "artillery";
    waived.span = Interval{utc("2027-03-02"), utc("2027-03-03")};
    waived.location = GeoPoint(-0.0, 1e-300);
    waived.measured = 1.9999999999999998;
    waived.limit = 2.0;
    waived.unit = "km";
    waived.confidence = 0.5;
    waived.waiver_id = "W-2027-01";
    waived.evidence = {{"detection", "det-40", "obs/detections.csv", "41"},
                       {"declaration", "decl-3", "obs/declarations.json", "feature 3"},
                       {"image", "img-9", "", ""}};
    waived.explanation = "Artillery 1.9999999999999998 km from the MDL (limit 2 km), exempted by waiver W-2027-01.\nSecond line.";
    // Literal templates (no fields): they render to the sentence itself.
    for (Finding* f : {&tank, &gap, &waived}) f->explanation_template = f->explanation;
    return {tank, gap, waived};
}

std::vector<Problem> sample_run_problems() {
    Problem lat = Problem::rejected(ProblemCode::coordinate_out_of_range, "latitude 95 outside [-90, 90]",
                                    Context{}.file("obs/detections.csv").line(7).column(3).field("lat").value("95").expected("[-90, 90]"));
    lat.order = 6;
    Problem cls = Problem::rejected(ProblemCode::unknown_class, "class not in the regime taxonomy",
                                    Context{}.file("obs/detections.csv").line(9).record("det-8").field("class").value("T-1000"));
    cls.order = 8;
    Problem note{Severity::note, ProblemCode::outside_period, "declaration outside the run period", Context{}, 0};
    return {lat, cls, note};
}

storage::RunSummary sample_summary() {
    storage::RunSummary s;
    s.finished = utc("2027-03-04T10:16:30.500Z");
    s.status = "complete";
    s.inputs = {{"detections", "obs/detections.csv", "", 0, 120, 2}, {"declarations", "obs/declarations.json", "", 0, 7, 1}};
    s.rows = {{"I-1", "violation", "certain", 1}, {"cov-1", "coverage_gap", "n/a", 1}, {"I-2", "exempted", "possible", 1}};
    return s;
}

void write_sample_store(const std::string& path, const std::string& run_id, bool with_zone_set) {
    storage::StoreTransaction tx(path);
    if (with_zone_set) {
        tx.write_zone_set(sample_zone_set("dmz-2027"));
    }
    auto run = tx.begin_run(sample_run_header(run_id));
    auto findings = sample_findings();
    // Two batches, as the pipeline appends them.
    run.append_findings({findings[0]});
    run.append_findings({findings[1], findings[2]});
    run.append_problems(sample_run_problems());
    run.finish(sample_summary());
    tx.commit();
}

void check_same(const storage::InputFile& e, const storage::InputFile& a) {
    CHECK(a.role == e.role);
    CHECK(a.path == e.path);
    CHECK(a.sha256 == e.sha256);
    CHECK(a.size == e.size);
    CHECK(a.records_read == e.records_read);
    CHECK(a.records_rejected == e.records_rejected);
}

void check_same(const storage::ZoneSet& e, const storage::ZoneSet& a) {
    CHECK(a.name == e.name);
    CHECK(a.imported_utc == e.imported_utc);
    CHECK(a.options_json == e.options_json);
    REQUIRE(a.sources.size() == e.sources.size());
    for (std::size_t i = 0; i < e.sources.size(); ++i) {
        check_same(e.sources[i], a.sources[i]);
    }
    REQUIRE(a.zones.size() == e.zones.size());
    for (std::size_t i = 0; i < e.zones.size(); ++i) {
        const Zone& x = e.zones[i];
        const Zone& y = a.zones[i];
        INFO("zone " << x.id.str());
        CHECK(y.id == x.id);
        CHECK(y.name == x.name);
        CHECK(y.kind == x.kind);
        CHECK(y.parties == x.parties);
        CHECK(y.parent == x.parent);
        CHECK(y.valid == x.valid);
        CHECK(storage::to_wkb(y.geometry) == storage::to_wkb(x.geometry));
        CHECK(y.geometry.size() == x.geometry.size());
        CHECK(y.source.file == x.source.file);
        CHECK(y.source.layer == x.source.layer);
        CHECK(y.source.feature == x.source.feature);
        CHECK(y.source.index == x.source.index);
    }
    REQUIRE(a.lines.size() == e.lines.size());
    for (std::size_t i = 0; i < e.lines.size(); ++i) {
        const ReferenceLine& x = e.lines[i];
        const ReferenceLine& y = a.lines[i];
        INFO("line " << x.id.str());
        CHECK(y.id == x.id);
        CHECK(y.name == x.name);
        CHECK(y.kind == x.kind);
        CHECK(y.parties == x.parties);
        CHECK(y.valid == x.valid);
        CHECK(storage::to_wkb(y.geometry) == storage::to_wkb(x.geometry));
        CHECK(y.source.file == x.source.file);
        CHECK(y.source.feature == x.source.feature);
    }
    REQUIRE(a.problems.size() == e.problems.size());
    for (std::size_t i = 0; i < e.problems.size(); ++i) {
        check_same(e.problems[i], a.problems[i]);
    }
}

void check_same(const Finding& e, const Finding& a) {
    INFO("finding " << e.id);
    CHECK(a.id == e.id);
    CHECK(a.kind == e.kind);
    CHECK(a.certainty == e.certainty);
    CHECK(a.rule_id == e.rule_id);
    CHECK(a.rule_type == e.rule_type);
    CHECK(a.article == e.article);
    CHECK(a.target_id == e.target_id);
    CHECK(a.party == e.party);
    CHECK(a.equipment_class == e.equipment_class);
    CHECK(a.span == e.span);
    // Bit-exact doubles: the store must not round (and -0.0 must stay -0.0).
    auto same_bits = [](double x, double y) { return std::bit_cast<std::uint64_t>(x) == std::bit_cast<std::uint64_t>(y); };
    CHECK(same_bits(a.location.x(), e.location.x()));
    CHECK(same_bits(a.location.y(), e.location.y()));
    CHECK(same_bits(a.measured, e.measured));
    CHECK(same_bits(a.limit, e.limit));
    CHECK(a.unit == e.unit);
    CHECK(same_bits(a.confidence, e.confidence));
    CHECK(a.waiver_id == e.waiver_id);
    CHECK(a.explanation == e.explanation);
    REQUIRE(a.evidence.size() == e.evidence.size());
    for (std::size_t i = 0; i < e.evidence.size(); ++i) {
        CHECK(a.evidence[i].record_kind == e.evidence[i].record_kind);
        CHECK(a.evidence[i].record_id == e.evidence[i].record_id);
        CHECK(a.evidence[i].source_file == e.evidence[i].source_file);
        CHECK(a.evidence[i].source_position == e.evidence[i].source_position);
    }
}

void check_same(const Problem& e, const Problem& a) {
    INFO("problem " << e.describe());
    CHECK(a.severity == e.severity);
    CHECK(a.code == e.code);
    CHECK(a.message == e.message);
    CHECK(a.order == e.order);
    CHECK(a.where.file() == e.where.file());
    CHECK(a.where.layer() == e.where.layer());
    CHECK(a.where.feature() == e.where.feature());
    CHECK(a.where.record() == e.where.record());
    CHECK(a.where.line() == e.where.line());
    CHECK(a.where.column() == e.where.column());
    CHECK(a.where.field() == e.where.field());
    CHECK(a.where.value() == e.where.value());
    CHECK(a.where.expected() == e.where.expected());
    CHECK(a.describe() == e.describe());
}

std::string file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace avf::test
