// The srcm shell: parses a line with the command table's grammar, runs the command, and prints
// its reply and the `Command Result` line (or, with --json, one JSON object per command). Runs
// single lines, scripts and the interactive loop. Not thread-safe.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "cm/command.h"
#include "cm/console.h"
#include "cm/state.h"
#include "shell/grammar.h"

namespace sr::cm {

struct ShellOptions {
    bool json = false;
    bool stop_on_error = false;  // -e: a script stops at its first failing command
};

class Shell final {
public:
    Shell(State& state, Console& console, ShellOptions options);

    // Runs one line and prints everything it says. Empty and comment lines do nothing.
    Status execute(std::string_view line);
    // Reads commands from the console until its input ends (or `exit`/`quit`, or the first
    // failure with stop_on_error). Returns the process exit status (shell/result.h).
    int run(bool interactive);

    const shell::Grammar& grammar() const { return m_grammar; }

private:
    void print(std::string_view command, const Reply& reply, const Status& st);
    void print_help(const shell::ParsedLine& p);

    State& m_state;
    Console& m_console;
    ShellOptions m_options;
    std::vector<std::unique_ptr<Command>> m_commands;
    shell::Grammar m_grammar;
    bool m_exit = false;
};

// The banner an interactive srcm prints first.
std::string banner();

}  // namespace sr::cm
