#include "crypto/key.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include <array>
#include <cstring>
#include <optional>

#include "crypto/key_internal.h"

namespace sr::crypto {
namespace detail {
namespace {

constexpr uint8_t kOidP256[] = {0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};
constexpr uint8_t kOidP384[] = {0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22};
constexpr uint8_t kOidP521[] = {0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x23};
constexpr uint8_t kOidK256[] = {0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x0A};
constexpr uint8_t kOidEd25519[] = {0x06, 0x03, 0x2B, 0x65, 0x70};
// PKCS#11 3.0 §2.3.5 also allows the curve name as a PrintableString.
constexpr std::string_view kEd25519Printable = "edwards25519";

// Ed25519 is reported as 255 bits (the field size), matching common PKCS#11 practice.
const std::array<CurveInfo, 5> kCurves = {{
    {"P-256", "prime256v1", KeyType::Ec, kOidP256, 256, 32},
    {"P-384", "secp384r1", KeyType::Ec, kOidP384, 384, 48},
    {"P-521", "secp521r1", KeyType::Ec, kOidP521, 521, 66},
    {"secp256k1", "secp256k1", KeyType::Ec, kOidK256, 256, 32},
    {"Ed25519", "ED25519", KeyType::EcEdwards, kOidEd25519, 255, 32},
}};

bool same(ByteView a, ByteView b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::span<const CurveInfo> curves() noexcept { return kCurves; }

const char* keymgmt_name(KeyType type) noexcept {
    switch (type) {
        case KeyType::Rsa: return "1.2.840.113549.1.1.1";  // rsaEncryption
        case KeyType::Ec: return "1.2.840.10045.2.1";       // id-ecPublicKey
        case KeyType::Dsa: return "1.2.840.10040.4.1";      // id-dsa
        case KeyType::EcEdwards: return "1.3.101.112";      // id-Ed25519
        default: return "";
    }
}

const CurveInfo* curve_by_name(std::string_view name) noexcept {
    for (const auto& c : kCurves)
        if (c.name == name || c.ossl_group == name) return &c;
    // OpenSSL also reports these aliases from EVP_PKEY_get_group_name.
    if (name == "secp256r1") return &kCurves[0];
    return nullptr;
}

Result<const CurveInfo*> curve_by_params(ByteView der) {
    if (der.size() < 2 || der[1] + 2U != der.size())
        return error(Err::DomainParamsInvalid, "EC params are not a single short DER value");
    if (der[0] == 0x13 && same(der.subspan(2), as_bytes(kEd25519Printable))) return &kCurves[4];
    if (der[0] != 0x06)
        return error(Err::CurveNotSupported, "only named curves (OID) are supported");
    for (const auto& c : kCurves)
        if (same(c.oid_der, der)) return &c;
    return error(Err::CurveNotSupported, "curve OID not supported");
}

Result<const CurveInfo*> curve_of(EVP_PKEY* pkey) {
    if (EVP_PKEY_is_a(pkey, "ED25519")) return &kCurves[4];
    char group[64] = {};
    size_t len = 0;
    if (!EVP_PKEY_is_a(pkey, "EC") ||
        EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       &len) != 1)
        return ossl_error("reading EC group", Err::CurveNotSupported);
    const CurveInfo* c = curve_by_name(std::string_view(group, len));
    if (!c) return error(Err::CurveNotSupported, "curve " + std::string(group) + " not supported");
    return c;
}

Result<BnPtr> to_bn(ByteView be) {
    BnPtr bn(BN_bin2bn(be.data(), static_cast<int>(be.size()), nullptr));
    if (!bn) return ossl_error("BN_bin2bn", Err::HostMemory);
    return bn;
}

Bytes bn_bytes(const BIGNUM* bn) {
    Bytes out(static_cast<size_t>(BN_num_bytes(bn)));
    BN_bn2bin(bn, out.data());
    return out;
}

SecretBytes bn_secret(const BIGNUM* bn) {
    SecretBytes out(static_cast<size_t>(BN_num_bytes(bn)));
    BN_bn2bin(bn, out.data());
    return out;
}

Result<SecretBytes> bn_secret_padded(const BIGNUM* bn, size_t width) {
    SecretBytes out(width);
    if (BN_bn2binpad(bn, out.data(), static_cast<int>(width)) < 0)
        return error(Err::GeneralError, "value wider than its field");
    return out;
}

Result<BnPtr> get_bn(EVP_PKEY* pkey, const char* name) {
    BIGNUM* bn = nullptr;
    if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1)
        return ossl_error(std::string("reading ") + name, Err::KeyTypeInconsistent);
    return BnPtr(bn);
}

Result<PkeyPtr> pkey_from_bld(const char* ossl_type, OSSL_PARAM_BLD* bld, int selection) {
    OsslParamPtr params(OSSL_PARAM_BLD_to_param(bld));
    if (!params) return ossl_error("building key params", Err::HostMemory);
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, ossl_type, nullptr));
    EVP_PKEY* raw = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, selection, params.get()) != 1)
        return ossl_error(std::string("importing ") + ossl_type + " key",
                          Err::AttributeValueInvalid);
    return PkeyPtr(raw);
}

