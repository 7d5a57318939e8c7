// Command groups of the guide that later versions bring. They parse (so scripts fail with a clear
// sentence, not a syntax error) and answer that they are not available.
#include "cm/commands.h"

namespace sr::cm {
namespace {

shell::CommandSpec spec(std::string noun, std::string verb, std::string summary) {
    shell::CommandSpec s;
    s.noun = std::move(noun);
    s.verb = std::move(verb);
    s.summary = std::move(summary) + " (not available in this version)";
    // Accept whatever options the guide gives; the command refuses before reading them.
    s.any_options = true;
    return s;
}

}  // namespace

Commands unavailable_commands() {
    const std::string backup = "Backup HSM support (partition archive) comes in a later version";
    const std::string ha = "HA groups come in a later version";
    Commands c;
    for (const char* verb : {"backup", "restore", "list", "contents", "delete"})
        c.push_back(unavailable_command(spec("partition", std::string("archive ") + verb, "Backup HSM archive"),
                                        backup));
    for (const char* verb : {"creategroup", "addmember", "removemember", "listgroups",
                             "synchronize", "deletegroup", "recover", "halog", "haonly"})
        c.push_back(unavailable_command(spec("hagroup", verb, "HA group"), ha));
    return c;
}

}  // namespace sr::cm
