// The srcm shell: its commands and wording on the shared runner.
#include "cm/shell.h"

#include <fmt/format.h>

#include "cm/commands.h"
#include "hsm/version.h"
#include "shell/result.h"

namespace sr::cm {
namespace {

std::vector<shell::CommandSpec> specs_of(const std::vector<std::unique_ptr<Command>>& commands) {
    std::vector<shell::CommandSpec> specs;
    specs.reserve(commands.size());
    for (const auto& c : commands) specs.push_back(c->spec());
    return specs;
}

}  // namespace

std::string banner() {
    return fmt::format("srcm (64-bit) v{}. Strongroom client manager, after LunaCM.\n",
                       hsm::version());
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

std::string Shell::prompt(bool interactive) const { return interactive ? "srcm:> " : ""; }

std::string Shell::result_line(const Status& st) const { return shell::result_line(st); }

std::string Shell::outcome(std::string_view, const Status& st, bool) const {
    return st.is_ok() ? std::string() : "\n" + st.message() + "\n";
}

std::string Shell::exit_summary() const {
    return "Leave srcm (open sessions are closed, logins end)";
}

}  // namespace sr::cm
