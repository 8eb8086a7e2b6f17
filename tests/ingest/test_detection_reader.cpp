// The detections reader: every field of good records, every defect with its problem code, line
// and field, the same records whatever the format (CSV, GeoJSON, GeoJSONSeq, a projected
// GeoPackage) or the block cutting, locale-proof numbers, parallel block parsing. (The duplicate
// id filter and its hash: test_duplicate_ids.cpp.)
#include "core/error.hpp"
#include "ingest/detection_reader.hpp"
#include "ingest/duplicate_ids.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <clocale>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <locale>
#include <sstream>
#include <thread>

using namespace avf;
using namespace avf::ingest;

namespace {

const std::string k_header = "id,time,lon,lat,class,count,confidence,source,uncertainty_m,party,source_record,model\n";

Taxonomy make_taxonomy() {
    Taxonomy t;
    t.add_class("battle_tank", {"K2", "K1A2", "T-72", "T-72B3"});
    t.add_class("artillery", {"K9", "2S19"});
    t.add_class("acv", {"K21", "BMP-2"});
    t.add_class("mlrs", {"K239"});
    t.add_class("troops", {});
    return t;
}

struct ReadAll {
    std::vector<Detection> detections;
    CollectingProblemSink problems;
};

// Reads a whole file the way a caller does: batches, then the in-order duplicate check.
ReadAll read_all(const std::string& path, const Taxonomy& taxonomy, CsvReadOptions csv = {}, std::size_t batch = 1000, bool strict = false) {
    DetectionParseOptions options;
    options.taxonomy = &taxonomy;
    options.csv = csv;
    auto source = open_detections(path, options);
    DuplicateIdFilter ids;
    ReadAll r{{}, CollectingProblemSink(strict)};
    std::vector<Detection> b;
    while (source->next_batch(b, r.problems, batch)) {
        REQUIRE(b.size() <= batch);
        for (Detection& d : b)
            if (ids.check_unique(d, r.problems)) r.detections.push_back(std::move(d));
    }
    CHECK(b.empty());
    return r;
}

// "line field code" (or "feature …" for OGR), ordered by position, for one severity.
std::vector<std::string> summary(const CollectingProblemSink& sink, Severity severity = Severity::rejected) {
    std::vector<const Problem*> ps;
    for (const Problem& p : sink.problems())
        if (p.severity == severity) ps.push_back(&p);
    std::stable_sort(ps.begin(), ps.end(), [](const Problem* a, const Problem* b) { return a->order < b->order; });
    std::vector<std::string> out;
    for (const Problem* p : ps) {
        const std::string where = p->where.line() ? std::to_string(*p->where.line()) : "feature " + p->where.feature();
        out.push_back(where + " " + p->where.field() + " " + std::string(to_string(p->code)));
    }
    return out;
}

void check_same(const Detection& a, const Detection& b, bool with_origin) {
    INFO("detection " << a.id.str() << " vs " << b.id.str());
    CHECK(a.id == b.id);
    CHECK(a.time == b.time);
    CHECK(a.position.x() == b.position.x());
    CHECK(a.position.y() == b.position.y());
    CHECK(a.uncertainty == b.uncertainty);
    CHECK(a.equipment_class == b.equipment_class);
    CHECK(a.model == b.model);
    CHECK(a.count == b.count);
    CHECK(a.confidence == b.confidence);
    CHECK(a.party == b.party);
    CHECK(a.source == b.source);
    CHECK(a.source_record == b.source_record);
    if (with_origin) {
        CHECK(a.origin.file == b.origin.file);
        CHECK(a.origin.layer == b.origin.layer);
        CHECK(a.origin.feature == b.origin.feature);
        CHECK(a.origin.index == b.origin.index);
    }
}

UtcTime utc(const char* text) {
    const auto t = parse_utc(text);
    REQUIRE(t);
    return *t;
}

// One detection written as CSV, GeoJSON and GeoJSONSeq. Empty text = absent (null in JSON).
struct Row {
    std::string id, time;
    std::string lon, lat; // as written
    std::string klass, count, confidence, source, uncertainty, party, source_record, model;
};

const std::vector<Row> k_rows = {
    {"D-1", "2027-03-04T10:15:00Z", "127.0512", "38.0133", "battle_tank", "3", "0.9", "imagery", "150", "KOR", "IMG-1", "K2"},
    {"D-2", "2027-03-04T10:15:30.250+09:00", "126.9", "37.5", "K9", "1", "1", "inspection", "0", "PRK", "", ""},
    {"D-3", "2027-03-05T00:00:00Z", "127.3", "38.2", "", "2", "0.25", "open_source", "12.5", "", "", "T-72B3"},
    {"D-4", "2027-03-05T06:00:00Z", "127.1", "38.1", "acv", "4", "1.5", "imagery", "", "KOR", "IMG-2", "K21"},
    {"D-5", "2027-03-06T12:30:00Z", "126.95", "37.75", "mlrs", "6", "0.6", "monitor_report", "2000", "KOR", "MR-7", "K239"},
};

std::string rows_as_csv(const std::vector<Row>& rows) {
    std::string s = k_header;
    for (const Row& r : rows)
        s += r.id + "," + r.time + "," + r.lon + "," + r.lat + "," + r.klass + "," + r.count + "," + r.confidence + "," + r.source + "," +
             r.uncertainty + "," + r.party + "," + r.source_record + "," + r.model + "\n";
    return s;
}

std::string json_feature(const Row& r) {
    auto str = [](const std::string& v) { return v.empty() ? std::string("null") : '"' + v + '"'; };
    auto num = [](const std::string& v) { return v.empty() ? std::string("null") : v; };
    std::string s = R"({"type":"Feature","properties":{"id":)" + str(r.id);
    s += R"(,"time":)" + str(r.time);
    s += R"(,"class":")" + r.klass + '"'; // "" (not null) when empty: the model then gives the class
    s += R"(,"count":)" + num(r.count);
    s += R"(,"confidence":)" + num(r.confidence);
    s += R"(,"source":)" + str(r.source);
    s += R"(,"uncertainty_m":)" + num(r.uncertainty);
    s += R"(,"party":)" + str(r.party);
    s += R"(,"source_record":)" + str(r.source_record);
    s += R"(,"model":)" + str(r.model);
    s += R"(},"geometry":{"type":"Point","coordinates":[)" + r.lon + "," + r.lat + "]}}";
    return s;
}

std::string rows_as_geojson(const std::vector<Row>& rows) {
    std::string s = R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"features":[)";
    s += '\n';
    for (std::size_t i = 0; i < rows.size(); ++i) s += json_feature(rows[i]) + (i + 1 < rows.size() ? ",\n" : "\n");
    return s + "]}\n";
}

