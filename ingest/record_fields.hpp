// The fields of one record of the declarations and monitoring-report readers, by name, and their
// checks. Each check reports the record's first defect — on the field, with its raw value — through
// the RecordCheck (ingest/fields.hpp) and returns false:
//
//   RecordTexts raw;  raw.value["id"] = "BLR-1";  ...
//   const RecordFields b(raw, check);
//   std::string id;
//   if (!b.text("id", id, true)) return false;   // missing, too long or badly encoded: one problem
#pragma once

#include "core/records.hpp"
#include "core/time.hpp"
#include "ingest/fields.hpp"
#include "ingest/text.hpp"

#include <cmath>
#include <map>
#include <string>

namespace avf::ingest {

/// One record as text per field (trimmed; an absent field reads as "").
struct RecordTexts {
    std::map<std::string, std::string> value;
    const std::string& operator[](const std::string& k) const {
        static const std::string empty;
        auto it = value.find(k);
        return it == value.end() ? empty : it->second;
    }
    bool has(const std::string& k) const { return !(*this)[k].empty(); }
};

/// The checks of one record's fields, read in the reader's documented order.
class RecordFields {
public:
    RecordFields(const RecordTexts& raw, const RecordCheck& check) : m_raw(raw), m_check(check) {}

    /// The record's context on `field` (with its value), for the geo validators.
    Context at(const std::string& field) const { return m_check.context(field, m_raw[field]); }
    bool reject(ProblemCode code, const std::string& field, std::string message, std::string expected = "") const {
        return m_check.reject(code, field, field.empty() ? std::string_view{} : m_raw[field], std::move(message), std::move(expected));
    }
    /// Text of at most `max` bytes of valid UTF-8; empty is a missing_field when `required`.
    bool text(const std::string& field, std::string& out, bool required, std::size_t max = max_id_length) const {
        const std::string& v = m_raw[field];
        if (v.empty()) {
            if (required) return reject(ProblemCode::missing_field, field, "required field '" + field + "' is empty or missing");
            out.clear();
            return true;
        }
        if (v.size() > max) return reject(ProblemCode::bad_value, field, "value is too long", "at most " + std::to_string(max) + " bytes");
        if (auto defect = encoding_defect(v); !defect.empty()) return reject(ProblemCode::bad_encoding, field, "value " + std::string(defect));
        out = v;
        return true;
    }
    /// A finite number.
    bool number(const std::string& field, double& out) const {
        double x = 0;
        if (parse_number(m_raw[field], x) != NumberText::ok) return reject(ProblemCode::bad_number, field, "not a number");
        if (!std::isfinite(x)) return reject(ProblemCode::not_finite, field, "not a finite number");
        out = x;
        return true;
    }
    /// An ISO-8601 UTC time or date.
    bool time(const std::string& field, UtcTime& out) const {
        auto t = parse_utc(m_raw[field]);
        if (!t) return reject(ProblemCode::bad_time, field, "not an ISO-8601 UTC time", "YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss]Z/±hh:mm");
        out = *t;
        return true;
    }

private:
    const RecordTexts& m_raw;
    const RecordCheck& m_check;
};

} // namespace avf::ingest
