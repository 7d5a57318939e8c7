// Proof without export (docs/design/fingerprint.md): fingerprints agree between a source and its
// clone for every object type, move when a value or an attribute moves, mean nothing across
// domains, and carry no key bytes.
#include "hsm/fingerprint.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/primitives.h"
#include "masking_fixture.h"

namespace sr::hsm::testing {
namespace {

using FingerprintTest = DeviceFixture;

ObjectFingerprint fingerprint_of(Side& s, ObjectHandle h) {
    auto r = s.dev->object_fingerprints(s.co, std::vector<ObjectHandle>{h});
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    return r && r->size() == 1 ? std::move((*r)[0]) : ObjectFingerprint{};
}

bool holds_secret(uint64_t object_class) {
    return object_class == cls::kPrivateKey || object_class == cls::kSecretKey;
}

TEST_F(FingerprintTest, EqualOnSourceAndTargetAfterACloneForEveryObjectType) {
    Side src = make_side("6.22.0", 111111, "domain-alpha");
    Side dst = make_side("7.8.4", 222222, "domain-alpha");
    SourceObjects o;
    ASSERT_NO_FATAL_FAILURE(make_objects(src, o));
    const auto handles = o.all();
    auto cloned = run_clone(src, dst, handles);
    SR_ASSERT_OK(cloned);
    ASSERT_EQ(cloned->imported.size(), handles.size());

    auto source_fps = src.dev->object_fingerprints(src.co, handles);
    SR_ASSERT_OK(source_fps);
    ASSERT_EQ(source_fps->size(), handles.size());
    std::vector<ObjectHandle> target_handles;
    for (ObjectHandle h : handles) target_handles.push_back(find_by_ouid(dst, ouid(src, h)));
    auto target_fps = dst.dev->object_fingerprints(dst.co, target_handles);
    SR_ASSERT_OK(target_fps);
    ASSERT_EQ(target_fps->size(), handles.size());

    for (size_t i = 0; i < handles.size(); ++i) {
        const ObjectFingerprint& a = (*source_fps)[i];
        const ObjectFingerprint& b = (*target_fps)[i];
        SCOPED_TRACE("object " + a.label + " class " + std::to_string(a.object_class));
        EXPECT_EQ(a.handle, handles[i]);  // in the order asked
        EXPECT_EQ(b.handle, target_handles[i]);
        EXPECT_EQ(a.ouid, b.ouid);
        EXPECT_EQ(a.label, b.label);
        EXPECT_EQ(a.object_class, b.object_class);
        EXPECT_EQ(a.attributes_digest.size(), 32u);
        EXPECT_EQ(a.attributes_digest, b.attributes_digest);
        EXPECT_EQ(a.value_mac, b.value_mac);
        // Keys with secret values carry a MAC; public keys, certificates and data do not.
        EXPECT_EQ(a.value_mac.size(), holds_secret(a.object_class) ? 32u : 0u);
        // A fingerprint reveals no key bytes.
        EXPECT_FALSE(
            contains(a.attributes_digest, Bytes(kAesValue.begin(), kAesValue.begin() + 8)));
        EXPECT_FALSE(contains(a.value_mac, Bytes(kAesValue.begin(), kAesValue.begin() + 8)));
    }
}

TEST_F(FingerprintTest, ValueMacFollowsTheKeyValueAndTheDigestFollowsTheAttributes) {
    Side s = make_side("7.8.4", 111111, "domain-alpha");
    auto a = create_aes(s, kAesValue, "k");
    auto same_value = create_aes(s, kAesValue, "k");
    auto other_value = create_aes(s, Bytes(32, 0x3C), "k");
    SR_ASSERT_OK(a);
    SR_ASSERT_OK(same_value);
    SR_ASSERT_OK(other_value);
    ObjectFingerprint fa = fingerprint_of(s, *a);
    ObjectFingerprint fsame = fingerprint_of(s, *same_value);
    ObjectFingerprint fother = fingerprint_of(s, *other_value);

    // Same key bytes: same MAC (that is the proof); other key bytes: another MAC.
    EXPECT_EQ(fa.value_mac, fsame.value_mac);
    EXPECT_NE(fa.value_mac, fother.value_mac);
    // Each object has its own OUID, so the digests differ even for equal templates.
    EXPECT_NE(fa.attributes_digest, fsame.attributes_digest);

    // Changing a lasting attribute moves the digest and leaves the MAC.
    AttributeSet change;
    change.set_string(attr::kLabel, "renamed");
    SR_ASSERT_OK(s.dev->set_attributes(s.co, *a, change));
    ObjectFingerprint renamed = fingerprint_of(s, *a);
    EXPECT_NE(renamed.attributes_digest, fa.attributes_digest);
    EXPECT_EQ(renamed.value_mac, fa.value_mac);
    EXPECT_EQ(renamed.label, "renamed");
    AttributeSet back;
    back.set_string(attr::kLabel, "k");
    SR_ASSERT_OK(s.dev->set_attributes(s.co, *a, back));
    EXPECT_EQ(fingerprint_of(s, *a).attributes_digest, fa.attributes_digest);
}

TEST_F(FingerprintTest, ValueMacDependsOnTheCloningDomain) {
    Side alpha = make_side("7.8.4", 111111, "domain-alpha");
    Side alpha2 = make_side("7.8.4", 222222, "domain-alpha");
    Side beta = make_side("7.8.4", 333333, "domain-beta");
    auto ka = create_aes(alpha, kAesValue);
    auto ka2 = create_aes(alpha2, kAesValue);
    auto kb = create_aes(beta, kAesValue);
    SR_ASSERT_OK(ka);
    SR_ASSERT_OK(ka2);
    SR_ASSERT_OK(kb);
    const Bytes mac_alpha = fingerprint_of(alpha, *ka).value_mac;
    ASSERT_EQ(mac_alpha.size(), 32u);
    // Same domain on another device: comparable. Another domain: unrelated.
    EXPECT_EQ(fingerprint_of(alpha2, *ka2).value_mac, mac_alpha);
    EXPECT_NE(fingerprint_of(beta, *kb).value_mac, mac_alpha);
}

TEST_F(FingerprintTest, SessionObjectsAreRefusedAndPrivateObjectsNeedALogin) {
    Side s = make_side("7.8.4", 111111, "domain-alpha");
    AttributeSet session_key = secret_template("session", false);
    session_key.set_bool(attr::kToken, false);
    session_key.set_ulong(attr::kClass, cls::kSecretKey);
    session_key.set_ulong(attr::kKeyType, ckk::kAes);
    session_key.set_bytes(attr::kValue, kAesValue);
    auto session_h = s.dev->create_object(s.co, session_key);
    SR_ASSERT_OK(session_h);
    auto token_h = create_aes(s, kAesValue);
    SR_ASSERT_OK(token_h);
    auto refused =
        s.dev->object_fingerprints(s.co, std::vector<ObjectHandle>{*token_h, *session_h});
    EXPECT_EQ(refused.code(), Err::OperationNotAllowed);
    EXPECT_NE(refused.status().message().find("session object"), std::string::npos);

    AttributeSet pub;
    pub.set_ulong(attr::kClass, cls::kData);
    pub.set_bool(attr::kToken, true);
    pub.set_bool(attr::kPrivate, false);
    pub.set_string(attr::kLabel, "public data");
    pub.set_bytes(attr::kValue, to_bytes("v"));
    auto pub_h = s.dev->create_object(s.co, pub);
    SR_ASSERT_OK(pub_h);
    AppId anon_app = *s.dev->attach();
    SessionId anon = *s.dev->open_session(anon_app, s.partition, false);
    EXPECT_EQ(s.dev->object_fingerprints(anon, std::vector<ObjectHandle>{*token_h}).code(),
              Err::ObjectHandleInvalid);
    auto public_fp = s.dev->object_fingerprints(anon, std::vector<ObjectHandle>{*pub_h});
    SR_ASSERT_OK(public_fp);
    EXPECT_EQ((*public_fp)[0].label, "public data");
    EXPECT_TRUE((*public_fp)[0].value_mac.empty());
    EXPECT_EQ(s.dev->object_fingerprints(s.co, std::vector<ObjectHandle>{999999}).code(),
              Err::ObjectHandleInvalid);
}

TEST(FingerprintEncoding, LengthPrefixesKeepValueBoundariesApart) {
    std::map<AttrType, Bytes> one{{attr::kLabel, to_bytes("ab")}, {attr::kId, to_bytes("c")}};
    std::map<AttrType, Bytes> two{{attr::kLabel, to_bytes("a")}, {attr::kId, to_bytes("bc")}};
    EXPECT_NE(fingerprint::canonical_plain("ctx", one), fingerprint::canonical_plain("ctx", two));
    EXPECT_NE(fingerprint::canonical_plain("ctx", one), fingerprint::canonical_plain("ctx2", one));
    // Layout: context, 0x00, u32 count, then u64 type, u32 length, value in ascending type order.
    Bytes expected = to_bytes("ctx");
    expected.push_back(0);
    put_u32(expected, 2);
    put_u64(expected, attr::kLabel);
    put_u32(expected, 2);
    expected.push_back('a');
    expected.push_back('b');
    put_u64(expected, attr::kId);
    put_u32(expected, 1);
    expected.push_back('c');
    EXPECT_EQ(fingerprint::canonical_plain("ctx", one), expected);
}

TEST(FingerprintEncoding, SecretAndPlainEncodingsAgreeAndTheMacNeedsTheKey) {
    std::map<AttrType, Bytes> plain{{attr::kValue, kAesValue}};
    std::map<AttrType, SecretBytes> secret;
    secret.emplace(attr::kValue, SecretBytes(kAesValue));
    const SecretBytes s = fingerprint::canonical_secret("ctx", secret);
    const Bytes p = fingerprint::canonical_plain("ctx", plain);
    EXPECT_EQ(Bytes(s.span().begin(), s.span().end()), p);

    AttributeSet key;
    key.set_ulong(attr::kClass, cls::kSecretKey);
    key.set_secret(attr::kValue, SecretBytes(kAesValue));
    EXPECT_EQ(fingerprint::compute(1, key, nullptr).code(), Err::GeneralError);
    auto k1 = fingerprint::derive_mac_key(SecretBytes(Bytes(32, 1)));
    auto k2 = fingerprint::derive_mac_key(SecretBytes(Bytes(32, 2)));
    SR_ASSERT_OK(k1);
    SR_ASSERT_OK(k2);
    auto m1 = fingerprint::value_mac(*k1, key);
    auto m2 = fingerprint::value_mac(*k2, key);
    SR_ASSERT_OK(m1);
    SR_ASSERT_OK(m2);
    EXPECT_NE(*m1, *m2);
    // The MAC is over the canonical encoding under the derived key.
    auto direct = crypto::hmac(
        crypto::Hash::Sha256, k1->span(),
        fingerprint::canonical_secret("strongroom fingerprint v1 values", key.secret_values())
            .span());
    SR_ASSERT_OK(direct);
    EXPECT_EQ(*m1, *direct);
}

}  // namespace
}  // namespace sr::hsm::testing
