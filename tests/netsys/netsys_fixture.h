// Shared by the network system tests: factory-made appliances (one parent folder, so they trust
// each other; one cloning domain) with a registered client, run as real strongroomd processes on
// 127.0.0.1:0 (appliance::Daemons), reached through net::RemoteDevice. Each test owns a
// temporary folder named by pid and test, so ctest -j is safe. Not thread-safe: the test's main
// thread drives it.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "appliance/appliance_factory.h"
#include "appliance/appliance_home.h"
#include "appliance/client_registry.h"
#include "appliance/daemon_process.h"
#include "crypto/x509.h"
#include "hsm/local_device.h"
#include "net/remote_device.h"

namespace sr::netsys {

namespace fs = std::filesystem;

inline constexpr const char* kSoPw = "so-password-1";
inline constexpr const char* kPoPw = "po-password-1";
inline constexpr const char* kCoPw = "co-password-1";

inline std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// True when built with a sanitizer that replaces the allocator (GCC's macros, Clang's
// __has_feature): counts shrink there, and RSS says nothing about leaks.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
#else
inline constexpr bool kSanitized = false;
#endif

// An integer from the environment (for longer manual runs), or `fallback`.
inline long env_or(const char* name, long fallback) {
    const char* v = std::getenv(name);
    return (v != nullptr && *v != '\0') ? std::stol(v) : fallback;
}

struct Appliance {
    fs::path home, folder, log;
    pid_t pid = 0;
    int port = 0;
    int starts = 0;
};

class NetsysTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        const std::string test = std::string(info->test_suite_name()) + "." + info->name();
        // Short: the admin socket path inside a home must fit a sockaddr_un.
        m_root = fs::temp_directory_path() /
                 ("sr-netsys-" + std::to_string(::getpid()) + "-" +
                  std::to_string(std::hash<std::string>{}(test) % 1000000007u));
        fs::remove_all(m_root);
        fs::create_directories(m_root);
        make_client();
    }

    void TearDown() override {
        m_daemons.kill_all();
        fs::remove_all(m_root);
    }

    void make_client() {
        auto key = crypto::generate_ec_key(crypto::EcCurve::P256);
        ASSERT_TRUE(key.is_ok());
        crypto::TlsCertOptions options;
        options.role = crypto::TlsRole::Client;
        options.common_name = "alice";
        auto cert = crypto::self_signed_tls_certificate(key->get(), options,
                                                        std::chrono::system_clock::now());
        ASSERT_TRUE(cert.is_ok());
        auto key_pem = crypto::private_key_to_pem(key->get());
        ASSERT_TRUE(key_pem.is_ok());
        m_client_cert = cert->pem();
        m_client_key = std::move(*key_pem);
    }

    // A new appliance home under the shared root with partition "p1" (Crypto Officer
    // initialized, domain "domain-alpha") assigned to the test's client. Not started.
    Appliance& make(const std::string& name, uint64_t serial) {
        auto a = std::make_unique<Appliance>();
        a->home = m_root / name;
        a->log = m_root / (name + ".log");
        appliance::NewApplianceSpec spec;
        spec.device.home = a->home;
        spec.device.serial = serial;
        spec.device.hsm_label = name;
        spec.device.so_password = kSoPw;
        spec.device.partitions = {"p1"};
        spec.device.domain = "domain-alpha";
        spec.device.po_password = kPoPw;
        spec.device.co_password = kCoPw;
        auto made = appliance::make_appliance(m_env, std::move(spec));
        EXPECT_TRUE(made.is_ok()) << made.status().to_string();
        if (made.is_ok()) {
            a->folder = made->folder;
            auto dev = hsm::LocalDevice::open(m_env, a->folder);
            EXPECT_TRUE(dev.is_ok()) << dev.status().to_string();
            if (dev.is_ok()) {
                auto reg = appliance::ClientRegistry::open(m_env, appliance::clients_path(a->home),
                                                           **dev);
                EXPECT_TRUE(reg.is_ok());
                if (reg.is_ok()) {
                    EXPECT_TRUE((*reg)->register_client("alice", "alice.example", m_client_cert)
                                    .is_ok());
                    EXPECT_TRUE((*reg)->assign("alice", "p1").is_ok());
                }
            }
        }
        m_appliances.push_back(std::move(a));
        return *m_appliances.back();
    }

    // Starts strongroomd on 127.0.0.1:0 and waits (bounded) for it to serve; a stale port file
    // from a killed run is removed first. Each start has its own log.
    void start(Appliance& a) {
        const fs::path log = a.log.string() + "." + std::to_string(a.starts++);
        auto address = m_daemons.start(a.home, log);
        ASSERT_TRUE(address.is_ok()) << address.status().to_string();
        a.pid = m_daemons.pid(a.home);
        a.port = std::stoi(address->substr(address->rfind(':') + 1));
        ASSERT_GT(a.port, 0);
    }

    // SIGTERM and wait: the exit status, or -1.
    int stop(Appliance& a) {
        a.pid = 0;
        return m_daemons.stop(a.home);
    }

    // SIGKILL and wait, as a crash.
    void kill9(Appliance& a) {
        m_daemons.kill(a.home);
        a.pid = 0;
    }

    // A RemoteDevice for `a`, at `port` when given (a relay in front of it).
    Result<std::unique_ptr<hsm::Device>> connect(const Appliance& a, int port = 0) const {
        net::ServerEndpoint ep;
        ep.address = "127.0.0.1:" + std::to_string(port > 0 ? port : a.port);
        ep.server_cert_pem = slurp(appliance::server_cert_path(a.home));
        ep.client_cert_pem = m_client_cert;
        ep.client_key_pem = SecretBytes(m_client_key.span());
        return net::connect_remote(ep);
    }

    PosixEnv m_env;
    fs::path m_root;
    std::string m_client_cert;
    SecretBytes m_client_key;
    std::vector<std::unique_ptr<Appliance>> m_appliances;
    appliance::Daemons m_daemons{SR_STRONGROOMD_BINARY};
};

// A read-write session on the device's first (only) visible partition with the Crypto
// Officer logged in.
struct CoSession {
    hsm::AppId app = 0;
    hsm::PartitionId partition = 0;
    hsm::SessionId session = 0;
};
inline Result<CoSession> open_co(hsm::Device& dev) {
    CoSession c;
    SR_ASSIGN_OR_RETURN(auto parts, dev.partitions());
    if (parts.empty()) return error(Err::NotFound, "no partition visible");
    c.partition = parts.front().id;
    SR_ASSIGN_OR_RETURN(c.app, dev.attach());
    SR_ASSIGN_OR_RETURN(c.session, dev.open_session(c.app, c.partition, true));
    SR_TRY(dev.login(c.session, hsm::Role::CryptoOfficer, kCoPw));
    return c;
}

}  // namespace sr::netsys
