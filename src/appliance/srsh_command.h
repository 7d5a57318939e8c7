// srsh commands are objects, as in srcm: each declares its words and options once
// (shell::CommandSpec: parsing and help come from it) and runs against an Invocation — the
// shell state, the console and a Reply it fills (the shells' shared shell::Console and
// shell::Reply). One file per command group registers its commands (srsh_commands.h).
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "appliance/srsh_state.h"
#include "common/result.h"
#include "shell/console.h"
#include "shell/grammar.h"
#include "shell/reply.h"

namespace sr::appliance::srsh {

using shell::Console;
using shell::Reply;

struct Invocation {
    State& state;
    Console& console;
    const shell::Arguments& args;
    Reply& reply;
    bool json = false;  // prompts stay off stdout's JSON lines
};

class Command {
  public:
    virtual ~Command() = default;
    virtual const shell::CommandSpec& spec() const = 0;
    virtual Status run(Invocation& in) = 0;
};

// A command whose words and options are fixed at construction.
class SpecCommand : public Command {
  public:
    explicit SpecCommand(shell::CommandSpec spec, std::vector<std::string> examples = {})
        : m_spec(std::move(spec)) {
        m_spec.examples = std::move(examples);
    }
    const shell::CommandSpec& spec() const override { return m_spec; }

  private:
    shell::CommandSpec m_spec;
};

using Commands = std::vector<std::unique_ptr<Command>>;

// A secret option's value, or the answer to LunaSH's prompt (`<prompt>` then `> `), asked a
// second time with `Please re-enter password to confirm:` when `setting`. ArgumentsBad when the
// option is absent and nobody can answer (end of input, or --json without a terminal).
Result<std::string> secret_option(Invocation& in, std::string_view option, std::string_view prompt,
                                  bool setting);

// LunaSH's confirmation (luna-reference §2.1): the warning, then `Type 'proceed' to <action>,
// or` / `'quit' to quit now.` / `> `. `-force` skips it; any answer but `proceed` cancels
// (Err::Cancel).
Status confirm(Invocation& in, std::initializer_list<std::string_view> warning,
               std::string_view action);

// `-force`, shared by the destructive commands.
shell::OptionSpec force_option();

// The HSM is initialized and this shell's HSM SO is logged in; the refusal names what to type.
Status require_hsm_so(Invocation& in, std::string_view command);

// The partition with this name; ContainerHandleInvalid naming `partition list` otherwise.
Result<hsm::PartitionInfo> partition_named(Invocation& in, const std::string& name);

// LunaSH's `   Key:                     value` layout: 3 blanks, the key and its colon padded
// to `width`.
std::string field(std::string_view key, std::string_view value, size_t width = 32);

// Reads a text file the operator named (a certificate); ArgumentsBad naming it when unreadable.
Result<std::string> read_text_file(const std::string& path, std::string_view option);

}  // namespace sr::appliance::srsh
