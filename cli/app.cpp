#include "cli/app.hpp"

#include "core/error.hpp"
#include "core/version.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace avf::cli {
namespace {
int g_exit_status = 0;
}

void set_exit_status(int code) {
    g_exit_status = code;
}

int run(int argc, char** argv) {
    g_exit_status = 0;
    CLI::App app{"avf — arms-control verification fusion: check declarations and observations against treaty zones, "
                 "lines and limits, and keep the findings with their evidence in an HDF5 store."};
    app.name("avf");
    app.set_version_flag("--version", std::string("avf ") + tool_version + " (" + git_commit + ")");
    app.require_subcommand(1);
    app.failure_message(CLI::FailureMessage::help);

    // The one list of command families.
    register_zones_commands(app);
    register_regime_commands(app);
    register_run_command(app);
    register_findings_commands(app);
    register_coverage_command(app);
    register_audit_commands(app);
    register_store_commands(app);
    register_map_command(app);
    register_completion_command(app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e); // prints help (exit 0) or the usage error
        return code == 0 ? 0 : 2;
    } catch (const Error& e) {
        std::cerr << "avf: error: " << e.what() << "\n";
        return e.exit_code();
    } catch (const std::exception& e) {
        std::cerr << "avf: internal error: " << e.what() << "\nThis is a bug in avf; please report it with the command line.\n";
        return 70;
    }
    return g_exit_status;
}

} // namespace avf::cli