std::string rows_as_geojsonseq(const std::vector<Row>& rows) {
    std::string s;
    for (const Row& r : rows) s += json_feature(r) + "\n";
    return s;
}

// A comma-decimal numeric locale for the process (C library and C++ global locale), restored on
// destruction.
class CommaLocale {
public:
    explicit CommaLocale(const std::filesystem::path& scratch) {
        m_saved_c = std::setlocale(LC_ALL, nullptr);
        m_saved_cpp = std::locale();
        if (const char* p = std::getenv("LOCPATH")) m_saved_locpath = p;

        if (std::setlocale(LC_ALL, "de_DE.UTF-8")) {
            try {
                std::locale::global(std::locale("de_DE.UTF-8"));
                m_name = "de_DE.UTF-8";
                return;
            } catch (const std::exception&) {
                // The C library has it but libstdc++ refuses it: the facet below stands in.
            }
            use_comma_facet("de_DE.UTF-8 (C library) + a comma numpunct facet");
            return;
        }
        // Not installed (the usual case on a build machine): compile a minimal locale whose only
        // definition is LC_NUMERIC with ',' as decimal point, and point glibc at it. The C++
        // global locale gets a comma facet rather than std::locale("avf_comma"): glibc's
        // newlocale() never frees its copy of LOCPATH, which LeakSanitizer would report.
        const auto dir = scratch / "locales";
        std::filesystem::create_directories(dir);
        std::ofstream(scratch / "avf_comma.src") << "LC_NUMERIC\ndecimal_point \",\"\nthousands_sep \".\"\ngrouping 3;3\nEND LC_NUMERIC\n";
        std::string output;
        test::run_command("localedef -c -f ANSI_X3.4-1968 -i " + (scratch / "avf_comma.src").string() + " " + (dir / "avf_comma").string(), output);
        if (std::filesystem::exists(dir / "avf_comma" / "LC_NUMERIC")) {
            ::setenv("LOCPATH", dir.c_str(), 1);
            if (std::setlocale(LC_ALL, "avf_comma")) {
                use_comma_facet("avf_comma, compiled with localedef (C library) + a comma numpunct facet");
                return;
            }
        }
        // Last resort: the C library's numbers stay C; only the C++ global locale uses ','.
        std::setlocale(LC_NUMERIC, "C.UTF-8");
        use_comma_facet("C.UTF-8 + a comma numpunct facet");
    }
    ~CommaLocale() {
        std::setlocale(LC_ALL, m_saved_c.c_str());
        std::locale::global(m_saved_cpp);
        if (m_saved_locpath.empty())
            ::unsetenv("LOCPATH");
        else
            ::setenv("LOCPATH", m_saved_locpath.c_str(), 1);
    }
    CommaLocale(const CommaLocale&) = delete;
    CommaLocale& operator=(const CommaLocale&) = delete;

    const std::string& name() const { return m_name; }
    /// True when the C library itself now reads "12.5" as 12 (the trap is armed).
    bool c_library_affected() const { return std::strtod("12.5", nullptr) == 12.0; }

private:
    struct Comma : std::numpunct<char> {
        char do_decimal_point() const override { return ','; }
        char do_thousands_sep() const override { return '.'; }
    };
    void use_comma_facet(std::string name) {
        std::locale::global(std::locale(std::locale::classic(), new Comma)); // the locale owns the facet
        m_name = std::move(name);
    }

    std::string m_saved_c;
    std::locale m_saved_cpp;
    std::string m_saved_locpath;
    std::string m_name;
};

} // namespace

TEST_CASE("good CSV rows round-trip exactly, every field", "[detections]") {
    const Taxonomy taxonomy = make_taxonomy();
    test::TempDir tmp;
    // One fixture row per line (kept out of clang-format).
    // clang-format off
    const auto path = tmp.write("good.csv", k_header +
        "D-1,2027-03-04T10:15:00Z,127.0512,38.0133,battle_tank,3,0.9,imagery,150,KOR,IMG-1,K2\n"
        "D-2,2027-03-04T10:15:30.250+09:00,-0.5,-38.25,K9,1,1,inspection,0,PRK,,\n"
        "D-3,2027-03-05,180,90,,2,0,open_source,,,,T-72B3\n"
        "D-4,2027-03-05T00:00Z,-180,-90,Battle_Tank,7,1e-1,imagery,1.5e3,,,\n"
        " D-5 ,\t2027-03-06T12:00:00Z ,+127.5, 38 , acv , 2 , 0.5 ,imagery, 12.5 ,KOR, IMG-2 , K21 \n"
        "D-6,2027-03-06T12:00:00Z,127,38,troops,40,0.7,monitor_report,1000,KOR,MR-1,\n");
    // clang-format on
    const ReadAll r = read_all(path, taxonomy);
    CHECK(r.problems.size() == 0);
    REQUIRE(r.detections.size() == 6);

    const Detection& d1 = r.detections[0];
    CHECK(d1.id.str() == "D-1");
    CHECK(d1.time == utc("2027-03-04T10:15:00Z"));
    CHECK(d1.position.x() == 127.0512);
    CHECK(d1.position.y() == 38.0133);
    CHECK(d1.uncertainty.value == 150.0);
    CHECK(d1.equipment_class == "battle_tank");
    CHECK(d1.model == "K2");
    CHECK(d1.count == 3);
    CHECK(d1.confidence == 0.9);
    CHECK(d1.party == "KOR");
    CHECK(d1.source == "imagery");
    CHECK(d1.source_record == "IMG-1");
    CHECK(d1.origin.file == path);
    CHECK(d1.origin.layer.empty());
    CHECK(d1.origin.feature == "2");
    CHECK(d1.origin.index == 0);

    const Detection& d2 = r.detections[1];
    CHECK(d2.time == utc("2027-03-04T01:15:30.250Z"));
    CHECK(d2.position.x() == -0.5);
    CHECK(d2.position.y() == -38.25);
    CHECK(d2.equipment_class == "artillery");
    CHECK(d2.model == "K9"); // the raw alias given as class
    CHECK(d2.uncertainty.value == 0.0);
    CHECK(d2.confidence == 1.0);
    CHECK(d2.source_record.empty());
    CHECK(d2.origin.feature == "3");
    CHECK(d2.origin.index == 1);

    const Detection& d3 = r.detections[2];
    CHECK(d3.time == utc("2027-03-05T00:00:00Z"));
    CHECK(d3.position.x() == 180.0);
    CHECK(d3.position.y() == 90.0);
    CHECK(d3.equipment_class == "battle_tank"); // derived from the model
    CHECK(d3.model == "T-72B3");
    CHECK(d3.uncertainty.value == 0.0); // absent → 0
    CHECK(d3.confidence == 0.0);
    CHECK(d3.party.empty());

    const Detection& d4 = r.detections[3];
    CHECK(d4.equipment_class == "battle_tank");
    CHECK(d4.model.empty()); // the canonical class in another case is not a model name
    CHECK(d4.confidence == 0.1);
    CHECK(d4.uncertainty.value == 1500.0);
    CHECK(d4.position.x() == -180.0);

    const Detection& d5 = r.detections[4]; // surrounding blanks trimmed, a leading '+' accepted
    CHECK(d5.id.str() == "D-5");
    CHECK(d5.time == utc("2027-03-06T12:00:00Z"));
    CHECK(d5.position.x() == 127.5);
    CHECK(d5.position.y() == 38.0);
    CHECK(d5.equipment_class == "acv");
    CHECK(d5.count == 2);
    CHECK(d5.uncertainty.value == 12.5);
    CHECK(d5.source_record == "IMG-2");
    CHECK(d5.model == "K21");

    CHECK(r.detections[5].equipment_class == "troops");
    CHECK(r.detections[5].origin.feature == "7");
}

