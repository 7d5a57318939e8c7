// Black-box: key generation and the cryptographic functions — AES CBC-PAD and GCM, RSA PKCS#1
// and PSS, ECDSA, digest, wrap/unwrap, ECDH derive, random — with the length-query and
// buffer-too-small rules and bad mechanism parameters.
#include "p11_fixture.h"

namespace sr::p11test {
namespace {

using Crypto = P11Test;

CK_BBOOL kTrue = CK_TRUE;
CK_BBOOL kFalse = CK_FALSE;
CK_BYTE kP256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};

CK_OBJECT_HANDLE gen_aes(CK_FUNCTION_LIST_PTR fl, CK_SESSION_HANDLE s, bool extractable = false) {
    CK_MECHANISM m = {CKM_AES_KEY_GEN, nullptr, 0};
    CK_ULONG len = 32;
    CK_BBOOL ext = extractable ? CK_TRUE : CK_FALSE;
    CK_ATTRIBUTE t[] = {
        {CKA_VALUE_LEN, &len, sizeof len},     {CKA_ENCRYPT, &kTrue, 1}, {CKA_DECRYPT, &kTrue, 1},
        {CKA_WRAP, &kTrue, 1},                 {CKA_UNWRAP, &kTrue, 1},  {CKA_TOKEN, &kFalse, 1},
        {CKA_EXTRACTABLE, &ext, 1},            {CKA_SENSITIVE, &kTrue, 1},
    };
    CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
    EXPECT_EQ(fl->C_GenerateKey(s, &m, t, 8, &h), CKR_OK);
    return h;
}

std::pair<CK_OBJECT_HANDLE, CK_OBJECT_HANDLE> gen_rsa(CK_FUNCTION_LIST_PTR fl,
                                                      CK_SESSION_HANDLE s) {
    CK_MECHANISM m = {CKM_RSA_PKCS_KEY_PAIR_GEN, nullptr, 0};
    CK_ULONG bits = 2048;
    CK_BYTE e[] = {1, 0, 1};
    CK_ATTRIBUTE pub[] = {{CKA_MODULUS_BITS, &bits, sizeof bits},
                          {CKA_PUBLIC_EXPONENT, e, sizeof e},
                          {CKA_VERIFY, &kTrue, 1},
                          {CKA_TOKEN, &kFalse, 1}};
    CK_ATTRIBUTE priv[] = {{CKA_SIGN, &kTrue, 1}, {CKA_TOKEN, &kFalse, 1}, {CKA_SENSITIVE, &kTrue, 1}};
    CK_OBJECT_HANDLE hpub = 0, hpriv = 0;
    EXPECT_EQ(fl->C_GenerateKeyPair(s, &m, pub, 4, priv, 3, &hpub, &hpriv), CKR_OK);
    return {hpub, hpriv};
}

std::pair<CK_OBJECT_HANDLE, CK_OBJECT_HANDLE> gen_ec(CK_FUNCTION_LIST_PTR fl, CK_SESSION_HANDLE s,
                                                     bool derive = false) {
    CK_MECHANISM m = {CKM_EC_KEY_PAIR_GEN, nullptr, 0};
    CK_BBOOL d = derive ? CK_TRUE : CK_FALSE;
    CK_ATTRIBUTE pub[] = {{CKA_EC_PARAMS, kP256, sizeof kP256},
                          {CKA_VERIFY, &kTrue, 1},
                          {CKA_TOKEN, &kFalse, 1}};
    CK_ATTRIBUTE priv[] = {{CKA_SIGN, &kTrue, 1},
                           {CKA_DERIVE, &d, 1},
                           {CKA_TOKEN, &kFalse, 1},
                           {CKA_SENSITIVE, &kTrue, 1}};
    CK_OBJECT_HANDLE hpub = 0, hpriv = 0;
    EXPECT_EQ(fl->C_GenerateKeyPair(s, &m, pub, 3, priv, 4, &hpub, &hpriv), CKR_OK);
    return {hpub, hpriv};
}

std::vector<CK_BYTE> sign(CK_FUNCTION_LIST_PTR fl, CK_SESSION_HANDLE s, CK_MECHANISM m,
                          CK_OBJECT_HANDLE key, std::vector<CK_BYTE> data) {
    EXPECT_EQ(fl->C_SignInit(s, &m, key), CKR_OK);
    CK_ULONG len = 0;
    EXPECT_EQ(fl->C_Sign(s, data.data(), data.size(), nullptr, &len), CKR_OK);
    std::vector<CK_BYTE> sig(len);
    EXPECT_EQ(fl->C_Sign(s, data.data(), data.size(), sig.data(), &len), CKR_OK);
    sig.resize(len);
    return sig;
}

TEST_F(Crypto, AesCbcPadRoundTripWithLengthQueries) {
    CK_SESSION_HANDLE s = user_session();
    CK_OBJECT_HANDLE k = gen_aes(m_fl, s);
    CK_BYTE iv[16] = {7};
    CK_MECHANISM m = {CKM_AES_CBC_PAD, iv, sizeof iv};
    std::vector<CK_BYTE> plain(37, 0x42);
    ASSERT_EQ(m_fl->C_EncryptInit(s, &m, k), CKR_OK);
    CK_ULONG len = 0;
    ASSERT_EQ(m_fl->C_Encrypt(s, plain.data(), plain.size(), nullptr, &len), CKR_OK);
    EXPECT_GE(len, 48u);
    CK_BYTE tiny[4];
    CK_ULONG tiny_len = sizeof tiny;
    EXPECT_EQ(m_fl->C_Encrypt(s, plain.data(), plain.size(), tiny, &tiny_len),
              CKR_BUFFER_TOO_SMALL);
    std::vector<CK_BYTE> cipher(len);
    ASSERT_EQ(m_fl->C_Encrypt(s, plain.data(), plain.size(), cipher.data(), &len), CKR_OK);
    EXPECT_EQ(len, 48u);
    cipher.resize(len);
    // The operation is over.
    EXPECT_EQ(m_fl->C_Encrypt(s, plain.data(), plain.size(), cipher.data(), &len),
              CKR_OPERATION_NOT_INITIALIZED);

    ASSERT_EQ(m_fl->C_DecryptInit(s, &m, k), CKR_OK);
    std::vector<CK_BYTE> out(64);
    CK_ULONG out_len = out.size();
    // Multi-part decrypt.
    CK_ULONG part = out.size();
    ASSERT_EQ(m_fl->C_DecryptUpdate(s, cipher.data(), 20, out.data(), &part), CKR_OK);
    CK_ULONG done = part;
    part = out.size() - done;
    ASSERT_EQ(m_fl->C_DecryptUpdate(s, cipher.data() + 20, 28, out.data() + done, &part), CKR_OK);
    done += part;
    part = out.size() - done;
    ASSERT_EQ(m_fl->C_DecryptFinal(s, out.data() + done, &part), CKR_OK);
    done += part;
    out_len = done;
    EXPECT_EQ(std::vector<CK_BYTE>(out.begin(), out.begin() + static_cast<long>(out_len)), plain);
}

TEST_F(Crypto, AesGcmRoundTripAndTamperDetection) {
    SKIP_ON_SOFTHSM("SoftHSM2 2.6 single-part GCM output length differs");
    CK_SESSION_HANDLE s = user_session();
    CK_OBJECT_HANDLE k = gen_aes(m_fl, s);
    CK_BYTE iv[12] = {1, 2, 3};
    CK_BYTE aad[] = {9, 9};
    CK_GCM_PARAMS gcm{};
    gcm.pIv = iv;
    gcm.ulIvLen = sizeof iv;
    gcm.ulIvBits = 96;
    gcm.pAAD = aad;
    gcm.ulAADLen = sizeof aad;
    gcm.ulTagBits = 128;
    CK_MECHANISM m = {CKM_AES_GCM, &gcm, sizeof gcm};
    std::vector<CK_BYTE> plain = {'h', 'e', 'l', 'l', 'o'};
    ASSERT_EQ(m_fl->C_EncryptInit(s, &m, k), CKR_OK);
    std::vector<CK_BYTE> cipher(64);
    CK_ULONG len = cipher.size();
    ASSERT_EQ(m_fl->C_Encrypt(s, plain.data(), plain.size(), cipher.data(), &len), CKR_OK);
    EXPECT_EQ(len, plain.size() + 16);
    cipher.resize(len);

    ASSERT_EQ(m_fl->C_DecryptInit(s, &m, k), CKR_OK);
    std::vector<CK_BYTE> out(64);
    CK_ULONG out_len = out.size();
    ASSERT_EQ(m_fl->C_Decrypt(s, cipher.data(), cipher.size(), out.data(), &out_len), CKR_OK);
    out.resize(out_len);
    EXPECT_EQ(out, plain);

    cipher[0] ^= 1;
    ASSERT_EQ(m_fl->C_DecryptInit(s, &m, k), CKR_OK);
    out_len = 64;
    out.resize(64);
    EXPECT_EQ(m_fl->C_Decrypt(s, cipher.data(), cipher.size(), out.data(), &out_len),
              CKR_ENCRYPTED_DATA_INVALID);
}

TEST_F(Crypto, BadMechanismParametersAreRefused) {
    CK_SESSION_HANDLE s = user_session();
    CK_OBJECT_HANDLE k = gen_aes(m_fl, s);
    CK_BYTE iv[8] = {};
    CK_MECHANISM short_iv = {CKM_AES_CBC_PAD, iv, sizeof iv};
    EXPECT_REFUSED(m_fl->C_EncryptInit(s, &short_iv, k), CKR_MECHANISM_PARAM_INVALID);
    CK_MECHANISM null_iv = {CKM_AES_CBC_PAD, nullptr, 16};
    EXPECT_NE(m_fl->C_EncryptInit(s, &null_iv, k), CKR_OK);
    CK_GCM_PARAMS gcm{};
    CK_MECHANISM gcm_short = {CKM_AES_GCM, &gcm, sizeof gcm - 1};
    EXPECT_REFUSED(m_fl->C_EncryptInit(s, &gcm_short, k), CKR_MECHANISM_PARAM_INVALID);
    EXPECT_EQ(m_fl->C_EncryptInit(s, nullptr, k), CKR_ARGUMENTS_BAD);
    CK_MECHANISM unknown = {0x7ffffff0, nullptr, 0};
    EXPECT_EQ(m_fl->C_EncryptInit(s, &unknown, k), CKR_MECHANISM_INVALID);
    CK_MECHANISM ecb = {CKM_AES_ECB, nullptr, 0};
    EXPECT_REFUSED(m_fl->C_EncryptInit(s, &ecb, 0x7fffffff), CKR_KEY_HANDLE_INVALID);
}

TEST_F(Crypto, RsaPkcsAndPssSignVerify) {
    CK_SESSION_HANDLE s = user_session();
    auto [pub, priv] = gen_rsa(m_fl, s);
    std::vector<CK_BYTE> data(100, 0x5a);
    CK_MECHANISM pkcs = {CKM_SHA256_RSA_PKCS, nullptr, 0};
    auto sig = sign(m_fl, s, pkcs, priv, data);
    EXPECT_EQ(sig.size(), 256u);
    ASSERT_EQ(m_fl->C_VerifyInit(s, &pkcs, pub), CKR_OK);
    EXPECT_EQ(m_fl->C_Verify(s, data.data(), data.size(), sig.data(), sig.size()), CKR_OK);
    sig[5] ^= 1;
    ASSERT_EQ(m_fl->C_VerifyInit(s, &pkcs, pub), CKR_OK);
    EXPECT_EQ(m_fl->C_Verify(s, data.data(), data.size(), sig.data(), sig.size()),
              CKR_SIGNATURE_INVALID);

    CK_RSA_PKCS_PSS_PARAMS pss = {CKM_SHA256, CKG_MGF1_SHA256, 32};
    CK_MECHANISM pss_m = {CKM_SHA256_RSA_PKCS_PSS, &pss, sizeof pss};
    // Multi-part sign, one-shot verify.
    ASSERT_EQ(m_fl->C_SignInit(s, &pss_m, priv), CKR_OK);
    ASSERT_EQ(m_fl->C_SignUpdate(s, data.data(), 50), CKR_OK);
    ASSERT_EQ(m_fl->C_SignUpdate(s, data.data() + 50, 50), CKR_OK);
    CK_ULONG len = 0;
    ASSERT_EQ(m_fl->C_SignFinal(s, nullptr, &len), CKR_OK);
    std::vector<CK_BYTE> pss_sig(len);
    ASSERT_EQ(m_fl->C_SignFinal(s, pss_sig.data(), &len), CKR_OK);
    ASSERT_EQ(m_fl->C_VerifyInit(s, &pss_m, pub), CKR_OK);
    EXPECT_EQ(m_fl->C_Verify(s, data.data(), data.size(), pss_sig.data(), len), CKR_OK);

    CK_RSA_PKCS_PSS_PARAMS bad = {0x12345, CKG_MGF1_SHA256, 32};
    CK_MECHANISM bad_m = {CKM_SHA256_RSA_PKCS_PSS, &bad, sizeof bad};
    EXPECT_REFUSED(m_fl->C_SignInit(s, &bad_m, priv), CKR_MECHANISM_PARAM_INVALID);
    // Signing with the public key.
    EXPECT_EQ(m_fl->C_SignInit(s, &pkcs, pub), CKR_KEY_FUNCTION_NOT_PERMITTED);
}

TEST_F(Crypto, EcdsaSignVerify) {
    CK_SESSION_HANDLE s = user_session();
    auto [pub, priv] = gen_ec(m_fl, s);
    std::vector<CK_BYTE> data(32, 1);  // a SHA-256-sized digest: raw ECDSA is portable
    CK_MECHANISM m = {CKM_ECDSA, nullptr, 0};
    auto sig = sign(m_fl, s, m, priv, data);
    EXPECT_EQ(sig.size(), 64u);
    ASSERT_EQ(m_fl->C_VerifyInit(s, &m, pub), CKR_OK);
    EXPECT_EQ(m_fl->C_Verify(s, data.data(), data.size(), sig.data(), sig.size()), CKR_OK);
    // The point is readable, the private value is not.
    CK_ATTRIBUTE point = {CKA_EC_POINT, nullptr, 0};
    ASSERT_EQ(m_fl->C_GetAttributeValue(s, pub, &point, 1), CKR_OK);
    EXPECT_GT(point.ulValueLen, 64u);
    CK_ATTRIBUTE value = {CKA_VALUE, nullptr, 0};
    EXPECT_EQ(m_fl->C_GetAttributeValue(s, priv, &value, 1), CKR_ATTRIBUTE_SENSITIVE);
    EXPECT_EQ(value.ulValueLen, CK_UNAVAILABLE_INFORMATION);
}

TEST_F(Crypto, DigestSingleAndMultiPartAgree) {
    CK_SESSION_HANDLE s = open();
    CK_MECHANISM m = {CKM_SHA256, nullptr, 0};
    std::vector<CK_BYTE> data = {'a', 'b', 'c'};
    ASSERT_EQ(m_fl->C_DigestInit(s, &m), CKR_OK);
    CK_BYTE one[32];
    CK_ULONG len = 0;
    ASSERT_EQ(m_fl->C_Digest(s, data.data(), data.size(), nullptr, &len), CKR_OK);
    EXPECT_EQ(len, 32u);
    ASSERT_EQ(m_fl->C_Digest(s, data.data(), data.size(), one, &len), CKR_OK);
    EXPECT_EQ(one[0], 0xba);  // SHA-256("abc") = ba7816bf...
    EXPECT_EQ(one[31], 0xad);
    ASSERT_EQ(m_fl->C_DigestInit(s, &m), CKR_OK);
    ASSERT_EQ(m_fl->C_DigestUpdate(s, data.data(), 1), CKR_OK);
    ASSERT_EQ(m_fl->C_DigestUpdate(s, data.data() + 1, 2), CKR_OK);
    CK_BYTE two[32];
    len = sizeof two;
    ASSERT_EQ(m_fl->C_DigestFinal(s, two, &len), CKR_OK);
    EXPECT_EQ(0, std::memcmp(one, two, 32));
    EXPECT_EQ(m_fl->C_DigestFinal(s, two, &len), CKR_OPERATION_NOT_INITIALIZED);
}

TEST_F(Crypto, WrapAndUnwrapAnAesKey) {
    CK_SESSION_HANDLE s = user_session();
    CK_OBJECT_HANDLE kek = gen_aes(m_fl, s);
    CK_OBJECT_HANDLE key = gen_aes(m_fl, s, true);
    CK_MECHANISM m = {CKM_AES_KEY_WRAP_PAD, nullptr, 0};
    CK_ULONG len = 0;
    ASSERT_EQ(m_fl->C_WrapKey(s, &m, kek, key, nullptr, &len), CKR_OK);
    EXPECT_EQ(len, 40u);
    std::vector<CK_BYTE> wrapped(len);
    ASSERT_EQ(m_fl->C_WrapKey(s, &m, kek, key, wrapped.data(), &len), CKR_OK);

    CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
    CK_KEY_TYPE kt = CKK_AES;
    CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof cls}, {CKA_KEY_TYPE, &kt, sizeof kt},
                        {CKA_TOKEN, &kFalse, 1},       {CKA_ENCRYPT, &kTrue, 1},
                        {CKA_DECRYPT, &kTrue, 1}};
    CK_OBJECT_HANDLE unwrapped = 0;
    ASSERT_EQ(m_fl->C_UnwrapKey(s, &m, kek, wrapped.data(), len, t, 5, &unwrapped), CKR_OK);

    // Same key: what one encrypts the other decrypts.
    CK_MECHANISM ecb = {CKM_AES_ECB, nullptr, 0};
    CK_BYTE block[16] = {3};
    CK_BYTE c1[16], c2[16];
    CK_ULONG l1 = 16, l2 = 16;
    ASSERT_EQ(m_fl->C_EncryptInit(s, &ecb, key), CKR_OK);
    ASSERT_EQ(m_fl->C_Encrypt(s, block, 16, c1, &l1), CKR_OK);
    ASSERT_EQ(m_fl->C_EncryptInit(s, &ecb, unwrapped), CKR_OK);
    ASSERT_EQ(m_fl->C_Encrypt(s, block, 16, c2, &l2), CKR_OK);
    EXPECT_EQ(0, std::memcmp(c1, c2, 16));

    // An unextractable key is not wrapped.
    EXPECT_EQ(m_fl->C_WrapKey(s, &m, kek, kek, nullptr, &len), CKR_KEY_UNEXTRACTABLE);
    wrapped[3] ^= 1;
    EXPECT_NE(m_fl->C_UnwrapKey(s, &m, kek, wrapped.data(), len, t, 5, &unwrapped), CKR_OK);
}

