// avf zones export, avf coverage export, avf images export (issue 19, item 3), through the real
// binary: every export in every format (GPKG, GeoJSON, CSV with WKT) is read back with OGR and
// holds the store's features — the same count, geometry and attributes; the format comes from the
// extension or -f (GDAL driver names, any case); a bad format name is a usage error; the store
// itself is refused as the output; a full disk leaves no file behind. And what the map reads back
// from a run's input files (uncertainty radii, declarations): only files whose SHA-256 is the
// recorded one, found at the recorded path or under --inputs-dir; otherwise the map says why.
#include "storage/store.hpp"
#include "tests/reliability/workload.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <gdal.h>
#include <nlohmann/json.hpp>
#include <ogr_api.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

using namespace avf;
using avf::reliability::file_sha256;
using avf::reliability::q;
using avf::reliability::run_avf;
namespace fs = std::filesystem;

namespace {

using Part = std::vector<std::pair<double, double>>;

/// A feature as OGR reads it back: its fields as text ("" when null) and its geometry's parts
/// (rings and lines, in order).
struct ReadFeature {
    std::map<std::string, std::string> fields;
    std::vector<Part> parts;
    bool has_geometry = false;
    const std::string& operator[](const std::string& name) const {
        static const std::string none = "(no such field)";
        auto it = fields.find(name);
        return it == fields.end() ? none : it->second;
    }
    double number(const std::string& name) const { return (*this)[name].empty() ? std::nan("") : std::stod((*this)[name]); }
};

void flatten(OGRGeometryH g, std::vector<Part>& out) {
    const int n = OGR_G_GetGeometryCount(g);
    if (n == 0) {
        Part p;
        for (int i = 0; i < OGR_G_GetPointCount(g); ++i) p.emplace_back(OGR_G_GetX(g, i), OGR_G_GetY(g, i));
        if (!p.empty()) out.push_back(std::move(p));
        return;
    }
    for (int i = 0; i < n; ++i) flatten(OGR_G_GetGeometryRef(g, i), out);
}

/// Every feature of an export, by layer: the file's layers (GPKG), or the values of the column
/// `layer` of its one layer (GeoJSON, CSV). Fails the test when the file cannot be opened.
std::map<std::string, std::vector<ReadFeature>> read_export(const std::string& path) {
    GDALAllRegister();
    // GeoJSON's reader would turn the ISO-8601 texts into dates (as QGIS shows them); compare the text.
    const char* const as_text[] = {"DATE_AS_STRING=YES", nullptr};
    const bool geojson = path.size() > 8 && path.substr(path.size() - 8) == ".geojson";
    GDALDatasetH ds = GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, geojson ? as_text : nullptr, nullptr);
    INFO(path);
    REQUIRE(ds != nullptr);
    std::map<std::string, std::vector<ReadFeature>> out;
    for (int l = 0; l < GDALDatasetGetLayerCount(ds); ++l) {
        OGRLayerH layer = GDALDatasetGetLayer(ds, l);
        OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
        OGR_L_ResetReading(layer);
        while (OGRFeatureH f = OGR_L_GetNextFeature(layer)) {
            ReadFeature r;
            for (int i = 0; i < OGR_FD_GetFieldCount(defn); ++i)
                r.fields[OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i))] = OGR_F_IsFieldSetAndNotNull(f, i) ? OGR_F_GetFieldAsString(f, i) : "";
            if (OGRGeometryH g = OGR_F_GetGeometryRef(f); g && !OGR_G_IsEmpty(g)) {
                r.has_geometry = true;
                flatten(g, r.parts);
            }
            const std::string key = r.fields.count("layer") ? r.fields["layer"] : OGR_L_GetName(layer);
            out[key].push_back(std::move(r));
            OGR_F_Destroy(f);
        }
    }
    GDALClose(ds);
    return out;
}

