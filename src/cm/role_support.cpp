// Role names, login commands and the one-login-per-slot rule shared by `partition …` and
// `role …` (BEHAVIOUR.md "Firmware personalities", "Shell grammar").
#include "cm/role_support.h"

#include <fmt/format.h>

namespace sr::cm {

std::string arrow_line(std::string_view key, std::string_view value, size_t width) {
    return fmt::format("        {:<{}}{}", std::string(key) + " ->", width, value);
}

std::string typed_role_name(hsm::Generation g, hsm::Role role) {
    if (g == hsm::Generation::Luna7 || hsm::is_hsm_role(role)) {
        const std::string_view short_name = hsm::role_short_name(role);
        if (!short_name.empty()) return std::string(short_name);
    }
    return std::string(hsm::role_display_name(role));
}

std::string login_command(const SlotContext& c, hsm::Role role) {
    if (c.slot->admin() && role == hsm::Role::HsmSo) return "hsm login";
    if (!c.slot->admin() && c.generation == hsm::Generation::PrePpso) return "partition login";
    return "role login -name " + typed_role_name(c.generation, role);
}

Result<hsm::Role> resolve_role(const SlotContext& c, std::string_view name,
                               std::string_view pre_ppso_hint) {
    if (!c.slot->admin() && c.generation == hsm::Generation::PrePpso)
        return error(Err::UserTypeInvalid,
                     fmt::format("slot {} is a pre-PPSO partition (firmware {}): it has no roles "
                                 "by name, only its owner; {}",
                                 c.slot->id, c.device.firmware.to_string(), pre_ppso_hint));
    return hsm::resolve_role_name(c.generation, name, c.slot->admin());
}

std::string admin_slot_id(Invocation& in, const SlotContext& c) {
    for (const auto& s : in.state.client().slots())
        if (s->admin() && s->device == c.slot->device) return std::to_string(s->id);
    return "<admin slot>";
}

std::string partition_slot_id(Invocation& in, const SlotContext& c, hsm::PartitionId p) {
    for (const auto& s : in.state.client().slots())
        if (!s->admin() && s->device == c.slot->device && s->partition == p)
            return std::to_string(s->id);
    return "<partition slot>";
}

Result<std::optional<hsm::Role>> current_login(Invocation& in, const SlotContext& c) {
    return in.state.login_of(c.slot->id);
}

namespace {

// What to do after a failed login, by error.
std::string login_hint(const SlotContext& c, hsm::Role role, Err code) {
    if (code == Err::PinLocked || code == Err::UserLockedOut) {
        if (role == hsm::Role::CryptoOfficer && c.generation != hsm::Generation::PrePpso)
            return " The Partition SO can unlock both with 'role resetpw -name " +
                   typed_role_name(c.generation, role) +
                   "' if HSM policy 15 was on when the partition was created; otherwise the "
                   "partition must be re-initialized ('partition init').";
        if (role == hsm::Role::CryptoUser)
            return " The Crypto Officer can unlock the Crypto User with 'role resetpw -name " +
                   typed_role_name(c.generation, role) + "'.";
        return {};
    }
    if (code == Err::UserPinNotInitialized && role != hsm::Role::PartitionSo && !c.slot->admin() &&
        c.generation != hsm::Generation::PrePpso)
        return " Initialize it first: 'role init -name " + typed_role_name(c.generation, role) +
               "' (by the " +
               (role == hsm::Role::CryptoOfficer ? std::string("Partition SO")
                                                 : std::string("Crypto Officer")) +
               ").";
    if (code == Err::PartitionNotInitialized)
        return " Initialize it first: 'partition init -label <label>'.";
    return {};
}

}  // namespace

Status login_replacing(Invocation& in, const SlotContext& c, hsm::Role role,
                       std::string_view password, std::optional<hsm::Role>* replaced) {
    SR_ASSIGN_OR_RETURN(std::optional<hsm::Role> before, current_login(in, c));
    if (before) SR_TRY(c.dev().logout(c.sid()));
    if (replaced) *replaced = before;
    Status st = c.dev().login(c.sid(), role, password);
    if (st) return st;
    const std::string hint = login_hint(c, role, st.code());
    if (hint.empty()) return st;
    return error(st.code(), std::string(st.message()) + "." + hint);
}

Status require_role(Invocation& in, const SlotContext& c, hsm::Role role, std::string_view to_do) {
    SR_ASSIGN_OR_RETURN(std::optional<hsm::Role> who, current_login(in, c));
    if (who == role) return {};
    const std::string name(hsm::role_display_name(role));
    if (!who)
        return error(Err::UserNotLoggedIn,
                     fmt::format("the {} must be logged in on slot {} to {}: type '{}' first", name,
                                 c.slot->id, to_do, login_command(c, role)));
    return error(Err::UserNotAuthorized,
                 fmt::format("only the {} may {}, and the {} is logged in on slot {}: type '{}' "
                             "(it logs the {} out)",
                             name, to_do, hsm::role_display_name(*who), c.slot->id,
                             login_command(c, role), hsm::role_display_name(*who)));
}

}  // namespace sr::cm
