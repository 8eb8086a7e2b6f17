#include "ingest/fields.hpp"

#include "ingest/text.hpp"

namespace avf::ingest {

std::string_view trim_space(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = ascii_lower(c);
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

std::string file_extension(std::string_view path) {
    const auto dot = path.find_last_of('.');
    const auto slash = path.find_last_of('/');
    if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return {};
    return ascii_lower(path.substr(dot + 1));
}

std::optional<bool> parse_bool(std::string_view text) {
    const std::string t = ascii_lower(trim_space(text));
    if (t == "true" || t == "1" || t == "yes" || t == "on") return true;
    if (t == "false" || t == "0" || t == "no" || t == "off") return false;
    return std::nullopt;
}

std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t end = text.find(',', pos);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view item = trim_space(text.substr(pos, end - pos));
        if (!item.empty()) out.emplace_back(item);
        pos = end + 1;
    }
    return out;
}

Context RecordPosition::context() const {
    Context c;
    c.file(std::string(file));
    if (!layer.empty()) c.layer(std::string(layer));
    if (line)
        c.line(static_cast<long>(*line));
    else
        c.feature(std::string(feature));
    if (!record.empty()) c.record(printable(record));
    return c;
}

SourceRef RecordPosition::origin() const {
    return SourceRef{std::string(file), std::string(layer), line ? std::to_string(*line) : std::string(feature), index};
}

Context RecordCheck::context(std::string_view field, std::string_view value) const {
    Context c = m_where.context();
    if (!field.empty()) c.field(std::string(field));
    if (!value.empty()) c.value(printable(value));
    return c;
}

bool RecordCheck::reject(ProblemCode code, std::string_view field, std::string_view value, std::string reason, std::string expected) const {
    Context c = context(field, value);
    if (!expected.empty()) c.expected(std::move(expected));
    Problem p = Problem::rejected(code, std::move(reason), std::move(c));
    p.order = m_where.order;
    m_problems.report(std::move(p));
    return false;
}

void RecordCheck::note(ProblemCode code, std::string_view field, std::string_view value, std::string message) const {
    m_problems.report(Problem{Severity::note, code, std::move(message), context(field, value), m_where.order});
}

} // namespace avf::ingest
