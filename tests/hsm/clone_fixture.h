// Shared by the clone tests (clone_test.cpp, clone_target_test.cpp, clone_capacity_test.cpp):
// two LocalDevices of one factory with one initialized partition and a Crypto Officer session
// each, templates, one object of every type, and a clone run through hsm::Device.
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/env.h"
#include "crypto/key.h"
#include "crypto/mechanism.h"
#include "crypto/primitives.h"
#include "crypto/x509.h"
#include "hsm/clone_engine.h"
#include "hsm/clone_protocol.h"
#include "hsm/device_folder.h"
#include "hsm/factory.h"
#include "hsm/local_device.h"
#include "hsm/policy.h"

namespace sr::hsm::clone_testing {

using crypto::NoParams;
namespace mech = crypto::mech;
namespace fs = std::filesystem;

constexpr const char* kSoPw = "so-password-1";
constexpr const char* kPoPw = "po-password-1";
constexpr const char* kCoPw = "co-password-1";

#define SR_ASSERT_OK(expr)                                                        \
    do {                                                                          \
        auto&& sr_assert_r_ = (expr);                                             \
        ASSERT_TRUE(sr_assert_r_.is_ok()) << sr_assert_r_.status().to_string();   \
    } while (0)

// One device, opened, with a Crypto Officer session on its partition.
struct Side {
    std::unique_ptr<LocalDevice> dev;
    PartitionId partition = 0;
    SessionId co = 0;
};

inline const Bytes kAesValue(32, 0xA7);

class CloneTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        m_root = fs::temp_directory_path() / ("sr-clone-" + std::to_string(::getpid()) + "-" +
                                              info->test_suite_name() + "-" + info->name());
        fs::remove_all(m_root);
        fs::create_directories(m_root);
    }
    void TearDown() override { fs::remove_all(m_root); }

    Side make_side(const std::string& firmware, uint64_t serial, const std::string& domain,
                   AuthType auth = AuthType::Password, const std::string& factory = "factory") {
        NewDeviceSpec spec;
        spec.home = m_root / ("home-" + std::to_string(serial));
        spec.factory = m_root / factory;
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
        side.dev = std::move(*dev);
        side.partition = report->partitions.at(0).id;
        AppId a = *side.dev->attach();
        side.co = *side.dev->open_session(a, side.partition, true);
        Status st = side.dev->login(side.co, Role::CryptoOfficer, kCoPw);
        EXPECT_TRUE(st.is_ok()) << st.to_string();
        return side;
    }

    void set_partition_policy(Side& s, uint32_t id, uint64_t value) {
        AppId a = *s.dev->attach();
        SessionId po = *s.dev->open_session(a, s.partition, true);
        ASSERT_TRUE(s.dev->login(po, Role::PartitionSo, kPoPw).is_ok());
        auto r = s.dev->set_partition_policies(a, s.partition, std::vector<PolicyValue>{{id, value}});
        ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    }

    PosixEnv m_env;
    fs::path m_root;
};

inline AttributeSet private_template(std::string_view label) {
    AttributeSet t;
    t.set_bool(attr::kToken, true);
    t.set_bool(attr::kPrivate, true);
    t.set_bool(attr::kSensitive, true);
    t.set_bool(attr::kSign, true);
    t.set_bool(attr::kExtractable, true);
    t.set_string(attr::kLabel, label);
    return t;
}
inline AttributeSet public_template(std::string_view label) {
    AttributeSet t;
    t.set_bool(attr::kToken, true);
    t.set_bool(attr::kVerify, true);
    t.set_string(attr::kLabel, label);
    return t;
}
inline AttributeSet secret_template(std::string_view label, bool sign) {
    AttributeSet t;
    t.set_bool(attr::kToken, true);
    t.set_bool(attr::kPrivate, true);
    t.set_bool(attr::kSensitive, true);
    t.set_bool(sign ? attr::kSign : attr::kEncrypt, true);
    t.set_bool(sign ? attr::kVerify : attr::kDecrypt, true);
    t.set_string(attr::kLabel, label);
    return t;
}

struct SourceObjects {
    KeyPairHandles rsa, ec, ed, dsa;
    ObjectHandle aes = 0, des3 = 0, hmac = 0, cert = 0, data = 0;
    std::vector<ObjectHandle> all() const {
        return {rsa.private_key, rsa.public_key, ec.private_key, ec.public_key, ed.private_key,
                ed.public_key, dsa.private_key, dsa.public_key, aes, des3, hmac, cert, data};
    }
};

