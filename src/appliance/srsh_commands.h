// The command groups of srsh, one file each. The shell's table is their concatenation, in this
// order (which is also the order of `help`).
#pragma once

#include "appliance/srsh_command.h"

namespace sr::appliance::srsh {

Commands hsm_commands();               // hsm login/logout/init/show (srsh_hsm_commands.cpp)
Commands hsm_policy_commands();        // hsm showpolicies/changepolicy (srsh_policy_commands.cpp)
Commands partition_commands();         // partition create/delete/list/show
Commands partition_policy_commands();  // partition showpolicies/changepolicy
Commands client_commands();            // client register/list/show/delete/assign/revokepartition
Commands ntls_commands();              // ntls show, sysconf regencert

// Every command, in table order.
Commands all_commands();

}  // namespace sr::appliance::srsh
