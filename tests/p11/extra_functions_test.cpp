// Black-box: C_DigestKey, the dual-function updates, signatures with message recovery
// (v2.40 §5.10, §5.13, §5.11-5.12) and operation state (§5.6). Results must equal the separate
// calls and OpenSSL over the same bytes. A module that answers CKR_FUNCTION_NOT_SUPPORTED for
// one of these functions, or cannot run two operations in one session (SoftHSM2), skips.
#include <openssl/evp.h>

#include "p11_fixture.h"

namespace sr::p11test {
namespace {

using Extra = P11Test;

CK_BBOOL kTrue = CK_TRUE;
CK_BBOOL kFalse = CK_FALSE;
CK_BYTE kP256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
using Bytes = std::vector<CK_BYTE>;

#define SKIP_IF_UNSUPPORTED(rv)                                                        \
    if ((rv) == CKR_FUNCTION_NOT_SUPPORTED) GTEST_SKIP() << "the module does not implement it"

// The second operation of a dual pair. SoftHSM2 runs one operation per session at a time, so
// it cannot run dual-function calls at all.
#define INIT_SECOND(call)                                                                  \
    do {                                                                                   \
        const CK_RV sr_rv_ = (call);                                                       \
        if (sr_rv_ == CKR_OPERATION_ACTIVE && testing_softhsm())                          \
            GTEST_SKIP() << "the module runs one operation per session";                  \
        ASSERT_EQ(sr_rv_, CKR_OK);                                                         \
    } while (0)

Bytes sha256(const Bytes& data) {
    Bytes out(32);
    unsigned int n = 0;
    EXPECT_EQ(EVP_Digest(data.data(), data.size(), out.data(), &n, EVP_sha256(), nullptr), 1);
    return out;
}

// A session secret key whose value the test knows.
CK_OBJECT_HANDLE secret_key(CK_FUNCTION_LIST_PTR fl, CK_SESSION_HANDLE s, Bytes& value) {
    CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
    CK_KEY_TYPE type = CKK_GENERIC_SECRET;
    CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof cls},    {CKA_KEY_TYPE, &type, sizeof type},
                        {CKA_VALUE, value.data(), value.size()}, {CKA_TOKEN, &kFalse, 1},
                        {CKA_SIGN, &kTrue, 1},             {CKA_VERIFY, &kTrue, 1}};
    CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
    EXPECT_EQ(fl->C_CreateObject(s, t, 6, &h), CKR_OK);
    return h;
}

CK_OBJECT_HANDLE aes_key(CK_FUNCTION_LIST_PTR fl, CK_SESSION_HANDLE s) {
    CK_MECHANISM m = {CKM_AES_KEY_GEN, nullptr, 0};
    CK_ULONG len = 32;
    CK_ATTRIBUTE t[] = {{CKA_VALUE_LEN, &len, sizeof len}, {CKA_ENCRYPT, &kTrue, 1},
                        {CKA_DECRYPT, &kTrue, 1}, {CKA_TOKEN, &kFalse, 1}};
    CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
    EXPECT_EQ(fl->C_GenerateKey(s, &m, t, 4, &h), CKR_OK);
    return h;
}

CK_BYTE kIv[16] = {1, 2, 3};
CK_MECHANISM kCbc = {CKM_AES_CBC, kIv, sizeof kIv};
CK_MECHANISM kSha256 = {CKM_SHA256, nullptr, 0};
CK_MECHANISM kHmac = {CKM_SHA256_HMAC, nullptr, 0};

Bytes encrypt(CK_FUNCTION_LIST_PTR fl, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE k, Bytes data) {
    EXPECT_EQ(fl->C_EncryptInit(s, &kCbc, k), CKR_OK);
    Bytes out(data.size() + 16);
    CK_ULONG n = out.size();
    EXPECT_EQ(fl->C_Encrypt(s, data.data(), data.size(), out.data(), &n), CKR_OK);
    out.resize(n);
    return out;
}

