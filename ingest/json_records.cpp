#include "ingest/json_records.hpp"

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "ingest/text.hpp"

namespace avf::ingest {

nlohmann::json parse_json_file(const std::string& path, const char* what) {
    std::string text = read_file(path); // IoError on any read error
    mark_invalid_utf8(text);            // a Latin-1 byte: a problem on its record, not an unreadable file
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        throw InputError(std::string("not valid JSON: ") + e.what(), Context{}.file(path).expected(std::string("an array of ") + what));
    }
}

const nlohmann::json& json_list(const nlohmann::json& doc, const char* key, const std::string& path, const char* what) {
    if (doc.is_object() && doc.contains(key)) {
        const auto& list = doc[key];
        if (list.is_array()) return list;
    } else if (doc.is_array()) {
        return doc;
    }
    throw InputError(std::string("expected an array of ") + what,
                     Context{}.file(path).expected(std::string("[{...}, …] or {\"") + key + "\": [...]}"));
}

std::string json_text(const nlohmann::json& v) {
    if (v.is_string()) return std::string(trim(v.get<std::string>()));
    // Unsigned first: is_number_integer() holds for unsigned values too, and 2^63 and above read
    // as int64 would wrap to a negative number.
    if (v.is_number_unsigned()) return std::to_string(v.get<std::uint64_t>());
    if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
    if (v.is_null()) return {};
    return v.dump();
}

} // namespace avf::ingest