TEST_CASE("each defect of datasets/malformed/detections_bad.csv gives its code, line and field", "[detections]") {
    const Taxonomy taxonomy = make_taxonomy();
    const std::string path = test::source_path("datasets/malformed/detections_bad.csv");
    const ReadAll r = read_all(path, taxonomy);

    REQUIRE(r.detections.size() == 2);
    CHECK(r.detections[0].id.str() == "D-90001");
    CHECK(r.detections[0].equipment_class == "battle_tank");
    CHECK(r.detections[0].model == "K2");
    CHECK(r.detections[0].origin.feature == "2");
    CHECK(r.detections[1].id.str() == "D-90002");
    CHECK(r.detections[1].equipment_class == "artillery");
    CHECK(r.detections[1].model == "K9");

    CHECK(summary(r.problems) == std::vector<std::string>{
                                     "4 lat coordinate_out_of_range",
                                     "5 lon not_finite",
                                     "6 time missing_field",
                                     "7 lat bad_number",
                                     "8 class unknown_class",
                                     "9 count bad_value",
                                     "10 confidence bad_value",
                                     "11 id duplicate_id",
                                     "12 time bad_time",
                                 });
    CHECK(r.problems.count(Severity::rejected) == 9);
    for (const Problem& p : r.problems.problems()) {
        CHECK(p.where.file() == path);
        CHECK(!p.where.record().empty()); // every row here has an id
        if (p.code == ProblemCode::duplicate_id) CHECK_THAT(p.message, Catch::Contains("line 2"));
        if (p.code == ProblemCode::coordinate_out_of_range) CHECK(p.where.value() == "95.0000");
    }
}

TEST_CASE("more defects: one problem per rejected record, naming its first defect", "[detections]") {
    const Taxonomy taxonomy = make_taxonomy();
    test::TempDir tmp;
    const std::string t = "2027-03-04T10:15:00Z";
    const std::string long_text(max_id_length + 1, 'x');
    // One fixture row per line (kept out of clang-format).
    // clang-format off
    const auto path = tmp.write("defects.csv", k_header +
        "X-1," + t + ",,38,acv,1,0.5,imagery,,,,\n" +                        //  2 lon empty
        "X-2," + t + ",127,38,acv,1,0.5,imagery,-1,,,\n" +                   //  3 negative uncertainty
        "X-3," + t + ",127,38,acv,0,0.5,imagery,,,,\n" +                     //  4 count 0
        "X-4," + t + ",127,38,acv,2.5,0.5,imagery,,,,\n" +                   //  5 count 2.5
        "X-5," + t + ",127,38,acv,abc,0.5,imagery,,,,\n" +                   //  6 count not a number
        "X-6," + t + ",127,38,acv,1,inf,imagery,,,,\n" +                     //  7 confidence inf
        "X-7," + t + ",181,38,acv,1,0.5,imagery,,,,\n" +                     //  8 lon 181
        "X-8," + t + ",127,\"12,5\",acv,1,0.5,imagery,,,,\n" +               //  9 decimal comma
        long_text + "," + t + ",127,38,acv,1,0.5,imagery,,,,\n" +            // 10 id too long
        "X-10," + t + ",127,38,acv,1,0.5,imagery,," + long_text + ",,\n" +    // 11 party too long
        "X-11," + t + ",127,38,acv,1,0.5,imagery,,,IMG-\xff,\n" +            // 12 not UTF-8
        "X-12," + t + ",127,38,,1,0.5,imagery,,,,bicycle\n" +                // 13 unknown model, no class
        "X-13," + t + ",127,38,,1,0.5,imagery,,,,\n" +                       // 14 no class, no model
        "X-14," + t + ",127,38\n" +                                          // 15 too few fields
        "X-15," + t + ",127,38,acv,1,0.5,ima\"gery,,,,\n" +                  // 16 quote in an unquoted field
        "X-16," + t + ",127,38,acv,1,0.5,imagery,nan,,,\n" +                 // 17 uncertainty NaN
        "," + t + ",127,38,acv,1,0.5,imagery,,,,\n" +                        // 18 no id
        "X-18,2027-03-04T10:15:00,127,38,acv,1,0.5,imagery,,,,\n" +          // 19 time without zone
        "X-19," + t + ",127,38,acv,1,0.5,,,,,\n" +                           // 20 no source
        "X-20," + t + ",127,38,acv,3.0,0.5,imagery,,,,\n" +                  // 21 good: 3.0 is 3
        "X-21," + t + ",127,1e999,acv,1,0.5,imagery,,,,\n" +                 // 22 out of double range
        "X-22," + t + ",127,38,battle_tank,1,0.5,imagery,,,,K9\n" +          // 23 good, with a note
        "X-23," + t + ",127,38,acv,99999999999999999999,0.5,imagery,,,,\n");  // 24 count too large
    // clang-format on
    const ReadAll r = read_all(path, taxonomy);
    CHECK(summary(r.problems) == std::vector<std::string>{
                                     "2 lon missing_field",
                                     "3 uncertainty_m bad_value",
                                     "4 count bad_value",
                                     "5 count bad_value",
                                     "6 count bad_number",
                                     "7 confidence not_finite",
                                     "8 lon coordinate_out_of_range",
                                     "9 lat bad_number",
                                     "10 id bad_value",
                                     "11 party bad_value",
                                     "12 source_record bad_encoding",
                                     "13 model unknown_class",
                                     "14 class missing_field",
                                     "15  unreadable",
                                     "16  unreadable",
                                     "17 uncertainty_m not_finite",
                                     "18 id missing_field",
                                     "19 time bad_time",
                                     "20 source missing_field",
                                     "22 lat bad_number",
                                     "24 count bad_value",
                                 });
    REQUIRE(r.detections.size() == 2);
    CHECK(r.detections[0].id.str() == "X-20");
    CHECK(r.detections[0].count == 3);
    CHECK(r.detections[1].id.str() == "X-22");
    CHECK(r.detections[1].equipment_class == "battle_tank");
    CHECK(r.detections[1].model == "K9");
    CHECK(summary(r.problems, Severity::note) == std::vector<std::string>{"23 model bad_value"});

    // Messages read as one sentence with the location and the offending value.
    const auto& ps = r.problems.problems();
    const auto lon = std::find_if(ps.begin(), ps.end(), [](const Problem& p) { return p.code == ProblemCode::coordinate_out_of_range; });
    REQUIRE(lon != ps.end());
    CHECK_THAT(lon->describe(), Catch::StartsWith(path + ", record X-7, line 8: rejected (coordinate_out_of_range)"));
    CHECK_THAT(lon->describe(), Catch::EndsWith("field 'lon' = '181'"));
    const auto enc = std::find_if(ps.begin(), ps.end(), [](const Problem& p) { return p.code == ProblemCode::bad_encoding; });
    REQUIRE(enc != ps.end());
    CHECK(enc->where.value() == "IMG-\\xFF"); // the message itself stays valid UTF-8
    const auto columns = std::find_if(ps.begin(), ps.end(), [](const Problem& p) { return p.where.line() == 15; });
    REQUIRE(columns != ps.end());
    CHECK_THAT(columns->message, Catch::Contains("4 fields, the header has 12"));
    CHECK(columns->where.record() == "X-14");
}

