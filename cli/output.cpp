#include "cli/output.hpp"

#include "core/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ostream>

namespace avf::cli {

std::string to_string(Format f) {
    switch (f) {
    case Format::table: return "table";
    case Format::csv: return "csv";
    case Format::json: return "json";
    case Format::geojson: return "geojson";
    case Format::gpkg: return "gpkg";
    }
    return "table";
}

Format parse_format(const std::string& text, const std::vector<Format>& accepted) {
    std::string list;
    for (Format f : accepted) {
        if (to_string(f) == text) return f;
        list += (list.empty() ? "" : ", ") + to_string(f);
    }
    throw UsageError("unknown --format '" + text + "'", Context{}.expected("one of: " + list));
}

std::string cell_text(const nlohmann::json& cell) {
    if (cell.is_null()) return "";
    if (cell.is_string()) return cell.get<std::string>();
    if (cell.is_number_float()) return fmt::format("{}", cell.get<double>());
    if (cell.is_boolean()) return cell.get<bool>() ? "true" : "false";
    return cell.dump();
}

Table problems_table(const std::vector<Problem>& problems) {
    Table t{{"severity", "code", "where", "field", "value", "reason"}};
    for (const auto& p : problems)
        t.add({std::string(to_string(p.severity)), std::string(to_string(p.code)), p.where.location(), p.where.field(), p.where.value(), p.message});
    return t;
}

namespace {
std::string csv_escape(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

// Display width in characters, counting UTF-8 continuation bytes as nothing.
std::size_t width(const std::string& s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}
} // namespace

void print(const Table& table, Format format, std::ostream& out) {
    switch (format) {
    case Format::json: {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& row : table.rows) {
            nlohmann::json obj = nlohmann::json::object();
            for (std::size_t i = 0; i < table.columns.size() && i < row.size(); ++i) obj[table.columns[i]] = row[i];
            arr.push_back(std::move(obj));
        }
        out << arr.dump(2) << "\n";
        return;
    }
    case Format::csv: {
        for (std::size_t i = 0; i < table.columns.size(); ++i) out << (i ? "," : "") << csv_escape(table.columns[i]);
        out << "\n";
        for (const auto& row : table.rows) {
            for (std::size_t i = 0; i < row.size(); ++i) out << (i ? "," : "") << csv_escape(cell_text(row[i]));
            out << "\n";
        }
        return;
    }
    default: {
        std::vector<std::size_t> w(table.columns.size());
        for (std::size_t i = 0; i < w.size(); ++i) w[i] = width(table.columns[i]);
        std::vector<std::vector<std::string>> text;
        for (const auto& row : table.rows) {
            std::vector<std::string> r;
            for (std::size_t i = 0; i < row.size() && i < w.size(); ++i) {
                r.push_back(cell_text(row[i]));
                w[i] = std::max(w[i], width(r.back()));
            }
            text.push_back(std::move(r));
        }
        auto line = [&](const std::vector<std::string>& cells) {
            std::string s;
            for (std::size_t i = 0; i < cells.size(); ++i) {
                s += cells[i];
                if (i + 1 < cells.size()) s += std::string(w[i] - width(cells[i]) + 2, ' ');
            }
            out << s << "\n";
        };
        line(table.columns);
        std::vector<std::string> rule;
        for (std::size_t i = 0; i < w.size(); ++i) rule.push_back(std::string(w[i], '-'));
        line(rule);
        for (const auto& r : text) line(r);
        if (table.rows.empty()) out << "(none)\n";
    }
    }
}

} // namespace avf::cli