Bytes hmac(CK_FUNCTION_LIST_PTR fl, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE k, Bytes data) {
    EXPECT_EQ(fl->C_SignInit(s, &kHmac, k), CKR_OK);
    Bytes out(32);
    CK_ULONG n = out.size();
    EXPECT_EQ(fl->C_Sign(s, data.data(), data.size(), out.data(), &n), CKR_OK);
    out.resize(n);
    return out;
}

Bytes digest_final(CK_FUNCTION_LIST_PTR fl, CK_SESSION_HANDLE s) {
    Bytes out(32);
    CK_ULONG n = out.size();
    EXPECT_EQ(fl->C_DigestFinal(s, out.data(), &n), CKR_OK);
    out.resize(n);
    return out;
}

TEST_F(Extra, DigestKeyDigestsTheKeyValueBetweenUpdates) {
    CK_SESSION_HANDLE s = user_session();
    Bytes value(32);
    for (size_t i = 0; i < value.size(); ++i) value[i] = static_cast<CK_BYTE>(i * 7 + 1);
    CK_OBJECT_HANDLE k = secret_key(m_fl, s, value);
    Bytes a = {'h', 'e', 'a', 'd'}, b = {'t', 'a', 'i', 'l'};
    ASSERT_EQ(m_fl->C_DigestInit(s, &kSha256), CKR_OK);
    ASSERT_EQ(m_fl->C_DigestUpdate(s, a.data(), a.size()), CKR_OK);
    const CK_RV rv = m_fl->C_DigestKey(s, k);
    SKIP_IF_UNSUPPORTED(rv);
    ASSERT_EQ(rv, CKR_OK);
    ASSERT_EQ(m_fl->C_DigestUpdate(s, b.data(), b.size()), CKR_OK);
    Bytes all = a;
    all.insert(all.end(), value.begin(), value.end());
    all.insert(all.end(), b.begin(), b.end());
    EXPECT_EQ(digest_final(m_fl, s), sha256(all));
}

