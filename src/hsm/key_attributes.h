// Conversions between an object's AttributeSet and crypto::Key (the usable key inside the
// engine): RSA / EC / Edwards / DSA public and private keys and AES / DES3 / generic secrets.
// Pure functions; thread-safe.
#pragma once

#include "common/result.h"
#include "crypto/key.h"
#include "hsm/attributes.h"

namespace sr::hsm {

// Builds the key from CKA_CLASS, CKA_KEY_TYPE and the component attributes (the private
// components from the secret map). Errors: TemplateIncomplete (a component missing),
// AttributeValueInvalid (components OpenSSL refuses), KeyTypeInconsistent (not a key).
Result<crypto::Key> key_from_attributes(const AttributeSet& attrs);

// The attributes a key's material defines: CLASS, KEY_TYPE, the components (private ones as
// secrets), MODULUS_BITS for RSA, EC_PARAMS / EC_POINT, DSA domain and value, VALUE and
// VALUE_LEN for secret keys, PUBLIC_KEY_INFO (SPKI) for public and private keys, and
// CHECK_VALUE for AES / DES3 keys. Merge the result over a prepared template.
Result<AttributeSet> attributes_from_key(const crypto::Key& key);

// CKA_CHECK_VALUE of an AES or DES3 key: the first 3 bytes of the ECB encryption of one
// zero block. KeyTypeInconsistent for other key types.
Result<Bytes> key_check_value(const crypto::Key& key);

}  // namespace sr::hsm
