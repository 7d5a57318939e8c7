// RSA: key pair generation, PKCS#1 v1.5, PSS, OAEP and raw (X.509) encryption and signatures.
#include <openssl/core_names.h>
#include <openssl/rsa.h>

#include "crypto/mech_internal.h"

namespace sr::crypto::detail {
namespace {

constexpr KeyType kRsa[] = {KeyType::Rsa};
constexpr size_t kMinBits = 1024;
constexpr size_t kMaxBits = 4096;
constexpr size_t kPkcs1Overhead = 11;  // PKCS#1 v1.5 padding: at least 8 random bytes + 3

Status ctx_ok(int rc, std::string_view what) {
    if (rc > 0) return {};
    return ossl_error(what, Err::MechanismParamInvalid);
}

// ---- Padding configurations, applied to a freshly initialised context.

CtxSetup pkcs1_setup() {
    return [](EVP_PKEY_CTX* c) {
        return ctx_ok(EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING), "PKCS#1 padding");
    };
}

CtxSetup no_padding_setup() {
    return [](EVP_PKEY_CTX* c) {
        return ctx_ok(EVP_PKEY_CTX_set_rsa_padding(c, RSA_NO_PADDING), "raw RSA");
    };
}

Result<CtxSetup> pss_setup(const MechParams& params, const Key& key, std::optional<Hash> fixed,
                           bool set_md) {
    const auto* p = param_as<PssParams>(params);
    if (!p) return bad_param("RSA-PSS needs CK_RSA_PKCS_PSS_PARAMS");
    if (fixed && p->hash != *fixed) return bad_param("PSS hashAlg must match the mechanism");
    // RFC 8017 §9.1.1: emLen >= hLen + sLen + 2, emLen = ceil((modBits - 1) / 8).
    size_t em_len = (key.bits() - 1 + 7) / 8;
    if (p->salt_len + hash_size(p->hash) + 2 > em_len) return bad_param("PSS salt too long");
    PssParams copy = *p;
    return CtxSetup([copy, set_md](EVP_PKEY_CTX* c) -> Status {
        SR_TRY(ctx_ok(EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PSS_PADDING), "PSS padding"));
        if (set_md) SR_TRY(ctx_ok(EVP_PKEY_CTX_set_signature_md(c, md_of(copy.hash)), "PSS hash"));
        SR_TRY(ctx_ok(EVP_PKEY_CTX_set_rsa_mgf1_md(c, md_of(copy.mgf_hash)), "PSS MGF1 hash"));
        return ctx_ok(EVP_PKEY_CTX_set_rsa_pss_saltlen(c, static_cast<int>(copy.salt_len)),
                      "PSS salt length");
    });
}

Result<CtxSetup> oaep_setup(const MechParams& params) {
    const auto* p = param_as<OaepParams>(params);
    if (!p) return bad_param("RSA-OAEP needs CK_RSA_PKCS_OAEP_PARAMS");
    OaepParams copy = *p;
    return CtxSetup([copy](EVP_PKEY_CTX* c) -> Status {
        SR_TRY(ctx_ok(EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_OAEP_PADDING), "OAEP padding"));
        SR_TRY(ctx_ok(EVP_PKEY_CTX_set_rsa_oaep_md(c, md_of(copy.hash)), "OAEP hash"));
        SR_TRY(ctx_ok(EVP_PKEY_CTX_set_rsa_mgf1_md(c, md_of(copy.mgf_hash)), "OAEP MGF1 hash"));
        if (copy.label.empty()) return {};
        // The OSSL_PARAM form copies the label, so no ownership transfer is involved.
        OSSL_PARAM ps[] = {OSSL_PARAM_construct_octet_string(OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL,
                                                             const_cast<uint8_t*>(copy.label.data()),
                                                             copy.label.size()),
                           OSSL_PARAM_construct_end()};
        return ctx_ok(EVP_PKEY_CTX_set_params(c, ps), "OAEP label");
    });
}

// ---- Encryption (always single-part for RSA).

