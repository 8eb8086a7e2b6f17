// Output of the avf command: one Table, printed as an aligned text table for people, CSV or
// JSON for machines (data goes to stdout; messages and progress go to stderr), and OutputFile,
// the one way a command writes a file it was given with -o/--output.
//
//   avf::cli::Table t{{"id", "kind", "zones"}};
//   t.add({"DMZ-S", "dmz", 3});
//   avf::cli::print(t, avf::cli::Format::table, std::cout, avf::cli::table_width); // 0: every column in full
//
//   avf::cli::OutputFile out(output, overwrite, {store});   // refusals first, before any work
//   avf::cli::print(t, avf::cli::Format::csv, out.stream(), 0); // or GDAL writing out.temp_path()
//   out.commit();                                            // whole file in place, or nothing
#pragma once

#include "core/problem.hpp"

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
}

namespace avf::cli {

enum class Format { table, csv, json, geojson, gpkg };

/// Parses a --format value, case-insensitively (GDAL's driver names GPKG, GeoJSON, CSV as
/// written); throws UsageError listing the accepted ones.
Format parse_format(const std::string& text, const std::vector<Format>& accepted);
std::string to_string(Format f);

struct Table {
    Table() = default;
    explicit Table(std::vector<std::string> cols) : columns(std::move(cols)) {}
    std::vector<std::string> columns;
    std::vector<std::vector<nlohmann::json>> rows;
    /// The columns a table fitted to a width keeps (empty: all of them); csv and json keep all.
    std::vector<std::string> brief;
    /// Never cut to a width: tables whose every character is what the reader acts on (problems:
    /// where and why; input files: their paths).
    bool whole = false;
    void add(std::vector<nlohmann::json> row) { rows.push_back(std::move(row)); }
};

/// table: aligned columns with a header rule; csv: RFC 4180; json: an array of objects.
/// A table with `max_width` > 0 keeps only its `brief` columns and cuts the widest cells (with
/// "…") until each line fits `max_width` characters.
void print(const Table& table, Format format, std::ostream& out, std::size_t max_width);

/// The width tables are fitted to unless a command's --wide asks for every column in full.
inline constexpr std::size_t table_width = 100;

/// print() of csv or json a row at a time, for output too large to hold: the same bytes as
/// print() of the whole table, with one row in memory. The csv header is written at once.
///
///   RowPrinter p({"id", "kind"}, Format::csv, out);
///   for (...) p.add({id, kind});
///   p.finish();                                   // json: closes the array
class RowPrinter {
public:
    /// InternalError for a format other than csv or json (aligned tables need every row first).
    RowPrinter(std::vector<std::string> columns, Format format, std::ostream& out);
    void add(const std::vector<nlohmann::json>& row);
    void finish();
    std::size_t rows() const { return m_rows; }

private:
    std::vector<std::string> m_columns;
    Format m_format;
    std::ostream* m_out;
    std::size_t m_rows = 0;
};

/// `value.dump(indent)` as it appears nested `depth` levels deep in a larger dump with the same
/// indent: every line after the first indented by depth × indent more spaces (a dump's strings
/// hold no raw line breaks). The first line is indented too when `indent_first`.
std::string nested_dump(const nlohmann::json& value, int indent, int depth, bool indent_first = true);

/// Problems as a table: severity, code, where (file, layer, feature/line, id), field, value, reason.
Table problems_table(const std::vector<Problem>& problems);

/// A cell as text: strings verbatim, numbers in their shortest round-trip form, null as "".
std::string cell_text(const nlohmann::json& cell);

/// `text` escaped for HTML text and attribute values (& < > " ').
std::string html_text(std::string_view text);

/// A file a command writes (-o/--output), published whole or not at all.
///
/// The constructor decides, before the command reads or writes anything, whether the file may
/// be written. The path is followed through symlinks to the file it names; that file is refused
/// (UsageError, exit 2: the command line must change) when it is the same file — same device and
/// inode — as one of `inputs` (the store, input files: writing it would destroy them, whatever
/// --overwrite says), when it exists and is not a regular file, or when it exists and
/// `overwrite` is false (ogr2ogr's convention: replacing needs --overwrite). The content is
/// written to a temporary file created at once in the target's directory (".NAME.tmp-PID.EXT",
/// so a writer that picks its format by extension, like GDAL, sees the right one); commit()
/// flushes and fsyncs it, renames it over the target and fsyncs the directory. Without commit()
/// — an exception on the way — the destructor removes the temporary file: a failed write leaves
/// no file and an existing one untouched. I/O failures are IoError (exit 4) naming the path and
/// the system's reason.
class OutputFile {
public:
    OutputFile(std::string path, bool overwrite, const std::vector<std::string>& inputs);
    ~OutputFile();
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;

    /// The path as given (for messages).
    const std::string& path() const;
    /// Where the content goes until commit(): a writer that opens files itself (GDAL) writes
    /// here (it may replace the empty file reserved there); otherwise use stream().
    const std::string& temp_path() const;
    /// The temporary file as a stream (buffered; errors are kept and reported by commit()).
    std::ostream& stream();
    /// Flush, fsync, rename into place, fsync the directory. IoError on any failure, after which
    /// the temporary file is removed when the rename had not happened.
    void commit();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// Adds the --overwrite flag (for OutputFile) to a command that writes a file.
void add_overwrite_flag(CLI::App& cmd, bool& overwrite);

} // namespace avf::cli
