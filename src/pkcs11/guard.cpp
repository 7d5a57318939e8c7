#include "pkcs11/guard.h"

#include "common/log.h"

namespace sr::p11 {

void log_call(std::string_view function, const Status& status, CK_RV rv) noexcept {
    try {
        if (status.is_ok())
            log::debug("{} -> CKR_OK", function);
        else
            log::debug("{} -> 0x{:x} ({})", function, rv, status.to_string());
    } catch (...) {
        // Logging must never change the outcome of a call.
    }
}

}  // namespace sr::p11
