// The mechanism registry: one descriptor per supported mechanism (what it does, which key types,
// key-size range) and the factories that start its operations. C_GetMechanismList /
// C_GetMechanismInfo, key-type checks and policy checks all read this table; nothing else
// switches on mechanism ids. The registry is immutable and thread-safe; operations are not
// (one per session).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "common/bytes.h"
#include "common/result.h"
#include "common/secret.h"
#include "crypto/key.h"
#include "crypto/primitives.h"

namespace sr::crypto {

// Mechanism ids are the PKCS#11 CKM_* numbers (a public numbering; the module casts directly).
using MechanismId = uint64_t;
namespace mech {
inline constexpr MechanismId kRsaPkcsKeyPairGen = 0x0000;
inline constexpr MechanismId kRsaPkcs = 0x0001;
inline constexpr MechanismId kRsaX509 = 0x0003;
inline constexpr MechanismId kSha1RsaPkcs = 0x0006;
inline constexpr MechanismId kRsaPkcsOaep = 0x0009;
inline constexpr MechanismId kRsaPkcsPss = 0x000D;
inline constexpr MechanismId kSha1RsaPkcsPss = 0x000E;
inline constexpr MechanismId kDsaKeyPairGen = 0x0010;
inline constexpr MechanismId kDsa = 0x0011;
inline constexpr MechanismId kDsaSha1 = 0x0012;
inline constexpr MechanismId kDsaSha224 = 0x0013;
inline constexpr MechanismId kDsaSha256 = 0x0014;
inline constexpr MechanismId kDsaSha384 = 0x0015;
inline constexpr MechanismId kDsaSha512 = 0x0016;
inline constexpr MechanismId kSha256RsaPkcs = 0x0040;
inline constexpr MechanismId kSha384RsaPkcs = 0x0041;
inline constexpr MechanismId kSha512RsaPkcs = 0x0042;
inline constexpr MechanismId kSha256RsaPkcsPss = 0x0043;
inline constexpr MechanismId kSha384RsaPkcsPss = 0x0044;
inline constexpr MechanismId kSha512RsaPkcsPss = 0x0045;
inline constexpr MechanismId kSha224RsaPkcs = 0x0046;
inline constexpr MechanismId kSha224RsaPkcsPss = 0x0047;
inline constexpr MechanismId kDes3KeyGen = 0x0131;
inline constexpr MechanismId kDes3Ecb = 0x0132;
inline constexpr MechanismId kDes3Cbc = 0x0133;
inline constexpr MechanismId kDes3CbcPad = 0x0136;
inline constexpr MechanismId kSha1 = 0x0220;
inline constexpr MechanismId kSha1Hmac = 0x0221;
inline constexpr MechanismId kSha256 = 0x0250;
inline constexpr MechanismId kSha256Hmac = 0x0251;
inline constexpr MechanismId kSha224 = 0x0255;
inline constexpr MechanismId kSha224Hmac = 0x0256;
inline constexpr MechanismId kSha384 = 0x0260;
inline constexpr MechanismId kSha384Hmac = 0x0261;
inline constexpr MechanismId kSha512 = 0x0270;
inline constexpr MechanismId kSha512Hmac = 0x0271;
inline constexpr MechanismId kGenericSecretKeyGen = 0x0350;
inline constexpr MechanismId kEcKeyPairGen = 0x1040;
inline constexpr MechanismId kEcdsa = 0x1041;
inline constexpr MechanismId kEcdsaSha1 = 0x1042;
inline constexpr MechanismId kEcdsaSha224 = 0x1043;
inline constexpr MechanismId kEcdsaSha256 = 0x1044;
inline constexpr MechanismId kEcdsaSha384 = 0x1045;
inline constexpr MechanismId kEcdsaSha512 = 0x1046;
inline constexpr MechanismId kEcdh1Derive = 0x1050;
inline constexpr MechanismId kEcEdwardsKeyPairGen = 0x1055;
inline constexpr MechanismId kEddsa = 0x1057;
inline constexpr MechanismId kAesKeyGen = 0x1080;
inline constexpr MechanismId kAesEcb = 0x1081;
inline constexpr MechanismId kAesCbc = 0x1082;
inline constexpr MechanismId kAesCmac = 0x108A;
inline constexpr MechanismId kAesCbcPad = 0x1085;
inline constexpr MechanismId kAesCtr = 0x1086;
inline constexpr MechanismId kAesGcm = 0x1087;
inline constexpr MechanismId kAesKeyWrap = 0x2109;
inline constexpr MechanismId kAesKeyWrapPad = 0x210A;
inline constexpr MechanismId kRsaAesKeyWrap = 0x1054;
}  // namespace mech

// Capability flags; values equal the PKCS#11 CKF_* mechanism flags.
namespace op {
inline constexpr uint32_t kEncrypt = 0x100;
inline constexpr uint32_t kDecrypt = 0x200;
inline constexpr uint32_t kDigest = 0x400;
inline constexpr uint32_t kSign = 0x800;
inline constexpr uint32_t kSignRecover = 0x1000;
inline constexpr uint32_t kVerify = 0x2000;
inline constexpr uint32_t kVerifyRecover = 0x4000;
inline constexpr uint32_t kGenerate = 0x8000;
inline constexpr uint32_t kGenerateKeyPair = 0x10000;
inline constexpr uint32_t kWrap = 0x20000;
inline constexpr uint32_t kUnwrap = 0x40000;
inline constexpr uint32_t kDerive = 0x80000;
}  // namespace op

// ---- Mechanism parameters (already parsed and checked by the caller's ABI layer).
struct NoParams {};
struct IvParams { Bytes iv; };                                   // CBC, CBC-PAD
struct CtrParams { Bytes counter_block; uint32_t counter_bits; };  // CTR
struct GcmParams { Bytes iv; Bytes aad; uint32_t tag_bits; };      // GCM
struct PssParams { Hash hash; Hash mgf_hash; size_t salt_len; };
struct OaepParams { Hash hash; Hash mgf_hash; Bytes label; };
// Peer public point raw or as DER OCTET STRING. Only CKD_NULL (1) without shared data is
// implemented; anything else is MechanismParamInvalid.
struct EcdhParams {
    Bytes peer_public;
    uint64_t kdf = 1;   // CKD_* value
    Bytes shared_data = {};
};
struct RsaAesWrapParams { size_t aes_key_bits; OaepParams oaep; };
struct WrapPadIv { Bytes iv; };  // optional alternative IV for KEY_WRAP(_PAD); empty = default
using MechParams = std::variant<NoParams, IvParams, CtrParams, GcmParams, PssParams, OaepParams,
                                EcdhParams, RsaAesWrapParams, WrapPadIv>;

struct Mechanism {
    MechanismId id = 0;
    MechParams params = NoParams{};
};

// ---- Operations. One instance per active operation; not thread-safe.

// Encrypt or decrypt, single- or multi-part.
class CipherOp {
public:
    virtual ~CipherOp() = default;
    // Upper bound of the output for `in_len` more input bytes (for length queries).
    virtual size_t max_update_output(size_t in_len) const = 0;
    virtual size_t max_final_output() const = 0;
    virtual Result<Bytes> update(ByteView in) = 0;
    virtual Result<Bytes> final() = 0;
};

class SignOp {
public:
    virtual ~SignOp() = default;
    virtual size_t signature_size() const = 0;
    virtual Status update(ByteView data) = 0;
    virtual Result<Bytes> final() = 0;
};

class VerifyOp {
public:
    virtual ~VerifyOp() = default;
    virtual Status update(ByteView data) = 0;
    // Ok, SignatureInvalid or SignatureLenRange.
    virtual Status final(ByteView signature) = 0;
};

// C_VerifyRecover: checks a signature with message recovery and returns the signed data.
// Single-part.
class VerifyRecoverOp {
public:
    virtual ~VerifyRecoverOp() = default;
    // The recovered data, or SignatureInvalid / SignatureLenRange.
    virtual Result<Bytes> recover(ByteView signature) = 0;
};

class DigestOp {
public:
    virtual ~DigestOp() = default;
    virtual size_t digest_size() const = 0;
    virtual Status update(ByteView data) = 0;
    virtual Result<Bytes> final() = 0;
};

// ---- Registry.

struct KeyGenParams {
    size_t bits = 0;             // RSA modulus / DSA prime bits
    Bytes public_exponent;       // RSA; empty = 65537
    Bytes ec_params;             // EC/Edwards: DER curve OID
    DsaPublicParts dsa_domain;   // DSA: prime/subprime/base (value unused); empty = generate
    size_t value_len = 0;        // secret keys: bytes (AES 16/24/32; DES3 may be 0 = 24)
    // DSA domain generation only: subprime bits (160, 224, 256); 0 = 160 for 1024-bit primes,
    // 224 for 2048, 256 for 3072.
    size_t subprime_bits = 0;
};

// Key-size ranges the table reports and the registry enforces (PKCS#11 units):
//   RSA 1024..4096 bits (modulus)      DSA 1024..3072 bits (prime)
//   EC 256..521 bits (P-256, secp256k1, P-384, P-521)   Ed25519 255..255
//   AES 16..32 bytes (operations further require exactly 16, 24 or 32)
//   DES3 24 bytes      HMAC and generic secrets 1..512 bytes      digests: no key (0..0)
struct MechanismInfo {
    MechanismId id;
    std::string_view name;         // "CKM_SHA256_RSA_PKCS"
    uint32_t flags;                // op::k*
    std::span<const KeyType> key_types;
    size_t min_key_size;           // units per PKCS#11: bits for RSA/DSA/EC, bytes for secrets
    size_t max_key_size;
    bool single_part_only;         // e.g. raw RSA, ECDSA without hash, GCM decrypt semantics
};

namespace detail {
class MechImpl;
}

// Error contract of every entry point (checked in this order):
//   unknown id, or the mechanism does not do this function     -> MechanismInvalid
//   key of another type, or the wrong half (public for sign...) -> KeyTypeInconsistent
//                                        (Wrapping/UnwrappingKeyTypeInconsistent for wrap/unwrap)
//   key size outside [min_key_size, max_key_size]               -> KeySizeRange
//                                        (Wrapping/UnwrappingKeySizeRange for wrap/unwrap)
//   params of the wrong kind or out of range                     -> MechanismParamInvalid
// and, from the operations: DataLenRange / EncryptedDataLenRange for bad input lengths,
// EncryptedDataInvalid for bad padding or a failed tag, SignatureInvalid / SignatureLenRange,
// WrappedKeyInvalid / WrappedKeyLenRange. Key generation: a key type the mechanism does not
// make -> TemplateInconsistent; a missing size or curve -> TemplateIncomplete; a size out of
// range -> KeySizeRange; an unsupported curve -> CurveNotSupported.
class MechanismRegistry final {
public:
    // The standard table of everything Strongroom implements.
    static const MechanismRegistry& standard();

