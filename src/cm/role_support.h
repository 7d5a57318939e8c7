// What the partition and role command groups share: the firmware personality's words for a role
// (which name to type, which login command), the shell's login on a slot (one role at a time,
// a second login replaces the first) and the LunaCM `key -> value` line. Stateless helpers over
// an Invocation; not thread-safe (one shell drives them).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cm/command.h"
#include "cm/slot_context.h"
#include "hsm/personality.h"

namespace sr::cm {

// "        Label ->                mykey" (the layout of slot list); `width` holds key and arrow.
std::string arrow_line(std::string_view key, std::string_view value, size_t width = 24);

// The name an operator types for `role` on this generation: "co" on 7.x, "Crypto Officer" on
// PPSO 6.x (full names only). Pre-PPSO partitions have no role names; the display name is given.
std::string typed_role_name(hsm::Generation g, hsm::Role role);

// How to log in as `role` on this slot, as a command line: `role login -name co`,
// `role login -name Crypto Officer`, `partition login` (pre-PPSO owner) or `hsm login`.
std::string login_command(const SlotContext& c, hsm::Role role);

// Resolves `-name` for a role command on this slot (admin slot: so/au; partitions: the
// generation's naming rules). On a pre-PPSO partition every name is refused with `pre_ppso_hint`
// (what to type instead for this command).
Result<hsm::Role> resolve_role(const SlotContext& c, std::string_view name,
                               std::string_view pre_ppso_hint);

// Slot numbers for messages that send the operator elsewhere: the admin slot of the slot's
// device, and the slot of one of its partitions ("<admin slot>" / "<partition slot>" if none).
std::string admin_slot_id(Invocation& in, const SlotContext& c);
std::string partition_slot_id(Invocation& in, const SlotContext& c, hsm::PartitionId p);

// Who this shell has logged in on the slot, if anyone.
Result<std::optional<hsm::Role>> current_login(Invocation& in, const SlotContext& c);

// Logs `role` in on the slot's session with `password`. Whoever was logged in there before
// (another role, or the same one) is logged out first, so the guide's sequences run as written;
// `replaced` says who that was. Lockout and wrong-password errors get a hint of what to do next.
Status login_replacing(Invocation& in, const SlotContext& c, hsm::Role role,
                       std::string_view password, std::optional<hsm::Role>* replaced);

// A refusal for a command that needs `role` logged in on this slot, naming the login command.
// Ok when `role` is the one logged in.
Status require_role(Invocation& in, const SlotContext& c, hsm::Role role, std::string_view to_do);

}  // namespace sr::cm