Bytes der_octet_string(ByteView content) {
    Bytes out{0x04};
    if (content.size() < 0x80) {
        out.push_back(static_cast<uint8_t>(content.size()));
    } else if (content.size() < 0x100) {
        out.push_back(0x81);
        out.push_back(static_cast<uint8_t>(content.size()));
    } else {
        out.push_back(0x82);
        out.push_back(static_cast<uint8_t>(content.size() >> 8));
        out.push_back(static_cast<uint8_t>(content.size()));
    }
    out.insert(out.end(), content.begin(), content.end());
    return out;
}

ByteView unwrap_point(ByteView in, std::span<const size_t> accepted) {
    if (in.size() < 2 || in[0] != 0x04) return in;
    size_t header = 2;
    size_t len = in[1];
    if (len == 0x81 && in.size() > 2) {
        len = in[2];
        header = 3;
    } else if (len >= 0x80) {
        return in;
    }
    if (header + len != in.size()) return in;
    for (size_t a : accepted)
        if (a == len) return in.subspan(header);
    return in;
}

}  // namespace detail

std::string_view key_type_name(KeyType t) noexcept {
    switch (t) {
        case KeyType::Rsa: return "RSA";
        case KeyType::Dsa: return "DSA";
        case KeyType::Ec: return "EC";
        case KeyType::GenericSecret: return "GENERIC_SECRET";
        case KeyType::Des3: return "DES3";
        case KeyType::Aes: return "AES";
        case KeyType::EcEdwards: return "EC_EDWARDS";
    }
    return "UNKNOWN";
}

bool is_symmetric(KeyType t) noexcept {
    return t == KeyType::GenericSecret || t == KeyType::Des3 || t == KeyType::Aes;
}

namespace {
// Empty when the key has no public point (OpenSSL's error queue is left clean).
Bytes read_ec_point(EVP_PKEY* pkey) {
    Bytes point(2 * 66 + 1);  // the widest uncompressed point of our curves (P-521)
    size_t len = 0;
    if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                        point.size(), &len) != 1) {
        ERR_clear_error();
        return {};
    }
    point.resize(len);
    return point;
}

size_t pkey_bits(KeyType type, EVP_PKEY* pkey) {
    if (!pkey) return 0;
    if (type == KeyType::Ec || type == KeyType::EcEdwards) {
        auto c = detail::curve_of(pkey);
        if (c) return (*c)->bits;
    }
    int bits = EVP_PKEY_get_bits(pkey);
    return bits > 0 ? static_cast<size_t>(bits) : 0;
}
}  // namespace

Key::Key(KeyType type, KeyPart part, SecretBytes value, PkeyPtr pkey, Bytes ec_point)
    : m_type(type),
      m_part(part),
      m_value(std::move(value)),
      m_pkey(std::move(pkey)),
      m_ec_point(std::move(ec_point)) {
    m_bits = m_pkey ? pkey_bits(m_type, m_pkey.get()) : m_value.size() * 8;
    if (m_type == KeyType::Ec && m_pkey && m_ec_point.empty())
        m_ec_point = read_ec_point(m_pkey.get());
}

Key Key::secret(KeyType type, SecretBytes value) {
    return Key(type, KeyPart::Secret, std::move(value), nullptr);
}
Key Key::public_key(KeyType type, PkeyPtr pkey, Bytes ec_point) {
    return Key(type, KeyPart::Public, {}, std::move(pkey), std::move(ec_point));
}
Key Key::private_key(KeyType type, PkeyPtr pkey, Bytes ec_point) {
    return Key(type, KeyPart::Private, {}, std::move(pkey), std::move(ec_point));
}

