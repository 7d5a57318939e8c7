// The cloning protocol end to end through hsm::Device between two LocalDevices of one factory
// (6.22.0 source, 7.x target): every object type lands whole and usable with its OUID, and every
// refusal (domain, factory, auth type, policy, tampering, replay, duplicates) writes nothing it
// should not; the wire messages' codec on its own.
#include "clone_fixture.h"

namespace sr::hsm {
namespace {

using namespace clone_testing;

TEST_F(CloneTest, EveryObjectTypeClonesFrom622To7AndWorksOnTheTarget) {
    Side src = make_side("6.22.0", 111111, "domain-alpha");
    Side dst = make_side("7.8.4", 222222, "domain-alpha");
    SourceObjects o;
    ASSERT_NO_FATAL_FAILURE(make_objects(src, o));
    const auto handles = o.all();

    Bytes hello, sealed;
    auto r = run_clone(src, dst, handles, &hello, &sealed);
    SR_ASSERT_OK(r);
    EXPECT_EQ(r->imported.size(), handles.size());
    EXPECT_TRUE(r->skipped.empty());
    EXPECT_TRUE(r->refused.empty());
    EXPECT_EQ(object_count(dst), handles.size());

    // OUIDs are preserved; every object is findable on the target by its OUID.
    for (ObjectHandle h : handles) {
        Bytes id = ouid(src, h);
        ASSERT_FALSE(id.empty());
        EXPECT_NE(find_by_ouid(dst, id), 0u) << "source handle " << h;
    }
    // The captured messages carry no key bytes.
    EXPECT_FALSE(contains(hello, kAesValue));
    EXPECT_FALSE(contains(sealed, kAesValue));

    // Signatures made on the target verify with the source's public keys.
    const Bytes msg = to_bytes("signed on the target");
    struct Pair { KeyPairHandles kp; crypto::MechanismId mech; };
    for (const Pair& p : {Pair{o.rsa, mech::kSha256RsaPkcs}, Pair{o.ec, mech::kEcdsaSha256},
                          Pair{o.ed, mech::kEddsa}, Pair{o.dsa, mech::kDsaSha256}}) {
        ObjectHandle priv = find_by_ouid(dst, ouid(src, p.kp.private_key));
        SR_ASSERT_OK(dst.dev->sign_init(dst.co, {p.mech, NoParams{}}, priv));
        auto sig = dst.dev->sign(dst.co, msg);
        SR_ASSERT_OK(sig);
        SR_ASSERT_OK(src.dev->verify_init(src.co, {p.mech, NoParams{}}, p.kp.public_key));
        EXPECT_TRUE(src.dev->verify(src.co, msg, *sig).is_ok()) << "mechanism " << p.mech;
    }
    // Data encrypted on the source decrypts on the target (AES and DES3).
    struct Sym { ObjectHandle h; crypto::Mechanism m; };
    for (const Sym& k : {Sym{o.aes, {mech::kAesCbcPad, crypto::IvParams{Bytes(16, 1)}}},
                         Sym{o.des3, {mech::kDes3CbcPad, crypto::IvParams{Bytes(8, 2)}}}}) {
        SR_ASSERT_OK(src.dev->encrypt_init(src.co, k.m, k.h));
        auto ct = src.dev->encrypt(src.co, as_bytes("encrypted on the source"));
        SR_ASSERT_OK(ct);
        ObjectHandle there = find_by_ouid(dst, ouid(src, k.h));
        SR_ASSERT_OK(dst.dev->decrypt_init(dst.co, k.m, there));
        auto pt = dst.dev->decrypt(dst.co, *ct);
        SR_ASSERT_OK(pt);
        EXPECT_EQ(to_string(pt->span()), "encrypted on the source");
    }
    // The HMAC key gives the same MAC on both sides.
    SR_ASSERT_OK(src.dev->sign_init(src.co, {mech::kSha256Hmac, NoParams{}}, o.hmac));
    auto mac_src = src.dev->sign(src.co, msg);
    ObjectHandle hmac_dst = find_by_ouid(dst, ouid(src, o.hmac));
    SR_ASSERT_OK(dst.dev->sign_init(dst.co, {mech::kSha256Hmac, NoParams{}}, hmac_dst));
    auto mac_dst = dst.dev->sign(dst.co, msg);
    SR_ASSERT_OK(mac_src);
    SR_ASSERT_OK(mac_dst);
    EXPECT_EQ(*mac_src, *mac_dst);
    // Certificates and data objects keep their values.
    auto data_v = dst.dev->get_attributes(dst.co, find_by_ouid(dst, ouid(src, o.data)),
                                          std::vector<AttrType>{attr::kValue, attr::kApplication});
    SR_ASSERT_OK(data_v);
    EXPECT_EQ(to_string(*data_v->values.get(attr::kValue)), "data object value");
    EXPECT_EQ(to_string(*data_v->values.get(attr::kApplication)), "clone test");
}

TEST_F(CloneTest, RejectsForeignDomainAndLeavesTargetUnchanged) {
    Side src = make_side("6.22.0", 111111, "domain-alpha");
    Side dst = make_side("7.8.4", 222222, "domain-beta");
    SourceObjects o;
    ASSERT_NO_FATAL_FAILURE(make_objects(src, o));
    auto hello = dst.dev->clone_hello(dst.co);
    SR_ASSERT_OK(hello);
    const auto handles = o.all();
    auto sealed = src.dev->clone_source(src.co, *hello, handles);
    EXPECT_EQ(sealed.code(), Err::CertificateInvalid);
    EXPECT_NE(sealed.status().message().find("cloning domain"), std::string::npos);
    EXPECT_EQ(object_count(dst), 0u);
}

TEST_F(CloneTest, HelloWithForgedDomainFingerprintFailsItsSignature) {
    Side src = make_side("7.8.4", 111111, "domain-alpha");
    Side dst = make_side("7.8.4", 222222, "domain-beta");
    SourceObjects o;
    ASSERT_NO_FATAL_FAILURE(make_objects(src, o));
    // The relay rewrites the target's fingerprint to the source's: the signature no longer holds.
    auto hello = dst.dev->clone_hello(dst.co);
    SR_ASSERT_OK(hello);
    auto decoded = clone::decode_hello(*hello);
    SR_ASSERT_OK(decoded);
    decoded->target.domain_fingerprint = src.dev->partition_info(src.partition)->domain_fingerprint;
    const auto handles = o.all();
    auto sealed = src.dev->clone_source(src.co, clone::encode_hello(*decoded), handles);
    EXPECT_EQ(sealed.code(), Err::CertificateInvalid);  // the forged hello fails its signature
    EXPECT_EQ(object_count(dst), 0u);
}

TEST_F(CloneTest, RejectsDeviceFromAnotherFactory) {
    Side src = make_side("6.22.0", 111111, "domain-alpha");
    Side dst = make_side("7.8.4", 222222, "domain-alpha", AuthType::Password, "other-factory");
    SourceObjects o;
    ASSERT_NO_FATAL_FAILURE(make_objects(src, o));
    auto hello = dst.dev->clone_hello(dst.co);
    SR_ASSERT_OK(hello);
    const auto handles = o.all();
    auto sealed = src.dev->clone_source(src.co, *hello, handles);
    EXPECT_EQ(sealed.code(), Err::CertificateInvalid);
    EXPECT_NE(sealed.status().message().find("factory"), std::string::npos);
    EXPECT_EQ(object_count(dst), 0u);
}

TEST_F(CloneTest, RejectsDifferentAuthType) {
    Side src = make_side("6.22.0", 111111, "domain-alpha");
    Side dst = make_side("7.8.4", 222222, "domain-alpha", AuthType::Ped);
    ASSERT_TRUE(dst.dev);
    SourceObjects o;
    ASSERT_NO_FATAL_FAILURE(make_objects(src, o));
    auto hello = dst.dev->clone_hello(dst.co);
    SR_ASSERT_OK(hello);
    const auto handles = o.all();
    auto sealed = src.dev->clone_source(src.co, *hello, handles);
    EXPECT_EQ(sealed.code(), Err::CertificateInvalid);
    EXPECT_NE(sealed.status().message().find("auth type"), std::string::npos);
}

TEST_F(CloneTest, PrivateKeyPolicyOffRefusesPrivateKeysAndClonesTheRest) {
    Side src = make_side("6.22.0", 111111, "domain-alpha");
    Side dst = make_side("7.8.4", 222222, "domain-alpha");
    ASSERT_NO_FATAL_FAILURE(set_partition_policy(src, policy::kPrivateKeyCloning, 0));
    SourceObjects o;
    ASSERT_NO_FATAL_FAILURE(make_objects(src, o));
    const auto handles = o.all();
    auto hello = dst.dev->clone_hello(dst.co);
    SR_ASSERT_OK(hello);
    auto sealed = src.dev->clone_source(src.co, *hello, handles);
    SR_ASSERT_OK(sealed);
    ASSERT_EQ(sealed->refused.size(), 4u);
    std::vector<ObjectHandle> refused;
    for (const auto& r : sealed->refused) {
        refused.push_back(r.handle);
        EXPECT_NE(r.reason.find("policy 0"), std::string::npos);
        EXPECT_FALSE(r.label.empty());
    }
    std::sort(refused.begin(), refused.end());
    std::vector<ObjectHandle> expected{o.rsa.private_key, o.ec.private_key, o.ed.private_key,
                                       o.dsa.private_key};
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(refused, expected);
    auto r = dst.dev->clone_target(dst.co, sealed->sealed);
    SR_ASSERT_OK(r);
    EXPECT_EQ(r->imported.size(), handles.size() - 4);
    EXPECT_EQ(object_count(dst), handles.size() - 4);
}

TEST_F(CloneTest, TamperedMessageIsRefusedAndNothingIsWritten) {
    Side src = make_side("6.22.0", 111111, "domain-alpha");
    Side dst = make_side("7.8.4", 222222, "domain-alpha");
    SourceObjects o;
    ASSERT_NO_FATAL_FAILURE(make_objects(src, o));
    const auto handles = o.all();
    auto hello = dst.dev->clone_hello(dst.co);
    SR_ASSERT_OK(hello);
    auto sealed = src.dev->clone_source(src.co, *hello, handles);
    SR_ASSERT_OK(sealed);
    Bytes bad = sealed->sealed;
    bad[bad.size() - 5] ^= 0x01;  // inside the last sealed object
    auto r = dst.dev->clone_target(dst.co, bad);
    EXPECT_EQ(r.code(), Err::EncryptedDataInvalid);
    EXPECT_EQ(object_count(dst), 0u);
    // The hello is spent: even the genuine message is now refused.
    EXPECT_EQ(dst.dev->clone_target(dst.co, sealed->sealed).code(), Err::DataInvalid);
    EXPECT_EQ(object_count(dst), 0u);
}

TEST_F(CloneTest, ReorderedObjectsAreRefused) {
    Side src = make_side("6.22.0", 111111, "domain-alpha");
    Side dst = make_side("7.8.4", 222222, "domain-alpha");
    SourceObjects o;
    ASSERT_NO_FATAL_FAILURE(make_objects(src, o));
    std::vector<ObjectHandle> two{o.aes, o.data};
    auto hello = dst.dev->clone_hello(dst.co);
    SR_ASSERT_OK(hello);
    auto sealed = src.dev->clone_source(src.co, *hello, two);
    SR_ASSERT_OK(sealed);
    auto msg = clone::decode_sealed(sealed->sealed);
    SR_ASSERT_OK(msg);
    std::swap(msg->objects[0].sealed, msg->objects[1].sealed);
    auto r = dst.dev->clone_target(dst.co, clone::encode_sealed(*msg));
    EXPECT_EQ(r.code(), Err::EncryptedDataInvalid);
    EXPECT_EQ(object_count(dst), 0u);
}

TEST_F(CloneTest, ReplayedMessageIsRefused) {
    Side src = make_side("6.22.0", 111111, "domain-alpha");
    Side dst = make_side("7.8.4", 222222, "domain-alpha");
    SourceObjects o;
    ASSERT_NO_FATAL_FAILURE(make_objects(src, o));
    std::vector<ObjectHandle> one{o.data};
    Bytes sealed;
    auto first = run_clone(src, dst, one, nullptr, &sealed);
    SR_ASSERT_OK(first);
    EXPECT_EQ(first->imported.size(), 1u);
    SR_ASSERT_OK(dst.dev->destroy_object(dst.co, first->imported[0].handle));
    // Same message again, with or without a fresh hello outstanding: refused, nothing written.
    EXPECT_EQ(dst.dev->clone_target(dst.co, sealed).code(), Err::DataInvalid);
    SR_ASSERT_OK(dst.dev->clone_hello(dst.co));
    EXPECT_EQ(dst.dev->clone_target(dst.co, sealed).code(), Err::DataInvalid);
    EXPECT_EQ(object_count(dst), 0u);
}

TEST_F(CloneTest, SecondCloneOfTheSameObjectsSkipsThemAll) {
    Side src = make_side("6.22.0", 111111, "domain-alpha");
    Side dst = make_side("7.8.4", 222222, "domain-alpha");
    SourceObjects o;
    ASSERT_NO_FATAL_FAILURE(make_objects(src, o));
    const auto handles = o.all();
    SR_ASSERT_OK(run_clone(src, dst, handles));
    auto again = run_clone(src, dst, handles);
    SR_ASSERT_OK(again);
    EXPECT_TRUE(again->imported.empty());
    EXPECT_EQ(again->skipped.size(), handles.size());
    EXPECT_EQ(object_count(dst), handles.size());
}

TEST_F(CloneTest, SecretKeyPolicyOffRefusesSecretKeysOnly) {
    Side src = make_side("6.22.0", 111111, "domain-alpha");
    Side dst = make_side("7.8.4", 222222, "domain-alpha");
    ASSERT_NO_FATAL_FAILURE(set_partition_policy(src, policy::kSecretKeyCloning, 0));
    SourceObjects o;
    ASSERT_NO_FATAL_FAILURE(make_objects(src, o));
    const auto handles = o.all();
    auto hello = dst.dev->clone_hello(dst.co);
    SR_ASSERT_OK(hello);
    auto sealed = src.dev->clone_source(src.co, *hello, handles);
    SR_ASSERT_OK(sealed);
    std::vector<ObjectHandle> refused;
    for (const auto& r : sealed->refused) refused.push_back(r.handle);
    std::sort(refused.begin(), refused.end());
    std::vector<ObjectHandle> expected{o.aes, o.des3, o.hmac};
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(refused, expected);
    auto r = dst.dev->clone_target(dst.co, sealed->sealed);
    SR_ASSERT_OK(r);
    EXPECT_EQ(r->imported.size(), handles.size() - 3);
}

TEST_F(CloneTest, HsmCloningPolicyOffRefusesTheWholeClone) {
    Side src = make_side("7.8.4", 111111, "domain-alpha");
    Side dst = make_side("7.8.4", 222222, "domain-alpha");
    AppId a = *src.dev->attach();
    SessionId admin = *src.dev->open_session(a, kAdminPartition, true);
    SR_ASSERT_OK(src.dev->login(admin, Role::HsmSo, kSoPw));
    SR_ASSERT_OK(src.dev->set_hsm_policies(
        a, std::vector<PolicyValue>{{hsm_policy::kCloning, 0}}));
    // The policy change may have erased and closed things; start a fresh CO session.
    AppId b = *src.dev->attach();
    src.co = *src.dev->open_session(b, src.partition, true);
    SR_ASSERT_OK(src.dev->login(src.co, Role::CryptoOfficer, kCoPw));
    auto hello = dst.dev->clone_hello(dst.co);
    SR_ASSERT_OK(hello);
    std::vector<ObjectHandle> none;
    auto sealed = src.dev->clone_source(src.co, *hello, none);
    EXPECT_EQ(sealed.code(), Err::OperationNotAllowed);
    EXPECT_NE(sealed.status().message().find("policy 7"), std::string::npos);
}

TEST_F(CloneTest, NewerToOlderGenerationIsRefusedBySource) {
    Side src = make_side("7.8.4", 111111, "domain-alpha");
    Side dst = make_side("6.22.0", 222222, "domain-alpha");
    SourceObjects o;
    ASSERT_NO_FATAL_FAILURE(make_objects(src, o));
    auto hello = dst.dev->clone_hello(dst.co);
    SR_ASSERT_OK(hello);
    std::vector<ObjectHandle> one{o.data};
    auto sealed = src.dev->clone_source(src.co, *hello, one);
    EXPECT_EQ(sealed.code(), Err::OperationNotAllowed);
    EXPECT_EQ(object_count(dst), 0u);
}

TEST_F(CloneTest, SealedMessageIsAcceptedOnlyOnTheHellosSession) {
    Side src = make_side("6.22.0", 111111, "domain-alpha");
    Side dst = make_side("7.8.4", 222222, "domain-alpha");
    SourceObjects o;
    ASSERT_NO_FATAL_FAILURE(make_objects(src, o));
    auto hello = dst.dev->clone_hello(dst.co);
    SR_ASSERT_OK(hello);
    std::vector<ObjectHandle> one{o.data};
    auto sealed = src.dev->clone_source(src.co, *hello, one);
    SR_ASSERT_OK(sealed);
    AppId other_app = *dst.dev->attach();
    SessionId other = *dst.dev->open_session(other_app, dst.partition, true);
    SR_ASSERT_OK(dst.dev->login(other, Role::CryptoOfficer, kCoPw));
    EXPECT_EQ(dst.dev->clone_target(other, sealed->sealed).code(), Err::DataInvalid);
    EXPECT_EQ(object_count(dst), 0u);
}

TEST_F(CloneTest, CloningNeedsALoggedInCryptoOfficer) {
    Side dst = make_side("7.8.4", 222222, "domain-alpha");
    AppId a = *dst.dev->attach();
    SessionId anon = *dst.dev->open_session(a, dst.partition, true);
    EXPECT_EQ(dst.dev->clone_hello(anon).code(), Err::UserNotLoggedIn);
}

// Plays a genuine device of the same factory that lies about its domain: it claims the target's
// fingerprint (and signs that claim) but can only seal under the domain key it holds.
Result<Bytes> lying_source_message(Env& env, Side& src, ByteView hello_bytes,
                                   const SecretBytes& domain_key, ObjectHandle object) {
    SR_ASSIGN_OR_RETURN(clone::Hello hello, clone::decode_hello(hello_bytes));
    SR_ASSIGN_OR_RETURN(auto identity, load_identity_key(env, src.dev->folder()));
    SR_ASSIGN_OR_RETURN(DeviceInfo info, src.dev->info());
    clone::SealedMessage msg;
    msg.session = hello.session;
    SR_ASSIGN_OR_RETURN(msg.hello_hash, crypto::digest(crypto::Hash::Sha256, hello_bytes));
    msg.source = hello.target;  // same firmware, auth and — the lie — domain fingerprint
    msg.source.certificate_der = info.identity_certificate_der;
    SR_ASSIGN_OR_RETURN(auto ephemeral, crypto::generate_ec_key(crypto::EcCurve::P256));
    SR_ASSIGN_OR_RETURN(msg.source.ephemeral_public, crypto::public_key_to_der(ephemeral.get()));
    msg.source.nonce.fill(0x42);
    msg.object_count = 1;
    SR_ASSIGN_OR_RETURN(msg.signature,
                        crypto::identity_sign(identity.get(), clone::sealed_signed_bytes(msg)));
    SR_ASSIGN_OR_RETURN(auto target_key, crypto::public_key_from_der(hello.target.ephemeral_public));
    SR_ASSIGN_OR_RETURN(SecretBytes key,
                        clone::derive_session_key(ephemeral.get(), target_key.get(), domain_key,
                                                  hello_bytes, hello, msg));
    SR_ASSIGN_OR_RETURN(AttributeSet attrs, src.dev->export_object(src.co, object));
    SecretBytes payload = clone::encode_object_payload(attrs);
    clone::SealedObject o;
    SR_ASSIGN_OR_RETURN(o.sealed, crypto::seal(key, clone::object_aad(msg.session, 0, 1),
                                               payload.span()));
    msg.objects.push_back(std::move(o));
    return clone::encode_sealed(msg);
}

TEST_F(CloneTest, TargetRefusesObjectsSealedUnderAnotherDomainEvenWithForgedFingerprint) {
    Side src = make_side("7.8.4", 111111, "domain-alpha");
    Side dst = make_side("7.8.4", 222222, "domain-beta");
    SourceObjects o;
    ASSERT_NO_FATAL_FAILURE(make_objects(src, o));
    auto src_domain = src.dev->domain_key(src.partition);
    SR_ASSERT_OK(src_domain);
    auto hello = dst.dev->clone_hello(dst.co);
    SR_ASSERT_OK(hello);
    auto lie = lying_source_message(m_env, src, *hello, *src_domain, o.aes);
    SR_ASSERT_OK(lie);
    auto r = dst.dev->clone_target(dst.co, *lie);
    EXPECT_EQ(r.code(), Err::EncryptedDataInvalid);
    EXPECT_EQ(object_count(dst), 0u);

    // Control: the same construction under the target's own domain key is accepted, so the
    // refusal above came from the domain key alone.
    auto dst_domain = dst.dev->domain_key(dst.partition);
    SR_ASSERT_OK(dst_domain);
    auto hello2 = dst.dev->clone_hello(dst.co);
    SR_ASSERT_OK(hello2);
    auto honest = lying_source_message(m_env, src, *hello2, *dst_domain, o.aes);
    SR_ASSERT_OK(honest);
    auto ok = dst.dev->clone_target(dst.co, *honest);
    SR_ASSERT_OK(ok);
    EXPECT_EQ(ok->imported.size(), 1u);
}

TEST_F(CloneTest, DeviceWithoutManufacturerRootCannotClone) {
    Side dst = make_side("7.8.4", 222222, "domain-alpha");
    fs::remove(dst.dev->folder() / folder::kManufacturerRootFile);
    auto hello = dst.dev->clone_hello(dst.co);
    EXPECT_EQ(hello.code(), Err::CertificateInvalid);
    EXPECT_NE(hello.status().message().find("manufacturer root"), std::string::npos);
}

// ---- Codec

clone::Hello sample_hello() {
    clone::Hello h;
    h.session.fill(0x5A);
    h.target.firmware = FirmwareVersion{7, 8, 4};
    h.target.form_factor = FormFactor::Network;
    h.target.auth = AuthType::Ped;
    h.target.certificate_der = Bytes(300, 0xC1);
    h.target.domain_fingerprint = Bytes(16, 0xF1);
    h.target.ephemeral_public = Bytes(91, 0xE1);
    h.target.nonce.fill(0x33);
    h.signature = Bytes(64, 0x99);
    return h;
}

TEST(CloneProtocol, HelloRoundTripsAndSignatureCoversEveryFieldButItself) {
    clone::Hello h = sample_hello();
    Bytes enc = clone::encode_hello(h);
    auto back = clone::decode_hello(enc);
    SR_ASSERT_OK(back);
    EXPECT_EQ(clone::encode_hello(*back), enc);
    EXPECT_EQ(back->target.auth, AuthType::Ped);
    EXPECT_EQ(back->target.firmware, (FirmwareVersion{7, 8, 4}));
    Bytes signed_before = clone::hello_signed_bytes(h);
    h.target.nonce[0] ^= 1;
    EXPECT_NE(clone::hello_signed_bytes(h), signed_before);
    h.target.nonce[0] ^= 1;
    h.signature[0] ^= 1;
    EXPECT_EQ(clone::hello_signed_bytes(h), signed_before);
}

TEST(CloneProtocol, EveryTruncationOfAMessageIsRefusedCleanly) {
    Bytes hello = clone::encode_hello(sample_hello());
    clone::SealedMessage m;
    m.session.fill(1);
    m.hello_hash = Bytes(32, 2);
    m.source = sample_hello().target;
    m.object_count = 2;
    m.signature = Bytes(64, 3);
    m.objects = {{0, Bytes(60, 4)}, {1, Bytes(70, 5)}};
    Bytes sealed = clone::encode_sealed(m);
    SR_ASSERT_OK(clone::decode_sealed(sealed));
    for (size_t n = 0; n < hello.size(); ++n)
        EXPECT_EQ(clone::decode_hello(ByteView(hello).first(n)).code(), Err::DataInvalid) << n;
    for (size_t n = 0; n < sealed.size(); ++n)
        EXPECT_EQ(clone::decode_sealed(ByteView(sealed).first(n)).code(), Err::DataInvalid) << n;
    hello.push_back(0);
    EXPECT_EQ(clone::decode_hello(hello).code(), Err::DataInvalid);
}

TEST(CloneProtocol, OtherVersionsAndTypesAreRefusedByName) {
    Bytes hello = clone::encode_hello(sample_hello());
    hello[4] = 2;
    auto r = clone::decode_hello(hello);
    EXPECT_EQ(r.code(), Err::DataInvalid);
    EXPECT_NE(r.status().message().find("version 2"), std::string::npos);
    hello[4] = clone::kVersion;
    EXPECT_EQ(clone::decode_sealed(hello).code(), Err::DataInvalid);  // a hello is not sealed
}

}  // namespace
}  // namespace sr::hsm