TEST_F(Crypto, EcdhDeriveGivesBothSidesTheSameSecret) {
    CK_SESSION_HANDLE s = user_session();
    auto [pub_a, priv_a] = gen_ec(m_fl, s, true);
    auto [pub_b, priv_b] = gen_ec(m_fl, s, true);
    auto point_of = [&](CK_OBJECT_HANDLE pub) {
        CK_ATTRIBUTE a = {CKA_EC_POINT, nullptr, 0};
        EXPECT_EQ(m_fl->C_GetAttributeValue(s, pub, &a, 1), CKR_OK);
        std::vector<CK_BYTE> v(a.ulValueLen);
        a.pValue = v.data();
        EXPECT_EQ(m_fl->C_GetAttributeValue(s, pub, &a, 1), CKR_OK);
        return v;
    };
    auto derive = [&](CK_OBJECT_HANDLE priv, std::vector<CK_BYTE> peer) {
        CK_ECDH1_DERIVE_PARAMS p{};
        p.kdf = CKD_NULL;
        p.pPublicData = peer.data();
        p.ulPublicDataLen = peer.size();
        CK_MECHANISM m = {CKM_ECDH1_DERIVE, &p, sizeof p};
        CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
        CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
        CK_ULONG len = 32;
        CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof cls}, {CKA_KEY_TYPE, &kt, sizeof kt},
                            {CKA_VALUE_LEN, &len, sizeof len}, {CKA_TOKEN, &kFalse, 1},
                            {CKA_SENSITIVE, &kFalse, 1}, {CKA_EXTRACTABLE, &kTrue, 1}};
        CK_OBJECT_HANDLE h = 0;
        EXPECT_EQ(m_fl->C_DeriveKey(s, &m, priv, t, 6, &h), CKR_OK);
        CK_BYTE v[32] = {};
        CK_ATTRIBUTE a = {CKA_VALUE, v, sizeof v};
        EXPECT_EQ(m_fl->C_GetAttributeValue(s, h, &a, 1), CKR_OK);
        return std::vector<CK_BYTE>(v, v + 32);
    };
    auto ab = derive(priv_a, point_of(pub_b));
    auto ba = derive(priv_b, point_of(pub_a));
    EXPECT_EQ(ab, ba);
    EXPECT_NE(ab, std::vector<CK_BYTE>(32, 0));

    CK_ECDH1_DERIVE_PARAMS empty{};
    empty.kdf = CKD_NULL;
    CK_MECHANISM m = {CKM_ECDH1_DERIVE, &empty, sizeof empty};
    CK_OBJECT_HANDLE h = 0;
    EXPECT_REFUSED(m_fl->C_DeriveKey(s, &m, priv_a, nullptr, 0, &h), CKR_MECHANISM_PARAM_INVALID);
}

