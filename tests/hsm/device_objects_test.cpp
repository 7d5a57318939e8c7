// Objects through the Device interface: creation, sealing at rest, search, attribute rules,
// session objects, persistence, and destructive partition policies.
#include <fstream>
#include <iterator>

#include "crypto/key.h"
#include "crypto/mechanism.h"
#include "engine_test_util.h"

namespace sr::hsm::test {
namespace {

namespace fs = std::filesystem;

Bytes pattern(size_t n, uint8_t seed) {
    Bytes b(n);
    for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed + i * 37);
    return b;
}

AttributeSet aes_template(ByteView value, std::string_view label, bool token = true) {
    AttributeSet t;
    t.set_ulong(attr::kClass, cls::kSecretKey);
    t.set_ulong(attr::kKeyType, ckk::kAes);
    t.set_secret(attr::kValue, SecretBytes(value));
    t.set_bool(attr::kToken, token);
    t.set_bool(attr::kPrivate, true);
    t.set_bool(attr::kSensitive, true);
    t.set_bool(attr::kEncrypt, true);
    t.set_bool(attr::kDecrypt, true);
    t.set_string(attr::kLabel, label);
    return t;
}

bool contains(const Bytes& hay, ByteView needle) {
    return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

// Every file under `dir` (store.db, its -wal and -shm, keys, toml...) is searched for `secret`
// raw, as lowercase hex and as uppercase hex.
void expect_absent(const fs::path& dir, ByteView secret, std::string_view what) {
    std::string hex = to_hex(secret);
    std::string upper = hex;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    size_t files = 0;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (!entry.is_regular_file()) continue;
        ++files;
        std::ifstream in(entry.path(), std::ios::binary);
        Bytes data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        EXPECT_FALSE(contains(data, secret)) << what << " found raw in " << entry.path();
        EXPECT_FALSE(contains(data, as_bytes(hex))) << what << " found as hex in " << entry.path();
        EXPECT_FALSE(contains(data, as_bytes(upper))) << what << " found as HEX in " << entry.path();
    }
    EXPECT_GE(files, 4u);
}

using DeviceObjects = EngineFixture;

TEST_F(DeviceObjects, SensitiveValueIsUnreadableAndOtherAttributesAreReadable) {
    make(ready_spec());
    SessionId s = co_session();
    auto h = dev().create_object(s, aes_template(pattern(32, 1), "aes-1"));
    SR_ASSERT_OK(h);
    std::vector<AttrType> types = {attr::kValue, attr::kLabel, attr::kOuid, attr::kModulus};
    auto out = dev().get_attributes(s, *h, types);
    SR_ASSERT_OK(out);
    EXPECT_EQ(out->unavailable.at(attr::kValue), Readable::Sensitive);
    EXPECT_EQ(out->unavailable.at(attr::kModulus), Readable::Invalid);
    EXPECT_EQ(to_string(*out->values.get(attr::kLabel)), "aes-1");
    EXPECT_EQ(out->values.get(attr::kOuid)->size(), 12u);
}

TEST_F(DeviceObjects, KnownKeyBytesNeverReachAnyFileOfTheDevice) {
    make(ready_spec());
    SessionId s = co_session();
    Bytes aes_value = pattern(32, 0x5a);
    SR_ASSERT_OK(dev().create_object(s, aes_template(aes_value, "known-aes")));

    crypto::KeyGenParams gp;
    gp.bits = 2048;
    auto pair = crypto::MechanismRegistry::standard().generate_key_pair(
        {crypto::mech::kRsaPkcsKeyPairGen, crypto::NoParams{}}, gp);
    SR_ASSERT_OK(pair);
    auto parts = crypto::rsa_private_parts(pair->private_key);
    SR_ASSERT_OK(parts);
    AttributeSet t;
    t.set_ulong(attr::kClass, cls::kPrivateKey);
    t.set_ulong(attr::kKeyType, ckk::kRsa);
    t.set_bool(attr::kToken, true);
    t.set_bool(attr::kPrivate, true);
    t.set_bool(attr::kSensitive, true);
    t.set_bool(attr::kSign, true);
    t.set_string(attr::kLabel, "known-rsa");
    t.set_bytes(attr::kModulus, parts->modulus);
    t.set_bytes(attr::kPublicExponent, parts->public_exponent);
    t.set_secret(attr::kPrivateExponent, parts->private_exponent.clone());
    t.set_secret(attr::kPrime1, parts->prime1.clone());
    t.set_secret(attr::kPrime2, parts->prime2.clone());
    t.set_secret(attr::kExponent1, parts->exponent1.clone());
    t.set_secret(attr::kExponent2, parts->exponent2.clone());
    t.set_secret(attr::kCoefficient, parts->coefficient.clone());
    SR_ASSERT_OK(dev().create_object(s, t));

    // While the device is open (WAL and shared memory present) and after it is closed.
    expect_absent(m_folder, aes_value, "AES value");
    expect_absent(m_folder, parts->private_exponent.span(), "RSA private exponent");
    expect_absent(m_folder, parts->prime1.span(), "RSA prime");
    m_device.reset();
    expect_absent(m_folder, aes_value, "AES value");
    expect_absent(m_folder, parts->private_exponent.span(), "RSA private exponent");
    // ...and the key is still usable after reopening.
    reopen();
    SessionId s2 = co_session();
    SR_ASSERT_OK(dev().find_init(s2, [] {
        AttributeSet q;
        q.set_string(attr::kLabel, "known-rsa");
        return q;
    }()));
    auto found = dev().find_next(s2, 10);
    SR_ASSERT_OK(found);
    ASSERT_EQ(found->size(), 1u);
    SR_ASSERT_OK(dev().sign_init(s2, {crypto::mech::kSha256RsaPkcs, crypto::NoParams{}}, (*found)[0]));
    SR_ASSERT_OK(dev().sign(s2, as_bytes("hello")));
}

TEST_F(DeviceObjects, FindByLabelClassAndNonIndexedAttributes) {
    make(ready_spec());
    SessionId s = co_session();
    for (int i = 0; i < 5; ++i)
        SR_ASSERT_OK(dev().create_object(s, aes_template(pattern(16, static_cast<uint8_t>(i)),
                                                         i % 2 ? "odd" : "even")));
    AttributeSet q;
    q.set_string(attr::kLabel, "even");
    SR_ASSERT_OK(dev().find_init(s, q));
    SR_EXPECT_ERR(dev().find_init(s, q), Err::OperationActive);
    auto first = dev().find_next(s, 2);
    auto rest = dev().find_next(s, 10);
    EXPECT_EQ(first->size() + rest->size(), 3u);
    SR_ASSERT_OK(dev().find_final(s));

    AttributeSet by_flag;  // not indexed: filtered after the store query
    by_flag.set_bool(attr::kEncrypt, true);
    by_flag.set_ulong(attr::kClass, cls::kSecretKey);
    SR_ASSERT_OK(dev().find_init(s, by_flag));
    EXPECT_EQ(dev().find_next(s, 100)->size(), 5u);
    SR_ASSERT_OK(dev().find_final(s));

    AttributeSet by_value;  // secret attributes never match
    by_value.set_bytes(attr::kValue, pattern(16, 0));
    SR_ASSERT_OK(dev().find_init(s, by_value));
    EXPECT_EQ(dev().find_next(s, 100)->size(), 0u);
    SR_ASSERT_OK(dev().find_final(s));
}

TEST_F(DeviceObjects, PrivateObjectsNeedALogin) {
    make(ready_spec());
    SessionId s = co_session();
    auto h = dev().create_object(s, aes_template(pattern(16, 3), "private"));
    SR_ASSERT_OK(h);
    AppId other = app();
    SessionId pub = session(other, partition_named("p1"));
    SR_EXPECT_ERR(dev().get_attributes(pub, *h, std::vector<AttrType>{attr::kLabel}),
                  Err::ObjectHandleInvalid);
    SR_ASSERT_OK(dev().find_init(pub, AttributeSet{}));
    EXPECT_EQ(dev().find_next(pub, 10)->size(), 0u);
    SR_EXPECT_ERR(dev().create_object(pub, aes_template(pattern(16, 4), "x")), Err::UserNotLoggedIn);
}

TEST_F(DeviceObjects, SessionObjectsBelongToTheirSessionAndApp) {
    make(ready_spec());
    SessionId s = co_session();
    auto h = dev().create_object(s, aes_template(pattern(16, 5), "ephemeral", false));
    SR_ASSERT_OK(h);
    EXPECT_GE(*h, kSessionHandleBase);
    auto app_of_s = dev().session_info(s)->app;
    SessionId s2 = session(app_of_s, partition_named("p1"));
    SR_ASSERT_OK(dev().get_attributes(s2, *h, std::vector<AttrType>{attr::kLabel}));
    SR_ASSERT_OK(dev().close_session(s));
    SR_EXPECT_ERR(dev().get_attributes(s2, *h, std::vector<AttrType>{attr::kLabel}),
                  Err::ObjectHandleInvalid);
    reopen();
    EXPECT_EQ(dev().partition_info(partition_named("p1"))->object_count, 0u);
}

TEST_F(DeviceObjects, ReadOnlySessionCannotCreateTokenObjects) {
    make(ready_spec());
    AppId a = app();
    SessionId ro = session(a, partition_named("p1"), false);
    SR_ASSERT_OK(dev().login(ro, Role::CryptoOfficer, kCoPw));
    SR_EXPECT_ERR(dev().create_object(ro, aes_template(pattern(16, 6), "t")), Err::SessionReadOnly);
    SR_ASSERT_OK(dev().create_object(ro, aes_template(pattern(16, 6), "t", false)));
}

TEST_F(DeviceObjects, SetDestroyAndCopyPersistAcrossReopening) {
    make(ready_spec());
    SessionId s = co_session();
    auto a = dev().create_object(s, aes_template(pattern(16, 7), "before"));
    auto b = dev().create_object(s, aes_template(pattern(16, 8), "doomed"));
    SR_ASSERT_OK(a);
    SR_ASSERT_OK(b);
    AttributeSet change;
    change.set_string(attr::kLabel, "after");
    SR_ASSERT_OK(dev().set_attributes(s, *a, change));
    AttributeSet bad;
    bad.set_ulong(attr::kKeyType, ckk::kDes3);
    EXPECT_FALSE(dev().set_attributes(s, *a, bad).is_ok());
    SR_ASSERT_OK(dev().destroy_object(s, *b));
    SR_EXPECT_ERR(dev().destroy_object(s, *b), Err::ObjectHandleInvalid);
    auto c = dev().copy_object(s, *a, AttributeSet{});
    SR_ASSERT_OK(c);
    auto ouid_a = dev().get_attributes(s, *a, std::vector<AttrType>{attr::kOuid});
    auto ouid_c = dev().get_attributes(s, *c, std::vector<AttrType>{attr::kOuid});
    EXPECT_NE(to_hex(*ouid_a->values.get(attr::kOuid)), to_hex(*ouid_c->values.get(attr::kOuid)));

    reopen();
    SessionId s2 = co_session();
    auto label = dev().get_attributes(s2, *a, std::vector<AttrType>{attr::kLabel});
    SR_ASSERT_OK(label);
    EXPECT_EQ(to_string(*label->values.get(attr::kLabel)), "after");
    SR_EXPECT_ERR(dev().get_attributes(s2, *b, std::vector<AttrType>{attr::kLabel}),
                  Err::ObjectHandleInvalid);
    EXPECT_EQ(dev().partition_info(partition_named("p1"))->object_count, 2u);
}

class DestructivePolicy : public EngineFixture, public ::testing::WithParamInterface<uint32_t> {};

TEST_P(DestructivePolicy, TurningOnFromOffErasesThePartitionsObjects) {
    make(ready_spec());
    PartitionId p = partition_named("p1");
    SessionId s = co_session();
    SR_ASSERT_OK(dev().create_object(s, aes_template(pattern(16, 9), "k")));
    SR_ASSERT_OK(dev().create_object(s, aes_template(pattern(16, 9), "sess", false)));
    AppId a = app();
    SessionId po = session(a, p);
    SR_ASSERT_OK(dev().login(po, Role::PartitionSo, kPoPw));
    const uint32_t id = GetParam();
    // Start from 0 = off and 1 = off, then turn `id` on.
    SR_ASSERT_OK(dev().set_partition_policies(a, p, std::vector<PolicyValue>{{0, 0}, {1, 0}}));
    SR_ASSERT_OK(dev().create_object(s, aes_template(pattern(16, 10), "k2")));
    auto result = dev().set_partition_policies(a, p, std::vector<PolicyValue>{{id, 1}});
    SR_ASSERT_OK(result);
    EXPECT_TRUE(result->destructive);
    EXPECT_EQ(dev().partition_info(p)->object_count, 0u);
    SR_ASSERT_OK(dev().find_init(s, AttributeSet{}));
    EXPECT_EQ(dev().find_next(s, 10)->size(), 0u);
    // Never both on.
    SR_EXPECT_ERR(dev().set_partition_policies(a, p, std::vector<PolicyValue>{{1 - id, 1}}),
                  Err::ConfigFailsDependencies);
}
INSTANTIATE_TEST_SUITE_P(Policies0And1, DestructivePolicy, ::testing::Values(0u, 1u));

TEST_F(DeviceObjects, NonDestructivePolicyChangeKeepsObjects) {
    make(ready_spec());
    PartitionId p = partition_named("p1");
    SessionId s = co_session();
    SR_ASSERT_OK(dev().create_object(s, aes_template(pattern(16, 11), "k")));
    AppId a = app();
    SessionId po = session(a, p);
    SR_EXPECT_ERR(dev().set_partition_policies(a, p, std::vector<PolicyValue>{{4, 0}}),
                  Err::UserNotLoggedIn);
    SR_ASSERT_OK(dev().login(po, Role::PartitionSo, kPoPw));
    auto r = dev().set_partition_policies(a, p, std::vector<PolicyValue>{{4, 0}});
    SR_ASSERT_OK(r);
    EXPECT_FALSE(r->destructive);
    EXPECT_EQ(dev().partition_info(p)->object_count, 1u);
}

TEST_F(DeviceObjects, Policy28OffStopsObjectManagementButNotUse) {
    make(ready_spec());
    PartitionId p = partition_named("p1");
    SessionId s = co_session();
    auto h = dev().create_object(s, aes_template(pattern(16, 12), "kept"));
    SR_ASSERT_OK(h);
    AppId a = app();
    SessionId po = session(a, p);
    SR_ASSERT_OK(dev().login(po, Role::PartitionSo, kPoPw));
    SR_ASSERT_OK(dev().set_partition_policies(a, p, std::vector<PolicyValue>{{28, 0}}));
    SR_EXPECT_ERR(dev().create_object(s, aes_template(pattern(16, 13), "new")),
                  Err::OperationNotAllowed);
    SR_EXPECT_ERR(dev().destroy_object(s, *h), Err::OperationNotAllowed);
    SR_ASSERT_OK(dev().encrypt_init(s, {crypto::mech::kAesCbcPad, crypto::IvParams{Bytes(16, 0)}},
                                    *h));
    SR_ASSERT_OK(dev().encrypt(s, as_bytes("still usable")));
}

// Policy values are cached per partition: each change must be seen by the very next operation.
TEST_F(DeviceObjects, EveryPolicy28ChangeIsSeenByTheNextCreate) {
    make(ready_spec());
    PartitionId p = partition_named("p1");
    SessionId s = co_session();
    AppId a = app();
    SessionId po = session(a, p);
    SR_ASSERT_OK(dev().login(po, Role::PartitionSo, kPoPw));
    for (int round = 0; round < 2; ++round) {
        SR_ASSERT_OK(dev().create_object(s, aes_template(pattern(16, 20), "on")));
        SR_ASSERT_OK(dev().set_partition_policies(a, p, std::vector<PolicyValue>{{28, 0}}));
        SR_EXPECT_ERR(dev().create_object(s, aes_template(pattern(16, 21), "off")),
                      Err::OperationNotAllowed);
        SR_ASSERT_OK(dev().set_partition_policies(a, p, std::vector<PolicyValue>{{28, 1}}));
    }
    SR_ASSERT_OK(dev().create_object(s, aes_template(pattern(16, 22), "on again")));
}

TEST_F(DeviceObjects, ImportKeepsTheOuidAndRefusesADuplicate) {
    make(ready_spec());
    SessionId s = co_session();
    auto h = dev().create_object(s, aes_template(pattern(16, 14), "original"));
    SR_ASSERT_OK(h);
    auto exported = dev().export_object(s, *h);
    SR_ASSERT_OK(exported);
    EXPECT_TRUE(exported->is_secret(attr::kValue));
    SR_EXPECT_ERR(dev().import_object(s, exported->clone()), Err::ObjectAlreadyExists);
    SR_ASSERT_OK(dev().destroy_object(s, *h));
    auto imported = dev().import_object(s, exported->clone());
    SR_ASSERT_OK(imported);
    auto ouid = dev().get_attributes(s, *imported, std::vector<AttrType>{attr::kOuid});
    EXPECT_EQ(to_hex(*ouid->values.get(attr::kOuid)), to_hex(*exported->get(attr::kOuid)));
    // Same domain text, same key; the domain text itself is not what is kept.
    auto k1 = dev().domain_key(partition_named("p1"));
    SR_ASSERT_OK(k1);
    EXPECT_EQ(k1->size(), 32u);
    EXPECT_NE(to_string(k1->span()), kDomain);
}

}  // namespace
}  // namespace sr::hsm::test
