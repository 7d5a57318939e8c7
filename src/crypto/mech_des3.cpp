// Triple DES (24-byte, three-key): key generation with odd parity, ECB, CBC, CBC-PAD.
// DES-EDE3 lives in OpenSSL 3's default provider (only single DES moved to "legacy"), so no
// provider needs loading.
#include "crypto/mech_internal.h"

namespace sr::crypto::detail {
namespace {

constexpr KeyType kDes3[] = {KeyType::Des3};
constexpr size_t kKeyBytes = 24;
constexpr size_t kBlock = 8;

// DES keys carry odd parity in the low bit of each byte (FIPS 46-3 §3).
void set_odd_parity(SecretBytes& key) {
    for (size_t i = 0; i < key.size(); ++i) {
        uint8_t b = key[i] & 0xFE;
        int ones = __builtin_popcount(b);
        key[i] = static_cast<uint8_t>(b | ((ones % 2 == 0) ? 1 : 0));
    }
}

class Des3KeyGen final : public MechImpl {
public:
    Result<Key> generate_key(KeyType type, const KeyGenParams& p) const override {
        if (p.value_len != 0 && p.value_len != kKeyBytes)
            return error(Err::KeySizeRange, "DES3 keys are 24 bytes");
        SR_ASSIGN_OR_RETURN(SecretBytes v, random_key_value(kKeyBytes));
        set_odd_parity(v);
        return Key::secret(type, std::move(v));
    }
};

class Des3Mode final : public CipherModeImpl {
public:
    Des3Mode(BlockMode mode, std::string_view cipher) : m_mode(mode), m_cipher(cipher) {}

private:
    Result<std::unique_ptr<CipherOp>> start(const MechParams& p, const Key& k,
                                            bool enc) const override {
        const EVP_CIPHER* c = cipher_named(m_cipher);
        if (m_mode == BlockMode::Ecb) {
            SR_TRY(expect_no_params(p));
            return make_block_cipher(c, k.value(), {}, m_mode, enc);
        }
        const auto* iv = param_as<IvParams>(p);
        if (!iv || iv->iv.size() != kBlock) return bad_param("DES3-CBC needs an 8-byte IV");
        return make_block_cipher(c, k.value(), iv->iv, m_mode, enc);
    }
    BlockMode m_mode;
    std::string_view m_cipher;
};

MechanismInfo info(MechanismId id, std::string_view name, uint32_t flags) {
    return MechanismInfo{id, name, flags, kDes3, kKeyBytes, kKeyBytes, false};
}

}  // namespace

void add_des3_mechanisms(MechDefs& out) {
    using namespace op;
    constexpr uint32_t kEDW = kEncrypt | kDecrypt | kWrap | kUnwrap;
    out.push_back({info(mech::kDes3KeyGen, "CKM_DES3_KEY_GEN", kGenerate),
                   std::make_shared<Des3KeyGen>()});
    out.push_back({info(mech::kDes3Ecb, "CKM_DES3_ECB", kEDW),
                   std::make_shared<Des3Mode>(BlockMode::Ecb, "DES-EDE3-ECB")});
    out.push_back({info(mech::kDes3Cbc, "CKM_DES3_CBC", kEDW),
                   std::make_shared<Des3Mode>(BlockMode::Cbc, "DES-EDE3-CBC")});
    out.push_back({info(mech::kDes3CbcPad, "CKM_DES3_CBC_PAD", kEDW),
                   std::make_shared<Des3Mode>(BlockMode::CbcPad, "DES-EDE3-CBC")});
}

}  // namespace sr::crypto::detail
