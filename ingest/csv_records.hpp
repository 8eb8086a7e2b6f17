// The records of a CSV file whose header the caller has mapped to field names, one at a time, for
// the whole-file readers (declarations, sighting reports, gazetteers): each well-formed record as
// its trimmed field texts by name, each malformed one (bad quoting, a field count other than the
// header's) reported `unreadable` on its line and skipped.
//
//   avf::ingest::CsvBlockReader reader(path);
//   std::map<std::string, std::size_t> columns = ...;   // field name → column index
//   avf::ingest::for_each_csv_record(reader, path, columns, problems,
//       [&](std::map<std::string, std::string> fields, const avf::ingest::RecordPosition& where) { ... });
#pragma once

#include "core/problem.hpp"
#include "ingest/csv.hpp"
#include "ingest/fields.hpp"
#include "ingest/text.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace avf::ingest {

/// Calls visit(fields, where) for each well-formed record in file order (fields: the columns'
/// texts, trimmed, by name; absent columns are absent). Returns the records read, good or bad.
template <typename Visit>
std::uint64_t for_each_csv_record(CsvBlockReader& reader, const std::string& path, const std::map<std::string, std::size_t>& columns,
                                  ProblemSink& problems, Visit&& visit) {
    CsvBlock block;
    CsvRecord record;
    while (reader.next(block, problems)) {
        CsvCursor cursor(block);
        while (cursor.next(record)) {
            RecordPosition where;
            where.file = path;
            where.line = record.line;
            where.index = record.index;
            where.order = record.index;
            if (record.error != CsvRecordError::none || record.fields.size() != reader.header().size()) {
                std::string why = record.error != CsvRecordError::none ? std::string(describe(record.error))
                                                                       : "has " + std::to_string(record.fields.size()) + " fields, the header " +
                                                                             std::to_string(reader.header().size());
                RecordCheck(problems, where).reject(ProblemCode::unreadable, {}, {}, "malformed record: " + why);
                continue;
            }
            std::map<std::string, std::string> fields;
            for (const auto& [name, col] : columns) fields[name] = std::string(trim(record.fields[col]));
            visit(std::move(fields), std::as_const(where));
        }
    }
    return reader.records_read();
}

} // namespace avf::ingest
