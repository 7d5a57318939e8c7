// Helpers every command shares: secrets from options or prompts, `proceed` confirmations, and
// the honest answer of commands this version does not have.
#include "cm/command.h"

namespace sr::cm {

Result<std::string> secret_option(Invocation& in, std::string_view option, std::string_view what,
                                  bool setting) {
    if (auto v = in.args.text(option)) return *v;
    if (!in.console.interactive() && in.json)
        return error(Err::ArgumentsBad, "-" + std::string(option) + " is required with --json");
    auto first = in.console.ask("Enter " + std::string(what) + ": ", /*secret=*/true);
    if (!first)
        return error(Err::ArgumentsBad, "-" + std::string(option) +
                                            " was not given and there was no answer to the prompt");
    if (!setting) return *first;
    auto second = in.console.ask("Re-enter " + std::string(what) + ": ", /*secret=*/true);
    if (!second || *second != *first)
        return error(Err::ArgumentsBad, "the two entries of the " + std::string(what) +
                                            " do not match");
    return *first;
}

Status confirm(Invocation& in, std::initializer_list<std::string_view> warning) {
    if (in.args.has("force")) return {};
    std::string text = "\n";
    for (std::string_view w : warning) text += std::string(w) + "\n";
    text += "\nAre you sure you wish to continue?\n\n";
    in.console.write(text);
    auto answer = in.console.ask("Type 'proceed' to continue, or 'quit' to quit now ->", false);
    if (answer && *answer == "proceed") return {};
    return error(Err::Cancel, "Command aborted.");
}

namespace {

class Unavailable final : public Command {
public:
    Unavailable(shell::CommandSpec spec, std::string why)
        : m_spec(std::move(spec)), m_why(std::move(why)) {}
    const shell::CommandSpec& spec() const override { return m_spec; }
    Status run(Invocation&) override {
        return error(Err::FunctionNotSupported,
                     "'" + m_spec.name() + "' is not available in this version: " + m_why);
    }

private:
    shell::CommandSpec m_spec;
    std::string m_why;
};

}  // namespace

std::unique_ptr<Command> unavailable_command(shell::CommandSpec spec, std::string why) {
    return std::make_unique<Unavailable>(std::move(spec), std::move(why));
}

}  // namespace sr::cm