TEST_CASE("a NUL byte in a value is an encoding problem", "[detections]") {
    const Taxonomy taxonomy = make_taxonomy();
    test::TempDir tmp;
    std::string row = "N-1,2027-03-04T10:15:00Z,127,38,acv,1,0.5,imagery,,KOR,IMG,K21\n";
    row[row.find("IMG") + 1] = '\0';
    const ReadAll r = read_all(tmp.write("nul.csv", k_header + row), taxonomy);
    CHECK(summary(r.problems) == std::vector<std::string>{"2 source_record bad_encoding"});
    CHECK(r.detections.empty());
}

TEST_CASE("quoting, CRLF line ends and a byte order mark", "[detections]") {
    const Taxonomy taxonomy = make_taxonomy();
    test::TempDir tmp;
    std::string crlf_header = k_header;
    crlf_header.insert(crlf_header.size() - 1, "\r");
    // One fixture row per line (kept out of clang-format).
    // clang-format off
    const auto path = tmp.write("quoted.csv", "\xEF\xBB\xBF" + crlf_header +
        "\"Q-1\",\"2027-03-04T10:15:00Z\",\"127.25\",\"38.5\",\"K2\",\"3\",\"0.75\",\"imagery\",\"10\",\"the \"\"north\"\"\",\"IMG-1,part 2\",\"\"\r\n"
        "Q-2,2027-03-04T10:16:00Z,127.5,38.5,acv,1,0.5,\"open\nsource\",,,,\r\n"
        "Q-3,2027-03-04T10:17:00Z,127.75,38.5,acv,1,0.5,imagery,,,,");
    // clang-format on
    const ReadAll r = read_all(path, taxonomy);
    CHECK(r.problems.size() == 0);
    REQUIRE(r.detections.size() == 3);
    const Detection& q1 = r.detections[0];
    CHECK(q1.id.str() == "Q-1");
    CHECK(q1.position.x() == 127.25);
    CHECK(q1.equipment_class == "battle_tank");
    CHECK(q1.model == "K2");
    CHECK(q1.party == "THE \"NORTH\""); // party codes are upper-cased at read time (issue 16)
    CHECK(q1.source_record == "IMG-1,part 2");
    CHECK(q1.uncertainty.value == 10.0);
    CHECK(r.detections[1].source == "open\nsource");
    CHECK(r.detections[1].origin.feature == "3");
    CHECK(r.detections[2].origin.feature == "5"); // line 5: the quoted newline counts
    CHECK(r.detections[2].source == "imagery");   // no trailing newline, no stray CR
}

TEST_CASE("a missing required column makes the file unusable, naming the column", "[detections]") {
    const Taxonomy taxonomy = make_taxonomy();
    DetectionParseOptions options;
    options.taxonomy = &taxonomy;
    test::TempDir tmp;
    const auto path = tmp.write("nocount.csv", "id,time,lon,lat,class,confidence,source\nA,2027-03-04T10:15:00Z,1,2,acv,0.5,imagery\n");
    try {
        open_detections(path, options);
        FAIL("no InputError");
    } catch (const InputError& e) {
        CHECK_THAT(e.what(), Catch::Contains(path));
        CHECK_THAT(e.what(), Catch::Contains("missing required column 'count'"));
    }
    const auto two = tmp.write("two.csv", "id,time,lat,class,confidence,count\n");
    CHECK_THROWS_WITH(open_detections(two, options), Catch::Contains("'lon', 'source'"));
    const auto dup = tmp.write("dup.csv", "id,time,lon,lat,LAT,class,count,confidence,source\n");
    CHECK_THROWS_WITH(open_detections(dup, options), Catch::Contains("column 'lat' appears twice"));
    DetectionParseOptions no_taxonomy;
    CHECK_THROWS_AS(open_detections(path, no_taxonomy), UsageError);
}

TEST_CASE("unknown columns are ignored with one note, and column order is free", "[detections]") {
    const Taxonomy taxonomy = make_taxonomy();
    test::TempDir tmp;
    // One fixture row per line (kept out of clang-format).
    // clang-format off
    const auto path = tmp.write("extra.csv",
        "Note,SOURCE,count,lat,lon,time,id,confidence,class,analyst\n"
        "seen twice,imagery,2,38.5,127.5,2027-03-04T10:15:00Z,E-1,0.8,K9,kim\n"
        "x,imagery,1,38.6,127.6,2027-03-04T10:16:00Z,E-2,0.9,acv,lee\n");
    // clang-format on
    const ReadAll r = read_all(path, taxonomy);
    REQUIRE(r.detections.size() == 2);
    CHECK(r.detections[0].id.str() == "E-1");
    CHECK(r.detections[0].position.x() == 127.5);
    CHECK(r.detections[0].equipment_class == "artillery");
    CHECK(r.problems.count(Severity::rejected) == 0);
    REQUIRE(r.problems.count(Severity::note) == 1);
    CHECK_THAT(r.problems.problems()[0].message, Catch::Contains("'Note', 'analyst'"));
}

