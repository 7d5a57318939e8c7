// Partition capacity (device.toml `max_objects`, clone-protocol.md Target rule 5): a clone into a
// nearly full partition imports what fits, creation beyond capacity writes nothing, a masked insert
// into a full partition is refused, and the factory writes the field.

#include <fstream>
#include <sstream>

#include "clone_fixture.h"

namespace sr::hsm {
namespace {

using namespace clone_testing;

std::string read_text(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_text(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::trunc);
    out << text;
}

// Reopens the side's device after `edit` has rewritten its device.toml, logged in as before.
template <typename Edit>
void reopen_with(Env& env, Side& s, Edit edit) {
    const fs::path folder = s.dev->folder();
    s.dev.reset();
    const fs::path toml = folder / folder::kConfigFile;
    write_text(toml, edit(read_text(toml)));
    auto dev = LocalDevice::open(env, folder);
    ASSERT_TRUE(dev.is_ok()) << dev.status().to_string();
    s.dev = std::move(*dev);
    AppId a = *s.dev->attach();
    s.co = *s.dev->open_session(a, s.partition, true);
    Status login = s.dev->login(s.co, Role::CryptoOfficer, kCoPw);
    ASSERT_TRUE(login.is_ok()) << login.to_string();
}

void set_capacity(Env& env, Side& s, uint64_t max_objects) {
    reopen_with(env, s, [&](const std::string& text) {
        auto config = parse_device_config(text);
        EXPECT_TRUE(config.is_ok()) << config.status().to_string();
        config->max_objects = max_objects;
        return render_device_config(*config);
    });
}

AttributeSet data_object(const std::string& label, bool token = true) {
    AttributeSet d;
    d.set_ulong(attr::kClass, cls::kData);
    d.set_bool(attr::kToken, token);
    d.set_bool(attr::kPrivate, true);
    d.set_string(attr::kLabel, label);
    d.set_bytes(attr::kValue, to_bytes("value of " + label));
    return d;
}

TEST_F(CloneTest, CloneIntoANearlyFullPartitionImportsWhatFitsInOrderAndRefusesTheRest) {
    Side src = make_side("7.8.4", 111111, "domain-alpha");
    Side dst = make_side("7.8.4", 222222, "domain-alpha");
    ASSERT_NO_FATAL_FAILURE(set_capacity(m_env, dst, 4));
    SR_ASSERT_OK(dst.dev->create_object(dst.co, data_object("already-there")));
    std::vector<ObjectHandle> handles;
    for (int i = 0; i < 6; ++i) {
        auto h = src.dev->create_object(src.co, data_object("obj-" + std::to_string(i)));
        SR_ASSERT_OK(h);
        handles.push_back(*h);
    }
    auto r = run_clone(src, dst, handles);
    SR_ASSERT_OK(r);
    ASSERT_EQ(r->imported.size(), 3u);  // room for 3 beside the one already held
    for (size_t i = 0; i < 3; ++i) EXPECT_EQ(r->imported[i].label, "obj-" + std::to_string(i));
    ASSERT_EQ(r->refused.size(), 3u);
    for (size_t i = 0; i < 3; ++i) {
        const CloneRefusal& x = r->refused[i];
        EXPECT_EQ(x.label, "obj-" + std::to_string(i + 3));
        EXPECT_EQ(x.code, Err::MaxObjectCountExceeded);
        EXPECT_NE(x.reason.find("capacity of 4"), std::string::npos) << x.reason;
    }
    EXPECT_TRUE(r->skipped.empty());
    EXPECT_EQ(object_count(dst), 4u);
    for (const ClonedObject& c : r->imported) {  // each landed whole
        auto v = dst.dev->get_attributes(dst.co, c.handle,
                                         std::vector<AttrType>{attr::kValue});
        SR_ASSERT_OK(v);
        EXPECT_EQ(to_string(*v->values.get(attr::kValue)), "value of " + c.label);
    }
    // Room made on the target lets a second clone finish the job, with no duplicates.
    SR_ASSERT_OK(dst.dev->destroy_object(dst.co, r->imported[0].handle));
    ASSERT_NO_FATAL_FAILURE(set_capacity(m_env, dst, 100));
    auto again = run_clone(src, dst, handles);
    SR_ASSERT_OK(again);
    EXPECT_EQ(again->imported.size(), 4u);
    EXPECT_EQ(again->skipped.size(), 2u);
    EXPECT_EQ(object_count(dst), 7u);
}

TEST_F(CloneTest, CreatingBeyondCapacityFailsAndWritesNothing) {
    Side s = make_side("7.8.4", 222222, "domain-alpha");
    ASSERT_NO_FATAL_FAILURE(set_capacity(m_env, s, 3));
    SR_ASSERT_OK(s.dev->create_object(s.co, data_object("one")));
    auto two = s.dev->create_object(s.co, data_object("two"));
    SR_ASSERT_OK(two);
    // A key pair is two objects: with one place left, neither half lands.
    AttributeSet ec_pub = public_template("ec");
    ec_pub.set_bytes(attr::kEcParams, *crypto::curve_params_der("P-256"));
    auto pair = s.dev->generate_key_pair(s.co, {mech::kEcKeyPairGen, NoParams{}},
                                         std::move(ec_pub), private_template("ec"));
    EXPECT_EQ(pair.code(), Err::MaxObjectCountExceeded) << pair.status().to_string();
    EXPECT_EQ(object_count(s), 2u);
    SR_ASSERT_OK(s.dev->copy_object(s.co, *two, AttributeSet{}));
    EXPECT_EQ(object_count(s), 3u);

    auto full = s.dev->create_object(s.co, data_object("four"));
    EXPECT_EQ(full.code(), Err::MaxObjectCountExceeded);
    EXPECT_NE(full.status().message().find("capacity of 3"), std::string::npos);
    EXPECT_EQ(s.dev->copy_object(s.co, *two, AttributeSet{}).code(), Err::MaxObjectCountExceeded);
    EXPECT_EQ(s.dev->generate_key(s.co, {mech::kAesKeyGen, NoParams{}}, [] {
        AttributeSet t = secret_template("aes", false);
        t.set_ulong(attr::kValueLen, 32);
        return t;
    }()).code(), Err::MaxObjectCountExceeded);
    EXPECT_EQ(object_count(s), 3u);
    // Session objects do not count.
    SR_ASSERT_OK(s.dev->create_object(s.co, data_object("session", false)));
    EXPECT_EQ(object_count(s), 3u);
}

TEST_F(CloneTest, MaskedInsertIntoAFullPartitionIsRefusedWithTheCapacityCode) {
    Side src = make_side("7.8.4", 111111, "domain-alpha");
    Side dst = make_side("7.8.4", 222222, "domain-alpha");
    ASSERT_NO_FATAL_FAILURE(set_capacity(m_env, dst, 1));
    auto h = src.dev->create_object(src.co, data_object("masked"));
    SR_ASSERT_OK(h);
    auto blob = src.dev->extract_masked(src.co, *h);
    SR_ASSERT_OK(blob);
    SR_ASSERT_OK(dst.dev->create_object(dst.co, data_object("filler")));
    EXPECT_EQ(dst.dev->insert_masked(dst.co, *blob).code(), Err::MaxObjectCountExceeded);
    EXPECT_EQ(object_count(dst), 1u);
}

TEST_F(CloneTest, FactoryCapacityIsWrittenToDeviceTomlAndOldFoldersGetTheDefault) {
    NewDeviceSpec spec;
    spec.home = m_root / "home";
    spec.factory = m_root / "factory";
    spec.serial = 333333;
    spec.max_objects = 250;
    auto report = make_device(m_env, spec);
    SR_ASSERT_OK(report);
    const fs::path toml = report->folder / folder::kConfigFile;
    EXPECT_NE(read_text(toml).find("max_objects = 250"), std::string::npos) << read_text(toml);
    {
        auto dev = LocalDevice::open(m_env, report->folder);
        SR_ASSERT_OK(dev);
        EXPECT_EQ((*dev)->config().max_objects, 250u);
    }
    // A folder made before the field existed.
    std::string text = read_text(toml);
    const size_t at = text.find("max_objects");
    text.erase(at, text.find('\n', at) - at + 1);
    write_text(toml, text);
    auto dev = LocalDevice::open(m_env, report->folder);
    SR_ASSERT_OK(dev);
    EXPECT_EQ((*dev)->config().max_objects, folder::kDefaultMaxObjects);

    spec.max_objects = 0;
    EXPECT_EQ(make_device(m_env, spec).code(), Err::ArgumentsBad);
    auto bad = parse_device_config(text + "max_objects = 0\n");
    EXPECT_EQ(bad.code(), Err::StoreCorrupt);
    bad = parse_device_config(text + "max_objects = \"many\"\n");
    EXPECT_EQ(bad.code(), Err::StoreCorrupt);
}

}  // namespace
}  // namespace sr::hsm
