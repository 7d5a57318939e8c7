// PKCS#11 attribute numbers and AttributeSet, the value type holding one object's attributes,
// plus the versioned TLV codec of the store's `attrs` / `sealed_attrs` blobs
// (docs/design/object-model.md). AttributeSet is a plain value: not thread-safe, move-only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/result.h"
#include "common/secret.h"

namespace sr::hsm {

// Attribute types are the PKCS#11 v2.40 CKA_* numbers, so the C ABI layer casts directly.
using AttrType = uint64_t;

// Values are held in the ABI's native form so the module copies them straight out:
// CK_ULONG = 8-byte native-endian unsigned long (LP64), CK_BBOOL = 1 byte (0 or 1),
// CK_DATE = 8 ASCII digits YYYYMMDD (or empty), byte arrays and UTF-8 strings as is.
using CkUlong = unsigned long;
static_assert(sizeof(CkUlong) == 8, "Strongroom assumes LP64 (CK_ULONG is 8 bytes)");

// CK_UNAVAILABLE_INFORMATION: CKA_KEY_GEN_MECHANISM of a key that was not generated.
inline constexpr uint64_t kUnavailableInformation = ~uint64_t{0};

namespace attr {
inline constexpr AttrType kClass = 0x0;
inline constexpr AttrType kToken = 0x1;
inline constexpr AttrType kPrivate = 0x2;
inline constexpr AttrType kLabel = 0x3;
inline constexpr AttrType kApplication = 0x10;
inline constexpr AttrType kValue = 0x11;
inline constexpr AttrType kObjectId = 0x12;
inline constexpr AttrType kCertificateType = 0x80;
inline constexpr AttrType kIssuer = 0x81;
inline constexpr AttrType kSerialNumber = 0x82;
inline constexpr AttrType kAcIssuer = 0x83;
inline constexpr AttrType kOwner = 0x84;
inline constexpr AttrType kAttrTypes = 0x85;
inline constexpr AttrType kTrusted = 0x86;
inline constexpr AttrType kCertificateCategory = 0x87;
inline constexpr AttrType kJavaMidpSecurityDomain = 0x88;
inline constexpr AttrType kUrl = 0x89;
inline constexpr AttrType kHashOfSubjectPublicKey = 0x8A;
inline constexpr AttrType kHashOfIssuerPublicKey = 0x8B;
inline constexpr AttrType kNameHashAlgorithm = 0x8C;
inline constexpr AttrType kCheckValue = 0x90;
inline constexpr AttrType kKeyType = 0x100;
inline constexpr AttrType kSubject = 0x101;
inline constexpr AttrType kId = 0x102;
inline constexpr AttrType kSensitive = 0x103;
inline constexpr AttrType kEncrypt = 0x104;
inline constexpr AttrType kDecrypt = 0x105;
inline constexpr AttrType kWrap = 0x106;
inline constexpr AttrType kUnwrap = 0x107;
inline constexpr AttrType kSign = 0x108;
inline constexpr AttrType kSignRecover = 0x109;
inline constexpr AttrType kVerify = 0x10A;
inline constexpr AttrType kVerifyRecover = 0x10B;
inline constexpr AttrType kDerive = 0x10C;
inline constexpr AttrType kStartDate = 0x110;
inline constexpr AttrType kEndDate = 0x111;
inline constexpr AttrType kModulus = 0x120;
inline constexpr AttrType kModulusBits = 0x121;
inline constexpr AttrType kPublicExponent = 0x122;
inline constexpr AttrType kPrivateExponent = 0x123;
inline constexpr AttrType kPrime1 = 0x124;
inline constexpr AttrType kPrime2 = 0x125;
inline constexpr AttrType kExponent1 = 0x126;
inline constexpr AttrType kExponent2 = 0x127;
inline constexpr AttrType kCoefficient = 0x128;
inline constexpr AttrType kPublicKeyInfo = 0x129;
inline constexpr AttrType kPrime = 0x130;
inline constexpr AttrType kSubprime = 0x131;
inline constexpr AttrType kBase = 0x132;
inline constexpr AttrType kPrimeBits = 0x133;
inline constexpr AttrType kSubprimeBits = 0x134;
inline constexpr AttrType kValueBits = 0x160;
inline constexpr AttrType kValueLen = 0x161;
inline constexpr AttrType kExtractable = 0x162;
inline constexpr AttrType kLocal = 0x163;
inline constexpr AttrType kNeverExtractable = 0x164;
inline constexpr AttrType kAlwaysSensitive = 0x165;
inline constexpr AttrType kKeyGenMechanism = 0x166;
inline constexpr AttrType kModifiable = 0x170;
inline constexpr AttrType kCopyable = 0x171;
inline constexpr AttrType kDestroyable = 0x172;
inline constexpr AttrType kEcParams = 0x180;
inline constexpr AttrType kEcPoint = 0x181;
inline constexpr AttrType kAlwaysAuthenticate = 0x202;
inline constexpr AttrType kWrapWithTrusted = 0x210;
// Nested templates (CKF_ARRAY_ATTRIBUTE) are held as opaque bytes: stored and returned as
// given, not parsed or enforced on wrap/unwrap/derive.
inline constexpr AttrType kWrapTemplate = 0x40000211;
inline constexpr AttrType kUnwrapTemplate = 0x40000212;
inline constexpr AttrType kDeriveTemplate = 0x40000213;
inline constexpr AttrType kAllowedMechanisms = 0x40000600;
inline constexpr AttrType kOuid = 0x80000005;  // Luna CKA_OUID: the object's unique id
}  // namespace attr

// CKO_* object classes.
namespace cls {
inline constexpr uint64_t kData = 0;
inline constexpr uint64_t kCertificate = 1;
inline constexpr uint64_t kPublicKey = 2;
inline constexpr uint64_t kPrivateKey = 3;
inline constexpr uint64_t kSecretKey = 4;
}  // namespace cls

// CKK_* key types (equal to crypto::KeyType values).
namespace ckk {
inline constexpr uint64_t kRsa = 0x00;
inline constexpr uint64_t kDsa = 0x01;
inline constexpr uint64_t kEc = 0x03;
inline constexpr uint64_t kGenericSecret = 0x10;
inline constexpr uint64_t kDes3 = 0x15;
inline constexpr uint64_t kAes = 0x1F;
inline constexpr uint64_t kEcEdwards = 0x40;
}  // namespace ckk

// CKC_* certificate types.
namespace ckc {
inline constexpr uint64_t kX509 = 0;
inline constexpr uint64_t kX509AttrCert = 1;
inline constexpr uint64_t kWtls = 2;
}  // namespace ckc

// One object's attributes: non-secret values in one ordered map, secret values (key material,
// decided by the rules table, see is_secret_attribute in object_rules.h) in another, so that
// secrets only ever live in SecretBytes. A type is in at most one of the two maps.
class AttributeSet final {
public:
    AttributeSet() = default;
    AttributeSet(AttributeSet&&) noexcept = default;
    AttributeSet& operator=(AttributeSet&&) noexcept = default;
    AttributeSet(const AttributeSet&) = delete;
    AttributeSet& operator=(const AttributeSet&) = delete;
    ~AttributeSet() = default;