TEST_CASE("any block size, and any split of the blocks, gives the same detections and problems", "[detections]") {
    const Taxonomy taxonomy = make_taxonomy();
    test::TempDir tmp;
    const std::string body = "B-1,2027-03-04T10:15:00Z,127.1,38.1,K2,3,0.9,imagery,150,KOR,\"IMG-1,a\",\n"
                             "B-2,2027-03-04T10:15:00Z,127.2,95,K2,3,0.9,imagery,150,KOR,IMG-1,\n"
                             "B-3,2027-03-04T10:15:00Z,127.3,38.3,acv,1,0.5,\"with \"\"quotes\"\"\",,,,\n"
                             "\n"
                             "B-4,2027-03-04T10:15:00Z,127.4,38.4,acv,1\n"
                             "B-1,2027-03-04T10:15:00Z,127.5,38.5,acv,1,0.5,imagery,,,,\n"
                             "B-5,2027-03-04T10:15:00Z,127.6,38.6,mlrs,2,0.7,imagery,,,,\n";
    const auto path = tmp.write("blocks.csv", k_header + body);
    const ReadAll whole = read_all(path, taxonomy);
    REQUIRE(whole.detections.size() == 3);
    const auto problems = summary(whole.problems);
    CHECK(problems == std::vector<std::string>{"3 lat coordinate_out_of_range", "6  unreadable", "7 id duplicate_id"});

    SECTION("block sizes from 1 byte to the whole file") {
        for (std::size_t block = 1; block <= k_header.size() + body.size(); ++block) {
            INFO("block_bytes = " << block);
            const ReadAll r = read_all(path, taxonomy, CsvReadOptions{.block_bytes = block, .max_record_bytes = 4096}, 1 + block % 3);
            REQUIRE(r.detections.size() == whole.detections.size());
            for (std::size_t i = 0; i < r.detections.size(); ++i) check_same(r.detections[i], whole.detections[i], true);
            CHECK(summary(r.problems) == problems);
        }
    }
    SECTION("parse_detection_block on two blocks cut at every record boundary") {
        DetectionParseOptions options;
        options.taxonomy = &taxonomy;
        CollectingProblemSink notes;
        const auto layout = DetectionCsvLayout::from_header(CsvBlockReader(path).header(), path, 1, notes);
        auto parse = [&](const std::vector<CsvBlock>& blocks) {
            std::vector<Detection> out;
            CollectingProblemSink ps;
            for (const CsvBlock& b : blocks) parse_detection_block(b, layout, options, out, ps);
            std::vector<std::string> codes;
            for (const Problem& p : ps.problems()) codes.push_back(std::to_string(*p.where.line()) + " " + std::string(to_string(p.code)));
            return std::make_pair(out, codes);
        };
        const auto reference = parse({CsvBlock{body, 2, 0}});
        std::uint64_t lines = 0, records = 0;
        for (std::size_t cut = 0; cut <= body.size(); ++cut) {
            if (cut > 0 && body[cut - 1] != '\n') continue;
            if (cut > 0) {
                ++lines;
                if (!(cut >= 2 && body[cut - 2] == '\n')) ++records; // the blank line is no record
            }
            INFO("cut at byte " << cut);
            const auto split = parse({CsvBlock{body.substr(0, cut), 2, 0}, CsvBlock{body.substr(cut), 2 + lines, records}});
            REQUIRE(split.first.size() == reference.first.size());
            for (std::size_t i = 0; i < split.first.size(); ++i) check_same(split.first[i], reference.first[i], true);
            CHECK(split.second == reference.second);
        }
    }
}

TEST_CASE("GeoJSON and GeoJSONSeq inputs give the same detections as the CSV", "[detections][ogr]") {
    const Taxonomy taxonomy = make_taxonomy();
    test::TempDir tmp;
    const auto csv = tmp.write("d.csv", rows_as_csv(k_rows));
    const auto geojson = tmp.write("d.geojson", rows_as_geojson(k_rows));
    const auto seq = tmp.write("d.geojsonl", rows_as_geojsonseq(k_rows));
    CHECK(is_detection_csv(csv));
    CHECK_FALSE(is_detection_csv(geojson));
    CHECK_FALSE(is_detection_csv(seq));

    const ReadAll from_csv = read_all(csv, taxonomy);
    REQUIRE(from_csv.detections.size() == 4);
    CHECK(summary(from_csv.problems) == std::vector<std::string>{"5 confidence bad_value"});
    for (const auto& path : {geojson, seq}) {
        INFO(path);
        const ReadAll r = read_all(path, taxonomy, {}, 2);
        REQUIRE(r.detections.size() == from_csv.detections.size());
        for (std::size_t i = 0; i < r.detections.size(); ++i) {
            check_same(r.detections[i], from_csv.detections[i], false);
            CHECK(r.detections[i].origin.file == path);
            CHECK(r.detections[i].origin.layer == "d");
        }
        CHECK(r.detections[3].origin.feature == "4"); // D-5, the fifth feature
        CHECK(r.detections[3].origin.index == 4);
        CHECK(summary(r.problems) == std::vector<std::string>{"feature 3 confidence bad_value"});
    }
}

TEST_CASE("a projected GeoPackage comes back in lon/lat", "[detections][ogr]") {
    const Taxonomy taxonomy = make_taxonomy();
    test::TempDir tmp;
    const auto geojson = tmp.write("in.geojson", rows_as_geojson(k_rows));
    const std::string gpkg = (tmp.path() / "utm52.gpkg").string();
    std::string output;
    REQUIRE(test::run_command("ogr2ogr -f GPKG -t_srs EPSG:32652 " + gpkg + " " + geojson, output) == 0);

    const ReadAll from_csv = read_all(tmp.write("d.csv", rows_as_csv(k_rows)), taxonomy);
    const ReadAll r = read_all(gpkg, taxonomy);
    REQUIRE(r.detections.size() == from_csv.detections.size());
    for (std::size_t i = 0; i < r.detections.size(); ++i) {
        const Detection& a = r.detections[i];
        const Detection& b = from_csv.detections[i];
        CHECK(std::abs(a.position.x() - b.position.x()) < 1e-7);
        CHECK(std::abs(a.position.y() - b.position.y()) < 1e-7);
        Detection a_at_b = a;
        a_at_b.position = b.position;
        check_same(a_at_b, b, false);
        CHECK(a.origin.layer == "in");
    }
}

