// DSA: key pair generation (with domain generation when none is given) and signatures in
// PKCS#11 r||s form, raw (CKM_DSA) and hashed (CKM_DSA_SHAx).
#include <openssl/core_names.h>
#include <openssl/dsa.h>

#include "crypto/mech_internal.h"

namespace sr::crypto::detail {
namespace {

constexpr KeyType kDsa[] = {KeyType::Dsa};
constexpr size_t kMinBits = 1024;
constexpr size_t kMaxBits = 3072;

// FIPS 186-4 §4.2 (L, N) pairs, plus the legacy 1024/160 for old-firmware keys.
bool valid_lengths(size_t l, size_t n) {
    return (l == 1024 && n == 160) || (l == 2048 && (n == 224 || n == 256)) ||
           (l == 3072 && n == 256);
}

size_t default_n(size_t l) { return l == 1024 ? 160 : l == 2048 ? 224 : 256; }

Result<PkeyPtr> domain_from(const DsaPublicParts& d) {
    if (d.prime.empty() || d.subprime.empty() || d.base.empty())
        return missing("DSA prime, subprime and base");
    OsslParamBldPtr bld(OSSL_PARAM_BLD_new());
    SR_ASSIGN_OR_RETURN(BnPtr p, to_bn(d.prime));
    SR_ASSIGN_OR_RETURN(BnPtr q, to_bn(d.subprime));
    SR_ASSIGN_OR_RETURN(BnPtr g, to_bn(d.base));
    if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_FFC_P, p.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_FFC_Q, q.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_FFC_G, g.get()) != 1)
        return ossl_error("DSA domain", Err::HostMemory);
    size_t l = static_cast<size_t>(BN_num_bits(p.get()));
    if (l < kMinBits || l > kMaxBits) return error(Err::KeySizeRange, "DSA prime size");
    auto pkey = pkey_from_bld(keymgmt_name(KeyType::Dsa), bld.get(), EVP_PKEY_KEY_PARAMETERS);
    if (!pkey) return error(Err::DomainParamsInvalid, pkey.status().message());
    return pkey;
}

Result<PkeyPtr> generate_domain(size_t l, size_t n) {
    if (n == 0) n = default_n(l);
    if (!valid_lengths(l, n))
        return error(Err::KeySizeRange, "DSA sizes must be 1024/160, 2048/224, 2048/256, 3072/256");
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, keymgmt_name(KeyType::Dsa), nullptr));
    EVP_PKEY* raw = nullptr;
    if (!ctx || EVP_PKEY_paramgen_init(ctx.get()) != 1 ||
        EVP_PKEY_CTX_set_dsa_paramgen_bits(ctx.get(), static_cast<int>(l)) != 1 ||
        EVP_PKEY_CTX_set_dsa_paramgen_q_bits(ctx.get(), static_cast<int>(n)) != 1 ||
        EVP_PKEY_paramgen(ctx.get(), &raw) != 1)
        return ossl_error("DSA domain generation", Err::FunctionFailed);
    return PkeyPtr(raw);
}

class DsaKeyPairGen final : public MechImpl {
public:
    Result<KeyPair> generate_key_pair(const KeyGenParams& p) const override {
        const auto& d = p.dsa_domain;
        bool have_domain = !d.prime.empty() || !d.subprime.empty() || !d.base.empty();
        if (!have_domain && p.bits == 0) return missing("DSA domain or CKA_PRIME_BITS");
        SR_ASSIGN_OR_RETURN(PkeyPtr domain, have_domain ? domain_from(d)
                                                        : generate_domain(p.bits, p.subprime_bits));
        PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, domain.get(), nullptr));
        EVP_PKEY* raw = nullptr;
        if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_generate(ctx.get(), &raw) != 1)
            return ossl_error("DSA key generation", Err::DomainParamsInvalid);
        Key priv = Key::private_key(KeyType::Dsa, PkeyPtr(raw));
        SR_ASSIGN_OR_RETURN(Key pub, public_of(priv));
        return KeyPair{std::move(pub), std::move(priv)};
    }
};

Result<size_t> q_bytes(const Key& k) {
    SR_ASSIGN_OR_RETURN(BnPtr q, get_bn(k.pkey(), OSSL_PKEY_PARAM_FFC_Q));
    return static_cast<size_t>(BN_num_bytes(q.get()));
}

class Dsa final : public MechImpl {
public:
    explicit Dsa(std::optional<Hash> h) : m_hash(h) {}
    Result<std::unique_ptr<SignOp>> sign(const MechParams& p, const Key& k) const override {
        SR_TRY(expect_no_params(p));
        SR_ASSIGN_OR_RETURN(size_t qb, q_bytes(k));
        SigCodec codec{2 * qb, qb};
        if (!m_hash) return make_pkey_sign(k, {}, {}, codec, codec.fixed_len);
        return make_digest_sign(k, md_of(*m_hash), {}, codec, codec.fixed_len);
    }
    Result<std::unique_ptr<VerifyOp>> verify(const MechParams& p, const Key& k) const override {
        SR_TRY(expect_no_params(p));
        SR_ASSIGN_OR_RETURN(size_t qb, q_bytes(k));
        SigCodec codec{2 * qb, qb};
        if (!m_hash) return make_pkey_verify(k, {}, {}, codec);
        return make_digest_verify(k, md_of(*m_hash), {}, codec);
    }

private:
    std::optional<Hash> m_hash;
};

MechanismInfo info(MechanismId id, std::string_view name, uint32_t flags, bool single) {
    return MechanismInfo{id, name, flags, kDsa, kMinBits, kMaxBits, single};
}

}  // namespace

void add_dsa_mechanisms(MechDefs& out) {
    using namespace op;
    out.push_back({info(mech::kDsaKeyPairGen, "CKM_DSA_KEY_PAIR_GEN", kGenerateKeyPair, false),
                   std::make_shared<DsaKeyPairGen>()});
    out.push_back({info(mech::kDsa, "CKM_DSA", kSign | kVerify, true),
                   std::make_shared<Dsa>(std::nullopt)});
    struct HashMech {
        MechanismId id;
        std::string_view name;
        Hash hash;
    };
    const HashMech hashed[] = {{mech::kDsaSha1, "CKM_DSA_SHA1", Hash::Sha1},
                               {mech::kDsaSha224, "CKM_DSA_SHA224", Hash::Sha224},
                               {mech::kDsaSha256, "CKM_DSA_SHA256", Hash::Sha256},
                               {mech::kDsaSha384, "CKM_DSA_SHA384", Hash::Sha384},
                               {mech::kDsaSha512, "CKM_DSA_SHA512", Hash::Sha512}};
    for (const auto& h : hashed)
        out.push_back({info(h.id, h.name, kSign | kVerify, false), std::make_shared<Dsa>(h.hash)});
}

}  // namespace sr::crypto::detail
