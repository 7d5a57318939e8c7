// The attribute rules table: PKCS#11 v2.40 §4.4–§4.10 and the key-type chapters (§2.1 RSA,
// §2.3 EC, §2.2 DSA, §2.8/§2.9 generic secret, §2.13 DES3, §2.15 AES), one row per attribute
// and scope. Footnotes of the spec tables map to flags: 1 → req::kOnCreate, 2 → kOnlyOnGenerate
// (for VALUE_LEN: kOnlyGenUnwrapDerive), 3 → req::kOnGenerate, 4 → kNotOnGenerate,
// 6 → kNotOnUnwrapDerive, 7 → kSecret | kSensitiveProtected, 8 → kFixedAfterCreate,
// 10 → kSoOnlyTrue, 11 → kOneWay*.
#include <array>

#include "hsm/object_rules.h"

namespace sr::hsm {
namespace {

using namespace rule;
using V = ValueKind;

constexpr uint64_t kRsa[] = {ckk::kRsa};
constexpr uint64_t kEcLike[] = {ckk::kEc, ckk::kEcEdwards};
constexpr uint64_t kDsa[] = {ckk::kDsa};
constexpr uint64_t kEcLikeOrDsa[] = {ckk::kEc, ckk::kEcEdwards, ckk::kDsa};
constexpr uint64_t kSymmetric[] = {ckk::kGenericSecret, ckk::kAes, ckk::kDes3};
constexpr uint64_t kVariableLength[] = {ckk::kGenericSecret, ckk::kAes};
constexpr std::span<const uint64_t> kAnyType{};

constexpr uint8_t kStorage = clsbit::kStorage;
constexpr uint8_t kKeys = clsbit::kAllKeys;
constexpr uint8_t kCert = clsbit::kCertificate;
constexpr uint8_t kPub = clsbit::kPublicKey;
constexpr uint8_t kPriv = clsbit::kPrivateKey;
constexpr uint8_t kSec = clsbit::kSecretKey;
constexpr uint8_t kData = clsbit::kData;

// Key material: fixed, supplied on C_CreateObject only (the token makes it otherwise).
constexpr uint32_t kMaterial = kFixedAfterCreate | kNotOnGenerate | kNotOnUnwrapDerive;
constexpr uint32_t kSecretMaterial = kMaterial | kSecret | kSensitiveProtected;
constexpr uint32_t kTokenSet = kTokenSetOnly | kFixedAfterCreate;
constexpr uint8_t kC = req::kOnCreate;
constexpr uint8_t kG = req::kOnGenerate;
constexpr std::optional<uint64_t> kNone = std::nullopt;

// clang-format off
const AttrRule kRules[] = {
    // ---- Common storage attributes (§4.4). CKA_PRIVATE's default depends on the class and is
    // filled by code (see docs/design/object-model.md).
    {attr::kClass, "CKA_CLASS", V::Ulong, kStorage, kAnyType, kFixedAfterCreate, 0, kNone},
    {attr::kToken, "CKA_TOKEN", V::Bool, kStorage, kAnyType, kFixedAfterCreate | kCopyChangeable, 0, 0},
    {attr::kPrivate, "CKA_PRIVATE", V::Bool, kStorage, kAnyType, kFixedAfterCreate | kCopyChangeable, 0, kNone},
    {attr::kModifiable, "CKA_MODIFIABLE", V::Bool, kStorage, kAnyType, kFixedAfterCreate | kCopyChangeable, 0, 1},
    {attr::kLabel, "CKA_LABEL", V::String, kStorage, kAnyType, kDefaultEmpty, 0, kNone},
    {attr::kCopyable, "CKA_COPYABLE", V::Bool, kStorage, kAnyType, kOneWayTrueToFalse, 0, 1},
    {attr::kDestroyable, "CKA_DESTROYABLE", V::Bool, kStorage, kAnyType, kCopyChangeable, 0, 1},
    {attr::kOuid, "CKA_OUID", V::Bytes, kStorage, kAnyType, kTokenSet, 0, kNone},

    // ---- Data objects (§4.5).
    {attr::kApplication, "CKA_APPLICATION", V::String, kData, kAnyType, kDefaultEmpty, 0, kNone},
    {attr::kObjectId, "CKA_OBJECT_ID", V::Bytes, kData, kAnyType, kDefaultEmpty, 0, kNone},
    {attr::kValue, "CKA_VALUE", V::Bytes, kData, kAnyType, kDefaultEmpty, 0, kNone},

    // ---- Certificates (§4.6, X.509 public key certificates §4.6.3; only CKC_X_509 is held).
    {attr::kCertificateType, "CKA_CERTIFICATE_TYPE", V::Ulong, kCert, kAnyType, kFixedAfterCreate, kC, kNone},
    {attr::kTrusted, "CKA_TRUSTED", V::Bool, kCert | kPub | kSec, kAnyType, kSoOnlyTrue, 0, 0},
    {attr::kCertificateCategory, "CKA_CERTIFICATE_CATEGORY", V::Ulong, kCert, kAnyType, 0, 0, 0},
    {attr::kCheckValue, "CKA_CHECK_VALUE", V::Bytes, kCert | kSec, kAnyType, kFixedAfterCreate, 0, kNone},
    {attr::kStartDate, "CKA_START_DATE", V::Date, kCert | kKeys, kAnyType, kDefaultEmpty, 0, kNone},
    {attr::kEndDate, "CKA_END_DATE", V::Date, kCert | kKeys, kAnyType, kDefaultEmpty, 0, kNone},
    {attr::kPublicKeyInfo, "CKA_PUBLIC_KEY_INFO", V::Bytes, kCert, kAnyType, kFixedAfterCreate | kDefaultEmpty, 0, kNone},
    {attr::kSubject, "CKA_SUBJECT", V::Bytes, kCert, kAnyType, 0, kC, kNone},
    {attr::kId, "CKA_ID", V::Bytes, kCert | kKeys, kAnyType, kDefaultEmpty, 0, kNone},
    {attr::kIssuer, "CKA_ISSUER", V::Bytes, kCert, kAnyType, kFixedAfterCreate | kDefaultEmpty, 0, kNone},
    {attr::kSerialNumber, "CKA_SERIAL_NUMBER", V::Bytes, kCert, kAnyType, kFixedAfterCreate | kDefaultEmpty, 0, kNone},
    {attr::kValue, "CKA_VALUE", V::Bytes, kCert, kAnyType, kFixedAfterCreate, kC, kNone},
    {attr::kUrl, "CKA_URL", V::String, kCert, kAnyType, kFixedAfterCreate | kDefaultEmpty, 0, kNone},
    {attr::kHashOfSubjectPublicKey, "CKA_HASH_OF_SUBJECT_PUBLIC_KEY", V::Bytes, kCert, kAnyType, kFixedAfterCreate | kDefaultEmpty, 0, kNone},
    {attr::kHashOfIssuerPublicKey, "CKA_HASH_OF_ISSUER_PUBLIC_KEY", V::Bytes, kCert, kAnyType, kFixedAfterCreate | kDefaultEmpty, 0, kNone},
    {attr::kJavaMidpSecurityDomain, "CKA_JAVA_MIDP_SECURITY_DOMAIN", V::Ulong, kCert, kAnyType, kFixedAfterCreate, 0, 0},
    {attr::kNameHashAlgorithm, "CKA_NAME_HASH_ALGORITHM", V::Ulong, kCert, kAnyType, kFixedAfterCreate, 0, 0x220 /* CKM_SHA_1 */},

    // ---- Common key attributes (§4.7).
    {attr::kKeyType, "CKA_KEY_TYPE", V::Ulong, kKeys, kAnyType, kFixedAfterCreate, 0, kNone},
    {attr::kDerive, "CKA_DERIVE", V::Bool, kKeys, kAnyType, 0, 0, 0},
    {attr::kLocal, "CKA_LOCAL", V::Bool, kKeys, kAnyType, kTokenSet, 0, kNone},
    {attr::kKeyGenMechanism, "CKA_KEY_GEN_MECHANISM", V::Ulong, kKeys, kAnyType, kTokenSet, 0, kNone},
    {attr::kAllowedMechanisms, "CKA_ALLOWED_MECHANISMS", V::MechList, kKeys, kAnyType, 0, 0, kNone},

    // ---- Public keys (§4.8).
    {attr::kSubject, "CKA_SUBJECT", V::Bytes, kPub | kPriv, kAnyType, kDefaultEmpty, 0, kNone},
    {attr::kEncrypt, "CKA_ENCRYPT", V::Bool, kPub | kSec, kAnyType, 0, 0, 0},
    {attr::kVerify, "CKA_VERIFY", V::Bool, kPub | kSec, kAnyType, 0, 0, 0},
    {attr::kVerifyRecover, "CKA_VERIFY_RECOVER", V::Bool, kPub, kAnyType, 0, 0, 0},
    {attr::kWrap, "CKA_WRAP", V::Bool, kPub | kSec, kAnyType, 0, 0, 0},
    {attr::kWrapTemplate, "CKA_WRAP_TEMPLATE", V::Template, kPub | kSec, kAnyType, 0, 0, kNone},
    {attr::kPublicKeyInfo, "CKA_PUBLIC_KEY_INFO", V::Bytes, kPub | kPriv, kAnyType, kMaterial, 0, kNone},

    // ---- Private keys (§4.9) and secret keys (§4.10).
    {attr::kSensitive, "CKA_SENSITIVE", V::Bool, kPriv | kSec, kAnyType, kOneWayFalseToTrue, 0, 0},
    {attr::kDecrypt, "CKA_DECRYPT", V::Bool, kPriv | kSec, kAnyType, 0, 0, 0},
    {attr::kSign, "CKA_SIGN", V::Bool, kPriv | kSec, kAnyType, 0, 0, 0},
    {attr::kSignRecover, "CKA_SIGN_RECOVER", V::Bool, kPriv, kAnyType, 0, 0, 0},
    {attr::kUnwrap, "CKA_UNWRAP", V::Bool, kPriv | kSec, kAnyType, 0, 0, 0},
    {attr::kExtractable, "CKA_EXTRACTABLE", V::Bool, kPriv | kSec, kAnyType, kOneWayTrueToFalse, 0, 1},
    {attr::kAlwaysSensitive, "CKA_ALWAYS_SENSITIVE", V::Bool, kPriv | kSec, kAnyType, kTokenSet, 0, kNone},
    {attr::kNeverExtractable, "CKA_NEVER_EXTRACTABLE", V::Bool, kPriv | kSec, kAnyType, kTokenSet, 0, kNone},
    {attr::kWrapWithTrusted, "CKA_WRAP_WITH_TRUSTED", V::Bool, kPriv | kSec, kAnyType, kOneWayFalseToTrue, 0, 0},
    {attr::kUnwrapTemplate, "CKA_UNWRAP_TEMPLATE", V::Template, kPriv | kSec, kAnyType, 0, 0, kNone},
    {attr::kDeriveTemplate, "CKA_DERIVE_TEMPLATE", V::Template, kPriv | kSec, kAnyType, 0, 0, kNone},
    {attr::kAlwaysAuthenticate, "CKA_ALWAYS_AUTHENTICATE", V::Bool, kPriv, kAnyType, 0, 0, 0},

    // ---- RSA (§2.1.2, §2.1.3).
    {attr::kModulus, "CKA_MODULUS", V::BigInt, kPub | kPriv, kRsa, kMaterial, kC, kNone},
    {attr::kModulusBits, "CKA_MODULUS_BITS", V::Ulong, kPub, kRsa, kFixedAfterCreate | kOnlyOnGenerate, kG, kNone},
    {attr::kPublicExponent, "CKA_PUBLIC_EXPONENT", V::BigInt, kPub, kRsa, kFixedAfterCreate | kNotOnUnwrapDerive, kC, kNone},
    {attr::kPublicExponent, "CKA_PUBLIC_EXPONENT", V::BigInt, kPriv, kRsa, kMaterial, 0, kNone},
    {attr::kPrivateExponent, "CKA_PRIVATE_EXPONENT", V::BigInt, kPriv, kRsa, kSecretMaterial, kC, kNone},
    {attr::kPrime1, "CKA_PRIME_1", V::BigInt, kPriv, kRsa, kSecretMaterial, 0, kNone},
    {attr::kPrime2, "CKA_PRIME_2", V::BigInt, kPriv, kRsa, kSecretMaterial, 0, kNone},
    {attr::kExponent1, "CKA_EXPONENT_1", V::BigInt, kPriv, kRsa, kSecretMaterial, 0, kNone},
    {attr::kExponent2, "CKA_EXPONENT_2", V::BigInt, kPriv, kRsa, kSecretMaterial, 0, kNone},
    {attr::kCoefficient, "CKA_COEFFICIENT", V::BigInt, kPriv, kRsa, kSecretMaterial, 0, kNone},

    // ---- EC and Edwards (§2.3.3, §2.3.4; Edwards as in v3.0 §2.3.5).
    {attr::kEcParams, "CKA_EC_PARAMS", V::Bytes, kPub, kEcLike, kFixedAfterCreate | kNotOnUnwrapDerive, kC | kG, kNone},
    {attr::kEcParams, "CKA_EC_PARAMS", V::Bytes, kPriv, kEcLike, kMaterial, kC, kNone},
    {attr::kEcPoint, "CKA_EC_POINT", V::Bytes, kPub, kEcLike, kMaterial, kC, kNone},

    // ---- DSA (§2.2.2, §2.2.3).
    {attr::kPrime, "CKA_PRIME", V::BigInt, kPub, kDsa, kFixedAfterCreate | kNotOnUnwrapDerive, kC | kG, kNone},
    {attr::kSubprime, "CKA_SUBPRIME", V::BigInt, kPub, kDsa, kFixedAfterCreate | kNotOnUnwrapDerive, kC | kG, kNone},
    {attr::kBase, "CKA_BASE", V::BigInt, kPub, kDsa, kFixedAfterCreate | kNotOnUnwrapDerive, kC | kG, kNone},
    {attr::kPrime, "CKA_PRIME", V::BigInt, kPriv, kDsa, kMaterial, kC, kNone},
    {attr::kSubprime, "CKA_SUBPRIME", V::BigInt, kPriv, kDsa, kMaterial, kC, kNone},
    {attr::kBase, "CKA_BASE", V::BigInt, kPriv, kDsa, kMaterial, kC, kNone},
    {attr::kValue, "CKA_VALUE", V::BigInt, kPub, kDsa, kMaterial, kC, kNone},

    // ---- Private values of EC / Edwards / DSA keys and symmetric key values.
    {attr::kValue, "CKA_VALUE", V::Bytes, kPriv, kEcLikeOrDsa, kSecretMaterial, kC, kNone},
    {attr::kValue, "CKA_VALUE", V::Bytes, kSec, kSymmetric, kSecretMaterial, kC, kNone},
    {attr::kValueLen, "CKA_VALUE_LEN", V::Ulong, kSec, kVariableLength, kFixedAfterCreate | kOnlyGenUnwrapDerive, kG, kNone},
};
// clang-format on

}  // namespace

std::span<const AttrRule> attribute_rules() noexcept { return kRules; }

}  // namespace sr::hsm
