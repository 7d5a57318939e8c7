// PKCS#11 v2.40 §5.10 message digesting. C_DigestKey digests a secret key's value inside the
// engine; the value never reaches the module.
#include "pkcs11/entry.h"

namespace sr::p11 {
namespace {

// A new digest also drops an abandoned dual update's output (it belonged to the old digest).
constexpr std::initializer_list<PendingCall> kFamily = {
    PendingCall::Digest, PendingCall::DigestFinal, PendingCall::DigestEncryptUpdate,
    PendingCall::DecryptDigestUpdate};

Status digest_init(ClientSession& s, CK_MECHANISM_PTR mech) {
    SR_ASSIGN_OR_RETURN(auto m, parse_mechanism(mech));
    forget_pending(s, kFamily);
    return s.dev().digest_init(s.id(), m);
}

}  // namespace
}  // namespace sr::p11

using namespace sr;
using namespace sr::p11;

SR_P11_EXPORT CK_RV C_DigestInit(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mech) {
    return guard("C_DigestInit", [&] {
        return with_session(session, [&](ClientSession& s) { return digest_init(s, mech); });
    });
}

SR_P11_EXPORT CK_RV C_Digest(CK_SESSION_HANDLE session, CK_BYTE_PTR data, CK_ULONG data_len,
                             CK_BYTE_PTR out, CK_ULONG_PTR out_len) {
    return guard("C_Digest", [&] {
        return with_session(session, [&](ClientSession& s) -> Status {
            SR_ASSIGN_OR_RETURN(ByteView in, in_bytes(data, data_len));
            return produce(s, PendingCall::Digest, [&] { return s.dev().digest(s.id(), in); },
                           out, out_len);
        });
    });
}

SR_P11_EXPORT CK_RV C_DigestUpdate(CK_SESSION_HANDLE session, CK_BYTE_PTR data,
                                   CK_ULONG data_len) {
    return guard("C_DigestUpdate", [&] {
        return with_session(session, [&](ClientSession& s) -> Status {
            SR_ASSIGN_OR_RETURN(ByteView in, in_bytes(data, data_len));
            return s.dev().digest_update(s.id(), in);
        });
    });
}

SR_P11_EXPORT CK_RV C_DigestKey(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE key) {
    return guard("C_DigestKey", [&] {
        return with_session(session,
                            [&](ClientSession& s) { return s.dev().digest_key(s.id(), key); });
    });
}

SR_P11_EXPORT CK_RV C_DigestFinal(CK_SESSION_HANDLE session, CK_BYTE_PTR out,
                                  CK_ULONG_PTR out_len) {
    return guard("C_DigestFinal", [&] {
        return with_session(session, [&](ClientSession& s) -> Status {
            return produce(s, PendingCall::DigestFinal,
                           [&] { return s.dev().digest_final(s.id()); }, out, out_len);
        });
    });
}
