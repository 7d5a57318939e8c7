// Helpers srsh's commands share: secrets from options or LunaSH prompts, `proceed`
// confirmations, the HSM SO check, partitions by name, the field layout.
#include "appliance/srsh_command.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace sr::appliance::srsh {

Result<std::string> secret_option(Invocation& in, std::string_view option, std::string_view prompt,
                                  bool setting) {
    if (auto v = in.args.text(option)) return *v;
    const std::string missing = "-" + std::string(option);
    if (!in.console.interactive() && in.json)
        return error(Err::ArgumentsBad, missing + " is required with --json");
    in.console.write(std::string(prompt) + "\n");
    auto first = in.console.ask("> ", /*secret=*/true);
    if (!first)
        return error(Err::ArgumentsBad,
                     missing + " was not given and there was no answer to the prompt");
    if (!setting) return *first;
    in.console.write("Please re-enter password to confirm:\n");
    auto second = in.console.ask("> ", /*secret=*/true);
    if (!second || *second != *first)
        return error(Err::ArgumentsBad, "the two entries for " + missing + " do not match");
    return *first;
}

Status confirm(Invocation& in, std::initializer_list<std::string_view> warning,
               std::string_view action) {
    if (in.args.has("force")) return {};
    if (!in.console.interactive() && in.json)
        return error(Err::ArgumentsBad,
                     "-force is required with --json (the command is "
                     "destructive and --json cannot ask for 'proceed')");
    std::string text = "\n";
    for (std::string_view w : warning) text += std::string(w) + "\n";
    if (warning.size() != 0) text += "\n";
    text += "Type 'proceed' to " + std::string(action) + ", or\n'quit' to quit now.\n";
    in.console.write(text);
    auto answer = in.console.ask("> ", false);
    if (answer && *answer == "proceed") return {};
    return error(Err::Cancel, "Command aborted: 'proceed' was not given.");
}

shell::OptionSpec force_option() {
    return {"force", "f", shell::ValueKind::Flag, false, "", "Do not ask for 'proceed'."};
}

Status require_hsm_so(Invocation& in, std::string_view command) {
    SR_ASSIGN_OR_RETURN(hsm::DeviceInfo d, in.state.device().info());
    if (!d.hsm_initialized)
        return error(Err::HsmNotInitialized,
                     "the HSM is not initialized: 'hsm init -label <label>' first");
    SR_ASSIGN_OR_RETURN(bool so, in.state.hsm_so_logged_in());
    if (!so)
        return error(Err::UserNotLoggedIn,
                     "'" + std::string(command) + "' needs the HSM SO: log in with 'hsm login'");
    return {};
}

Result<hsm::PartitionInfo> partition_named(Invocation& in, const std::string& name) {
    SR_ASSIGN_OR_RETURN(auto parts, in.state.device().partitions());
    for (auto& p : parts)
        if (p.name == name) return std::move(p);
    return error(Err::ContainerHandleInvalid,
                 "no partition named '" + name + "' on this HSM; 'partition list' shows them");
}

std::string field(std::string_view key, std::string_view value, size_t width) {
    return fmt::format("   {:<{}}{}", std::string(key) + ":", width, value);
}

Result<std::string> read_text_file(const std::string& path, std::string_view option) {
    std::ifstream f(path, std::ios::binary);
    if (!f)
        return error(Err::ArgumentsBad,
                     "-" + std::string(option) + ": cannot read the file '" + path + "'");
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

}  // namespace sr::appliance::srsh
