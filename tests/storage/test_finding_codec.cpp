// The compact finding rows of schema 4 (storage/finding_codec.hpp): a run's findings survive the
// rows and dictionaries field for field, their explanations are rendered from the rule's template,
// the dictionaries are shared, and a damaged code reads as damage.
#include "core/error.hpp"
#include "core/explanation.hpp"
#include "storage/finding_codec.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <limits>

using namespace avf;
using namespace avf::storage;

namespace {

const std::string store_path = "test.h5";

std::vector<InputFile> sample_inputs() {
    InputFile regime{"regime", "regime.toml", "", 0, 0, 0};
    InputFile detections{"detections", "detections.csv", "", 0, 0, 0};
    return {regime, detections};
}

Finding single(const std::string& id, const std::string& record, const std::string& line) {
    Finding f;
    f.id = id;
    f.rule_id = "dmz-1";
    f.rule_type = "prohibited";
    f.article = "art. I";
    f.target_id = "DMZ-N";
    f.party = "PRK";
    f.equipment_class = "battle_tank";
    f.span = Interval{UtcTime{1'804'155'300'000}, UtcTime{1'804'155'300'001}};
    f.location = GeoPoint(127.02, 38.31);
    f.measured = 1.4321;
    f.unit = "km";
    f.confidence = 0.9;
    f.evidence.push_back(Evidence{"detection", record, "detections.csv", line});
    return f;
}

constexpr const char* inside =
    "{class} {party_of} observed {from} at {position}, {measured_distance} inside {target} {rule_ref}: {verdict|prohibited}";
constexpr const char* counted = "{records} records {party_of} in {target} {rule_ref}: {verdict|violation}";

/// The rows and dictionaries of `findings` written and read back.
/// `record_window`: the records dictionary's window; the records are taken after every finding, as
/// a writer streams them batch by batch.
std::vector<Finding> round_trip(const std::vector<std::pair<Finding, FindingText>>& findings, std::size_t* records = nullptr,
                                std::size_t record_window = default_record_window, std::vector<std::string>* record_ids = nullptr) {
    const std::vector<InputFile> inputs = sample_inputs();
    FindingDictionaries dict(inputs, record_window);
    RowBuffer rows(findings_v4_table(), findings.size());
    std::vector<EvidenceRowV4> evidence;
    std::vector<RecordSlots> record_rows;
    std::string record_text;
    for (std::size_t i = 0; i < findings.size(); ++i) {
        dict.encode(findings[i].first, findings[i].second, i, rows.row(i), evidence);
        std::vector<RecordSlots> more;
        std::string more_text;
        dict.take_records(more, more_text);
        record_rows.insert(record_rows.end(), more.begin(), more.end());
        record_text += more_text;
    }
    CHECK(dict.record_count() == record_rows.size());
    if (records) *records = record_rows.size();

    std::string text;
    FindingDictionariesRead d;
    d.rules = decode_rules(encode_rules(dict.rules(), text).bytes(), text, store_path);
    d.waivers = decode_waivers(encode_waivers(dict.waivers(), text).bytes(), text, store_path);
    d.targets = decode_dictionary(targets_table(), encode_dictionary(targets_table(), dict.targets()).bytes(), store_path);
    d.classes = decode_dictionary(classes_table(), encode_dictionary(classes_table(), dict.classes()).bytes(), store_path);
    d.parties = decode_dictionary(parties_table(), encode_dictionary(parties_table(), dict.parties()).bytes(), store_path);
    d.records = decode_records(encode_records(record_rows).bytes(), record_text, inputs, store_path);
    const std::vector<EvidenceRowV4> ev = decode_evidence_v4(encode_evidence_v4(evidence).bytes(), store_path);
    std::vector<Finding> out;
    for (const std::uint8_t* row : RowSpan(rows.bytes(), findings_v4_table())) out.push_back(decode_finding_v4(row, d, ev, store_path));
    if (record_ids)
        for (const Evidence& r : d.records) record_ids->push_back(r.record_id);
    return out;
}

void check_same(const Finding& a, const Finding& b) {
    CHECK(a.id == b.id);
    CHECK(a.kind == b.kind);
    CHECK(a.certainty == b.certainty);
    CHECK(a.rule_id == b.rule_id);
    CHECK(a.rule_type == b.rule_type);
    CHECK(a.article == b.article);
    CHECK(a.target_id == b.target_id);
    CHECK(a.party == b.party);
    CHECK(a.equipment_class == b.equipment_class);
    CHECK(a.span == b.span);
    CHECK(std::memcmp(&a.location, &b.location, sizeof a.location) == 0);
    CHECK(std::bit_cast<std::uint64_t>(a.measured) == std::bit_cast<std::uint64_t>(b.measured));
    CHECK(std::bit_cast<std::uint64_t>(a.limit) == std::bit_cast<std::uint64_t>(b.limit));
    CHECK(std::bit_cast<std::uint64_t>(a.confidence) == std::bit_cast<std::uint64_t>(b.confidence));
    CHECK(a.unit == b.unit);
    CHECK(a.waiver_id == b.waiver_id);
    REQUIRE(a.evidence.size() == b.evidence.size());
    for (std::size_t i = 0; i < a.evidence.size(); ++i) {
        CHECK(a.evidence[i].record_kind == b.evidence[i].record_kind);
        CHECK(a.evidence[i].record_id == b.evidence[i].record_id);
        CHECK(a.evidence[i].source_file == b.evidence[i].source_file);
        CHECK(a.evidence[i].source_position == b.evidence[i].source_position);
    }
}

} // namespace

