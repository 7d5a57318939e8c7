// PKCS#11 v2.40 §5.6 session management: open/close, session info, login/logout (CKU_SO is the
// Partition SO — the HSM SO on the admin slot; CKU_USER the Crypto Officer, the owner on
// pre-PPSO partitions; CKU_CRYPTO_USER 0x80000001 the Crypto User). Operation state is never
// saveable: every operation but a digest holds a key (which §5.6 lets a token refuse), and
// OpenSSL's EVP offers no export of a digest's running state, so C_GetOperationState answers
// CKR_STATE_UNSAVEABLE while an operation is active and C_SetOperationState, which can only be
// handed a state this module never made, CKR_SAVED_STATE_INVALID.
#include "pkcs11/entry.h"

namespace sr::p11 {
namespace {

bool is_so(hsm::Role r) { return r == hsm::Role::HsmSo || r == hsm::Role::PartitionSo; }

Status open_session(CK_SLOT_ID slot, CK_FLAGS flags, CK_SESSION_HANDLE_PTR out) {
    SR_ASSIGN_OR_RETURN(Module * m, Module::get());
    SR_TRY(m->client().slot(slot).status());
    SR_TRY(need(out));
    if ((flags & CKF_SERIAL_SESSION) == 0) return error(Err::SessionParallelNotSupported);
    SR_ASSIGN_OR_RETURN(auto s, m->client().open_session(slot, (flags & CKF_RW_SESSION) != 0));
    *out = s->handle();
    return {};
}

Status close_session(CK_SESSION_HANDLE h) {
    SR_ASSIGN_OR_RETURN(Module * m, Module::get());
    return m->client().close_session(h);
}

Status close_all_sessions(CK_SLOT_ID slot) {
    SR_ASSIGN_OR_RETURN(Module * m, Module::get());
    return m->client().close_all_sessions(slot);
}

Status get_session_info(ClientSession& s, CK_SESSION_INFO_PTR info) {
    SR_TRY(need(info));
    SR_ASSIGN_OR_RETURN(auto si, s.dev().session_info(s.id()));
    CK_SESSION_INFO out{};
    out.slotID = s.slot().id;
    out.flags = CKF_SERIAL_SESSION | (si.read_write ? CKF_RW_SESSION : 0);
    if (!si.logged_in)
        out.state = si.read_write ? CKS_RW_PUBLIC_SESSION : CKS_RO_PUBLIC_SESSION;
    else if (is_so(*si.logged_in))
        out.state = CKS_RW_SO_FUNCTIONS;
    else
        out.state = si.read_write ? CKS_RW_USER_FUNCTIONS : CKS_RO_USER_FUNCTIONS;
    out.ulDeviceError = 0;
    *info = out;
    return {};
}

Status login(ClientSession& s, CK_USER_TYPE type, CK_UTF8CHAR_PTR pin, CK_ULONG pin_len) {
    SR_ASSIGN_OR_RETURN(std::string_view text, in_text(pin, pin_len));
    SR_ASSIGN_OR_RETURN(hsm::Role role, hsm::role_from_user_type(s.slot().device->info.firmware,
                                                                 type, s.slot().admin()));
    return s.dev().login(s.id(), role, text);
}

}  // namespace
}  // namespace sr::p11

using namespace sr;
using namespace sr::p11;

SR_P11_EXPORT CK_RV C_OpenSession(CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR, CK_NOTIFY,
                                  CK_SESSION_HANDLE_PTR session) {
    return guard("C_OpenSession", [&] { return open_session(slot, flags, session); });
}

SR_P11_EXPORT CK_RV C_CloseSession(CK_SESSION_HANDLE session) {
    return guard("C_CloseSession", [&] { return close_session(session); });
}

SR_P11_EXPORT CK_RV C_CloseAllSessions(CK_SLOT_ID slot) {
    return guard("C_CloseAllSessions", [&] { return close_all_sessions(slot); });
}

SR_P11_EXPORT CK_RV C_GetSessionInfo(CK_SESSION_HANDLE session, CK_SESSION_INFO_PTR info) {
    return guard("C_GetSessionInfo", [&] {
        return with_session(session, [&](ClientSession& s) { return get_session_info(s, info); });
    });
}

SR_P11_EXPORT CK_RV C_GetOperationState(CK_SESSION_HANDLE session, CK_BYTE_PTR,
                                        CK_ULONG_PTR state_len) {
    return guard("C_GetOperationState", [&] {
        return with_session(session, [&](ClientSession& s) -> Status {
            SR_TRY(need(state_len));
            SR_ASSIGN_OR_RETURN(uint32_t active, s.dev().active_operations(s.id()));
            if (active == 0) return error(Err::OperationNotInitialized);
            return error(Err::StateUnsaveable, "the state of an active operation is not saveable");
        });
    });
}

SR_P11_EXPORT CK_RV C_SetOperationState(CK_SESSION_HANDLE session, CK_BYTE_PTR state,
                                        CK_ULONG state_len, CK_OBJECT_HANDLE,
                                        CK_OBJECT_HANDLE) {
    return guard("C_SetOperationState", [&] {
        return with_session(session, [&](ClientSession&) -> Status {
            SR_ASSIGN_OR_RETURN(ByteView saved, in_bytes(state, state_len));
            if (saved.empty()) return error(Err::ArgumentsBad, "no saved state given");
            return error(Err::SavedStateInvalid, "this module never saves operation state");
        });
    });
}

SR_P11_EXPORT CK_RV C_Login(CK_SESSION_HANDLE session, CK_USER_TYPE type, CK_UTF8CHAR_PTR pin,
                            CK_ULONG pin_len) {
    return guard("C_Login", [&] {
        return with_session(session,
                            [&](ClientSession& s) { return login(s, type, pin, pin_len); });
    });
}

SR_P11_EXPORT CK_RV C_Logout(CK_SESSION_HANDLE session) {
    return guard("C_Logout", [&] {
        return with_session(session, [](ClientSession& s) { return s.dev().logout(s.id()); });
    });
}
