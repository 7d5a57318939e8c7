// Ed25519: key pair generation and pure EdDSA (CKM_EDDSA). Ed25519 hashes the whole message
// twice, so multi-part input is buffered and signed at final(); the mechanism is flagged
// single-part like the other sign-the-whole-input mechanisms.
#include <openssl/core_names.h>

#include "crypto/mech_internal.h"

namespace sr::crypto::detail {
namespace {

constexpr KeyType kEdwards[] = {KeyType::EcEdwards};
constexpr size_t kEd25519Bits = 255;
constexpr size_t kSigLen = 64;

class EdKeyPairGen final : public MechImpl {
public:
    Result<KeyPair> generate_key_pair(const KeyGenParams& p) const override {
        if (p.ec_params.empty()) return missing("CKA_EC_PARAMS");
        SR_ASSIGN_OR_RETURN(const CurveInfo* c, curve_by_params(p.ec_params));
        if (c->type != KeyType::EcEdwards)
            return error(Err::TemplateInconsistent, "not an Edwards curve");
        PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, keymgmt_name(c->type), nullptr));
        EVP_PKEY* raw = nullptr;
        if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_generate(ctx.get(), &raw) != 1)
            return ossl_error("Ed25519 key generation", Err::FunctionFailed);
        Key priv = Key::private_key(KeyType::EcEdwards, PkeyPtr(raw));
        SR_ASSIGN_OR_RETURN(Key pub, public_of(priv));
        return KeyPair{std::move(pub), std::move(priv)};
    }
};

// Only pure Ed25519: CK_EDDSA_PARAMS selecting Ed25519ph/ctx are rejected, absent params
// accepted (PKCS#11 3.0 §2.3.14).
class Eddsa final : public MechImpl {
public:
    Result<std::unique_ptr<SignOp>> sign(const MechParams& p, const Key& k) const override {
        SR_TRY(expect_no_params(p));
        return make_digest_sign(k, nullptr, {}, SigCodec{kSigLen, 0}, kSigLen);
    }
    Result<std::unique_ptr<VerifyOp>> verify(const MechParams& p, const Key& k) const override {
        SR_TRY(expect_no_params(p));
        return make_digest_verify(k, nullptr, {}, SigCodec{kSigLen, 0});
    }
};

}  // namespace

void add_eddsa_mechanisms(MechDefs& out) {
    out.push_back({MechanismInfo{mech::kEcEdwardsKeyPairGen, "CKM_EC_EDWARDS_KEY_PAIR_GEN",
                                 op::kGenerateKeyPair, kEdwards, kEd25519Bits, kEd25519Bits, false},
                   std::make_shared<EdKeyPairGen>()});
    out.push_back({MechanismInfo{mech::kEddsa, "CKM_EDDSA", op::kSign | op::kVerify, kEdwards,
                                 kEd25519Bits, kEd25519Bits, true},
                   std::make_shared<Eddsa>()});
}

}  // namespace sr::crypto::detail
