// The srcm command table: every group, in `help` order.
#include "cm/commands.h"

namespace sr::cm {

Commands all_commands() {
    Commands all;
    for (Commands (*group)() : {slot_commands, hsm_commands, partition_admin_commands,
                                partition_commands, clone_commands, role_commands,
                                clientconfig_commands, unavailable_commands}) {
        Commands g = group();
        for (auto& c : g) all.push_back(std::move(c));
    }
    return all;
}

}  // namespace sr::cm
