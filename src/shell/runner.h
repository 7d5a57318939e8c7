// The loop srcm and srsh share: parse a line with the command table's grammar, run the command,
// print its reply and result (or, with --json, one JSON object per command), `help`, `exit` /
// `quit`, scripts and the interactive loop. Each shell supplies only its commands (through
// `Dispatch`) and its Dialect: prompt and result wording. Not thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "shell/console.h"
#include "shell/grammar.h"
#include "shell/reply.h"

namespace sr::shell {

struct ShellOptions {
    bool json = false;
    bool stop_on_error = false;  // -e: a script stops at its first failing command
};

// How one shell words its output; the runner prints the reply's lines, then outcome(), then the
// result line.
class Dialect {
public:
    virtual ~Dialect() = default;
    // The prompt handed to Console::read_command (the console decides whether to show it).
    virtual std::string prompt(bool interactive) const = 0;
    // "Command Result : ..." for an outcome.
    virtual std::string result_line(const Status& st) const = 0;
    // The text between a command's reply and its result line. `parsed`: the line named a command.
    virtual std::string outcome(std::string_view command, const Status& st, bool parsed) const = 0;
    // Help's summary of `exit` and `quit`.
    virtual std::string exit_summary() const = 0;
};

class Runner final {
public:
    // Runs command `index` (into the specs given) with its parsed arguments, filling `reply`.
    using Dispatch = std::function<Status(size_t index, const Arguments& args, Reply& reply)>;

    // `exit` and `quit` are added after `specs`. The dialect must outlive the runner.
    Runner(Console& console, ShellOptions options, const Dialect& dialect,
           std::vector<CommandSpec> specs, Dispatch dispatch);

    // Runs one line and prints everything it says. Empty and comment lines do nothing.
    Status execute(std::string_view line);
    // Reads commands from the console until its input ends (or `exit`/`quit`, or the first
    // failure with stop_on_error). Returns the process exit status (shell/result.h).
    int run(bool interactive);

    const Grammar& grammar() const { return m_grammar; }

private:
    void print(std::string_view command, const Reply& reply, const Status& st, bool parsed);
    void print_help(const ParsedLine& p);
    std::string result_name(const Status& st) const;

    Console& m_console;
    const ShellOptions m_options;
    const Dialect& m_dialect;
    const size_t m_command_count;  // the shell's own commands; exit and quit follow
    Grammar m_grammar;
    Dispatch m_dispatch;
    bool m_exit = false;
};

}  // namespace sr::shell
