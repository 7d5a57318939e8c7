// Shared by fingerprint_test.cpp and masking_test.cpp: LocalDevices of one factory with one
// initialized partition and a Crypto Officer session each, and one object of every type.
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
#include "crypto/x509.h"
#include "hsm/factory.h"
#include "hsm/local_device.h"

namespace sr::hsm::testing {

#define SR_ASSERT_OK(expr)                                                      \
    do {                                                                        \
        auto&& sr_assert_r_ = (expr);                                           \
        ASSERT_TRUE(sr_assert_r_.is_ok()) << sr_assert_r_.status().to_string(); \
    } while (0)

inline constexpr const char* kSoPw = "so-password-1";
inline constexpr const char* kPoPw = "po-password-1";
inline constexpr const char* kCoPw = "co-password-1";
inline const Bytes kAesValue(32, 0xA7);

// One device, opened, with a Crypto Officer session on its partition.
struct Side {
    std::unique_ptr<LocalDevice> dev;
    PartitionId partition = 0;
    SessionId co = 0;
};

struct SourceObjects {
    KeyPairHandles rsa, ec, ed, dsa;
    ObjectHandle aes = 0, des3 = 0, hmac = 0, generic = 0, cert = 0, data = 0;
    std::vector<ObjectHandle> all() const {
        return {rsa.private_key,
                rsa.public_key,
                ec.private_key,
                ec.public_key,
                ed.private_key,
                ed.public_key,
                dsa.private_key,
                dsa.public_key,
                aes,
                des3,
                hmac,
                generic,
                cert,
                data};
    }
};

class DeviceFixture : public ::testing::Test {
  protected:
    void SetUp() override;
    void TearDown() override { std::filesystem::remove_all(m_root); }

    Side make_side(const std::string& firmware, uint64_t serial, const std::string& domain,
                   AuthType auth = AuthType::Password);
    void set_partition_policy(Side& s, uint32_t id, uint64_t value);
    // HSM SO changes an HSM policy, then the side gets a fresh Crypto Officer session.
    void set_hsm_policy(Side& s, uint32_t id, uint64_t value);

    PosixEnv m_env;
    std::filesystem::path m_root;
};

AttributeSet private_template(std::string_view label);
AttributeSet public_template(std::string_view label);
AttributeSet secret_template(std::string_view label, bool sign);
// An AES-256 token key with a known value (private, sensitive, encrypt/decrypt).
Result<ObjectHandle> create_aes(Side& s, ByteView value, std::string_view label = "aes");
// One token object of every type the clone tests cover.
void make_objects(Side& s, SourceObjects& o);

Bytes ouid(Side& s, ObjectHandle h);
ObjectHandle find_by_ouid(Side& s, const Bytes& id);
uint64_t object_count(Side& s);
bool contains(ByteView hay, ByteView needle);
// Runs the three clone steps from src to dst.
Result<CloneTargetResult> run_clone(Side& src, Side& dst, std::span<const ObjectHandle> objs);

}  // namespace sr::hsm::testing
