#include "cli/options.hpp"

#include "core/error.hpp"
#include "core/records.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace avf::cli {
namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string joined(const std::vector<Format>& formats) {
    std::string list;
    for (Format f : formats) list += (list.empty() ? "" : ", ") + to_string(f);
    return list;
}

} // namespace

Format OutputOptions::resolve() const {
    if (json) {
        if (std::find(accepted.begin(), accepted.end(), Format::json) == accepted.end())
            throw UsageError("--json is not available here", Context{}.expected("-f one of: " + joined(accepted)));
        if (!format.empty() && parse_format(format, accepted) != Format::json)
            throw UsageError("--json and -f " + format + " ask for two formats; give one");
        return Format::json;
    }
    if (format.empty()) return accepted.front();
    return parse_format(format, accepted);
}

void OutputOptions::print(const Table& t, std::ostream& out) const {
    const Format f = resolve();
    cli::print(t, f, out, f == Format::table && !wide ? table_width : 0);
}

void add_format_option(CLI::App& cmd, OutputOptions& options, std::vector<Format> accepted) {
    options.accepted = std::move(accepted);
    cmd.add_option("-f,--format", options.format, joined(options.accepted) + " (default " + to_string(options.accepted.front()) + ")");
    if (std::find(options.accepted.begin(), options.accepted.end(), Format::json) != options.accepted.end())
        cmd.add_flag("--json", options.json, "The same as -f json");
    if (std::find(options.accepted.begin(), options.accepted.end(), Format::table) != options.accepted.end())
        cmd.add_flag("--wide", options.wide, "Every column in full (default: the table fits 100 columns)");
}

Format export_format(const std::string& format, const std::string& output, const std::vector<Format>& accepted) {
    if (!format.empty()) return parse_format(format, accepted);
    const std::string ext = lower(std::filesystem::path(output).extension().string());
    for (Format f : accepted)
        if (ext == "." + to_string(f)) return f;
    std::string exts;
    for (Format f : accepted) exts += (exts.empty() ? "." : ", .") + to_string(f);
    throw UsageError("cannot tell the format of '" + output + "' from its extension; give -f",
                     Context{}.expected("-f one of: " + joined(accepted) + " (or an output ending in " + exts + ")"));
}

CLI::Option* add_store_option(CLI::App& cmd, std::string& store, bool positional) {
    return cmd
        .add_option(positional ? "store,--store" : "--store", store,
                    "HDF5 store" + std::string(positional ? " (or give it first, without --store)" : ""))
        ->required();
}

CLI::Validator one_of(std::vector<std::string> names, std::string what) {
    std::string list, set;
    for (const auto& n : names) {
        list += (list.empty() ? "" : ", ") + n;
        set += (set.empty() ? "" : ",") + n;
    }
    return CLI::Validator(
        [names = std::move(names), what = std::move(what), list](std::string& value) -> std::string {
            if (std::find(names.begin(), names.end(), value) != names.end()) return {};
            return "'" + value + "' is not a " + what + "; valid: " + list;
        },
        "{" + set + "}"); // CLI11's form for a set ("TEXT:{a,b}"), read by `avf completion`
}

std::vector<std::string> finding_kind_names() {
    std::vector<std::string> out;
    for (auto k : {FindingKind::violation, FindingKind::discrepancy, FindingKind::coverage_gap, FindingKind::unverifiable, FindingKind::exempted})
        out.emplace_back(to_string(k));
    return out;
}

std::vector<std::string> certainty_names() {
    return {std::string(to_string(Certainty::certain)), std::string(to_string(Certainty::possible))};
}

void add_progress_options(CLI::App& cmd, ProgressOptions& options) {
    auto* quiet = cmd.add_flag("-q,--quiet", options.quiet, "No progress on stderr");
    cmd.add_flag("--progress", options.force, "Progress on stderr even when it is not a terminal")->excludes(quiet);
}

} // namespace avf::cli
