// The NTLS server identity: what the factory writes, and that a new pair replaces the old one
// whole even when the switch is torn by a failed write.
#include "appliance/server_identity.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "appliance/appliance_home.h"
#include "common/fault_env.h"
#include "crypto/x509.h"

namespace sr::appliance {
namespace {

namespace fs = std::filesystem;

class ServerIdentityTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_home = fs::temp_directory_path() /
                 ("sr-appl-id-" + std::to_string(::getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(m_home);
    }
    void TearDown() override { fs::remove_all(m_home); }

    crypto::Certificate cert() {
        auto pem = m_env.read_file(server_cert_path(m_home));
        EXPECT_TRUE(pem.is_ok());
        auto c = crypto::Certificate::from_pem(ByteView(*pem));
        EXPECT_TRUE(c.is_ok());
        return *c;
    }
    bool key_matches_cert() {
        auto key_pem = m_env.read_file(server_key_path(m_home));
        if (!key_pem) return false;
        auto key = crypto::private_key_from_pem(ByteView(*key_pem));
        if (!key) return false;
        auto spki = crypto::public_key_to_der(key->get());
        return spki && *spki == cert().public_key_spki();
    }

    PosixEnv m_env;
    fs::path m_home;
};

TEST_F(ServerIdentityTest, NamesLoopbackThisHostAndExtrasWithAPrivateKey) {
    ASSERT_TRUE(write_server_identity(m_env, m_home, {"hsm.example", "10.1.2.3"}).is_ok());
    const auto c = cert();
    const auto dns = c.san_dns_names();
    const auto ips = c.san_ip_addresses();
    EXPECT_NE(std::find(dns.begin(), dns.end(), "localhost"), dns.end());
    EXPECT_NE(std::find(dns.begin(), dns.end(), "hsm.example"), dns.end());
    EXPECT_NE(std::find(ips.begin(), ips.end(), "127.0.0.1"), ips.end());
    EXPECT_NE(std::find(ips.begin(), ips.end(), "10.1.2.3"), ips.end());
    EXPECT_EQ(ips.size(), 3u);  // 127.0.0.1, ::1, 10.1.2.3
    struct stat st {};
    ASSERT_EQ(::stat(server_key_path(m_home).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_TRUE(key_matches_cert());
    auto info = read_server_identity(m_env, m_home);
    ASSERT_TRUE(info.is_ok());
    EXPECT_NE(info->subject.find("O=Strongroom"), std::string::npos);
}

TEST_F(ServerIdentityTest, ATornSwitchLeavesTheOldPairOrCompletesTheNewOne) {
    ASSERT_TRUE(write_server_identity(m_env, m_home, {}).is_ok());
    const auto old_fp = read_server_identity(m_env, m_home)->fingerprint;

    // Only the new certificate was written (the writes: the home folder, server.pem.new,
    // server.key.new, two renames): the switch never committed.
    FaultInjectionEnv faulty(m_env);
    faulty.fail_writes_after(2);
    EXPECT_FALSE(write_server_identity(faulty, m_home, {}).is_ok());
    EXPECT_TRUE(fs::exists(server_cert_path(m_home).string() + ".new"));
    ASSERT_TRUE(recover_server_identity(m_env, m_home).is_ok());
    EXPECT_EQ(read_server_identity(m_env, m_home)->fingerprint, old_fp);
    EXPECT_TRUE(key_matches_cert());
    EXPECT_FALSE(fs::exists(server_cert_path(m_home).string() + ".new"));

    // Both new files written, no rename done: recovery completes the new pair.
    faulty.fail_writes_after(3);
    EXPECT_FALSE(write_server_identity(faulty, m_home, {}).is_ok());
    EXPECT_TRUE(fs::exists(server_key_path(m_home).string() + ".new"));
    ASSERT_TRUE(recover_server_identity(m_env, m_home).is_ok());
    EXPECT_NE(read_server_identity(m_env, m_home)->fingerprint, old_fp);
    EXPECT_TRUE(key_matches_cert());
}

}  // namespace
}  // namespace sr::appliance