    std::span<const MechanismInfo> all() const noexcept;
    const MechanismInfo* find(MechanismId id) const noexcept;

    // Checks mechanism, params, key type and key size, then starts the operation.
    Result<std::unique_ptr<CipherOp>> encrypt(const Mechanism& m, const Key& key) const;
    Result<std::unique_ptr<CipherOp>> decrypt(const Mechanism& m, const Key& key) const;
    Result<std::unique_ptr<SignOp>> sign(const Mechanism& m, const Key& key) const;
    Result<std::unique_ptr<VerifyOp>> verify(const Mechanism& m, const Key& key) const;
    Result<std::unique_ptr<DigestOp>> digest(const Mechanism& m) const;
    // Signatures with message recovery (op::kSignRecover / kVerifyRecover mechanisms).
    Result<std::unique_ptr<SignOp>> sign_recover(const Mechanism& m, const Key& key) const;
    Result<std::unique_ptr<VerifyRecoverOp>> verify_recover(const Mechanism& m,
                                                            const Key& key) const;

    Result<Key> generate_key(const Mechanism& m, KeyType type, const KeyGenParams& p) const;
    Result<KeyPair> generate_key_pair(const Mechanism& m, const KeyGenParams& p) const;

    // Wrap the given key material (secret value, or PKCS#8 for a private key) under `wrapping`.
    Result<Bytes> wrap(const Mechanism& m, const Key& wrapping, ByteView key_material) const;
    Result<SecretBytes> unwrap(const Mechanism& m, const Key& unwrapping, ByteView wrapped) const;
    // ECDH: the raw shared secret (caller truncates to the derived key's length).
    Result<SecretBytes> derive(const Mechanism& m, const Key& base) const;

    ~MechanismRegistry();
    MechanismRegistry(const MechanismRegistry&) = delete;
    MechanismRegistry& operator=(const MechanismRegistry&) = delete;

private:
    MechanismRegistry();
    struct Checked;
    Result<Checked> check(MechanismId id, uint32_t flag) const;

    std::vector<MechanismInfo> m_infos;  // sorted by id
    std::vector<std::shared_ptr<const detail::MechImpl>> m_impls;  // parallel to m_infos
};

}  // namespace sr::crypto
