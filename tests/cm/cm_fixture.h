// Shared fixture for srcm tests: factory-made devices in a temporary home, and a runner that
// feeds a script (commands and prompt answers, one per line) to a fresh shell and returns what
// it printed. A fresh shell per run() is a fresh srcm process: logins do not carry over.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "cm/shell.h"
#include "hsm/factory.h"

namespace sr::cm::testing {

class CmTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        m_root = std::filesystem::temp_directory_path() /
                 ("sr-cm-" + std::to_string(::getpid()) + "-" + info->test_suite_name() + "-" +
                  info->name());
        std::filesystem::remove_all(m_root);
        m_home = m_root / "home";
        std::filesystem::create_directories(m_home);
    }
    void TearDown() override { std::filesystem::remove_all(m_root); }

    // A device with an initialized HSM (SO password "so-password-1") and uninitialized
    // partitions; `spec` may be adjusted by the caller through `tweak`.
    hsm::NewDeviceReport make(uint64_t serial, hsm::FirmwareVersion fw,
                              std::vector<std::string> partitions,
                              void (*tweak)(hsm::NewDeviceSpec&) = nullptr) {
        hsm::NewDeviceSpec spec;
        spec.home = m_home;
        spec.serial = serial;
        spec.firmware = fw;
        spec.hsm_label = "hsm" + std::to_string(serial);
        spec.so_password = "so-password-1";
        spec.partitions = std::move(partitions);
        if (tweak) tweak(spec);
        auto r = hsm::make_device(m_env, spec);
        EXPECT_TRUE(r.is_ok()) << r.status().to_string();
        return r.is_ok() ? *r : hsm::NewDeviceReport{};
    }

    // Runs `script` in a fresh shell; returns everything printed.
    std::string run(const std::string& script, ShellOptions options = {}, int* exit = nullptr) {
        auto client = client::Client::open(m_home);
        EXPECT_TRUE(client.is_ok()) << client.status().to_string();
        if (!client.is_ok()) return {};
        State state(std::move(*client));
        std::istringstream in(script);
        std::ostringstream out;
        auto console = stream_console(in, out);
        Shell shell(state, *console, options);
        const int status = shell.run(false);
        if (exit) *exit = status;
        return out.str();
    }

    static bool contains(const std::string& haystack, const std::string& needle) {
        return haystack.find(needle) != std::string::npos;
    }

    PosixEnv m_env;
    std::filesystem::path m_root;
    std::filesystem::path m_home;
};

}  // namespace sr::cm::testing
