// Slot checks shared by the command groups.
#include "cm/slot_context.h"

namespace sr::cm {

Result<SlotContext> slot_context(Invocation& in, SlotNeed need, std::optional<uint64_t> slot) {
    SlotContext c;
    SR_ASSIGN_OR_RETURN(c.slot, in.state.slot(slot));
    if (need == SlotNeed::Admin && !c.slot->admin())
        return error(Err::SlotIdInvalid,
                     "slot " + std::to_string(c.slot->id) +
                         " is a partition slot; this command works on an HSM admin slot "
                         "(see 'slot list')");
    if (need == SlotNeed::Partition && c.slot->admin())
        return error(Err::SlotIdInvalid,
                     "slot " + std::to_string(c.slot->id) +
                         " is an HSM admin slot; this command works on a partition slot "
                         "(see 'slot list')");
    SR_ASSIGN_OR_RETURN(c.session, in.state.session(c.slot->id));
    SR_ASSIGN_OR_RETURN(c.device, c.slot->dev().info());
    c.generation = hsm::generation(c.device.firmware);
    return c;
}

}  // namespace sr::cm
