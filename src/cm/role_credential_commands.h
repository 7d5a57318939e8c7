// `role init`, `role changepw`, `role resetpw` and `role createchallenge` (luna-reference §1.5,
// §4): registered by role_commands() into the `role` group.
#pragma once

#include "cm/commands.h"

namespace sr::cm {

Commands role_credential_commands();

}  // namespace sr::cm
