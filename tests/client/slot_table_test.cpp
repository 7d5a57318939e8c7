// The client core's slot table and sessions over factory-made devices in a temporary home.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "client/client.h"
#include "client/home.h"
#include "hsm/factory.h"

namespace sr::client {
namespace {

class ClientTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        m_root = std::filesystem::temp_directory_path() /
                 ("sr-client-" + std::to_string(::getpid()) + "-" + info->name());
        std::filesystem::remove_all(m_root);
        m_home = m_root / "home";
        std::filesystem::create_directories(m_home);
    }
    void TearDown() override { std::filesystem::remove_all(m_root); }

    void make(uint64_t serial, std::vector<std::string> partitions,
              hsm::FormFactor ff = hsm::FormFactor::Pcie) {
        hsm::NewDeviceSpec spec;
        spec.home = m_home;
        spec.serial = serial;
        spec.form_factor = ff;
        if (!partitions.empty()) {
            spec.hsm_label = "hsm" + std::to_string(serial);
            spec.so_password = "so-password-1";
            spec.partitions = std::move(partitions);
        }
        auto r = hsm::make_device(m_env, spec);
        ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    }

    PosixEnv m_env;
    std::filesystem::path m_root;
    std::filesystem::path m_home;
};

TEST_F(ClientTest, EmptyHomeHasNoSlots) {
    auto c = Client::open(m_home);
    ASSERT_TRUE(c.is_ok()) << c.status().to_string();
    EXPECT_TRUE((*c)->slots().empty());
    EXPECT_EQ((*c)->slot(0).code(), Err::SlotIdInvalid);
}

TEST_F(ClientTest, SlotsAreNumberedBySerialAdminSlotFirst) {
    make(500, {"x"});
    make(20, {"a", "b"});
    auto c = Client::open(m_home);
    ASSERT_TRUE(c.is_ok()) << c.status().to_string();
    auto slots = (*c)->slots();
    ASSERT_EQ(slots.size(), 5u);
    const uint64_t serials[] = {20, 20, 20, 500, 500};
    const bool admin[] = {true, false, false, true, false};
    for (size_t i = 0; i < slots.size(); ++i) {
        EXPECT_EQ(slots[i]->id, i);
        EXPECT_EQ(slots[i]->device->info.serial, serials[i]) << i;
        EXPECT_EQ(slots[i]->admin(), admin[i]) << i;
    }
    EXPECT_LT(slots[1]->partition, slots[2]->partition);
}

TEST_F(ClientTest, BackupHsmIsOneSlot) {
    make(7, {}, hsm::FormFactor::Backup);
    auto c = Client::open(m_home);
    ASSERT_TRUE(c.is_ok()) << c.status().to_string();
    ASSERT_EQ((*c)->slots().size(), 1u);
    EXPECT_TRUE((*c)->slots()[0]->admin());
}

TEST_F(ClientTest, UnfinishedDeviceFolderIsSkipped) {
    make(20, {"a"});
    std::filesystem::create_directories(local_devices_dir(m_home) / "half-made");
    auto c = Client::open(m_home);
    ASSERT_TRUE(c.is_ok()) << c.status().to_string();
    EXPECT_EQ((*c)->slots().size(), 2u);
}

TEST_F(ClientTest, SessionsAreCountedAndClosedPerSlot) {
    make(20, {"a", "b"});
    auto c = std::move(*Client::open(m_home));
    auto s1 = c->open_session(1, true);
    auto s2 = c->open_session(1, false);
    auto s3 = c->open_session(2, true);
    ASSERT_TRUE(s1.is_ok() && s2.is_ok() && s3.is_ok());
    EXPECT_NE((*s1)->handle(), (*s2)->handle());
    EXPECT_EQ(c->session_counts(1).all, 2u);
    EXPECT_EQ(c->session_counts(1).read_write, 1u);
    ASSERT_TRUE(c->close_all_sessions(1).is_ok());
    EXPECT_EQ(c->session_counts(1).all, 0u);
    EXPECT_EQ(c->session((*s1)->handle()).code(), Err::SessionHandleInvalid);
    EXPECT_TRUE(c->session((*s3)->handle()).is_ok());
    EXPECT_EQ(c->close_session(9999).code(), Err::SessionHandleInvalid);
}

TEST(ClientHome, StrongroomHomeWinsOverHome) {
    ::setenv("STRONGROOM_HOME", "/tmp/somewhere", 1);
    EXPECT_EQ(client_home(), std::filesystem::path("/tmp/somewhere"));
    ::unsetenv("STRONGROOM_HOME");
    ::setenv("HOME", "/home/x", 1);
    EXPECT_EQ(client_home(), std::filesystem::path("/home/x/.local/share/strongroom"));
}

}  // namespace
}  // namespace sr::client