std::vector<Part> parts_of(const MultiPolygon& mp) {
    std::vector<Part> out;
    auto ring = [&](const Ring& r) {
        Part p;
        for (const GeoPoint& pt : r) p.emplace_back(pt.x(), pt.y());
        out.push_back(std::move(p));
    };
    for (const Polygon& poly : mp) {
        ring(poly.outer());
        for (const Ring& inner : poly.inners()) ring(inner);
    }
    return out;
}
std::vector<Part> parts_of(const MultiLineString& ml) {
    std::vector<Part> out;
    for (const LineString& l : ml) {
        Part p;
        for (const GeoPoint& pt : l) p.emplace_back(pt.x(), pt.y());
        out.push_back(std::move(p));
    }
    return out;
}
std::vector<Part> parts_of(const LineString& l) {
    return parts_of(MultiLineString{l});
}

/// The same vertices, within `tolerance` degrees (GeoJSON: RFC 7946's 7 decimals).
bool same_geometry(const std::vector<Part>& a, const std::vector<Part>& b, double tolerance) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].size() != b[i].size()) return false;
        for (std::size_t k = 0; k < a[i].size(); ++k)
            if (std::abs(a[i][k].first - b[i][k].first) > tolerance || std::abs(a[i][k].second - b[i][k].second) > tolerance) return false;
    }
    return true;
}

std::string time_text(UtcTime t) {
    return t.is_min() || t.is_max() ? std::string() : format_utc(t);
}

bool same_number(double expected, double read) {
    if (std::isnan(expected)) return std::isnan(read);
    return std::abs(expected - read) <= 1e-9 * std::max(1.0, std::abs(expected));
}

/// The demo store with the demo's whole run: detections, declarations, the mission's imagery,
/// track and route (coverage rows, footprints, a flight).
std::string store_with_mission_run(const test::TempDir& tmp) {
    std::string store = reliability::demo_store(tmp.path() / "s.h5");
    std::string out;
    const int code =
        run_avf("run --regime datasets/demo/regime.toml --store " + q(store) +
                    " --detections datasets/demo/detections.csv datasets/demo/exercise_detections.csv"
                    " --declarations datasets/demo/declarations.csv --from 2027-03-01 --to 2027-04-01 --quiet --top 0"
                    " --imagery datasets/mission/images.json --tracks datasets/mission/tracks.csv --routes datasets/mission/route.geojson",
                out);
    INFO(out);
    REQUIRE(code == 0);
    return store;
}

struct Format {
    const char* extension;
    const char* flag; ///< -f value ("" = inferred from the extension), in odd cases on purpose
    double tolerance;
};
// GPKG keeps doubles; CSV's WKT 15 significant digits; GeoJSON (RFC 7946) 7 decimals.
const Format formats[] = {{"gpkg", "", 1e-12}, {"geojson", "", 6e-8}, {"csv", "", 1e-11}, {"out", "gPkG", 1e-12}, {"txt", "csv", 1e-11}};

std::string format_args(const Format& f) {
    return std::string(f.flag).empty() ? "" : std::string(" -f ") + f.flag;
}

std::set<std::string> names_in(const fs::path& dir) {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
    return out;
}

} // namespace

