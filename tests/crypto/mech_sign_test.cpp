// Sign/verify round trips through the registry for every signature and MAC mechanism.
#include <gtest/gtest.h>
#include <openssl/rsa.h>

#include "mech_test_util.h"

namespace sr::crypto {
namespace {

using namespace testing;

const Bytes kMsg = message(1000);

// Signs in one part and in 7-byte parts; both must verify in either shape, and tampering must
// be caught. Deterministic schemes also produce identical signatures.
void round_trip(const Mechanism& m, const Key& priv, const Key& pub, bool deterministic,
                bool multipart = true) {
    SCOPED_TRACE(reg().find(m.id)->name);
    auto one = sign_with(m, priv, kMsg);
    ASSERT_TRUE(one.is_ok()) << one.status().to_string();
    EXPECT_TRUE(verify_with(m, pub, kMsg, *one).is_ok());
    if (multipart) {
        auto parts = sign_with(m, priv, kMsg, 7);
        ASSERT_TRUE(parts.is_ok()) << parts.status().to_string();
        if (deterministic) {
            EXPECT_EQ(*parts, *one);
        }
        EXPECT_TRUE(verify_with(m, pub, kMsg, *parts, 13).is_ok());
    }
    Bytes bad_sig = *one;
    bad_sig[bad_sig.size() / 2] ^= 0x01;
    EXPECT_EQ(verify_with(m, pub, kMsg, bad_sig).code(), Err::SignatureInvalid);
    Bytes bad_msg = kMsg;
    bad_msg[0] ^= 0x80;
    EXPECT_EQ(verify_with(m, pub, bad_msg, *one).code(), Err::SignatureInvalid);
    Bytes short_sig(one->begin(), one->end() - 1);
    EXPECT_EQ(verify_with(m, pub, kMsg, short_sig).code(), Err::SignatureLenRange);
}

PssParams pss(Hash h, size_t salt) { return PssParams{h, h, salt}; }

TEST(RsaSign, HashedPkcs1MechanismsRoundTrip) {
    KeyPair kp = rsa_pair(2048);
    for (MechanismId id : {mech::kSha1RsaPkcs, mech::kSha224RsaPkcs, mech::kSha256RsaPkcs,
                           mech::kSha384RsaPkcs, mech::kSha512RsaPkcs})
        round_trip(mk(id), kp.private_key, kp.public_key, true);
}

TEST(RsaSign, HashedPssMechanismsRoundTrip) {
    KeyPair kp = rsa_pair(2048);
    struct Case {
        MechanismId id;
        Hash h;
    };
    for (Case c : {Case{mech::kSha1RsaPkcsPss, Hash::Sha1}, Case{mech::kSha224RsaPkcsPss, Hash::Sha224},
                   Case{mech::kSha256RsaPkcsPss, Hash::Sha256},
                   Case{mech::kSha384RsaPkcsPss, Hash::Sha384},
                   Case{mech::kSha512RsaPkcsPss, Hash::Sha512}})
        round_trip(mk(c.id, pss(c.h, hash_size(c.h))), kp.private_key, kp.public_key, false);
}

TEST(RsaSign, RawPkcs1SignsADigestInfoThatTheHashedMechanismVerifies) {
    KeyPair kp = rsa_pair(1024);
    // DigestInfo prefix for SHA-256 (RFC 8017 §9.2 note 1).
    Bytes di = hex("3031300d060960864801650304020105000420");
    auto h = digest(Hash::Sha256, kMsg);
    di.insert(di.end(), h->begin(), h->end());
    auto sig = sign_with(mk(mech::kRsaPkcs), kp.private_key, di);
    ASSERT_TRUE(sig.is_ok()) << sig.status().to_string();
    EXPECT_TRUE(verify_with(mk(mech::kSha256RsaPkcs), kp.public_key, kMsg, *sig).is_ok());
    EXPECT_TRUE(verify_with(mk(mech::kRsaPkcs), kp.public_key, di, *sig).is_ok());
    Bytes truncated(di.begin(), di.end() - 1);
    EXPECT_EQ(verify_with(mk(mech::kRsaPkcs), kp.public_key, truncated, *sig).code(),
              Err::SignatureInvalid);
}

TEST(RsaSign, RawPkcs1RejectsOverlongInput) {
    KeyPair kp = rsa_pair(1024);
    EXPECT_TRUE(sign_with(mk(mech::kRsaPkcs), kp.private_key, Bytes(128 - 11, 1)).is_ok());
    EXPECT_EQ(sign_with(mk(mech::kRsaPkcs), kp.private_key, Bytes(128 - 10, 1)).code(),
              Err::DataLenRange);
}

TEST(RsaSign, RawPssSignsAHashThatTheHashedMechanismVerifies) {
    KeyPair kp = rsa_pair(2048);
    auto h = digest(Hash::Sha256, kMsg);
    auto sig = sign_with(mk(mech::kRsaPkcsPss, pss(Hash::Sha256, 32)), kp.private_key, *h);
    ASSERT_TRUE(sig.is_ok()) << sig.status().to_string();
    EXPECT_TRUE(verify_with(mk(mech::kSha256RsaPkcsPss, pss(Hash::Sha256, 32)), kp.public_key,
                            kMsg, *sig)
                    .is_ok());
    EXPECT_EQ(sign_with(mk(mech::kRsaPkcsPss, pss(Hash::Sha256, 32)), kp.private_key, kMsg).code(),
              Err::DataLenRange);
}

TEST(RsaSign, X509RawSignatureIsTheInverseOfRawEncryption) {
    KeyPair kp = rsa_pair(1024);
    Bytes data = hex("0001020304");
    auto sig = sign_with(mk(mech::kRsaX509), kp.private_key, data);
    ASSERT_TRUE(sig.is_ok()) << sig.status().to_string();
    EXPECT_EQ(sig->size(), 128U);
    EXPECT_TRUE(verify_with(mk(mech::kRsaX509), kp.public_key, data, *sig).is_ok());
    auto enc = encrypt_with(mk(mech::kRsaX509), kp.public_key, *sig);
    ASSERT_TRUE(enc.is_ok());
    Bytes padded(128 - data.size(), 0);
    padded.insert(padded.end(), data.begin(), data.end());
    EXPECT_EQ(*enc, padded);
    Bytes other = data;
    other[4] = 9;
    EXPECT_EQ(verify_with(mk(mech::kRsaX509), kp.public_key, other, *sig).code(),
              Err::SignatureInvalid);
}

TEST(RsaSign, PssParamsMustMatchAndFit) {
    KeyPair kp = rsa_pair(1024);
    EXPECT_EQ(reg().sign(mk(mech::kSha256RsaPkcsPss, pss(Hash::Sha1, 20)), kp.private_key).code(),
              Err::MechanismParamInvalid);
    EXPECT_EQ(reg().sign(mk(mech::kSha256RsaPkcsPss), kp.private_key).code(),
              Err::MechanismParamInvalid);
    // 1024-bit key: emLen 128, so salt + 64 + 2 must be <= 128.
    EXPECT_TRUE(reg().sign(mk(mech::kSha512RsaPkcsPss, pss(Hash::Sha512, 62)), kp.private_key).is_ok());
    EXPECT_EQ(reg().sign(mk(mech::kSha512RsaPkcsPss, pss(Hash::Sha512, 63)), kp.private_key).code(),
              Err::MechanismParamInvalid);
}

class EcdsaCurves : public ::testing::TestWithParam<const char*> {};

TEST_P(EcdsaCurves, HashedMechanismsRoundTripInRsForm) {
    KeyPair kp = ec_pair(GetParam());
    size_t width = (kp.public_key.bits() + 7) / 8;
    for (MechanismId id : {mech::kEcdsaSha1, mech::kEcdsaSha224, mech::kEcdsaSha256,
                           mech::kEcdsaSha384, mech::kEcdsaSha512}) {
        round_trip(mk(id), kp.private_key, kp.public_key, false);
        auto sig = sign_with(mk(id), kp.private_key, kMsg);
        ASSERT_TRUE(sig.is_ok());
        EXPECT_EQ(sig->size(), 2 * width);
    }
}

TEST_P(EcdsaCurves, RawEcdsaOverAHashMatchesTheHashedMechanism) {
    KeyPair kp = ec_pair(GetParam());
    auto h = digest(Hash::Sha256, kMsg);
    auto sig = sign_with(mk(mech::kEcdsa), kp.private_key, *h);
    ASSERT_TRUE(sig.is_ok()) << sig.status().to_string();
    EXPECT_TRUE(verify_with(mk(mech::kEcdsaSha256), kp.public_key, kMsg, *sig).is_ok());
    round_trip(mk(mech::kEcdsa), kp.private_key, kp.public_key, false, false);
}

INSTANTIATE_TEST_SUITE_P(AllCurves, EcdsaCurves,
                         ::testing::Values("P-256", "P-384", "P-521", "secp256k1"));

TEST(EddsaSign, Ed25519RoundTripsAndIsDeterministic) {
    KeyPair kp = ec_pair("Ed25519");
    round_trip(mk(mech::kEddsa), kp.private_key, kp.public_key, true);
    EXPECT_EQ(sign_with(mk(mech::kEddsa), kp.private_key, kMsg)->size(), 64U);
}

TEST(DsaSign, GeneratedLegacyDomainSignsWithEveryHash) {
    KeyGenParams p;
    p.bits = 1024;
    auto kp = reg().generate_key_pair(mk(mech::kDsaKeyPairGen), p);
    ASSERT_TRUE(kp.is_ok()) << kp.status().to_string();
    for (MechanismId id : {mech::kDsaSha1, mech::kDsaSha224, mech::kDsaSha256, mech::kDsaSha384,
                           mech::kDsaSha512}) {
        round_trip(mk(id), kp->private_key, kp->public_key, false);
        EXPECT_EQ(sign_with(mk(id), kp->private_key, kMsg)->size(), 40U);
    }
    auto h = digest(Hash::Sha1, kMsg);
    auto sig = sign_with(mk(mech::kDsa), kp->private_key, *h);
    ASSERT_TRUE(sig.is_ok());
    EXPECT_TRUE(verify_with(mk(mech::kDsaSha1), kp->public_key, kMsg, *sig).is_ok());
}

TEST(DsaSign, Domain2048With256AndReuseOfAGivenDomain) {
    KeyGenParams p;
    p.bits = 2048;
    p.subprime_bits = 256;
    auto kp = reg().generate_key_pair(mk(mech::kDsaKeyPairGen), p);
    ASSERT_TRUE(kp.is_ok()) << kp.status().to_string();
    auto dom = dsa_public_parts(kp->public_key);
    ASSERT_TRUE(dom.is_ok());
    EXPECT_EQ(dom->subprime.size(), 32U);
    KeyGenParams q;
    q.dsa_domain = *dom;
    auto kp2 = reg().generate_key_pair(mk(mech::kDsaKeyPairGen), q);
    ASSERT_TRUE(kp2.is_ok()) << kp2.status().to_string();
    EXPECT_EQ(dsa_public_parts(kp2->public_key)->prime, dom->prime);
    EXPECT_NE(dsa_public_parts(kp2->public_key)->value, dom->value);
    round_trip(mk(mech::kDsaSha256), kp2->private_key, kp2->public_key, false);
    EXPECT_EQ(sign_with(mk(mech::kDsaSha256), kp2->private_key, kMsg)->size(), 64U);
}

TEST(DsaSign, UnsupportedSizePairIsKeySizeRange) {
    KeyGenParams p;
    p.bits = 2048;
    p.subprime_bits = 160;
    EXPECT_EQ(reg().generate_key_pair(mk(mech::kDsaKeyPairGen), p).code(), Err::KeySizeRange);
}

TEST(MacSign, HmacEveryHashRoundTripsWithFullLengthMacs) {
    Key k = secret_key(KeyType::GenericSecret, 32);
    struct Case {
        MechanismId id;
        size_t len;
    };
    for (Case c : {Case{mech::kSha1Hmac, 20}, Case{mech::kSha224Hmac, 28}, Case{mech::kSha256Hmac, 32},
                   Case{mech::kSha384Hmac, 48}, Case{mech::kSha512Hmac, 64}}) {
        round_trip(mk(c.id), k, k, true);
        EXPECT_EQ(sign_with(mk(c.id), k, kMsg)->size(), c.len);
    }
}

TEST(MacSign, CmacEveryAesSizeRoundTrips) {
    for (size_t n : {16, 24, 32}) {
        Key k = secret_key(KeyType::Aes, n);
        round_trip(mk(mech::kAesCmac), k, k, true);
        EXPECT_EQ(sign_with(mk(mech::kAesCmac), k, kMsg)->size(), 16U);
    }
}

TEST(SignErrors, WrongKeyTypeOrHalfIsKeyTypeInconsistent) {
    KeyPair rsa = rsa_pair(1024);
    KeyPair ec = ec_pair("P-256");
    Key aes = secret_key(KeyType::Aes, 16);
    EXPECT_EQ(reg().sign(mk(mech::kEcdsaSha256), rsa.private_key).code(), Err::KeyTypeInconsistent);
    EXPECT_EQ(reg().sign(mk(mech::kSha256RsaPkcs), ec.private_key).code(), Err::KeyTypeInconsistent);
    EXPECT_EQ(reg().sign(mk(mech::kSha256Hmac), aes).code(), Err::KeyTypeInconsistent);
    EXPECT_EQ(reg().sign(mk(mech::kSha256RsaPkcs), rsa.public_key).code(), Err::KeyTypeInconsistent);
    EXPECT_EQ(reg().verify(mk(mech::kSha256RsaPkcs), rsa.private_key).code(),
              Err::KeyTypeInconsistent);
}

TEST(SignErrors, MislabelledKeysNeverReachTheImplementation) {
    Key fake_ec = Key::secret(KeyType::Ec, SecretBytes(Bytes(300, 1)));
    EXPECT_EQ(reg().sign(mk(mech::kEcdsaSha256), fake_ec).code(), Err::KeyTypeInconsistent);
    Key typed_aes = Key::private_key(KeyType::Aes, PkeyPtr(nullptr));
    EXPECT_EQ(reg().encrypt(mk(mech::kAesEcb), typed_aes).code(), Err::KeyTypeInconsistent);
}

TEST(SignErrors, UnknownOrWrongFunctionIsMechanismInvalid) {
    KeyPair rsa = rsa_pair(1024);
    EXPECT_EQ(reg().sign(mk(0x7FFF'FFFF), rsa.private_key).code(), Err::MechanismInvalid);
    EXPECT_EQ(reg().sign(mk(mech::kRsaPkcsOaep), rsa.private_key).code(), Err::MechanismInvalid);
    EXPECT_EQ(reg().sign(mk(mech::kSha256), rsa.private_key).code(), Err::MechanismInvalid);
    EXPECT_EQ(reg().digest(mk(mech::kSha256RsaPkcs)).code(), Err::MechanismInvalid);
}

TEST(SignErrors, RsaKeyBelow1024BitsIsKeySizeRange) {
    PkeyPtr small(EVP_RSA_gen(512));
    ASSERT_TRUE(small);
    Key k = Key::private_key(KeyType::Rsa, std::move(small));
    EXPECT_EQ(reg().sign(mk(mech::kSha256RsaPkcs), k).code(), Err::KeySizeRange);
}

TEST(SignErrors, UnexpectedParamsAreMechanismParamInvalid) {
    KeyPair ec = ec_pair("P-256");
    EXPECT_EQ(reg().sign(mk(mech::kEcdsaSha256, IvParams{Bytes(16)}), ec.private_key).code(),
              Err::MechanismParamInvalid);
}

}  // namespace
}  // namespace sr::crypto