enum class Pad : uint8_t { Pkcs1, Oaep, Raw };

struct RsaCipherSpec {
    Pad pad;
    size_t max_plain;  // largest plaintext for this key
};

RsaCipherSpec cipher_spec(Pad pad, const Key& key, const MechParams& params) {
    size_t k = rsa_bytes(key);
    size_t max = k;
    if (pad == Pad::Pkcs1) max = k > kPkcs1Overhead ? k - kPkcs1Overhead : 0;
    if (pad == Pad::Oaep) {
        const auto* p = param_as<OaepParams>(params);
        size_t h = p ? hash_size(p->hash) : 0;
        max = k > 2 * h + 2 ? k - 2 * h - 2 : 0;
    }
    return {pad, max};
}

Result<PkeyCtxPtr> cipher_ctx(const Key& key, bool encrypt, const CtxSetup& setup) {
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.pkey(), nullptr));
    int rc = !ctx ? 0 : encrypt ? EVP_PKEY_encrypt_init(ctx.get()) : EVP_PKEY_decrypt_init(ctx.get());
    if (rc != 1) return ossl_error("starting RSA operation", Err::KeyTypeInconsistent);
    Status s = setup(ctx.get());
    if (!s) {
        ossl_clear_errors();
        return s;
    }
    return ctx;
}

Result<Bytes> rsa_encrypt(EVP_PKEY_CTX* ctx, const RsaCipherSpec& spec, size_t k, ByteView in) {
    if (in.size() > spec.max_plain)
        return error(Err::DataLenRange, "input too long for this RSA key and padding");
    SecretBytes padded;
    if (spec.pad == Pad::Raw) {
        // Raw RSA (CKM_RSA_X_509) takes shorter input as a big-endian number.
        padded = SecretBytes(k);
        std::copy(in.begin(), in.end(), padded.data() + (k - in.size()));
        in = padded.span();
    }
    Bytes out(k);
    size_t len = out.size();
    if (EVP_PKEY_encrypt(ctx, out.data(), &len, in.data(), in.size()) != 1)
        return ossl_error("RSA encrypt", Err::DataInvalid);
    out.resize(len);
    return out;
}

// Decrypt into secret storage. Bad padding -> `bad`.
Result<SecretBytes> rsa_decrypt(EVP_PKEY_CTX* ctx, size_t k, ByteView in, Err bad_len, Err bad) {
    if (in.size() != k) return error(bad_len, "ciphertext must be the modulus length");
    SecretBytes out(k);
    size_t len = out.size();
    if (EVP_PKEY_decrypt(ctx, out.data(), &len, in.data(), in.size()) != 1) {
        ossl_clear_errors();
        return error(bad, "RSA decryption failed");
    }
    out.resize(len);
    return out;
}

class RsaCipherOp final : public CipherOp {
public:
    RsaCipherOp(PkeyCtxPtr ctx, bool encrypt, RsaCipherSpec spec, size_t k)
        : m_ctx(std::move(ctx)), m_encrypt(encrypt), m_spec(spec), m_k(k) {}
    size_t max_update_output(size_t) const override { return 0; }
    size_t max_final_output() const override { return m_k; }
    Result<Bytes> update(ByteView in) override {
        m_buf.append(in);
        return Bytes{};
    }
    Result<Bytes> final() override {
        if (m_encrypt) return rsa_encrypt(m_ctx.get(), m_spec, m_k, m_buf.span());
        SR_ASSIGN_OR_RETURN(SecretBytes plain,
                            rsa_decrypt(m_ctx.get(), m_k, m_buf.span(),
                                        Err::EncryptedDataLenRange, Err::EncryptedDataInvalid));
        return Bytes(plain.span().begin(), plain.span().end());
    }

private:
    PkeyCtxPtr m_ctx;
    bool m_encrypt;
    RsaCipherSpec m_spec;
    size_t m_k;
    SecretBytes m_buf;
};

// ---- Raw RSA signatures (CKM_RSA_X_509): the "signature" is the private-key operation on the
// input read as a number, so it is implemented as raw decrypt / encrypt-and-compare.

