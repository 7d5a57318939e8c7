#include "crypto/primitives.h"

#include <gtest/gtest.h>

namespace sr::crypto {
namespace {

TEST(Digest, Sha256Abc) {
    // FIPS 180-2 appendix B.1.
    auto d = digest(Hash::Sha256, as_bytes("abc"));
    ASSERT_TRUE(d.is_ok());
    EXPECT_EQ(to_hex(*d), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Hmac, Rfc4231Case2) {
    auto m = hmac(Hash::Sha256, as_bytes("Jefe"), as_bytes("what do ya want for nothing?"));
    ASSERT_TRUE(m.is_ok());
    EXPECT_EQ(to_hex(*m), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Hkdf, Rfc5869Case1) {
    Bytes ikm(22, 0x0b);
    auto salt = *from_hex("000102030405060708090a0b0c");
    auto info = *from_hex("f0f1f2f3f4f5f6f7f8f9");
    auto okm = hkdf(Hash::Sha256, ikm, salt, info, 42);
    ASSERT_TRUE(okm.is_ok());
    EXPECT_EQ(to_hex(okm->span()),
              "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

// Regression: an empty salt or info used to reach OpenSSL as a null octet string and fail.
TEST(Hkdf, Rfc5869Case3EmptySaltAndInfo) {
    Bytes ikm(22, 0x0b);
    auto okm = hkdf(Hash::Sha256, ikm, ByteView(), ByteView(), 42);
    ASSERT_TRUE(okm.is_ok()) << okm.status().to_string();
    EXPECT_EQ(to_hex(okm->span()),
              "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

TEST(Seal, RoundTripsAndBindsAad) {
    auto key = random_secret(32);
    ASSERT_TRUE(key.is_ok());
    auto sealed = seal(*key, as_bytes("p1/o7/VALUE"), as_bytes("key bytes"));
    ASSERT_TRUE(sealed.is_ok());
    EXPECT_EQ(sealed->size(), 9 + kSealOverhead);
    auto opened = open(*key, as_bytes("p1/o7/VALUE"), *sealed);
    ASSERT_TRUE(opened.is_ok());
    EXPECT_EQ(to_string(opened->span()), "key bytes");
    EXPECT_EQ(open(*key, as_bytes("p1/o8/VALUE"), *sealed).code(), Err::BadMac);
}

TEST(Seal, TamperAndWrongKeyFail) {
    auto key = *random_secret(32);
    auto other = *random_secret(32);
    auto sealed = *seal(key, {}, as_bytes("secret"));
    EXPECT_EQ(open(other, {}, sealed).code(), Err::BadMac);
    sealed[14] ^= 1;
    EXPECT_EQ(open(key, {}, sealed).code(), Err::BadMac);
    EXPECT_EQ(open(key, {}, ByteView(sealed).first(5)).code(), Err::BadMac);
}

TEST(Seal, NoncesDiffer) {
    auto key = *random_secret(32);
    EXPECT_NE(*seal(key, {}, as_bytes("x")), *seal(key, {}, as_bytes("x")));
}

TEST(PasswordHash, VerifiesOnlyTheRightPassword) {
    PasswordHashParams fast{1U << 10, 8, 1};
    auto h = hash_password("correct horse", fast);
    ASSERT_TRUE(h.is_ok());
    EXPECT_EQ(h->rfind("scrypt$1024$8$1$", 0), 0U);
    EXPECT_TRUE(verify_password("correct horse", *h).is_ok());
    EXPECT_EQ(verify_password("wrong horse", *h).code(), Err::PinIncorrect);
    EXPECT_EQ(verify_password("x", "garbage").code(), Err::DataInvalid);
    EXPECT_EQ(verify_password("x", "scrypt$a$8$1$00$00").code(), Err::DataInvalid);
}

TEST(PasswordHash, SaltsDiffer) {
    PasswordHashParams fast{1U << 10, 8, 1};
    EXPECT_NE(*hash_password("same", fast), *hash_password("same", fast));
}

TEST(Scrypt, Rfc7914Vector) {
    // RFC 7914 §12, second vector: P="password", S="NaCl", N=1024, r=8, p=16, dkLen=64.
    // Reproduce through the encoded form so the parser is exercised too.
    std::string enc = "scrypt$1024$8$16$" + to_hex(as_bytes("NaCl")) + "$" +
                      "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
                      "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640";
    EXPECT_TRUE(verify_password("password", enc).is_ok());
}

}  // namespace
}  // namespace sr::crypto
