// srcm: the Strongroom client manager shell (LunaCM's habits). Interactive on a terminal;
// scripted with -f FILE, standard input, or -q COMMAND; --json for scripts that parse results.
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <unistd.h>

#include "client/home.h"
#include "cm/shell.h"
#include "hsm/version.h"
#include "shell/result.h"

int main(int argc, char** argv) {
    // `-q` takes the rest of the line as one srcm command (its own options start with '-' too),
    // so it is split off before CLI11 sees the arguments.
    std::vector<std::string> one_command;
    int own_argc = argc;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a(argv[i]);
        if (a == "-q" || a == "--command") {
            own_argc = i;
            for (int j = i + 1; j < argc; ++j) one_command.emplace_back(argv[j]);
            if (one_command.empty()) {
                std::cerr << "srcm: -q needs a command\n";
                return 2;
            }
            break;
        }
    }
    CLI::App app{"srcm: the Strongroom client manager shell (LunaCM-compatible commands)"};
    app.set_version_flag("--version", std::string(sr::hsm::version()));
    std::string file;
    bool stop_on_error = false;
    bool json = false;
    std::string home;
    app.add_option("-f,--file", file, "Run the commands in FILE (answers to prompts on the "
                                      "lines after the command that asks)");
    bool q_documented = false;  // consumed above; declared so that --help lists it
    app.add_flag("-q,--command", q_documented, "Run the rest of the line as one command and exit");
    app.add_flag("-e,--stop-on-error", stop_on_error, "Stop at the first failing command");
    app.add_flag("--json", json, "Print each command's result as one JSON object");
    app.add_option("--home", home, "Client home (default: $STRONGROOM_HOME or "
                                   "~/.local/share/strongroom)");
    try {
        app.parse(own_argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }

    const auto home_dir = home.empty() ? sr::client::client_home() : std::filesystem::path(home);
    auto client = sr::client::Client::open(home_dir);
    if (!client) {
        std::cerr << "srcm: cannot open the client home " << home_dir << ": "
                  << client.status().message() << "\n";
        return 1;
    }
    sr::cm::State state(std::move(*client));
    sr::cm::ShellOptions options{json, stop_on_error};

    if (!one_command.empty()) {
        std::string line;
        for (const auto& w : one_command) line += (line.empty() ? "" : " ") + w;
        auto console = sr::cm::stream_console(std::cin, std::cout);
        sr::cm::Shell shell(state, *console, options);
        return sr::shell::exit_status(shell.execute(line));
    }
    if (!file.empty()) {
        std::ifstream in(file);
        if (!in) {
            std::cerr << "srcm: cannot read " << file << "\n";
            return 1;
        }
        auto console = sr::cm::stream_console(in, std::cout);
        sr::cm::Shell shell(state, *console, options);
        return shell.run(false);
    }
    if (isatty(STDIN_FILENO) == 0) {
        auto console = sr::cm::stream_console(std::cin, std::cout);
        sr::cm::Shell shell(state, *console, options);
        return shell.run(false);
    }
    auto console = sr::cm::terminal_console();
    sr::cm::Shell shell(state, *console, options);
    console->write(sr::cm::banner() + "\n");
    (void)shell.execute("slot list");
    return shell.run(true);
}
