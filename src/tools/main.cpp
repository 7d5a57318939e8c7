// strongroom: the manufacturer's and operator's command-line tool. Command groups register
// their commands here; each command declares its own options (tools/command.h).
#include <iostream>

#include "hsm/version.h"
#include "tools/command.h"

int main(int argc, char** argv) {
    CLI::App app{"strongroom: software HSMs that behave like Luna HSMs"};
    app.set_version_flag("--version", std::string(sr::hsm::version()));
    app.require_subcommand(1);
    CLI::App* factory = app.add_subcommand("factory", "Make new HSM devices");
    factory->require_subcommand(1);
    auto commands = sr::tools::factory_commands();
    for (auto& c : commands) c->declare(*factory);
    for (auto& c : sr::tools::demo_commands()) {
        c->declare(app);
        commands.push_back(std::move(c));
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    for (auto& c : commands)
        if (c->chosen()) return c->run(std::cout, std::cerr);
    std::cerr << app.help();
    return 1;
}
