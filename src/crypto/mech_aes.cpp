// AES: key generation, ECB, CBC, CBC-PAD, CTR, GCM and CMAC. (Key wrap is in mech_wrap.cpp.)
#include <openssl/core_names.h>

#include <array>

#include "crypto/mech_internal.h"

namespace sr::crypto::detail {
namespace {

constexpr KeyType kAes[] = {KeyType::Aes};
constexpr size_t kMinBytes = 16;
constexpr size_t kMaxBytes = 32;
constexpr size_t kBlock = 16;

bool valid_aes_len(size_t n) { return n == 16 || n == 24 || n == 32; }

Status check_aes_key(const Key& k) {
    if (!valid_aes_len(k.value().size()))
        return error(Err::KeySizeRange, "AES keys are 16, 24 or 32 bytes");
    return {};
}

enum class AesAlg : uint8_t { Ecb, Cbc, Ctr, Gcm };

// The cipher for a mode and a (checked) key length, resolved once rather than by name per
// operation.
const EVP_CIPHER* aes_cipher(AesAlg alg, size_t key_bytes) {
    static const auto kTable = [] {
        std::array<std::array<const EVP_CIPHER*, 3>, 4> t{};
        const char* modes[] = {"ECB", "CBC", "CTR", "GCM"};
        for (size_t m = 0; m < t.size(); ++m)
            for (size_t k = 0; k < 3; ++k)
                t[m][k] = cipher_named("AES-" + std::to_string(128 + 64 * k) + "-" + modes[m]);
        return t;
    }();
    return kTable[static_cast<size_t>(alg)][(key_bytes - 16) / 8];
}

class AesKeyGen final : public MechImpl {
public:
    Result<Key> generate_key(KeyType type, const KeyGenParams& p) const override {
        if (p.value_len == 0) return missing("CKA_VALUE_LEN");
        if (!valid_aes_len(p.value_len))
            return error(Err::KeySizeRange, "AES keys are 16, 24 or 32 bytes");
        SR_ASSIGN_OR_RETURN(SecretBytes v, random_key_value(p.value_len));
        return Key::secret(type, std::move(v));
    }
};

// ECB, CBC, CBC-PAD, CTR.
class AesBlockMode final : public CipherModeImpl {
public:
    AesBlockMode(BlockMode mode, AesAlg alg) : m_mode(mode), m_alg(alg) {}

private:
    Result<std::unique_ptr<CipherOp>> start(const MechParams& p, const Key& k,
                                            bool enc) const override {
        SR_TRY(check_aes_key(k));
        const EVP_CIPHER* c = aes_cipher(m_alg, k.value().size());
        if (m_mode == BlockMode::Ecb) {
            SR_TRY(expect_no_params(p));
            return make_block_cipher(c, k.value(), {}, m_mode, enc);
        }
        if (m_mode == BlockMode::Ctr) {
            const auto* ctr = param_as<CtrParams>(p);
            if (!ctr) return bad_param("AES-CTR needs CK_AES_CTR_PARAMS");
            if (ctr->counter_block.size() != kBlock || ctr->counter_bits == 0 ||
                ctr->counter_bits > 128)
                return bad_param("AES-CTR counter block must be 16 bytes, counter 1..128 bits");
            return make_block_cipher(c, k.value(), ctr->counter_block, m_mode, enc,
                                     ctr_limit(*ctr));
        }
        const auto* iv = param_as<IvParams>(p);
        if (!iv) return bad_param("AES-CBC needs a 16-byte IV");
        return make_block_cipher(c, k.value(), iv->iv, m_mode, enc);
    }

    // Blocks left before the low `counter_bits` of the counter block wrap (PKCS#11 §2.10.4
    // leaves wrapping undefined, so refuse it rather than let OpenSSL carry into the nonce).
    static uint64_t ctr_limit(const CtrParams& p) {
        if (p.counter_bits >= 64) return 0;
        uint64_t low = 0;
        for (size_t i = 8; i < 16; ++i) low = (low << 8) | p.counter_block[i];
        uint64_t mask = (uint64_t{1} << p.counter_bits) - 1;
        return (mask - (low & mask)) + 1;
    }

