// `partition showpolicies` and `partition changepolicy` (luna-reference §1.7, §3): registered by
// partition_commands() into the `partition` group.
#pragma once

#include "cm/commands.h"

namespace sr::cm {

Commands partition_policy_commands();

}  // namespace sr::cm
