// The srsh shell loop: parse, run, print the reply and LunaSH's result lines.
#include "appliance/srsh_shell.h"

#include <fmt/format.h>

#include "appliance/srsh_commands.h"
#include "hsm/version.h"
#include "shell/result.h"

namespace sr::appliance::srsh {
namespace {

// `exit` / `quit` end the shell; they are commands so that help lists them.
class ExitCommand final : public Command {
  public:
    ExitCommand(std::string word, bool& flag) : m_flag(flag) {
        m_spec.noun = std::move(word);
        m_spec.summary = "Leave srsh (the HSM SO login ends)";
    }
    const shell::CommandSpec& spec() const override { return m_spec; }
    Status run(Invocation&) override {
        m_flag = true;
        return {};
    }

  private:
    shell::CommandSpec m_spec;
    bool& m_flag;
};

std::vector<shell::CommandSpec> specs_of(const Commands& commands) {
    std::vector<shell::CommandSpec> specs;
    specs.reserve(commands.size());
    for (const auto& c : commands) specs.push_back(c->spec());
    return specs;
}

Commands table(bool& exit_flag) {
    Commands commands = all_commands();
    commands.push_back(std::make_unique<ExitCommand>("exit", exit_flag));
    commands.push_back(std::make_unique<ExitCommand>("quit", exit_flag));
    return commands;
}

std::string result_name(const Status& st) {
    const std::string line = result_line(st);
    const auto colon = line.find(": ");
    return colon == std::string::npos ? line : line.substr(colon + 2);
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
      m_commands(table(m_exit)),
      m_grammar(specs_of(m_commands)) {}

std::string Shell::prompt() {
    return "[" + m_state.prompt_label() + "] srsh:> ";
}

Status Shell::execute(std::string_view line) {
    auto parsed = m_grammar.parse(line);
    if (!parsed) {
        print(line, Reply(), parsed.status(), false);
        return parsed.status();
    }
    if (parsed->kind == shell::ParsedLine::Kind::Empty) return {};
    if (parsed->kind == shell::ParsedLine::Kind::Help) {
        print_help(*parsed);
        return {};
    }
    Command* command = nullptr;
    for (auto& c : m_commands)
        if (c->spec().name() == parsed->command->name()) command = c.get();
    Reply reply;
    Invocation in{m_state, m_console, parsed->args, reply, m_options.json};
    Status st = command->run(in);
    print(parsed->command->name(), reply, st, true);
    return st;
}

void Shell::print(std::string_view command, const Reply& reply, const Status& st, bool parsed) {
    if (m_options.json) {
        nlohmann::json j;
        j["command"] = std::string(command);
        j["ok"] = st.is_ok();
        j["code"] = fmt::format("0x{:x}", st.is_ok() ? 0UL : shell::result_code(st));
        j["result"] = result_name(st);
        if (!st.is_ok()) j["message"] = st.message();
        j["data"] = reply.data();
        m_console.write(j.dump() + "\n");
        return;
    }
    std::string out;
    if (!reply.lines().empty()) out += "\n";
    for (const std::string& l : reply.lines()) out += l + "\n";
    if (st.is_ok()) {
        out += "\n'" + std::string(command) + "' successful.\n";
    } else {
        out += "\nError: ";
        if (parsed) out += "'" + std::string(command) + "' failed. ";
        out += st.message() + "\n";
    }
    out += "\n" + result_line(st) + "\n\n";
    m_console.write(out);
}

void Shell::print_help(const shell::ParsedLine& p) {
    std::string text;
    if (p.command)
        text = shell::Grammar::help(*p.command);
    else if (!p.help_noun.empty())
        text = m_grammar.group_help(p.help_noun);
    else
        text = m_grammar.index();
    if (m_options.json) {
        nlohmann::json j{{"command", "help"},
                         {"ok", true},
                         {"code", "0x0"},
                         {"result", "0 (Success)"},
                         {"data", {{"text", text}}}};
        m_console.write(j.dump() + "\n");
        return;
    }
    m_console.write("\n" + text + "\n" + result_line(Status()) + "\n\n");
}

// The prompt is the console's business: a terminal shows it, an echoing stream console (the
// demo's transcript) prints it with the line, a silent one not at all.
int Shell::run([[maybe_unused]] bool interactive) {
    Status last_failure;
    while (!m_exit) {
        auto line = m_console.read_command(prompt());
        if (!line) break;
        Status st = execute(*line);
        if (st.is_ok()) continue;
        last_failure = st;
        if (m_options.stop_on_error) break;
    }
    return shell::exit_status(last_failure);
}

}  // namespace sr::appliance::srsh