TEST_CASE("zones export writes the zone set's zones and lines, read back by OGR equal to the store's", "[cli][export]") {
    test::TempDir tmp;
    const std::string store = reliability::demo_store(tmp.path() / "s.h5");
    const storage::ZoneSet set = storage::StoreReader(store).read_zone_set("demo");
    REQUIRE(!set.zones.empty());
    REQUIRE(!set.lines.empty());
    std::map<std::string, std::string> digests;
    for (const auto& in : set.sources) digests[in.path] = in.sha256;
    for (const Format& fmt : formats) {
        const std::string output = (tmp.path() / (std::string("zones.") + fmt.extension)).string();
        std::string out;
        const int code = run_avf("zones export --store " + q(store) + " -o " + q(output) + format_args(fmt), out);
        INFO(fmt.extension << " " << fmt.flag << "\n" << out);
        REQUIRE(code == 0);
        auto layers = read_export(output);
        REQUIRE(layers.size() == 2);
        REQUIRE(layers["zones"].size() == set.zones.size());
        REQUIRE(layers["lines"].size() == set.lines.size());
        std::map<std::string, const ReadFeature*> by_id;
        for (const auto& f : layers["zones"]) by_id[f["id"]] = &f;
        for (const auto& f : layers["lines"]) by_id[f["id"]] = &f;
        for (const Zone& z : set.zones) {
            INFO("zone " << z.id.str());
            REQUIRE(by_id.count(z.id.str()));
            const ReadFeature& f = *by_id[z.id.str()];
            CHECK(f["set"] == "demo");
            CHECK(f["name"] == z.name);
            CHECK(f["kind"] == z.kind);
            CHECK(f["parties"] == z.parties);
            CHECK(f["parent"] == z.parent);
            CHECK(f["valid_from"] == time_text(z.valid.from));
            CHECK(f["valid_to"] == time_text(z.valid.to));
            CHECK(f["source_file"] == z.source.file);
            CHECK(f["source_feature"] == z.source.feature);
            CHECK(f["source_sha256"] == digests[z.source.file]);
            CHECK(f.number("area_km2") > 0);
            CHECK(same_geometry(f.parts, parts_of(z.geometry), fmt.tolerance));
        }
        for (const ReferenceLine& l : set.lines) {
            INFO("line " << l.id.str());
            REQUIRE(by_id.count(l.id.str()));
            const ReadFeature& f = *by_id[l.id.str()];
            CHECK(f["name"] == l.name);
            CHECK(f["kind"] == l.kind);
            CHECK(f["parties"] == l.parties);
            CHECK(f["source_file"] == l.source.file);
            CHECK(f.number("length_km") > 0);
            CHECK(same_geometry(f.parts, parts_of(l.geometry), fmt.tolerance));
        }
    }
}