class RawSignOp final : public SignOp {
public:
    RawSignOp(PkeyCtxPtr ctx, size_t k) : m_ctx(std::move(ctx)), m_k(k) {}
    size_t signature_size() const override { return m_k; }
    Status update(ByteView data) override {
        m_buf.insert(m_buf.end(), data.begin(), data.end());
        return {};
    }
    Result<Bytes> final() override {
        if (m_buf.size() > m_k) return error(Err::DataLenRange, "input longer than the modulus");
        Bytes in(m_k);
        std::copy(m_buf.begin(), m_buf.end(), in.begin() + static_cast<long>(m_k - m_buf.size()));
        SR_ASSIGN_OR_RETURN(SecretBytes s,
                            rsa_decrypt(m_ctx.get(), m_k, in, Err::DataLenRange, Err::DataInvalid));
        return Bytes(s.span().begin(), s.span().end());
    }

private:
    PkeyCtxPtr m_ctx;
    size_t m_k;
    Bytes m_buf;
};

class RawVerifyOp final : public VerifyOp {
public:
    RawVerifyOp(PkeyCtxPtr ctx, size_t k) : m_ctx(std::move(ctx)), m_k(k) {}
    Status update(ByteView data) override {
        m_buf.insert(m_buf.end(), data.begin(), data.end());
        return {};
    }
    Status final(ByteView signature) override {
        if (m_buf.size() > m_k) return error(Err::DataLenRange, "input longer than the modulus");
        if (signature.size() != m_k) return error(Err::SignatureLenRange);
        Bytes recovered(m_k);
        size_t len = recovered.size();
        if (EVP_PKEY_encrypt(m_ctx.get(), recovered.data(), &len, signature.data(),
                             signature.size()) != 1) {
            ossl_clear_errors();
            return error(Err::SignatureInvalid);
        }
        Bytes expect(m_k);
        std::copy(m_buf.begin(), m_buf.end(), expect.begin() + static_cast<long>(m_k - m_buf.size()));
        if (len != m_k || !equal_ct(recovered, expect)) return error(Err::SignatureInvalid);
        return {};
    }

private:
    PkeyCtxPtr m_ctx;
    size_t m_k;
    Bytes m_buf;
};

// ---- Mechanism implementations.

class RsaKeyPairGen final : public MechImpl {
public:
    Result<KeyPair> generate_key_pair(const KeyGenParams& p) const override {
        if (p.bits == 0) return missing("CKA_MODULUS_BITS");
        if (p.bits < kMinBits || p.bits > kMaxBits)
            return error(Err::KeySizeRange, "RSA modulus must be 1024..4096 bits");
        Bytes e = p.public_exponent.empty() ? Bytes{0x01, 0x00, 0x01} : p.public_exponent;
        SR_ASSIGN_OR_RETURN(BnPtr bn_e, to_bn(e));
        if (!BN_is_odd(bn_e.get()) || BN_is_one(bn_e.get()))
            return error(Err::AttributeValueInvalid, "RSA public exponent must be odd and > 1");
        PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, keymgmt_name(KeyType::Rsa), nullptr));
        EVP_PKEY* raw = nullptr;
        if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
            EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), static_cast<int>(p.bits)) != 1 ||
            EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx.get(), bn_e.get()) != 1 ||
            EVP_PKEY_generate(ctx.get(), &raw) != 1)
            return ossl_error("RSA key generation", Err::FunctionFailed);
        Key priv = Key::private_key(KeyType::Rsa, PkeyPtr(raw));
        SR_ASSIGN_OR_RETURN(Key pub, public_of(priv));
        return KeyPair{std::move(pub), std::move(priv)};
    }
};

