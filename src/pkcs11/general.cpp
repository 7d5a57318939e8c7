// PKCS#11 v2.40 §5.4 general-purpose functions and §5.16 parallel function management.
#include "pkcs11/entry.h"

namespace sr::p11 {
namespace {

Status get_info(CK_INFO_PTR info) {
    SR_TRY(Module::get().status());
    SR_TRY(need(info));
    CK_INFO out{};
    out.cryptokiVersion = {2, 40};
    out_padded(out.manufacturerID, sizeof out.manufacturerID, "Strongroom");
    out.flags = 0;
    out_padded(out.libraryDescription, sizeof out.libraryDescription,
               "Strongroom PKCS#11 module");
    out.libraryVersion = {0, 1};
    *info = out;
    return {};
}

}  // namespace
}  // namespace sr::p11

using namespace sr;
using namespace sr::p11;

SR_P11_EXPORT CK_RV C_Initialize(CK_VOID_PTR init_args) {
    return guard("C_Initialize", [&] { return Module::initialize(init_args); });
}

SR_P11_EXPORT CK_RV C_Finalize(CK_VOID_PTR reserved) {
    return guard("C_Finalize", [&] { return Module::finalize(reserved); });
}

SR_P11_EXPORT CK_RV C_GetInfo(CK_INFO_PTR info) {
    return guard("C_GetInfo", [&] { return get_info(info); });
}

// Strongroom runs every function in the caller's thread: there is nothing in parallel to query
// or cancel (v2.40 §5.16 legacy functions).
SR_P11_EXPORT CK_RV C_GetFunctionStatus(CK_SESSION_HANDLE session) {
    return guard("C_GetFunctionStatus", [&] {
        return with_session(session, [](ClientSession&) {
            return error(Err::FunctionNotParallel);
        });
    });
}

SR_P11_EXPORT CK_RV C_CancelFunction(CK_SESSION_HANDLE session) {
    return guard("C_CancelFunction", [&] {
        return with_session(session, [](ClientSession&) {
            return error(Err::FunctionNotParallel);
        });
    });
}
