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

namespace {
// `avf fnidings list` names the unknown command and lists the known ones, instead of CLI11's
// "The following arguments were not expected". Walks the command words (arguments before the
// first option) down the tree of subcommands; UsageError at the first word that is not one.
void check_command_words(CLI::App& app, int argc, char** argv) {
    CLI::App* at = &app;
    std::string path = "avf";
    for (int i = 1; i < argc; ++i) {
        const std::string word = argv[i];
        if (word.empty() || word[0] == '-') return;
        auto subs = at->get_subcommands([](CLI::App*) { return true; });
        if (subs.empty() || at->get_require_subcommand_min() == 0) return; // a command's own positional arguments
        CLI::App* next = nullptr;
        std::string known;
        for (CLI::App* sub : subs) {
            if (sub->check_name(word)) next = sub;
            if (!sub->get_group().empty()) known += (known.empty() ? "" : ", ") + sub->get_name();
        }
        if (!next)
            throw UsageError("'" + word + "' is not a command of " + path, Context{}.expected("one of: " + known + " (see " + path + " --help)"));
        at = next;
        path += " " + word;
    }
}
} // namespace

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
    register_runs_commands(app);
    register_findings_commands(app);
    register_coverage_command(app);
    register_audit_commands(app);
    register_store_commands(app);
    register_map_command(app);
    register_export_commands(app); // after zones and coverage: it adds their `export`
    register_completion_command(app);

    try {
        check_command_words(app, argc, argv);
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