    BlockMode m_mode;
    AesAlg m_alg;
};

class GcmEncryptOp final : public CipherOp {
public:
    GcmEncryptOp(CipherCtxPtr ctx, size_t tag) : m_ctx(std::move(ctx)), m_tag(tag) {}
    size_t max_update_output(size_t in_len) const override { return in_len; }
    size_t max_final_output() const override { return m_tag; }
    Result<Bytes> update(ByteView in) override {
        Bytes out(in.size());
        int len = 0;
        if (EVP_EncryptUpdate(m_ctx.get(), out.data(), &len, in.data(),
                              static_cast<int>(in.size())) != 1)
            return ossl_error("GCM update", Err::FunctionFailed);
        out.resize(static_cast<size_t>(len));
        return out;
    }
    Result<Bytes> final() override {
        uint8_t scratch[kBlock];
        int len = 0;
        Bytes tag(m_tag);
        if (EVP_EncryptFinal_ex(m_ctx.get(), scratch, &len) != 1 ||
            EVP_CIPHER_CTX_ctrl(m_ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(m_tag),
                                tag.data()) != 1)
            return ossl_error("GCM final", Err::FunctionFailed);
        return tag;
    }

private:
    CipherCtxPtr m_ctx;
    size_t m_tag;
};

// PKCS#11 v2.40 §2.10.7: decryption returns no plaintext before the tag is checked, so the
// ciphertext is buffered and everything happens at final().
class GcmDecryptOp final : public CipherOp {
public:
    GcmDecryptOp(CipherCtxPtr ctx, size_t tag) : m_ctx(std::move(ctx)), m_tag(tag) {}
    size_t max_update_output(size_t) const override { return 0; }
    size_t max_final_output() const override {
        return m_buf.size() > m_tag ? m_buf.size() - m_tag : 0;
    }
    Result<Bytes> update(ByteView in) override {
        m_buf.insert(m_buf.end(), in.begin(), in.end());
        return Bytes{};
    }
    Result<Bytes> final() override {
        if (m_buf.size() < m_tag) return error(Err::EncryptedDataLenRange, "shorter than the tag");
        size_t ct = m_buf.size() - m_tag;
        Bytes out(ct + kBlock);
        int len = 0;
        int fin = 0;
        if (EVP_DecryptUpdate(m_ctx.get(), out.data(), &len, m_buf.data(),
                              static_cast<int>(ct)) != 1 ||
            EVP_CIPHER_CTX_ctrl(m_ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(m_tag),
                                m_buf.data() + ct) != 1)
            return ossl_error("GCM decrypt", Err::FunctionFailed);
        if (EVP_DecryptFinal_ex(m_ctx.get(), out.data() + len, &fin) != 1) {
            ossl_clear_errors();
            return error(Err::EncryptedDataInvalid, "GCM tag mismatch");
        }
        out.resize(static_cast<size_t>(len + fin));
        return out;
    }

private:
    CipherCtxPtr m_ctx;
    size_t m_tag;
    Bytes m_buf;
};

class AesGcm final : public MechImpl {
public:
    Result<std::unique_ptr<CipherOp>> encrypt(const MechParams& p, const Key& k) const override {
        SR_ASSIGN_OR_RETURN(auto started, start(p, k, true));
        return std::unique_ptr<CipherOp>(
            std::make_unique<GcmEncryptOp>(std::move(started.first), started.second));
    }
    Result<std::unique_ptr<CipherOp>> decrypt(const MechParams& p, const Key& k) const override {
        SR_ASSIGN_OR_RETURN(auto started, start(p, k, false));
        return std::unique_ptr<CipherOp>(
            std::make_unique<GcmDecryptOp>(std::move(started.first), started.second));
    }

private:
    Result<std::pair<CipherCtxPtr, size_t>> start(const MechParams& p, const Key& k,
                                                  bool enc) const {
        SR_TRY(check_aes_key(k));
        const auto* g = param_as<GcmParams>(p);
        if (!g) return bad_param("AES-GCM needs CK_GCM_PARAMS");
        // NIST SP 800-38D §5.2.1.2: tags of 96..128 bits, or 32/64 for special uses.
        bool tag_ok = g->tag_bits == 32 || g->tag_bits == 64 ||
                      (g->tag_bits >= 96 && g->tag_bits <= 128 && g->tag_bits % 8 == 0);
        if (!tag_ok) return bad_param("GCM tag length not allowed");
        if (g->iv.empty() || g->iv.size() > 256) return bad_param("GCM IV must be 1..256 bytes");
        const EVP_CIPHER* c = aes_cipher(AesAlg::Gcm, k.value().size());
        OSSL_PARAM ps[] = {OSSL_PARAM_construct_end(), OSSL_PARAM_construct_end()};
        size_t iv_len = g->iv.size();
        ps[0] = OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &iv_len);
        CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
        int len = 0;
        if (!ctx || !c || EVP_CipherInit_ex2(ctx.get(), c, nullptr, nullptr, enc, ps) != 1 ||
            EVP_CipherInit_ex2(ctx.get(), nullptr, k.value().data(), g->iv.data(), enc,
                               nullptr) != 1 ||
            (!g->aad.empty() && EVP_CipherUpdate(ctx.get(), nullptr, &len, g->aad.data(),
                                                 static_cast<int>(g->aad.size())) != 1))
            return ossl_error("starting AES-GCM", Err::MechanismParamInvalid);
        return std::pair{std::move(ctx), size_t{g->tag_bits / 8}};
    }
};

// CKM_AES_CMAC: full 16-byte MAC (CKM_AES_CMAC_GENERAL is not offered).
class AesCmac final : public MechImpl {
public:
    AesCmac() : m_mac(EVP_MAC_fetch(nullptr, "CMAC", nullptr)) {}
    Result<std::unique_ptr<SignOp>> sign(const MechParams& p, const Key& k) const override {
        SR_TRY(expect_no_params(p));
        SR_TRY(check_aes_key(k));
        auto ps = params_for(k);
        return make_mac_sign(m_mac.get(), ps.data(), k.value(), kBlock);
    }
    Result<std::unique_ptr<VerifyOp>> verify(const MechParams& p, const Key& k) const override {
        SR_TRY(expect_no_params(p));
        SR_TRY(check_aes_key(k));
        auto ps = params_for(k);
        return make_mac_verify(m_mac.get(), ps.data(), k.value(), kBlock);
    }

private:
    static std::array<OSSL_PARAM, 2> params_for(const Key& k) {
        static constexpr std::array<const char*, 3> kNames = {"AES-128-CBC", "AES-192-CBC",
                                                              "AES-256-CBC"};
        size_t idx = (k.value().size() - 16) / 8;
        return {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER,
                                                 const_cast<char*>(kNames[idx]), 0),
                OSSL_PARAM_construct_end()};
    }
    MacPtr m_mac;
};

