// PKCS#11 v2.40 §5.13 dual-function cryptographic operations: one engine call runs the data
// through both of the session's active operations, so a length query (null buffer) computes the
// step once and the repeat with a buffer hands out the kept output (the `produce` rule).
#include "pkcs11/entry.h"

namespace sr::p11 {
namespace {

template <class Compute>
Status dual(CK_SESSION_HANDLE session, PendingCall call, CK_BYTE_PTR data, CK_ULONG data_len,
            CK_BYTE_PTR out, CK_ULONG_PTR out_len, Compute&& compute) {
    return with_session(session, [&](ClientSession& s) -> Status {
        SR_ASSIGN_OR_RETURN(ByteView in, in_bytes(data, data_len));
        return produce(s, call, [&] { return compute(s, in); }, out, out_len);
    });
}

}  // namespace
}  // namespace sr::p11

using namespace sr;
using namespace sr::p11;

SR_P11_EXPORT CK_RV C_DigestEncryptUpdate(CK_SESSION_HANDLE session, CK_BYTE_PTR data,
                                          CK_ULONG data_len, CK_BYTE_PTR out,
                                          CK_ULONG_PTR out_len) {
    return guard("C_DigestEncryptUpdate", [&] {
        return dual(session, PendingCall::DigestEncryptUpdate, data, data_len, out, out_len,
                    [](ClientSession& s, ByteView in) {
                        return s.dev().digest_encrypt_update(s.id(), in);
                    });
    });
}

SR_P11_EXPORT CK_RV C_DecryptDigestUpdate(CK_SESSION_HANDLE session, CK_BYTE_PTR data,
                                          CK_ULONG data_len, CK_BYTE_PTR out,
                                          CK_ULONG_PTR out_len) {
    return guard("C_DecryptDigestUpdate", [&] {
        return dual(session, PendingCall::DecryptDigestUpdate, data, data_len, out, out_len,
                    [](ClientSession& s, ByteView in) {
                        return s.dev().decrypt_digest_update(s.id(), in);
                    });
    });
}

SR_P11_EXPORT CK_RV C_SignEncryptUpdate(CK_SESSION_HANDLE session, CK_BYTE_PTR data,
                                        CK_ULONG data_len, CK_BYTE_PTR out, CK_ULONG_PTR out_len) {
    return guard("C_SignEncryptUpdate", [&] {
        return dual(session, PendingCall::SignEncryptUpdate, data, data_len, out, out_len,
                    [](ClientSession& s, ByteView in) {
                        return s.dev().sign_encrypt_update(s.id(), in);
                    });
    });
}

SR_P11_EXPORT CK_RV C_DecryptVerifyUpdate(CK_SESSION_HANDLE session, CK_BYTE_PTR data,
                                          CK_ULONG data_len, CK_BYTE_PTR out,
                                          CK_ULONG_PTR out_len) {
    return guard("C_DecryptVerifyUpdate", [&] {
        return dual(session, PendingCall::DecryptVerifyUpdate, data, data_len, out, out_len,
                    [](ClientSession& s, ByteView in) {
                        return s.dev().decrypt_verify_update(s.id(), in);
                    });
    });
}
