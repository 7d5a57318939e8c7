// srcm commands are objects: each declares its words and options once (shell::CommandSpec, from
// which parsing and help come) and runs against an Invocation — the shell state, the console and
// a Reply it fills. One file per command group registers its commands (commands.h).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cm/console.h"
#include "cm/state.h"
#include "common/result.h"
#include "shell/grammar.h"
#include "shell/reply.h"

namespace sr::cm {

using shell::Reply;  // what a command has to say (shell/reply.h)

struct Invocation {
    State& state;
    Console& console;
    const shell::Arguments& args;
    Reply& reply;
    bool json = false;  // progress and prompts stay off stdout's JSON lines
};

class Command {
public:
    virtual ~Command() = default;
    virtual const shell::CommandSpec& spec() const = 0;
    virtual Status run(Invocation& in) = 0;
};

// A secret option's value, or the operator's answer to `Enter <what>:` (asked twice, and the two
// must match, when `setting`). ArgumentsBad when absent and nobody can be asked.
Result<std::string> secret_option(Invocation& in, std::string_view option, std::string_view what,
                                  bool setting);
// A destructive command's confirmation (luna-reference §1.1): `-force`, or the literal answer
// `proceed`. Anything else cancels (Err::Cancel, "Command aborted").
Status confirm(Invocation& in, std::initializer_list<std::string_view> warning);

// A command that exists in the guide but not in this version: it answers so, by name.
std::unique_ptr<Command> unavailable_command(shell::CommandSpec spec, std::string why);

}  // namespace sr::cm
