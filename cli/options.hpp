// The options every avf command spells the same way: the store (--store, or the first
// positional argument where the command has no other), the output format (-f/--format with
// --json as an alias, and --wide), validated choices, and progress (-q/--quiet, --progress).
//
//   auto out = std::make_shared<OutputOptions>();
//   add_store_option(*cmd, *store);                       // avf findings list demo.h5 | --store demo.h5
//   add_format_option(*cmd, *out, {Format::table, Format::csv, Format::json});
//   cmd->add_option("--kind", kind)->transform(one_of(finding_kind_names(), "kind"));
//   ...
//   out->print(table, std::cout);                         // table fits 100 columns unless --wide
#pragma once

#include "cli/output.hpp"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace avf::cli {

/// -f/--format (case-insensitive: GDAL driver names GPKG, GeoJSON, CSV are accepted as written),
/// --json (an alias of -f json) and, when `accepted` holds Format::table, --wide.
struct OutputOptions {
    std::string format;
    bool json = false;
    bool wide = false;
    std::vector<Format> accepted;
    /// The chosen format: --json, else -f, else the first of `accepted`. UsageError listing the
    /// accepted ones for any other value.
    Format resolve() const;
    /// Prints `t` in the chosen format; a table is fitted to table_width unless --wide.
    void print(const Table& t, std::ostream& out) const;
};

void add_format_option(CLI::App& cmd, OutputOptions& options, std::vector<Format> accepted);

/// The format of an export to `output`: -f when given, else the output's extension (.csv,
/// .json, .geojson, .gpkg, case-insensitive). UsageError when neither names one of `accepted`.
Format export_format(const std::string& format, const std::string& output, const std::vector<Format>& accepted);

/// --store, and the same as the first positional argument when `positional` (for commands with
/// no positional argument of their own). Required.
CLI::Option* add_store_option(CLI::App& cmd, std::string& store, bool positional = true);

/// A validator accepting exactly one of `names` (case-sensitive); anything else is a usage error
/// naming the option's `what` and listing the valid values.
CLI::Validator one_of(std::vector<std::string> names, std::string what);

std::vector<std::string> finding_kind_names();
std::vector<std::string> certainty_names();

/// -q/--quiet and --progress; returns whether progress is wanted for `progress_by_default`
/// commands (those that print their result on stdout show progress on a terminal unless -q).
struct ProgressOptions {
    bool quiet = false;
    bool force = false;
    bool wanted() const { return force || !quiet; }
};
void add_progress_options(CLI::App& cmd, ProgressOptions& options);

} // namespace avf::cli