    // Deep copy, secrets included; explicit so copies of key material show in review.
    [[nodiscard]] AttributeSet clone() const;

    bool has(AttrType t) const noexcept;
    bool is_secret(AttrType t) const noexcept { return m_secret.count(t) != 0; }
    // The value (from either map), or nullopt when absent. Views are valid until the next
    // mutation of this set.
    std::optional<ByteView> get(AttrType t) const;
    // nullopt when absent or not well-formed (a CK_BBOOL must be 1 byte, a CK_ULONG 8 bytes).
    std::optional<bool> get_bool(AttrType t) const;
    std::optional<uint64_t> get_ulong(AttrType t) const;
    // The boolean, or `fallback` when absent or malformed.
    bool flag(AttrType t, bool fallback = false) const;

    // Setters replace any existing value of the type (in either map).
    void set_bool(AttrType t, bool v);
    void set_ulong(AttrType t, uint64_t v);
    void set_bytes(AttrType t, ByteView v);
    void set_string(AttrType t, std::string_view v) { set_bytes(t, as_bytes(v)); }
    void set_secret(AttrType t, SecretBytes v);
    // Moves a plain value into the secret map (no-op when absent or already secret).
    void make_secret(AttrType t);
    void erase(AttrType t);
    // Takes every value of `other`, replacing values of the same type here.
    void merge(AttributeSet&& other);

    // All types present (both maps), ascending.
    std::vector<AttrType> types() const;
    size_t size() const noexcept { return m_plain.size() + m_secret.size(); }
    bool empty() const noexcept { return size() == 0; }

    const std::map<AttrType, Bytes>& plain_values() const noexcept { return m_plain; }
    const std::map<AttrType, SecretBytes>& secret_values() const noexcept { return m_secret; }

    // Rebuilds a set from its two stored halves (after decode and unsealing).
    static AttributeSet from_parts(std::map<AttrType, Bytes> plain,
                                   std::map<AttrType, SecretBytes> secret);

private:
    std::map<AttrType, Bytes> m_plain;
    std::map<AttrType, SecretBytes> m_secret;
};

// Native-form encoders for values (see the comment on CkUlong).
Bytes encode_bool(bool v);
Bytes encode_ulong(uint64_t v);
std::optional<bool> decode_bool(ByteView v);
std::optional<uint64_t> decode_ulong(ByteView v);

// ---- TLV codec for the store blobs: format byte 0x01, then per attribute, in ascending type
// order, type u64 BE, length u32 BE, value. Decoding accepts hostile input: every length is
// bounds-checked, types must be strictly ascending (no duplicates), and a failure is
// StoreCorrupt naming the offending offset.
inline constexpr uint8_t kAttrCodecVersion = 1;
inline constexpr size_t kMaxEncodedAttrValue = 1u << 24;  // 16 MiB per value

Bytes encode_attributes(const std::map<AttrType, Bytes>& values);
Result<std::map<AttrType, Bytes>> decode_attributes(ByteView blob);
// The same format for secret maps (e.g. a plaintext before sealing); output stays secret.
SecretBytes encode_secret_attributes(const std::map<AttrType, SecretBytes>& values);
Result<std::map<AttrType, SecretBytes>> decode_secret_attributes(ByteView blob);

}  // namespace sr::hsm
