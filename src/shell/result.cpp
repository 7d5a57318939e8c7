// Result line and exit status: the shells' face of the one Err -> CK_RV mapping (pkcs11/rv.cpp).
#include "shell/result.h"

#include <fmt/format.h>

#include "pkcs11/rv.h"
#include "pkcs11/rv_name.h"

namespace sr::shell {

unsigned long result_code(const Status& st) { return p11::to_ck_rv(st.code()); }

std::string result_line(const Status& st) {
    if (st.is_ok()) return "Command Result : No Error";
    const CK_RV rv = p11::to_ck_rv(st.code());
    const std::string_view name = p11::ck_rv_name(rv);
    return fmt::format("Command Result : 0x{:x} ({})", rv,
                       name.empty() ? std::string_view("CKR_VENDOR_DEFINED") : name);
}

int exit_status(const Status& last_failure) {
    if (last_failure.is_ok()) return 0;
    return last_failure.code() == Err::ArgumentsBad ? 2 : 1;
}

}  // namespace sr::shell
