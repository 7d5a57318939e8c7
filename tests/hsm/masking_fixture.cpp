// Device fixture for the fingerprint and masking tests (masking_fixture.h).
#include "masking_fixture.h"

#include "crypto/primitives.h"

namespace sr::hsm::testing {

namespace fs = std::filesystem;
namespace mech = crypto::mech;
using crypto::NoParams;

void DeviceFixture::SetUp() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    m_root = fs::temp_directory_path() / ("sr-mask-" + std::to_string(::getpid()) + "-" +
                                          info->test_suite_name() + "-" + info->name());
    fs::remove_all(m_root);
    fs::create_directories(m_root);
}

Side DeviceFixture::make_side(const std::string& firmware, uint64_t serial,
                              const std::string& domain, AuthType auth) {
    NewDeviceSpec spec;
    spec.home = m_root / ("home-" + std::to_string(serial));
    spec.factory = m_root / "factory";
    spec.firmware = *FirmwareVersion::parse(firmware);
    spec.serial = serial;
    spec.auth = auth;
    spec.hsm_label = "hsm";
    spec.so_password = kSoPw;
    spec.partitions = {"p1"};
    spec.domain = domain;
    spec.po_password = kPoPw;
    spec.co_password = kCoPw;
    Side side;
    auto report = make_device(m_env, spec);
    EXPECT_TRUE(report.is_ok()) << report.status().to_string();
    if (!report) return side;
    auto dev = LocalDevice::open(m_env, report->folder);
    EXPECT_TRUE(dev.is_ok()) << dev.status().to_string();
    if (!dev) return side;
    side.dev = std::move(*dev);
    side.partition = report->partitions.at(0).id;
    AppId a = *side.dev->attach();
    side.co = *side.dev->open_session(a, side.partition, true);
    Status st = side.dev->login(side.co, Role::CryptoOfficer, kCoPw);
    EXPECT_TRUE(st.is_ok()) << st.to_string();
    return side;
}

void DeviceFixture::set_partition_policy(Side& s, uint32_t id, uint64_t value) {
    AppId a = *s.dev->attach();
    SessionId po = *s.dev->open_session(a, s.partition, true);
    ASSERT_TRUE(s.dev->login(po, Role::PartitionSo, kPoPw).is_ok());
    auto r = s.dev->set_partition_policies(a, s.partition, std::vector<PolicyValue>{{id, value}});
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
}

void DeviceFixture::set_hsm_policy(Side& s, uint32_t id, uint64_t value) {
    AppId a = *s.dev->attach();
    SessionId admin = *s.dev->open_session(a, kAdminPartition, true);
    SR_ASSERT_OK(s.dev->login(admin, Role::HsmSo, kSoPw));
    SR_ASSERT_OK(s.dev->set_hsm_policies(a, std::vector<PolicyValue>{{id, value}}));
    AppId b = *s.dev->attach();
    s.co = *s.dev->open_session(b, s.partition, true);
    SR_ASSERT_OK(s.dev->login(s.co, Role::CryptoOfficer, kCoPw));
}

AttributeSet private_template(std::string_view label) {
    AttributeSet t;
    t.set_bool(attr::kToken, true);
    t.set_bool(attr::kPrivate, true);
    t.set_bool(attr::kSensitive, true);
    t.set_bool(attr::kSign, true);
    t.set_bool(attr::kExtractable, true);
    t.set_string(attr::kLabel, label);
    return t;
}

AttributeSet public_template(std::string_view label) {
    AttributeSet t;
    t.set_bool(attr::kToken, true);
    t.set_bool(attr::kVerify, true);
    t.set_string(attr::kLabel, label);
    return t;
}

AttributeSet secret_template(std::string_view label, bool sign) {
    AttributeSet t;
    t.set_bool(attr::kToken, true);
    t.set_bool(attr::kPrivate, true);
    t.set_bool(attr::kSensitive, true);
    t.set_bool(sign ? attr::kSign : attr::kEncrypt, true);
    t.set_bool(sign ? attr::kVerify : attr::kDecrypt, true);
    t.set_string(attr::kLabel, label);
    return t;
}

