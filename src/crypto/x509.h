// Device identity and certificates: EC identity keys, X.509 encode/decode, the manufacturer root
// CA, device and TLS certificate issuance, chain verification and identity signatures.
// Profiles and file layout: docs/design/device-identity.md. Knows nothing of PKCS#11.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/env.h"
#include "common/result.h"
#include "common/secret.h"
#include "crypto/ossl.h"

namespace sr::crypto {

using TimePoint = std::chrono::system_clock::time_point;

// ---- Keys -----------------------------------------------------------------------------------

// Devices and TLS endpoints use P-256; the manufacturer root uses P-384.
enum class EcCurve : uint8_t { P256, P384 };

Result<PkeyPtr> generate_ec_key(EcCurve curve);
// The curve of an EC key; CurveNotSupported for anything but P-256 / P-384.
Result<EcCurve> ec_curve_of(EVP_PKEY* key);

// Private keys travel as PKCS#8 PrivateKeyInfo ("-----BEGIN PRIVATE KEY-----"), unencrypted:
// files holding them are protected by mode 0600, not by a passphrase.
Result<SecretBytes> private_key_to_pem(EVP_PKEY* key);
Result<SecretBytes> private_key_to_der(EVP_PKEY* key);
// DataInvalid for anything that is not one well-formed private key.
Result<PkeyPtr> private_key_from_pem(ByteView pem);
Result<PkeyPtr> private_key_from_der(ByteView der);
// SubjectPublicKeyInfo. PublicKeyInvalid for malformed input.
Result<Bytes> public_key_to_der(EVP_PKEY* key);
Result<std::string> public_key_to_pem(EVP_PKEY* key);
Result<PkeyPtr> public_key_from_der(ByteView spki);

// ---- Certificates ---------------------------------------------------------------------------

// An immutable parsed X.509 certificate together with its exact DER encoding. Copies share the
// underlying X509 (reference-counted); const use is safe from several threads.
class Certificate final {
  public:
    // CertificateInvalid for empty, truncated, trailing-garbage or otherwise malformed input.
    static Result<Certificate> from_der(ByteView der);
    // The first certificate of a PEM text ("-----BEGIN CERTIFICATE-----").
    static Result<Certificate> from_pem(ByteView pem);
    static Result<Certificate> from_pem(std::string_view pem) { return from_pem(as_bytes(pem)); }
    // Takes ownership of a freshly built certificate and records its encoding.
    static Result<Certificate> adopt(X509Ptr x509);

    Certificate(const Certificate& other);
    Certificate& operator=(const Certificate& other);
    Certificate(Certificate&&) noexcept = default;
    Certificate& operator=(Certificate&&) noexcept = default;
    ~Certificate() = default;

    const Bytes& der() const noexcept { return m_der; }
    std::string pem() const;

    // Subject commonName (empty when absent).
    std::string subject_cn() const;
    // Subject serialNumber attribute — the device serial for device certificates (empty if none).
    std::string subject_serial_number() const;
    // Subject organization (empty when absent).
    std::string subject_organization() const;
    // The X.509 certificate serial as lowercase hex of its magnitude.
    std::string serial_hex() const;
    // SHA-256 of the DER, lowercase hex (64 characters). Stable for a given certificate.
    std::string fingerprint_sha256() const;
    // The subject public key as SubjectPublicKeyInfo DER, and as a key for verification.
    Bytes public_key_spki() const;
    PkeyPtr public_key() const;
    TimePoint not_before() const;
    TimePoint not_after() const;
    bool is_ca() const;
    // subjectAltName entries, as text: DNS names as given, IP addresses in canonical form.
    std::vector<std::string> san_dns_names() const;
    std::vector<std::string> san_ip_addresses() const;

    // Borrowed; valid while this Certificate lives. For OpenSSL calls only (e.g. TLS contexts).
    X509* get() const noexcept { return m_x509.get(); }