TEST_CASE("OGR: non-point and empty geometries are problems, a missing attribute is fatal", "[detections][ogr]") {
    const Taxonomy taxonomy = make_taxonomy();
    test::TempDir tmp;
    const std::string props = R"("time":"2027-03-04T10:15:00Z","class":"acv","count":1,"confidence":0.5,"source":"imagery")";
    // One fixture row per line (kept out of clang-format).
    // clang-format off
    const auto path = tmp.write("geoms.geojson", std::string(R"({"type":"FeatureCollection","features":[)") +
        R"({"type":"Feature","properties":{"id":"G-1",)" + props + R"(},"geometry":{"type":"LineString","coordinates":[[127,38],[127.1,38.1]]}},)" +
        R"({"type":"Feature","properties":{"id":"G-2",)" + props + R"(},"geometry":null},)" +
        R"({"type":"Feature","properties":{"id":"G-3",)" + props + R"(},"geometry":{"type":"Point","coordinates":[127,95]}},)" +
        R"({"type":"Feature","properties":{"id":"G-4",)" + props + R"(},"geometry":{"type":"MultiPoint","coordinates":[[127.2,38.2]]}},)" +
        R"({"type":"Feature","properties":{"id":"G-5",)" + props + R"(},"geometry":{"type":"Point","coordinates":[127.3,38.3]}}]})");
    // clang-format on
    const ReadAll r = read_all(path, taxonomy);
    CHECK(summary(r.problems) == std::vector<std::string>{"feature 0 geometry unsupported_geometry", "feature 1 geometry empty_geometry",
                                                          "feature 2 lat coordinate_out_of_range"});
    REQUIRE(r.detections.size() == 2);
    CHECK(r.detections[0].id.str() == "G-4"); // a one-point MultiPoint is a point
    CHECK(r.detections[0].position.x() == 127.2);
    CHECK(r.problems.problems()[0].where.record() == "G-1");
    CHECK(r.problems.problems()[0].where.layer() == "geoms");

    DetectionParseOptions options;
    options.taxonomy = &taxonomy;
    const auto no_count = tmp.write(
        "nocount.geojson",
        R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"A","time":"2027-03-04T10:15:00Z","class":"acv","confidence":0.5,"source":"imagery"},"geometry":{"type":"Point","coordinates":[127,38]}}]})");
    CHECK_THROWS_WITH(open_detections(no_count, options), Catch::Contains("missing required field 'count'"));
}

TEST_CASE("numbers are read the same under a comma-decimal locale", "[detections][locale]") {
    const Taxonomy taxonomy = make_taxonomy();
    test::TempDir tmp;
    const auto path = tmp.write("locale.csv", k_header + "L-1,2027-03-04T10:15:00.5Z,127.25,38.125,acv,2,0.75,imagery,12.5,,,\n");
    CommaLocale locale(tmp.path());
    INFO("locale: " << locale.name());
    if (locale.c_library_affected()) {
        // The trap is armed: strtod/atof would read 12.5 as 12 here.
        CHECK(std::atof("12.5") == 12.0);
    } else {
        WARN("no comma-decimal C locale could be installed; only the C++ global locale uses ','");
    }
    std::ostringstream formatted;
    formatted << 12.5;
    CHECK(formatted.str() == "12,5"); // the C++ global locale uses a decimal comma too

    const ReadAll r = read_all(path, taxonomy);
    REQUIRE(r.detections.size() == 1);
    CHECK(r.detections[0].uncertainty.value == 12.5);
    CHECK(r.detections[0].position.x() == 127.25);
    CHECK(r.detections[0].position.y() == 38.125);
    CHECK(r.detections[0].confidence == 0.75);
    CHECK(r.detections[0].time.ms % 1000 == 500);
}

TEST_CASE("two threads parsing blocks give the serial result", "[detections][threads]") {
    const Taxonomy taxonomy = make_taxonomy();
    test::TempDir tmp;
    std::string content = k_header;
    const char* classes[] = {"K2", "acv", "K9", "troops", "bicycle", "mlrs"};
    for (int i = 0; i < 20000; ++i) {
        const std::string id = "T-" + std::to_string(i);
        const std::string lat = (i % 997 == 0) ? "91" : std::to_string(37 + (i % 100) / 100.0);
        content += id + ",2027-03-04T10:" + std::to_string(10 + i % 50) + ":00Z,127." + std::to_string(i % 1000) + ",";
        content += lat + "," + classes[i % 6] + "," + std::to_string(1 + i % 9) + ",0." + std::to_string(i % 10) + ",imagery,";
        content += '"' + std::to_string(i % 500) + R"(",KOR,"IMG-)" + std::to_string(i / 100) + "\",\n";
    }
    const auto path = tmp.write("threads.csv", content);
    CsvBlockReader reader(path, CsvReadOptions{.block_bytes = std::size_t{64} * 1024, .max_record_bytes = 4096});
    CollectingProblemSink notes;
    const auto layout = DetectionCsvLayout::from_header(reader.header(), path, reader.header_line(), notes);
    std::vector<CsvBlock> blocks;
    CsvBlock block;
    while (reader.next(block, notes)) blocks.push_back(block);
    REQUIRE(blocks.size() > 4);
    DetectionParseOptions options;
    options.taxonomy = &taxonomy;

    std::vector<Detection> serial;
    CollectingProblemSink serial_problems;
    for (const CsvBlock& b : blocks) parse_detection_block(b, layout, options, serial, serial_problems);

    std::vector<std::vector<Detection>> outs(blocks.size());
    std::vector<CollectingProblemSink> sinks(blocks.size());
    auto work = [&](std::size_t first) {
        for (std::size_t i = first; i < blocks.size(); i += 2) parse_detection_block(blocks[i], layout, options, outs[i], sinks[i]);
    };
    std::thread a(work, 0), b(work, 1);
    a.join();
    b.join();
    std::vector<Detection> parallel;
    CollectingProblemSink parallel_problems;
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        parallel.insert(parallel.end(), outs[i].begin(), outs[i].end());
        parallel_problems.merge(std::move(sinks[i]));
    }

    REQUIRE(parallel.size() == serial.size());
    CHECK(serial.size() > 15000);
    for (std::size_t i = 0; i < serial.size(); ++i) check_same(parallel[i], serial[i], true);
    REQUIRE(parallel_problems.size() == serial_problems.size());
    CHECK(serial_problems.size() > 3000);
    for (std::size_t i = 0; i < serial_problems.size(); ++i)
        CHECK(parallel_problems.problems()[i].describe() == serial_problems.problems()[i].describe());
}

