// The imagery members of a run (schema 2): images, flights and coverage round-trip bit for bit,
// are covered by the run's commit record (verify sees damage in them), and a run with imagery
// added to the committed schema-1 store leaves its old runs verifiable.
#include "core/error.hpp"
#include "storage/store.hpp"
#include "tests/storage/sample_store.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <hdf5.h>

#include <cmath>
#include <filesystem>
#include <limits>

using namespace avf;
using namespace avf::storage;

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

MultiPolygon box(double x0, double y0, double x1, double y1) {
    Polygon p;
    p.outer() = {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}};
    return MultiPolygon{p};
}

RunImagery sample_imagery() {
    RunImagery out;
    ImageRecord im;
    im.id = ImageId{"OS7012-F001"};
    im.flight_id = "OS7012";
    im.mission = "OS7012";
    im.platform = "Tu-214ON";
    im.instruments = "KS-87E vertical,KS-87E oblique";
    im.observing_party = "RUS";
    im.observed_party = "LVA";
    im.sensor = SensorCategory::optical;
    im.acquisition = Interval{*parse_utc("2027-03-16T08:31:05Z"), *parse_utc("2027-03-16T08:31:05Z")};
    im.footprint = box(27.29, 56.49, 27.31, 56.50);
    im.gsd = Meters{0.32};
    im.height = Meters{905.0};
    im.off_nadir = nan;
    im.sar_range_resolution = Meters{nan};
    im.sar_azimuth_resolution = Meters{nan};
    im.origin = SourceRef{"mission/images.json", "", "feature 0", 0};
    out.images.push_back(im);
    im.id = ImageId{"OS7012-S001"};
    im.sensor = SensorCategory::sar;
    im.gsd = Meters{3.0};
    im.sar_range_resolution = Meters{3.0};
    im.sar_azimuth_resolution = Meters{3.1};
    im.sar_polarizations = "HH,HV";
    im.origin = SourceRef{"mission/images.json", "", "feature 1", 1};
    out.images.push_back(im);

    FlightRecord f;
    f.flight_id = "OS7012";
    f.track_file = "mission/tracks.csv";
    f.route_file = "mission/route.geojson";
    f.fixes = 3;
    f.sensor_on_fixes = 1;
    f.first_fix = *parse_utc("2027-03-16T08:00:00Z");
    f.last_fix = *parse_utc("2027-03-16T08:02:00Z");
    f.length_m = 12345.678;
    f.min_height_m = 900.0;
    f.track = LineString{{24.0, 56.9}, {24.1, 56.9}, {24.2, 56.95}};
    f.route = LineString{{24.0, 56.9}, {24.2, 56.9}};
    out.flights.push_back(f);
    FlightRecord planned_only;
    planned_only.flight_id = "OS7013";
    planned_only.route_file = "mission/route.geojson";
    planned_only.first_fix = planned_only.last_fix = UtcTime::min();
    planned_only.min_height_m = nan;
    planned_only.route = LineString{{25.0, 56.0}, {25.5, 56.0}};
    out.flights.push_back(planned_only);

    CoverageRecord c;
    c.rule_id = "os-coverage";
    c.zone_id = "OA-REZ";
    c.period = Interval{*parse_utc("2027-03-01"), *parse_utc("2027-04-01")};
    c.zone_area_m2 = 11.9e6;
    c.covered_area_m2 = 5.1e6;
    c.fraction = 5.1 / 11.9;
    c.required_fraction = 0.9;
    c.best_gsd_m = 0.32;
    c.last_observed = *parse_utc("2027-03-16T08:31:05Z");
    c.images = 9;
    c.finding_id = "0123456789abcdef0123456789abcdef";
    c.uncovered = box(27.30, 56.50, 27.37, 56.515);
    out.coverage.push_back(c);
    c.zone_id = "OA-DGP";
    c.fraction = 1.0;
    c.best_gsd_m = nan;
    c.last_observed = UtcTime::min();
    c.images = 0;
    c.finding_id.clear();
    c.uncovered.clear();
    out.coverage.push_back(c);
    return out;
}

RunHeader imagery_header(const std::string& run_id) {
    RunHeader h = test::sample_run_header(run_id);
    h.inputs.push_back({"imagery", "mission/images.json", std::string(64, 'a'), 1000, 2, 0});
    h.inputs.push_back({"tracks", "mission/tracks.csv", std::string(64, 'b'), 2000, 3, 0});
    h.inputs.push_back({"routes", "mission/route.geojson", std::string(64, 'c'), 300, 2, 0});
    return h;
}

void write_imagery_run(const std::string& path, const std::string& run_id, const RunImagery& imagery) {
    StoreTransaction tx(path);
    auto run = tx.begin_run(imagery_header(run_id));
    run.append_findings(test::sample_findings());
    run.write_imagery(imagery);
    RunSummary s;
    s.finished = *parse_utc("2027-03-16T12:00:00Z");
    run.finish(s);
    tx.commit();
}

bool same(double a, double b) {
    return (std::isnan(a) && std::isnan(b)) || a == b;
}

