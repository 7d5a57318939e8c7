#include "hsm/object_rules.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "crypto/mechanism.h"

namespace sr::hsm {
namespace {

AttributeSet aes_create_template() {
    AttributeSet t;
    t.set_ulong(attr::kClass, cls::kSecretKey);
    t.set_ulong(attr::kKeyType, ckk::kAes);
    t.set_bytes(attr::kValue, Bytes(32, 0x11));
    return t;
}

AttributeSet prepared(AttributeSet t, Origin o, NewObjectContext ctx = {}) {
    auto r = prepare_new_object(std::move(t), o, ctx);
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    return r.is_ok() ? std::move(r).value() : AttributeSet{};
}

NewObjectContext aes_gen_ctx() {
    NewObjectContext c;
    c.mechanism = crypto::mech::kAesKeyGen;
    c.object_class = cls::kSecretKey;
    c.key_type = ckk::kAes;
    return c;
}

// ---- The table itself

TEST(AttributeRules, EveryRowHasNameClassAndNoTwoRowsShareAScope) {
    const std::pair<uint64_t, uint8_t> classes[] = {
        {cls::kData, clsbit::kData},           {cls::kCertificate, clsbit::kCertificate},
        {cls::kPublicKey, clsbit::kPublicKey}, {cls::kPrivateKey, clsbit::kPrivateKey},
        {cls::kSecretKey, clsbit::kSecretKey}};
    const uint64_t types[] = {ckk::kRsa, ckk::kDsa, ckk::kEc, ckk::kEcEdwards,
                              ckk::kGenericSecret, ckk::kAes, ckk::kDes3};
    std::map<std::tuple<AttrType, uint64_t, uint64_t>, int> rows_per_scope;
    for (const AttrRule& r : attribute_rules()) {
        EXPECT_FALSE(r.name.empty());
        EXPECT_NE(r.classes, 0) << r.name;
        for (const auto& [c, bit] : classes) {
            if ((r.classes & bit) == 0) continue;
            for (uint64_t k : types) {
                const bool key_class = (bit & clsbit::kAllKeys) != 0;
                const bool applies = !key_class || r.key_types.empty() ||
                                     std::find(r.key_types.begin(), r.key_types.end(), k) !=
                                         r.key_types.end();
                if (applies) ++rows_per_scope[{r.type, c, k}];
            }
        }
    }
    for (const auto& [scope, n] : rows_per_scope) {
        EXPECT_EQ(n, 1) << attribute_name(std::get<0>(scope)) << " class " << std::get<1>(scope)
                        << " key type " << std::get<2>(scope);
    }
}

TEST(AttributeRules, SecretAttributesAreKeyMaterialOnly) {
    EXPECT_TRUE(is_secret_attribute(cls::kSecretKey, attr::kValue));
    EXPECT_TRUE(is_secret_attribute(cls::kPrivateKey, attr::kValue));
    EXPECT_TRUE(is_secret_attribute(cls::kPrivateKey, attr::kPrivateExponent));
    EXPECT_TRUE(is_secret_attribute(cls::kPrivateKey, attr::kCoefficient));
    EXPECT_FALSE(is_secret_attribute(cls::kData, attr::kValue));
    EXPECT_FALSE(is_secret_attribute(cls::kCertificate, attr::kValue));
    EXPECT_FALSE(is_secret_attribute(cls::kPublicKey, attr::kValue));
    EXPECT_FALSE(is_secret_attribute(cls::kPrivateKey, attr::kModulus));
}

TEST(AttributeRules, NamesUnknownTypesInHex) {
    EXPECT_EQ(attribute_name(attr::kLabel), "CKA_LABEL");
    EXPECT_EQ(attribute_name(0x12345), "CKA_0x12345");
}

// ---- prepare_new_object: defaults and token-set attributes

TEST(PrepareNewObject, CreateFillsSpecDefaultsForSecretKey) {
    AttributeSet a = prepared(aes_create_template(), Origin::Create);
    EXPECT_EQ(a.get_bool(attr::kToken), false);
    EXPECT_EQ(a.get_bool(attr::kPrivate), true);
    EXPECT_EQ(a.get_bool(attr::kModifiable), true);
    EXPECT_EQ(a.get_bool(attr::kCopyable), true);
    EXPECT_EQ(a.get_bool(attr::kDestroyable), true);
    EXPECT_EQ(a.get_bool(attr::kSensitive), false);
    EXPECT_EQ(a.get_bool(attr::kExtractable), true);
    EXPECT_EQ(a.get_bool(attr::kEncrypt), false);
    EXPECT_EQ(a.get_bool(attr::kWrapWithTrusted), false);
    EXPECT_EQ(a.get(attr::kLabel)->size(), 0u);
    EXPECT_EQ(a.get_bool(attr::kLocal), false);
    EXPECT_EQ(a.get_bool(attr::kAlwaysSensitive), false);
    EXPECT_EQ(a.get_bool(attr::kNeverExtractable), false);
    EXPECT_EQ(a.get_ulong(attr::kKeyGenMechanism), kUnavailableInformation);
    EXPECT_FALSE(a.has(attr::kOuid));
}

TEST(PrepareNewObject, KeyValueEndsUpInTheSecretMap) {
    AttributeSet a = prepared(aes_create_template(), Origin::Create);
    EXPECT_TRUE(a.is_secret(attr::kValue));
    EXPECT_EQ(a.plain_values().count(attr::kValue), 0u);
}

TEST(PrepareNewObject, PublicObjectsDefaultToNotPrivate) {
    AttributeSet t;
    t.set_ulong(attr::kClass, cls::kData);
    t.set_string(attr::kValue, "hello");
    AttributeSet a = prepared(std::move(t), Origin::Create);
    EXPECT_EQ(a.get_bool(attr::kPrivate), false);
    EXPECT_FALSE(a.is_secret(attr::kValue));
    EXPECT_FALSE(a.has(attr::kLocal));
}

TEST(PrepareNewObject, GenerateSetsLocalMechanismAndBirthFlags) {
    AttributeSet t;
    t.set_ulong(attr::kValueLen, 32);
    t.set_bool(attr::kSensitive, true);
    t.set_bool(attr::kExtractable, false);
    AttributeSet a = prepared(std::move(t), Origin::Generate, aes_gen_ctx());
    EXPECT_EQ(a.get_ulong(attr::kClass), cls::kSecretKey);
    EXPECT_EQ(a.get_ulong(attr::kKeyType), ckk::kAes);
    EXPECT_EQ(a.get_bool(attr::kLocal), true);
    EXPECT_EQ(a.get_ulong(attr::kKeyGenMechanism), crypto::mech::kAesKeyGen);
    EXPECT_EQ(a.get_bool(attr::kAlwaysSensitive), true);
    EXPECT_EQ(a.get_bool(attr::kNeverExtractable), true);
}

TEST(PrepareNewObject, UnwrapIsNeverAlwaysSensitive) {
    AttributeSet t;
    t.set_ulong(attr::kClass, cls::kSecretKey);
    t.set_ulong(attr::kKeyType, ckk::kAes);
    t.set_bool(attr::kSensitive, true);
    t.set_bool(attr::kExtractable, false);
    AttributeSet a = prepared(std::move(t), Origin::Unwrap);
    EXPECT_EQ(a.get_bool(attr::kLocal), false);
    EXPECT_EQ(a.get_bool(attr::kAlwaysSensitive), false);
    EXPECT_EQ(a.get_bool(attr::kNeverExtractable), false);
}

TEST(PrepareNewObject, DeriveInheritsBirthFlagsFromBaseKey) {
    AttributeSet base;
    base.set_bool(attr::kAlwaysSensitive, true);
    base.set_bool(attr::kNeverExtractable, false);
    NewObjectContext ctx;
    ctx.base_key = &base;
    AttributeSet t;
    t.set_ulong(attr::kClass, cls::kSecretKey);
    t.set_ulong(attr::kKeyType, ckk::kGenericSecret);
    t.set_ulong(attr::kValueLen, 32);
    t.set_bool(attr::kSensitive, true);
    t.set_bool(attr::kExtractable, false);
    AttributeSet a = prepared(std::move(t), Origin::Derive, ctx);
    EXPECT_EQ(a.get_bool(attr::kAlwaysSensitive), true);
    EXPECT_EQ(a.get_bool(attr::kNeverExtractable), false);
}

// ---- prepare_new_object: validation errors

TEST(PrepareNewObject, TokenSetAttributesAreReadOnly) {
    for (AttrType t : {attr::kLocal, attr::kAlwaysSensitive, attr::kNeverExtractable,
                       attr::kKeyGenMechanism, attr::kOuid}) {
        AttributeSet tmpl = aes_create_template();
        if (t == attr::kKeyGenMechanism) tmpl.set_ulong(t, 0);
        else if (t == attr::kOuid) tmpl.set_bytes(t, Bytes(12, 1));
        else tmpl.set_bool(t, false);
        auto r = prepare_new_object(std::move(tmpl), Origin::Create, {});
        EXPECT_EQ(r.code(), Err::AttributeReadOnly) << attribute_name(t);
    }
}

TEST(PrepareNewObject, MissingClassIsIncomplete) {
    AttributeSet t;
    t.set_string(attr::kLabel, "x");
    EXPECT_EQ(prepare_new_object(std::move(t), Origin::Create, {}).code(), Err::TemplateIncomplete);
}

TEST(PrepareNewObject, MissingKeyValueOnCreateIsIncomplete) {
    AttributeSet t = aes_create_template();
    t.erase(attr::kValue);
    auto r = prepare_new_object(std::move(t), Origin::Create, {});
    EXPECT_EQ(r.code(), Err::TemplateIncomplete);
    EXPECT_NE(r.status().message().find("CKA_VALUE"), std::string::npos);
}

TEST(PrepareNewObject, ClassContradictingTheCallIsInconsistent) {
    AttributeSet t;
    t.set_ulong(attr::kClass, cls::kPrivateKey);
    t.set_ulong(attr::kValueLen, 16);
    EXPECT_EQ(prepare_new_object(std::move(t), Origin::Generate, aes_gen_ctx()).code(),
              Err::TemplateInconsistent);
}

TEST(PrepareNewObject, KeyTypeContradictingTheMechanismIsInconsistent) {
    AttributeSet t;
    t.set_ulong(attr::kKeyType, ckk::kDes3);
    EXPECT_EQ(prepare_new_object(std::move(t), Origin::Generate, aes_gen_ctx()).code(),
              Err::TemplateInconsistent);
}

TEST(PrepareNewObject, ValueOnGenerateIsInconsistent) {
    AttributeSet t;
    t.set_ulong(attr::kValueLen, 16);
    t.set_bytes(attr::kValue, Bytes(16, 0));
    EXPECT_EQ(prepare_new_object(std::move(t), Origin::Generate, aes_gen_ctx()).code(),
              Err::TemplateInconsistent);
}

TEST(PrepareNewObject, ValueLenOnCreateIsInconsistent) {
    AttributeSet t = aes_create_template();
    t.set_ulong(attr::kValueLen, 32);
    EXPECT_EQ(prepare_new_object(std::move(t), Origin::Create, {}).code(),
              Err::TemplateInconsistent);
}

TEST(PrepareNewObject, ValueLenRequiredOnGenerate) {
    EXPECT_EQ(prepare_new_object(AttributeSet{}, Origin::Generate, aes_gen_ctx()).code(),
              Err::TemplateIncomplete);
}

TEST(PrepareNewObject, ModulusBitsOnlyOnKeyPairGeneration) {
    AttributeSet t;
    t.set_ulong(attr::kClass, cls::kPublicKey);
    t.set_ulong(attr::kKeyType, ckk::kRsa);
    t.set_bytes(attr::kModulus, Bytes(256, 0xC5));
    t.set_bytes(attr::kPublicExponent, Bytes{1, 0, 1});
    t.set_ulong(attr::kModulusBits, 2048);
    EXPECT_EQ(prepare_new_object(t.clone(), Origin::Create, {}).code(), Err::TemplateInconsistent);

    NewObjectContext ctx;
    ctx.mechanism = crypto::mech::kRsaPkcsKeyPairGen;
    ctx.object_class = cls::kPublicKey;
    ctx.key_type = ckk::kRsa;
    AttributeSet gen;
    gen.set_ulong(attr::kModulusBits, 2048);
    gen.set_bool(attr::kVerify, true);
    AttributeSet a = prepared(std::move(gen), Origin::GenerateKeyPairPublic, ctx);
    EXPECT_EQ(a.get_ulong(attr::kModulusBits), 2048u);
    EXPECT_EQ(a.get_bool(attr::kLocal), true);
    EXPECT_EQ(a.get_bool(attr::kPrivate), false);
    EXPECT_FALSE(a.has(attr::kSensitive));  // not a public key attribute

    AttributeSet missing;
    EXPECT_EQ(prepare_new_object(std::move(missing), Origin::GenerateKeyPairPublic, ctx).code(),
              Err::TemplateIncomplete);
}

TEST(PrepareNewObject, AttributeOfAnotherClassIsTypeInvalid) {
    AttributeSet t = aes_create_template();
    t.set_bytes(attr::kModulus, Bytes{1});
    EXPECT_EQ(prepare_new_object(std::move(t), Origin::Create, {}).code(),
              Err::AttributeTypeInvalid);
    AttributeSet u = aes_create_template();
    u.set_bytes(0x7777, Bytes{1});
    EXPECT_EQ(prepare_new_object(std::move(u), Origin::Create, {}).code(),
              Err::AttributeTypeInvalid);
}

TEST(PrepareNewObject, MalformedValuesAreValueInvalid) {
    AttributeSet t = aes_create_template();
    t.set_bytes(attr::kToken, Bytes{1, 1});
    EXPECT_EQ(prepare_new_object(std::move(t), Origin::Create, {}).code(),
              Err::AttributeValueInvalid);
    AttributeSet u = aes_create_template();
    u.set_bytes(attr::kClass, Bytes{4});
    EXPECT_EQ(prepare_new_object(std::move(u), Origin::Create, {}).code(),
              Err::AttributeValueInvalid);
    AttributeSet d = aes_create_template();
    d.set_string(attr::kStartDate, "2024-1-1");
    EXPECT_EQ(prepare_new_object(std::move(d), Origin::Create, {}).code(),
              Err::AttributeValueInvalid);
}

TEST(PrepareNewObject, UnsupportedKeyTypeIsValueInvalid) {
    AttributeSet t = aes_create_template();
    t.set_ulong(attr::kKeyType, ckk::kRsa);  // RSA is not a secret key type
    EXPECT_EQ(prepare_new_object(std::move(t), Origin::Create, {}).code(),
              Err::AttributeValueInvalid);
}

TEST(PrepareNewObject, OnlyTheSoCreatesTrustedObjects) {
    AttributeSet t = aes_create_template();
    t.set_bool(attr::kTrusted, true);
    EXPECT_EQ(prepare_new_object(t.clone(), Origin::Create, {}).code(), Err::AttributeReadOnly);
    NewObjectContext so;
    so.is_so = true;
    AttributeSet a = prepared(std::move(t), Origin::Create, so);
    EXPECT_EQ(a.get_bool(attr::kTrusted), true);
}

TEST(PrepareNewObject, CertificateNeedsTypeSubjectAndValue) {
    AttributeSet t;
    t.set_ulong(attr::kClass, cls::kCertificate);
    t.set_ulong(attr::kCertificateType, ckc::kX509);
    t.set_bytes(attr::kSubject, Bytes{0x30, 0});
    EXPECT_EQ(prepare_new_object(t.clone(), Origin::Create, {}).code(), Err::TemplateIncomplete);
    t.set_bytes(attr::kValue, Bytes{0x30, 0});
    AttributeSet a = prepared(std::move(t), Origin::Create);
    EXPECT_EQ(a.get_bool(attr::kTrusted), false);
    EXPECT_EQ(a.get_ulong(attr::kCertificateCategory), 0u);
}

TEST(PrepareNewObject, CloneKeepsTokenSetAttributesAndOuid) {
    AttributeSet src = prepared(aes_create_template(), Origin::Create);
    src.set_bytes(attr::kOuid, Bytes(12, 9));
    AttributeSet plain = AttributeSet::from_parts(
        std::map<AttrType, Bytes>(src.plain_values()), {});
    plain.set_bytes(attr::kValue, Bytes(32, 0x11));  // arrives unsealed, classified on prepare
    AttributeSet a = prepared(std::move(plain), Origin::Clone);
    EXPECT_TRUE(a.has(attr::kOuid));
    EXPECT_EQ(a.get_bool(attr::kLocal), false);
    EXPECT_TRUE(a.is_secret(attr::kValue));
}

// ---- check_set_attributes

AttributeSet stored_secret_key() {
    AttributeSet a = prepared(aes_create_template(), Origin::Create);
    a.set_bytes(attr::kOuid, Bytes(12, 1));
    return a;
}

AttributeSet change(AttrType t, bool v) {
    AttributeSet c;
    c.set_bool(t, v);
    return c;
}

TEST(SetAttributes, LabelIsModifiable) {
    AttributeSet c;
    c.set_string(attr::kLabel, "renamed");
    EXPECT_TRUE(check_set_attributes(stored_secret_key(), c, false).is_ok());
}

TEST(SetAttributes, UnmodifiableObjectIsProhibited) {
    AttributeSet key = stored_secret_key();
    key.set_bool(attr::kModifiable, false);
    AttributeSet c;
    c.set_string(attr::kLabel, "renamed");
    EXPECT_EQ(check_set_attributes(key, c, false).code(), Err::ActionProhibited);
}

TEST(SetAttributes, FixedAndTokenSetAttributesAreReadOnly) {
    AttributeSet key = stored_secret_key();
    EXPECT_EQ(check_set_attributes(key, change(attr::kToken, true), false).code(),
              Err::AttributeReadOnly);
    EXPECT_EQ(check_set_attributes(key, change(attr::kLocal, true), false).code(),
              Err::AttributeReadOnly);
    AttributeSet v;
    v.set_bytes(attr::kValue, Bytes(32, 0));
    EXPECT_EQ(check_set_attributes(key, v, false).code(), Err::AttributeReadOnly);
    AttributeSet k;
    k.set_ulong(attr::kClass, cls::kData);
    EXPECT_EQ(check_set_attributes(key, k, false).code(), Err::AttributeReadOnly);
}

TEST(SetAttributes, OneWayAttributesMoveOnlyOneWay) {
    AttributeSet key = stored_secret_key();  // SENSITIVE false, EXTRACTABLE true
    EXPECT_TRUE(check_set_attributes(key, change(attr::kSensitive, true), false).is_ok());
    EXPECT_TRUE(check_set_attributes(key, change(attr::kExtractable, false), false).is_ok());
    EXPECT_TRUE(check_set_attributes(key, change(attr::kWrapWithTrusted, true), false).is_ok());
    EXPECT_TRUE(check_set_attributes(key, change(attr::kCopyable, false), false).is_ok());
    key.set_bool(attr::kSensitive, true);
    key.set_bool(attr::kExtractable, false);
    key.set_bool(attr::kWrapWithTrusted, true);
    key.set_bool(attr::kCopyable, false);
    EXPECT_EQ(check_set_attributes(key, change(attr::kSensitive, false), false).code(),
              Err::AttributeReadOnly);
    EXPECT_EQ(check_set_attributes(key, change(attr::kExtractable, true), false).code(),
              Err::AttributeReadOnly);
    EXPECT_EQ(check_set_attributes(key, change(attr::kWrapWithTrusted, false), false).code(),
              Err::AttributeReadOnly);
    EXPECT_EQ(check_set_attributes(key, change(attr::kCopyable, true), false).code(),
              Err::AttributeReadOnly);
}

TEST(SetAttributes, OnlyTheSoSetsTrusted) {
    AttributeSet key = stored_secret_key();
    EXPECT_EQ(check_set_attributes(key, change(attr::kTrusted, true), false).code(),
              Err::AttributeReadOnly);
    EXPECT_TRUE(check_set_attributes(key, change(attr::kTrusted, true), true).is_ok());
    EXPECT_TRUE(check_set_attributes(key, change(attr::kTrusted, false), false).is_ok());
}

TEST(SetAttributes, TypeTheObjectCannotHaveIsInvalid) {
    AttributeSet c;
    c.set_bool(attr::kSignRecover, true);  // private keys only
    EXPECT_EQ(check_set_attributes(stored_secret_key(), c, false).code(),
              Err::AttributeTypeInvalid);
}

// ---- prepare_copy

TEST(CopyObject, NotCopyableIsProhibited) {
    AttributeSet key = stored_secret_key();
    key.set_bool(attr::kCopyable, false);
    EXPECT_EQ(prepare_copy(key, AttributeSet{}, false).code(), Err::ActionProhibited);
}

TEST(CopyObject, TokenPrivateModifiableMayChangeAndOuidIsDropped) {
    AttributeSet key = stored_secret_key();
    AttributeSet c;
    c.set_bool(attr::kToken, true);
    c.set_bool(attr::kModifiable, false);
    c.set_bool(attr::kSensitive, true);
    auto r = prepare_copy(key, c, false);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    EXPECT_EQ(r->get_bool(attr::kToken), true);
    EXPECT_EQ(r->get_bool(attr::kModifiable), false);
    EXPECT_EQ(r->get_bool(attr::kSensitive), true);
    EXPECT_FALSE(r->has(attr::kOuid));
    EXPECT_TRUE(r->is_secret(attr::kValue));
    EXPECT_EQ(r->get_bool(attr::kAlwaysSensitive), false);
}

TEST(CopyObject, FixedAttributesAndWrongWayChangesAreReadOnly) {
    AttributeSet key = stored_secret_key();
    AttributeSet k;
    k.set_ulong(attr::kKeyType, ckk::kGenericSecret);
    EXPECT_EQ(prepare_copy(key, k, false).code(), Err::AttributeReadOnly);
    key.set_bool(attr::kSensitive, true);
    EXPECT_EQ(prepare_copy(key, change(attr::kSensitive, false), false).code(),
              Err::AttributeReadOnly);
}

TEST(CopyObject, UnmodifiableSourceAllowsOnlyCopyAttributes) {
    AttributeSet key = stored_secret_key();
    key.set_bool(attr::kModifiable, false);
    AttributeSet label;
    label.set_string(attr::kLabel, "copy");
    EXPECT_EQ(prepare_copy(key, label, false).code(), Err::AttributeReadOnly);
    EXPECT_TRUE(prepare_copy(key, change(attr::kModifiable, true), false).is_ok());
}

// ---- readable / matches

TEST(Readable, KeyValueOfSensitiveOrUnextractableKeyIsSensitive) {
    AttributeSet key = stored_secret_key();
    EXPECT_EQ(readable(key, attr::kValue), Readable::Yes);
    key.set_bool(attr::kSensitive, true);
    EXPECT_EQ(readable(key, attr::kValue), Readable::Sensitive);
    EXPECT_EQ(readable(key, attr::kLabel), Readable::Yes);
    key.set_bool(attr::kSensitive, false);
    key.set_bool(attr::kExtractable, false);
    EXPECT_EQ(readable(key, attr::kValue), Readable::Sensitive);
}

TEST(Readable, AbsentTypeIsInvalid) {
    EXPECT_EQ(readable(stored_secret_key(), attr::kModulus), Readable::Invalid);
}

TEST(Matches, ComparesValuesButNeverSecretOnes) {
    AttributeSet key = stored_secret_key();
    AttributeSet q;
    q.set_ulong(attr::kClass, cls::kSecretKey);
    q.set_string(attr::kLabel, "");
    EXPECT_TRUE(matches(key, q));
    q.set_string(attr::kLabel, "other");
    EXPECT_FALSE(matches(key, q));
    AttributeSet byvalue;
    byvalue.set_bytes(attr::kValue, Bytes(32, 0x11));
    EXPECT_FALSE(matches(key, byvalue));
    EXPECT_TRUE(matches(key, AttributeSet{}));
}

// ---- usage and wrapping

TEST(KeyUsage, FlagMustBeTrue) {
    AttributeSet key = stored_secret_key();
    EXPECT_EQ(check_key_usage(key, crypto::op::kEncrypt).code(), Err::KeyFunctionNotPermitted);
    key.set_bool(attr::kEncrypt, true);
    EXPECT_TRUE(check_key_usage(key, crypto::op::kEncrypt).is_ok());
    EXPECT_EQ(check_key_usage(key, crypto::op::kDecrypt).code(), Err::KeyFunctionNotPermitted);
    key.set_bool(attr::kDerive, true);
    EXPECT_TRUE(check_key_usage(key, crypto::op::kDerive).is_ok());
    EXPECT_EQ(check_key_usage(key, crypto::op::kGenerate).code(), Err::ArgumentsBad);
}

TEST(KeyUsage, AllowedMechanismsRestrictWhenPresent) {
    AttributeSet key = stored_secret_key();
    EXPECT_TRUE(check_mechanism_allowed(key, crypto::mech::kAesGcm).is_ok());
    Bytes list = encode_ulong(crypto::mech::kAesCbc);
    Bytes more = encode_ulong(crypto::mech::kAesGcm);
    list.insert(list.end(), more.begin(), more.end());
    key.set_bytes(attr::kAllowedMechanisms, list);
    EXPECT_TRUE(check_mechanism_allowed(key, crypto::mech::kAesGcm).is_ok());
    EXPECT_EQ(check_mechanism_allowed(key, crypto::mech::kAesEcb).code(), Err::MechanismInvalid);
}

TEST(Wrappable, UnextractableKeyCannotBeWrapped) {
    AttributeSet key = stored_secret_key();
    AttributeSet wrapping = stored_secret_key();
    EXPECT_TRUE(check_wrappable(key, wrapping).is_ok());
    key.set_bool(attr::kExtractable, false);
    EXPECT_EQ(check_wrappable(key, wrapping).code(), Err::KeyUnextractable);
}

TEST(Wrappable, WrapWithTrustedNeedsTrustedWrappingKey) {
    AttributeSet key = stored_secret_key();
    key.set_bool(attr::kWrapWithTrusted, true);
    AttributeSet wrapping = stored_secret_key();
    EXPECT_EQ(check_wrappable(key, wrapping).code(), Err::KeyNotWrappable);
    wrapping.set_bool(attr::kTrusted, true);
    EXPECT_TRUE(check_wrappable(key, wrapping).is_ok());
}

}  // namespace
}  // namespace sr::hsm

