// PKCS#11 v2.40 §5.8 encryption, single- and multi-part, with the length-query rule.
#include "pkcs11/entry.h"

namespace sr::p11 {
namespace {

constexpr std::initializer_list<PendingCall> kFamily = {
    PendingCall::Encrypt, PendingCall::EncryptUpdate, PendingCall::EncryptFinal};

Status encrypt_init(ClientSession& s, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key) {
    SR_ASSIGN_OR_RETURN(auto m, parse_mechanism(mech));
    forget_pending(s, kFamily);
    return s.dev().encrypt_init(s.id(), m, key);
}

}  // namespace
}  // namespace sr::p11

using namespace sr;
using namespace sr::p11;

SR_P11_EXPORT CK_RV C_EncryptInit(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mech,
                                  CK_OBJECT_HANDLE key) {
    return guard("C_EncryptInit", [&] {
        return with_session(session, [&](ClientSession& s) { return encrypt_init(s, mech, key); });
    });
}

SR_P11_EXPORT CK_RV C_Encrypt(CK_SESSION_HANDLE session, CK_BYTE_PTR data, CK_ULONG data_len,
                              CK_BYTE_PTR out, CK_ULONG_PTR out_len) {
    return guard("C_Encrypt", [&] {
        return with_session(session, [&](ClientSession& s) -> Status {
            SR_ASSIGN_OR_RETURN(ByteView in, in_bytes(data, data_len));
            return produce(s, PendingCall::Encrypt, [&] { return s.dev().encrypt(s.id(), in); },
                           out, out_len);
        });
    });
}

SR_P11_EXPORT CK_RV C_EncryptUpdate(CK_SESSION_HANDLE session, CK_BYTE_PTR data,
                                    CK_ULONG data_len, CK_BYTE_PTR out, CK_ULONG_PTR out_len) {
    return guard("C_EncryptUpdate", [&] {
        return with_session(session, [&](ClientSession& s) -> Status {
            SR_ASSIGN_OR_RETURN(ByteView in, in_bytes(data, data_len));
            return produce(s, PendingCall::EncryptUpdate,
                           [&] { return s.dev().encrypt_update(s.id(), in); }, out, out_len);
        });
    });
}

SR_P11_EXPORT CK_RV C_EncryptFinal(CK_SESSION_HANDLE session, CK_BYTE_PTR out,
                                   CK_ULONG_PTR out_len) {
    return guard("C_EncryptFinal", [&] {
        return with_session(session, [&](ClientSession& s) -> Status {
            return produce(s, PendingCall::EncryptFinal,
                           [&] { return s.dev().encrypt_final(s.id()); }, out, out_len);
        });
    });
}
