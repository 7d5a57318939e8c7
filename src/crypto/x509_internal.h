// Private to the x509*.cpp files: extra OpenSSL owners and small conversions they share.
#pragma once

#include <openssl/asn1.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/encoder.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

#include "crypto/x509.h"

namespace sr::crypto::detail {

using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER_free>>;
using Asn1ObjectPtr = std::unique_ptr<ASN1_OBJECT, Deleter<ASN1_OBJECT_free>>;
using Asn1OctetStringPtr = std::unique_ptr<ASN1_OCTET_STRING, Deleter<ASN1_OCTET_STRING_free>>;
using Asn1StringPtr = std::unique_ptr<ASN1_STRING, Deleter<ASN1_STRING_free>>;
using Asn1TimePtr = std::unique_ptr<ASN1_TIME, Deleter<ASN1_TIME_free>>;
using Asn1TypePtr = std::unique_ptr<ASN1_TYPE, Deleter<ASN1_TYPE_free>>;
using X509ExtensionPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using GeneralNamePtr = std::unique_ptr<GENERAL_NAME, Deleter<GENERAL_NAME_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG_free>>;
using EncoderCtxPtr = std::unique_ptr<OSSL_ENCODER_CTX, Deleter<OSSL_ENCODER_CTX_free>>;
using DecoderCtxPtr = std::unique_ptr<OSSL_DECODER_CTX, Deleter<OSSL_DECODER_CTX_free>>;

struct SequenceAnyFree {
    void operator()(ASN1_SEQUENCE_ANY* s) const noexcept {
        sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free);
    }
};
using SequenceAnyPtr = std::unique_ptr<ASN1_SEQUENCE_ANY, SequenceAnyFree>;

// The Strongroom device-info extension: SEQUENCE { formFactor UTF8String, firmware UTF8String }.
// OID from the UUID arc (X.667), so no registration is needed; never critical.
inline constexpr const char* kDeviceInfoOid = "2.25.63089730185785474600867196100657153847";
Result<Asn1ObjectPtr> device_info_oid();

// Seconds-resolution conversions between std::chrono and ASN1_TIME.
TimePoint to_time_point(const ASN1_TIME* t);

// Digest used to sign with `key`: SHA-256 for P-256, SHA-384 for P-384.
Result<const char*> digest_for(EVP_PKEY* key);

}  // namespace sr::crypto::detail
