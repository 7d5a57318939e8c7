// Chain verification against one trusted self-signed root, with a purpose check on the leaf.
#include <string>

#include "crypto/x509_internal.h"

namespace sr::crypto {
namespace {

struct StackFree {
    void operator()(STACK_OF(X509) * s) const noexcept { sk_X509_free(s); }  // borrows entries
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), StackFree>;

Status rejected(const Certificate& leaf, std::string why) {
    std::string cn = leaf.subject_cn();
    return error(Err::CertificateInvalid, "certificate \"" + (cn.empty() ? std::string("?") : cn) +
                                              "\" rejected: " + std::move(why));
}

int openssl_purpose(CertPurpose p) {
    switch (p) {
        case CertPurpose::TlsServer:
            return X509_PURPOSE_SSL_SERVER;
        case CertPurpose::TlsClient:
            return X509_PURPOSE_SSL_CLIENT;
        case CertPurpose::DeviceIdentity:
        case CertPurpose::Any:
            return 0;  // checked by us, or not at all
    }
    return 0;
}

// The device profile is ours, not one of OpenSSL's purposes.
Status check_device_identity(const Certificate& leaf) {
    X509* x = leaf.get();
    if (leaf.is_ca()) return rejected(leaf, "a CA certificate is not a device identity");
    if ((X509_get_extension_flags(x) & EXFLAG_KUSAGE) == 0 ||
        (X509_get_key_usage(x) & KU_DIGITAL_SIGNATURE) == 0)
        return rejected(leaf, "key usage does not allow digitalSignature");
    auto profile = device_profile_of(leaf);
    if (!profile.is_ok()) return rejected(leaf, profile.status().message());
    return {};
}

Status check_root(const Certificate& root) {
    if (!root.is_ca() || X509_self_signed(root.get(), 0) != 1) {
        ossl_clear_errors();
        return error(Err::CertificateInvalid,
                     "trusted root \"" + root.subject_cn() + "\" is not a self-signed CA");
    }
    return {};
}

}  // namespace

Status verify_certificate(const Certificate& leaf, const Certificate& root, TimePoint at,
                          CertPurpose purpose, std::span<const Certificate> intermediates) {
    SR_TRY(check_root(root));
    ossl_clear_errors();
    X509StorePtr store(X509_STORE_new());
    X509StackPtr untrusted(sk_X509_new_null());
    X509StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (!store || !untrusted || !ctx || X509_STORE_add_cert(store.get(), root.get()) != 1)
        return ossl_error("certificate store");
    for (const auto& c : intermediates)
        if (sk_X509_push(untrusted.get(), c.get()) <= 0) return ossl_error("certificate chain");
    if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), untrusted.get()) != 1)
        return ossl_error("certificate store");
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
    X509_VERIFY_PARAM_set_time(param, std::chrono::system_clock::to_time_t(at));
    // Strict RFC 5280 checks, and the root's own signature, so a tampered root is refused too.
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT | X509_V_FLAG_CHECK_SS_SIGNATURE);
    if (int p = openssl_purpose(purpose); p != 0 && X509_STORE_CTX_set_purpose(ctx.get(), p) != 1)
        return ossl_error("certificate purpose");

    if (X509_verify_cert(ctx.get()) != 1) {
        int err = X509_STORE_CTX_get_error(ctx.get());
        int depth = X509_STORE_CTX_get_error_depth(ctx.get());
        ossl_clear_errors();
        std::string why = X509_verify_cert_error_string(err);
        if (err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
            err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT)
            why += " (not issued by the trusted root \"" + root.subject_cn() + "\")";
        return rejected(leaf, why + " at depth " + std::to_string(depth));
    }
    if (purpose == CertPurpose::DeviceIdentity) return check_device_identity(leaf);
    return {};
}

Status verify_chain(ByteView leaf_der, ByteView root_der, TimePoint at, CertPurpose purpose) {
    auto root = Certificate::from_der(root_der);
    if (!root.is_ok()) return root.status().with_context("trusted root");
    auto leaf = Certificate::from_der(leaf_der);
    if (!leaf.is_ok()) return leaf.status().with_context("leaf certificate");
    return verify_certificate(*leaf, *root, at, purpose);
}

}  // namespace sr::crypto
