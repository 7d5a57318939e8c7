// Internal helpers shared by key*.cpp and mech_*.cpp: the named-curve table and the BIGNUM /
// OSSL_PARAM plumbing used to move key components in and out of EVP_PKEY. Not a public API.
#pragma once

#include <openssl/core_names.h>

#include <span>
#include <string_view>

#include "common/bytes.h"
#include "common/result.h"
#include "common/secret.h"
#include "crypto/key.h"
#include "crypto/ossl.h"

namespace sr::crypto::detail {

struct CurveInfo {
    std::string_view name;        // Strongroom name: "P-256"
    std::string_view ossl_group;  // OpenSSL group / key-type name: "prime256v1", "ED25519"
    KeyType type;                 // Ec or EcEdwards
    ByteView oid_der;             // DER OBJECT IDENTIFIER (CKA_EC_PARAMS)
    size_t bits;                  // Key::bits() for keys on this curve
    size_t field_bytes;           // coordinate / scalar width; r||s halves for ECDSA
};

std::span<const CurveInfo> curves() noexcept;
const CurveInfo* curve_by_name(std::string_view name) noexcept;
// Accepts the OID, or for Edwards the PrintableString curve name.
Result<const CurveInfo*> curve_by_params(ByteView der);
Result<const CurveInfo*> curve_of(EVP_PKEY* pkey);

// Unsigned big-endian <-> BIGNUM. Empty input is rejected by the callers, not here.
Result<BnPtr> to_bn(ByteView be);
Bytes bn_bytes(const BIGNUM* bn);
SecretBytes bn_secret(const BIGNUM* bn);
// Left-padded to `width` bytes (fails if the value does not fit).
Result<SecretBytes> bn_secret_padded(const BIGNUM* bn, size_t width);

// EVP_PKEY_get_bn_param into a fresh BIGNUM.
Result<BnPtr> get_bn(EVP_PKEY* pkey, const char* name);

// The name to fetch a key type's OpenSSL key management by: the algorithm OID rather than "RSA"
// or "EC". OpenSSL 3.0 sends contexts created by a name it maps to a NID to any ENGINE made the
// process default (libp11's `openssl -engine pkcs11` does that), whose legacy methods cannot
// import or generate provider keys; an OID name maps to no NID and always reaches the provider.
const char* keymgmt_name(KeyType type) noexcept;

// Build an EVP_PKEY of `ossl_type` (a keymgmt_name()) from the params in `bld` (selection EVP_PKEY_KEYPAIR or
// EVP_PKEY_PUBLIC_KEY).
Result<PkeyPtr> pkey_from_bld(const char* ossl_type, OSSL_PARAM_BLD* bld, int selection);

// DER OCTET STRING wrapping / unwrapping for CKA_EC_POINT.
Bytes der_octet_string(ByteView content);
// If `in` is exactly one DER OCTET STRING whose content has a length in `accepted`, return the
// content; otherwise return `in` itself (taken as the raw encoding).
ByteView unwrap_point(ByteView in, std::span<const size_t> accepted);

inline Status missing(std::string_view what) {
    return error(Err::TemplateIncomplete, std::string(what) + " is required");
}

}  // namespace sr::crypto::detail
