// What a command needs about the slot it acts on: the slot, the shell's session on it, the
// device's facts and its firmware generation — checked for the kind of slot the command wants.
#pragma once

#include <memory>
#include <optional>

#include "cm/command.h"
#include "hsm/personality.h"

namespace sr::cm {

struct SlotContext {
    std::shared_ptr<const client::Slot> slot;
    std::shared_ptr<client::ClientSession> session;
    hsm::DeviceInfo device;
    hsm::Generation generation = hsm::Generation::Luna7;

    hsm::Device& dev() const { return slot->dev(); }
    hsm::SessionId sid() const { return session->id(); }
};

enum class SlotNeed : uint8_t { Any, Admin, Partition };

// The current slot (or `slot` when given). SlotIdInvalid, naming the slot and what the command
// wants, when none is selected, it does not exist, or it is the wrong kind.
Result<SlotContext> slot_context(Invocation& in, SlotNeed need,
                                 std::optional<uint64_t> slot = std::nullopt);

}  // namespace sr::cm
