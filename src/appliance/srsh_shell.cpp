// The srsh shell: its commands and LunaSH's wording on the shared runner.
#include "appliance/srsh_shell.h"

#include <fmt/format.h>

#include "appliance/srsh_commands.h"
#include "hsm/version.h"
#include "shell/result.h"

namespace sr::appliance::srsh {
namespace {

std::vector<shell::CommandSpec> specs_of(const Commands& commands) {
    std::vector<shell::CommandSpec> specs;
    specs.reserve(commands.size());
    for (const auto& c : commands) specs.push_back(c->spec());
    return specs;
}

}  // namespace

std::string banner() {
    return fmt::format("srsh v{}. Strongroom appliance shell, after LunaSH.\n", hsm::version());
}

std::string result_line(const Status& st) {
    return st.is_ok() ? "Command Result : 0 (Success)" : shell::result_line(st);
}

Shell::Shell(State& state, Console& console, ShellOptions options)
    : m_state(state),
      m_console(console),
      m_options(options),
      m_commands(all_commands()),
      m_runner(console, options, *this, specs_of(m_commands),
               [this](size_t index, const shell::Arguments& args, Reply& reply) {
                   return dispatch(index, args, reply);
               }) {}

Status Shell::dispatch(size_t index, const shell::Arguments& args, Reply& reply) {
    Invocation in{m_state, m_console, args, reply, m_options.json};
    return m_commands[index]->run(in);
}

std::string Shell::prompt() { return prompt(true); }

// The prompt is the console's business: a terminal shows it, an echoing stream console (the
// demo's transcript) prints it with the line, a silent one not at all.
std::string Shell::prompt(bool) const { return "[" + m_state.prompt_label() + "] srsh:> "; }

std::string Shell::result_line(const Status& st) const { return srsh::result_line(st); }

std::string Shell::outcome(std::string_view command, const Status& st, bool parsed) const {
    if (st.is_ok()) return "\n'" + std::string(command) + "' successful.\n";
    std::string out = "\nError: ";
    if (parsed) out += "'" + std::string(command) + "' failed. ";
    return out + st.message() + "\n";
}

std::string Shell::exit_summary() const { return "Leave srsh (the HSM SO login ends)"; }

}  // namespace sr::appliance::srsh