// One class for the three encryption paddings; `pad` selects the behaviour.
// Public-key RSA operation with the signature's padding removed (PKCS#1 v1.5 type 1, or none
// for CKM_RSA_X_509, whose recovered data is the full modulus-length block).
class RsaRecoverOp final : public VerifyRecoverOp {
public:
    RsaRecoverOp(PkeyCtxPtr ctx, size_t k) : m_ctx(std::move(ctx)), m_k(k) {}
    Result<Bytes> recover(ByteView signature) override {
        if (signature.size() != m_k)
            return error(Err::SignatureLenRange, "signature must be the modulus length");
        Bytes out(m_k);
        size_t len = out.size();
        if (EVP_PKEY_verify_recover(m_ctx.get(), out.data(), &len, signature.data(),
                                    signature.size()) != 1) {
            ossl_clear_errors();
            return error(Err::SignatureInvalid, "the signature does not verify");
        }
        out.resize(len);
        return out;
    }

private:
    PkeyCtxPtr m_ctx;
    size_t m_k;
};

class RsaCipherMech final : public MechImpl {
public:
    explicit RsaCipherMech(Pad pad) : m_pad(pad) {}

    Result<std::unique_ptr<CipherOp>> encrypt(const MechParams& p, const Key& k) const override {
        return start(p, k, true);
    }
    Result<std::unique_ptr<CipherOp>> decrypt(const MechParams& p, const Key& k) const override {
        return start(p, k, false);
    }
    Result<Bytes> wrap(const MechParams& p, const Key& k, ByteView material) const override {
        SR_ASSIGN_OR_RETURN(CtxSetup setup, setup_for(p));
        SR_ASSIGN_OR_RETURN(PkeyCtxPtr ctx, cipher_ctx(k, true, setup));
        auto spec = cipher_spec(m_pad, k, p);
        if (material.size() > spec.max_plain)
            return error(Err::KeySizeRange, "key too long to wrap with this RSA key");
        return rsa_encrypt(ctx.get(), spec, rsa_bytes(k), material);
    }
    Result<SecretBytes> unwrap(const MechParams& p, const Key& k, ByteView wrapped) const override {
        SR_ASSIGN_OR_RETURN(CtxSetup setup, setup_for(p));
        SR_ASSIGN_OR_RETURN(PkeyCtxPtr ctx, cipher_ctx(k, false, setup));
        return rsa_decrypt(ctx.get(), rsa_bytes(k), wrapped, Err::WrappedKeyLenRange,
                           Err::WrappedKeyInvalid);
    }
    Result<std::unique_ptr<SignOp>> sign(const MechParams& p, const Key& k) const override {
        SR_TRY(expect_no_params(p));
        if (m_pad == Pad::Raw) {
            SR_ASSIGN_OR_RETURN(PkeyCtxPtr ctx, cipher_ctx(k, false, no_padding_setup()));
            return std::unique_ptr<SignOp>(std::make_unique<RawSignOp>(std::move(ctx),
                                                                       rsa_bytes(k)));
        }
        return make_pkey_sign(k, pkcs1_setup(), pkcs1_input_check(k), {}, rsa_bytes(k));
    }
    Result<std::unique_ptr<VerifyOp>> verify(const MechParams& p, const Key& k) const override {
        SR_TRY(expect_no_params(p));
        if (m_pad == Pad::Raw) {
            SR_ASSIGN_OR_RETURN(PkeyCtxPtr ctx, cipher_ctx(k, true, no_padding_setup()));
            return std::unique_ptr<VerifyOp>(std::make_unique<RawVerifyOp>(std::move(ctx),
                                                                           rsa_bytes(k)));
        }
        return make_pkey_verify(k, pkcs1_setup(), pkcs1_input_check(k),
                                SigCodec{rsa_bytes(k), 0});
    }

    Result<std::unique_ptr<VerifyRecoverOp>> verify_recover(const MechParams& p,
                                                            const Key& k) const override {
        SR_TRY(expect_no_params(p));
        PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, k.pkey(), nullptr));
        if (!ctx || EVP_PKEY_verify_recover_init(ctx.get()) != 1)
            return ossl_error("starting RSA verify-recover", Err::KeyTypeInconsistent);
        SR_TRY((m_pad == Pad::Raw ? no_padding_setup() : pkcs1_setup())(ctx.get()));
        return std::unique_ptr<VerifyRecoverOp>(
            std::make_unique<RsaRecoverOp>(std::move(ctx), rsa_bytes(k)));
    }