TEST_CASE("A schema-4 finding row fits the budget of 96 bytes", "[finding_codec]") {
    CHECK(findings_v4_table().row_size() == 94);
    CHECK(evidence_v4_table().row_size() == 12);
    CHECK(records_table().row_size() == 17);
}

TEST_CASE("Findings survive the schema-4 rows and dictionaries field for field", "[finding_codec]") {
    Finding a = single("0123456789abcdef0123456789abcdef", "D-1", "2");
    Finding b = single("ffffffffffffffff0000000000000001", "D-2", "3");
    b.kind = FindingKind::exempted;
    b.waiver_id = "W-1";
    b.certainty = Certainty::possible;
    b.measured = -0.0;
    b.party.clear();
    b.span = Interval{};
    Finding c = single("00000000000000000000000000000000", "D-1", "2"); // rests on a record a already does
    c.rule_id = "cap-1";
    c.rule_type = "ceiling";
    c.evidence.push_back(Evidence{"detection", "D-3", "detections.csv", "4"});
    c.evidence.push_back(Evidence{"declaration", "DCL-1", "", "feature 7"});
    c.limit = std::numeric_limits<double>::quiet_NaN();
    c.unit = "count";
    Finding e = single("abcdefabcdefabcdefabcdefabcdef12", "D-4", "5");
    e.evidence.clear();
    e.certainty = Certainty::not_applicable;
    e.kind = FindingKind::unverifiable;

    std::size_t records = 0;
    const std::vector<Finding> back =
        round_trip({{a, {inside, ""}}, {b, {inside, "exercise notified"}}, {c, {counted, ""}}, {e, {counted, ""}}}, &records);
    REQUIRE(back.size() == 4);
    check_same(a, back[0]);
    check_same(b, back[1]);
    check_same(c, back[2]);
    check_same(e, back[3]);
    CHECK(records == 4); // D-1 is stored once, though two findings rest on it
    CHECK(back[0].explanation == render_explanation(inside, a, ""));
    CHECK(back[1].explanation.find("exempted by waiver W-1 (exercise notified)") != std::string::npos);
    CHECK(back[1].explanation.find("of unknown party") != std::string::npos);
    CHECK(back[2].explanation == "3 records of PRK in DMZ-N (rule cap-1, art. I): violation; certain");
}