TEST_CASE("coverage export and images export write a run's unimaged parts, footprints, tracks and routes as the store holds them", "[cli][export]") {
    test::TempDir tmp;
    const std::string store = store_with_mission_run(tmp);
    storage::StoreReader reader(store);
    const std::string run = *reader.latest_run();
    const storage::RunImagery imagery = reader.read_imagery(run);
    REQUIRE(!imagery.coverage.empty());
    REQUIRE(!imagery.images.empty());
    REQUIRE(!imagery.flights.empty());
    std::size_t gaps = 0, with_geometry = 0;
    for (const auto& c : imagery.coverage) {
        gaps += c.fraction < c.required_fraction ? 1 : 0;
        with_geometry += c.uncovered.empty() ? 0 : 1;
    }
    REQUIRE(gaps > 0);
    REQUIRE(with_geometry > 0);

    for (const Format& fmt : formats) {
        INFO(fmt.extension << " " << fmt.flag);
        std::string out;
        // Coverage: every row of the run's coverage table; the store's option order and the export's both parse.
        const std::string coverage = (tmp.path() / (std::string("coverage.") + fmt.extension)).string();
        REQUIRE(run_avf("coverage --store " + q(store) + " export -o " + q(coverage) + format_args(fmt), out) == 0);
        auto layers = read_export(coverage);
        REQUIRE(layers.size() == 1);
        const auto& rows = layers["coverage"];
        REQUIRE(rows.size() == imagery.coverage.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const CoverageRecord& c = imagery.coverage[i];
            const ReadFeature& f = rows[i];
            INFO("coverage row " << i << ": " << c.rule_id << " " << c.zone_id);
            CHECK(f["run"] == run);
            CHECK(f["rule"] == c.rule_id);
            CHECK(f["zone"] == c.zone_id);
            CHECK(f["period_from"] == time_text(c.period.from));
            CHECK(f["period_to"] == time_text(c.period.to));
            CHECK(same_number(c.fraction, f.number("fraction")));
            CHECK(same_number(c.required_fraction, f.number("required")));
            CHECK(f["status"] == (std::isnan(c.required_fraction) ? "reported" : c.fraction < c.required_fraction ? "gap" : "covered"));
            CHECK(f["finding_id"] == c.finding_id);
            CHECK(f.has_geometry == !c.uncovered.empty());
            CHECK(same_geometry(f.parts, parts_of(c.uncovered), fmt.tolerance));
        }
        // --gaps, after `export` this time: only the zone-periods below their fraction.
        const std::string gap_file = (tmp.path() / (std::string("gaps.") + fmt.extension)).string();
        REQUIRE(run_avf("coverage export -o " + q(gap_file) + format_args(fmt) + " --store " + q(store) + " --gaps", out) == 0);
        CHECK(read_export(gap_file)["coverage"].size() == gaps);

        // Images: footprints, tracks and routes.
        const std::string images = (tmp.path() / (std::string("images.") + fmt.extension)).string();
        REQUIRE(run_avf("images export --store " + q(store) + " --run " + q(run) + " -o " + q(images) + format_args(fmt), out) == 0);
        layers = read_export(images);
        REQUIRE(layers["images"].size() == imagery.images.size());
        std::size_t tracks = 0, routes = 0;
        for (const auto& fl : imagery.flights) {
            tracks += fl.track.empty() ? 0 : 1;
            routes += fl.route.empty() ? 0 : 1;
        }
        REQUIRE(tracks > 0);
        REQUIRE(routes > 0);
        REQUIRE(layers["tracks"].size() == tracks);
        REQUIRE(layers["routes"].size() == routes);
        for (std::size_t i = 0; i < imagery.images.size(); ++i) {
            const ImageRecord& im = imagery.images[i];
            const ReadFeature& f = layers["images"][i];
            INFO("image " << im.id.str());
            CHECK(f["id"] == im.id.str());
            CHECK(f["run"] == run);
            CHECK(f["flight_id"] == im.flight_id);
            CHECK(f["observing_party"] == im.observing_party);
            CHECK(f["observed_party"] == im.observed_party);
            CHECK(f["sensor"] == std::string(to_string(im.sensor)));
            CHECK(f["acquired_from"] == time_text(im.acquisition.from));
            CHECK(f["acquired_to"] == time_text(im.acquisition.to));
            CHECK(same_number(im.gsd.value, f.number("gsd_m")));
            CHECK(f["source_file"] == im.origin.file);
            CHECK(same_geometry(f.parts, parts_of(im.footprint), fmt.tolerance));
        }
        std::size_t t = 0, r = 0;
        for (const auto& fl : imagery.flights) {
            INFO("flight " << fl.flight_id);
            if (!fl.track.empty()) {
                const ReadFeature& f = layers["tracks"][t++];
                CHECK(f["flight_id"] == fl.flight_id);
                CHECK(f.number("fixes") == static_cast<double>(fl.fixes));
                CHECK(f["first_fix"] == format_utc(fl.first_fix));
                CHECK(f["last_fix"] == format_utc(fl.last_fix));
                CHECK(same_number(fl.length_m / 1e3, f.number("length_km")));
                CHECK(same_geometry(f.parts, parts_of(fl.track), fmt.tolerance));
            }
            if (!fl.route.empty()) {
                const ReadFeature& f = layers["routes"][r++];
                CHECK(f["flight_id"] == fl.flight_id);
                CHECK(f["source_file"] == fl.route_file);
                CHECK(same_geometry(f.parts, parts_of(fl.route), fmt.tolerance));
            }
        }
    }
}