TEST_F(Crypto, RandomFillsTheBuffer) {
    CK_SESSION_HANDLE s = open();
    std::vector<CK_BYTE> a(64, 0), b(64, 0);
    ASSERT_EQ(m_fl->C_GenerateRandom(s, a.data(), a.size()), CKR_OK);
    ASSERT_EQ(m_fl->C_GenerateRandom(s, b.data(), b.size()), CKR_OK);
    EXPECT_NE(a, b);
    EXPECT_EQ(m_fl->C_GenerateRandom(s, nullptr, 16), CKR_ARGUMENTS_BAD);
    EXPECT_EQ(m_fl->C_GenerateRandom(999999, a.data(), 16), CKR_SESSION_HANDLE_INVALID);
}

TEST_F(Crypto, MechanismInfoTellsTheTruth) {
    const CK_SLOT_ID slot = token_slot();
    CK_ULONG n = 0;
    ASSERT_EQ(m_fl->C_GetMechanismList(slot, nullptr, &n), CKR_OK);
    ASSERT_GT(n, 10u);
    std::vector<CK_MECHANISM_TYPE> list(n);
    ASSERT_EQ(m_fl->C_GetMechanismList(slot, list.data(), &n), CKR_OK);
    CK_MECHANISM_INFO info{};
    ASSERT_EQ(m_fl->C_GetMechanismInfo(slot, CKM_AES_GCM, &info), CKR_OK);
    EXPECT_NE(info.flags & CKF_ENCRYPT, 0u);
    EXPECT_NE(info.flags & CKF_DECRYPT, 0u);
    EXPECT_EQ(info.flags & CKF_SIGN, 0u);
    ASSERT_EQ(m_fl->C_GetMechanismInfo(slot, CKM_SHA256_RSA_PKCS, &info), CKR_OK);
    EXPECT_NE(info.flags & CKF_SIGN, 0u);
    EXPECT_EQ(info.flags & CKF_ENCRYPT, 0u);
    EXPECT_EQ(m_fl->C_GetMechanismInfo(slot, 0x7ffffff0, &info), CKR_MECHANISM_INVALID);
}

TEST_F(Crypto, UnsupportedFunctionsSaySo) {
    SKIP_ON_SOFTHSM("Strongroom's unsupported list");
    CK_SESSION_HANDLE s = user_session();
    // Recover, dual-function and operation-state calls: extra_functions_test.cpp.
    EXPECT_EQ(m_fl->C_SeedRandom(s, nullptr, 0), CKR_RANDOM_SEED_NOT_SUPPORTED);
}

}  // namespace
}  // namespace sr::p11test
