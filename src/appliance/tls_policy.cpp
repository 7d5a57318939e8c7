#include "appliance/tls_policy.h"

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include <memory>

#include "common/env.h"
#include "crypto/ossl.h"

namespace sr::appliance {
namespace {

struct InitSettingsFree {
    void operator()(OPENSSL_INIT_SETTINGS* s) const noexcept { OPENSSL_INIT_free(s); }
};
struct SslCtxFree {
    void operator()(SSL_CTX* c) const noexcept { SSL_CTX_free(c); }
};

}  // namespace

std::string tls13_only_openssl_config() {
    // MinProtocol alone is not enough: gRPC calls SSL_CTX_set_min_proto_version(TLS1_2) after
    // SSL_CTX_new. The "Protocol" command sets SSL_OP_NO_* flags, which gRPC leaves alone and
    // which OpenSSL honours whatever the minimum says.
    return "# Written by strongroomd at start: TLS 1.3 only (docs/design/appliance.md).\n"
           "openssl_conf = strongroomd_init\n"
           "\n"
           "[strongroomd_init]\n"
           "ssl_conf = strongroomd_ssl\n"
           "\n"
           "[strongroomd_ssl]\n"
           "system_default = strongroomd_tls\n"
           "\n"
           "[strongroomd_tls]\n"
           "MinProtocol = TLSv1.3\n"
           "Protocol = -ALL, TLSv1.3\n";
}

Status enforce_tls13_only(const std::filesystem::path& config_path) {
    PosixEnv env;
    const std::string text = tls13_only_openssl_config();
    SR_TRY(env.write_file_atomic(config_path, as_bytes(text), 0600));
    std::unique_ptr<OPENSSL_INIT_SETTINGS, InitSettingsFree> settings(OPENSSL_INIT_new());
    if (!settings) return error(Err::HostMemory, "OPENSSL_INIT_new failed");
    const std::string file = config_path.string();
    if (OPENSSL_INIT_set_config_filename(settings.get(), file.c_str()) != 1)
        return crypto::ossl_error("setting the OpenSSL configuration file", Err::DeviceError);
    OPENSSL_INIT_set_config_file_flags(settings.get(), 0);
    if (OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, settings.get()) != 1)
        return crypto::ossl_error("loading " + file, Err::DeviceError);

    // Verify rather than trust: if OpenSSL had been initialized before, the file was ignored.
    std::unique_ptr<SSL_CTX, SslCtxFree> ctx(SSL_CTX_new(TLS_server_method()));
    if (!ctx) return crypto::ossl_error("creating a TLS context", Err::DeviceError);
    const uint64_t options = SSL_CTX_get_options(ctx.get());
    const uint64_t below_13 = SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1 |
                              SSL_OP_NO_TLSv1_2;
    if ((options & below_13) != below_13 || (options & SSL_OP_NO_TLSv1_3) != 0 ||
        SSL_CTX_get_min_proto_version(ctx.get()) != TLS1_3_VERSION)
        return error(Err::DeviceError,
                     "the TLS 1.3-only OpenSSL configuration did not apply (OpenSSL was "
                     "initialized before it could be loaded)");
    return {};
}

}  // namespace sr::appliance