TEST_CASE("an export to the store's own path is refused and the store stays intact", "[cli][export]") {
    test::TempDir tmp;
    const std::string store = store_with_mission_run(tmp);
    const std::string before = file_sha256(store);
    fs::create_symlink(store, tmp.path() / "link.gpkg"); // a name whose extension gives a format
    for (const std::string& cmd : {std::string("zones export"), std::string("coverage export"), std::string("images export")}) {
        for (const std::string& target : {" -f GPKG -o " + q(store), " -o " + q((tmp.path() / "link.gpkg").string())}) {
            for (const char* flag : {"", " --overwrite"}) {
                std::string out;
                const int code = run_avf(cmd + " --store " + q(store) + target + flag, out);
                INFO(cmd << target << flag << "\n" << out);
                CHECK(code == 2);
                CHECK_THAT(out, Catch::Contains("is the store or an input of this command"));
                REQUIRE(file_sha256(store) == before);
            }
        }
    }
    CHECK(names_in(tmp.path()) == std::set<std::string>{"s.h5", "s.h5.d", "s.h5.lock", "link.gpkg"});
    std::string out;
    CHECK(run_avf("audit verify " + q(store), out) == 0);
}

TEST_CASE("a bad export format is a usage error naming the formats, before anything is written", "[cli][export]") {
    test::TempDir tmp;
    const std::string store = store_with_mission_run(tmp);
    const std::string shp = (tmp.path() / "zones.shp").string();
    for (const std::string& cmd : {std::string("zones export"), std::string("coverage export"), std::string("images export")}) {
        std::string out;
        INFO(cmd);
        CHECK(run_avf(cmd + " --store " + q(store) + " -f ESRI_Shapefile -o " + q(shp), out) == 2);
        CHECK_THAT(out, Catch::Contains("unknown --format 'ESRI_Shapefile'"));
        CHECK_THAT(out, Catch::Contains("one of: gpkg, geojson, csv"));           // as findings export names its formats
        CHECK(run_avf(cmd + " --store " + q(store) + " -o " + q(shp), out) == 2); // nothing to infer it from
        CHECK_THAT(out, Catch::Contains("cannot tell the format"));
        CHECK(run_avf(cmd + " --store " + q(store) + " -o " + q(shp) + " -f geojson", out) == 0); // any case, any name
        CHECK(fs::remove(shp));
    }
    std::string out;
    CHECK(run_avf("coverage export -o " + q((tmp.path() / "c.gpkg").string()), out) == 2); // avf coverage's --store is required
    CHECK_THAT(out, Catch::Contains("--store"));
    CHECK(names_in(tmp.path()) == std::set<std::string>{"s.h5", "s.h5.d", "s.h5.lock"});
}

TEST_CASE("a full disk during an export leaves no file, and an existing one untouched", "[cli][export]") {
    test::TempDir tmp;
    const std::string store = store_with_mission_run(tmp);
    const fs::path dir = tmp.path() / "out";
    fs::create_directory(dir);
    const std::string existing = tmp.write("out/existing.geojson", "precious\n");
    // RLIMIT_FSIZE stops every write past `kib` KiB (EFBIG; SIGXFSZ ignored so that the error
    // reaches avf): 0, no write at all; 4, midway (the demo's coverage CSV is smaller).
    auto limited = [&](int kib, const std::string& args, std::string& out) {
        return test::run_command("cd " + q(AVF_SOURCE_DIR) + " && bash -c " +
                                     q("trap '' XFSZ; ulimit -f " + std::to_string(kib) + "; exec " + q(test::avf_binary()) + " " + args),
                                 out);
    };
    for (int kib : {0, 4})
        for (const char* cmd : {"zones export", "coverage export", "images export"})
            for (const char* ext : {"gpkg", "geojson", "csv"}) {
                if (kib == 4 && std::string(cmd) == "coverage export" && std::string(ext) != "gpkg") continue; // under 4 KiB
                std::string out;
                const int code =
                    limited(kib, std::string(cmd) + " --store " + q(store) + " -o " + q((dir / (std::string("x.") + ext)).string()), out);
                INFO(kib << " KiB: " << cmd << " " << ext << "\n" << out);
                CHECK(code == 4);
                CHECK_THAT(out, Catch::Contains("x." + std::string(ext)));
                CHECK(names_in(dir) == std::set<std::string>{"existing.geojson"});
            }
    std::string out;
    CHECK(limited(4, "zones export --store " + q(store) + " --overwrite -o " + q(existing), out) == 4);
    std::ifstream in(existing);
    std::string line;
    std::getline(in, line);
    CHECK(line == "precious");
}

