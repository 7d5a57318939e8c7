// EC (Weierstrass) and Edwards keys <-> PKCS#11 components (CKA_EC_PARAMS, CKA_EC_POINT,
// CKA_VALUE). EC_GROUP / EC_POINT arithmetic is used only to recompute a public point that a
// PKCS#11 private-key object does not carry; key objects themselves are EVP_PKEYs.
#include <openssl/core_names.h>
#include <openssl/ec.h>

#include <array>
#include <cstring>

#include "crypto/key.h"
#include "crypto/key_internal.h"

namespace sr::crypto {
namespace {

using detail::CurveInfo;
using GroupPtr = std::unique_ptr<EC_GROUP, Deleter<EC_GROUP_free>>;
using PointPtr = std::unique_ptr<EC_POINT, Deleter<EC_POINT_free>>;
using BnCtxPtr = std::unique_ptr<BN_CTX, Deleter<BN_CTX_free>>;

Result<const CurveInfo*> curve_for(KeyType type, ByteView params) {
    if (type != KeyType::Ec && type != KeyType::EcEdwards)
        return error(Err::KeyTypeInconsistent, "not an EC or Edwards key type");
    if (params.empty()) return detail::missing("EC params");
    SR_ASSIGN_OR_RETURN(const CurveInfo* c, detail::curve_by_params(params));
    if (c->type != type)
        return error(Err::TemplateInconsistent, "curve does not match the key type");
    return c;
}

// The raw encoded point inside CKA_EC_POINT, which may be DER-wrapped or (common in the wild)
// raw.
ByteView raw_point(const CurveInfo& c, ByteView point) {
    if (c.type == KeyType::EcEdwards) {
        const std::array<size_t, 1> ok = {c.field_bytes};
        return detail::unwrap_point(point, ok);
    }
    const std::array<size_t, 2> ok = {1 + 2 * c.field_bytes, 1 + c.field_bytes};
    return detail::unwrap_point(point, ok);
}

Result<PkeyPtr> ec_pkey(const CurveInfo& c, ByteView point, const BIGNUM* priv) {
    OsslParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld ||
        OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                        c.ossl_group.data(), c.ossl_group.size()) != 1 ||
        OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                        "uncompressed", 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                         point.size()) != 1 ||
        (priv && OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv) != 1))
        return ossl_error("building EC params", Err::HostMemory);
    return detail::pkey_from_bld(detail::keymgmt_name(KeyType::Ec), bld.get(),
                                 priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY);
}

// Q = d·G, uncompressed. Also range-checks d.
Result<Bytes> ec_public_point(const CurveInfo& c, const BIGNUM* d) {
    GroupPtr group(EC_GROUP_new_by_curve_name(OBJ_sn2nid(c.ossl_group.data())));
    BnCtxPtr bnctx(BN_CTX_new());
    if (!group || !bnctx) return ossl_error("EC group", Err::HostMemory);
    if (BN_is_zero(d) || BN_is_negative(d) || BN_cmp(d, EC_GROUP_get0_order(group.get())) >= 0)
        return error(Err::AttributeValueInvalid, "EC private value out of range");
    PointPtr q(EC_POINT_new(group.get()));
    if (!q || EC_POINT_mul(group.get(), q.get(), d, nullptr, nullptr, bnctx.get()) != 1)
        return ossl_error("computing EC public point");
    Bytes out(1 + 2 * c.field_bytes);
    if (EC_POINT_point2oct(group.get(), q.get(), POINT_CONVERSION_UNCOMPRESSED, out.data(),
                           out.size(), bnctx.get()) != out.size())
        return ossl_error("encoding EC public point");
    return out;
}

}  // namespace

Result<Key> ec_public_from(KeyType type, const EcPublicParts& parts) {
    SR_ASSIGN_OR_RETURN(const CurveInfo* c, curve_for(type, parts.params));
    if (parts.point.empty()) return detail::missing("EC point");
    ByteView pt = raw_point(*c, parts.point);
    if (c->type == KeyType::EcEdwards) {
        if (pt.size() != c->field_bytes)
            return error(Err::AttributeValueInvalid, "Ed25519 public key must be 32 bytes");
        PkeyPtr pkey(EVP_PKEY_new_raw_public_key_ex(nullptr, detail::keymgmt_name(type), nullptr,
                                                    pt.data(), pt.size()));
        if (!pkey) return ossl_error("importing Ed25519 public key", Err::AttributeValueInvalid);
        return Key::public_key(type, std::move(pkey));
    }
    SR_ASSIGN_OR_RETURN(PkeyPtr pkey, ec_pkey(*c, pt, nullptr));
    // An uncompressed point reads back as itself; a compressed one is read back expanded.
    Bytes known;
    if (pt.size() == 1 + 2 * c->field_bytes) known.assign(pt.begin(), pt.end());
    return Key::public_key(type, std::move(pkey), std::move(known));
}

