// Partition capacity through the Device interface (device.toml `max_objects`,
// docs/design/device-folder.md): concurrent writers cannot together overshoot it, and every way
// of storing a token object (here: unwrap) refuses beyond it while session objects still work.
#include <thread>
#include <vector>

#include "crypto/mechanism.h"
#include "engine_test_util.h"

namespace sr::hsm::test {
namespace {

using crypto::NoParams;
namespace mech = crypto::mech;

AttributeSet data_object(const std::string& label, bool token = true) {
    AttributeSet d;
    d.set_ulong(attr::kClass, cls::kData);
    d.set_bool(attr::kToken, token);
    d.set_bool(attr::kPrivate, true);
    d.set_string(attr::kLabel, label);
    d.set_bytes(attr::kValue, to_bytes(label));
    return d;
}

AttributeSet aes_template(bool token) {
    AttributeSet t;
    t.set_bool(attr::kToken, token);
    t.set_bool(attr::kPrivate, true);
    t.set_bool(attr::kSensitive, true);
    t.set_bool(attr::kExtractable, true);
    t.set_bool(attr::kEncrypt, true);
    t.set_bool(attr::kDecrypt, true);
    t.set_bool(attr::kWrap, true);
    t.set_bool(attr::kUnwrap, true);
    t.set_ulong(attr::kValueLen, 32);
    return t;
}

class PartitionCapacity : public EngineFixture {
protected:
    void make_with_capacity(uint64_t max_objects) {
        NewDeviceSpec spec = ready_spec();
        spec.max_objects = max_objects;
        ASSERT_NO_FATAL_FAILURE(make(spec));
        ASSERT_EQ(dev().config().max_objects, max_objects);
    }
    uint64_t count() { return dev().partition_info(partition_named("p1"))->object_count; }
};

TEST_F(PartitionCapacity, ConcurrentCreatorsTogetherStopExactlyAtTheCapacity) {
    ASSERT_NO_FATAL_FAILURE(make_with_capacity(12));
    constexpr int kPerThread = 10;
    const SessionId sessions[2] = {co_session(), co_session()};
    std::vector<Err> outcomes[2];
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; ++i) {
                auto h = dev().create_object(
                    sessions[t], data_object("t" + std::to_string(t) + "-" + std::to_string(i)));
                outcomes[t].push_back(h.code());
            }
        });
    }
    for (auto& th : threads) th.join();
    size_t ok = 0;
    for (const auto& v : outcomes) {
        for (Err e : v) {
            if (e == Err::Ok) {
                ++ok;
            } else {
                EXPECT_EQ(e, Err::MaxObjectCountExceeded);
            }
        }
    }
    EXPECT_EQ(ok, 12u);
    EXPECT_EQ(count(), 12u);
}

TEST_F(PartitionCapacity, UnwrapIntoAFullPartitionFailsButASessionKeyStillUnwraps) {
    ASSERT_NO_FATAL_FAILURE(make_with_capacity(2));
    SessionId s = co_session();
    auto kek = dev().generate_key(s, {mech::kAesKeyGen, NoParams{}}, aes_template(true));
    auto key = dev().generate_key(s, {mech::kAesKeyGen, NoParams{}}, aes_template(true));
    SR_ASSERT_OK(kek);
    SR_ASSERT_OK(key);
    auto wrapped = dev().wrap_key(s, {mech::kAesKeyWrapPad, crypto::WrapPadIv{}}, *kek, *key);
    SR_ASSERT_OK(wrapped);
    AttributeSet ut;
    ut.set_ulong(attr::kClass, cls::kSecretKey);
    ut.set_ulong(attr::kKeyType, ckk::kAes);
    ut.set_bool(attr::kToken, true);
    ut.set_bool(attr::kEncrypt, true);
    const crypto::Mechanism unwrap{mech::kAesKeyWrapPad, crypto::WrapPadIv{}};
    auto full = dev().unwrap_key(s, unwrap, *kek, *wrapped, ut);
    EXPECT_EQ(full.code(), Err::MaxObjectCountExceeded) << full.status().to_string();
    EXPECT_EQ(count(), 2u);
    ut.set_bool(attr::kToken, false);
    SR_ASSERT_OK(dev().unwrap_key(s, unwrap, *kek, *wrapped, ut));
    // The capacity holds across a reopen: it is the device's, not the session's.
    ASSERT_NO_FATAL_FAILURE(reopen());
    EXPECT_EQ(dev().create_object(co_session(), data_object("after-reopen")).code(),
              Err::MaxObjectCountExceeded);
    EXPECT_EQ(count(), 2u);
}

}  // namespace
}  // namespace sr::hsm::test