private:
    static InputCheck pkcs1_input_check(const Key& k) {
        size_t max = rsa_bytes(k) - kPkcs1Overhead;
        return [max](ByteView in) -> Status {
            if (in.size() > max) return error(Err::DataLenRange, "input too long for PKCS#1");
            return {};
        };
    }
    Result<CtxSetup> setup_for(const MechParams& p) const {
        if (m_pad == Pad::Oaep) return oaep_setup(p);
        SR_TRY(expect_no_params(p));
        return m_pad == Pad::Pkcs1 ? pkcs1_setup() : no_padding_setup();
    }
    Result<std::unique_ptr<CipherOp>> start(const MechParams& p, const Key& k, bool enc) const {
        SR_ASSIGN_OR_RETURN(CtxSetup setup, setup_for(p));
        SR_ASSIGN_OR_RETURN(PkeyCtxPtr ctx, cipher_ctx(k, enc, setup));
        return std::unique_ptr<CipherOp>(std::make_unique<RsaCipherOp>(
            std::move(ctx), enc, cipher_spec(m_pad, k, p), rsa_bytes(k)));
    }
    Pad m_pad;
};

// CKM_RSA_PKCS_PSS: the input is already a hash of params.hash.
class RsaPssRaw final : public MechImpl {
public:
    Result<std::unique_ptr<SignOp>> sign(const MechParams& p, const Key& k) const override {
        SR_ASSIGN_OR_RETURN(CtxSetup setup, pss_setup(p, k, std::nullopt, true));
        return make_pkey_sign(k, setup, hash_len_check(p), {}, rsa_bytes(k));
    }
    Result<std::unique_ptr<VerifyOp>> verify(const MechParams& p, const Key& k) const override {
        SR_ASSIGN_OR_RETURN(CtxSetup setup, pss_setup(p, k, std::nullopt, true));
        return make_pkey_verify(k, setup, hash_len_check(p), SigCodec{rsa_bytes(k), 0});
    }

private:
    static InputCheck hash_len_check(const MechParams& p) {
        size_t want = hash_size(param_as<PssParams>(p)->hash);
        return [want](ByteView in) -> Status {
            if (in.size() != want) return error(Err::DataLenRange, "input must be one hash");
            return {};
        };
    }
};

// SHAx_RSA_PKCS and SHAx_RSA_PKCS_PSS: hash and sign, multi-part.
class RsaHashSign final : public MechImpl {
public:
    RsaHashSign(Hash h, bool pss) : m_hash(h), m_pss(pss) {}
    Result<std::unique_ptr<SignOp>> sign(const MechParams& p, const Key& k) const override {
        SR_ASSIGN_OR_RETURN(CtxSetup setup, setup_for(p, k));
        return make_digest_sign(k, md_of(m_hash), setup, {}, rsa_bytes(k));
    }
    Result<std::unique_ptr<VerifyOp>> verify(const MechParams& p, const Key& k) const override {
        SR_ASSIGN_OR_RETURN(CtxSetup setup, setup_for(p, k));
        return make_digest_verify(k, md_of(m_hash), setup, SigCodec{rsa_bytes(k), 0});
    }

private:
    Result<CtxSetup> setup_for(const MechParams& p, const Key& k) const {
        if (m_pss) return pss_setup(p, k, m_hash, false);
        SR_TRY(expect_no_params(p));
        // PKCS#1 v1.5 is the default padding of a fresh RSA context: nothing to configure.
        return CtxSetup{};
    }
    Hash m_hash;
    bool m_pss;
};

MechanismInfo info(MechanismId id, std::string_view name, uint32_t flags, bool single) {
    return MechanismInfo{id, name, flags, kRsa, kMinBits, kMaxBits, single};
}

}  // namespace

