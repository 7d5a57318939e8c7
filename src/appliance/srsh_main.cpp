// srsh: the Strongroom appliance shell (LunaSH's habits), talking to strongroomd on the
// appliance home's admin socket. Interactive on a terminal; scripted with -f FILE, standard
// input, or -q COMMAND; --json for scripts that parse results.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "appliance/appliance_home.h"
#include "appliance/srsh_shell.h"
#include "hsm/version.h"
#include "net/remote_device.h"
#include "shell/result.h"

namespace {

using namespace sr::appliance;

int run_shell(srsh::State& state, std::istream* script, const std::string& one_command,
              srsh::ShellOptions options) {
    if (!one_command.empty()) {
        // A password the one command asks for is typed masked when a person is there.
        auto console = isatty(STDIN_FILENO) != 0 ? sr::shell::terminal_console()
                                                 : sr::shell::stream_console(std::cin, std::cout);
        srsh::Shell shell(state, *console, options);
        return sr::shell::exit_status(shell.execute(one_command));
    }
    if (script != nullptr || isatty(STDIN_FILENO) == 0) {
        auto console = sr::shell::stream_console(script ? *script : std::cin, std::cout);
        srsh::Shell shell(state, *console, options);
        return shell.run(false);
    }
    auto console = sr::shell::terminal_console();
    srsh::Shell shell(state, *console, options);
    console->write(srsh::banner() + "\n");
    return shell.run(true);
}

}  // namespace

int main(int argc, char** argv) {
    // `-q` takes the rest of the line as one srsh command (whose options start with '-' too),
    // so it is split off before CLI11 sees the arguments.
    std::string one_command;
    int own_argc = argc;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a(argv[i]);
        if (a != "-q" && a != "--command") continue;
        own_argc = i;
        for (int j = i + 1; j < argc; ++j)
            one_command += (one_command.empty() ? "" : " ") + std::string(argv[j]);
        if (one_command.empty()) {
            std::cerr << "srsh: -q needs a command\n";
            return 2;
        }
        break;
    }
    CLI::App app{"srsh: the Strongroom appliance shell (LunaSH-compatible commands)"};
    app.set_version_flag("--version", std::string(sr::hsm::version()));
    std::string file;
    std::string home;
    bool stop_on_error = false;
    bool json = false;
    bool q_documented = false;  // consumed above; declared so that --help lists it
    app.add_option("--home", home, "The appliance home (strongroomd --home)")->required();
    app.add_option("-f,--file", file,
                   "Run the commands in FILE (answers to prompts on the "
                   "lines after the command that asks)");
    app.add_flag("-q,--command", q_documented, "Run the rest of the line as one command and exit");
    app.add_flag("-e,--stop-on-error", stop_on_error, "Stop at the first failing command");
    app.add_flag("--json", json, "Print each command's result as one JSON object");
    try {
        app.parse(own_argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }

    std::ifstream script_file;
    if (!file.empty()) {
        script_file.open(file);
        if (!script_file) {
            std::cerr << "srsh: cannot read " << file << "\n";
            return 1;
        }
    }
    const auto socket = admin_socket_path(home);
    auto device = sr::net::connect_admin_socket(socket);
    auto appliance = device ? connect_appliance_admin(socket)
                            : sr::Result<std::unique_ptr<ApplianceAdmin>>(device.status());
    if (!device || !appliance) {
        std::cerr << "srsh: cannot reach strongroomd at " << socket << ": "
                  << (device ? appliance.status() : device.status()).message() << "\n";
        return 1;
    }
    auto state = srsh::State::open(**device, **appliance);
    if (!state) {
        std::cerr << "srsh: strongroomd at " << socket
                  << " does not answer: " << state.status().message()
                  << " (is strongroomd running with --home " << home << "?)\n";
        return 1;
    }
    return run_shell(**state, file.empty() ? nullptr : &script_file, one_command,
                     {json, stop_on_error});
}
