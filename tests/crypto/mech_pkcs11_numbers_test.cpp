// The crypto layer promises its mechanism ids, capability flags and key types are the PKCS#11
// numbers, so the module can cast without tables. Checked against the real header.
#include <gtest/gtest.h>
#include <p11-kit/pkcs11.h>

#include "crypto/mechanism.h"

namespace sr::crypto {
namespace {

struct IdPair {
    MechanismId ours;
    CK_MECHANISM_TYPE theirs;
};

TEST(Pkcs11Numbers, MechanismIdsEqualCkmValues) {
    const IdPair ids[] = {
        {mech::kRsaPkcsKeyPairGen, CKM_RSA_PKCS_KEY_PAIR_GEN}, {mech::kRsaPkcs, CKM_RSA_PKCS},
        {mech::kRsaX509, CKM_RSA_X_509}, {mech::kSha1RsaPkcs, CKM_SHA1_RSA_PKCS},
        {mech::kRsaPkcsOaep, CKM_RSA_PKCS_OAEP}, {mech::kRsaPkcsPss, CKM_RSA_PKCS_PSS},
        {mech::kSha1RsaPkcsPss, CKM_SHA1_RSA_PKCS_PSS}, {mech::kDsaKeyPairGen, CKM_DSA_KEY_PAIR_GEN},
        {mech::kDsa, CKM_DSA}, {mech::kDsaSha1, CKM_DSA_SHA1}, {mech::kDsaSha224, CKM_DSA_SHA224},
        {mech::kDsaSha256, CKM_DSA_SHA256}, {mech::kDsaSha384, CKM_DSA_SHA384},
        {mech::kDsaSha512, CKM_DSA_SHA512}, {mech::kSha256RsaPkcs, CKM_SHA256_RSA_PKCS},
        {mech::kSha384RsaPkcs, CKM_SHA384_RSA_PKCS}, {mech::kSha512RsaPkcs, CKM_SHA512_RSA_PKCS},
        {mech::kSha256RsaPkcsPss, CKM_SHA256_RSA_PKCS_PSS},
        {mech::kSha384RsaPkcsPss, CKM_SHA384_RSA_PKCS_PSS},
        {mech::kSha512RsaPkcsPss, CKM_SHA512_RSA_PKCS_PSS},
        {mech::kSha224RsaPkcs, CKM_SHA224_RSA_PKCS},
        {mech::kSha224RsaPkcsPss, CKM_SHA224_RSA_PKCS_PSS}, {mech::kDes3KeyGen, CKM_DES3_KEY_GEN},
        {mech::kDes3Ecb, CKM_DES3_ECB}, {mech::kDes3Cbc, CKM_DES3_CBC},
        {mech::kDes3CbcPad, CKM_DES3_CBC_PAD}, {mech::kSha1, CKM_SHA_1},
        {mech::kSha1Hmac, CKM_SHA_1_HMAC}, {mech::kSha256, CKM_SHA256},
        {mech::kSha256Hmac, CKM_SHA256_HMAC}, {mech::kSha224, CKM_SHA224},
        {mech::kSha224Hmac, CKM_SHA224_HMAC}, {mech::kSha384, CKM_SHA384},
        {mech::kSha384Hmac, CKM_SHA384_HMAC}, {mech::kSha512, CKM_SHA512},
        {mech::kSha512Hmac, CKM_SHA512_HMAC}, {mech::kGenericSecretKeyGen, CKM_GENERIC_SECRET_KEY_GEN},
        {mech::kEcKeyPairGen, CKM_EC_KEY_PAIR_GEN}, {mech::kEcdsa, CKM_ECDSA},
        {mech::kEcdsaSha1, CKM_ECDSA_SHA1}, {mech::kEcdsaSha224, CKM_ECDSA_SHA224},
        {mech::kEcdsaSha256, CKM_ECDSA_SHA256}, {mech::kEcdsaSha384, CKM_ECDSA_SHA384},
        {mech::kEcdsaSha512, CKM_ECDSA_SHA512}, {mech::kEcdh1Derive, CKM_ECDH1_DERIVE},
        {mech::kEcEdwardsKeyPairGen, CKM_EC_EDWARDS_KEY_PAIR_GEN}, {mech::kEddsa, CKM_EDDSA},
        {mech::kAesKeyGen, CKM_AES_KEY_GEN}, {mech::kAesEcb, CKM_AES_ECB},
        {mech::kAesCbc, CKM_AES_CBC}, {mech::kAesCmac, CKM_AES_CMAC},
        {mech::kAesCbcPad, CKM_AES_CBC_PAD}, {mech::kAesCtr, CKM_AES_CTR},
        {mech::kAesGcm, CKM_AES_GCM}, {mech::kAesKeyWrap, CKM_AES_KEY_WRAP},
        {mech::kAesKeyWrapPad, CKM_AES_KEY_WRAP_PAD}, {mech::kRsaAesKeyWrap, CKM_RSA_AES_KEY_WRAP},
    };
    for (const auto& p : ids) EXPECT_EQ(p.ours, p.theirs) << std::hex << p.ours;
    // Every registered mechanism has its id in this list (no unchecked numbers).
    for (const auto& info : MechanismRegistry::standard().all()) {
        bool listed = false;
        for (const auto& p : ids) listed = listed || p.ours == info.id;
        EXPECT_TRUE(listed) << info.name;
    }
}

TEST(Pkcs11Numbers, FlagsAndKeyTypesEqualCkfAndCkk) {
    EXPECT_EQ(op::kEncrypt, CKF_ENCRYPT);
    EXPECT_EQ(op::kDecrypt, CKF_DECRYPT);
    EXPECT_EQ(op::kDigest, CKF_DIGEST);
    EXPECT_EQ(op::kSign, CKF_SIGN);
    EXPECT_EQ(op::kVerify, CKF_VERIFY);
    EXPECT_EQ(op::kGenerate, CKF_GENERATE);
    EXPECT_EQ(op::kGenerateKeyPair, CKF_GENERATE_KEY_PAIR);
    EXPECT_EQ(op::kWrap, CKF_WRAP);
    EXPECT_EQ(op::kUnwrap, CKF_UNWRAP);
    EXPECT_EQ(op::kDerive, CKF_DERIVE);
    EXPECT_EQ(static_cast<CK_KEY_TYPE>(KeyType::Rsa), CKK_RSA);
    EXPECT_EQ(static_cast<CK_KEY_TYPE>(KeyType::Dsa), CKK_DSA);
    EXPECT_EQ(static_cast<CK_KEY_TYPE>(KeyType::Ec), CKK_EC);
    EXPECT_EQ(static_cast<CK_KEY_TYPE>(KeyType::GenericSecret), CKK_GENERIC_SECRET);
    EXPECT_EQ(static_cast<CK_KEY_TYPE>(KeyType::Des3), CKK_DES3);
    EXPECT_EQ(static_cast<CK_KEY_TYPE>(KeyType::Aes), CKK_AES);
    EXPECT_EQ(static_cast<CK_KEY_TYPE>(KeyType::EcEdwards), CKK_EC_EDWARDS);
}

}  // namespace
}  // namespace sr::crypto
