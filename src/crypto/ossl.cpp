#include "crypto/ossl.h"

#include <openssl/err.h>

#include <string>

namespace sr::crypto {

Status ossl_error(std::string_view context, Err code) {
    std::string msg(context);
    bool first = true;
    unsigned long e = 0;
    while ((e = ERR_get_error()) != 0) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        msg += first ? ": " : "; ";
        msg += buf;
        first = false;
    }
    return Status(code, std::move(msg));
}

void ossl_clear_errors() noexcept { ERR_clear_error(); }

}  // namespace sr::crypto