Result<Key> ec_private_from(KeyType type, const EcPrivateParts& parts) {
    SR_ASSIGN_OR_RETURN(const CurveInfo* c, curve_for(type, parts.params));
    if (parts.value.empty()) return detail::missing("EC private value");
    if (c->type == KeyType::EcEdwards) {
        if (parts.value.size() != c->field_bytes)
            return error(Err::AttributeValueInvalid, "Ed25519 private seed must be 32 bytes");
        PkeyPtr pkey(EVP_PKEY_new_raw_private_key_ex(nullptr, detail::keymgmt_name(type), nullptr,
                                                     parts.value.data(), parts.value.size()));
        if (!pkey) return ossl_error("importing Ed25519 private key", Err::AttributeValueInvalid);
        return Key::private_key(type, std::move(pkey));
    }
    SR_ASSIGN_OR_RETURN(BnPtr d, detail::to_bn(parts.value.span()));
    SR_ASSIGN_OR_RETURN(Bytes q, ec_public_point(*c, d.get()));
    if (!parts.point.empty()) {
        ByteView given = raw_point(*c, parts.point);
        if (given.size() == q.size() && std::memcmp(given.data(), q.data(), q.size()) != 0)
            return error(Err::AttributeValueInvalid, "EC point does not match the private value");
    }
    SR_ASSIGN_OR_RETURN(PkeyPtr pkey, ec_pkey(*c, q, d.get()));
    return Key::private_key(type, std::move(pkey), std::move(q));
}

Result<EcPublicParts> ec_public_parts(const Key& key) {
    if (!key.pkey() || (key.type() != KeyType::Ec && key.type() != KeyType::EcEdwards))
        return error(Err::KeyTypeInconsistent, "not an EC or Edwards key");
    SR_ASSIGN_OR_RETURN(const CurveInfo* c, detail::curve_of(key.pkey()));
    EcPublicParts out;
    out.params.assign(c->oid_der.begin(), c->oid_der.end());
    Bytes raw;
    if (c->type == KeyType::EcEdwards) {
        size_t len = 0;
        if (EVP_PKEY_get_raw_public_key(key.pkey(), nullptr, &len) != 1)
            return ossl_error("reading Ed25519 public key");
        raw.resize(len);
        if (EVP_PKEY_get_raw_public_key(key.pkey(), raw.data(), &len) != 1)
            return ossl_error("reading Ed25519 public key");
    } else {
        if (key.ec_point().empty()) return error(Err::Crypto, "reading EC point: the key has none");
        raw = key.ec_point();
    }
    out.point = detail::der_octet_string(raw);
    return out;
}

Result<EcPrivateParts> ec_private_parts(const Key& key) {
    if (key.part() != KeyPart::Private)
        return error(Err::KeyTypeInconsistent, "not a private key");
    SR_ASSIGN_OR_RETURN(EcPublicParts pub, ec_public_parts(key));
    SR_ASSIGN_OR_RETURN(const CurveInfo* c, detail::curve_of(key.pkey()));
    EcPrivateParts out;
    out.params = std::move(pub.params);
    out.point = std::move(pub.point);
    if (c->type == KeyType::EcEdwards) {
        size_t len = c->field_bytes;
        out.value = SecretBytes(len);
        if (EVP_PKEY_get_raw_private_key(key.pkey(), out.value.data(), &len) != 1)
            return ossl_error("reading Ed25519 private key");
        out.value.resize(len);
        return out;
    }
    SR_ASSIGN_OR_RETURN(BnPtr d, detail::get_bn(key.pkey(), OSSL_PKEY_PARAM_PRIV_KEY));
    SR_ASSIGN_OR_RETURN(out.value, detail::bn_secret_padded(d.get(), c->field_bytes));
    return out;
}

}  // namespace sr::crypto
