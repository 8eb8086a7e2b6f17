// Sample zone sets and runs for the storage tests, and exact comparisons of what comes back.
//
//   auto set = avf::test::sample_zone_set("dmz-2027");
//   avf::storage::StoreTransaction tx(path); tx.write_zone_set(set);
//   auto run = tx.begin_run(avf::test::sample_run_header("run-1"));
//   run.append_findings(avf::test::sample_findings()); ...
//   avf::test::check_same(set, reader.read_zone_set("dmz-2027"));   // Catch2 CHECKs, field by field
#pragma once

#include "storage/store.hpp"

#include <string>
#include <vector>

namespace avf::test {

MultiPolygon multipolygon_wkt(const std::string& wkt);
MultiLineString multilinestring_wkt(const std::string& wkt);

/// Two sources, three zones (one with a hole, one of two polygons, one without source, one
/// named in Korean), one two-part reference line and two problems with full context.
storage::ZoneSet sample_zone_set(const std::string& name);

/// Header of a run over sample_zone_set("dmz-2027"), with two inputs and a multi-line regime.
storage::RunHeader sample_run_header(const std::string& run_id);
/// Three findings (2, 0 and 3 evidence records; one exempted with a waiver; unbounded span ends).
std::vector<Finding> sample_findings();
std::vector<Problem> sample_run_problems();
storage::RunSummary sample_summary();

/// Writes sample_zone_set("dmz-2027") (when `with_zone_set`) and one complete sample run.
void write_sample_store(const std::string& path, const std::string& run_id, bool with_zone_set = true);

/// Field-by-field Catch2 CHECKs (geometry compared bit for bit through WKB).
void check_same(const storage::ZoneSet& expected, const storage::ZoneSet& actual);
void check_same(const Finding& expected, const Finding& actual);
void check_same(const Problem& expected, const Problem& actual);
void check_same(const storage::InputFile& expected, const storage::InputFile& actual);

/// The whole file's bytes (to prove an abandoned transaction changed nothing).
std::string file_bytes(const std::string& path);

} // namespace avf::test