Key Key::clone() const {
    if (m_pkey) EVP_PKEY_up_ref(m_pkey.get());
    return Key(m_type, m_part, m_value.clone(), PkeyPtr(m_pkey.get()), m_ec_point);
}

namespace {

Result<KeyType> key_type_of(EVP_PKEY* pkey) {
    if (EVP_PKEY_is_a(pkey, "RSA")) return KeyType::Rsa;
    if (EVP_PKEY_is_a(pkey, "EC")) {
        SR_TRY(detail::curve_of(pkey));  // only the curves we can express in CKA_EC_PARAMS
        return KeyType::Ec;
    }
    if (EVP_PKEY_is_a(pkey, "ED25519")) return KeyType::EcEdwards;
    if (EVP_PKEY_is_a(pkey, "DSA")) return KeyType::Dsa;
    return error(Err::KeyTypeInconsistent, "unsupported key algorithm");
}

}  // namespace

namespace {

// An EC public key sharing the private key's group by duplication: the generic export/import
// below rebuilds the group from its name (the largest cost of an EC key-pair generation after
// the generation itself). nullopt when OpenSSL refuses, and the generic path then runs.
// The point is the one the private key read at construction: the public key is set from it and
// keeps it, so neither key reads it from OpenSSL again.
std::optional<Key> ec_public_of(const Key& private_key) {
    EVP_PKEY* priv = private_key.pkey();
    const Bytes& point = private_key.ec_point();
    PkeyPtr pub(EVP_PKEY_new());
    if (point.empty() || !pub || EVP_PKEY_copy_parameters(pub.get(), priv) != 1 ||
        EVP_PKEY_set_octet_string_param(pub.get(), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
                                        point.data(), point.size()) != 1) {
        ERR_clear_error();
        return std::nullopt;
    }
    return Key::public_key(KeyType::Ec, std::move(pub), point);
}

}  // namespace

Result<Key> public_of(const Key& private_key) {
    if (!private_key.pkey()) return error(Err::KeyTypeInconsistent, "not an asymmetric key");
    if (private_key.type() == KeyType::Ec && EVP_PKEY_is_a(private_key.pkey(), "EC"))
        if (auto pub = ec_public_of(private_key)) return std::move(*pub);
    OSSL_PARAM* params = nullptr;
    if (EVP_PKEY_todata(private_key.pkey(), EVP_PKEY_PUBLIC_KEY, &params) != 1)
        return ossl_error("exporting public key");
    OsslParamPtr owned(params);
    PkeyCtxPtr ctx(
        EVP_PKEY_CTX_new_from_name(nullptr, detail::keymgmt_name(private_key.type()), nullptr));
    EVP_PKEY* raw = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) != 1)
        return ossl_error("importing public key");
    return Key::public_key(private_key.type(), PkeyPtr(raw));
}

Result<SecretBytes> to_pkcs8(const Key& private_key) {
    if (private_key.part() != KeyPart::Private)
        return error(Err::KeyTypeInconsistent, "PKCS#8 needs a private key");
    using P8Ptr = std::unique_ptr<PKCS8_PRIV_KEY_INFO, Deleter<PKCS8_PRIV_KEY_INFO_free>>;
    // Fails for an RSA key imported without its CRT values: PKCS#1 RSAPrivateKey requires them.
    P8Ptr p8(EVP_PKEY2PKCS8(private_key.pkey()));
    if (!p8) return ossl_error("encoding PKCS#8", Err::KeyNotWrappable);
    int len = i2d_PKCS8_PRIV_KEY_INFO(p8.get(), nullptr);
    if (len <= 0) return ossl_error("encoding PKCS#8", Err::KeyNotWrappable);
    SecretBytes out(static_cast<size_t>(len));
    uint8_t* p = out.data();
    if (i2d_PKCS8_PRIV_KEY_INFO(p8.get(), &p) != len) return ossl_error("encoding PKCS#8");
    return out;
}