namespace {
/// The data `avf map` wrote into its page (the JSON of <script id="avf-map-data">).
nlohmann::json map_data(const fs::path& html) {
    std::ifstream in(html);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string page = ss.str(), open = "<script type=\"application/json\" id=\"avf-map-data\">";
    const auto from = page.find(open);
    REQUIRE(from != std::string::npos);
    const auto begin = from + open.size();
    return nlohmann::json::parse(page.substr(begin, page.find("</script>", begin) - begin));
}
std::size_t disks(const nlohmann::json& data) {
    const auto& fields = data["findings"]["fields"];
    const auto column = static_cast<std::size_t>(std::find(fields.begin(), fields.end(), "uncertainty_m") - fields.begin());
    REQUIRE(column < fields.size());
    std::size_t n = 0;
    for (const auto& row : data["findings"]["rows"]) n += row[column].is_number() && row[column].get<double>() > 0 ? 1 : 0;
    return n;
}
std::string notes(const nlohmann::json& data) {
    std::string out;
    for (const auto& m : data["missing"]) out += m.get<std::string>() + "\n";
    return out;
}
} // namespace

TEST_CASE("the map draws uncertainty disks and declared places from the run's input files only when their SHA-256 is the recorded one",
          "[cli][map]") {
    test::TempDir tmp;
    const std::string store = store_with_mission_run(tmp); // inputs recorded as datasets/demo/… (relative to the source tree)
    const std::string avf = q(test::avf_binary());
    std::string out;
    // At the recorded paths (from the source tree): both layers, no note.
    REQUIRE(run_avf("map --store " + q(store) + " -o " + q((tmp.path() / "here.html").string()), out) == 0);
    nlohmann::json here = map_data(tmp.path() / "here.html");
    INFO(notes(here));
    CHECK(disks(here) > 0);
    CHECK(here["declared"].size() == 33); // datasets/demo/declarations.csv
    CHECK(notes(here).find("Uncertainty disks") == std::string::npos);
    CHECK(notes(here).find("Declared places") == std::string::npos);

    // Elsewhere, without --inputs-dir: not found, said on the map.
    REQUIRE(test::run_command("cd " + q(tmp.path().string()) + " && " + avf + " map --store s.h5 -o away.html", out) == 0);
    nlohmann::json away = map_data(tmp.path() / "away.html");
    CHECK(disks(away) == 0);
    CHECK(away["declared"].empty());
    CHECK_THAT(notes(away), Catch::Contains("Uncertainty disks: not drawn") && Catch::Contains("Declared places: not drawn") &&
                                Catch::Contains("datasets/demo/declarations.csv: not found"));

    // --inputs-dir with the detections as they were and the declarations changed by one line.
    const fs::path moved = tmp.path() / "moved" / "datasets" / "demo";
    fs::create_directories(moved);
    for (const char* name : {"detections.csv", "exercise_detections.csv", "declarations.csv"})
        fs::copy_file(fs::path(AVF_SOURCE_DIR) / "datasets" / "demo" / name, moved / name);
    {
        std::ofstream more(moved / "declarations.csv", std::ios::app);
        more << "LVA-X-1,LVA,x,battle_tank,1,24.1,56.9,1000,,,2027-03-01,2027-04-01,deployment,x,\n";
    }
    REQUIRE(test::run_command("cd " + q(tmp.path().string()) + " && " + avf + " map --store s.h5 -o moved.html --inputs-dir moved", out) == 0);
    nlohmann::json found = map_data(tmp.path() / "moved.html");
    INFO(notes(found));
    CHECK(disks(found) == disks(here));
    CHECK(found["findings"]["rows"] == here["findings"]["rows"]);
    CHECK(found["declared"].empty());
    CHECK_THAT(notes(found), Catch::Contains("declarations.csv is not the file the run read (its SHA-256 differs from the recorded one)"));
    CHECK(notes(found).find("Uncertainty disks") == std::string::npos);
}
