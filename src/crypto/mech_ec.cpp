// EC (Weierstrass curves): key pair generation, ECDSA (raw and hashed, PKCS#11 r||s form) and
// ECDH1 derivation with the NULL KDF.
#include <openssl/core_names.h>

#include <array>

#include "crypto/mech_internal.h"

namespace sr::crypto::detail {
namespace {

constexpr KeyType kEc[] = {KeyType::Ec};
constexpr size_t kMinBits = 256;
constexpr size_t kMaxBits = 521;
constexpr uint64_t kCkdNull = 1;

Result<const CurveInfo*> ec_curve(const Key& k) { return curve_of(k.pkey()); }

// r and s are as wide as the curve order, which for every supported curve is the field width;
// taken from the cached bit size so signing does not query the provider per operation.
size_t half_width(const Key& k) { return (k.bits() + 7) / 8; }

class EcKeyPairGen final : public MechImpl {
public:
    Result<KeyPair> generate_key_pair(const KeyGenParams& p) const override {
        if (p.ec_params.empty()) return missing("CKA_EC_PARAMS");
        SR_ASSIGN_OR_RETURN(const CurveInfo* c, curve_by_params(p.ec_params));
        if (c->type != KeyType::Ec)
            return error(Err::TemplateInconsistent, "not a Weierstrass curve");
        PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, keymgmt_name(KeyType::Ec), nullptr));
        OSSL_PARAM ps[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
                                             const_cast<char*>(c->ossl_group.data()), 0),
            OSSL_PARAM_construct_end()};
        EVP_PKEY* raw = nullptr;
        if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
            EVP_PKEY_CTX_set_params(ctx.get(), ps) != 1 || EVP_PKEY_generate(ctx.get(), &raw) != 1)
            return ossl_error("EC key generation", Err::FunctionFailed);
        Key priv = Key::private_key(KeyType::Ec, PkeyPtr(raw));
        SR_ASSIGN_OR_RETURN(Key pub, public_of(priv));
        return KeyPair{std::move(pub), std::move(priv)};
    }
};

// CKM_ECDSA (input is a hash, any length: ECDSA truncates to the order) and ECDSA_SHAx.
class Ecdsa final : public MechImpl {
public:
    explicit Ecdsa(std::optional<Hash> h) : m_hash(h) {}
    Result<std::unique_ptr<SignOp>> sign(const MechParams& p, const Key& k) const override {
        SR_TRY(expect_no_params(p));
        SigCodec codec{2 * half_width(k), half_width(k)};
        if (!m_hash) return make_pkey_sign(k, {}, {}, codec, codec.fixed_len);
        return make_digest_sign(k, md_of(*m_hash), {}, codec, codec.fixed_len);
    }
    Result<std::unique_ptr<VerifyOp>> verify(const MechParams& p, const Key& k) const override {
        SR_TRY(expect_no_params(p));
        SigCodec codec{2 * half_width(k), half_width(k)};
        if (!m_hash) return make_pkey_verify(k, {}, {}, codec);
        return make_digest_verify(k, md_of(*m_hash), {}, codec);
    }

private:
    std::optional<Hash> m_hash;
};

// CKM_ECDH1_DERIVE with CKD_NULL: the raw x-coordinate of the shared point.
class Ecdh1Derive final : public MechImpl {
public:
    Result<SecretBytes> derive(const MechParams& p, const Key& k) const override {
        const auto* ep = param_as<EcdhParams>(p);
        if (!ep) return bad_param("ECDH1 needs CK_ECDH1_DERIVE_PARAMS");
        if (ep->peer_public.empty()) return bad_param("peer public key is empty");
        if (ep->kdf != kCkdNull || !ep->shared_data.empty())
            return bad_param("only the NULL KDF without shared data is supported");
        SR_ASSIGN_OR_RETURN(const CurveInfo* c, ec_curve(k));
        Bytes params(c->oid_der.begin(), c->oid_der.end());
        // The peer point may be raw or DER-wrapped; ec_public_from accepts both.
        auto peer = ec_public_from(KeyType::Ec, EcPublicParts{params, ep->peer_public});
        if (!peer) return bad_param("peer public key is not a point on the key's curve");
        PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, k.pkey(), nullptr));
        if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1)
            return ossl_error("starting ECDH", Err::FunctionFailed);
        if (EVP_PKEY_derive_set_peer(ctx.get(), peer->pkey()) != 1)
            return ossl_error("ECDH peer key", Err::MechanismParamInvalid);
        size_t len = 0;
        if (EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1)
            return ossl_error("ECDH", Err::FunctionFailed);
        SecretBytes out(len);
        if (EVP_PKEY_derive(ctx.get(), out.data(), &len) != 1)
            return ossl_error("ECDH", Err::FunctionFailed);
        out.resize(len);
        return out;
    }
};

MechanismInfo info(MechanismId id, std::string_view name, uint32_t flags, bool single) {
    return MechanismInfo{id, name, flags, kEc, kMinBits, kMaxBits, single};
}

}  // namespace

void add_ec_mechanisms(MechDefs& out) {
    using namespace op;
    out.push_back({info(mech::kEcKeyPairGen, "CKM_EC_KEY_PAIR_GEN", kGenerateKeyPair, false),
                   std::make_shared<EcKeyPairGen>()});
    out.push_back({info(mech::kEcdsa, "CKM_ECDSA", kSign | kVerify, true),
                   std::make_shared<Ecdsa>(std::nullopt)});
    struct HashMech {
        MechanismId id;
        std::string_view name;
        Hash hash;
    };
    const HashMech hashed[] = {{mech::kEcdsaSha1, "CKM_ECDSA_SHA1", Hash::Sha1},
                               {mech::kEcdsaSha224, "CKM_ECDSA_SHA224", Hash::Sha224},
                               {mech::kEcdsaSha256, "CKM_ECDSA_SHA256", Hash::Sha256},
                               {mech::kEcdsaSha384, "CKM_ECDSA_SHA384", Hash::Sha384},
                               {mech::kEcdsaSha512, "CKM_ECDSA_SHA512", Hash::Sha512}};
    for (const auto& h : hashed)
        out.push_back({info(h.id, h.name, kSign | kVerify, false), std::make_shared<Ecdsa>(h.hash)});
    out.push_back({info(mech::kEcdh1Derive, "CKM_ECDH1_DERIVE", kDerive, true),
                   std::make_shared<Ecdh1Derive>()});
}

}  // namespace sr::crypto::detail