inline void make_objects(Side& s, SourceObjects& o) {
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
    auto ed = d.generate_key_pair(s.co, {mech::kEcEdwardsKeyPairGen, NoParams{}},
                                  std::move(ed_pub), private_template("ed"));
    ASSERT_TRUE(ed.is_ok()) << ed.status().to_string();
    o.ed = *ed;

    // DSA: the Device's generate_key_pair does not take a DSA domain from the template yet, so
    // the pair is made by the crypto layer and imported with create_object.
    crypto::KeyGenParams dsa_params;
    dsa_params.bits = 2048;
    auto dsa_kp = crypto::MechanismRegistry::standard().generate_key_pair(
        {mech::kDsaKeyPairGen, NoParams{}}, dsa_params);
    ASSERT_TRUE(dsa_kp.is_ok()) << dsa_kp.status().to_string();
    auto dsa_priv = crypto::dsa_private_parts(dsa_kp->private_key);
    auto dsa_pubp = crypto::dsa_public_parts(dsa_kp->public_key);
    ASSERT_TRUE(dsa_priv.is_ok() && dsa_pubp.is_ok());
    AttributeSet dsa_pub = public_template("dsa");
    dsa_pub.set_ulong(attr::kClass, cls::kPublicKey);
    dsa_pub.set_ulong(attr::kKeyType, ckk::kDsa);
    AttributeSet dsa_prv = private_template("dsa");
    dsa_prv.set_ulong(attr::kClass, cls::kPrivateKey);
    dsa_prv.set_ulong(attr::kKeyType, ckk::kDsa);
    for (AttributeSet* t : {&dsa_pub, &dsa_prv}) {
        t->set_bytes(attr::kPrime, dsa_pubp->prime);
        t->set_bytes(attr::kSubprime, dsa_pubp->subprime);
        t->set_bytes(attr::kBase, dsa_pubp->base);
    }
    dsa_pub.set_bytes(attr::kValue, dsa_pubp->value);
    dsa_prv.set_secret(attr::kValue, dsa_priv->value.clone());
    auto dsa_pub_h = d.create_object(s.co, dsa_pub);
    ASSERT_TRUE(dsa_pub_h.is_ok()) << dsa_pub_h.status().to_string();
    auto dsa_prv_h = d.create_object(s.co, dsa_prv);
    ASSERT_TRUE(dsa_prv_h.is_ok()) << dsa_prv_h.status().to_string();
    o.dsa = {*dsa_pub_h, *dsa_prv_h};

    AttributeSet aes = secret_template("aes", false);
    aes.set_ulong(attr::kClass, cls::kSecretKey);
    aes.set_ulong(attr::kKeyType, ckk::kAes);
    aes.set_bytes(attr::kValue, kAesValue);
    auto aes_h = d.create_object(s.co, aes);
    ASSERT_TRUE(aes_h.is_ok()) << aes_h.status().to_string();
    o.aes = *aes_h;
    auto des3 = d.generate_key(s.co, {mech::kDes3KeyGen, NoParams{}}, secret_template("des3", false));
    ASSERT_TRUE(des3.is_ok()) << des3.status().to_string();
    o.des3 = *des3;
    AttributeSet hmac = secret_template("hmac", true);
    hmac.set_ulong(attr::kValueLen, 32);
    auto hmac_h = d.generate_key(s.co, {mech::kGenericSecretKeyGen, NoParams{}}, hmac);
    ASSERT_TRUE(hmac_h.is_ok()) << hmac_h.status().to_string();
    o.hmac = *hmac_h;

    auto info = d.info();
    auto cert = crypto::Certificate::from_der(info->identity_certificate_der);
    ASSERT_TRUE(cert.is_ok());
    AttributeSet c;
    c.set_ulong(attr::kClass, cls::kCertificate);
    c.set_ulong(attr::kCertificateType, 0);  // CKC_X_509
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
    data.set_string(attr::kApplication, "clone test");
    data.set_bytes(attr::kValue, to_bytes("data object value"));
    auto data_h = d.create_object(s.co, data);
    ASSERT_TRUE(data_h.is_ok()) << data_h.status().to_string();
    o.data = *data_h;
}

inline Bytes ouid(Side& s, ObjectHandle h) {
    auto r = s.dev->get_attributes(s.co, h, std::vector<AttrType>{attr::kOuid});
    if (!r) return {};
    auto v = r->values.get(attr::kOuid);
    return v ? Bytes(v->begin(), v->end()) : Bytes();
}

// The target handle holding the OUID the source object has (0 if none).
inline ObjectHandle find_by_ouid(Side& target, const Bytes& id) {
    AttributeSet t;
    t.set_bytes(attr::kOuid, id);
    if (!target.dev->find_init(target.co, t)) return 0;
    auto found = target.dev->find_next(target.co, 10);
    (void)target.dev->find_final(target.co);
    return found && found->size() == 1 ? (*found)[0] : 0;
}

inline uint64_t object_count(Side& s) { return s.dev->partition_info(s.partition)->object_count; }

inline bool contains(ByteView hay, ByteView needle) {
    return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

inline Result<CloneTargetResult> run_clone(Side& src, Side& dst, std::span<const ObjectHandle> objs,
                                    Bytes* hello_out = nullptr, Bytes* sealed_out = nullptr) {
    SR_ASSIGN_OR_RETURN(Bytes hello, dst.dev->clone_hello(dst.co));
    SR_ASSIGN_OR_RETURN(CloneSourceResult sealed, src.dev->clone_source(src.co, hello, objs));
    if (hello_out) *hello_out = hello;
    if (sealed_out) *sealed_out = sealed.sealed;
    return dst.dev->clone_target(dst.co, sealed.sealed);
}

}  // namespace sr::hsm::clone_testing
