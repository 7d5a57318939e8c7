// The srcm shell: its command table and wording on the shells' shared runner (shell/runner.h),
// which parses a line, runs the command and prints its reply and the `Command Result` line (or,
// with --json, one JSON object per command), for single lines, scripts and the interactive loop.
// Not thread-safe.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "cm/command.h"
#include "cm/console.h"
#include "cm/state.h"
#include "shell/grammar.h"
#include "shell/runner.h"

namespace sr::cm {

using ShellOptions = shell::ShellOptions;

class Shell final : private shell::Dialect {
public:
    Shell(State& state, Console& console, ShellOptions options);

    // Runs one line and prints everything it says. Empty and comment lines do nothing.
    Status execute(std::string_view line) { return m_runner.execute(line); }
    // Reads commands from the console until its input ends (or `exit`/`quit`, or the first
    // failure with stop_on_error). Returns the process exit status (shell/result.h).
    int run(bool interactive) { return m_runner.run(interactive); }

    const shell::Grammar& grammar() const { return m_runner.grammar(); }

private:
    // shell::Dialect: `srcm:> `, the shared result line, the error message before it.
    std::string prompt(bool interactive) const override;
    std::string result_line(const Status& st) const override;
    std::string outcome(std::string_view command, const Status& st, bool parsed) const override;
    std::string exit_summary() const override;

    Status dispatch(size_t index, const shell::Arguments& args, Reply& reply);

    State& m_state;
    Console& m_console;
    const ShellOptions m_options;
    std::vector<std::unique_ptr<Command>> m_commands;
    shell::Runner m_runner;
};

// The banner an interactive srcm prints first.
std::string banner();

}  // namespace sr::cm
