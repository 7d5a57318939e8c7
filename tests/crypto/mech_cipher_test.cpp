// Encrypt/decrypt round trips and error codes for AES, DES3 and RSA, and digests.
#include <gtest/gtest.h>

#include "mech_test_util.h"

namespace sr::crypto {
namespace {

using namespace testing;

// Single-part and 5-byte-chunk multi-part encryption must agree and decrypt back (in 3-byte
// chunks too).
void cipher_round_trip(const Mechanism& m, const Key& enc_key, const Key& dec_key, ByteView plain,
                       bool deterministic = true) {
    SCOPED_TRACE(reg().find(m.id)->name);
    auto one = encrypt_with(m, enc_key, plain);
    ASSERT_TRUE(one.is_ok()) << one.status().to_string();
    auto back = decrypt_with(m, dec_key, *one);
    ASSERT_TRUE(back.is_ok()) << back.status().to_string();
    EXPECT_EQ(*back, Bytes(plain.begin(), plain.end()));
    if (!deterministic) return;
    auto parts = encrypt_with(m, enc_key, plain, 5);
    ASSERT_TRUE(parts.is_ok()) << parts.status().to_string();
    EXPECT_EQ(*parts, *one);
    auto back_parts = decrypt_with(m, dec_key, *one, 3);
    ASSERT_TRUE(back_parts.is_ok()) << back_parts.status().to_string();
    EXPECT_EQ(*back_parts, Bytes(plain.begin(), plain.end()));
}

TEST(AesModes, EveryModeAndKeySizeRoundTripsSingleAndMultiPart) {
    Bytes iv = message(16);
    Bytes blocks = message(64);
    Bytes odd = message(61);
    for (size_t n : {16, 24, 32}) {
        Key k = secret_key(KeyType::Aes, n);
        cipher_round_trip(mk(mech::kAesEcb), k, k, blocks);
        cipher_round_trip(mk(mech::kAesCbc, IvParams{iv}), k, k, blocks);
        cipher_round_trip(mk(mech::kAesCbcPad, IvParams{iv}), k, k, odd);
        cipher_round_trip(mk(mech::kAesCbcPad, IvParams{iv}), k, k, blocks);
        cipher_round_trip(mk(mech::kAesCtr, CtrParams{iv, 128}), k, k, odd);
        cipher_round_trip(mk(mech::kAesGcm, GcmParams{Bytes(12, 1), to_bytes("aad"), 128}), k, k,
                          odd);
    }
}

TEST(AesModes, CbcPadAddsAFullBlockForAlignedInput) {
    Key k = secret_key(KeyType::Aes, 16);
    auto ct = encrypt_with(mk(mech::kAesCbcPad, IvParams{Bytes(16)}), k, message(32));
    ASSERT_TRUE(ct.is_ok());
    EXPECT_EQ(ct->size(), 48U);
}

TEST(AesModes, UnpaddedModesRejectPartialBlocks) {
    Key k = secret_key(KeyType::Aes, 16);
    EXPECT_EQ(encrypt_with(mk(mech::kAesCbc, IvParams{Bytes(16)}), k, message(17)).code(),
              Err::DataLenRange);
    EXPECT_EQ(encrypt_with(mk(mech::kAesEcb), k, message(15)).code(), Err::DataLenRange);
    EXPECT_EQ(decrypt_with(mk(mech::kAesEcb), k, message(17)).code(), Err::EncryptedDataLenRange);
    EXPECT_EQ(decrypt_with(mk(mech::kAesCbcPad, IvParams{Bytes(16)}), k, message(20)).code(),
              Err::EncryptedDataLenRange);
}

TEST(AesModes, BadPaddingIsEncryptedDataInvalid) {
    Key k = secret_key(KeyType::Aes, 16);
    // A plaintext block ending in 0x00 can never be valid PKCS#7 padding.
    Bytes block(16, 0x41);
    block[15] = 0x00;
    auto ct = encrypt_with(mk(mech::kAesCbc, IvParams{Bytes(16)}), k, block);
    ASSERT_TRUE(ct.is_ok());
    EXPECT_EQ(decrypt_with(mk(mech::kAesCbcPad, IvParams{Bytes(16)}), k, *ct).code(),
              Err::EncryptedDataInvalid);
}

TEST(AesModes, GcmDetectsTamperingAndWrongAad) {
    Key k = secret_key(KeyType::Aes, 32);
    GcmParams p{Bytes(12, 7), to_bytes("header"), 96};
    auto ct = encrypt_with(mk(mech::kAesGcm, p), k, message(40));
    ASSERT_TRUE(ct.is_ok());
    EXPECT_EQ(ct->size(), 40U + 12U);
    Bytes bad = *ct;
    bad[3] ^= 1;
    EXPECT_EQ(decrypt_with(mk(mech::kAesGcm, p), k, bad).code(), Err::EncryptedDataInvalid);
    GcmParams other = p;
    other.aad = to_bytes("HEADER");
    EXPECT_EQ(decrypt_with(mk(mech::kAesGcm, other), k, *ct).code(), Err::EncryptedDataInvalid);
    EXPECT_EQ(decrypt_with(mk(mech::kAesGcm, p), k, Bytes(11)).code(), Err::EncryptedDataLenRange);
}

TEST(AesModes, GcmDecryptReleasesNothingBeforeFinal) {
    Key k = secret_key(KeyType::Aes, 16);
    GcmParams p{Bytes(12, 7), {}, 128};
    auto ct = encrypt_with(mk(mech::kAesGcm, p), k, message(40));
    auto op = reg().decrypt(mk(mech::kAesGcm, p), k);
    ASSERT_TRUE(op.is_ok());
    auto part = (*op)->update(*ct);
    ASSERT_TRUE(part.is_ok());
    EXPECT_TRUE(part->empty());
    auto last = (*op)->final();
    ASSERT_TRUE(last.is_ok());
    EXPECT_EQ(*last, message(40));
}

TEST(AesModes, GcmParamsAreChecked) {
    Key k = secret_key(KeyType::Aes, 16);
    EXPECT_EQ(reg().encrypt(mk(mech::kAesGcm, GcmParams{Bytes(12), {}, 100}), k).code(),
              Err::MechanismParamInvalid);
    EXPECT_EQ(reg().encrypt(mk(mech::kAesGcm, GcmParams{{}, {}, 128}), k).code(),
              Err::MechanismParamInvalid);
    EXPECT_EQ(reg().encrypt(mk(mech::kAesGcm), k).code(), Err::MechanismParamInvalid);
}

TEST(AesModes, CtrRefusesToWrapTheCounterField) {
    Key k = secret_key(KeyType::Aes, 16);
    Bytes cb(16, 0);
    cb[15] = 0xFE;  // 8-bit counter: 0xFE and 0xFF remain
    EXPECT_TRUE(encrypt_with(mk(mech::kAesCtr, CtrParams{cb, 8}), k, message(32)).is_ok());
    EXPECT_EQ(encrypt_with(mk(mech::kAesCtr, CtrParams{cb, 8}), k, message(33)).code(),
              Err::DataLenRange);
    EXPECT_EQ(reg().encrypt(mk(mech::kAesCtr, CtrParams{cb, 0}), k).code(),
              Err::MechanismParamInvalid);
}

TEST(AesModes, IvMustBeOneBlock) {
    Key k = secret_key(KeyType::Aes, 16);
    EXPECT_EQ(reg().encrypt(mk(mech::kAesCbc, IvParams{Bytes(8)}), k).code(),
              Err::MechanismParamInvalid);
    EXPECT_EQ(reg().encrypt(mk(mech::kAesCbc), k).code(), Err::MechanismParamInvalid);
}

TEST(AesModes, KeySizesOutsideAesAreKeySizeRange) {
    Key short_key = Key::secret(KeyType::Aes, SecretBytes(Bytes(8, 1)));
    Key odd_key = Key::secret(KeyType::Aes, SecretBytes(Bytes(20, 1)));
    EXPECT_EQ(reg().encrypt(mk(mech::kAesEcb), short_key).code(), Err::KeySizeRange);
    EXPECT_EQ(reg().encrypt(mk(mech::kAesEcb), odd_key).code(), Err::KeySizeRange);
    EXPECT_EQ(reg().sign(mk(mech::kAesCmac), odd_key).code(), Err::KeySizeRange);
}

TEST(Des3, GeneratedKeysHaveOddParity) {
    Key k = secret_key(KeyType::Des3, 24);
    ASSERT_EQ(k.value().size(), 24U);
    for (size_t i = 0; i < 24; ++i) EXPECT_EQ(__builtin_popcount(k.value()[i]) % 2, 1) << i;
}

TEST(Des3, ModesRoundTrip) {
    Key k = secret_key(KeyType::Des3, 24);
    Bytes iv = message(8);
    cipher_round_trip(mk(mech::kDes3Ecb), k, k, message(40));
    cipher_round_trip(mk(mech::kDes3Cbc, IvParams{iv}), k, k, message(40));
    cipher_round_trip(mk(mech::kDes3CbcPad, IvParams{iv}), k, k, message(37));
    EXPECT_EQ(encrypt_with(mk(mech::kDes3Cbc, IvParams{iv}), k, message(37)).code(),
              Err::DataLenRange);
    EXPECT_EQ(reg().encrypt(mk(mech::kDes3Cbc, IvParams{Bytes(16)}), k).code(),
              Err::MechanismParamInvalid);
    Key aes = secret_key(KeyType::Aes, 24);
    EXPECT_EQ(reg().encrypt(mk(mech::kDes3Ecb), aes).code(), Err::KeyTypeInconsistent);
}

TEST(RsaEncrypt, EveryPaddingRoundTrips) {
    KeyPair kp = rsa_pair(2048);
    cipher_round_trip(mk(mech::kRsaPkcs), kp.public_key, kp.private_key, message(100), false);
    OaepParams oaep{Hash::Sha256, Hash::Sha256, to_bytes("label")};
    cipher_round_trip(mk(mech::kRsaPkcsOaep, oaep), kp.public_key, kp.private_key, message(100),
                      false);
    OaepParams oaep1{Hash::Sha1, Hash::Sha1, {}};
    cipher_round_trip(mk(mech::kRsaPkcsOaep, oaep1), kp.public_key, kp.private_key, message(100),
                      false);
    // Raw RSA is deterministic and returns the full modulus-length block on decrypt.
    auto ct = encrypt_with(mk(mech::kRsaX509), kp.public_key, message(100));
    ASSERT_TRUE(ct.is_ok());
    auto pt = decrypt_with(mk(mech::kRsaX509), kp.private_key, *ct);
    ASSERT_TRUE(pt.is_ok());
    ASSERT_EQ(pt->size(), 256U);
    EXPECT_EQ(Bytes(pt->begin() + 156, pt->end()), message(100));
}

TEST(RsaEncrypt, LengthAndPaddingErrors) {
    KeyPair kp = rsa_pair(1024);
    EXPECT_EQ(encrypt_with(mk(mech::kRsaPkcs), kp.public_key, message(118)).code(),
              Err::DataLenRange);
    OaepParams oaep{Hash::Sha256, Hash::Sha256, {}};
    EXPECT_TRUE(encrypt_with(mk(mech::kRsaPkcsOaep, oaep), kp.public_key, message(62)).is_ok());
    EXPECT_EQ(encrypt_with(mk(mech::kRsaPkcsOaep, oaep), kp.public_key, message(63)).code(),
              Err::DataLenRange);
    auto ct = encrypt_with(mk(mech::kRsaPkcsOaep, oaep), kp.public_key, message(10));
    ASSERT_TRUE(ct.is_ok());
    OaepParams labelled{Hash::Sha256, Hash::Sha256, to_bytes("x")};
    EXPECT_EQ(decrypt_with(mk(mech::kRsaPkcsOaep, labelled), kp.private_key, *ct).code(),
              Err::EncryptedDataInvalid);
    Bytes shorter(ct->begin(), ct->end() - 1);
    EXPECT_EQ(decrypt_with(mk(mech::kRsaPkcsOaep, oaep), kp.private_key, shorter).code(),
              Err::EncryptedDataLenRange);
    EXPECT_EQ(reg().encrypt(mk(mech::kRsaPkcsOaep), kp.public_key).code(),
              Err::MechanismParamInvalid);
    EXPECT_EQ(reg().encrypt(mk(mech::kRsaPkcs), kp.private_key).code(), Err::KeyTypeInconsistent);
}

TEST(Digests, MultiPartEqualsSinglePartAndMatchesPrimitives) {
    Bytes m = message(300);
    struct Case {
        MechanismId id;
        Hash h;
    };
    for (Case c : {Case{mech::kSha1, Hash::Sha1}, Case{mech::kSha224, Hash::Sha224},
                   Case{mech::kSha256, Hash::Sha256}, Case{mech::kSha384, Hash::Sha384},
                   Case{mech::kSha512, Hash::Sha512}}) {
        auto one = digest_with(c.id, m);
        auto parts = digest_with(c.id, m, 17);
        ASSERT_TRUE(one.is_ok());
        ASSERT_TRUE(parts.is_ok());
        EXPECT_EQ(*one, *parts);
        EXPECT_EQ(*one, *digest(c.h, m));
        EXPECT_EQ(one->size(), hash_size(c.h));
    }
}

}  // namespace
}  // namespace sr::crypto
