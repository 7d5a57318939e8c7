// crypto::Key: usable key material inside the engine — secret bytes for symmetric keys, an
// EVP_PKEY for asymmetric ones — plus conversion to and from the component form that PKCS#11
// attributes carry. Immutable after construction; safe to share across threads (const use).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/result.h"
#include "common/secret.h"
#include "crypto/ossl.h"

namespace sr::crypto {

// Values equal the PKCS#11 CKK_* numbers so the module maps them without a table.
enum class KeyType : uint32_t {
    Rsa = 0x00,
    Dsa = 0x01,
    Ec = 0x03,
    GenericSecret = 0x10,
    Des3 = 0x15,
    Aes = 0x1F,
    EcEdwards = 0x40,
};
std::string_view key_type_name(KeyType t) noexcept;  // "RSA", "AES", ...
bool is_symmetric(KeyType t) noexcept;

enum class KeyPart : uint8_t { Secret, Public, Private };

class Key final {
public:
    static Key secret(KeyType type, SecretBytes value);
    // `ec_point`: for an EC (Weierstrass) key, the uncompressed public point when the caller has
    // it already (exactly what reading OSSL_PKEY_PARAM_PUB_KEY would give); otherwise it is read.
    static Key public_key(KeyType type, PkeyPtr pkey, Bytes ec_point = {});
    static Key private_key(KeyType type, PkeyPtr pkey, Bytes ec_point = {});

    // An independent handle on the same material: the secret is copied (explicitly), the
    // EVP_PKEY is shared by reference count (OpenSSL keys are safe for concurrent const use).
    [[nodiscard]] Key clone() const;

    KeyType type() const noexcept { return m_type; }
    KeyPart part() const noexcept { return m_part; }
    // Symmetric keys only.
    const SecretBytes& value() const noexcept { return m_value; }
    // Asymmetric keys only (nullptr otherwise).
    EVP_PKEY* pkey() const noexcept { return m_pkey.get(); }
    // Key size in bits (modulus, prime, curve field size — 255 for Ed25519 — or value length * 8).
    // Computed once at construction.
    size_t bits() const noexcept { return m_bits; }
    bool is_asymmetric() const noexcept { return m_pkey != nullptr; }
    // EC (Weierstrass) keys: the encoded public point, read once at construction (each read
    // from OpenSSL costs a field inversion); empty for other keys or when OpenSSL had none.
    const Bytes& ec_point() const noexcept { return m_ec_point; }

    Key(Key&&) noexcept = default;
    Key& operator=(Key&&) noexcept = default;

private:
    Key(KeyType type, KeyPart part, SecretBytes value, PkeyPtr pkey, Bytes ec_point = {});
    KeyType m_type;
    KeyPart m_part;
    SecretBytes m_value;
    PkeyPtr m_pkey;
    size_t m_bits = 0;
    Bytes m_ec_point;
};

struct KeyPair {
    Key public_key;
    Key private_key;
};

// ---- Component forms (what PKCS#11 attributes hold). Big integers are unsigned big-endian.

struct RsaPublicParts {
    Bytes modulus, public_exponent;
};
struct RsaPrivateParts {
    Bytes modulus, public_exponent;
    SecretBytes private_exponent, prime1, prime2, exponent1, exponent2, coefficient;
};
// EC (Weierstrass) and Edwards keys. `params` is the DER of the curve OID (CKA_EC_PARAMS);
// `point` is the DER OCTET STRING wrapping the encoded point (CKA_EC_POINT).
struct EcPublicParts {
    Bytes params, point;
};
struct EcPrivateParts {
    Bytes params;
    SecretBytes value;  // scalar (EC) or 32-byte seed (Ed25519)
    Bytes point;        // may be empty on import; always filled on export
};
struct DsaPublicParts {
    Bytes prime, subprime, base, value;
};
struct DsaPrivateParts {
    Bytes prime, subprime, base;
    SecretBytes value;
    Bytes public_value;  // may be empty on import
};

// Import rules (errors: a missing required component -> TemplateIncomplete; values OpenSSL
// rejects -> AttributeValueInvalid; a curve we do not support -> CurveNotSupported):
//  - RSA private: modulus, public and private exponent required; the five CRT values are all
//    present or all absent (then the key works without CRT). Export leaves absent CRT empty.
//  - EC private: `point` is optional and always recomputed from the scalar; if given it must
//    match. CKA_EC_POINT is accepted raw or DER-wrapped (uncompressed or compressed); export is
//    always DER-wrapped uncompressed. Ed25519 `value` is the 32-byte seed.
//  - DSA private: `public_value` is optional and recomputed as g^x mod p when absent.
Result<Key> rsa_public_from(const RsaPublicParts& parts);
Result<Key> rsa_private_from(const RsaPrivateParts& parts);
Result<RsaPublicParts> rsa_public_parts(const Key& key);    // works on public or private
Result<RsaPrivateParts> rsa_private_parts(const Key& key);  // private only

Result<Key> ec_public_from(KeyType type, const EcPublicParts& parts);  // Ec or EcEdwards
Result<Key> ec_private_from(KeyType type, const EcPrivateParts& parts);
Result<EcPublicParts> ec_public_parts(const Key& key);
Result<EcPrivateParts> ec_private_parts(const Key& key);

Result<Key> dsa_public_from(const DsaPublicParts& parts);
Result<Key> dsa_private_from(const DsaPrivateParts& parts);
Result<DsaPublicParts> dsa_public_parts(const Key& key);
Result<DsaPrivateParts> dsa_private_parts(const Key& key);

// The public half of a private key (for C_GenerateKeyPair consistency checks and fingerprints).
Result<Key> public_of(const Key& private_key);

// PKCS#8 PrivateKeyInfo DER — the form in which private keys are wrapped (PKCS#11 §2.x).
Result<SecretBytes> to_pkcs8(const Key& private_key);
Result<Key> from_pkcs8(ByteView der);
// SubjectPublicKeyInfo DER. RSA and named-curve EC / Ed25519 keys are encoded directly (OpenSSL
// 3.0 looks its encoder up on every i2d_PUBKEY); the output is byte-identical to
// to_spki_openssl(), which every other key goes through.
Result<Bytes> to_spki(const Key& public_or_private);
Result<Bytes> to_spki_openssl(const Key& public_or_private);
// The same SPKI from parts already read from `key` by ec_public_parts / ec_private_parts: reading
// the public point again costs a field inversion each time for a freshly generated key.
Result<Bytes> ec_spki(const Key& key, const EcPublicParts& parts);
Result<Key> from_spki(ByteView der);

// Named curves: "P-256", "P-384", "P-521", "secp256k1", "Ed25519" <-> DER OID (CKA_EC_PARAMS).
// On input the OID is also accepted as the PKCS#11 3.0 PrintableString form ("edwards25519")
// for Ed25519. Unknown curve -> CurveNotSupported; malformed DER -> DomainParamsInvalid.
Result<Bytes> curve_params_der(std::string_view curve_name);
Result<std::string> curve_name_from_params(ByteView der);
// The curve of an EC or Edwards key ("P-256", ..., "Ed25519").
Result<std::string> curve_name_of(const Key& key);

}  // namespace sr::crypto
