// The signature operation shapes shared by the RSA, EC, EdDSA and DSA families: hash-and-sign
// through EVP_DigestSign*, sign-prepared-input through EVP_PKEY_sign, and the conversion between
// PKCS#11's fixed-width r||s and the DER form OpenSSL speaks.
#include <algorithm>

#include "crypto/mech_internal.h"

namespace sr::crypto::detail {
namespace {

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

// OpenSSL emits SEQUENCE { INTEGER r, INTEGER s }; parsed by hand because this runs on every
// ECDSA/DSA signature and the ASN.1 object route costs several allocations.
namespace {

// Reads a DER length at `pos` (short form or one/two long-form bytes).
bool read_len(ByteView in, size_t& pos, size_t& len) {
    if (pos >= in.size()) return false;
    uint8_t b = in[pos++];
    if (b < 0x80) {
        len = b;
        return true;
    }
    size_t n = b & 0x7F;
    if (n == 0 || n > 2 || pos + n > in.size()) return false;
    len = 0;
    for (size_t i = 0; i < n; ++i) len = (len << 8) | in[pos++];
    return true;
}

bool read_uint(ByteView in, size_t& pos, ByteView& value) {
    size_t len = 0;
    if (pos >= in.size() || in[pos++] != 0x02 || !read_len(in, pos, len) || len == 0 ||
        pos + len > in.size())
        return false;
    value = in.subspan(pos, len);
    pos += len;
    while (value.size() > 1 && value[0] == 0) value = value.subspan(1);
    return true;
}

void put_len(Bytes& out, size_t len) {
    if (len >= 0x80) out.push_back(0x81);
    out.push_back(static_cast<uint8_t>(len));
}

void put_uint(Bytes& out, ByteView v) {
    while (v.size() > 1 && v[0] == 0) v = v.subspan(1);
    bool pad = !v.empty() && (v[0] & 0x80) != 0;
    out.push_back(0x02);
    put_len(out, v.size() + (pad ? 1 : 0));
    if (pad) out.push_back(0);
    out.insert(out.end(), v.begin(), v.end());
}

}  // namespace

Result<Bytes> der_sig_to_raw(ByteView der, size_t half_width) {
    size_t pos = 0;
    size_t seq_len = 0;
    ByteView r, s;
    if (der.empty() || der[pos++] != 0x30 || !read_len(der, pos, seq_len) ||
        pos + seq_len != der.size() || !read_uint(der, pos, r) || !read_uint(der, pos, s) ||
        pos != der.size() || r.size() > half_width || s.size() > half_width)
        return error(Err::GeneralError, "unexpected signature encoding from OpenSSL");
    Bytes out(2 * half_width, 0);
    std::copy(r.begin(), r.end(), out.begin() + static_cast<long>(half_width - r.size()));
    std::copy(s.begin(), s.end(), out.end() - static_cast<long>(s.size()));
    return out;
}

Result<Bytes> raw_sig_to_der(ByteView raw, size_t half_width) {
    if (raw.size() != 2 * half_width || half_width > 120) return error(Err::SignatureLenRange);
    Bytes body;
    body.reserve(2 * half_width + 8);
    put_uint(body, raw.first(half_width));
    put_uint(body, raw.subspan(half_width));
    Bytes out{0x30};
    put_len(out, body.size());
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

Result<std::unique_ptr<SignOp>> make_digest_sign(const Key& key, const EVP_MD* md,
                                                 const CtxSetup& setup, SigCodec codec,
                                                 size_t sig_size) {
    MdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
    if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, key.pkey()) != 1)
        return ossl_error("starting signature", Err::KeyTypeInconsistent);
    // The context is used for exactly one final(), so OpenSSL need not duplicate it there.
    EVP_MD_CTX_set_flags(ctx.get(), EVP_MD_CTX_FLAG_FINALISE);
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
    EVP_MD_CTX_set_flags(ctx.get(), EVP_MD_CTX_FLAG_FINALISE);
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
