// The strongroom command's building blocks: each command is an object that declares its options
// on a CLI11 subcommand and runs against injected output streams, so tests can drive it.
#pragma once

#include <CLI/CLI.hpp>

#include <iosfwd>
#include <memory>
#include <vector>

namespace sr::tools {

class Command {
public:
    virtual ~Command() = default;
    // Declares the command (name, help, options) under `parent`.
    virtual void declare(CLI::App& parent) = 0;
    // Runs after a successful parse when this command was chosen; returns the exit status.
    virtual int run(std::ostream& out, std::ostream& err) = 0;
    // Whether the command line chose this command.
    virtual bool chosen() const = 0;
};

// The `factory` command group (factory_commands.cpp).
std::vector<std::unique_ptr<Command>> factory_commands();
// `demo` (demo_command.cpp).
std::vector<std::unique_ptr<Command>> demo_commands();

}  // namespace sr::tools