Result<ObjectHandle> create_aes(Side& s, ByteView value, std::string_view label) {
    AttributeSet aes = secret_template(label, false);
    aes.set_ulong(attr::kClass, cls::kSecretKey);
    aes.set_ulong(attr::kKeyType, ckk::kAes);
    aes.set_bytes(attr::kValue, value);
    return s.dev->create_object(s.co, aes);
}

namespace {

void make_dsa(Side& s, KeyPairHandles& out) {
    // The pair is made by the crypto layer and imported with create_object (as clone_test does).
    crypto::KeyGenParams params;
    params.bits = 2048;
    auto kp = crypto::MechanismRegistry::standard().generate_key_pair(
        {mech::kDsaKeyPairGen, NoParams{}}, params);
    ASSERT_TRUE(kp.is_ok()) << kp.status().to_string();
    auto priv = crypto::dsa_private_parts(kp->private_key);
    auto pub = crypto::dsa_public_parts(kp->public_key);
    ASSERT_TRUE(priv.is_ok() && pub.is_ok());
    AttributeSet pub_t = public_template("dsa");
    pub_t.set_ulong(attr::kClass, cls::kPublicKey);
    pub_t.set_ulong(attr::kKeyType, ckk::kDsa);
    AttributeSet prv_t = private_template("dsa");
    prv_t.set_ulong(attr::kClass, cls::kPrivateKey);
    prv_t.set_ulong(attr::kKeyType, ckk::kDsa);
    for (AttributeSet* t : {&pub_t, &prv_t}) {
        t->set_bytes(attr::kPrime, pub->prime);
        t->set_bytes(attr::kSubprime, pub->subprime);
        t->set_bytes(attr::kBase, pub->base);
    }
    pub_t.set_bytes(attr::kValue, pub->value);
    prv_t.set_secret(attr::kValue, priv->value.clone());
    auto pub_h = s.dev->create_object(s.co, pub_t);
    ASSERT_TRUE(pub_h.is_ok()) << pub_h.status().to_string();
    auto prv_h = s.dev->create_object(s.co, prv_t);
    ASSERT_TRUE(prv_h.is_ok()) << prv_h.status().to_string();
    out = {*pub_h, *prv_h};
}

void make_pairs(Side& s, SourceObjects& o) {
    LocalDevice& d = *s.dev;
    AttributeSet rsa_pub = public_template("rsa");
    rsa_pub.set_ulong(attr::kModulusBits, 2048);
    auto rsa = d.generate_key_pair(s.co, {mech::kRsaPkcsKeyPairGen, NoParams{}}, std::move(rsa_pub),
                                   private_template("rsa"));
    ASSERT_TRUE(rsa.is_ok()) << rsa.status().to_string();
    o.rsa = *rsa;
    AttributeSet ec_pub = public_template("ec");
    ec_pub.set_bytes(attr::kEcParams, *crypto::curve_params_der("P-256"));
    auto ec = d.generate_key_pair(s.co, {mech::kEcKeyPairGen, NoParams{}}, std::move(ec_pub),
                                  private_template("ec"));
    ASSERT_TRUE(ec.is_ok()) << ec.status().to_string();
    o.ec = *ec;
    AttributeSet ed_pub = public_template("ed");
    ed_pub.set_bytes(attr::kEcParams, *crypto::curve_params_der("Ed25519"));
    auto ed = d.generate_key_pair(s.co, {mech::kEcEdwardsKeyPairGen, NoParams{}}, std::move(ed_pub),
                                  private_template("ed"));
    ASSERT_TRUE(ed.is_ok()) << ed.status().to_string();
    o.ed = *ed;
    ASSERT_NO_FATAL_FAILURE(make_dsa(s, o.dsa));
}

void make_secrets(Side& s, SourceObjects& o) {
    LocalDevice& d = *s.dev;
    auto aes = create_aes(s, kAesValue);
    ASSERT_TRUE(aes.is_ok()) << aes.status().to_string();
    o.aes = *aes;
    auto des3 =
        d.generate_key(s.co, {mech::kDes3KeyGen, NoParams{}}, secret_template("des3", false));
    ASSERT_TRUE(des3.is_ok()) << des3.status().to_string();
    o.des3 = *des3;
    AttributeSet hmac = secret_template("hmac", true);
    hmac.set_ulong(attr::kValueLen, 32);
    auto hmac_h = d.generate_key(s.co, {mech::kGenericSecretKeyGen, NoParams{}}, hmac);
    ASSERT_TRUE(hmac_h.is_ok()) << hmac_h.status().to_string();
    o.hmac = *hmac_h;
    AttributeSet generic = secret_template("generic", false);
    generic.set_bool(attr::kEncrypt, false);
    generic.set_bool(attr::kDecrypt, false);
    generic.set_bool(attr::kDerive, true);
    generic.set_ulong(attr::kClass, cls::kSecretKey);
    generic.set_ulong(attr::kKeyType, ckk::kGenericSecret);
    generic.set_bytes(attr::kValue, Bytes(24, 0x5C));
    auto generic_h = d.create_object(s.co, generic);
    ASSERT_TRUE(generic_h.is_ok()) << generic_h.status().to_string();
    o.generic = *generic_h;
}

void make_cert_and_data(Side& s, SourceObjects& o) {
    LocalDevice& d = *s.dev;
    auto info = d.info();
    ASSERT_TRUE(info.is_ok());
    auto cert = crypto::Certificate::from_der(info->identity_certificate_der);
    ASSERT_TRUE(cert.is_ok());
    AttributeSet c;
    c.set_ulong(attr::kClass, cls::kCertificate);
    c.set_ulong(attr::kCertificateType, ckc::kX509);
    c.set_bool(attr::kToken, true);
    c.set_string(attr::kLabel, "cert");
    c.set_bytes(attr::kSubject, to_bytes(cert->subject_cn()));
    c.set_bytes(attr::kValue, cert->der());
    auto cert_h = d.create_object(s.co, c);
    ASSERT_TRUE(cert_h.is_ok()) << cert_h.status().to_string();
    o.cert = *cert_h;
    AttributeSet data;
    data.set_ulong(attr::kClass, cls::kData);
    data.set_bool(attr::kToken, true);
    data.set_string(attr::kLabel, "data");
    data.set_string(attr::kApplication, "masking test");
    data.set_bytes(attr::kValue, to_bytes("data object value"));
    auto data_h = d.create_object(s.co, data);
    ASSERT_TRUE(data_h.is_ok()) << data_h.status().to_string();
    o.data = *data_h;
}

}  // namespace

