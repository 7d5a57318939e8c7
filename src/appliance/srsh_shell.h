// The srsh shell: parses a line with the command table's grammar (src/shell), runs the command
// and prints its reply, then LunaSH's `'<command>' successful.` / `Command Result : 0 (Success)`
// or the error and its result line (or, with --json, one JSON object per command). Runs single
// lines, scripts and the interactive loop. Not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "appliance/srsh_command.h"
#include "shell/grammar.h"

namespace sr::appliance::srsh {

struct ShellOptions {
    bool json = false;
    bool stop_on_error = false;  // -e: a script stops at its first failing command
};

class Shell final {
  public:
    Shell(State& state, Console& console, ShellOptions options);

    // Runs one line and prints everything it says. Empty and comment lines do nothing.
    Status execute(std::string_view line);
    // Reads commands until the input ends (or `exit`, or the first failure with
    // stop_on_error). Returns the process exit status (shell/result.h).
    int run(bool interactive);

    // `[<hsm label>] srsh:> `
    std::string prompt();
    const shell::Grammar& grammar() const { return m_grammar; }

  private:
    void print(std::string_view command, const Reply& reply, const Status& st, bool parsed);
    void print_help(const shell::ParsedLine& p);

    State& m_state;
    Console& m_console;
    ShellOptions m_options;
    Commands m_commands;
    shell::Grammar m_grammar;
    bool m_exit = false;
};

// The banner an interactive srsh prints first.
std::string banner();

// "Command Result : 0 (Success)", or the shared result line of the error (shell/result.h).
std::string result_line(const Status& st);

}  // namespace sr::appliance::srsh
