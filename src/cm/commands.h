// The command groups of srcm, one file each. The shell's table is their concatenation, in this
// order (which is also the order of `help`).
#pragma once

#include <memory>
#include <vector>

#include "cm/command.h"

namespace sr::cm {

using Commands = std::vector<std::unique_ptr<Command>>;

Commands slot_commands();             // slot list, slot set
Commands hsm_commands();              // hsm showinfo/init/login/logout/showpolicies/changepolicy
Commands partition_admin_commands();  // partition create/delete/list (admin slot)
Commands partition_commands();        // partition init/login/logout/contents/showinfo/...
Commands clone_commands();            // partition clone, partition fill
Commands role_commands();             // role list/login/logout/init/changepw/resetpw/...
Commands clientconfig_commands();     // clientconfig createcert/addserver/listservers/...
Commands unavailable_commands();      // groups of later versions: partition archive, hagroup, ...

// Every command, in table order.
Commands all_commands();

}  // namespace sr::cm
