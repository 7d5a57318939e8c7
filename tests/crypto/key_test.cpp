#include "crypto/key.h"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "mech_test_util.h"

namespace sr::crypto {
namespace {

using namespace testing;

const Bytes kMsg = to_bytes("the quick brown fox jumps over the lazy dog");

void expect_signs_for(const Key& priv, const Key& pub, MechanismId id) {
    auto sig = sign_with(mk(id), priv, kMsg);
    ASSERT_TRUE(sig.is_ok()) << sig.status().to_string();
    EXPECT_TRUE(verify_with(mk(id), pub, kMsg, *sig).is_ok());
}

TEST(KeyComponents, RsaPrivatePartsRoundTripToAWorkingKey) {
    KeyPair kp = rsa_pair(2048);
    auto parts = rsa_private_parts(kp.private_key);
    ASSERT_TRUE(parts.is_ok()) << parts.status().to_string();
    EXPECT_EQ(parts->modulus.size(), 256U);
    EXPECT_EQ(parts->public_exponent, (Bytes{0x01, 0x00, 0x01}));
    EXPECT_FALSE(parts->prime1.empty());
    EXPECT_FALSE(parts->coefficient.empty());
    auto again = rsa_private_from(*parts);
    ASSERT_TRUE(again.is_ok()) << again.status().to_string();
    EXPECT_EQ(again->bits(), 2048U);
    expect_signs_for(*again, kp.public_key, mech::kSha256RsaPkcs);
}

TEST(KeyComponents, RsaPrivateWithoutCrtValuesStillSigns) {
    KeyPair kp = rsa_pair(1024);
    auto parts = rsa_private_parts(kp.private_key);
    ASSERT_TRUE(parts.is_ok());
    RsaPrivateParts bare;
    bare.modulus = parts->modulus;
    bare.public_exponent = parts->public_exponent;
    bare.private_exponent = parts->private_exponent.clone();
    auto key = rsa_private_from(bare);
    ASSERT_TRUE(key.is_ok()) << key.status().to_string();
    expect_signs_for(*key, kp.public_key, mech::kSha256RsaPkcs);
    // PKCS#1 has no form without the CRT values, so such a key cannot leave as PKCS#8.
    EXPECT_EQ(to_pkcs8(*key).code(), Err::KeyNotWrappable);
}

TEST(KeyComponents, RsaPartialCrtIsRejected) {
    KeyPair kp = rsa_pair(1024);
    auto parts = rsa_private_parts(kp.private_key);
    ASSERT_TRUE(parts.is_ok());
    parts->coefficient.clear();
    EXPECT_EQ(rsa_private_from(*parts).code(), Err::TemplateIncomplete);
}

TEST(KeyComponents, RsaPublicPartsRoundTripExactly) {
    KeyPair kp = rsa_pair(1024);
    auto parts = rsa_public_parts(kp.public_key);
    ASSERT_TRUE(parts.is_ok());
    auto key = rsa_public_from(*parts);
    ASSERT_TRUE(key.is_ok());
    auto again = rsa_public_parts(*key);
    ASSERT_TRUE(again.is_ok());
    EXPECT_EQ(again->modulus, parts->modulus);
    EXPECT_EQ(key->part(), KeyPart::Public);
    expect_signs_for(kp.private_key, *key, mech::kSha1RsaPkcs);
}

TEST(KeyComponents, PrivatePartsOfAPublicKeyAreRefused) {
    KeyPair kp = rsa_pair(1024);
    EXPECT_EQ(rsa_private_parts(kp.public_key).code(), Err::KeyTypeInconsistent);
    EXPECT_EQ(ec_public_parts(kp.public_key).code(), Err::KeyTypeInconsistent);
}

class EcCurves : public ::testing::TestWithParam<const char*> {};

TEST_P(EcCurves, PrivateScalarAloneRebuildsTheSameKey) {
    KeyPair kp = ec_pair(GetParam());
    auto parts = ec_private_parts(kp.private_key);
    ASSERT_TRUE(parts.is_ok()) << parts.status().to_string();
    auto pub = ec_public_parts(kp.public_key);
    ASSERT_TRUE(pub.is_ok());
    EXPECT_EQ(parts->point, pub->point);
    EXPECT_EQ(parts->params, *curve_params_der(GetParam()));
    EcPrivateParts no_point{parts->params, parts->value.clone(), {}};
    KeyType t = kp.private_key.type();
    auto key = ec_private_from(t, no_point);
    ASSERT_TRUE(key.is_ok()) << key.status().to_string();
    auto again = ec_private_parts(*key);
    ASSERT_TRUE(again.is_ok());
    EXPECT_EQ(again->point, pub->point);
    EXPECT_TRUE(equal_ct(again->value.span(), parts->value.span()));
    expect_signs_for(*key, kp.public_key, t == KeyType::EcEdwards ? mech::kEddsa : mech::kEcdsaSha256);
}

TEST_P(EcCurves, PublicPointIsAcceptedRawOrDerWrapped) {
    KeyPair kp = ec_pair(GetParam());
    auto pub = ec_public_parts(kp.public_key);
    ASSERT_TRUE(pub.is_ok());
    KeyType t = kp.public_key.type();
    ASSERT_EQ(pub->point[0], 0x04);  // DER OCTET STRING
    size_t header = pub->point[1] == 0x81 ? 3 : 2;
    Bytes raw(pub->point.begin() + static_cast<long>(header), pub->point.end());
    auto from_der = ec_public_from(t, *pub);
    auto from_raw = ec_public_from(t, EcPublicParts{pub->params, raw});
    ASSERT_TRUE(from_der.is_ok()) << from_der.status().to_string();
    ASSERT_TRUE(from_raw.is_ok()) << from_raw.status().to_string();
    EXPECT_EQ(ec_public_parts(*from_raw)->point, pub->point);
    EXPECT_EQ(from_raw->bits(), kp.public_key.bits());
}

TEST_P(EcCurves, Pkcs8AndSpkiRoundTrip) {
    KeyPair kp = ec_pair(GetParam());
    auto p8 = to_pkcs8(kp.private_key);
    ASSERT_TRUE(p8.is_ok()) << p8.status().to_string();
    auto priv = from_pkcs8(p8->span());
    ASSERT_TRUE(priv.is_ok()) << priv.status().to_string();
    EXPECT_EQ(priv->type(), kp.private_key.type());
    auto spki = to_spki(kp.public_key);
    ASSERT_TRUE(spki.is_ok());
    auto pub = from_spki(*spki);
    ASSERT_TRUE(pub.is_ok());
    EXPECT_EQ(*curve_name_of(*pub), GetParam());
    expect_signs_for(*priv, *pub,
                     priv->type() == KeyType::EcEdwards ? mech::kEddsa : mech::kEcdsaSha384);
}

INSTANTIATE_TEST_SUITE_P(AllCurves, EcCurves,
                         ::testing::Values("P-256", "P-384", "P-521", "secp256k1", "Ed25519"));

TEST(KeyComponents, EcPointNotMatchingScalarIsRejected) {
    KeyPair a = ec_pair("P-256");
    KeyPair b = ec_pair("P-256");
    auto pa = ec_private_parts(a.private_key);
    auto pb = ec_public_parts(b.public_key);
    EcPrivateParts mixed{pa->params, pa->value.clone(), pb->point};
    EXPECT_EQ(ec_private_from(KeyType::Ec, mixed).code(), Err::AttributeValueInvalid);
}

TEST(KeyComponents, EcScalarOutOfRangeIsRejected) {
    SecretBytes big(Bytes(32, 0xFF));
    EcPrivateParts parts{*curve_params_der("P-256"), std::move(big), {}};
    EXPECT_EQ(ec_private_from(KeyType::Ec, parts).code(), Err::AttributeValueInvalid);
}

TEST(KeyComponents, CurveKindMustMatchKeyType) {
    EcPublicParts parts{*curve_params_der("Ed25519"), Bytes(32, 1)};
    EXPECT_EQ(ec_public_from(KeyType::Ec, parts).code(), Err::TemplateInconsistent);
}

TEST(KeyComponents, DsaRoundTripsWithAndWithoutPublicValue) {
    KeyGenParams p;
    p.bits = 1024;
    auto kp = reg().generate_key_pair(mk(mech::kDsaKeyPairGen), p);
    ASSERT_TRUE(kp.is_ok()) << kp.status().to_string();
    auto parts = dsa_private_parts(kp->private_key);
    ASSERT_TRUE(parts.is_ok()) << parts.status().to_string();
    EXPECT_EQ(parts->subprime.size(), 20U);
    DsaPrivateParts bare{parts->prime, parts->subprime, parts->base, parts->value.clone(), {}};
    auto key = dsa_private_from(bare);
    ASSERT_TRUE(key.is_ok()) << key.status().to_string();
    EXPECT_EQ(dsa_private_parts(*key)->public_value, parts->public_value);
    auto pub = dsa_public_from(*dsa_public_parts(kp->public_key));
    ASSERT_TRUE(pub.is_ok());
    EXPECT_EQ(pub->bits(), 1024U);
    expect_signs_for(*key, *pub, mech::kDsaSha1);
    auto p8 = to_pkcs8(*key);
    ASSERT_TRUE(p8.is_ok());
    EXPECT_EQ(from_pkcs8(p8->span())->type(), KeyType::Dsa);
}

TEST(KeyEncodings, RsaPkcs8AndSpkiRoundTrip) {
    KeyPair kp = rsa_pair(1024);
    auto p8 = to_pkcs8(kp.private_key);
    ASSERT_TRUE(p8.is_ok());
    auto priv = from_pkcs8(p8->span());
    ASSERT_TRUE(priv.is_ok());
    EXPECT_EQ(priv->type(), KeyType::Rsa);
    EXPECT_EQ(priv->part(), KeyPart::Private);
    auto spki = to_spki(kp.private_key);  // public half of a private key
    ASSERT_TRUE(spki.is_ok());
    auto pub = from_spki(*spki);
    ASSERT_TRUE(pub.is_ok());
    EXPECT_EQ(pub->part(), KeyPart::Public);
    expect_signs_for(*priv, *pub, mech::kSha512RsaPkcs);
}

// to_spki builds RSA / EC / Ed25519 SPKIs itself; they must match OpenSSL's encoder exactly.
void expect_spki_matches_openssl(const Key& key) {
    auto ours = to_spki(key);
    auto theirs = to_spki_openssl(key);
    ASSERT_TRUE(ours.is_ok()) << ours.status().to_string();
    ASSERT_TRUE(theirs.is_ok()) << theirs.status().to_string();
    EXPECT_EQ(*ours, *theirs);
}

TEST(KeyEncodings, SpkiIsByteIdenticalToOpenSslForEveryCurve) {
    for (std::string_view curve : {"P-256", "P-384", "P-521", "secp256k1", "Ed25519"}) {
        SCOPED_TRACE(std::string(curve));
        for (int i = 0; i < 4; ++i) {
            KeyPair kp = ec_pair(curve);
            expect_spki_matches_openssl(kp.private_key);
            expect_spki_matches_openssl(kp.public_key);
            auto parts = ec_public_parts(kp.public_key);
            ASSERT_TRUE(parts.is_ok());
            auto imported = ec_public_from(kp.public_key.type(), *parts);
            ASSERT_TRUE(imported.is_ok()) << imported.status().to_string();
            expect_spki_matches_openssl(*imported);
            auto from_parts = ec_spki(kp.private_key, *parts);
            ASSERT_TRUE(from_parts.is_ok()) << from_parts.status().to_string();
            EXPECT_EQ(*from_parts, *to_spki_openssl(kp.private_key));
        }
    }
}

TEST(KeyBasics, PublicOfAnEcKeyIsPublicOnlyAndVerifies) {
    for (std::string_view curve : {"P-256", "P-384", "P-521", "secp256k1"}) {
        SCOPED_TRACE(std::string(curve));
        KeyPair kp = ec_pair(curve);
        auto pub = public_of(kp.private_key);
        ASSERT_TRUE(pub.is_ok()) << pub.status().to_string();
        EXPECT_EQ(pub->part(), KeyPart::Public);
        EXPECT_EQ(ec_private_parts(*pub).code(), Err::KeyTypeInconsistent);
        EXPECT_EQ(to_pkcs8(*pub).code(), Err::KeyTypeInconsistent);
        BIGNUM* d = nullptr;  // the OpenSSL key itself holds no private scalar
        EXPECT_EQ(EVP_PKEY_get_bn_param(pub->pkey(), OSSL_PKEY_PARAM_PRIV_KEY, &d), 0);
        BN_free(d);
        ERR_clear_error();
        EXPECT_EQ(*to_spki_openssl(*pub), *to_spki_openssl(kp.private_key));
        expect_signs_for(kp.private_key, *pub, mech::kEcdsaSha256);
    }
}

TEST(KeyEncodings, SpkiIsByteIdenticalToOpenSslForRsaSizesAndExponents) {
    for (size_t bits : {1024U, 2048U, 3072U}) {
        SCOPED_TRACE(bits);
        KeyPair kp = rsa_pair(bits);
        expect_spki_matches_openssl(kp.private_key);
        expect_spki_matches_openssl(kp.public_key);
    }
    KeyGenParams p;
    p.bits = 1024;
    p.public_exponent = {0x03};
    auto kp = reg().generate_key_pair(mk(mech::kRsaPkcsKeyPairGen), p);
    ASSERT_TRUE(kp.is_ok()) << kp.status().to_string();
    expect_spki_matches_openssl(kp->public_key);
    // Exponents whose top bit is set need a sign-padding zero in the INTEGER.
    auto parts = rsa_public_parts(kp->public_key);
    ASSERT_TRUE(parts.is_ok());
    for (Bytes e : {Bytes{0x81}, Bytes{0x80, 0x00, 0x01}, Bytes{0x01, 0x00, 0x01}}) {
        auto pub = rsa_public_from({parts->modulus, e});
        ASSERT_TRUE(pub.is_ok()) << pub.status().to_string();
        expect_spki_matches_openssl(*pub);
    }
}

TEST(KeyEncodings, DsaSpkiStillEncodes) {
    KeyGenParams p;
    p.bits = 1024;
    auto kp = reg().generate_key_pair(mk(mech::kDsaKeyPairGen), p);
    ASSERT_TRUE(kp.is_ok()) << kp.status().to_string();
    expect_spki_matches_openssl(kp->public_key);
    EXPECT_EQ(from_spki(*to_spki(kp->public_key))->type(), KeyType::Dsa);
}

TEST(KeyEncodings, GarbageIsRejectedWithPreciseCodes) {
    Bytes junk = to_bytes("not DER at all");
    EXPECT_EQ(from_pkcs8(junk).code(), Err::WrappedKeyInvalid);
    EXPECT_EQ(from_spki(junk).code(), Err::PublicKeyInvalid);
    KeyPair kp = rsa_pair(1024);
    EXPECT_EQ(to_pkcs8(kp.public_key).code(), Err::KeyTypeInconsistent);
}

TEST(KeyEncodings, TrailingBytesAfterPkcs8AreRejected) {
    KeyPair kp = ec_pair("P-256");
    auto p8 = to_pkcs8(kp.private_key);
    ASSERT_TRUE(p8.is_ok());
    Bytes longer(p8->span().begin(), p8->span().end());
    longer.push_back(0);
    EXPECT_EQ(from_pkcs8(longer).code(), Err::WrappedKeyInvalid);
}

TEST(CurveParams, NamesAndOidsMapBothWays) {
    EXPECT_EQ(to_hex(*curve_params_der("P-256")), "06082a8648ce3d030107");
    EXPECT_EQ(to_hex(*curve_params_der("P-384")), "06052b81040022");
    EXPECT_EQ(to_hex(*curve_params_der("P-521")), "06052b81040023");
    EXPECT_EQ(to_hex(*curve_params_der("secp256k1")), "06052b8104000a");
    EXPECT_EQ(to_hex(*curve_params_der("Ed25519")), "06032b6570");
    for (const char* name : {"P-256", "P-384", "P-521", "secp256k1", "Ed25519"})
        EXPECT_EQ(*curve_name_from_params(*curve_params_der(name)), name);
    // PKCS#11 3.0 PrintableString form for Edwards curves.
    EXPECT_EQ(*curve_name_from_params(to_bytes("\x13\x0c" "edwards25519")), "Ed25519");
}

TEST(CurveParams, UnknownAndMalformedParamsAreDistinguished) {
    EXPECT_EQ(curve_params_der("P-192").code(), Err::CurveNotSupported);
    // brainpoolP256r1
    EXPECT_EQ(curve_name_from_params(hex("06092b2403030208010107")).code(), Err::CurveNotSupported);
    EXPECT_EQ(curve_name_from_params(hex("0608")).code(), Err::DomainParamsInvalid);
    EXPECT_EQ(curve_name_from_params({}).code(), Err::DomainParamsInvalid);
}

TEST(KeyBasics, BitsReflectTheKeySize) {
    EXPECT_EQ(rsa_pair(1024).private_key.bits(), 1024U);
    EXPECT_EQ(ec_pair("P-521").public_key.bits(), 521U);
    EXPECT_EQ(ec_pair("Ed25519").public_key.bits(), 255U);
    EXPECT_EQ(secret_key(KeyType::Aes, 24).bits(), 192U);
}

TEST(KeyBasics, CloneSharesMaterialIndependently) {
    Key k = secret_key(KeyType::Aes, 16);
    Key c = k.clone();
    EXPECT_TRUE(equal_ct(k.value().span(), c.value().span()));
    KeyPair kp = ec_pair("P-256");
    Key pc = kp.private_key.clone();
    { KeyPair gone = std::move(kp); }
    auto sig = sign_with(mk(mech::kEcdsaSha256), pc, kMsg);
    EXPECT_TRUE(sig.is_ok());
}

TEST(KeyBasics, PublicOfDropsThePrivateHalf) {
    KeyPair kp = rsa_pair(1024);
    auto pub = public_of(kp.private_key);
    ASSERT_TRUE(pub.is_ok());
    EXPECT_EQ(pub->part(), KeyPart::Public);
    EXPECT_EQ(*to_spki(*pub), *to_spki(kp.private_key));
    EXPECT_EQ(rsa_private_parts(*pub).code(), Err::KeyTypeInconsistent);
    // Even when mislabelled as private, the public-only EVP_PKEY has no private exponent.
    EVP_PKEY_up_ref(pub->pkey());
    Key mislabelled = Key::private_key(KeyType::Rsa, PkeyPtr(pub->pkey()));
    EXPECT_FALSE(rsa_private_parts(mislabelled).is_ok());
}

}  // namespace
}  // namespace sr::crypto
