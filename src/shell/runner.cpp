// The shared shell loop: parse, run, print the reply and the result lines.
#include "shell/runner.h"

#include <fmt/format.h>

#include "shell/result.h"

namespace sr::shell {
namespace {

std::vector<CommandSpec> with_exit(std::vector<CommandSpec> specs, const std::string& summary) {
    // `exit` / `quit` are commands so that help lists them.
    for (const char* word : {"exit", "quit"}) {
        CommandSpec exit;
        exit.noun = word;
        exit.summary = summary;
        specs.push_back(std::move(exit));
    }
    return specs;
}

}  // namespace

Runner::Runner(Console& console, ShellOptions options, const Dialect& dialect,
               std::vector<CommandSpec> specs, Dispatch dispatch)
    : m_console(console),
      m_options(options),
      m_dialect(dialect),
      m_command_count(specs.size()),
      m_grammar(with_exit(std::move(specs), dialect.exit_summary())),
      m_dispatch(std::move(dispatch)) {}

Status Runner::execute(std::string_view line) {
    auto parsed = m_grammar.parse(line);
    if (!parsed) {
        print(line, Reply(), parsed.status(), false);
        return parsed.status();
    }
    if (parsed->kind == ParsedLine::Kind::Empty) return {};
    if (parsed->kind == ParsedLine::Kind::Help) {
        print_help(*parsed);
        return {};
    }
    // By name, the last of equal names winning, as the shells always chose.
    const std::string name = parsed->command->name();
    const auto specs = m_grammar.commands();
    size_t index = 0;
    for (size_t i = 0; i < specs.size(); ++i)
        if (specs[i].name() == name) index = i;
    Reply reply;
    Status st;
    if (index < m_command_count) st = m_dispatch(index, parsed->args, reply);
    else m_exit = true;
    print(name, reply, st, true);
    return st;
}

std::string Runner::result_name(const Status& st) const {
    const std::string line = m_dialect.result_line(st);
    const auto colon = line.find(": ");
    return colon == std::string::npos ? line : line.substr(colon + 2);
}

void Runner::print(std::string_view command, const Reply& reply, const Status& st, bool parsed) {
    if (m_options.json) {
        nlohmann::json j;
        j["command"] = std::string(command);
        j["ok"] = st.is_ok();
        j["code"] = fmt::format("0x{:x}", st.is_ok() ? 0UL : result_code(st));
        j["result"] = result_name(st);
        if (!st.is_ok()) j["message"] = st.message();
        j["data"] = reply.data();
        m_console.write(j.dump() + "\n");
        return;
    }
    std::string out;
    if (!reply.lines().empty()) out += "\n";
    for (const std::string& l : reply.lines()) out += l + "\n";
    out += m_dialect.outcome(command, st, parsed);
    out += "\n" + m_dialect.result_line(st) + "\n\n";
    m_console.write(out);
}

void Runner::print_help(const ParsedLine& p) {
    std::string text;
    if (p.command) text = Grammar::help(*p.command);
    else if (!p.help_noun.empty()) text = m_grammar.group_help(p.help_noun);
    else text = m_grammar.index();
    if (m_options.json) {
        nlohmann::json j{{"command", "help"},
                         {"ok", true},
                         {"code", "0x0"},
                         {"result", result_name(Status())},
                         {"data", {{"text", text}}}};
        m_console.write(j.dump() + "\n");
        return;
    }
    m_console.write("\n" + text + "\n" + m_dialect.result_line(Status()) + "\n\n");
}

int Runner::run(bool interactive) {
    Status last_failure;
    while (!m_exit) {
        auto line = m_console.read_command(m_dialect.prompt(interactive));
        if (!line) break;
        Status st = execute(*line);
        if (st.is_ok()) continue;
        last_failure = st;
        if (m_options.stop_on_error) break;
    }
    return exit_status(last_failure);
}

}  // namespace sr::shell
