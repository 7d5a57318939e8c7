// Shared by the appliance tests: a factory-made appliance home in its own temporary folder
// (named by pid and test, so ctest -j is safe) and client certificates to register.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <string>

#include "appliance/appliance_factory.h"
#include "crypto/x509.h"

namespace sr::appliance::testing {

inline constexpr const char* kSoPassword = "sopassword1";

struct ClientIdentity {
    std::string cert_pem;
    std::string key_pem;
};

// A self-signed clientAuth certificate, as `clientconfig createcert` makes.
inline ClientIdentity make_client_identity(const std::string& common_name) {
    auto key = crypto::generate_ec_key(crypto::EcCurve::P256);
    EXPECT_TRUE(key.is_ok());
    crypto::TlsCertOptions options;
    options.role = crypto::TlsRole::Client;
    options.common_name = common_name;
    auto cert = crypto::self_signed_tls_certificate(key->get(), options,
                                                    std::chrono::system_clock::now());
    EXPECT_TRUE(cert.is_ok());
    auto key_pem = crypto::private_key_to_pem(key->get());
    EXPECT_TRUE(key_pem.is_ok());
    return {cert->pem(), std::string(key_pem->span().begin(), key_pem->span().end())};
}

class ApplianceHomeTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        // Short: the admin socket path inside must fit a sockaddr_un.
        const std::string test = std::string(info->test_suite_name()) + "." + info->name();
        m_root = std::filesystem::temp_directory_path() /
                 ("sr-appl-" + std::to_string(::getpid()) + "-" +
                  std::to_string(std::hash<std::string>{}(test) % 1000000007u));
        std::filesystem::remove_all(m_root);
        m_home = m_root / "appliance";
        NewApplianceSpec spec;
        spec.device.home = m_home;
        spec.device.firmware = hsm::FirmwareVersion{7, 8, 4};
        spec.device.serial = 700001;
        spec.device.hsm_label = "appliance";
        spec.device.so_password = kSoPassword;
        spec.device.partitions = {"p1", "p2", "p3"};
        auto made = make_appliance(m_env, spec);
        ASSERT_TRUE(made.is_ok()) << made.status().to_string();
        m_device_folder = made->folder;
    }
    void TearDown() override { std::filesystem::remove_all(m_root); }

    PosixEnv m_env;
    std::filesystem::path m_root, m_home, m_device_folder;
};

}  // namespace sr::appliance::testing
