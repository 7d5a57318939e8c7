// PKCS#11 v2.40 §5.9 decryption, single- and multi-part, with the length-query rule.
#include "pkcs11/entry.h"

namespace sr::p11 {
namespace {

constexpr std::initializer_list<PendingCall> kFamily = {
    PendingCall::Decrypt, PendingCall::DecryptUpdate, PendingCall::DecryptFinal};

Status decrypt_init(ClientSession& s, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key) {
    SR_ASSIGN_OR_RETURN(auto m, parse_mechanism(mech));
    forget_pending(s, kFamily);
    return s.dev().decrypt_init(s.id(), m, key);
}

}  // namespace
}  // namespace sr::p11

using namespace sr;
using namespace sr::p11;

SR_P11_EXPORT CK_RV C_DecryptInit(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mech,
                                  CK_OBJECT_HANDLE key) {
    return guard("C_DecryptInit", [&] {
        return with_session(session, [&](ClientSession& s) { return decrypt_init(s, mech, key); });
    });
}

SR_P11_EXPORT CK_RV C_Decrypt(CK_SESSION_HANDLE session, CK_BYTE_PTR data, CK_ULONG data_len,
                              CK_BYTE_PTR out, CK_ULONG_PTR out_len) {
    return guard("C_Decrypt", [&] {
        return with_session(session, [&](ClientSession& s) -> Status {
            SR_ASSIGN_OR_RETURN(ByteView in, in_bytes(data, data_len));
            return produce(s, PendingCall::Decrypt, [&] { return s.dev().decrypt(s.id(), in); },
                           out, out_len);
        });
    });
}

SR_P11_EXPORT CK_RV C_DecryptUpdate(CK_SESSION_HANDLE session, CK_BYTE_PTR data,
                                    CK_ULONG data_len, CK_BYTE_PTR out, CK_ULONG_PTR out_len) {
    return guard("C_DecryptUpdate", [&] {
        return with_session(session, [&](ClientSession& s) -> Status {
            SR_ASSIGN_OR_RETURN(ByteView in, in_bytes(data, data_len));
            return produce(s, PendingCall::DecryptUpdate,
                           [&] { return s.dev().decrypt_update(s.id(), in); }, out, out_len);
        });
    });
}

SR_P11_EXPORT CK_RV C_DecryptFinal(CK_SESSION_HANDLE session, CK_BYTE_PTR out,
                                   CK_ULONG_PTR out_len) {
    return guard("C_DecryptFinal", [&] {
        return with_session(session, [&](ClientSession& s) -> Status {
            return produce(s, PendingCall::DecryptFinal,
                           [&] { return s.dev().decrypt_final(s.id()); }, out, out_len);
        });
    });
}
