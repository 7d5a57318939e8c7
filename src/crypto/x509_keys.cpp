// Identity keys: EC generation, PKCS#8 / SPKI encodings, and identity signatures.
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>

#include <array>
#include <string>

#include "crypto/x509_internal.h"

namespace sr::crypto {
namespace {

struct CurveInfo {
    EcCurve curve;
    const char* group;   // OpenSSL group name as reported by OSSL_PKEY_PARAM_GROUP_NAME
    const char* digest;  // digest paired with the curve for signatures
};
constexpr std::array<CurveInfo, 2> kCurves{{
    {EcCurve::P256, "prime256v1", "SHA256"},
    {EcCurve::P384, "secp384r1", "SHA384"},
}};

const CurveInfo& info_of(EcCurve c) {
    for (const auto& i : kCurves)
        if (i.curve == c) return i;
    return kCurves[0];
}

Result<const CurveInfo*> curve_info(EVP_PKEY* key) {
    if (key == nullptr || EVP_PKEY_is_a(key, "EC") != 1)
        return error(Err::KeyTypeInconsistent, "identity keys must be EC keys");
    char group[64] = {};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       &len) != 1)
        return ossl_error("reading EC group", Err::CurveNotSupported);
    for (const auto& i : kCurves)
        if (std::string_view(group, len) == i.group) return &i;
    return error(Err::CurveNotSupported,
                 "EC curve " + std::string(group, len) + " is not used for identities");
}

bool has_private_part(EVP_PKEY* key) {
    BIGNUM* raw = nullptr;
    int ok = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &raw);
    BnPtr priv(raw);
    ossl_clear_errors();
    return ok == 1 && priv != nullptr;
}

Result<SecretBytes> encode_private(EVP_PKEY* key, const char* format) {
    if (key == nullptr || !has_private_part(key))
        return error(Err::KeyFunctionNotPermitted, "not a private key");
    detail::EncoderCtxPtr ctx(
        OSSL_ENCODER_CTX_new_for_pkey(key, EVP_PKEY_KEYPAIR, format, "PrivateKeyInfo", nullptr));
    if (!ctx || OSSL_ENCODER_CTX_get_num_encoders(ctx.get()) == 0)
        return ossl_error("no PKCS#8 encoder for this key");
    unsigned char* data = nullptr;
    size_t len = 0;
    if (OSSL_ENCODER_to_data(ctx.get(), &data, &len) != 1)
        return ossl_error("encoding private key");
    SecretBytes out(ByteView(data, len));
    OPENSSL_clear_free(data, len);
    return out;
}

Result<PkeyPtr> decode_private(ByteView in, const char* format) {
    if (in.empty()) return error(Err::DataInvalid, "private key: empty input");
    EVP_PKEY* raw = nullptr;
    detail::DecoderCtxPtr ctx(OSSL_DECODER_CTX_new_for_pkey(&raw, format, nullptr, nullptr,
                                                            EVP_PKEY_KEYPAIR, nullptr, nullptr));
    if (!ctx) return ossl_error("private key decoder");
    // An empty passphrase makes encrypted input fail instead of ever prompting.
    OSSL_DECODER_CTX_set_passphrase(ctx.get(), reinterpret_cast<const unsigned char*>(""), 0);
    const unsigned char* p = in.data();
    size_t len = in.size();
    int ok = OSSL_DECODER_from_data(ctx.get(), &p, &len);
    PkeyPtr key(raw);
    if (ok != 1 || !key) return ossl_error("private key is malformed", Err::DataInvalid);
    if (!has_private_part(key.get()))
        return error(Err::DataInvalid, "input holds a public key, not a private key");
    return key;
}

}  // namespace

namespace detail {
Result<const char*> digest_for(EVP_PKEY* key) {
    SR_ASSIGN_OR_RETURN(const CurveInfo* info, curve_info(key));
    return info->digest;
}
}  // namespace detail

Result<PkeyPtr> generate_ec_key(EcCurve curve) {
    ossl_clear_errors();
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY* raw = nullptr;
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
        EVP_PKEY_CTX_set_group_name(ctx.get(), info_of(curve).group) != 1 ||
        EVP_PKEY_generate(ctx.get(), &raw) != 1)
        return ossl_error("generating EC key");
    return PkeyPtr(raw);
}

Result<EcCurve> ec_curve_of(EVP_PKEY* key) {
    SR_ASSIGN_OR_RETURN(const CurveInfo* info, curve_info(key));
    return info->curve;
}

Result<SecretBytes> private_key_to_pem(EVP_PKEY* key) {
    return encode_private(key, "PEM");
}
Result<SecretBytes> private_key_to_der(EVP_PKEY* key) {
    return encode_private(key, "DER");
}
Result<PkeyPtr> private_key_from_pem(ByteView pem) {
    return decode_private(pem, "PEM");
}
Result<PkeyPtr> private_key_from_der(ByteView der) {
    return decode_private(der, "DER");
}

