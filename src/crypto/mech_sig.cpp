// The signature operation shapes shared by the RSA, EC, EdDSA and DSA families: hash-and-sign
// through EVP_DigestSign*, sign-prepared-input through EVP_PKEY_sign, and the conversion between
// PKCS#11's fixed-width r||s and the DER form OpenSSL speaks.
#include <openssl/ec.h>

#include "crypto/mech_internal.h"

namespace sr::crypto::detail {
namespace {

using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG_free>>;

Status verify_result(int rc) {
    if (rc == 1) return {};
    ossl_clear_errors();
    return error(Err::SignatureInvalid);
}

Status check_len(const SigCodec& codec, ByteView sig) {
    if (codec.fixed_len != 0 && sig.size() != codec.fixed_len)
        return error(Err::SignatureLenRange, "signature must be " +
                                                 std::to_string(codec.fixed_len) + " bytes");
    return {};
}

Result<Bytes> finish_sig(Bytes sig, size_t len, const SigCodec& codec) {
    sig.resize(len);
    if (codec.half_width == 0) return sig;
    return der_sig_to_raw(sig, codec.half_width);
}

class DigestSignOp final : public SignOp {
public:
    DigestSignOp(MdCtxPtr ctx, bool one_shot, SigCodec codec, size_t sig_size, size_t der_max)
        : m_ctx(std::move(ctx)), m_one_shot(one_shot), m_codec(codec), m_sig_size(sig_size),
          m_der_max(der_max) {}
    size_t signature_size() const override { return m_sig_size; }
    Status update(ByteView data) override {
        if (m_one_shot) {
            m_buf.insert(m_buf.end(), data.begin(), data.end());
            return {};
        }
        if (EVP_DigestSignUpdate(m_ctx.get(), data.data(), data.size()) != 1)
            return ossl_error("sign update", Err::FunctionFailed);
        return {};
    }
    Result<Bytes> final() override {
        Bytes sig(m_der_max);
        size_t len = sig.size();
        int rc = m_one_shot ? EVP_DigestSign(m_ctx.get(), sig.data(), &len, m_buf.data(),
                                             m_buf.size())
                            : EVP_DigestSignFinal(m_ctx.get(), sig.data(), &len);
        if (rc != 1) return ossl_error("signing", Err::FunctionFailed);
        return finish_sig(std::move(sig), len, m_codec);
    }

private:
    MdCtxPtr m_ctx;
    bool m_one_shot;
    SigCodec m_codec;
    size_t m_sig_size;
    size_t m_der_max;
    Bytes m_buf;
};

class DigestVerifyOp final : public VerifyOp {
public:
    DigestVerifyOp(MdCtxPtr ctx, bool one_shot, SigCodec codec)
        : m_ctx(std::move(ctx)), m_one_shot(one_shot), m_codec(codec) {}
    Status update(ByteView data) override {
        if (m_one_shot) {
            m_buf.insert(m_buf.end(), data.begin(), data.end());
            return {};
        }
        if (EVP_DigestVerifyUpdate(m_ctx.get(), data.data(), data.size()) != 1)
            return ossl_error("verify update", Err::FunctionFailed);
        return {};
    }
    Status final(ByteView signature) override {
        SR_TRY(check_len(m_codec, signature));
        Bytes der;
        ByteView sig = signature;
        if (m_codec.half_width != 0) {
            auto converted = raw_sig_to_der(signature, m_codec.half_width);
            if (!converted) return error(Err::SignatureInvalid);
            der = std::move(*converted);
            sig = der;
        }
        int rc = m_one_shot ? EVP_DigestVerify(m_ctx.get(), sig.data(), sig.size(), m_buf.data(),
                                               m_buf.size())
                            : EVP_DigestVerifyFinal(m_ctx.get(), sig.data(), sig.size());
        return verify_result(rc);
    }

private:
    MdCtxPtr m_ctx;
    bool m_one_shot;
    SigCodec m_codec;
    Bytes m_buf;
};

class PkeySignOp final : public SignOp {
public:
    PkeySignOp(PkeyCtxPtr ctx, InputCheck check, SigCodec codec, size_t sig_size, size_t der_max)
        : m_ctx(std::move(ctx)), m_check(std::move(check)), m_codec(codec), m_sig_size(sig_size),
          m_der_max(der_max) {}
    size_t signature_size() const override { return m_sig_size; }
    Status update(ByteView data) override {
        m_buf.insert(m_buf.end(), data.begin(), data.end());
        return {};
    }
    Result<Bytes> final() override {
        if (m_check) SR_TRY(m_check(m_buf));
        Bytes sig(m_der_max);
        size_t len = sig.size();
        if (EVP_PKEY_sign(m_ctx.get(), sig.data(), &len, m_buf.data(), m_buf.size()) != 1)
            return ossl_error("signing", Err::FunctionFailed);
        return finish_sig(std::move(sig), len, m_codec);
    }

private:
    PkeyCtxPtr m_ctx;
    InputCheck m_check;
    SigCodec m_codec;
    size_t m_sig_size;
    size_t m_der_max;
    Bytes m_buf;
};

class PkeyVerifyOp final : public VerifyOp {
public:
    PkeyVerifyOp(PkeyCtxPtr ctx, InputCheck check, SigCodec codec)
        : m_ctx(std::move(ctx)), m_check(std::move(check)), m_codec(codec) {}
    Status update(ByteView data) override {
        m_buf.insert(m_buf.end(), data.begin(), data.end());
        return {};
    }
    Status final(ByteView signature) override {
        if (m_check) SR_TRY(m_check(m_buf));
        SR_TRY(check_len(m_codec, signature));
        Bytes der;
        ByteView sig = signature;
        if (m_codec.half_width != 0) {
            auto converted = raw_sig_to_der(signature, m_codec.half_width);
            if (!converted) return error(Err::SignatureInvalid);
            der = std::move(*converted);
            sig = der;
        }
        return verify_result(
            EVP_PKEY_verify(m_ctx.get(), sig.data(), sig.size(), m_buf.data(), m_buf.size()));
    }

private:
    PkeyCtxPtr m_ctx;
    InputCheck m_check;
    SigCodec m_codec;
    Bytes m_buf;
};

Status run_setup(const CtxSetup& setup, EVP_PKEY_CTX* pctx) {
    if (!setup) return {};
    Status s = setup(pctx);
    if (!s.is_ok()) ossl_clear_errors();
    return s;
}

size_t der_max_of(const Key& key) {
    int n = EVP_PKEY_get_size(key.pkey());
    return n > 0 ? static_cast<size_t>(n) : 0;
}

}  // namespace

Result<Bytes> der_sig_to_raw(ByteView der, size_t half_width) {
    const uint8_t* p = der.data();
    EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
    if (!sig) return ossl_error("decoding signature");
    Bytes out(2 * half_width);
    if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out.data(), static_cast<int>(half_width)) < 0 ||
        BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out.data() + half_width,
                     static_cast<int>(half_width)) < 0)
        return error(Err::GeneralError, "signature component wider than expected");
    return out;
}

