// Fuzz target: the shells' command-line grammar (shell/grammar.h) with srcm's command table,
// which reads whatever an operator or a script types. Parsing must fail cleanly on any line; whatever parses must name
// a declared command and options, and generating its help must work.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "cm/commands.h"
#include "shell/grammar.h"

namespace {

// srcm's own command table: every declared command, option and short form is reachable.
const sr::shell::Grammar& grammar() {
    static const sr::shell::Grammar g([] {
        std::vector<sr::shell::CommandSpec> specs;
        for (const auto& c : sr::cm::all_commands()) specs.push_back(c->spec());
        return specs;
    }());
    return g;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view line(reinterpret_cast<const char*>(data), size);
    auto parsed = grammar().parse(line);
    if (!parsed.is_ok()) {
        if (parsed.code() != sr::Err::ArgumentsBad) std::abort();
        return 0;
    }
    using Kind = sr::shell::ParsedLine::Kind;
    if (parsed->kind == Kind::Command) {
        if (parsed->command == nullptr) std::abort();
        for (const auto& o : parsed->command->options) {
            (void)parsed->args.list(o.name);
            if (o.kind == sr::shell::ValueKind::Number && parsed->args.has(o.name) &&
                !parsed->args.number(o.name))
                std::abort();
        }
    }
    if (parsed->command) (void)sr::shell::Grammar::help(*parsed->command);
    if (parsed->kind == Kind::Help && !parsed->command) (void)grammar().group_help(parsed->help_noun);
    return 0;
}