// Bit for bit: every coordinate of every ring equal.
bool same_rings(const Ring& a, const Ring& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].x() != b[i].x() || a[i].y() != b[i].y()) return false;
    return true;
}
bool identical(const MultiPolygon& a, const MultiPolygon& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!same_rings(a[i].outer(), b[i].outer()) || a[i].inners().size() != b[i].inners().size()) return false;
        for (std::size_t k = 0; k < a[i].inners().size(); ++k)
            if (!same_rings(a[i].inners()[k], b[i].inners()[k])) return false;
    }
    return true;
}

} // namespace

TEST_CASE("images, flights and coverage round-trip and are verified", "[store][imagery]") {
    test::TempDir tmp;
    const std::string path = (tmp.path() / "s.h5").string();
    test::write_sample_store(path, "run-plain");
    const RunImagery in = sample_imagery();
    write_imagery_run(path, "run-imagery", in);

    StoreReader store(path);
    CHECK(store.schema_version() == 5);
    CHECK(store.read_imagery("run-plain").images.empty()); // a run without imagery has none of the members
    const RunImagery out = store.read_imagery("run-imagery");
    REQUIRE(out.images.size() == 2);
    for (std::size_t i = 0; i < 2; ++i) {
        const auto &a = in.images[i], &b = out.images[i];
        CHECK(a.id == b.id);
        CHECK(a.instruments == b.instruments);
        CHECK(a.sensor == b.sensor);
        CHECK(a.acquisition == b.acquisition);
        CHECK(a.gsd.value == b.gsd.value);
        CHECK(same(a.off_nadir, b.off_nadir));
        CHECK(same(a.sar_azimuth_resolution.value, b.sar_azimuth_resolution.value));
        CHECK(a.sar_polarizations == b.sar_polarizations);
        CHECK(a.origin.file == b.origin.file);
        CHECK(a.origin.feature == b.origin.feature);
        CHECK(identical(a.footprint, b.footprint));
    }
    REQUIRE(out.flights.size() == 2);
    CHECK(out.flights[0].track_file == "mission/tracks.csv");
    CHECK(out.flights[0].length_m == 12345.678);
    CHECK(out.flights[0].track.size() == 3);
    CHECK(out.flights[0].route.size() == 2);
    CHECK(out.flights[1].track_file.empty());
    CHECK(out.flights[1].first_fix == UtcTime::min());
    CHECK(std::isnan(out.flights[1].min_height_m));
    REQUIRE(out.coverage.size() == 2);
    CHECK(out.coverage[0].fraction == in.coverage[0].fraction);
    CHECK(out.coverage[0].finding_id == in.coverage[0].finding_id);
    CHECK(identical(out.coverage[0].uncovered, in.coverage[0].uncovered));
    CHECK(std::isnan(out.coverage[1].best_gsd_m));
    CHECK(out.coverage[1].last_observed == UtcTime::min());
    CHECK(out.coverage[1].uncovered.empty());

    auto report = store.verify();
    INFO(report.message);
    CHECK(report.ok);
    CHECK(report.runs_checked == 2);
    CHECK(store.verify_run("run-imagery").ok);
}

TEST_CASE("verify finds a changed byte in the coverage table", "[store][imagery][verify]") {
    test::TempDir tmp;
    const std::string path = (tmp.path() / "s.h5").string();
    write_imagery_run(path, "run-imagery", sample_imagery());
    {
        // Overwrite the first coverage row's required_fraction (0.9 → 0.5) through the C API.
        hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
        REQUIRE(file >= 0);
        hid_t ds = H5Dopen2(file, "/runs/run-imagery/coverage", H5P_DEFAULT);
        REQUIRE(ds >= 0);
        hid_t type = H5Tcreate(H5T_COMPOUND, sizeof(double));
        H5Tinsert(type, "required_fraction", 0, H5T_NATIVE_DOUBLE);
        hsize_t start = 0, count = 1;
        hid_t space = H5Dget_space(ds);
        H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, nullptr, &count, nullptr);
        hid_t mem = H5Screate_simple(1, &count, nullptr);
        double v = 0.5;
        REQUIRE(H5Dwrite(ds, type, mem, space, H5P_DEFAULT, &v) >= 0);
        H5Sclose(mem);
        H5Sclose(space);
        H5Tclose(type);
        H5Dclose(ds);
        H5Fclose(file);
    }
    auto report = StoreReader(path).verify();
    CHECK_FALSE(report.ok);
    CHECK(report.table == "coverage");
}

TEST_CASE("a run with imagery added to the schema-1 store: old runs still verify, the file becomes schema 4", "[store][imagery][v1]") {
    test::TempDir tmp;
    const std::string path = (tmp.path() / "v1.h5").string();
    std::filesystem::copy_file(test::source_path("tests/data/store-v1.h5"), path);
    REQUIRE(StoreReader(path).schema_version() == 1);
    write_imagery_run(path, "run-imagery", sample_imagery());
    StoreReader store(path);
    CHECK(store.schema_version() == 5);
    auto report = store.verify();
    INFO(report.message);
    CHECK(report.ok);
    CHECK(report.runs_checked == 3);
    CHECK(store.read_imagery("run-2027-03-04").coverage.empty());
    CHECK(store.read_imagery("run-imagery").coverage.size() == 2);
}
