// RSA and DSA keys <-> PKCS#11 components (CKA_MODULUS..., CKA_PRIME/SUBPRIME/BASE/VALUE).
#include <openssl/core_names.h>

#include "crypto/key.h"
#include "crypto/key_internal.h"

namespace sr::crypto {
namespace {

using detail::get_bn;
using detail::missing;
using detail::to_bn;

struct BldOwner {
    OsslParamBldPtr bld{OSSL_PARAM_BLD_new()};
    std::vector<BnPtr> bns;  // must outlive OSSL_PARAM_BLD_to_param
    Status push(const char* name, ByteView value) {
        if (!bld) return error(Err::HostMemory, "OSSL_PARAM_BLD_new");
        SR_ASSIGN_OR_RETURN(BnPtr bn, to_bn(value));
        if (OSSL_PARAM_BLD_push_BN(bld.get(), name, bn.get()) != 1)
            return ossl_error("OSSL_PARAM_BLD_push_BN", Err::HostMemory);
        bns.push_back(std::move(bn));
        return {};
    }
};

Status require_type(const Key& key, KeyType type) {
    if (key.type() != type || !key.pkey())
        return error(Err::KeyTypeInconsistent,
                     "expected an " + std::string(key_type_name(type)) + " key");
    return {};
}

}  // namespace

Result<Key> rsa_public_from(const RsaPublicParts& parts) {
    if (parts.modulus.empty()) return missing("modulus");
    if (parts.public_exponent.empty()) return missing("public exponent");
    BldOwner b;
    SR_TRY(b.push(OSSL_PKEY_PARAM_RSA_N, parts.modulus));
    SR_TRY(b.push(OSSL_PKEY_PARAM_RSA_E, parts.public_exponent));
    SR_ASSIGN_OR_RETURN(PkeyPtr pkey, detail::pkey_from_bld(detail::keymgmt_name(KeyType::Rsa), b.bld.get(),
                                                            EVP_PKEY_PUBLIC_KEY));
    return Key::public_key(KeyType::Rsa, std::move(pkey));
}

Result<Key> rsa_private_from(const RsaPrivateParts& parts) {
    if (parts.modulus.empty()) return missing("modulus");
    if (parts.public_exponent.empty()) return missing("public exponent");
    if (parts.private_exponent.empty()) return missing("private exponent");
    const SecretBytes* crt[] = {&parts.prime1,    &parts.prime2,    &parts.exponent1,
                                &parts.exponent2, &parts.coefficient};
    size_t present = 0;
    for (const auto* c : crt) present += c->empty() ? 0 : 1;
    if (present != 0 && present != 5)
        return error(Err::TemplateIncomplete, "RSA CRT components must be all present or none");
    BldOwner b;
    SR_TRY(b.push(OSSL_PKEY_PARAM_RSA_N, parts.modulus));
    SR_TRY(b.push(OSSL_PKEY_PARAM_RSA_E, parts.public_exponent));
    SR_TRY(b.push(OSSL_PKEY_PARAM_RSA_D, parts.private_exponent.span()));
    if (present == 5) {
        SR_TRY(b.push(OSSL_PKEY_PARAM_RSA_FACTOR1, parts.prime1.span()));
        SR_TRY(b.push(OSSL_PKEY_PARAM_RSA_FACTOR2, parts.prime2.span()));
        SR_TRY(b.push(OSSL_PKEY_PARAM_RSA_EXPONENT1, parts.exponent1.span()));
        SR_TRY(b.push(OSSL_PKEY_PARAM_RSA_EXPONENT2, parts.exponent2.span()));
        SR_TRY(b.push(OSSL_PKEY_PARAM_RSA_COEFFICIENT1, parts.coefficient.span()));
    }
    SR_ASSIGN_OR_RETURN(PkeyPtr pkey, detail::pkey_from_bld(detail::keymgmt_name(KeyType::Rsa), b.bld.get(),
                                                            EVP_PKEY_KEYPAIR));
    return Key::private_key(KeyType::Rsa, std::move(pkey));
}

Result<RsaPublicParts> rsa_public_parts(const Key& key) {
    SR_TRY(require_type(key, KeyType::Rsa));
    SR_ASSIGN_OR_RETURN(BnPtr n, get_bn(key.pkey(), OSSL_PKEY_PARAM_RSA_N));
    SR_ASSIGN_OR_RETURN(BnPtr e, get_bn(key.pkey(), OSSL_PKEY_PARAM_RSA_E));
    return RsaPublicParts{detail::bn_bytes(n.get()), detail::bn_bytes(e.get())};
}

Result<RsaPrivateParts> rsa_private_parts(const Key& key) {
    SR_TRY(require_type(key, KeyType::Rsa));
    if (key.part() != KeyPart::Private)
        return error(Err::KeyTypeInconsistent, "not a private key");
    RsaPrivateParts out;
    SR_ASSIGN_OR_RETURN(auto pub, rsa_public_parts(key));
    out.modulus = std::move(pub.modulus);
    out.public_exponent = std::move(pub.public_exponent);
    SR_ASSIGN_OR_RETURN(BnPtr d, get_bn(key.pkey(), OSSL_PKEY_PARAM_RSA_D));
    out.private_exponent = detail::bn_secret(d.get());
    // A key imported without CRT values has none to export; leave those empty.
    struct Field {
        const char* name;
        SecretBytes* dst;
    };
    Field fields[] = {{OSSL_PKEY_PARAM_RSA_FACTOR1, &out.prime1},
                      {OSSL_PKEY_PARAM_RSA_FACTOR2, &out.prime2},
                      {OSSL_PKEY_PARAM_RSA_EXPONENT1, &out.exponent1},
                      {OSSL_PKEY_PARAM_RSA_EXPONENT2, &out.exponent2},
                      {OSSL_PKEY_PARAM_RSA_COEFFICIENT1, &out.coefficient}};
    for (auto& f : fields) {
        BIGNUM* bn = nullptr;
        if (EVP_PKEY_get_bn_param(key.pkey(), f.name, &bn) == 1) {
            BnPtr owned(bn);
            *f.dst = detail::bn_secret(bn);
        }
    }
    ossl_clear_errors();
    return out;
}

// ---- DSA

namespace {

Status push_domain(BldOwner& b, ByteView p, ByteView q, ByteView g) {
    if (p.empty() || q.empty() || g.empty()) return missing("DSA prime, subprime and base");
    SR_TRY(b.push(OSSL_PKEY_PARAM_FFC_P, p));
    SR_TRY(b.push(OSSL_PKEY_PARAM_FFC_Q, q));
    SR_TRY(b.push(OSSL_PKEY_PARAM_FFC_G, g));
    return {};
}

Result<Bytes> dsa_public_value(ByteView p, ByteView g, ByteView x) {
    SR_ASSIGN_OR_RETURN(BnPtr bp, to_bn(p));
    SR_ASSIGN_OR_RETURN(BnPtr bg, to_bn(g));
    SR_ASSIGN_OR_RETURN(BnPtr bx, to_bn(x));
    BnPtr y(BN_new());
    std::unique_ptr<BN_CTX, Deleter<BN_CTX_free>> ctx(BN_CTX_new());
    if (!y || !ctx || BN_is_zero(bp.get()) ||
        BN_mod_exp(y.get(), bg.get(), bx.get(), bp.get(), ctx.get()) != 1)
        return ossl_error("computing DSA public value", Err::AttributeValueInvalid);
    return detail::bn_bytes(y.get());
}

}  // namespace

Result<Key> dsa_public_from(const DsaPublicParts& parts) {
    if (parts.value.empty()) return missing("DSA public value");
    BldOwner b;
    SR_TRY(push_domain(b, parts.prime, parts.subprime, parts.base));
    SR_TRY(b.push(OSSL_PKEY_PARAM_PUB_KEY, parts.value));
    SR_ASSIGN_OR_RETURN(PkeyPtr pkey, detail::pkey_from_bld(detail::keymgmt_name(KeyType::Dsa), b.bld.get(),
                                                            EVP_PKEY_PUBLIC_KEY));
    return Key::public_key(KeyType::Dsa, std::move(pkey));
}

Result<Key> dsa_private_from(const DsaPrivateParts& parts) {
    if (parts.value.empty()) return missing("DSA private value");
    BldOwner b;
    SR_TRY(push_domain(b, parts.prime, parts.subprime, parts.base));
    Bytes y = parts.public_value;
    if (y.empty()) {
        // PKCS#11 private DSA objects carry no public value; OpenSSL wants one.
        SR_ASSIGN_OR_RETURN(y, dsa_public_value(parts.prime, parts.base, parts.value.span()));
    }
    SR_TRY(b.push(OSSL_PKEY_PARAM_PUB_KEY, y));
    SR_TRY(b.push(OSSL_PKEY_PARAM_PRIV_KEY, parts.value.span()));
    SR_ASSIGN_OR_RETURN(PkeyPtr pkey, detail::pkey_from_bld(detail::keymgmt_name(KeyType::Dsa), b.bld.get(),
                                                            EVP_PKEY_KEYPAIR));
    return Key::private_key(KeyType::Dsa, std::move(pkey));
}

Result<DsaPublicParts> dsa_public_parts(const Key& key) {
    SR_TRY(require_type(key, KeyType::Dsa));
    SR_ASSIGN_OR_RETURN(BnPtr p, get_bn(key.pkey(), OSSL_PKEY_PARAM_FFC_P));
    SR_ASSIGN_OR_RETURN(BnPtr q, get_bn(key.pkey(), OSSL_PKEY_PARAM_FFC_Q));
    SR_ASSIGN_OR_RETURN(BnPtr g, get_bn(key.pkey(), OSSL_PKEY_PARAM_FFC_G));
    SR_ASSIGN_OR_RETURN(BnPtr y, get_bn(key.pkey(), OSSL_PKEY_PARAM_PUB_KEY));
    return DsaPublicParts{detail::bn_bytes(p.get()), detail::bn_bytes(q.get()),
                          detail::bn_bytes(g.get()), detail::bn_bytes(y.get())};
}

Result<DsaPrivateParts> dsa_private_parts(const Key& key) {
    SR_TRY(require_type(key, KeyType::Dsa));
    if (key.part() != KeyPart::Private)
        return error(Err::KeyTypeInconsistent, "not a private key");
    SR_ASSIGN_OR_RETURN(DsaPublicParts pub, dsa_public_parts(key));
    SR_ASSIGN_OR_RETURN(BnPtr x, get_bn(key.pkey(), OSSL_PKEY_PARAM_PRIV_KEY));
    return DsaPrivateParts{std::move(pub.prime), std::move(pub.subprime), std::move(pub.base),
                           detail::bn_secret(x.get()), std::move(pub.value)};
}

}  // namespace sr::crypto
