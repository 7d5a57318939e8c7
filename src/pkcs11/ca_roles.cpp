// Luna role entry points (luna-reference §4, §6.4): CA_InitRolePIN initializes any role the
// logged-in role may create (Partition SO -> Crypto Officer, Crypto Officer -> Crypto User /
// Limited Crypto Officer); CA_RoleStateGet reports a role's state by slot and user type.
#include <algorithm>
#include <map>

#include "pkcs11/entry.h"
#include "pkcs11/luna.h"

namespace sr::p11 {
namespace {

Status init_role_pin(ClientSession& s, CK_USER_TYPE type, CK_UTF8CHAR_PTR pin, CK_ULONG pin_len) {
    SR_ASSIGN_OR_RETURN(std::string_view text, in_text(pin, pin_len));
    const auto& slot = s.slot();
    SR_ASSIGN_OR_RETURN(hsm::Role role,
                        hsm::role_from_user_type(slot.device->info.firmware, type, slot.admin()));
    return s.dev().init_role(s.id(), role, text);
}

// Failures left before the role's lockout rule fires (policy 20 for the Crypto Officer and
// User, fixed thresholds for the SO roles), clamped to the byte Luna reports.
Result<CK_BYTE> attempts_left(const client::Slot& slot, const hsm::RoleState& st) {
    std::map<uint32_t, uint64_t> values;
    if (!slot.admin()) {
        SR_ASSIGN_OR_RETURN(auto set, slot.dev().partition_policies(slot.partition));
        for (const auto& p : set) values[p.id] = p.value;
    }
    const uint32_t threshold = hsm::lockout_threshold(st.role, values);
    const uint32_t left = st.failed_logins >= threshold ? 0 : threshold - st.failed_logins;
    return static_cast<CK_BYTE>(std::min<uint32_t>(left, 0xFF));
}

Status role_state_get(CK_SLOT_ID slot_id, CK_USER_TYPE type, CA_ROLE_STATE* out) {
    SR_ASSIGN_OR_RETURN(Module * m, Module::get());
    SR_ASSIGN_OR_RETURN(auto slot, m->client().slot(slot_id));
    SR_TRY(need(out));
    SR_ASSIGN_OR_RETURN(hsm::Role role,
                        hsm::role_from_user_type(slot->device->info.firmware, type, slot->admin()));
    SR_ASSIGN_OR_RETURN(auto st, slot->dev().role_state(slot->partition, role));
    CA_ROLE_STATE r{};
    if (st.initialized) r.flags |= CA_ROLE_STATE_INITIALIZED;
    if (st.locked_out) r.flags |= CA_ROLE_STATE_LOCKED_OUT;
    if (st.activated) r.flags |= CA_ROLE_STATE_ACTIVATED;
    if (st.must_change_password) r.flags |= CA_ROLE_STATE_PIN_CHANGE;
    SR_ASSIGN_OR_RETURN(r.loginAttemptsLeft, attempts_left(*slot, st));
    r.primaryAuthMech =
        slot->device->info.auth == hsm::AuthType::Ped ? CKA_ROLE_AUTH_PED : CKA_ROLE_AUTH_PASSWORD;
    r.secondaryAuthMech = CKA_ROLE_AUTH_NONE;
    *out = r;
    return {};
}

}  // namespace
}  // namespace sr::p11

using namespace sr;
using namespace sr::p11;

SR_P11_EXPORT CK_RV CA_InitRolePIN(CK_SESSION_HANDLE session, CK_USER_TYPE type,
                                   CK_UTF8CHAR_PTR pin, CK_ULONG pin_len) {
    return guard("CA_InitRolePIN", [&] {
        return with_session(session,
                            [&](ClientSession& s) { return init_role_pin(s, type, pin, pin_len); });
    });
}

SR_P11_EXPORT CK_RV CA_RoleStateGet(CK_SLOT_ID slot, CK_USER_TYPE type, CA_ROLE_STATE* state) {
    return guard("CA_RoleStateGet", [&] { return role_state_get(slot, type, state); });
}
