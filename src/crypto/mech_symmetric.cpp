// Operation shapes shared by the symmetric families: block-cipher modes over EVP_CIPHER (AES,
// DES3) and MACs over EVP_MAC (HMAC, CMAC).
#include <openssl/core_names.h>
#include <openssl/crypto.h>

#include "crypto/mech_internal.h"

namespace sr::crypto::detail {
namespace {

class BlockCipherOp final : public CipherOp {
public:
    BlockCipherOp(CipherCtxPtr ctx, BlockMode mode, bool encrypt, size_t block, uint64_t limit)
        : m_ctx(std::move(ctx)), m_mode(mode), m_encrypt(encrypt), m_block(block),
          m_limit(limit) {}

    size_t max_update_output(size_t in_len) const override { return in_len + m_block; }
    size_t max_final_output() const override { return m_block; }

    Result<Bytes> update(ByteView in) override {
        m_total += in.size();
        if (m_mode == BlockMode::Ctr && m_limit != 0 && (m_total + m_block - 1) / m_block > m_limit)
            return error(Err::DataLenRange, "CTR counter would wrap");
        Bytes out(in.size() + m_block);
        int len = 0;
        if (EVP_CipherUpdate(m_ctx.get(), out.data(), &len, in.data(),
                             static_cast<int>(in.size())) != 1)
            return ossl_error("cipher update", Err::FunctionFailed);
        out.resize(static_cast<size_t>(len));
        return out;
    }

