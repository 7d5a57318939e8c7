// PKCS#11 v2.40 §5.13 dual-function cryptographic operations. The engine runs one operation
// per call; combined updates are not supported yet (CKR_FUNCTION_NOT_SUPPORTED).
#include "pkcs11/entry.h"

namespace sr::p11 {
namespace {

Status not_supported(CK_SESSION_HANDLE session, const char* what) {
    return with_session(session, [&](ClientSession&) {
        return error(Err::FunctionNotSupported, std::string(what) + " is not supported");
    });
}

}  // namespace
}  // namespace sr::p11

using namespace sr;
using namespace sr::p11;

SR_P11_EXPORT CK_RV C_DigestEncryptUpdate(CK_SESSION_HANDLE session, CK_BYTE_PTR, CK_ULONG,
                                          CK_BYTE_PTR, CK_ULONG_PTR) {
    return guard("C_DigestEncryptUpdate",
                 [&] { return not_supported(session, "C_DigestEncryptUpdate"); });
}

SR_P11_EXPORT CK_RV C_DecryptDigestUpdate(CK_SESSION_HANDLE session, CK_BYTE_PTR, CK_ULONG,
                                          CK_BYTE_PTR, CK_ULONG_PTR) {
    return guard("C_DecryptDigestUpdate",
                 [&] { return not_supported(session, "C_DecryptDigestUpdate"); });
}

SR_P11_EXPORT CK_RV C_SignEncryptUpdate(CK_SESSION_HANDLE session, CK_BYTE_PTR, CK_ULONG,
                                        CK_BYTE_PTR, CK_ULONG_PTR) {
    return guard("C_SignEncryptUpdate",
                 [&] { return not_supported(session, "C_SignEncryptUpdate"); });
}

SR_P11_EXPORT CK_RV C_DecryptVerifyUpdate(CK_SESSION_HANDLE session, CK_BYTE_PTR, CK_ULONG,
                                          CK_BYTE_PTR, CK_ULONG_PTR) {
    return guard("C_DecryptVerifyUpdate",
                 [&] { return not_supported(session, "C_DecryptVerifyUpdate"); });
}
