// HMAC with SHA-1/2 (full-length MACs) over generic secret keys, and generic secret key
// generation.
#include <openssl/core_names.h>

#include <array>

#include "crypto/mech_internal.h"

namespace sr::crypto::detail {
namespace {

// PKCS#11 v2.40 §2.21 (general-length HMAC): keys are CKK_GENERIC_SECRET. Sizes in bytes.
constexpr KeyType kGeneric[] = {KeyType::GenericSecret};
constexpr size_t kMinBytes = 1;
constexpr size_t kMaxBytes = 512;

class GenericKeyGen final : public MechImpl {
public:
    Result<Key> generate_key(KeyType type, const KeyGenParams& p) const override {
        if (p.value_len == 0) return missing("CKA_VALUE_LEN");
        if (p.value_len > kMaxBytes)
            return error(Err::KeySizeRange, "generic secrets are 1..512 bytes");
        SR_ASSIGN_OR_RETURN(SecretBytes v, random_key_value(p.value_len));
        return Key::secret(type, std::move(v));
    }
};

class Hmac final : public MechImpl {
public:
    explicit Hmac(Hash h) : m_hash(h), m_mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr)) {}
    Result<std::unique_ptr<SignOp>> sign(const MechParams& p, const Key& k) const override {
        SR_TRY(expect_no_params(p));
        auto ps = params();
        return make_mac_sign(m_mac.get(), ps.data(), k.value(), hash_size(m_hash));
    }
    Result<std::unique_ptr<VerifyOp>> verify(const MechParams& p, const Key& k) const override {
        SR_TRY(expect_no_params(p));
        auto ps = params();
        return make_mac_verify(m_mac.get(), ps.data(), k.value(), hash_size(m_hash));
    }

private:
    std::array<OSSL_PARAM, 2> params() const {
        // hash_name() returns static strings; OpenSSL only reads them.
        return {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                 const_cast<char*>(hash_name(m_hash).data()), 0),
                OSSL_PARAM_construct_end()};
    }
    Hash m_hash;
    MacPtr m_mac;
};

}  // namespace

void add_hmac_mechanisms(MechDefs& out) {
    out.push_back({MechanismInfo{mech::kGenericSecretKeyGen, "CKM_GENERIC_SECRET_KEY_GEN",
                                 op::kGenerate, kGeneric, kMinBytes, kMaxBytes, false},
                   std::make_shared<GenericKeyGen>()});
    struct HashMech {
        MechanismId id;
        std::string_view name;
        Hash hash;
    };
    const HashMech hmacs[] = {{mech::kSha1Hmac, "CKM_SHA_1_HMAC", Hash::Sha1},
                              {mech::kSha224Hmac, "CKM_SHA224_HMAC", Hash::Sha224},
                              {mech::kSha256Hmac, "CKM_SHA256_HMAC", Hash::Sha256},
                              {mech::kSha384Hmac, "CKM_SHA384_HMAC", Hash::Sha384},
                              {mech::kSha512Hmac, "CKM_SHA512_HMAC", Hash::Sha512}};
    for (const auto& h : hmacs)
        out.push_back({MechanismInfo{h.id, h.name, op::kSign | op::kVerify, kGeneric, kMinBytes,
                                     kMaxBytes, false},
                       std::make_shared<Hmac>(h.hash)});
}

}  // namespace sr::crypto::detail