MechanismInfo info(MechanismId id, std::string_view name, uint32_t flags, bool single) {
    return MechanismInfo{id, name, flags, kAes, kMinBytes, kMaxBytes, single};
}

}  // namespace

void add_aes_mechanisms(MechDefs& out) {
    using namespace op;
    constexpr uint32_t kED = kEncrypt | kDecrypt;
    constexpr uint32_t kEDW = kED | kWrap | kUnwrap;
    out.push_back({info(mech::kAesKeyGen, "CKM_AES_KEY_GEN", kGenerate, false),
                   std::make_shared<AesKeyGen>()});
    out.push_back({info(mech::kAesEcb, "CKM_AES_ECB", kEDW, false),
                   std::make_shared<AesBlockMode>(BlockMode::Ecb, AesAlg::Ecb)});
    out.push_back({info(mech::kAesCbc, "CKM_AES_CBC", kEDW, false),
                   std::make_shared<AesBlockMode>(BlockMode::Cbc, AesAlg::Cbc)});
    out.push_back({info(mech::kAesCbcPad, "CKM_AES_CBC_PAD", kEDW, false),
                   std::make_shared<AesBlockMode>(BlockMode::CbcPad, AesAlg::Cbc)});
    out.push_back({info(mech::kAesCtr, "CKM_AES_CTR", kED, false),
                   std::make_shared<AesBlockMode>(BlockMode::Ctr, AesAlg::Ctr)});
    out.push_back({info(mech::kAesGcm, "CKM_AES_GCM", kED, false), std::make_shared<AesGcm>()});
    out.push_back({info(mech::kAesCmac, "CKM_AES_CMAC", kSign | kVerify, false),
                   std::make_shared<AesCmac>()});
}

}  // namespace sr::crypto::detail
