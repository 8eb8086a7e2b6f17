// Tabular output for the avf command: one Table, printed as an aligned text table for people,
// CSV or JSON for machines. Data goes to stdout; messages and progress go to stderr.
//
//   avf::cli::Table t{{"id", "kind", "zones"}};
//   t.add({"DMZ-S", "dmz", 3});
//   avf::cli::print(t, avf::cli::Format::table, std::cout);
#pragma once

#include "core/problem.hpp"

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <string>
#include <vector>

namespace avf::cli {

enum class Format { table, csv, json, geojson, gpkg };

/// Parses a --format value; throws UsageError listing the accepted ones.
Format parse_format(const std::string& text, const std::vector<Format>& accepted);
std::string to_string(Format f);

struct Table {
    Table() = default;
    explicit Table(std::vector<std::string> cols) : columns(std::move(cols)) {}
    std::vector<std::string> columns;
    std::vector<std::vector<nlohmann::json>> rows;
    void add(std::vector<nlohmann::json> row) { rows.push_back(std::move(row)); }
};

/// table: aligned columns with a header rule; csv: RFC 4180; json: an array of objects.
void print(const Table& table, Format format, std::ostream& out);

/// Problems as a table: severity, code, where (file, layer, feature/line, id), field, value, reason.
Table problems_table(const std::vector<Problem>& problems);

/// A cell as text: strings verbatim, numbers in their shortest round-trip form, null as "".
std::string cell_text(const nlohmann::json& cell);

} // namespace avf::cli
