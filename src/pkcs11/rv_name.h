// The name of a return code ("CKR_PIN_INCORRECT", "CKR_CERTIFICATE_INVALID"), for the shells'
// `Command Result` line and for logs. Empty for a value the module never returns.
#pragma once

#include <string_view>

#include "pkcs11/ck.h"

namespace sr::p11 {

std::string_view ck_rv_name(CK_RV rv) noexcept;

}  // namespace sr::p11
