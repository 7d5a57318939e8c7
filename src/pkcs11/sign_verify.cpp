// PKCS#11 v2.40 §5.11-5.12 signing/MACing and verification, with message recovery
// (C_SignRecover*, C_VerifyRecover*) for the mechanisms the registry marks for it.
#include "pkcs11/entry.h"

namespace sr::p11 {
namespace {

constexpr std::initializer_list<PendingCall> kFamily = {PendingCall::Sign, PendingCall::SignFinal,
                                                        PendingCall::SignEncryptUpdate};

Status sign_init(ClientSession& s, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key) {
    SR_ASSIGN_OR_RETURN(auto m, parse_mechanism(mech));
    forget_pending(s, kFamily);
    return s.dev().sign_init(s.id(), m, key);
}

Status verify_init(ClientSession& s, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key) {
    SR_ASSIGN_OR_RETURN(auto m, parse_mechanism(mech));
    forget_pending(s, {PendingCall::DecryptVerifyUpdate});
    return s.dev().verify_init(s.id(), m, key);
}

Status sign_recover_init(ClientSession& s, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key) {
    SR_ASSIGN_OR_RETURN(auto m, parse_mechanism(mech));
    forget_pending(s, {PendingCall::SignRecover});
    return s.dev().sign_recover_init(s.id(), m, key);
}

Status verify_recover_init(ClientSession& s, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key) {
    SR_ASSIGN_OR_RETURN(auto m, parse_mechanism(mech));
    forget_pending(s, {PendingCall::VerifyRecover});
    return s.dev().verify_recover_init(s.id(), m, key);
}

}  // namespace
}  // namespace sr::p11

using namespace sr;
using namespace sr::p11;

SR_P11_EXPORT CK_RV C_SignInit(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mech,
                               CK_OBJECT_HANDLE key) {
    return guard("C_SignInit", [&] {
        return with_session(session, [&](ClientSession& s) { return sign_init(s, mech, key); });
    });
}

SR_P11_EXPORT CK_RV C_Sign(CK_SESSION_HANDLE session, CK_BYTE_PTR data, CK_ULONG data_len,
                           CK_BYTE_PTR sig, CK_ULONG_PTR sig_len) {
    return guard("C_Sign", [&] {
        return with_session(session, [&](ClientSession& s) -> Status {
            SR_ASSIGN_OR_RETURN(ByteView in, in_bytes(data, data_len));
            return produce(s, PendingCall::Sign, [&] { return s.dev().sign(s.id(), in); }, sig,
                           sig_len);
        });
    });
}

SR_P11_EXPORT CK_RV C_SignUpdate(CK_SESSION_HANDLE session, CK_BYTE_PTR data, CK_ULONG data_len) {
    return guard("C_SignUpdate", [&] {
        return with_session(session, [&](ClientSession& s) -> Status {
            SR_ASSIGN_OR_RETURN(ByteView in, in_bytes(data, data_len));
            return s.dev().sign_update(s.id(), in);
        });
    });
}

SR_P11_EXPORT CK_RV C_SignFinal(CK_SESSION_HANDLE session, CK_BYTE_PTR sig, CK_ULONG_PTR sig_len) {
    return guard("C_SignFinal", [&] {
        return with_session(session, [&](ClientSession& s) -> Status {
            return produce(s, PendingCall::SignFinal, [&] { return s.dev().sign_final(s.id()); },
                           sig, sig_len);
        });
    });
}

SR_P11_EXPORT CK_RV C_SignRecoverInit(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mech,
                                      CK_OBJECT_HANDLE key) {
    return guard("C_SignRecoverInit", [&] {
        return with_session(session,
                            [&](ClientSession& s) { return sign_recover_init(s, mech, key); });
    });
}

SR_P11_EXPORT CK_RV C_SignRecover(CK_SESSION_HANDLE session, CK_BYTE_PTR data, CK_ULONG data_len,
                                  CK_BYTE_PTR sig, CK_ULONG_PTR sig_len) {
    return guard("C_SignRecover", [&] {
        return with_session(session, [&](ClientSession& s) -> Status {
            SR_ASSIGN_OR_RETURN(ByteView in, in_bytes(data, data_len));
            return produce(s, PendingCall::SignRecover,
                           [&] { return s.dev().sign_recover(s.id(), in); }, sig, sig_len);
        });
    });
}

SR_P11_EXPORT CK_RV C_VerifyInit(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mech,
                                 CK_OBJECT_HANDLE key) {
    return guard("C_VerifyInit", [&] {
        return with_session(session, [&](ClientSession& s) { return verify_init(s, mech, key); });
    });
}

SR_P11_EXPORT CK_RV C_Verify(CK_SESSION_HANDLE session, CK_BYTE_PTR data, CK_ULONG data_len,
                             CK_BYTE_PTR sig, CK_ULONG sig_len) {
    return guard("C_Verify", [&] {
        return with_session(session, [&](ClientSession& s) -> Status {
            SR_ASSIGN_OR_RETURN(ByteView in, in_bytes(data, data_len));
            SR_ASSIGN_OR_RETURN(ByteView signature, in_bytes(sig, sig_len));
            return s.dev().verify(s.id(), in, signature);
        });
    });
}

SR_P11_EXPORT CK_RV C_VerifyUpdate(CK_SESSION_HANDLE session, CK_BYTE_PTR data,
                                   CK_ULONG data_len) {
    return guard("C_VerifyUpdate", [&] {
        return with_session(session, [&](ClientSession& s) -> Status {
            SR_ASSIGN_OR_RETURN(ByteView in, in_bytes(data, data_len));
            return s.dev().verify_update(s.id(), in);
        });
    });
}

SR_P11_EXPORT CK_RV C_VerifyFinal(CK_SESSION_HANDLE session, CK_BYTE_PTR sig, CK_ULONG sig_len) {
    return guard("C_VerifyFinal", [&] {
        return with_session(session, [&](ClientSession& s) -> Status {
            SR_ASSIGN_OR_RETURN(ByteView signature, in_bytes(sig, sig_len));
            return s.dev().verify_final(s.id(), signature);
        });
    });
}

SR_P11_EXPORT CK_RV C_VerifyRecoverInit(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mech,
                                        CK_OBJECT_HANDLE key) {
    return guard("C_VerifyRecoverInit", [&] {
        return with_session(session,
                            [&](ClientSession& s) { return verify_recover_init(s, mech, key); });
    });
}

SR_P11_EXPORT CK_RV C_VerifyRecover(CK_SESSION_HANDLE session, CK_BYTE_PTR sig, CK_ULONG sig_len,
                                    CK_BYTE_PTR data, CK_ULONG_PTR data_len) {
    return guard("C_VerifyRecover", [&] {
        return with_session(session, [&](ClientSession& s) -> Status {
            SR_ASSIGN_OR_RETURN(ByteView signature, in_bytes(sig, sig_len));
            return produce(s, PendingCall::VerifyRecover,
                           [&] { return s.dev().verify_recover(s.id(), signature); }, data,
                           data_len);
        });
    });
}
