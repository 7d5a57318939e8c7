// Per-object fingerprints, "proof without export" (docs/design/fingerprint.md): a digest of an
// object's lasting attributes and a domain-keyed MAC of its secret values. Pure functions over
// AttributeSet; thread-safe.
#pragma once

#include <map>
#include <string_view>

#include "common/bytes.h"
#include "common/result.h"
#include "common/secret.h"
#include "hsm/attributes.h"
#include "hsm/device.h"

namespace sr::hsm::fingerprint {

inline constexpr size_t kMacKeyBytes = 32;

// The canonical encoding both halves hash: a context label, 0x00, u32 count, then per value in
// ascending type order u64 type, u32 length, value (all big-endian). One encoding per set.
Bytes canonical_plain(std::string_view context, const std::map<AttrType, Bytes>& values);
SecretBytes canonical_secret(std::string_view context,
                             const std::map<AttrType, SecretBytes>& values);

// SHA-256 over the canonical encoding of every plain (stored, non-secret) attribute.
Result<Bytes> attributes_digest(const AttributeSet& attrs);

// HKDF-SHA256(ikm = domain key, salt = "strongroom fingerprint v1", info = "value mac key").
// Derived once per call, then used for every object asked about.
Result<SecretBytes> derive_mac_key(const SecretBytes& domain_key);

// HMAC-SHA256 under the MAC key over the canonical encoding of the secret attributes; empty
// when the object has none.
Result<Bytes> value_mac(const SecretBytes& mac_key, const AttributeSet& attrs);

// The whole fingerprint of one object. `mac_key` may be null when the object has no secret
// attribute (GeneralError when it has one: the caller forgot to derive the key).
Result<ObjectFingerprint> compute(ObjectHandle handle, const AttributeSet& attrs,
                                  const SecretBytes* mac_key);

}  // namespace sr::hsm::fingerprint