Result<Key> from_pkcs8(ByteView der) {
    using P8Ptr = std::unique_ptr<PKCS8_PRIV_KEY_INFO, Deleter<PKCS8_PRIV_KEY_INFO_free>>;
    const uint8_t* p = der.data();
    P8Ptr p8(d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size())));
    if (!p8 || p != der.data() + der.size())
        return ossl_error("parsing PKCS#8", Err::WrappedKeyInvalid);
    PkeyPtr pkey(EVP_PKCS82PKEY(p8.get()));
    if (!pkey) return ossl_error("decoding PKCS#8 key", Err::WrappedKeyInvalid);
    SR_ASSIGN_OR_RETURN(KeyType type, key_type_of(pkey.get()));
    return Key::private_key(type, std::move(pkey));
}

namespace {

// A minimal DER writer for the SubjectPublicKeyInfo shapes built below. i2d_PUBKEY looks up an
// encoder in the provider store on every call (most of an EC key-pair generation's time in
// OpenSSL 3.0), while these structures are a fixed prefix plus the key's public numbers.
void der_length(Bytes& out, size_t len) {
    if (len < 0x80) {
        out.push_back(static_cast<uint8_t>(len));
        return;
    }
    uint8_t be[sizeof(size_t)];
    size_t n = 0;
    for (size_t v = len; v != 0; v >>= 8) be[n++] = static_cast<uint8_t>(v & 0xFF);
    out.push_back(static_cast<uint8_t>(0x80 | n));
    while (n != 0) out.push_back(be[--n]);
}

void der_tlv(Bytes& out, uint8_t tag, ByteView content) {
    out.push_back(tag);
    der_length(out, content.size());
    out.insert(out.end(), content.begin(), content.end());
}

// INTEGER from an unsigned big-endian magnitude (BN_bn2bin output: no leading zeros).
void der_unsigned(Bytes& out, ByteView be) {
    out.push_back(0x02);
    const bool pad = be.empty() || (be[0] & 0x80) != 0;
    der_length(out, be.size() + (pad ? 1 : 0));
    if (pad) out.push_back(0x00);
    out.insert(out.end(), be.begin(), be.end());
}

Bytes spki_der(ByteView algorithm_id, ByteView public_key) {
    Bytes bits;
    bits.reserve(public_key.size() + 1);
    bits.push_back(0x00);  // no unused bits
    bits.insert(bits.end(), public_key.begin(), public_key.end());
    Bytes body(algorithm_id.begin(), algorithm_id.end());
    der_tlv(body, 0x03, bits);
    Bytes out;
    out.reserve(body.size() + 4);
    der_tlv(out, 0x30, body);
    return out;
}

constexpr uint8_t kRsaAlgorithmId[] = {0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7,
                                       0x0D, 0x01, 0x01, 0x01, 0x05, 0x00};
constexpr uint8_t kOidEcPublicKey[] = {0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01};

// Only named-curve encodings take the fast path: i2d_PUBKEY would write explicit parameters.
bool named_curve_encoding(EVP_PKEY* pkey) {
    char enc[32] = {};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_EC_ENCODING, enc, sizeof enc,
                                       &len) != 1)
        return true;  // not reported: OpenSSL's default is a named curve
    return std::string_view(enc, len) == OSSL_PKEY_EC_ENCODING_GROUP;
}

Bytes ec_spki_der(const detail::CurveInfo& c, ByteView raw_point) {
    Bytes algorithm_id;
    if (c.type == KeyType::EcEdwards) {
        der_tlv(algorithm_id, 0x30, c.oid_der);  // RFC 8410: the OID alone, no parameters
    } else {
        Bytes oids(std::begin(kOidEcPublicKey), std::end(kOidEcPublicKey));
        oids.insert(oids.end(), c.oid_der.begin(), c.oid_der.end());
        der_tlv(algorithm_id, 0x30, oids);
    }
    return spki_der(algorithm_id, raw_point);
}