Result<Bytes> raw_sig_to_der(ByteView raw, size_t half_width) {
    if (raw.size() != 2 * half_width) return error(Err::SignatureLenRange);
    EcdsaSigPtr sig(ECDSA_SIG_new());
    BIGNUM* r = BN_bin2bn(raw.data(), static_cast<int>(half_width), nullptr);
    BIGNUM* s = BN_bin2bn(raw.data() + half_width, static_cast<int>(half_width), nullptr);
    if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
        BN_free(r);
        BN_free(s);
        return ossl_error("encoding signature", Err::HostMemory);
    }
    int len = i2d_ECDSA_SIG(sig.get(), nullptr);
    if (len <= 0) return ossl_error("encoding signature");
    Bytes out(static_cast<size_t>(len));
    uint8_t* p = out.data();
    i2d_ECDSA_SIG(sig.get(), &p);
    return out;
}

Result<std::unique_ptr<SignOp>> make_digest_sign(const Key& key, const EVP_MD* md,
                                                 const CtxSetup& setup, SigCodec codec,
                                                 size_t sig_size) {
    MdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
    if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, key.pkey()) != 1)
        return ossl_error("starting signature", Err::KeyTypeInconsistent);
    SR_TRY(run_setup(setup, pctx));
    return std::unique_ptr<SignOp>(std::make_unique<DigestSignOp>(
        std::move(ctx), md == nullptr, codec, sig_size, der_max_of(key)));
}

Result<std::unique_ptr<VerifyOp>> make_digest_verify(const Key& key, const EVP_MD* md,
                                                     const CtxSetup& setup, SigCodec codec) {
    MdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, key.pkey()) != 1)
        return ossl_error("starting verification", Err::KeyTypeInconsistent);
    SR_TRY(run_setup(setup, pctx));
    return std::unique_ptr<VerifyOp>(
        std::make_unique<DigestVerifyOp>(std::move(ctx), md == nullptr, codec));
}

Result<std::unique_ptr<SignOp>> make_pkey_sign(const Key& key, CtxSetup setup,
                                               InputCheck check_input, SigCodec codec,
                                               size_t sig_size) {
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.pkey(), nullptr));
    if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1)
        return ossl_error("starting signature", Err::KeyTypeInconsistent);
    SR_TRY(run_setup(setup, ctx.get()));
    return std::unique_ptr<SignOp>(std::make_unique<PkeySignOp>(
        std::move(ctx), std::move(check_input), codec, sig_size, der_max_of(key)));
}

Result<std::unique_ptr<VerifyOp>> make_pkey_verify(const Key& key, CtxSetup setup,
                                                   InputCheck check_input, SigCodec codec) {
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.pkey(), nullptr));
    if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1)
        return ossl_error("starting verification", Err::KeyTypeInconsistent);
    SR_TRY(run_setup(setup, ctx.get()));
    return std::unique_ptr<VerifyOp>(
        std::make_unique<PkeyVerifyOp>(std::move(ctx), std::move(check_input), codec));
}

}  // namespace sr::crypto::detail