TEST_CASE("batches of any size deliver the same records in order", "[detections]") {
    const Taxonomy taxonomy = make_taxonomy();
    const std::string path = test::source_path("datasets/malformed/detections_bad.csv");
    const ReadAll big = read_all(path, taxonomy, {}, 1000);
    const ReadAll one = read_all(path, taxonomy, {}, 1);
    REQUIRE(one.detections.size() == big.detections.size());
    for (std::size_t i = 0; i < big.detections.size(); ++i) check_same(one.detections[i], big.detections[i], true);
    CHECK(summary(one.problems) == summary(big.problems));

    DetectionParseOptions options;
    options.taxonomy = &taxonomy;
    auto source = open_detections(path, options);
    CHECK(source->bytes_total() == std::filesystem::file_size(path));
    std::vector<Detection> batch;
    CollectingProblemSink problems;
    while (source->next_batch(batch, problems, 3)) {
    }
    CHECK(source->bytes_read() == source->bytes_total());
    CHECK(source->records_seen() == 11);
}

TEST_CASE("a strict sink stops at the first rejected record", "[detections]") {
    const Taxonomy taxonomy = make_taxonomy();
    const std::string path = test::source_path("datasets/malformed/detections_bad.csv");
    try {
        read_all(path, taxonomy, {}, 1000, /*strict=*/true);
        FAIL("no InputError");
    } catch (const InputError& e) {
        CHECK_THAT(e.what(), Catch::Contains("line 4"));
        CHECK_THAT(e.what(), Catch::Contains("coordinate_out_of_range"));
    }
}

TEST_CASE("CSV is recognised by extension or by its header", "[detections]") {
    test::TempDir tmp;
    CHECK(is_detection_csv(tmp.write("upper.CSV", "anything")));
    CHECK(is_detection_csv(tmp.write("d.txt", "\xEF\xBB\xBF" + k_header)));
    CHECK(is_detection_csv(tmp.write("d.dat", "ID,Time,Lon,Lat,Class,Count,Confidence,Source\r\n")));
    CHECK_FALSE(is_detection_csv(tmp.write("partial.txt", "id,time,lon,lat\n")));
    CHECK_FALSE(is_detection_csv(tmp.write("d.json", R"({"type":"FeatureCollection"})")));
    CHECK_FALSE(is_detection_csv((tmp.path() / "missing").string()));
}

// Throughput of the CSV fast path against merely reading the file. Not run by default:
//   AVF_BENCH_ROWS=1000000 build/tests/ingest/test_ingest "[.bench]"
TEST_CASE("CSV detections throughput", "[.bench]") {
    const Taxonomy taxonomy = make_taxonomy();
    const char* rows_env = std::getenv("AVF_BENCH_ROWS");
    const long rows = rows_env ? std::atol(rows_env) : 1000000;
    test::TempDir tmp;
    const std::string path = (tmp.path() / "bench.csv").string();
    {
        std::ofstream out(path, std::ios::binary);
        out << k_header;
        const char* classes[] = {"K2", "acv", "K9", "battle_tank", "T-72B3", "mlrs"};
        std::string line;
        char num[32];
        auto put = [&](double v) {
            const auto r = std::to_chars(num, num + sizeof num, v);
            line.append(num, r.ptr);
        };
        for (long i = 0; i < rows; ++i) {
            line = "D-" + std::to_string(i) + ",2027-03-" + std::to_string(10 + i % 18) + "T" + std::to_string(10 + i % 14) + ":" +
                   std::to_string(10 + i % 50) + ":00Z,";
            put(126.0 + static_cast<double>(i % 100000) * 1.3e-5);
            line += ',';
            put(37.5 + static_cast<double>(i % 77777) * 1.1e-5);
            line += std::string(",") + classes[i % 6] + "," + std::to_string(1 + i % 9) + ",0." + std::to_string(10 + i % 90) + ",imagery," +
                    std::to_string(50 + i % 950) + ",KOR,IMG-" + std::to_string(i / 1000) + ",\n";
            out << line;
        }
    }
    const double mb = static_cast<double>(std::filesystem::file_size(path)) / 1e6;
    // Wall time, and this process's CPU time (less disturbed on a shared machine).
    using clock = std::chrono::steady_clock;
    struct Timing {
        double wall, cpu;
    };
    struct Start {
        clock::time_point wall = clock::now();
        std::clock_t cpu = std::clock();
    };
    auto seconds = [](const Start& a) {
        return Timing{std::chrono::duration<double>(clock::now() - a.wall).count(), static_cast<double>(std::clock() - a.cpu) / CLOCKS_PER_SEC};
    };

    // Warm the page cache, then: plain reads of 8 MiB, wc -l, blocks only, blocks + parsing.
    std::string sink_out;
    test::run_command("cat " + path + " > /dev/null", sink_out);
    Start t0;
    {
        std::ifstream in(path, std::ios::binary);
        std::vector<char> buf(std::size_t{8} << 20);
        while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
        }
    }
    const Timing t_read = seconds(t0);
    t0 = Start{};
    test::run_command("wc -l " + path, sink_out);
    const Timing t_wc = seconds(t0);

    t0 = Start{};
    std::size_t blocks = 0;
    {
        CsvBlockReader reader(path);
        CollectingProblemSink ps;
        CsvBlock block;
        while (reader.next(block, ps)) ++blocks;
    }
    const Timing t_blocks = seconds(t0);

    DetectionParseOptions options;
    options.taxonomy = &taxonomy;
    t0 = Start{};
    std::size_t good = 0;
    CollectingProblemSink problems;
    {
        CsvBlockReader reader(path);
        const auto layout = DetectionCsvLayout::from_header(reader.header(), path, reader.header_line(), problems);
        CsvBlock block;
        std::vector<Detection> out;
        while (reader.next(block, problems)) {
            out.clear();
            parse_detection_block(block, layout, options, out, problems);
            good += out.size();
        }
    }
    const Timing t_parse = seconds(t0);

    t0 = Start{};
    std::size_t via_source = 0;
    {
        auto source = open_detections(path, options);
        std::vector<Detection> batch;
        CollectingProblemSink ps;
        while (source->next_batch(batch, ps, 50000)) via_source += batch.size();
    }
    const Timing t_source = seconds(t0);

    // The pipeline's shape: blocks read serially (here beforehand), parsed by two threads.
    std::vector<CsvBlock> blocks_read;
    std::size_t parallel_good = 0;
    {
        CsvBlockReader reader(path);
        CollectingProblemSink ps;
        const auto layout = DetectionCsvLayout::from_header(reader.header(), path, reader.header_line(), ps);
        CsvBlock block;
        while (reader.next(block, ps)) blocks_read.push_back(std::move(block));
        t0 = Start{};
        std::array<std::size_t, 2> counts{};
        auto work = [&](std::size_t first) {
            std::vector<Detection> out;
            CollectingProblemSink local;
            for (std::size_t i = first; i < blocks_read.size(); i += 2) {
                out.clear();
                parse_detection_block(blocks_read[i], layout, options, out, local);
                counts[first] += out.size();
            }
        };
        std::thread a(work, 0), b(work, 1);
        a.join();
        b.join();
        parallel_good = counts[0] + counts[1];
    }
    const Timing t_parallel = seconds(t0);

    REQUIRE(good == static_cast<std::size_t>(rows));
    REQUIRE(parallel_good == good);
    REQUIRE(via_source == good);
    CHECK(problems.size() == 0);
    auto line = [&](const char* what, Timing t) {
        std::cout << "  " << what << ": wall " << t.wall << " s = " << static_cast<double>(rows) / t.wall / 1e6 << " M rows/s, " << mb / t.wall
                  << " MB/s; cpu " << t.cpu << " s = " << static_cast<double>(rows) / t.cpu / 1e6 << " M rows/s, " << mb / t.cpu << " MB/s\n";
    };
    std::cout << "CSV detections throughput, " << rows << " rows, " << mb << " MB, " << blocks << " blocks (page cache warm)\n";
    line("plain read (8 MiB)    ", t_read);
    line("wc -l (spawned: cpu ~0)", t_wc);
    line("CsvBlockReader only   ", t_blocks);
    line("blocks + parse        ", t_parse);
    line("open_detections batch ", t_source);
    std::cout << "  parse, 2 threads       : wall " << t_parallel.wall << " s = " << static_cast<double>(rows) / t_parallel.wall / 1e6
              << " M rows/s, " << mb / t_parallel.wall << " MB/s (cpu " << t_parallel.cpu << " s over both threads)\n";
}