// The SPKI built without OpenSSL's encoder, or nullopt where only i2d_PUBKEY knows the shape
// (DSA, RSA-PSS, explicit EC parameters, unknown curves).
std::optional<Bytes> fast_spki(const Key& key) {
    EVP_PKEY* pkey = key.pkey();
    if (key.type() == KeyType::Rsa) {
        if (!EVP_PKEY_is_a(pkey, "RSA")) return std::nullopt;
        auto n = detail::get_bn(pkey, OSSL_PKEY_PARAM_RSA_N);
        auto e = detail::get_bn(pkey, OSSL_PKEY_PARAM_RSA_E);
        if (!n || !e) return std::nullopt;
        Bytes ints;
        der_unsigned(ints, detail::bn_bytes(n->get()));
        der_unsigned(ints, detail::bn_bytes(e->get()));
        Bytes rsa_public_key;
        der_tlv(rsa_public_key, 0x30, ints);
        return spki_der(kRsaAlgorithmId, rsa_public_key);
    }
    if (key.type() != KeyType::Ec && key.type() != KeyType::EcEdwards) return std::nullopt;
    auto curve = detail::curve_of(pkey);
    if (!curve) return std::nullopt;
    const detail::CurveInfo& c = **curve;
    Bytes point(2 * c.field_bytes + 1);
    size_t len = point.size();
    if (c.type == KeyType::EcEdwards) {
        if (EVP_PKEY_get_raw_public_key(pkey, point.data(), &len) != 1) return std::nullopt;
    } else {
        if (!named_curve_encoding(pkey) || key.ec_point().empty()) return std::nullopt;
        return ec_spki_der(c, key.ec_point());
    }
    point.resize(len);
    return ec_spki_der(c, point);
}


}  // namespace

Result<Bytes> to_spki(const Key& key) {
    if (!key.pkey()) return error(Err::KeyTypeInconsistent, "SPKI needs an asymmetric key");
    if (auto fast = fast_spki(key)) return std::move(*fast);
    ERR_clear_error();  // a fast-path probe that failed leaves nothing for the fallback to report
    return to_spki_openssl(key);
}

Result<Bytes> ec_spki(const Key& key, const EcPublicParts& parts) {
    if (!key.pkey() || (key.type() != KeyType::Ec && key.type() != KeyType::EcEdwards))
        return error(Err::KeyTypeInconsistent, "not an EC or Edwards key");
    if (key.type() == KeyType::Ec && !named_curve_encoding(key.pkey())) return to_spki(key);
    SR_ASSIGN_OR_RETURN(const detail::CurveInfo* c, detail::curve_by_params(parts.params));
    const size_t sizes[] = {c->type == KeyType::EcEdwards ? c->field_bytes
                                                          : 2 * c->field_bytes + 1,
                            c->field_bytes + 1};
    ByteView raw = detail::unwrap_point(parts.point, sizes);
    if (raw.size() == parts.point.size())
        return error(Err::PublicKeyInvalid, "the EC point is not a DER OCTET STRING");
    return ec_spki_der(*c, raw);
}

Result<Bytes> to_spki_openssl(const Key& key) {
    if (!key.pkey()) return error(Err::KeyTypeInconsistent, "SPKI needs an asymmetric key");
    // i2d_PUBKEY of a private EVP_PKEY encodes only its public half.
    int len = i2d_PUBKEY(key.pkey(), nullptr);
    if (len <= 0) return ossl_error("encoding SPKI");
    Bytes out(static_cast<size_t>(len));
    uint8_t* p = out.data();
    if (i2d_PUBKEY(key.pkey(), &p) != len) return ossl_error("encoding SPKI");
    return out;
}

Result<Key> from_spki(ByteView der) {
    const uint8_t* p = der.data();
    PkeyPtr pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
    if (!pkey || p != der.data() + der.size())
        return ossl_error("parsing SPKI", Err::PublicKeyInvalid);
    SR_ASSIGN_OR_RETURN(KeyType type, key_type_of(pkey.get()));
    return Key::public_key(type, std::move(pkey));
}

Result<Bytes> curve_params_der(std::string_view curve_name) {
    const auto* c = detail::curve_by_name(curve_name);
    if (!c) return error(Err::CurveNotSupported, "unknown curve " + std::string(curve_name));
    return Bytes(c->oid_der.begin(), c->oid_der.end());
}

Result<std::string> curve_name_from_params(ByteView der) {
    SR_ASSIGN_OR_RETURN(const detail::CurveInfo* c, detail::curve_by_params(der));
    return std::string(c->name);
}

Result<std::string> curve_name_of(const Key& key) {
    if (!key.pkey() || (key.type() != KeyType::Ec && key.type() != KeyType::EcEdwards))
        return error(Err::KeyTypeInconsistent, "not an EC key");
    SR_ASSIGN_OR_RETURN(const detail::CurveInfo* c, detail::curve_of(key.pkey()));
    return std::string(c->name);
}

}  // namespace sr::crypto