    Result<Bytes> final() override {
        bool unpadded = m_mode == BlockMode::Ecb || m_mode == BlockMode::Cbc;
        if (unpadded && m_total % m_block != 0)
            return error(m_encrypt ? Err::DataLenRange : Err::EncryptedDataLenRange,
                         "input is not a whole number of blocks");
        if (m_mode == BlockMode::CbcPad && !m_encrypt && (m_total == 0 || m_total % m_block != 0))
            return error(Err::EncryptedDataLenRange, "padded ciphertext is not whole blocks");
        Bytes out(m_block);
        int len = 0;
        if (EVP_CipherFinal_ex(m_ctx.get(), out.data(), &len) != 1) {
            ossl_clear_errors();
            return error(Err::EncryptedDataInvalid, "bad padding");
        }
        out.resize(static_cast<size_t>(len));
        return out;
    }

private:
    CipherCtxPtr m_ctx;
    BlockMode m_mode;
    bool m_encrypt;
    size_t m_block;
    uint64_t m_limit;
    size_t m_total = 0;
};

class MacSignOp final : public SignOp {
public:
    MacSignOp(MacCtxPtr ctx, size_t len) : m_ctx(std::move(ctx)), m_len(len) {}
    size_t signature_size() const override { return m_len; }
    Status update(ByteView data) override {
        if (EVP_MAC_update(m_ctx.get(), data.data(), data.size()) != 1)
            return ossl_error("MAC update", Err::FunctionFailed);
        return {};
    }
    Result<Bytes> final() override {
        Bytes out(m_len);
        size_t len = 0;
        if (EVP_MAC_final(m_ctx.get(), out.data(), &len, out.size()) != 1)
            return ossl_error("MAC final", Err::FunctionFailed);
        out.resize(len);
        return out;
    }

private:
    MacCtxPtr m_ctx;
    size_t m_len;
};

class MacVerifyOp final : public VerifyOp {
public:
    MacVerifyOp(MacCtxPtr ctx, size_t len) : m_sign(std::move(ctx), len), m_len(len) {}
    Status update(ByteView data) override { return m_sign.update(data); }
    Status final(ByteView signature) override {
        if (signature.size() != m_len)
            return error(Err::SignatureLenRange, "MAC must be " + std::to_string(m_len) + " bytes");
        SR_ASSIGN_OR_RETURN(Bytes mac, m_sign.final());
        if (!equal_ct(mac, signature)) return error(Err::SignatureInvalid);
        return {};
    }

private:
    MacSignOp m_sign;
    size_t m_len;
};

Result<MacCtxPtr> mac_ctx(EVP_MAC* mac, const OSSL_PARAM* params, const SecretBytes& key) {
    MacCtxPtr ctx(mac ? EVP_MAC_CTX_new(mac) : nullptr);
    if (!ctx || EVP_MAC_init(ctx.get(), key.data(), key.size(), params) != 1)
        return ossl_error("starting MAC", Err::FunctionFailed);
    return ctx;
}

}  // namespace

Result<std::unique_ptr<CipherOp>> make_block_cipher(const EVP_CIPHER* cipher,
                                                    const SecretBytes& key, ByteView iv,
                                                    BlockMode mode, bool encrypt,
                                                    uint64_t ctr_block_limit) {
    if (!cipher) return error(Err::MechanismInvalid, "cipher not available in this OpenSSL");
    if (static_cast<size_t>(EVP_CIPHER_get_key_length(cipher)) != key.size())
        return error(Err::KeySizeRange, "key length does not fit the cipher");
    size_t iv_len = static_cast<size_t>(EVP_CIPHER_get_iv_length(cipher));
    if (iv.size() != iv_len)
        return bad_param("IV must be " + std::to_string(iv_len) + " bytes");
    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    if (!ctx || EVP_CipherInit_ex2(ctx.get(), cipher, key.data(), iv.empty() ? nullptr : iv.data(),
                                   encrypt ? 1 : 0, nullptr) != 1 ||
        EVP_CIPHER_CTX_set_padding(ctx.get(), mode == BlockMode::CbcPad ? 1 : 0) != 1)
        return ossl_error("starting cipher", Err::FunctionFailed);
    size_t block = static_cast<size_t>(EVP_CIPHER_get_block_size(cipher));
    if (mode == BlockMode::Ctr) block = 16;  // CTR reports block size 1; the counter moves per 16
    return std::unique_ptr<CipherOp>(
        std::make_unique<BlockCipherOp>(std::move(ctx), mode, encrypt, block, ctr_block_limit));
}

Result<std::unique_ptr<SignOp>> make_mac_sign(EVP_MAC* mac, const OSSL_PARAM* params,
                                              const SecretBytes& key, size_t mac_len) {
    SR_ASSIGN_OR_RETURN(MacCtxPtr ctx, mac_ctx(mac, params, key));
    return std::unique_ptr<SignOp>(std::make_unique<MacSignOp>(std::move(ctx), mac_len));
}

Result<std::unique_ptr<VerifyOp>> make_mac_verify(EVP_MAC* mac, const OSSL_PARAM* params,
                                                  const SecretBytes& key, size_t mac_len) {
    SR_ASSIGN_OR_RETURN(MacCtxPtr ctx, mac_ctx(mac, params, key));
    return std::unique_ptr<VerifyOp>(std::make_unique<MacVerifyOp>(std::move(ctx), mac_len));
}

Result<SecretBytes> random_key_value(size_t len) { return random_secret(len); }

namespace {
Err remap(Err e, Err len_err, Err data_err) {
    if (e == Err::DataLenRange || e == Err::EncryptedDataLenRange) return len_err;
    if (e == Err::EncryptedDataInvalid) return data_err;
    return e;
}

void wipe(Bytes& b) {
    explicit_bzero(b.data(), b.size());
    b.clear();
}
}  // namespace

Result<Bytes> wrap_with(Result<std::unique_ptr<CipherOp>> op, ByteView material) {
    if (!op) return op.status();
    auto out = (*op)->update(material);
    if (!out) return error(remap(out.code(), Err::KeySizeRange, Err::KeySizeRange), out.status().message());
    auto last = (*op)->final();
    if (!last)
        return error(remap(last.code(), Err::KeySizeRange, Err::KeySizeRange), last.status().message());
    out->insert(out->end(), last->begin(), last->end());
    return std::move(*out);
}

Result<SecretBytes> unwrap_with(Result<std::unique_ptr<CipherOp>> op, ByteView wrapped) {
    if (!op) return op.status();
    auto out = (*op)->update(wrapped);
    if (!out)
        return error(remap(out.code(), Err::WrappedKeyLenRange, Err::WrappedKeyInvalid),
                     out.status().message());
    auto last = (*op)->final();
    if (!last) {
        wipe(*out);
        return error(remap(last.code(), Err::WrappedKeyLenRange, Err::WrappedKeyInvalid),
                     last.status().message());
    }
    // CipherOp hands back plain Bytes; move the key into secret storage and wipe the copies.
    SecretBytes key(*out);
    key.append(*last);
    wipe(*out);
    wipe(*last);
    return key;
}

Result<Bytes> CipherModeImpl::wrap(const MechParams& p, const Key& k, ByteView material) const {
    return wrap_with(start(p, k, true), material);
}

Result<SecretBytes> CipherModeImpl::unwrap(const MechParams& p, const Key& k,
                                           ByteView wrapped) const {
    return unwrap_with(start(p, k, false), wrapped);
}

}  // namespace sr::crypto::detail
