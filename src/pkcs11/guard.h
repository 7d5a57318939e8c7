// The one guard around every C_* entry point (STYLE.md item 4): runs the body, maps its Status
// through to_ck_rv, logs the call at debug level, and turns every escaping exception into a
// return code (bad_alloc -> CKR_HOST_MEMORY, anything else -> CKR_GENERAL_ERROR). Nothing under
// the guard ends the process.
#pragma once

#include <new>
#include <string_view>

#include "common/result.h"
#include "pkcs11/ck.h"
#include "pkcs11/rv.h"

namespace sr::p11 {

void log_call(std::string_view function, const Status& status, CK_RV rv) noexcept;

template <class F>
CK_RV guard(std::string_view function, F&& body) noexcept {
    try {
        Status st = body();
        const CK_RV rv = to_ck_rv(st.code());
        log_call(function, st, rv);
        return rv;
    } catch (const std::bad_alloc&) {
        return CKR_HOST_MEMORY;
    } catch (...) {
        return CKR_GENERAL_ERROR;
    }
}

}  // namespace sr::p11