  private:
    Certificate(X509Ptr x509, Bytes der) : m_x509(std::move(x509)), m_der(std::move(der)) {}
    X509Ptr m_x509;
    Bytes m_der;
};

// A certificate authority in memory: its certificate and the matching private key.
struct CertificateAuthority {
    Certificate certificate;
    PkeyPtr private_key;
};

struct CaOptions {
    std::string common_name;
    std::string organization = "Strongroom";
    EcCurve curve = EcCurve::P384;
    std::chrono::days validity{std::chrono::days(365 * 30 + 7)};  // ~30 years
};
// A fresh self-signed CA: new key, basicConstraints CA:TRUE (critical), keyCertSign+cRLSign,
// random 16-byte serial, subject key identifier.
Result<CertificateAuthority> create_self_signed_ca(const CaOptions& options, TimePoint now);

// ---- Device identity ------------------------------------------------------------------------

// What a device certificate says about the device. form_factor and firmware travel in the
// Strongroom device-info extension (docs/design/device-identity.md).
struct DeviceProfile {
    std::string model;        // "Strongroom PCIe HSM"
    std::string serial;       // device serial, e.g. "154438"
    std::string form_factor;  // "network", "pcie", "usb", "backup"
    std::string firmware;     // firmware at manufacture, "7.8.4"
};
inline constexpr std::chrono::days kDeviceCertValidity{365 * 20 + 5};  // 20 years

// CN "<model> <serial>", serialNumber=<serial>, O=Strongroom; KU digitalSignature+keyAgreement,
// CA:FALSE, device-info extension; 20 years; signed by `issuer` (ECDSA-SHA384 for a P-384 CA).
Result<Certificate> issue_device_certificate(const CertificateAuthority& issuer,
                                             EVP_PKEY* device_public, const DeviceProfile& profile,
                                             TimePoint now);
// Reads the profile back from a device certificate; CertificateInvalid if it is not one.
Result<DeviceProfile> device_profile_of(const Certificate& cert);

// ---- TLS ------------------------------------------------------------------------------------

enum class TlsRole : uint8_t { Server, Client };
struct TlsCertOptions {
    TlsRole role = TlsRole::Server;
    std::string common_name;
    std::string organization = "Strongroom";
    std::vector<std::string> dns_names;     // subjectAltName dNSName entries
    std::vector<std::string> ip_addresses;  // subjectAltName iPAddress entries ("127.0.0.1", "::1")
    std::chrono::days validity{std::chrono::days(365 * 10 + 2)};
};
// An end-entity TLS certificate for `subject_public` signed by `issuer`: CA:FALSE,
// digitalSignature, extendedKeyUsage serverAuth or clientAuth, SAN when names are given.
// ArgumentsBad for an unparseable IP address or an empty name.
Result<Certificate> issue_tls_certificate(const CertificateAuthority& issuer,
                                          EVP_PKEY* subject_public, const TlsCertOptions& options,
                                          TimePoint now);
// The same profile signed by its own key (NTLS-style pinned server.pem / client certificates).
Result<Certificate> self_signed_tls_certificate(EVP_PKEY* key, const TlsCertOptions& options,
                                                TimePoint now);

// ---- Verification ---------------------------------------------------------------------------

// What the leaf must be good for, beyond chaining to the root.
enum class CertPurpose : uint8_t {
    DeviceIdentity,  // CA:FALSE, digitalSignature, carries the device-info extension
    TlsServer,       // OpenSSL's SSL server purpose (EKU serverAuth, KU)
    TlsClient,       // OpenSSL's SSL client purpose (EKU clientAuth, KU)
    Any,             // chain and validity only
};

// Ok when `leaf` chains (through `intermediates`, if any) to the self-signed `root`, every
// certificate is valid at `at`, and the leaf fits `purpose`. Otherwise CertificateInvalid with
// the reason (foreign root, expired, bad signature, wrong purpose, malformed bytes).
Status verify_certificate(const Certificate& leaf, const Certificate& root, TimePoint at,
                          CertPurpose purpose = CertPurpose::DeviceIdentity,
                          std::span<const Certificate> intermediates = {});
Status verify_chain(ByteView leaf_der, ByteView root_der, TimePoint at,
                    CertPurpose purpose = CertPurpose::DeviceIdentity);

// ---- Identity signatures --------------------------------------------------------------------

// ECDSA over SHA-256 (P-256 keys) or SHA-384 (P-384 keys). The signature is the fixed-width
// r||s form (64 bytes for P-256, 96 for P-384) — the same shape as PKCS#11 CKM_ECDSA output.
Result<Bytes> identity_sign(EVP_PKEY* private_key, ByteView data);
// SignatureInvalid when the signature does not match (wrong key, altered data, wrong length).
Status identity_verify(EVP_PKEY* public_key, ByteView data, ByteView signature);
Status identity_verify(const Certificate& signer, ByteView data, ByteView signature);

// ---- Manufacturer root ----------------------------------------------------------------------

// The factory's root CA: what the manufacturer keeps in its factory folder
// (root.pem 0644, root-key.pem 0600). Move-only; const use is thread-safe.
class ManufacturerRoot final {
  public:
    static constexpr std::string_view kCertFile = "root.pem";
    static constexpr std::string_view kKeyFile = "root-key.pem";

    // A new P-384 root "Strongroom Manufacturing Root <name>" valid ~30 years from env.now().
    static Result<ManufacturerRoot> create(Env& env, std::string_view name);
    // NotFound when the folder holds no root; CertificateInvalid / DataInvalid when the files
    // are malformed or the key does not match the certificate.
    static Result<ManufacturerRoot> load(Env& env, const std::filesystem::path& folder);
    // Creates the folder if needed; writes the key first so a crash never leaves a certificate
    // without its key.
    Status save(Env& env, const std::filesystem::path& folder) const;

    const Certificate& certificate() const noexcept { return m_ca.certificate; }
    const CertificateAuthority& authority() const noexcept { return m_ca; }

    Result<Certificate> issue_device(Env& env, EVP_PKEY* device_public,
                                     const DeviceProfile& profile) const;

  private:
    explicit ManufacturerRoot(CertificateAuthority ca) : m_ca(std::move(ca)) {}
    CertificateAuthority m_ca;
};

}  // namespace sr::crypto
