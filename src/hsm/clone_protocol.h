// The cloning protocol's wire messages (docs/design/clone-protocol.md): the target's hello and
// the source's sealed message, encoded and decoded byte by byte. Pure functions, no keys, no
// device: every decoder takes hostile bytes and fails cleanly with Err::DataInvalid.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "common/bytes.h"
#include "common/result.h"
#include "hsm/personality.h"

namespace sr::hsm::clone {

inline constexpr uint8_t kVersion = 1;
inline constexpr std::array<uint8_t, 4> kMagic{'S', 'R', 'C', 'L'};
inline constexpr uint8_t kTypeHello = 1;
inline constexpr uint8_t kTypeSealed = 2;
inline constexpr size_t kSessionIdBytes = 16;
inline constexpr size_t kNonceBytes = 32;
// Bounds that keep a hostile message from asking for absurd work or memory.
inline constexpr size_t kMaxCertBytes = 16 * 1024;
inline constexpr size_t kMaxSmallField = 1024;          // fingerprints, keys, signatures
inline constexpr uint32_t kMaxObjects = 100'000;
inline constexpr size_t kMaxSealedObjectBytes = 1 << 20;

using SessionTag = std::array<uint8_t, kSessionIdBytes>;
using Nonce = std::array<uint8_t, kNonceBytes>;

// What one side says about itself; signed by its device identity key.
struct Endpoint {
    FirmwareVersion firmware;
    FormFactor form_factor = FormFactor::Pcie;
    AuthType auth = AuthType::Password;
    Bytes certificate_der;     // device identity certificate
    Bytes domain_fingerprint;  // the partition's cloning-domain fingerprint
    Bytes ephemeral_public;    // P-256 SubjectPublicKeyInfo DER, fresh for this exchange
    Nonce nonce{};
};

struct Hello {
    SessionTag session{};
    Endpoint target;
    Bytes signature;  // identity_sign over hello_signed_bytes()
};

struct SealedObject {
    uint32_t sequence = 0;
    Bytes sealed;  // crypto::seal form: nonce(12) || ciphertext || tag(16)
};

struct SealedMessage {
    SessionTag session{};
    Bytes hello_hash;  // SHA-256 of the complete hello this answers
    Endpoint source;
    uint32_t object_count = 0;
    Bytes signature;  // identity_sign over sealed_signed_bytes()
    std::vector<SealedObject> objects;
};

// The exact bytes each signature covers: a context label, then the encoded message up to (not
// including) its signature field.
Bytes hello_signed_bytes(const Hello& h);
Bytes sealed_signed_bytes(const SealedMessage& m);

Bytes encode_hello(const Hello& h);
Result<Hello> decode_hello(ByteView in);
Bytes encode_sealed(const SealedMessage& m);
Result<SealedMessage> decode_sealed(ByteView in);

// Associated data binding a sealed object to its session, its place and the batch size.
Bytes object_aad(const SessionTag& session, uint32_t sequence, uint32_t count);

}  // namespace sr::hsm::clone
