// The fixed primitives the engine and store build on (not selectable by applications):
// randomness, digests, HMAC, HKDF, AES-256-GCM sealing and password hashing.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/bytes.h"
#include "common/result.h"
#include "common/secret.h"

namespace sr::crypto {

enum class Hash : uint8_t { Sha1, Sha224, Sha256, Sha384, Sha512 };
std::string_view hash_name(Hash h) noexcept;  // OpenSSL name, "SHA256"
size_t hash_size(Hash h) noexcept;

Status random_bytes(std::span<uint8_t> out);
Result<SecretBytes> random_secret(size_t n);
Result<Bytes> random_public(size_t n);

Result<Bytes> digest(Hash h, ByteView data);
Result<Bytes> hmac(Hash h, ByteView key, ByteView data);
// HKDF (RFC 5869) extract-and-expand.
Result<SecretBytes> hkdf(Hash h, ByteView ikm, ByteView salt, ByteView info, size_t out_len);

// AES-256-GCM with a random 96-bit nonce. Sealed form: nonce(12) || ciphertext || tag(16).
// The associated data binds the value to its place (partition, object, attribute...).
inline constexpr size_t kSealOverhead = 12 + 16;
Result<Bytes> seal(const SecretBytes& key, ByteView aad, ByteView plaintext);
// Fails with BadMac (and returns nothing) when the key, the AAD or the bytes differ.
Result<SecretBytes> open(const SecretBytes& key, ByteView aad, ByteView sealed);

// Slow salted password hash (scrypt). Encoded as a self-describing string so parameters can
// change later: "scrypt$N$r$p$<salt hex>$<hash hex>".
struct PasswordHashParams {
    uint64_t n = 1U << 14;
    uint32_t r = 8;
    uint32_t p = 1;
};
Result<std::string> hash_password(std::string_view password, PasswordHashParams params = {});
// Raw scrypt (RFC 7914), for deterministic stretching where every party must derive the same
// bytes from the same secret (e.g. a typed cloning domain with a fixed, purpose-bound salt).
Result<SecretBytes> scrypt(std::string_view password, ByteView salt, const PasswordHashParams& p,
                           size_t out_len);
// Ok when the password matches; PinIncorrect when not; DataInvalid for a malformed encoding.
Status verify_password(std::string_view password, std::string_view encoded);

}  // namespace sr::crypto
