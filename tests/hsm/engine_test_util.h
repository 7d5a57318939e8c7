// Shared fixture for the engine tests: a temporary home (named by pid and test), a device made
// by the factory, and helpers for sessions and logins through the Device interface.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>

#include "common/env.h"
#include "hsm/factory.h"
#include "hsm/local_device.h"

namespace sr::hsm::test {

inline constexpr const char* kSoPw = "so-password-1";
inline constexpr const char* kPoPw = "po-password-1";
inline constexpr const char* kCoPw = "co-password-1";
inline constexpr const char* kCuPw = "cu-password-1";
inline constexpr const char* kDomain = "domain-alpha";

#define SR_ASSERT_OK(expr)                                         \
    do {                                                           \
        auto&& sr_assert_r_ = (expr);                              \
        ASSERT_TRUE(sr_assert_r_.is_ok()) << sr_assert_r_.status().to_string(); \
    } while (0)
#define SR_EXPECT_ERR(expr, err) EXPECT_EQ((expr).code(), (err))

class EngineFixture : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        // Parameterized names hold '/' ("Policies0And1/DestructivePolicy"): flattened, so that
        // TearDown's remove_all takes the whole tree rather than leaving the parent folders.
        std::string leaf = "sr-engine-" + std::to_string(::getpid()) + "-" +
                           info->test_suite_name() + "-" + info->name();
        std::replace(leaf.begin(), leaf.end(), '/', '_');
        m_root = std::filesystem::temp_directory_path() / leaf;
        std::filesystem::remove_all(m_root);
        std::filesystem::create_directories(m_root);
        m_home = m_root / "home";
    }
    void TearDown() override {
        m_device.reset();
        std::filesystem::remove_all(m_root);
    }

    // A 7.x device with an initialized HSM, one partition "p1" initialized with a PO and a CO.
    NewDeviceSpec ready_spec(std::string firmware = "7.8.4") {
        NewDeviceSpec spec;
        spec.home = m_home;
        spec.firmware = *FirmwareVersion::parse(firmware);
        spec.serial = 123456;
        spec.hsm_label = "hsm";
        spec.so_password = kSoPw;
        spec.partitions = {"p1"};
        spec.domain = kDomain;
        if (generation(spec.firmware) != Generation::PrePpso) spec.po_password = kPoPw;
        spec.co_password = kCoPw;
        return spec;
    }

    void make(const NewDeviceSpec& spec) {
        auto report = make_device(m_env, spec);
        ASSERT_TRUE(report.is_ok()) << report.status().to_string();
        m_folder = report->folder;
        reopen();
    }
    void reopen() {
        m_device.reset();
        auto dev = LocalDevice::open(m_env, m_folder);
        ASSERT_TRUE(dev.is_ok()) << dev.status().to_string();
        m_device = std::move(*dev);
    }
    LocalDevice& dev() { return *m_device; }

    AppId app() {
        auto a = m_device->attach();
        EXPECT_TRUE(a.is_ok());
        return *a;
    }
    SessionId session(AppId a, PartitionId p, bool rw = true) {
        auto s = m_device->open_session(a, p, rw);
        EXPECT_TRUE(s.is_ok()) << s.status().to_string();
        return s.is_ok() ? *s : 0;
    }
    PartitionId partition_named(const std::string& name) {
        auto parts = m_device->partitions();
        EXPECT_TRUE(parts.is_ok());
        for (const auto& p : *parts)
            if (p.name == name) return p.id;
        ADD_FAILURE() << "no partition " << name;
        return 0;
    }
    // A read-write session on p1 with the Crypto Officer logged in.
    SessionId co_session() {
        AppId a = app();
        SessionId s = session(a, partition_named("p1"));
        Status st = m_device->login(s, Role::CryptoOfficer, kCoPw);
        EXPECT_TRUE(st.is_ok()) << st.to_string();
        return s;
    }

    PosixEnv m_env;
    std::filesystem::path m_root;
    std::filesystem::path m_home;
    std::filesystem::path m_folder;
    std::unique_ptr<LocalDevice> m_device;
};

}  // namespace sr::hsm::test