TEST_CASE("The records dictionary finds a record again within its window and stores it again after", "[finding_codec]") {
    // Findings resting on D-1, D-2, D-1, D-3 (a window of 3 is full), D-4, D-1, D-4.
    const std::vector<std::pair<std::string, std::string>> cited = {{"D-1", "2"}, {"D-2", "3"}, {"D-1", "2"}, {"D-3", "4"},
                                                                    {"D-4", "5"}, {"D-1", "2"}, {"D-4", "5"}};
    std::vector<std::pair<Finding, FindingText>> findings;
    for (std::size_t i = 0; i < cited.size(); ++i)
        findings.push_back({single(fmt::format("{:032x}", i), cited[i].first, cited[i].second), {inside, ""}});
    // A record of the same id in another position is another record.
    findings.push_back({single(fmt::format("{:032x}", cited.size()), "D-4", "6"), {inside, ""}});

    std::size_t records = 0;
    std::vector<std::string> ids;
    const std::vector<Finding> back = round_trip(findings, &records, 3, &ids);
    REQUIRE(back.size() == findings.size());
    for (std::size_t i = 0; i < back.size(); ++i) check_same(findings[i].first, back[i]);
    CHECK(ids == std::vector<std::string>{"D-1", "D-2", "D-3", "D-4", "D-1", "D-4"});
    CHECK(records == 6);

    // With the default window every record is stored once.
    ids.clear();
    const std::vector<Finding> whole = round_trip(findings, &records, default_record_window, &ids);
    for (std::size_t i = 0; i < whole.size(); ++i) check_same(findings[i].first, whole[i]);
    CHECK(ids == std::vector<std::string>{"D-1", "D-2", "D-3", "D-4", "D-4"});
}

TEST_CASE("A finding id that is no content id is refused on write", "[finding_codec]") {
    CHECK(finding_id_text(0x0123456789abcdefULL, 1) == "0123456789abcdef0000000000000001");
    for (const auto& [hi, lo] : {std::pair<std::uint64_t, std::uint64_t>{0, 0}, {0xfedcba9876543210ULL, 0x0f1e2d3c4b5a6978ULL}, {~0ULL, ~0ULL}})
        CHECK(finding_id_bits(finding_id_text(hi, lo)) == std::pair{hi, lo});
    // Every byte that is no lowercase hex digit is refused, at the first and the last position of
    // either half (the characters next to the digits' ranges included).
    const std::string good = finding_id_text(0x0123456789abcdefULL, 0x0123456789abcdefULL);
    for (const int c : std::initializer_list<int>{0, '/', ':', '@', 'A', 'F', 'G', '`', 'g', 'x', 0x80, 0xff})
        for (const std::size_t at : {std::size_t{0}, std::size_t{15}, std::size_t{16}, std::size_t{31}}) {
            std::string id = good;
            id[at] = static_cast<char>(c);
            INFO("byte " << c << " at " << at);
            CHECK_THROWS_AS(finding_id_bits(id), InternalError);
        }
    for (const char* bad : {"F-1", "0123456789ABCDEF0123456789abcdef", "0123456789abcdef0123456789abcde"}) {
        INFO(bad);
        CHECK_THROWS_AS(round_trip({{single(bad, "D-1", "2"), {inside, ""}}}), InternalError);
    }
}

TEST_CASE("A schema-4 code outside its dictionary reads as damage", "[finding_codec]") {
    const std::vector<InputFile> inputs = sample_inputs();
    FindingDictionaries dict(inputs);
    RowBuffer rows(findings_v4_table(), 1);
    std::vector<EvidenceRowV4> evidence;
    dict.encode(single("0123456789abcdef0123456789abcdef", "D-1", "2"), {inside, ""}, 0, rows.row(0), evidence);
    std::string text;
    FindingDictionariesRead d;
    d.rules = decode_rules(encode_rules(dict.rules(), text).bytes(), text, store_path);
    d.waivers = dict.waivers();
    d.targets = dict.targets();
    d.classes = dict.classes();
    d.parties = dict.parties();
    std::vector<RecordSlots> record_rows;
    std::string record_text;
    dict.take_records(record_rows, record_text);
    d.records = decode_records(encode_records(record_rows).bytes(), record_text, inputs, store_path);
    REQUIRE_NOTHROW(decode_finding_v4(rows.row(0), d, evidence, store_path));
    SECTION("target") {
        d.targets.pop_back();
        CHECK_THROWS_AS(decode_finding_v4(rows.row(0), d, evidence, store_path), IoError);
    }
    SECTION("record") {
        d.records.clear();
        CHECK_THROWS_AS(decode_finding_v4(rows.row(0), d, evidence, store_path), IoError);
    }
    SECTION("template") {
        std::string templates;
        RowBuffer rules = encode_rules({RuleEntry{"dmz-1", "prohibited", "", "km", "{rule}"}}, templates);
        CHECK(decode_rules(rules.bytes(), templates, store_path).front().explanation_template == "{rule}");
        templates = "{nope}"; // the heap damaged, same length
        CHECK_THROWS_AS(decode_rules(rules.bytes(), templates, store_path), IoError);
    }
}
