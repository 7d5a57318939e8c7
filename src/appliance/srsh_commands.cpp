// The srsh command table: every group, in `help` order.
#include "appliance/srsh_commands.h"

namespace sr::appliance::srsh {

Commands all_commands() {
    Commands all;
    for (Commands (*group)() : {hsm_commands, hsm_policy_commands, partition_commands,
                                partition_policy_commands, client_commands, ntls_commands}) {
        Commands g = group();
        for (auto& c : g) all.push_back(std::move(c));
    }
    return all;
}

}  // namespace sr::appliance::srsh
