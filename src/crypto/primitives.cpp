#include "crypto/primitives.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include <charconv>
#include <string>
#include <vector>

#include "crypto/ossl.h"

namespace sr::crypto {

std::string_view hash_name(Hash h) noexcept {
    switch (h) {
        case Hash::Sha1: return "SHA1";
        case Hash::Sha224: return "SHA224";
        case Hash::Sha256: return "SHA256";
        case Hash::Sha384: return "SHA384";
        case Hash::Sha512: return "SHA512";
    }
    return "SHA256";
}

size_t hash_size(Hash h) noexcept {
    switch (h) {
        case Hash::Sha1: return 20;
        case Hash::Sha224: return 28;
        case Hash::Sha256: return 32;
        case Hash::Sha384: return 48;
        case Hash::Sha512: return 64;
    }
    return 32;
}

Status random_bytes(std::span<uint8_t> out) {
    if (out.empty()) return {};
    if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1)
        return ossl_error("RAND_bytes", Err::RandomNoRng);
    return {};
}

Result<SecretBytes> random_secret(size_t n) {
    SecretBytes s(n);
    SR_TRY(random_bytes(s.mutable_span()));
    return s;
}

Result<Bytes> random_public(size_t n) {
    Bytes b(n);
    SR_TRY(random_bytes(b));
    return b;
}

Result<Bytes> digest(Hash h, ByteView data) {
    Bytes out(hash_size(h));
    unsigned int len = 0;
    MdPtr md(EVP_MD_fetch(nullptr, hash_name(h).data(), nullptr));
    if (!md || EVP_Digest(data.data(), data.size(), out.data(), &len, md.get(), nullptr) != 1)
        return ossl_error("digest");
    out.resize(len);
    return out;
}

Result<Bytes> hmac(Hash h, ByteView key, ByteView data) {
    MacPtr mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
    if (!mac) return ossl_error("fetching HMAC");
    MacCtxPtr ctx(EVP_MAC_CTX_new(mac.get()));
    std::string name(hash_name(h));
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, name.data(), 0),
        OSSL_PARAM_construct_end()};
    Bytes out(hash_size(h));
    size_t len = 0;
    if (!ctx || EVP_MAC_init(ctx.get(), key.data(), key.size(), params) != 1 ||
        EVP_MAC_update(ctx.get(), data.data(), data.size()) != 1 ||
        EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) != 1)
        return ossl_error("HMAC");
    out.resize(len);
    return out;
}

Result<SecretBytes> hkdf(Hash h, ByteView ikm, ByteView salt, ByteView info, size_t out_len) {
    KdfPtr kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
    if (!kdf) return ossl_error("fetching HKDF");
    KdfCtxPtr ctx(EVP_KDF_CTX_new(kdf.get()));
    std::string name(hash_name(h));
    // OSSL_PARAM takes non-const pointers; OpenSSL only reads these buffers. An empty salt or
    // info is left out rather than passed as an empty octet string: OpenSSL refuses a null
    // buffer, and an absent salt is RFC 5869's default (HashLen zero bytes).
    OSSL_PARAM params[5];
    size_t n = 0;
    params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, name.data(), 0);
    params[n++] = OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_KEY, const_cast<uint8_t*>(ikm.data()), ikm.size());
    if (!salt.empty())
        params[n++] = OSSL_PARAM_construct_octet_string(
            OSSL_KDF_PARAM_SALT, const_cast<uint8_t*>(salt.data()), salt.size());
    if (!info.empty())
        params[n++] = OSSL_PARAM_construct_octet_string(
            OSSL_KDF_PARAM_INFO, const_cast<uint8_t*>(info.data()), info.size());
    params[n] = OSSL_PARAM_construct_end();
    SecretBytes out(out_len);
    if (!ctx || EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1)
        return ossl_error("HKDF");
    return out;
}

namespace {
constexpr size_t kNonce = 12;
constexpr size_t kTag = 16;

const EVP_CIPHER* aes256gcm() {
    // Fetched once; EVP_CIPHER objects are immutable and thread-safe after fetch.
    static EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    return cipher;
}
}  // namespace

