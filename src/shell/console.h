// Where a shell (srcm, srsh) talks to its operator: output, the next command line, answers to
// prompts (masked for secrets). A terminal console uses line editing and history; a stream console
// reads commands and answers from one stream, as piping a script into LunaCM does (a `proceed` or
// a password on the line after the command answers its prompt). Not thread-safe: one shell
// drives it.
#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sr::shell {

class Console {
public:
    virtual ~Console() = default;
    virtual void write(std::string_view text) = 0;
    // Progress of a long command; a terminal rewrites one line, a stream prints whole lines.
    virtual void progress(std::string_view text) = 0;
    // The next command line, nullopt at the end of input.
    virtual std::optional<std::string> read_command(std::string_view prompt) = 0;
    // An answer to a prompt, nullopt at the end of input. `secret` answers are not echoed.
    virtual std::optional<std::string> ask(std::string_view prompt, bool secret) = 0;
    // Whether a person is there to answer (prompts are worth showing).
    virtual bool interactive() const = 0;
};

// Commands and answers from `in`, output to `out`. Prompts are written; with `echo`, so are
// the commands (after the shell's prompt, `srcm:> ` when it gives none) and the answers (secrets
// as `********`), so the output reads like a terminal session.
std::unique_ptr<Console> stream_console(std::istream& in, std::ostream& out, bool echo = false);

// The process's terminal: GNU readline for commands (with history), masked password entry.
std::unique_ptr<Console> terminal_console();

}  // namespace sr::shell