namespace sr::hsm {
namespace {

NewObjectContext pair_ctx(uint64_t object_class, uint64_t key_type, uint64_t mech) {
    NewObjectContext c;
    c.mechanism = mech;
    c.object_class = object_class;
    c.key_type = key_type;
    return c;
}

TEST(PrepareNewObject, EcKeyPairNeedsCurveOnThePublicTemplateOnly) {
    auto pub_ctx = pair_ctx(cls::kPublicKey, ckk::kEc, crypto::mech::kEcKeyPairGen);
    EXPECT_EQ(prepare_new_object(AttributeSet{}, Origin::GenerateKeyPairPublic, pub_ctx).code(),
              Err::TemplateIncomplete);
    AttributeSet pub;
    pub.set_bytes(attr::kEcParams, Bytes{0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07});
    EXPECT_TRUE(prepare_new_object(std::move(pub), Origin::GenerateKeyPairPublic, pub_ctx).is_ok());

    auto priv_ctx = pair_ctx(cls::kPrivateKey, ckk::kEc, crypto::mech::kEcKeyPairGen);
    AttributeSet priv;
    priv.set_bool(attr::kSign, true);
    auto r = prepare_new_object(std::move(priv), Origin::GenerateKeyPairPrivate, priv_ctx);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    EXPECT_EQ(r->get_bool(attr::kSign), true);
    EXPECT_EQ(r->get_bool(attr::kPrivate), true);
    EXPECT_EQ(r->get_ulong(attr::kKeyGenMechanism), crypto::mech::kEcKeyPairGen);
    AttributeSet point;
    point.set_bytes(attr::kEcPoint, Bytes{0x04});
    EXPECT_EQ(prepare_new_object(std::move(point), Origin::GenerateKeyPairPublic, pub_ctx).code(),
              Err::TemplateInconsistent);
}

TEST(PrepareNewObject, DsaKeyPairNeedsDomainParameters) {
    auto ctx = pair_ctx(cls::kPublicKey, ckk::kDsa, crypto::mech::kDsaKeyPairGen);
    AttributeSet pub;
    pub.set_bytes(attr::kPrime, Bytes{0x17});
    pub.set_bytes(attr::kSubprime, Bytes{0x0B});
    EXPECT_EQ(prepare_new_object(pub.clone(), Origin::GenerateKeyPairPublic, ctx).code(),
              Err::TemplateIncomplete);
    pub.set_bytes(attr::kBase, Bytes{0x02});
    EXPECT_TRUE(prepare_new_object(std::move(pub), Origin::GenerateKeyPairPublic, ctx).is_ok());
}

TEST(PrepareNewObject, CloneRejectsAttributesForeignToTheClass) {
    AttributeSet a;
    a.set_ulong(attr::kClass, cls::kData);
    a.set_bool(attr::kSensitive, true);
    EXPECT_EQ(prepare_new_object(std::move(a), Origin::Clone, {}).code(),
              Err::AttributeTypeInvalid);
}

TEST(PrepareNewObject, AllowedMechanismsMustBeAWholeNumberOfUlongs) {
    AttributeSet t = aes_create_template();
    t.set_bytes(attr::kAllowedMechanisms, Bytes(12, 0));
    EXPECT_EQ(prepare_new_object(std::move(t), Origin::Create, {}).code(),
              Err::AttributeValueInvalid);
}

TEST(PrepareNewObject, PrivateKeyCreateNeedsPrivateExponent) {
    AttributeSet t;
    t.set_ulong(attr::kClass, cls::kPrivateKey);
    t.set_ulong(attr::kKeyType, ckk::kRsa);
    t.set_bytes(attr::kModulus, Bytes(128, 0xC1));
    EXPECT_EQ(prepare_new_object(t.clone(), Origin::Create, {}).code(), Err::TemplateIncomplete);
    t.set_bytes(attr::kPrivateExponent, Bytes(128, 0x33));
    t.set_bytes(attr::kPrime1, Bytes(64, 0x35));
    auto r = prepare_new_object(std::move(t), Origin::Create, {});
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    EXPECT_TRUE(r->is_secret(attr::kPrivateExponent));
    EXPECT_TRUE(r->is_secret(attr::kPrime1));
    EXPECT_FALSE(r->is_secret(attr::kModulus));
    EXPECT_EQ(readable(*r, attr::kPrime1), Readable::Yes);  // not sensitive, extractable
}

TEST(CopyObject, OnlyTheSoMayMakeATrustedCopy) {
    AttributeSet key = stored_secret_key();
    EXPECT_EQ(prepare_copy(key, change(attr::kTrusted, true), false).code(),
              Err::AttributeReadOnly);
    EXPECT_TRUE(prepare_copy(key, change(attr::kTrusted, true), true).is_ok());
}

}  // namespace
}  // namespace sr::hsm
