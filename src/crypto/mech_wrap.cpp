// Key wrapping: AES Key Wrap (RFC 3394), AES Key Wrap with Padding (RFC 5649), and
// CKM_RSA_AES_KEY_WRAP (PKCS#11 v2.40 §2.1.21: an ephemeral AES key under RSA-OAEP, then the
// target key under that AES key with RFC 5649).
#include <array>
#include <string>

#include "crypto/mech_internal.h"

namespace sr::crypto::detail {
namespace {

constexpr KeyType kAes[] = {KeyType::Aes};
constexpr KeyType kRsa[] = {KeyType::Rsa};
constexpr size_t kSemiblock = 8;

enum class Kw : uint8_t { Plain, Pad };  // RFC 3394 / RFC 5649

struct KwErrors {
    Err bad_len;    // input length not acceptable
    Err bad_data;   // integrity check failed on unwrap
};

Result<ByteView> kw_iv(const MechParams& p, Kw kind) {
    if (param_as<NoParams>(p)) return ByteView{};
    const auto* iv = param_as<WrapPadIv>(p);
    if (!iv) return bad_param("key wrap takes no parameters or an alternative IV");
    size_t want = kind == Kw::Plain ? 8 : 4;
    if (!iv->iv.empty() && iv->iv.size() != want)
        return bad_param("key wrap IV must be " + std::to_string(want) + " bytes");
    return ByteView(iv->iv);
}

Status kw_length_ok(Kw kind, bool wrapping, size_t n) {
    if (wrapping) {
        if (kind == Kw::Plain) return n >= 16 && n % kSemiblock == 0 ? Status{} : error(Err::DataLenRange);
        return n >= 1 ? Status{} : error(Err::DataLenRange);
    }
    if (n < 16 || n % kSemiblock != 0) return error(Err::DataLenRange);
    return {};
}

const EVP_CIPHER* kw_cipher(Kw kind, size_t key_bytes) {
    static const auto kTable = [] {
        std::array<std::array<const EVP_CIPHER*, 3>, 2> t{};
        for (size_t k = 0; k < 3; ++k) {
            std::string bits = std::to_string(128 + 64 * k);
            t[0][k] = cipher_named("AES-" + bits + "-WRAP");
            t[1][k] = cipher_named("AES-" + bits + "-WRAP-PAD");
        }
        return t;
    }();
    return kTable[kind == Kw::Plain ? 0 : 1][(key_bytes - 16) / 8];
}

// One-shot RFC 3394 / 5649 in either direction. Plaintext is returned in secret storage.
Result<SecretBytes> aes_kw(const SecretBytes& key, ByteView iv, ByteView in, Kw kind, bool wrap,
                           KwErrors errs) {
    if (key.size() != 16 && key.size() != 24 && key.size() != 32)
        return error(Err::KeySizeRange, "AES keys are 16, 24 or 32 bytes");
    Status len_ok = kw_length_ok(kind, wrap, in.size());
    if (!len_ok) return error(errs.bad_len, "input length not valid for AES key wrap");
    const EVP_CIPHER* c = kw_cipher(kind, key.size());
    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    if (!c || !ctx) return ossl_error("key wrap cipher", Err::FunctionFailed);
    EVP_CIPHER_CTX_set_flags(ctx.get(), EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
    if (EVP_CipherInit_ex2(ctx.get(), c, key.data(), iv.empty() ? nullptr : iv.data(), wrap ? 1 : 0,
                           nullptr) != 1)
        return ossl_error("starting key wrap", Err::FunctionFailed);
    SecretBytes out(in.size() + 2 * kSemiblock);
    int len = 0;
    int fin = 0;
    if (EVP_CipherUpdate(ctx.get(), out.data(), &len, in.data(), static_cast<int>(in.size())) != 1 ||
        EVP_CipherFinal_ex(ctx.get(), out.data() + len, &fin) != 1) {
        if (wrap) return ossl_error("key wrap", Err::FunctionFailed);
        ossl_clear_errors();
        return error(errs.bad_data, "key unwrap integrity check failed");
    }
    out.resize(static_cast<size_t>(len + fin));
    return out;
}

// CKM_AES_KEY_WRAP(_PAD) as a single-part cipher (C_Encrypt/C_Decrypt).
class KwCipherOp final : public CipherOp {
public:
    KwCipherOp(SecretBytes key, Bytes iv, Kw kind, bool wrap)
        : m_key(std::move(key)), m_iv(std::move(iv)), m_kind(kind), m_wrap(wrap) {}
    size_t max_update_output(size_t) const override { return 0; }
    size_t max_final_output() const override { return m_buf.size() + 2 * kSemiblock; }
    Result<Bytes> update(ByteView in) override {
        m_buf.append(in);
        return Bytes{};
    }
    Result<Bytes> final() override {
        KwErrors errs = m_wrap ? KwErrors{Err::DataLenRange, Err::FunctionFailed}
                               : KwErrors{Err::EncryptedDataLenRange, Err::EncryptedDataInvalid};
        SR_ASSIGN_OR_RETURN(SecretBytes out, aes_kw(m_key, m_iv, m_buf.span(), m_kind, m_wrap, errs));
        return Bytes(out.span().begin(), out.span().end());
    }

private:
    SecretBytes m_key;
    Bytes m_iv;
    Kw m_kind;
    bool m_wrap;
    SecretBytes m_buf;
};

class AesKeyWrap final : public MechImpl {
public:
    explicit AesKeyWrap(Kw kind) : m_kind(kind) {}
    Result<std::unique_ptr<CipherOp>> encrypt(const MechParams& p, const Key& k) const override {
        return start(p, k, true);
    }
    Result<std::unique_ptr<CipherOp>> decrypt(const MechParams& p, const Key& k) const override {
        return start(p, k, false);
    }
    Result<Bytes> wrap(const MechParams& p, const Key& k, ByteView material) const override {
        SR_ASSIGN_OR_RETURN(ByteView iv, kw_iv(p, m_kind));
        SR_ASSIGN_OR_RETURN(SecretBytes out, aes_kw(k.value(), iv, material, m_kind, true,
                                                    {Err::KeySizeRange, Err::FunctionFailed}));
        return Bytes(out.span().begin(), out.span().end());
    }
    Result<SecretBytes> unwrap(const MechParams& p, const Key& k, ByteView wrapped) const override {
        SR_ASSIGN_OR_RETURN(ByteView iv, kw_iv(p, m_kind));
        return aes_kw(k.value(), iv, wrapped, m_kind, false,
                      {Err::WrappedKeyLenRange, Err::WrappedKeyInvalid});
    }

private:
    Result<std::unique_ptr<CipherOp>> start(const MechParams& p, const Key& k, bool wrap) const {
        SR_ASSIGN_OR_RETURN(ByteView iv, kw_iv(p, m_kind));
        return std::unique_ptr<CipherOp>(std::make_unique<KwCipherOp>(
            k.value().clone(), Bytes(iv.begin(), iv.end()), m_kind, wrap));
    }
    Kw m_kind;
};

class RsaAesKeyWrap final : public MechImpl {
public:
    Result<Bytes> wrap(const MechParams& p, const Key& k, ByteView material) const override {
        SR_ASSIGN_OR_RETURN(const RsaAesWrapParams* wp, params(p));
        SR_ASSIGN_OR_RETURN(SecretBytes aes, random_secret(wp->aes_key_bits / 8));
        auto head = rsa_oaep_encrypt(k, wp->oaep, aes.span());
        if (!head) return error(Err::WrappingKeySizeRange, head.status().message());
        SR_ASSIGN_OR_RETURN(SecretBytes tail, aes_kw(aes, {}, material, Kw::Pad, true,
                                                     {Err::KeySizeRange, Err::FunctionFailed}));
        Bytes out = std::move(*head);
        out.insert(out.end(), tail.span().begin(), tail.span().end());
        return out;
    }
    Result<SecretBytes> unwrap(const MechParams& p, const Key& k, ByteView wrapped) const override {
        SR_ASSIGN_OR_RETURN(const RsaAesWrapParams* wp, params(p));
        size_t kbytes = rsa_bytes(k);
        if (wrapped.size() < kbytes + 16)
            return error(Err::WrappedKeyLenRange, "wrapped key too short");
        SR_ASSIGN_OR_RETURN(SecretBytes aes,
                            rsa_oaep_decrypt(k, wp->oaep, wrapped.first(kbytes),
                                             Err::WrappedKeyLenRange, Err::WrappedKeyInvalid));
        if (aes.size() * 8 != wp->aes_key_bits)
            return error(Err::WrappedKeyInvalid, "ephemeral AES key has the wrong length");
        return aes_kw(aes, {}, wrapped.subspan(kbytes), Kw::Pad, false,
                      {Err::WrappedKeyLenRange, Err::WrappedKeyInvalid});
    }

private:
    static Result<const RsaAesWrapParams*> params(const MechParams& p) {
        const auto* wp = param_as<RsaAesWrapParams>(p);
        if (!wp) return bad_param("CKM_RSA_AES_KEY_WRAP needs CK_RSA_AES_KEY_WRAP_PARAMS");
        if (wp->aes_key_bits != 128 && wp->aes_key_bits != 192 && wp->aes_key_bits != 256)
            return bad_param("AES key bits must be 128, 192 or 256");
        return wp;
    }
};

}  // namespace

void add_wrap_mechanisms(MechDefs& out) {
    using namespace op;
    constexpr uint32_t kAll = kEncrypt | kDecrypt | kWrap | kUnwrap;
    out.push_back({MechanismInfo{mech::kAesKeyWrap, "CKM_AES_KEY_WRAP", kAll, kAes, 16, 32, true},
                   std::make_shared<AesKeyWrap>(Kw::Plain)});
    out.push_back({MechanismInfo{mech::kAesKeyWrapPad, "CKM_AES_KEY_WRAP_PAD", kAll, kAes, 16, 32,
                                 true},
                   std::make_shared<AesKeyWrap>(Kw::Pad)});
    out.push_back({MechanismInfo{mech::kRsaAesKeyWrap, "CKM_RSA_AES_KEY_WRAP", kWrap | kUnwrap,
                                 kRsa, 1024, 4096, true},
                   std::make_shared<RsaAesKeyWrap>()});
}

}  // namespace sr::crypto::detail
