// Admin-slot checks and layout shared by the hsm and partition-administration command groups.
#include "cm/hsm_admin.h"

#include <fmt/format.h>

namespace sr::cm::admin {

std::string field(std::string_view key, std::string_view value, size_t width) {
    return fmt::format("        {:<{}}{}", std::string(key) + " ->", width, value);
}

Result<SlotContext> admin_slot(Invocation& in, std::string_view command) {
    SR_ASSIGN_OR_RETURN(auto slot, in.state.slot());
    if (!slot->admin()) {
        std::string where = "an HSM admin slot (see 'slot list')";
        for (const auto& s : in.state.client().slots())
            if (s->admin() && s->device == slot->device)
                where = "its HSM's admin slot: use 'slot set -slot " + std::to_string(s->id) +
                        "' first";
        return error(Err::SlotIdInvalid, "slot " + std::to_string(slot->id) +
                                             " is a partition slot; '" + std::string(command) +
                                             "' works on " + where);
    }
    return slot_context(in, SlotNeed::Admin);
}

Status require_initialized(const SlotContext& c) {
    if (c.device.hsm_initialized) return {};
    return error(Err::HsmNotInitialized,
                 "the HSM on slot " + std::to_string(c.slot->id) +
                     " is not initialized: initialize it first with 'hsm init -label <label>'");
}

Status require_hsm_so(Invocation& in, const SlotContext& c, std::string_view command) {
    SR_TRY(require_initialized(c));
    SR_ASSIGN_OR_RETURN(auto login, in.state.login_of(c.slot->id));
    if (login == hsm::Role::HsmSo) return {};
    return error(Err::UserNotLoggedIn,
                 "'" + std::string(command) + "' needs the HSM SO logged in on slot " +
                     std::to_string(c.slot->id) + ": log in first with 'hsm login'");
}

}  // namespace sr::cm::admin
