#include "hsm/key_attributes.h"

#include <gtest/gtest.h>

#include "crypto/mechanism.h"
#include "hsm/object_rules.h"

namespace sr::hsm {
namespace {

using crypto::KeyType;
const crypto::MechanismRegistry& reg() { return crypto::MechanismRegistry::standard(); }

Bytes spki(const crypto::Key& k) {
    auto r = crypto::to_spki(k);
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    return r.is_ok() ? *r : Bytes{};
}

// Every attribute the conversion produces must be one the rules table allows for the key.
void expect_types_allowed(const AttributeSet& a) {
    const uint64_t c = *a.get_ulong(attr::kClass);
    const auto kt = a.get_ulong(attr::kKeyType);
    for (AttrType t : a.types()) {
        EXPECT_NE(find_attribute_rule(c, kt, t), nullptr) << attribute_name(t);
        EXPECT_EQ(a.is_secret(t), is_secret_attribute(c, t)) << attribute_name(t);
    }
}

void round_trip_pair(const crypto::KeyPair& pair) {
    auto pub = attributes_from_key(pair.public_key);
    ASSERT_TRUE(pub.is_ok()) << pub.status().to_string();
    expect_types_allowed(*pub);
    EXPECT_EQ(pub->get_ulong(attr::kClass), cls::kPublicKey);
    auto pub_back = key_from_attributes(*pub);
    ASSERT_TRUE(pub_back.is_ok()) << pub_back.status().to_string();
    EXPECT_EQ(spki(*pub_back), spki(pair.public_key));
    EXPECT_EQ(Bytes(pub->get(attr::kPublicKeyInfo)->begin(), pub->get(attr::kPublicKeyInfo)->end()),
              spki(pair.public_key));

    auto priv = attributes_from_key(pair.private_key);
    ASSERT_TRUE(priv.is_ok()) << priv.status().to_string();
    expect_types_allowed(*priv);
    EXPECT_TRUE(priv->is_secret(attr::kClass) == false);
    auto priv_back = key_from_attributes(*priv);
    ASSERT_TRUE(priv_back.is_ok()) << priv_back.status().to_string();
    EXPECT_EQ(priv_back->part(), crypto::KeyPart::Private);
    EXPECT_EQ(spki(*priv_back), spki(pair.public_key));
}

TEST(KeyAttributes, RsaPairRoundTrips) {
    crypto::KeyGenParams p;
    p.bits = 2048;
    auto pair = reg().generate_key_pair({crypto::mech::kRsaPkcsKeyPairGen, {}}, p);
    ASSERT_TRUE(pair.is_ok()) << pair.status().to_string();
    round_trip_pair(*pair);
    auto pub = attributes_from_key(pair->public_key);
    EXPECT_EQ(pub->get_ulong(attr::kModulusBits), 2048u);
    auto priv = attributes_from_key(pair->private_key);
    EXPECT_TRUE(priv->is_secret(attr::kPrivateExponent));
    EXPECT_TRUE(priv->is_secret(attr::kPrime1));
    EXPECT_FALSE(priv->is_secret(attr::kModulus));
}

TEST(KeyAttributes, EcPairRoundTrips) {
    crypto::KeyGenParams p;
    auto params = crypto::curve_params_der("P-256");
    ASSERT_TRUE(params.is_ok());
    p.ec_params = *params;
    auto pair = reg().generate_key_pair({crypto::mech::kEcKeyPairGen, {}}, p);
    ASSERT_TRUE(pair.is_ok()) << pair.status().to_string();
    round_trip_pair(*pair);
    auto priv = attributes_from_key(pair->private_key);
    EXPECT_TRUE(priv->is_secret(attr::kValue));
}

TEST(KeyAttributes, Ed25519PairRoundTrips) {
    crypto::KeyGenParams p;
    auto params = crypto::curve_params_der("Ed25519");
    ASSERT_TRUE(params.is_ok());
    p.ec_params = *params;
    auto pair = reg().generate_key_pair({crypto::mech::kEcEdwardsKeyPairGen, {}}, p);
    ASSERT_TRUE(pair.is_ok()) << pair.status().to_string();
    round_trip_pair(*pair);
}

TEST(KeyAttributes, DsaPairRoundTrips) {
    crypto::KeyGenParams p;
    p.bits = 2048;
    auto pair = reg().generate_key_pair({crypto::mech::kDsaKeyPairGen, {}}, p);
    if (!pair.is_ok()) GTEST_SKIP() << "DSA generation unavailable: " << pair.status().to_string();
    round_trip_pair(*pair);
}

TEST(KeyAttributes, AesKeyCarriesValueLenAndKnownCheckValue) {
    auto key = crypto::Key::secret(KeyType::Aes, SecretBytes(Bytes(16, 0)));
    auto a = attributes_from_key(key);
    ASSERT_TRUE(a.is_ok()) << a.status().to_string();
    expect_types_allowed(*a);
    EXPECT_TRUE(a->is_secret(attr::kValue));
    EXPECT_EQ(a->get_ulong(attr::kValueLen), 16u);
    // AES-128 of the zero block under the zero key is 66e94bd4... (FIPS-197 style KAT).
    EXPECT_EQ(Bytes(a->get(attr::kCheckValue)->begin(), a->get(attr::kCheckValue)->end()),
              (Bytes{0x66, 0xE9, 0x4B}));
    auto back = key_from_attributes(*a);
    ASSERT_TRUE(back.is_ok());
    EXPECT_EQ(Bytes(back->value().span().begin(), back->value().span().end()), Bytes(16, 0));
}

TEST(KeyAttributes, Des3AndGenericSecretsRoundTrip) {
    auto des3 = reg().generate_key({crypto::mech::kDes3KeyGen, {}}, KeyType::Des3, {});
    ASSERT_TRUE(des3.is_ok()) << des3.status().to_string();
    auto d = attributes_from_key(*des3);
    ASSERT_TRUE(d.is_ok()) << d.status().to_string();
    expect_types_allowed(*d);
    EXPECT_EQ(d->get(attr::kCheckValue)->size(), 3u);
    EXPECT_FALSE(d->has(attr::kValueLen));
    ASSERT_TRUE(key_from_attributes(*d).is_ok());

    auto generic = crypto::Key::secret(KeyType::GenericSecret, SecretBytes(Bytes(20, 5)));
    auto g = attributes_from_key(generic);
    ASSERT_TRUE(g.is_ok());
    expect_types_allowed(*g);
    EXPECT_FALSE(g->has(attr::kCheckValue));
    EXPECT_EQ(g->get_ulong(attr::kValueLen), 20u);
}

TEST(KeyAttributes, MissingOrBadComponentsAreReported) {
    AttributeSet a;
    a.set_ulong(attr::kClass, cls::kSecretKey);
    a.set_ulong(attr::kKeyType, ckk::kAes);
    EXPECT_EQ(key_from_attributes(a).code(), Err::TemplateIncomplete);
    a.set_secret(attr::kValue, SecretBytes(Bytes(15, 1)));
    EXPECT_EQ(key_from_attributes(a).code(), Err::AttributeValueInvalid);

    AttributeSet rsa;
    rsa.set_ulong(attr::kClass, cls::kPublicKey);
    rsa.set_ulong(attr::kKeyType, ckk::kRsa);
    rsa.set_bytes(attr::kModulus, Bytes{0x00});
    EXPECT_EQ(key_from_attributes(rsa).code(), Err::TemplateIncomplete);

    AttributeSet ec;
    ec.set_ulong(attr::kClass, cls::kPublicKey);
    ec.set_ulong(attr::kKeyType, ckk::kEc);
    ec.set_bytes(attr::kEcParams, *crypto::curve_params_der("P-256"));
    ec.set_bytes(attr::kEcPoint, Bytes{0x04, 0x03, 0x04, 0x01, 0x02});  // not on the curve
    EXPECT_EQ(key_from_attributes(ec).code(), Err::AttributeValueInvalid);
    ec.set_bytes(attr::kEcParams, Bytes{0x06, 0x03, 0x2B, 0x65, 0x7F});  // unknown curve OID
    EXPECT_EQ(key_from_attributes(ec).code(), Err::CurveNotSupported);

    AttributeSet data;
    data.set_ulong(attr::kClass, cls::kData);
    EXPECT_EQ(key_from_attributes(data).code(), Err::KeyTypeInconsistent);
}

TEST(KeyAttributes, GeneratedKeyMergesOverPreparedTemplate) {
    NewObjectContext ctx;
    ctx.mechanism = crypto::mech::kAesKeyGen;
    ctx.object_class = cls::kSecretKey;
    ctx.key_type = ckk::kAes;
    AttributeSet t;
    t.set_ulong(attr::kValueLen, 32);
    t.set_bool(attr::kSensitive, true);
    auto prepared = prepare_new_object(std::move(t), Origin::Generate, ctx);
    ASSERT_TRUE(prepared.is_ok()) << prepared.status().to_string();
    crypto::KeyGenParams gen;
    gen.value_len = 32;
    auto key = reg().generate_key({crypto::mech::kAesKeyGen, {}}, KeyType::Aes, gen);
    ASSERT_TRUE(key.is_ok());
    auto material = attributes_from_key(*key);
    ASSERT_TRUE(material.is_ok());
    prepared->merge(std::move(material).value());
    EXPECT_EQ(readable(*prepared, attr::kValue), Readable::Sensitive);
    EXPECT_EQ(prepared->get_bool(attr::kLocal), true);
    EXPECT_TRUE(key_from_attributes(*prepared).is_ok());
}

}  // namespace
}  // namespace sr::hsm
