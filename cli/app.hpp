// The avf command: subcommands registered in one explicit list (register_commands), errors
// mapped to the documented exit codes. main() only calls run().
//
//   int code = avf::cli::run(argc, argv);
//
// Exit codes: 0 ok; 1 problems or findings when asked (--fail-on, `zones validate`);
// 2 usage; 3 bad input; 4 I/O error; 70 internal error.
#pragma once

namespace CLI {
class App;
}

namespace avf::cli {

int run(int argc, char** argv);

/// Each adds one command family to the app (called in one list by run(), cli/app.cpp).
void register_zones_commands(CLI::App& app);    ///< avf zones import | validate | list | show (cli/zones_commands.cpp)
void register_regime_commands(CLI::App& app);   ///< avf regime check (cli/regime_commands.cpp)
void register_run_command(CLI::App& app);       ///< avf run (cli/run_command.cpp)
void register_findings_commands(CLI::App& app); ///< avf findings list | show | export, + diff (cli/findings_commands.cpp)
void register_coverage_command(CLI::App& app);  ///< avf coverage (cli/coverage_command.cpp)
void register_audit_commands(CLI::App& app);    ///< avf audit verify | sign, + report (cli/audit_commands.cpp)
void register_store_commands(CLI::App& app);    ///< avf store pack (cli/store_commands.cpp)
void register_map_command(CLI::App& app);       ///< avf map (cli/map_command.cpp)
void register_runs_commands(CLI::App& app);     ///< avf runs list (cli/runs_commands.cpp)
/// avf zones export, avf coverage export, avf images export (cli/export_commands.cpp); after zones and coverage.
void register_export_commands(CLI::App& app);
/// Subcommands in files of their own, added by their family's function above.
void register_findings_diff(CLI::App& findings); ///< avf findings diff (cli/findings_diff.cpp)
void register_audit_report(CLI::App& audit);     ///< avf audit report (cli/audit_report.cpp)
/// The hidden `avf completion bash | commands` (cli/completion_command.cpp), registered last.
void register_completion_command(CLI::App& app);

/// Exit status a command asks for when it completes without an exception (e.g. 1 from
/// `zones validate` when features were rejected). Commands set it; run() returns it.
void set_exit_status(int code);

} // namespace avf::cli
