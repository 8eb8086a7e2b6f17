// JSON record files of the whole-file readers (declarations, sighting reports): the document, the
// list of records in it, each record's position and the text of its values, read one way.
//
//   const nlohmann::json doc = avf::ingest::parse_json_file(path, "sighting objects");
//   avf::ingest::for_each_json_record(avf::ingest::json_list(doc, "sightings", path, "sightings"), path, problems,
//       [&](const nlohmann::json& object, const avf::ingest::RecordPosition& where) { ... });
#pragma once

#include "core/problem.hpp"
#include "ingest/fields.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace avf::ingest {

/// The file parsed as JSON. IoError when it cannot be read; InputError, expecting "an array of
/// `what`", when it is not JSON. Invalid UTF-8 is kept marked, for the record holding it to report.
nlohmann::json parse_json_file(const std::string& path, const char* what);

/// The list of records: the document itself when it is an array, else its member `key`.
/// InputError naming both forms otherwise.
const nlohmann::json& json_list(const nlohmann::json& doc, const char* key, const std::string& path, const char* what);

/// A value as the text a CSV field would hold: strings trimmed, whole numbers in full (above
/// 2^63 too), null as "", anything else as its JSON.
std::string json_text(const nlohmann::json& v);

/// Calls visit(object, where) for each item of `list` that is a JSON object, in order; an item that
/// is not is reported `unreadable` on its position ("#index") and skipped. Returns the items read.
template <typename Visit>
std::uint64_t for_each_json_record(const nlohmann::json& list, const std::string& path, ProblemSink& problems, Visit&& visit) {
    std::uint64_t index = 0;
    for (const auto& item : list) {
        const std::string feature = "#" + std::to_string(index);
        RecordPosition where;
        where.file = path;
        where.feature = feature;
        where.index = index;
        where.order = index;
        ++index;
        if (!item.is_object()) {
            RecordCheck(problems, where).reject(ProblemCode::unreadable, {}, {}, "not a JSON object");
            continue;
        }
        visit(item, where);
    }
    return index;
}

} // namespace avf::ingest
