// The clone target's own refusals and its batched import: keys it cannot hold are refused one by
// one while the rest land, an OUID twice in one batch lands once, a read-only session refuses the
// whole clone, every object of a batch gets its own outcome, expired remembered peers are refused.

#include "common/fault_env.h"

#include "clone_fixture.h"

namespace sr::hsm {
namespace {

using namespace clone_testing;

// A genuine same-factory source sealing arbitrary objects for the target's domain, so the
// target's own refusals can be reached with objects no real source would send.
Result<Bytes> seal_objects_for(Env& env, Side& src, ByteView hello_bytes,
                               const SecretBytes& domain_key, std::span<const AttributeSet> objs) {
    SR_ASSIGN_OR_RETURN(clone::Hello hello, clone::decode_hello(hello_bytes));
    SR_ASSIGN_OR_RETURN(auto identity, load_identity_key(env, src.dev->folder()));
    SR_ASSIGN_OR_RETURN(DeviceInfo info, src.dev->info());
    clone::SealedMessage msg;
    msg.session = hello.session;
    SR_ASSIGN_OR_RETURN(msg.hello_hash, crypto::digest(crypto::Hash::Sha256, hello_bytes));
    msg.source = hello.target;
    msg.source.certificate_der = info.identity_certificate_der;
    SR_ASSIGN_OR_RETURN(auto ephemeral, crypto::generate_ec_key(crypto::EcCurve::P256));
    SR_ASSIGN_OR_RETURN(msg.source.ephemeral_public, crypto::public_key_to_der(ephemeral.get()));
    msg.source.nonce.fill(0x24);
    msg.object_count = static_cast<uint32_t>(objs.size());
    SR_ASSIGN_OR_RETURN(msg.signature,
                        crypto::identity_sign(identity.get(), clone::sealed_signed_bytes(msg)));
    SR_ASSIGN_OR_RETURN(auto target_key, crypto::public_key_from_der(hello.target.ephemeral_public));
    SR_ASSIGN_OR_RETURN(SecretBytes key,
                        clone::derive_session_key(ephemeral.get(), target_key.get(), domain_key,
                                                  hello_bytes, hello, msg));
    for (uint32_t i = 0; i < msg.object_count; ++i) {
        SecretBytes payload = clone::encode_object_payload(objs[i]);
        clone::SealedObject o;
        o.sequence = i;
        SR_ASSIGN_OR_RETURN(o.sealed, crypto::seal(key, clone::object_aad(msg.session, i,
                                                                          msg.object_count),
                                                   payload.span()));
        msg.objects.push_back(std::move(o));
    }
    return clone::encode_sealed(msg);
}

AttributeSet with_ouid(AttributeSet a, uint8_t tag) {
    a.set_bytes(attr::kOuid, Bytes(12, tag));
    return a;
}

Result<CloneTargetResult> deliver(Env& env, Side& src, Side& dst,
                                  std::span<const AttributeSet> objs) {
    SR_ASSIGN_OR_RETURN(SecretBytes domain, dst.dev->domain_key(dst.partition));
    SR_ASSIGN_OR_RETURN(Bytes hello, dst.dev->clone_hello(dst.co));
    SR_ASSIGN_OR_RETURN(Bytes sealed, seal_objects_for(env, src, hello, domain, objs));
    return dst.dev->clone_target(dst.co, sealed);
}

// Cheap objects for the tests below (no RSA or DSA generation).
struct LightObjects {
    ObjectHandle aes = 0, data = 0;
    KeyPairHandles ec;
    std::vector<ObjectHandle> all() const { return {aes, data, ec.public_key, ec.private_key}; }
};

void make_light_objects(Side& s, LightObjects& o) {
    AttributeSet aes = secret_template("aes", false);
    aes.set_ulong(attr::kClass, cls::kSecretKey);
    aes.set_ulong(attr::kKeyType, ckk::kAes);
    aes.set_bytes(attr::kValue, kAesValue);
    auto aes_h = s.dev->create_object(s.co, aes);
    ASSERT_TRUE(aes_h.is_ok()) << aes_h.status().to_string();
    o.aes = *aes_h;
    AttributeSet data;
    data.set_ulong(attr::kClass, cls::kData);
    data.set_bool(attr::kToken, true);
    data.set_string(attr::kLabel, "data");
    data.set_bytes(attr::kValue, to_bytes("data object value"));
    auto data_h = s.dev->create_object(s.co, data);
    ASSERT_TRUE(data_h.is_ok()) << data_h.status().to_string();
    o.data = *data_h;
    AttributeSet ec_pub = public_template("ec");
    auto p256 = crypto::curve_params_der("P-256");
    ASSERT_TRUE(p256.is_ok()) << p256.status().to_string();
    ec_pub.set_bytes(attr::kEcParams, *p256);
    auto ec = s.dev->generate_key_pair(s.co, {mech::kEcKeyPairGen, NoParams{}}, std::move(ec_pub),
                                       private_template("ec"));
    ASSERT_TRUE(ec.is_ok()) << ec.status().to_string();
    o.ec = *ec;
}

Err refusal_code(const CloneTargetResult& r, std::string_view label) {
    for (const CloneRefusal& x : r.refused)
        if (x.label == label) return x.code;
    return Err::Ok;
}

TEST_F(CloneTest, TargetRefusesKeysItCannotHoldOneByOneAndImportsTheRest) {
    Side src = make_side("7.8.4", 111111, "domain-alpha");
    Side dst = make_side("7.8.4", 222222, "domain-alpha");
    LightObjects o;
    ASSERT_NO_FATAL_FAILURE(make_light_objects(src, o));
    auto aes = src.dev->export_object(src.co, o.aes);
    auto ec_pub = src.dev->export_object(src.co, o.ec.public_key);
    SR_ASSERT_OK(aes);
    SR_ASSERT_OK(ec_pub);

    std::vector<AttributeSet> objs;
    objs.push_back(with_ouid(aes->clone(), 1));  // lands
    AttributeSet short_aes = with_ouid(aes->clone(), 2);
    short_aes.set_secret(attr::kValue, SecretBytes(Bytes(8, 0x11)));
    short_aes.set_string(attr::kLabel, "aes-8-bytes");
    objs.push_back(std::move(short_aes));
    AttributeSet small_rsa = with_ouid(public_template("rsa-512"), 3);
    small_rsa.set_ulong(attr::kClass, cls::kPublicKey);
    small_rsa.set_ulong(attr::kKeyType, ckk::kRsa);
    small_rsa.set_bytes(attr::kModulus, Bytes(64, 0xC5));  // 512 bits: below the RSA range
    small_rsa.set_bytes(attr::kPublicExponent, Bytes{0x01, 0x00, 0x01});
    objs.push_back(std::move(small_rsa));
    AttributeSet chacha = with_ouid(aes->clone(), 4);
    chacha.set_ulong(attr::kKeyType, 0x33);  // CKK_CHACHA20: no mechanism here uses it
    chacha.set_string(attr::kLabel, "chacha");
    objs.push_back(std::move(chacha));
    AttributeSet p224 = with_ouid(ec_pub->clone(), 5);
    const Bytes p224_oid = {0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x21};  // secp224r1
    p224.set_bytes(attr::kEcParams, p224_oid);
    p224.set_string(attr::kLabel, "ec-p224");
    objs.push_back(std::move(p224));
    objs.push_back(with_ouid(ec_pub->clone(), 6));  // lands

    auto r = deliver(m_env, src, dst, objs);
    SR_ASSERT_OK(r);
    EXPECT_EQ(r->imported.size(), 2u);
    EXPECT_TRUE(r->skipped.empty());
    ASSERT_EQ(r->refused.size(), 4u);
    EXPECT_EQ(refusal_code(*r, "aes-8-bytes"), Err::KeySizeRange);
    EXPECT_EQ(refusal_code(*r, "rsa-512"), Err::KeySizeRange);
    EXPECT_EQ(refusal_code(*r, "chacha"), Err::ObjectTypeInvalid);
    EXPECT_EQ(refusal_code(*r, "ec-p224"), Err::CurveNotSupported);
    for (const CloneRefusal& x : r->refused) EXPECT_FALSE(x.reason.empty()) << x.label;
    EXPECT_EQ(object_count(dst), 2u);
    EXPECT_NE(find_by_ouid(dst, Bytes(12, 1)), 0u);
    EXPECT_NE(find_by_ouid(dst, Bytes(12, 6)), 0u);
    EXPECT_EQ(find_by_ouid(dst, Bytes(12, 2)), 0u);
}

TEST_F(CloneTest, AnOuidCarriedTwiceInOneBatchLandsOnceAndIsReportedSkipped) {
    Side src = make_side("7.8.4", 111111, "domain-alpha");
    Side dst = make_side("7.8.4", 222222, "domain-alpha");
    LightObjects o;
    ASSERT_NO_FATAL_FAILURE(make_light_objects(src, o));
    auto data = src.dev->export_object(src.co, o.data);
    SR_ASSERT_OK(data);
    std::vector<AttributeSet> objs;
    objs.push_back(data->clone());
    objs.push_back(data->clone());
    auto r = deliver(m_env, src, dst, objs);
    SR_ASSERT_OK(r);
    EXPECT_EQ(r->imported.size(), 1u);
    EXPECT_EQ(r->skipped.size(), 1u);
    EXPECT_EQ(object_count(dst), 1u);
}

TEST_F(CloneTest, ReadOnlyTargetSessionRefusesTheWholeClone) {
    Side src = make_side("7.8.4", 111111, "domain-alpha");
    Side dst = make_side("7.8.4", 222222, "domain-alpha");
    LightObjects o;
    ASSERT_NO_FATAL_FAILURE(make_light_objects(src, o));
    auto info = dst.dev->session_info(dst.co);
    SR_ASSERT_OK(info);
    auto ro = dst.dev->open_session(info->app, dst.partition, /*read_write=*/false);
    SR_ASSERT_OK(ro);
    ASSERT_TRUE(dst.dev->session_info(*ro)->logged_in.has_value());
    EXPECT_EQ(dst.dev->clone_hello(*ro).code(), Err::SessionReadOnly);
    // Nor may a sealed message be delivered through it.
    auto hello = dst.dev->clone_hello(dst.co);
    SR_ASSERT_OK(hello);
    const auto handles = o.all();
    auto sealed = src.dev->clone_source(src.co, *hello, handles);
    SR_ASSERT_OK(sealed);
    EXPECT_EQ(dst.dev->clone_target(*ro, sealed->sealed).code(), Err::SessionReadOnly);
    auto aes = src.dev->export_object(src.co, o.aes);
    SR_ASSERT_OK(aes);
    std::vector<AttributeSet> one;
    one.push_back(std::move(*aes));
    EXPECT_EQ(dst.dev->import_objects(*ro, std::move(one)).code(), Err::SessionReadOnly);
    EXPECT_EQ(object_count(dst), 0u);
    // The hello was not consumed by the refused delivery.
    auto ok = dst.dev->clone_target(dst.co, sealed->sealed);
    SR_ASSERT_OK(ok);
    EXPECT_EQ(ok->imported.size(), handles.size());
}

TEST_F(CloneTest, BatchImportGivesEveryObjectItsOwnOutcomeInOrder) {
    Side dst = make_side("7.8.4", 222222, "domain-alpha");
    std::vector<AttributeSet> objs;
    for (uint8_t i = 0; i < 40; ++i) {
        AttributeSet d;
        d.set_ulong(attr::kClass, cls::kData);
        d.set_bool(attr::kToken, true);
        d.set_bool(attr::kPrivate, true);
        d.set_string(attr::kLabel, "data-" + std::to_string(i));
        d.set_bytes(attr::kValue, Bytes(16, i));
        d.set_bytes(attr::kOuid, Bytes(12, static_cast<uint8_t>(i % 30)));  // 10 repeats
        if (i == 7) d.erase(attr::kOuid);                                     // refused
        objs.push_back(std::move(d));
    }
    auto out = dst.dev->import_objects(dst.co, std::move(objs));
    SR_ASSERT_OK(out);
    ASSERT_EQ(out->size(), 40u);
    std::vector<ObjectHandle> handles;
    for (size_t i = 0; i < 40; ++i) {
        const auto& r = (*out)[i];
        if (i == 7) {
            EXPECT_EQ(r.code(), Err::TemplateIncomplete);
        } else if (i >= 30 && i != 37) {
            EXPECT_EQ(r.code(), Err::ObjectAlreadyExists) << i;
        } else {
            ASSERT_TRUE(r.is_ok()) << i << ": " << r.status().to_string();
            handles.push_back(*r);
            auto v = dst.dev->get_attributes(dst.co, *r, std::vector<AttrType>{attr::kLabel});
            SR_ASSERT_OK(v);
            EXPECT_EQ(to_string(*v->values.get(attr::kLabel)), "data-" + std::to_string(i));
        }
    }
    std::sort(handles.begin(), handles.end());
    EXPECT_EQ(std::unique(handles.begin(), handles.end()), handles.end());
    EXPECT_EQ(handles.size(), 30u);  // 0..29 without 7, plus 37 (its first twin was refused)
    EXPECT_EQ(object_count(dst), 30u);
}

TEST_F(CloneTest, RememberedPeerCertificateIsRefusedOnceItHasExpired) {
    Side src = make_side("7.8.4", 111111, "domain-alpha");
    Side dst = make_side("7.8.4", 222222, "domain-alpha");
    LightObjects o;
    ASSERT_NO_FATAL_FAILURE(make_light_objects(src, o));
    // The source runs on a clock the test controls.
    const fs::path folder = src.dev->folder();
    const PartitionId partition = src.partition;
    src.dev.reset();
    FaultInjectionEnv clock(m_env);
    auto reopened = LocalDevice::open(clock, folder);
    SR_ASSERT_OK(reopened);
    src.dev = std::move(*reopened);
    AppId a = *src.dev->attach();
    src.co = *src.dev->open_session(a, partition, true);
    Status login = src.dev->login(src.co, Role::CryptoOfficer, kCoPw);
    ASSERT_TRUE(login.is_ok()) << login.to_string();
    const auto handles = o.all();
    auto first = run_clone(src, dst, handles);  // the target's certificate is now remembered
    SR_ASSERT_OK(first);
    EXPECT_EQ(first->imported.size(), handles.size());

    auto cert = crypto::Certificate::from_der(dst.dev->info()->identity_certificate_der);
    SR_ASSERT_OK(cert);
    clock.freeze_clock(cert->not_after() + std::chrono::hours(24));
    auto hello = dst.dev->clone_hello(dst.co);
    SR_ASSERT_OK(hello);
    auto late = src.dev->clone_source(src.co, *hello, handles);
    EXPECT_EQ(late.code(), Err::CertificateInvalid) << late.status().to_string();
}

}  // namespace
}  // namespace sr::hsm
