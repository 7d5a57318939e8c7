// The srsh shell: its command table and LunaSH's wording on the shells' shared runner
// (shell/runner.h): the reply, then `'<command>' successful.` / `Command Result : 0 (Success)`
// or the error and its result line (or, with --json, one JSON object per command), for single
// lines, scripts and the interactive loop. Not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "appliance/srsh_command.h"
#include "shell/grammar.h"
#include "shell/runner.h"

namespace sr::appliance::srsh {

using ShellOptions = shell::ShellOptions;

class Shell final : private shell::Dialect {
  public:
    Shell(State& state, Console& console, ShellOptions options);

    // Runs one line and prints everything it says. Empty and comment lines do nothing.
    Status execute(std::string_view line) { return m_runner.execute(line); }
    // Reads commands until the input ends (or `exit`, or the first failure with
    // stop_on_error). Returns the process exit status (shell/result.h).
    int run(bool interactive) { return m_runner.run(interactive); }

    // `[<hsm label>] srsh:> `
    std::string prompt();
    const shell::Grammar& grammar() const { return m_runner.grammar(); }

  private:
    // shell::Dialect: the prompt always (the console decides whether to show it), LunaSH's
    // success and error lines.
    std::string prompt(bool interactive) const override;
    std::string result_line(const Status& st) const override;
    std::string outcome(std::string_view command, const Status& st, bool parsed) const override;
    std::string exit_summary() const override;

    Status dispatch(size_t index, const shell::Arguments& args, Reply& reply);

    State& m_state;
    Console& m_console;
    const ShellOptions m_options;
    Commands m_commands;
    shell::Runner m_runner;
};

// The banner an interactive srsh prints first.
std::string banner();

// "Command Result : 0 (Success)", or the shared result line of the error (shell/result.h).
std::string result_line(const Status& st);

}  // namespace sr::appliance::srsh