Result<Bytes> public_key_to_der(EVP_PKEY* key) {
    if (key == nullptr) return error(Err::ArgumentsBad, "no key");
    int len = i2d_PUBKEY(key, nullptr);
    if (len <= 0) return ossl_error("encoding public key");
    Bytes out(static_cast<size_t>(len));
    unsigned char* p = out.data();
    if (i2d_PUBKEY(key, &p) != len) return ossl_error("encoding public key");
    return out;
}

Result<std::string> public_key_to_pem(EVP_PKEY* key) {
    if (key == nullptr) return error(Err::ArgumentsBad, "no key");
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1) return ossl_error("writing PEM");
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(len));
}

Result<PkeyPtr> public_key_from_der(ByteView spki) {
    if (spki.empty()) return error(Err::PublicKeyInvalid, "public key: empty input");
    ossl_clear_errors();
    const unsigned char* p = spki.data();
    PkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())));
    if (!key) return ossl_error("public key is malformed", Err::PublicKeyInvalid);
    if (p != spki.data() + spki.size())
        return error(Err::PublicKeyInvalid, "public key has trailing bytes");
    return key;
}

// ---- Identity signatures

Result<Bytes> identity_sign(EVP_PKEY* private_key, ByteView data) {
    SR_ASSIGN_OR_RETURN(const CurveInfo* info, curve_info(private_key));
    ossl_clear_errors();
    MdCtxPtr md(EVP_MD_CTX_new());
    size_t der_len = 0;
    if (!md ||
        EVP_DigestSignInit_ex(md.get(), nullptr, info->digest, nullptr, nullptr, private_key,
                              nullptr) != 1 ||
        EVP_DigestSign(md.get(), nullptr, &der_len, data.data(), data.size()) != 1)
        return ossl_error("identity signature");
    Bytes der(der_len);
    if (EVP_DigestSign(md.get(), der.data(), &der_len, data.data(), data.size()) != 1)
        return ossl_error("identity signature");
    const unsigned char* p = der.data();
    detail::EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
    if (!sig) return ossl_error("decoding ECDSA signature");
    const BIGNUM* r = nullptr;
    const BIGNUM* s = nullptr;
    ECDSA_SIG_get0(sig.get(), &r, &s);
    auto n = static_cast<size_t>((EVP_PKEY_get_bits(private_key) + 7) / 8);
    Bytes out(2 * n);
    if (BN_bn2binpad(r, out.data(), static_cast<int>(n)) < 0 ||
        BN_bn2binpad(s, out.data() + n, static_cast<int>(n)) < 0)
        return ossl_error("encoding r||s");
    return out;
}

Status identity_verify(EVP_PKEY* public_key, ByteView data, ByteView signature) {
    SR_ASSIGN_OR_RETURN(const CurveInfo* info, curve_info(public_key));
    auto n = static_cast<size_t>((EVP_PKEY_get_bits(public_key) + 7) / 8);
    if (signature.size() != 2 * n)
        return error(Err::SignatureInvalid, "identity signature has length " +
                                                std::to_string(signature.size()) + ", expected " +
                                                std::to_string(2 * n));
    ossl_clear_errors();
    BnPtr r(BN_bin2bn(signature.data(), static_cast<int>(n), nullptr));
    BnPtr s(BN_bin2bn(signature.data() + n, static_cast<int>(n), nullptr));
    detail::EcdsaSigPtr sig(ECDSA_SIG_new());
    if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1)
        return ossl_error("building ECDSA signature");
    (void)r.release();  // now owned by sig
    (void)s.release();
    int der_len = i2d_ECDSA_SIG(sig.get(), nullptr);
    if (der_len <= 0) return ossl_error("encoding ECDSA signature");
    Bytes der(static_cast<size_t>(der_len));
    unsigned char* p = der.data();
    if (i2d_ECDSA_SIG(sig.get(), &p) != der_len) return ossl_error("encoding ECDSA signature");
    MdCtxPtr md(EVP_MD_CTX_new());
    if (!md || EVP_DigestVerifyInit_ex(md.get(), nullptr, info->digest, nullptr, nullptr,
                                       public_key, nullptr) != 1)
        return ossl_error("identity verification");
    int ok = EVP_DigestVerify(md.get(), der.data(), der.size(), data.data(), data.size());
    ossl_clear_errors();
    if (ok != 1) return error(Err::SignatureInvalid, "identity signature does not verify");
    return {};
}

Status identity_verify(const Certificate& signer, ByteView data, ByteView signature) {
    PkeyPtr key = signer.public_key();
    if (!key) return error(Err::CertificateInvalid, "certificate has no usable public key");
    return identity_verify(key.get(), data, signature);
}

}  // namespace sr::crypto
