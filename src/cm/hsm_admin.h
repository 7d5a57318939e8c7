// What srcm's HSM-administration groups share (hsm ..., partition create/delete/list on a local
// device's admin slot): the admin-slot and HSM SO checks, whose refusals name what to type
// instead, and LunaCM's `Key ->` field layout. Stateless helpers.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cm/command.h"
#include "cm/slot_context.h"

namespace sr::cm::admin {

// The cloning domain `-defaultdomain` stands for (hsm init, partition init; deprecated and
// insecure, as on the hardware: everyone who uses it shares the domain). docs/srcm.md documents
// the string.
inline constexpr std::string_view kDefaultDomain = "defaultdomain";

// `        Key ->              value`: 8 blanks, then the key and its arrow padded to `width`.
std::string field(std::string_view key, std::string_view value, size_t width = 24);

// A command whose words and options are fixed at construction.
class SpecCommand : public Command {
  public:
    explicit SpecCommand(shell::CommandSpec spec) : m_spec(std::move(spec)) {}
    const shell::CommandSpec& spec() const override { return m_spec; }

  private:
    shell::CommandSpec m_spec;
};

// The current slot, which must be a local HSM's admin slot. A partition slot is refused with
// the `slot set` that selects its HSM's admin slot; `command` names what was typed.
Result<SlotContext> admin_slot(Invocation& in, std::string_view command);

// HsmNotInitialized, naming `hsm init`, when the HSM has not been initialized.
Status require_initialized(const SlotContext& c);

// The HSM is initialized and this shell's HSM SO is logged in on the slot; otherwise the
// refusal names `hsm login` (or `hsm init`).
Status require_hsm_so(Invocation& in, const SlotContext& c, std::string_view command);

// `hsm showpolicies` and `hsm changepolicy` (hsm_policy_commands.cpp); hsm_commands() adds them.
std::vector<std::unique_ptr<Command>> hsm_policy_commands();

}  // namespace sr::cm::admin
