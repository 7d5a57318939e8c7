// The masked-object blob (docs/design/masking.md): one object sealed under a key derived from its
// partition's cloning-domain key, self-contained and versioned, for CA_ExtractMaskedObject /
// CA_InsertMaskedObject and file backups. Pure functions; the decoder takes hostile bytes.
#pragma once

#include <array>
#include <cstdint>

#include "common/bytes.h"
#include "common/result.h"
#include "common/secret.h"
#include "hsm/personality.h"

namespace sr::hsm::masking {

inline constexpr std::array<uint8_t, 4> kMagic{'S', 'R', 'M', 'K'};
inline constexpr uint8_t kVersion = 1;
inline constexpr size_t kSaltBytes = 32;
inline constexpr size_t kKeyBytes = 32;
// Bounds that keep a hostile blob from asking for absurd work or memory.
inline constexpr size_t kMaxFingerprintBytes = 64;
inline constexpr size_t kMaxOuidBytes = 64;
inline constexpr size_t kMaxSealedBytes = 1 << 20;

using Salt = std::array<uint8_t, kSaltBytes>;

// Everything before the sealed payload; all of it is bound in as associated data.
struct Header {
    FirmwareVersion firmware;  // the extracting device's firmware (cloning-direction rule)
    FormFactor form_factor = FormFactor::Pcie;
    AuthType auth = AuthType::Password;
    Bytes domain_fingerprint;  // of the extracting partition (key-hierarchy.md)
    Bytes ouid;
    uint64_t object_class = 0;  // CKO_*, 0..4
    Salt salt{};
};

struct Blob {
    Header header;
    Bytes sealed;  // crypto::seal form: nonce(12) || ciphertext || tag(16)
};

Bytes encode_header(const Header& h);
Bytes encode(const Blob& b);
// DataInvalid with a message naming the offending field: wrong magic, other version (naming
// both), out-of-range enum or class, empty or over-long field, truncation, trailing bytes.
Result<Blob> decode(ByteView in);

// "strongroom mask v1" || 0x00 || encode_header(h).
Bytes aad(const Header& h);
// HKDF-SHA256(ikm = domain key, salt = header salt, info = "strongroom mask v1").
Result<SecretBytes> derive_key(const SecretBytes& domain_key, const Salt& salt);

// Seals `payload` under the header (whose salt the caller made fresh); DataLenRange when the
// sealed form would exceed kMaxSealedBytes.
Result<Blob> seal(const SecretBytes& domain_key, Header header, const SecretBytes& payload);
// EncryptedDataInvalid when the key (domain), the header or the ciphertext differ.
Result<SecretBytes> open(const SecretBytes& domain_key, const Blob& blob);

}  // namespace sr::hsm::masking