TEST_F(Extra, DigestKeyRefusesPublicKeysBadHandlesAndNoActiveDigest) {
    CK_SESSION_HANDLE s = user_session();
    Bytes value(16, 0x5a);
    CK_OBJECT_HANDLE k = secret_key(m_fl, s, value);
    const CK_RV rv = m_fl->C_DigestKey(s, k);
    SKIP_IF_UNSUPPORTED(rv);
    EXPECT_EQ(rv, CKR_OPERATION_NOT_INITIALIZED);

    CK_MECHANISM gen = {CKM_EC_KEY_PAIR_GEN, nullptr, 0};
    CK_ATTRIBUTE pub[] = {{CKA_EC_PARAMS, kP256, sizeof kP256}, {CKA_TOKEN, &kFalse, 1}};
    CK_ATTRIBUTE priv[] = {{CKA_TOKEN, &kFalse, 1}};
    CK_OBJECT_HANDLE hpub = 0, hpriv = 0;
    ASSERT_EQ(m_fl->C_GenerateKeyPair(s, &gen, pub, 2, priv, 1, &hpub, &hpriv), CKR_OK);

    ASSERT_EQ(m_fl->C_DigestInit(s, &kSha256), CKR_OK);
    EXPECT_REFUSED(m_fl->C_DigestKey(s, hpub), CKR_KEY_INDIGESTIBLE);
    // A failed C_DigestKey ends the digest (v2.40 §5.2).
    if (!testing_softhsm()) {
        Bytes d = {1};
        EXPECT_EQ(m_fl->C_DigestUpdate(s, d.data(), d.size()), CKR_OPERATION_NOT_INITIALIZED);
    }
    CK_SESSION_HANDLE s2 = open();  // SoftHSM2 keeps the digest after a refused C_DigestKey
    ASSERT_EQ(m_fl->C_DigestInit(s2, &kSha256), CKR_OK);
    EXPECT_REFUSED(m_fl->C_DigestKey(s2, 0x7fff'fff0), CKR_KEY_HANDLE_INVALID);
    if (!testing_softhsm()) {
        Bytes d = {1};
        EXPECT_EQ(m_fl->C_DigestUpdate(s2, d.data(), d.size()), CKR_OPERATION_NOT_INITIALIZED);
    }
}

// Digest then encrypt: the digest sees the plaintext, the output is the encrypt update's.
TEST_F(Extra, DigestEncryptUpdateEqualsSeparateCallsWithLengthQuery) {
    CK_SESSION_HANDLE s = user_session();
    CK_OBJECT_HANDLE k = aes_key(m_fl, s);
    Bytes data(48);
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<CK_BYTE>(i);
    const Bytes expected_cipher = encrypt(m_fl, s, k, data);

    ASSERT_EQ(m_fl->C_DigestInit(s, &kSha256), CKR_OK);
    INIT_SECOND(m_fl->C_EncryptInit(s, &kCbc, k));
    CK_ULONG n = 0;
    const CK_RV rv = m_fl->C_DigestEncryptUpdate(s, data.data(), data.size(), nullptr, &n);
    SKIP_IF_UNSUPPORTED(rv);
    ASSERT_EQ(rv, CKR_OK);
    ASSERT_GE(n, data.size());
    Bytes small(1);
    CK_ULONG small_n = 1;
    EXPECT_EQ(m_fl->C_DigestEncryptUpdate(s, data.data(), data.size(), small.data(), &small_n),
              CKR_BUFFER_TOO_SMALL);
    Bytes out(n);
    ASSERT_EQ(m_fl->C_DigestEncryptUpdate(s, data.data(), data.size(), out.data(), &n), CKR_OK);
    out.resize(n);
    CK_ULONG tail = 16;
    Bytes tail_buf(16);
    ASSERT_EQ(m_fl->C_EncryptFinal(s, tail_buf.data(), &tail), CKR_OK);
    out.insert(out.end(), tail_buf.begin(), tail_buf.begin() + static_cast<long>(tail));
    EXPECT_EQ(out, expected_cipher);
    // The length query and the buffer-too-small call must not have fed the digest again.
    EXPECT_EQ(digest_final(m_fl, s), sha256(data));
}

TEST_F(Extra, DecryptDigestUpdateDigestsThePlaintext) {
    CK_SESSION_HANDLE s = user_session();
    CK_OBJECT_HANDLE k = aes_key(m_fl, s);
    Bytes data(64, 0x33);
    const Bytes cipher = encrypt(m_fl, s, k, data);
    ASSERT_EQ(m_fl->C_DecryptInit(s, &kCbc, k), CKR_OK);
    INIT_SECOND(m_fl->C_DigestInit(s, &kSha256));
    Bytes plain(cipher.size());
    CK_ULONG n = plain.size();
    const CK_RV rv = m_fl->C_DecryptDigestUpdate(s, Bytes(cipher).data(), cipher.size(),
                                                 plain.data(), &n);
    SKIP_IF_UNSUPPORTED(rv);
    ASSERT_EQ(rv, CKR_OK);
    plain.resize(n);
    CK_ULONG tail = 0;
    ASSERT_EQ(m_fl->C_DecryptFinal(s, nullptr, &tail), CKR_OK);
    ASSERT_EQ(tail, 0u);
    EXPECT_EQ(plain, data);
    EXPECT_EQ(digest_final(m_fl, s), sha256(data));
}

TEST_F(Extra, SignEncryptUpdateAndDecryptVerifyUpdateRoundTrip) {
    CK_SESSION_HANDLE s = user_session();
    CK_OBJECT_HANDLE aes = aes_key(m_fl, s);
    Bytes value(32, 0x11);
    CK_OBJECT_HANDLE mac = secret_key(m_fl, s, value);
    Bytes data(32, 0x77);
    const Bytes expected_mac = hmac(m_fl, s, mac, data);
    const Bytes expected_cipher = encrypt(m_fl, s, aes, data);

    ASSERT_EQ(m_fl->C_SignInit(s, &kHmac, mac), CKR_OK);
    INIT_SECOND(m_fl->C_EncryptInit(s, &kCbc, aes));
    Bytes cipher(data.size());
    CK_ULONG n = cipher.size();
    const CK_RV rv = m_fl->C_SignEncryptUpdate(s, data.data(), data.size(), cipher.data(), &n);
    SKIP_IF_UNSUPPORTED(rv);
    ASSERT_EQ(rv, CKR_OK);
    EXPECT_EQ(Bytes(cipher.begin(), cipher.begin() + static_cast<long>(n)), expected_cipher);
    CK_ULONG tail = 0;
    ASSERT_EQ(m_fl->C_EncryptFinal(s, nullptr, &tail), CKR_OK);
    ASSERT_EQ(tail, 0u);
    Bytes sig(32);
    CK_ULONG sig_n = sig.size();
    ASSERT_EQ(m_fl->C_SignFinal(s, sig.data(), &sig_n), CKR_OK);
    EXPECT_EQ(sig, expected_mac);

    ASSERT_EQ(m_fl->C_DecryptInit(s, &kCbc, aes), CKR_OK);
    ASSERT_EQ(m_fl->C_VerifyInit(s, &kHmac, mac), CKR_OK);
    Bytes plain(cipher.size());
    CK_ULONG pn = plain.size();
    ASSERT_EQ(m_fl->C_DecryptVerifyUpdate(s, cipher.data(), cipher.size(), plain.data(), &pn),
              CKR_OK);
    EXPECT_EQ(Bytes(plain.begin(), plain.begin() + static_cast<long>(pn)), data);
    ASSERT_EQ(m_fl->C_DecryptFinal(s, nullptr, &tail), CKR_OK);
    EXPECT_EQ(m_fl->C_VerifyFinal(s, sig.data(), sig.size()), CKR_OK);
}

TEST_F(Extra, DualUpdateNeedsBothOperationsActive) {
    CK_SESSION_HANDLE s = user_session();
    Bytes data(16, 1), out(32);
    CK_ULONG n = out.size();
    ASSERT_EQ(m_fl->C_DigestInit(s, &kSha256), CKR_OK);
    const CK_RV rv = m_fl->C_DigestEncryptUpdate(s, data.data(), data.size(), out.data(), &n);
    SKIP_IF_UNSUPPORTED(rv);
    EXPECT_EQ(rv, CKR_OPERATION_NOT_INITIALIZED);
    n = out.size();
    EXPECT_EQ(m_fl->C_SignEncryptUpdate(s, data.data(), data.size(), out.data(), &n),
              CKR_OPERATION_NOT_INITIALIZED);
    n = out.size();
    EXPECT_EQ(m_fl->C_DecryptVerifyUpdate(s, data.data(), data.size(), out.data(), &n),
              CKR_OPERATION_NOT_INITIALIZED);
    // The refused dual call left the active digest alone.
    ASSERT_EQ(m_fl->C_DigestUpdate(s, data.data(), data.size()), CKR_OK);
    EXPECT_EQ(digest_final(m_fl, s), sha256(data));
}

// RSA-1024 keeps key generation quick; recover works the same at any size.
std::pair<CK_OBJECT_HANDLE, CK_OBJECT_HANDLE> rsa_recover_pair(CK_FUNCTION_LIST_PTR fl,
                                                               CK_SESSION_HANDLE s,
                                                               CK_BBOOL recover) {
    CK_MECHANISM m = {CKM_RSA_PKCS_KEY_PAIR_GEN, nullptr, 0};
    CK_ULONG bits = 1024;
    CK_BYTE e[] = {1, 0, 1};
    CK_ATTRIBUTE pub[] = {{CKA_MODULUS_BITS, &bits, sizeof bits},
                          {CKA_PUBLIC_EXPONENT, e, sizeof e},
                          {CKA_VERIFY_RECOVER, &recover, 1},
                          {CKA_TOKEN, &kFalse, 1}};
    CK_ATTRIBUTE priv[] = {{CKA_SIGN_RECOVER, &recover, 1}, {CKA_TOKEN, &kFalse, 1}};
    CK_OBJECT_HANDLE hpub = 0, hpriv = 0;
    EXPECT_EQ(fl->C_GenerateKeyPair(s, &m, pub, 4, priv, 2, &hpub, &hpriv), CKR_OK);
    return {hpub, hpriv};
}

TEST_F(Extra, SignRecoverThenVerifyRecoverReturnsTheData) {
    CK_SESSION_HANDLE s = user_session();
    CK_MECHANISM_INFO info{};
    ASSERT_EQ(m_fl->C_GetMechanismInfo(token_slot(), CKM_RSA_PKCS, &info), CKR_OK);
    if ((info.flags & CKF_SIGN_RECOVER) == 0) GTEST_SKIP() << "no CKF_SIGN_RECOVER";
    EXPECT_NE(info.flags & CKF_VERIFY_RECOVER, 0u);
    auto [pub, priv] = rsa_recover_pair(m_fl, s, CK_TRUE);
    CK_MECHANISM m = {CKM_RSA_PKCS, nullptr, 0};
    Bytes data = {'r', 'e', 'c', 'o', 'v', 'e', 'r', ' ', 'm', 'e'};
    ASSERT_EQ(m_fl->C_SignRecoverInit(s, &m, priv), CKR_OK);
    CK_ULONG n = 0;
    ASSERT_EQ(m_fl->C_SignRecover(s, data.data(), data.size(), nullptr, &n), CKR_OK);
    ASSERT_EQ(n, 128u);
    Bytes sig(n);
    ASSERT_EQ(m_fl->C_SignRecover(s, data.data(), data.size(), sig.data(), &n), CKR_OK);

    ASSERT_EQ(m_fl->C_VerifyRecoverInit(s, &m, pub), CKR_OK);
    CK_ULONG rn = 0;
    ASSERT_EQ(m_fl->C_VerifyRecover(s, sig.data(), sig.size(), nullptr, &rn), CKR_OK);
    Bytes recovered(rn);
    ASSERT_EQ(m_fl->C_VerifyRecover(s, sig.data(), sig.size(), recovered.data(), &rn), CKR_OK);
    recovered.resize(rn);
    EXPECT_EQ(recovered, data);

    Bytes tampered = sig;
    tampered[40] ^= 0x01;
    ASSERT_EQ(m_fl->C_VerifyRecoverInit(s, &m, pub), CKR_OK);
    Bytes out(128);
    CK_ULONG on = out.size();
    EXPECT_EQ(m_fl->C_VerifyRecover(s, tampered.data(), tampered.size(), out.data(), &on),
              CKR_SIGNATURE_INVALID);

    // PKCS#1 v1.5 leaves room for k - 11 bytes of data.
    Bytes too_long(128 - 10, 0x42);
    ASSERT_EQ(m_fl->C_SignRecoverInit(s, &m, priv), CKR_OK);
    CK_ULONG tn = 128;
    Bytes tsig(128);
    EXPECT_EQ(m_fl->C_SignRecover(s, too_long.data(), too_long.size(), tsig.data(), &tn),
              CKR_DATA_LEN_RANGE);
}

TEST_F(Extra, RawRsaSignRecoverRoundTripsTheFullBlock) {
    CK_SESSION_HANDLE s = user_session();
    CK_MECHANISM_INFO info{};
    ASSERT_EQ(m_fl->C_GetMechanismInfo(token_slot(), CKM_RSA_X_509, &info), CKR_OK);
    if ((info.flags & CKF_VERIFY_RECOVER) == 0) GTEST_SKIP() << "no CKF_VERIFY_RECOVER";
    auto [pub, priv] = rsa_recover_pair(m_fl, s, CK_TRUE);
    CK_MECHANISM m = {CKM_RSA_X_509, nullptr, 0};
    Bytes block(128, 0x21);
    block[0] = 0x01;  // below the modulus
    ASSERT_EQ(m_fl->C_SignRecoverInit(s, &m, priv), CKR_OK);
    Bytes sig(128);
    CK_ULONG n = sig.size();
    ASSERT_EQ(m_fl->C_SignRecover(s, block.data(), block.size(), sig.data(), &n), CKR_OK);
    ASSERT_EQ(m_fl->C_VerifyRecoverInit(s, &m, pub), CKR_OK);
    Bytes out(128);
    CK_ULONG on = out.size();
    ASSERT_EQ(m_fl->C_VerifyRecover(s, sig.data(), n, out.data(), &on), CKR_OK);
    out.resize(on);
    EXPECT_EQ(out, block);
}

TEST_F(Extra, RecoverNeedsTheRecoverAttributesAndARecoverMechanism) {
    CK_SESSION_HANDLE s = user_session();
    CK_MECHANISM m = {CKM_RSA_PKCS, nullptr, 0};
    auto [pub, priv] = rsa_recover_pair(m_fl, s, CK_FALSE);
    const CK_RV rv = m_fl->C_SignRecoverInit(s, &m, priv);
    SKIP_IF_UNSUPPORTED(rv);
    EXPECT_EQ(rv, CKR_KEY_FUNCTION_NOT_PERMITTED);
    EXPECT_EQ(m_fl->C_VerifyRecoverInit(s, &m, pub), CKR_KEY_FUNCTION_NOT_PERMITTED);
    CK_MECHANISM hashed = {CKM_SHA256_RSA_PKCS, nullptr, 0};
    auto [rpub, rpriv] = rsa_recover_pair(m_fl, s, CK_TRUE);
    EXPECT_EQ(m_fl->C_SignRecoverInit(s, &hashed, rpriv), CKR_MECHANISM_INVALID);
    CK_MECHANISM_INFO info{};
    ASSERT_EQ(m_fl->C_GetMechanismInfo(token_slot(), CKM_SHA256_RSA_PKCS, &info), CKR_OK);
    EXPECT_EQ(info.flags & (CKF_SIGN_RECOVER | CKF_VERIFY_RECOVER), 0u);
    Bytes sig(128);
    CK_ULONG n = 0;
    EXPECT_EQ(m_fl->C_VerifyRecover(s, sig.data(), sig.size(), nullptr, &n),
              CKR_OPERATION_NOT_INITIALIZED);
}

TEST_F(Extra, OperationStateIsNeverSaveable) {
    CK_SESSION_HANDLE s = user_session();
    CK_ULONG len = 0;
    const CK_RV rv = m_fl->C_GetOperationState(s, nullptr, &len);
    SKIP_IF_UNSUPPORTED(rv);
    EXPECT_EQ(rv, CKR_OPERATION_NOT_INITIALIZED);
    ASSERT_EQ(m_fl->C_DigestInit(s, &kSha256), CKR_OK);
    EXPECT_EQ(m_fl->C_GetOperationState(s, nullptr, &len), CKR_STATE_UNSAVEABLE);
    // The refused save leaves the digest running.
    Bytes data = {1, 2, 3};
    ASSERT_EQ(m_fl->C_DigestUpdate(s, data.data(), data.size()), CKR_OK);
    EXPECT_EQ(digest_final(m_fl, s), sha256(data));
    Bytes junk(64, 0xAB);
    EXPECT_EQ(m_fl->C_SetOperationState(s, junk.data(), junk.size(), CK_INVALID_HANDLE,
                                        CK_INVALID_HANDLE),
              CKR_SAVED_STATE_INVALID);
}

}  // namespace
}  // namespace sr::p11test