Result<Bytes> rsa_oaep_encrypt(const Key& pub, const OaepParams& p, ByteView in) {
    MechParams params = p;
    SR_ASSIGN_OR_RETURN(CtxSetup setup, oaep_setup(params));
    SR_ASSIGN_OR_RETURN(PkeyCtxPtr ctx, cipher_ctx(pub, true, setup));
    return rsa_encrypt(ctx.get(), cipher_spec(Pad::Oaep, pub, params), rsa_bytes(pub), in);
}

Result<SecretBytes> rsa_oaep_decrypt(const Key& priv, const OaepParams& p, ByteView in,
                                     Err bad_len, Err bad) {
    MechParams params = p;
    SR_ASSIGN_OR_RETURN(CtxSetup setup, oaep_setup(params));
    SR_ASSIGN_OR_RETURN(PkeyCtxPtr ctx, cipher_ctx(priv, false, setup));
    return rsa_decrypt(ctx.get(), rsa_bytes(priv), in, bad_len, bad);
}

void add_rsa_mechanisms(MechDefs& out) {
    using namespace op;
    constexpr uint32_t kSV = kSign | kVerify;
    constexpr uint32_t kAll = kEncrypt | kDecrypt | kSign | kVerify | kWrap | kUnwrap;
    constexpr uint32_t kRecover = kSignRecover | kVerifyRecover;
    out.push_back({info(mech::kRsaPkcsKeyPairGen, "CKM_RSA_PKCS_KEY_PAIR_GEN", kGenerateKeyPair,
                        false),
                   std::make_shared<RsaKeyPairGen>()});
    out.push_back({info(mech::kRsaPkcs, "CKM_RSA_PKCS", kAll | kRecover, true),
                   std::make_shared<RsaCipherMech>(Pad::Pkcs1)});
    out.push_back({info(mech::kRsaX509, "CKM_RSA_X_509", kEncrypt | kDecrypt | kSV | kRecover, true),
                   std::make_shared<RsaCipherMech>(Pad::Raw)});
    out.push_back({info(mech::kRsaPkcsOaep, "CKM_RSA_PKCS_OAEP",
                        kEncrypt | kDecrypt | kWrap | kUnwrap, true),
                   std::make_shared<RsaCipherMech>(Pad::Oaep)});
    out.push_back({info(mech::kRsaPkcsPss, "CKM_RSA_PKCS_PSS", kSV, true),
                   std::make_shared<RsaPssRaw>()});
    struct HashMech {
        MechanismId id;
        std::string_view name;
        Hash hash;
        bool pss;
    };
    const HashMech hashed[] = {
        {mech::kSha1RsaPkcs, "CKM_SHA1_RSA_PKCS", Hash::Sha1, false},
        {mech::kSha224RsaPkcs, "CKM_SHA224_RSA_PKCS", Hash::Sha224, false},
        {mech::kSha256RsaPkcs, "CKM_SHA256_RSA_PKCS", Hash::Sha256, false},
        {mech::kSha384RsaPkcs, "CKM_SHA384_RSA_PKCS", Hash::Sha384, false},
        {mech::kSha512RsaPkcs, "CKM_SHA512_RSA_PKCS", Hash::Sha512, false},
        {mech::kSha1RsaPkcsPss, "CKM_SHA1_RSA_PKCS_PSS", Hash::Sha1, true},
        {mech::kSha224RsaPkcsPss, "CKM_SHA224_RSA_PKCS_PSS", Hash::Sha224, true},
        {mech::kSha256RsaPkcsPss, "CKM_SHA256_RSA_PKCS_PSS", Hash::Sha256, true},
        {mech::kSha384RsaPkcsPss, "CKM_SHA384_RSA_PKCS_PSS", Hash::Sha384, true},
        {mech::kSha512RsaPkcsPss, "CKM_SHA512_RSA_PKCS_PSS", Hash::Sha512, true},
    };
    for (const auto& h : hashed)
        out.push_back({info(h.id, h.name, kSV, false), std::make_shared<RsaHashSign>(h.hash, h.pss)});
}

}  // namespace sr::crypto::detail
