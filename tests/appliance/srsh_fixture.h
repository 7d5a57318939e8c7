// Shared fixture for srsh tests: a factory-made appliance whose network device is opened
// in-process (hsm::LocalDevice), an in-memory ApplianceAdmin standing in for strongroomd's
// client registry (tests only), and a runner that feeds a script (commands and prompt answers,
// one per line) to a fresh shell. A fresh State per run() is a fresh srsh process: logins do
// not carry over.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "appliance/appliance_factory.h"
#include "appliance/srsh_shell.h"
#include "hsm/local_device.h"

namespace sr::appliance::srsh::testing {

// Clients in a vector, in registration order; fingerprints are made up from the name.
class InMemoryAppliance final : public ApplianceAdmin {
  public:
    Result<ClientRecord> register_client(const std::string& name, const std::string& pem,
                                         const std::string& hostname) override {
        if (find(name)) return error(Err::AlreadyExists, "client '" + name + "' exists");
        if (pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos)
            return error(Err::CertificateDataInvalid, "not a PEM certificate");
        m_clients.push_back({name, hostname, "AA:BB:" + name, {}});
        return m_clients.back();
    }
    Status delete_client(const std::string& name) override {
        SR_TRY(lookup(name).status());
        std::erase_if(m_clients, [&](const ClientRecord& c) { return c.name == name; });
        return {};
    }
    Result<std::vector<ClientRecord>> list_clients() override { return m_clients; }
    Result<ClientRecord> show_client(const std::string& name) override {
        SR_ASSIGN_OR_RETURN(ClientRecord * c, lookup(name));
        return *c;
    }
    Result<ClientRecord> assign_partition(const std::string& client,
                                          const std::string& partition) override {
        SR_ASSIGN_OR_RETURN(ClientRecord * c, lookup(client));
        if (std::find(c->partitions.begin(), c->partitions.end(), partition) != c->partitions.end())
            return error(Err::AlreadyExists, "already assigned");
        c->partitions.push_back(partition);
        return *c;
    }
    Result<ClientRecord> revoke_partition(const std::string& client,
                                          const std::string& partition) override {
        SR_ASSIGN_OR_RETURN(ClientRecord * c, lookup(client));
        if (std::erase(c->partitions, partition) == 0)
            return error(Err::NotFound, "'" + partition + "' is not assigned to '" + client + "'");
        return *c;
    }
    Result<NtlsStatus> ntls_show() override { return m_ntls; }
    Result<NtlsStatus> regen_cert(const std::vector<std::string>& hostnames) override {
        m_ntls.server_certificate_subject =
            "CN=" + (hostnames.empty() ? "strongroom" : hostnames[0]);
        m_ntls.server_certificate_fingerprint = "11:22:" + std::to_string(++m_regens);
        return m_ntls;
    }

    NtlsStatus m_ntls{"127.0.0.1:1792", "11:22:0", "CN=strongroom", "TLSv1.3", 0};

  private:
    ClientRecord* find(const std::string& name) {
        for (auto& c : m_clients)
            if (c.name == name) return &c;
        return nullptr;
    }
    Result<ClientRecord*> lookup(const std::string& name) {
        if (ClientRecord* c = find(name)) return c;
        return error(Err::NotFound, "no client named '" + name + "'; 'client list' shows them");
    }

    std::vector<ClientRecord> m_clients;
    int m_regens = 0;
};

class SrshTest : public ::testing::Test {
  protected:
    static constexpr const char* kSoPassword = "so-password-1";

    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        m_root = std::filesystem::temp_directory_path() /
                 ("sr-srsh-" + std::to_string(::getpid()) + "-" + info->test_suite_name() + "-" +
                  info->name());
        std::filesystem::remove_all(m_root);
        m_home = m_root / "home";
        std::filesystem::create_directories(m_home);
    }
    void TearDown() override {
        m_device.reset();
        std::filesystem::remove_all(m_root);
    }

    // The appliance's network device: HSM "myhsm" initialized (SO kSoPassword) unless
    // `initialized` is false, with these uninitialized partitions.
    void make(hsm::FirmwareVersion fw = {7, 8, 4}, std::vector<std::string> partitions = {},
              bool initialized = true) {
        NewApplianceSpec appliance;
        hsm::NewDeviceSpec& spec = appliance.device;
        spec.home = m_home;
        spec.serial = 654321;
        spec.firmware = fw;
        if (initialized) {
            spec.hsm_label = "myhsm";
            spec.so_password = kSoPassword;
        }
        spec.partitions = std::move(partitions);
        auto r = make_appliance(m_env, std::move(appliance));
        ASSERT_TRUE(r.is_ok()) << r.status().to_string();
        auto dev = hsm::LocalDevice::open(m_env, r->folder);
        ASSERT_TRUE(dev.is_ok()) << dev.status().to_string();
        m_device = std::move(*dev);
    }

    // Runs `script` in a fresh shell; returns everything printed.
    std::string run(const std::string& script, ShellOptions options = {}, int* exit = nullptr) {
        auto state = State::open(*m_device, m_appliance);
        EXPECT_TRUE(state.is_ok()) << state.status().to_string();
        if (!state.is_ok()) return {};
        std::istringstream in(script);
        std::ostringstream out;
        auto console = shell::stream_console(in, out);
        Shell shell(**state, *console, options);
        const int status = shell.run(false);
        if (exit) *exit = status;
        return out.str();
    }

    std::string login() { return "hsm login -password " + std::string(kSoPassword) + "\n"; }

    std::filesystem::path write_file(const std::string& name, const std::string& text) {
        const auto p = m_root / name;
        std::ofstream(p) << text;
        return p;
    }

    static bool contains(const std::string& haystack, const std::string& needle) {
        return haystack.find(needle) != std::string::npos;
    }

    PosixEnv m_env;
    std::filesystem::path m_root;
    std::filesystem::path m_home;
    std::unique_ptr<hsm::Device> m_device;
    InMemoryAppliance m_appliance;
};

}  // namespace sr::appliance::srsh::testing
