// ManufacturerRoot: the factory's root CA and its folder (root.pem 0644, root-key.pem 0600).
#include <string.h>  // explicit_bzero

#include <string>

#include "crypto/x509_internal.h"

namespace sr::crypto {
namespace {

constexpr mode_t kCertMode = 0644;
constexpr mode_t kKeyMode = 0600;

// The key file arrives as plain Bytes from the Env; move it into SecretBytes and wipe the rest.
Result<SecretBytes> read_secret(Env& env, const std::filesystem::path& path) {
    SR_ASSIGN_OR_RETURN(Bytes raw, env.read_file(path));
    SecretBytes out(raw);
    explicit_bzero(raw.data(), raw.size());
    return out;
}

}  // namespace

Result<ManufacturerRoot> ManufacturerRoot::create(Env& env, std::string_view name) {
    if (name.empty()) return error(Err::ArgumentsBad, "manufacturer root needs a name");
    CaOptions options;
    options.common_name = "Strongroom Manufacturing Root " + std::string(name);
    options.curve = EcCurve::P384;
    SR_ASSIGN_OR_RETURN(CertificateAuthority ca, create_self_signed_ca(options, env.now()));
    return ManufacturerRoot(std::move(ca));
}

Result<ManufacturerRoot> ManufacturerRoot::load(Env& env, const std::filesystem::path& folder) {
    const auto cert_path = folder / kCertFile;
    const auto key_path = folder / kKeyFile;
    auto cert_pem = env.read_file(cert_path);
    if (!cert_pem.is_ok()) return cert_pem.status().with_context("loading manufacturer root");
    SR_ASSIGN_OR_RETURN(SecretBytes key_pem, read_secret(env, key_path));
    auto cert = Certificate::from_pem(ByteView(*cert_pem));
    if (!cert.is_ok()) return cert.status().with_context(cert_path.string());
    auto key = private_key_from_pem(key_pem.span());
    if (!key.is_ok()) return key.status().with_context(key_path.string());
    if (!cert->is_ca())
        return error(Err::CertificateInvalid, cert_path.string() + " is not a CA certificate");
    PkeyPtr cert_key = cert->public_key();
    if (!cert_key || EVP_PKEY_eq(cert_key.get(), key->get()) != 1) {
        ossl_clear_errors();
        return error(Err::DataInvalid,
                     key_path.string() + " does not hold the key of " + cert_path.string());
    }
    return ManufacturerRoot(CertificateAuthority{std::move(cert).value(), std::move(key).value()});
}

Status ManufacturerRoot::save(Env& env, const std::filesystem::path& folder) const {
    SR_TRY(env.create_dirs(folder));
    SR_ASSIGN_OR_RETURN(SecretBytes key_pem, private_key_to_pem(m_ca.private_key.get()));
    SR_TRY(env.write_file_atomic(folder / kKeyFile, key_pem.span(), kKeyMode));
    std::string cert_pem = m_ca.certificate.pem();
    if (cert_pem.empty()) return error(Err::Crypto, "encoding the root certificate as PEM");
    return env.write_file_atomic(folder / kCertFile, as_bytes(cert_pem), kCertMode);
}

Result<Certificate> ManufacturerRoot::issue_device(Env& env, EVP_PKEY* device_public,
                                                   const DeviceProfile& profile) const {
    return issue_device_certificate(m_ca, device_public, profile, env.now());
}

}  // namespace sr::crypto