TEST_CASE("issue 16: counts and uncertainty radii beyond their bounds are bad_value, party codes are upper-cased", "[detections][issue16]") {
    const Taxonomy taxonomy = make_taxonomy();
    test::TempDir tmp;
    const auto path = tmp.write("bounds.csv", k_header + "C-MAX,2027-03-04T10:00:00Z,127.0,38.0,K2,1000000,0.9,imagery,20037508,prk,,\n"
                                                         "C-OVER,2027-03-04T10:00:00Z,127.0,38.0,K2,1000001,0.9,imagery,10,PRK,,\n"
                                                         "C-WRAP,2027-03-04T10:00:00Z,127.0,38.0,K2,9223372036854775807,0.9,imagery,10,PRK,,\n"
                                                         "C-FLOAT,2027-03-04T10:00:00Z,127.0,38.0,K2,4e15,0.9,imagery,10,PRK,,\n"
                                                         "U-FAR,2027-03-04T10:00:00Z,127.0,38.0,K2,1,0.9,imagery,1e308,PRK,,\n"
                                                         "U-OVER,2027-03-04T10:00:00Z,127.0,38.0,K2,1,0.9,imagery,20037509,PRK,,\n");
    const ReadAll r = read_all(path, taxonomy);
    CHECK(summary(r.problems) == std::vector<std::string>{"3 count bad_value", "4 count bad_value", "5 count bad_value", "6 uncertainty_m bad_value",
                                                          "7 uncertainty_m bad_value"});
    REQUIRE(r.detections.size() == 1);
    CHECK(r.detections[0].count == max_items_per_record);
    CHECK(r.detections[0].party == "PRK");
}

TEST_CASE("issue 16: CR line ends (old Mac files) read like LF, and a header alone is a problem", "[detections][csv][issue16]") {
    const Taxonomy taxonomy = make_taxonomy();
    test::TempDir tmp;
    const std::string rows = "M-1,2027-03-04T10:00:00Z,127.0,38.0,K2,3,0.9,imagery,10,KOR,IMG-1,\n"
                             "M-2,2027-03-04T10:01:00Z,127.1,38.0,acv,1,0.5,\"open\nsource\",,,,\n"
                             "M-3,2027-03-04T10:02:00Z,127.2,38.0,acv,1,0.5,imagery,,,,";
    std::string mac = k_header + rows;
    std::replace(mac.begin(), mac.end(), '\n', '\r');
    const ReadAll lf = read_all(tmp.write("lf.csv", k_header + rows), taxonomy);
    for (std::size_t block : {std::size_t{1}, std::size_t{7}, std::size_t{1} << 20}) {
        INFO("block_bytes " << block);
        const ReadAll cr = read_all(tmp.write("mac.csv", mac), taxonomy, CsvReadOptions{.block_bytes = block, .max_record_bytes = 1 << 16});
        CHECK(cr.problems.size() == 0);
        REQUIRE(cr.detections.size() == 3);
        for (std::size_t i = 0; i < 3; ++i) {
            check_same(cr.detections[i], lf.detections[i], false);
            CHECK(cr.detections[i].origin.feature == lf.detections[i].origin.feature); // the same line numbers
        }
    }
    // Recognised by its header too, without a .csv extension.
    CHECK(is_detection_csv(tmp.write("mac.txt", mac)));

    const ReadAll header_only = read_all(tmp.write("header.csv", k_header), taxonomy);
    CHECK(header_only.detections.empty());
    REQUIRE(header_only.problems.size() == 1);
    CHECK(header_only.problems.problems()[0].code == ProblemCode::empty_layer);
    CHECK(header_only.problems.problems()[0].severity == Severity::rejected);
    CHECK_THROWS_AS(read_all(tmp.write("header.csv", k_header), taxonomy, {}, 1000, /*strict=*/true), InputError);
    const ReadAll geojson = read_all(tmp.write("none.geojson", R"({"type":"FeatureCollection","features":[]})"), taxonomy);
    REQUIRE(geojson.problems.size() == 1);
    CHECK(geojson.problems.problems()[0].code == ProblemCode::empty_layer);
}

TEST_CASE("issue 16: the whole-file fixtures of datasets/malformed give their documented outcome", "[detections][issue16]") {
    const Taxonomy taxonomy = make_taxonomy();
    auto fixture = [](const std::string& name) { return test::source_path("datasets/malformed/" + name); };
    const ReadAll cr = read_all(fixture("detections_cr_line_ends.csv"), taxonomy);
    CHECK(cr.problems.size() == 0);
    REQUIRE(cr.detections.size() == 2);
    CHECK(cr.detections[1].id.str() == "D-90002");
    CHECK(cr.detections[1].origin.feature == "3");

    const ReadAll header = read_all(fixture("detections_header_only.csv"), taxonomy);
    CHECK(header.detections.empty());
    REQUIRE(header.problems.size() == 1);
    CHECK(header.problems.problems()[0].code == ProblemCode::empty_layer);

    const ReadAll huge = read_all(fixture("detections_huge_values.csv"), taxonomy);
    CHECK(summary(huge.problems) == std::vector<std::string>{"3 count bad_value", "4 uncertainty_m bad_value"});
    REQUIRE(huge.detections.size() == 1);
    CHECK(huge.detections[0].id.str() == "D-90001");
}