void make_objects(Side& s, SourceObjects& o) {
    ASSERT_NO_FATAL_FAILURE(make_pairs(s, o));
    ASSERT_NO_FATAL_FAILURE(make_secrets(s, o));
    ASSERT_NO_FATAL_FAILURE(make_cert_and_data(s, o));
}

Bytes ouid(Side& s, ObjectHandle h) {
    auto r = s.dev->get_attributes(s.co, h, std::vector<AttrType>{attr::kOuid});
    if (!r) return {};
    auto v = r->values.get(attr::kOuid);
    return v ? Bytes(v->begin(), v->end()) : Bytes();
}

ObjectHandle find_by_ouid(Side& s, const Bytes& id) {
    AttributeSet t;
    t.set_bytes(attr::kOuid, id);
    if (!s.dev->find_init(s.co, t)) return 0;
    auto found = s.dev->find_next(s.co, 10);
    (void)s.dev->find_final(s.co);
    return found && found->size() == 1 ? (*found)[0] : 0;
}

uint64_t object_count(Side& s) {
    return s.dev->partition_info(s.partition)->object_count;
}

bool contains(ByteView hay, ByteView needle) {
    return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

Result<CloneTargetResult> run_clone(Side& src, Side& dst, std::span<const ObjectHandle> objs) {
    SR_ASSIGN_OR_RETURN(Bytes hello, dst.dev->clone_hello(dst.co));
    SR_ASSIGN_OR_RETURN(CloneSourceResult sealed, src.dev->clone_source(src.co, hello, objs));
    return dst.dev->clone_target(dst.co, sealed.sealed);
}

}  // namespace sr::hsm::testing