Result<Bytes> seal(const SecretBytes& key, ByteView aad, ByteView plaintext) {
    if (key.size() != 32) return error(Err::KeySizeRange, "seal key must be 32 bytes");
    Bytes out(kNonce + plaintext.size() + kTag);
    SR_TRY(random_bytes(std::span(out.data(), kNonce)));
    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    int len = 0;
    if (!ctx || !aes256gcm() ||
        EVP_EncryptInit_ex2(ctx.get(), aes256gcm(), key.data(), out.data(), nullptr) != 1 ||
        (!aad.empty() &&
         EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) !=
             1) ||
        EVP_EncryptUpdate(ctx.get(), out.data() + kNonce, &len, plaintext.data(),
                          static_cast<int>(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), out.data() + kNonce + len, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag,
                            out.data() + kNonce + plaintext.size()) != 1)
        return ossl_error("AES-GCM seal");
    return out;
}

Result<SecretBytes> open(const SecretBytes& key, ByteView aad, ByteView sealed) {
    if (key.size() != 32) return error(Err::KeySizeRange, "seal key must be 32 bytes");
    if (sealed.size() < kNonce + kTag) return error(Err::BadMac, "sealed value too short");
    size_t ct_len = sealed.size() - kNonce - kTag;
    SecretBytes out(ct_len);
    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    int len = 0;
    if (!ctx || !aes256gcm() ||
        EVP_DecryptInit_ex2(ctx.get(), aes256gcm(), key.data(), sealed.data(), nullptr) != 1 ||
        (!aad.empty() &&
         EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) !=
             1) ||
        EVP_DecryptUpdate(ctx.get(), out.data(), &len, sealed.data() + kNonce,
                          static_cast<int>(ct_len)) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag,
                            const_cast<uint8_t*>(sealed.data() + kNonce + ct_len)) != 1)
        return ossl_error("AES-GCM open");
    if (EVP_DecryptFinal_ex(ctx.get(), out.data() + len, &len) != 1) {
        ossl_clear_errors();
        return error(Err::BadMac, "sealed value failed authentication");
    }
    return out;
}

Result<SecretBytes> scrypt(std::string_view password, ByteView salt, const PasswordHashParams& p,
                           size_t out_len) {
    KdfPtr kdf(EVP_KDF_fetch(nullptr, "SCRYPT", nullptr));
    if (!kdf) return ossl_error("fetching SCRYPT");
    KdfCtxPtr ctx(EVP_KDF_CTX_new(kdf.get()));
    uint64_t n = p.n;
    uint32_t r = p.r;
    uint32_t par = p.p;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
                                          const_cast<char*>(password.data()), password.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<uint8_t*>(salt.data()),
                                          salt.size()),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &par),
        OSSL_PARAM_construct_end()};
    SecretBytes out(out_len);
    if (!ctx || EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1)
        return ossl_error("scrypt");
    return out;
}

namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> parts;
    size_t start = 0;
    for (size_t i = 0; i <= s.size(); ++i) {
        if (i == s.size() || s[i] == sep) {
            parts.push_back(s.substr(start, i - start));
            start = i + 1;
        }
    }
    return parts;
}

template <class T>
bool parse_uint(std::string_view s, T& out) {
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && ptr == s.data() + s.size();
}

}  // namespace

Result<std::string> hash_password(std::string_view password, PasswordHashParams params) {
    SR_ASSIGN_OR_RETURN(Bytes salt, random_public(16));
    SR_ASSIGN_OR_RETURN(SecretBytes h, scrypt(password, salt, params, 32));
    return "scrypt$" + std::to_string(params.n) + "$" + std::to_string(params.r) + "$" +
           std::to_string(params.p) + "$" + to_hex(salt) + "$" + to_hex(h.span());
}

Status verify_password(std::string_view password, std::string_view encoded) {
    auto parts = split(encoded, '$');
    PasswordHashParams p;
    if (parts.size() != 6 || parts[0] != "scrypt" || !parse_uint(parts[1], p.n) ||
        !parse_uint(parts[2], p.r) || !parse_uint(parts[3], p.p))
        return error(Err::DataInvalid, "malformed password hash");
    auto salt = from_hex(parts[4]);
    auto want = from_hex(parts[5]);
    if (!salt || !want || want->empty()) return error(Err::DataInvalid, "malformed password hash");
    SR_ASSIGN_OR_RETURN(SecretBytes got, scrypt(password, *salt, p, want->size()));
    if (CRYPTO_memcmp(got.data(), want->data(), want->size()) != 0)
        return error(Err::PinIncorrect);
    return {};
}

}  // namespace sr::crypto
