// Internals of the mechanism registry: the per-mechanism implementation interface, the
// registration functions of each family (mech_<family>.cpp), the fetched-once algorithm tables,
// and the operation building blocks the families share. Not a public API.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "crypto/key_internal.h"
#include "crypto/mechanism.h"

namespace sr::crypto::detail {

// One mechanism's behaviour. The registry calls an entry point only after checking the
// capability flag, the key type and half, and the key size, so implementations check only their
// parameters and inputs. Implementations are immutable and shared by all threads.
class MechImpl {
public:
    virtual ~MechImpl() = default;
    virtual Result<std::unique_ptr<CipherOp>> encrypt(const MechParams& p, const Key& k) const;
    virtual Result<std::unique_ptr<CipherOp>> decrypt(const MechParams& p, const Key& k) const;
    virtual Result<std::unique_ptr<SignOp>> sign(const MechParams& p, const Key& k) const;
    virtual Result<std::unique_ptr<VerifyOp>> verify(const MechParams& p, const Key& k) const;
    virtual Result<std::unique_ptr<DigestOp>> digest(const MechParams& p) const;
    // Mechanisms with op::kSignRecover sign through sign(): the ones implemented (raw and
    // PKCS#1 v1.5 RSA) sign the data itself, so the signature recovers it.
    virtual Result<std::unique_ptr<VerifyRecoverOp>> verify_recover(const MechParams& p,
                                                                    const Key& k) const;
    virtual Result<Key> generate_key(KeyType type, const KeyGenParams& p) const;
    virtual Result<KeyPair> generate_key_pair(const KeyGenParams& p) const;
    virtual Result<Bytes> wrap(const MechParams& p, const Key& k, ByteView material) const;
    virtual Result<SecretBytes> unwrap(const MechParams& p, const Key& k, ByteView wrapped) const;
    virtual Result<SecretBytes> derive(const MechParams& p, const Key& k) const;
};

// A block-cipher mode: encryption, decryption and wrapping all start the same cipher operation,
// so a mode implements start() once and inherits the four entry points.
class CipherModeImpl : public MechImpl {
public:
    Result<std::unique_ptr<CipherOp>> encrypt(const MechParams& p, const Key& k) const final {
        return start(p, k, true);
    }
    Result<std::unique_ptr<CipherOp>> decrypt(const MechParams& p, const Key& k) const final {
        return start(p, k, false);
    }
    Result<Bytes> wrap(const MechParams& p, const Key& k, ByteView material) const final;
    Result<SecretBytes> unwrap(const MechParams& p, const Key& k, ByteView wrapped) const final;

protected:
    virtual Result<std::unique_ptr<CipherOp>> start(const MechParams& p, const Key& k,
                                                    bool encrypt) const = 0;
};

struct MechDef {
    MechanismInfo info;
    std::shared_ptr<const MechImpl> impl;
};
using MechDefs = std::vector<MechDef>;

// Each family appends its descriptors.
void add_rsa_mechanisms(MechDefs& out);
void add_ec_mechanisms(MechDefs& out);
void add_eddsa_mechanisms(MechDefs& out);
void add_dsa_mechanisms(MechDefs& out);
void add_aes_mechanisms(MechDefs& out);
void add_des3_mechanisms(MechDefs& out);
void add_hmac_mechanisms(MechDefs& out);
void add_digest_mechanisms(MechDefs& out);
void add_wrap_mechanisms(MechDefs& out);

// ---- Algorithm objects fetched once (EVP_MD / EVP_CIPHER are immutable and thread-safe).
const EVP_MD* md_of(Hash h) noexcept;
// "AES-128-GCM", "DES-EDE3-CBC", ...; nullptr when the provider lacks it.
const EVP_CIPHER* cipher_named(std::string_view name) noexcept;

// ---- Parameter helpers.
template <class T>
const T* param_as(const MechParams& p) noexcept {
    return std::get_if<T>(&p);
}
inline Status bad_param(std::string_view what) {
    return error(Err::MechanismParamInvalid, std::string(what));
}
Status expect_no_params(const MechParams& p);

// ---- Shared operation shapes.

// Configures a freshly initialised EVP_PKEY_CTX (padding, salt length, ...).
using CtxSetup = std::function<Status(EVP_PKEY_CTX*)>;

// How signature bytes differ between PKCS#11 and OpenSSL.
struct SigCodec {
    size_t fixed_len = 0;    // expected signature length (0 = not checked here)
    size_t half_width = 0;   // > 0: PKCS#11 r||s with halves of this width <-> OpenSSL DER
};
Result<Bytes> der_sig_to_raw(ByteView der, size_t half_width);
Result<Bytes> raw_sig_to_der(ByteView raw, size_t half_width);

// Hash-then-sign through EVP_DigestSign* (multi-part). `md` may be null for algorithms that
// hash internally (EdDSA), in which case data is buffered and signed in one shot at final().
Result<std::unique_ptr<SignOp>> make_digest_sign(const Key& key, const EVP_MD* md,
                                                 const CtxSetup& setup, SigCodec codec,
                                                 size_t sig_size);
Result<std::unique_ptr<VerifyOp>> make_digest_verify(const Key& key, const EVP_MD* md,
                                                     const CtxSetup& setup, SigCodec codec);

// Sign already-prepared input with EVP_PKEY_sign (raw RSA, CKM_RSA_PKCS, CKM_ECDSA, CKM_DSA):
// single-part mechanisms, so input is buffered until final(). `check_input` validates the
// whole input's length (DataLenRange) before signing.
using InputCheck = std::function<Status(ByteView)>;
Result<std::unique_ptr<SignOp>> make_pkey_sign(const Key& key, CtxSetup setup,
                                               InputCheck check_input, SigCodec codec,
                                               size_t sig_size);
Result<std::unique_ptr<VerifyOp>> make_pkey_verify(const Key& key, CtxSetup setup,
                                                   InputCheck check_input, SigCodec codec);

// Block-cipher modes shared by AES and DES3. `ctr_block_limit` (CTR only) is how many blocks may
// be processed before the counter field would wrap; 0 = unlimited.
enum class BlockMode : uint8_t { Ecb, Cbc, CbcPad, Ctr };
Result<std::unique_ptr<CipherOp>> make_block_cipher(const EVP_CIPHER* cipher,
                                                    const SecretBytes& key, ByteView iv,
                                                    BlockMode mode, bool encrypt,
                                                    uint64_t ctr_block_limit = 0);

// C_WrapKey / C_UnwrapKey through a block-cipher mode (PKCS#11 allows ECB, CBC and CBC-PAD):
// the material is encrypted / decrypted in one part and the cipher's length and padding errors
// become KeySizeRange / WrappedKeyLenRange / WrappedKeyInvalid.
Result<Bytes> wrap_with(Result<std::unique_ptr<CipherOp>> op, ByteView material);
Result<SecretBytes> unwrap_with(Result<std::unique_ptr<CipherOp>> op, ByteView wrapped);

// MAC sign/verify over EVP_MAC ("HMAC" with a digest, "CMAC" with a cipher). `mac_len` is the
// full output length; verification requires exactly that length.
Result<std::unique_ptr<SignOp>> make_mac_sign(EVP_MAC* mac, const OSSL_PARAM* params,
                                              const SecretBytes& key, size_t mac_len);
Result<std::unique_ptr<VerifyOp>> make_mac_verify(EVP_MAC* mac, const OSSL_PARAM* params,
                                                  const SecretBytes& key, size_t mac_len);

// Secret key generation shared by AES, DES3 and generic secrets.
Result<SecretBytes> random_key_value(size_t len);

// RSA-OAEP for CKM_RSA_AES_KEY_WRAP (mech_rsa.cpp). Decrypt failures map to `bad_len` (input not
// the modulus length) and `bad` (padding check failed).
Result<Bytes> rsa_oaep_encrypt(const Key& pub, const OaepParams& p, ByteView in);
Result<SecretBytes> rsa_oaep_decrypt(const Key& priv, const OaepParams& p, ByteView in,
                                     Err bad_len, Err bad);

// Size of the RSA modulus in bytes.
inline size_t rsa_bytes(const Key& k) { return (k.bits() + 7) / 8; }

}  // namespace sr::crypto::detail
