// Network slots: the partitions a server assigns to this client are slots before the local
// devices (servers in client.toml order, partitions in assignment order); a server that is down
// has no slots and hides nothing else; sessions on a network slot reach the server's engine.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "client/client.h"
#include "client/client_config.h"
#include "hsm/factory.h"
#include "network_fixture.h"

namespace sr::client {
namespace {

namespace fs = std::filesystem;

class NetworkSlotsTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        m_root = fs::temp_directory_path() /
                 ("sr-netslots-" + std::to_string(::getpid()) + "-" + info->name());
        fs::remove_all(m_root);
        m_home = m_root / "home";
        fs::create_directories(m_home);
        hsm::NewDeviceSpec local;
        local.home = m_home;
        local.serial = 20;
        local.factory = m_root / "factory";
        local.hsm_label = "local";
        local.so_password = "so-password-1";
        local.partitions = {"a", "b"};
        ASSERT_TRUE(hsm::make_device(m_env, local).is_ok());
        auto id = create_client_certificate(m_env, m_home, "web1", false);
        ASSERT_TRUE(id.is_ok()) << id.status().to_string();
        auto creds = read_client_credentials(m_env, m_home, *load_client_config(m_env, m_home));
        ASSERT_TRUE(creds.is_ok());
        m_client_cert = creds->cert_pem;
    }
    void TearDown() override {
        m_server.reset();
        fs::remove_all(m_root);
    }

    // The server, with this client registered and p3 then p1 assigned to it.
    void start_server() {
        m_server = std::make_unique<testing::NetworkServer>();
        m_server->start(m_env, m_root, 654321);
        ASSERT_FALSE(::testing::Test::HasFatalFailure());
        m_server->directory.add("web1", m_client_cert);
        m_server->directory.assign("web1", m_server->partitions[2]);
        m_server->directory.assign("web1", m_server->partitions[0]);
    }
    void add(const std::string& address, const std::string& pem) {
        auto s = add_server(m_env, m_home, address, pem, false);
        ASSERT_TRUE(s.is_ok()) << s.status().to_string();
    }
    std::unique_ptr<Client> open() {
        auto c = Client::open(m_home);
        EXPECT_TRUE(c.is_ok()) << c.status().to_string();
        return c.is_ok() ? std::move(*c) : nullptr;
    }

    PosixEnv m_env;
    fs::path m_root;
    fs::path m_home;
    std::string m_client_cert;
    std::unique_ptr<testing::NetworkServer> m_server;
};

TEST_F(NetworkSlotsTest, AssignedPartitionsComeFirstInAssignmentOrder) {
    start_server();
    add(m_server->address, m_server->cert_pem);
    auto c = open();
    ASSERT_TRUE(c);
    auto slots = c->slots();
    ASSERT_EQ(slots.size(), 5u);
    EXPECT_EQ(slots[0]->kind, SlotKind::NetworkPartition);
    EXPECT_EQ(slots[0]->partition, m_server->partitions[2]);
    EXPECT_EQ(slots[1]->kind, SlotKind::NetworkPartition);
    EXPECT_EQ(slots[1]->partition, m_server->partitions[0]);
    EXPECT_FALSE(slots[0]->admin());
    EXPECT_EQ(slots[0]->device->server, m_server->address);
    EXPECT_EQ(slots[0]->device->info.serial, 654321u);
    EXPECT_EQ(slots[0]->identity().form_factor, hsm::FormFactor::Network);
    EXPECT_EQ(slots[2]->kind, SlotKind::LocalAdmin);
    EXPECT_EQ(slots[2]->device->info.serial, 20u);
    for (size_t i = 0; i < slots.size(); ++i) EXPECT_EQ(slots[i]->id, i);
    auto servers = c->servers();
    ASSERT_EQ(servers.size(), 1u);
    EXPECT_TRUE(servers[0].status.is_ok()) << servers[0].status.to_string();
    EXPECT_EQ(servers[0].partitions, 2u);
}

TEST_F(NetworkSlotsTest, ADownServerHasNoSlotsAndHidesNothingElse) {
    auto before = open();
    ASSERT_TRUE(before);
    const size_t local_count = before->slots().size();
    before.reset();

    start_server();
    const std::string down = testing::closed_loopback_address();
    add(down, m_server->cert_pem);
    add(m_server->address, m_server->cert_pem);
    auto c = open();
    ASSERT_TRUE(c);
    auto slots = c->slots();
    ASSERT_EQ(slots.size(), 2 + local_count);
    EXPECT_EQ(slots[0]->device->server, m_server->address);
    EXPECT_EQ(slots[2]->kind, SlotKind::LocalAdmin);
    auto servers = c->servers();
    ASSERT_EQ(servers.size(), 2u);
    EXPECT_EQ(servers[0].address, down);
    EXPECT_FALSE(servers[0].status.is_ok());
    EXPECT_EQ(servers[0].status.code(), Err::DeviceError) << servers[0].status.to_string();
    EXPECT_EQ(servers[0].partitions, 0u);
    EXPECT_TRUE(servers[1].status.is_ok());
}

TEST_F(NetworkSlotsTest, OnlyADownServerLeavesTheLocalSlotNumbersAsTheyWere) {
    auto before = open();
    ASSERT_TRUE(before);
    std::vector<std::pair<uint64_t, hsm::PartitionId>> local;
    for (const auto& s : before->slots()) local.emplace_back(s->id, s->partition);
    before.reset();

    auto key = crypto::generate_ec_key(crypto::EcCurve::P256);
    ASSERT_TRUE(key.is_ok());
    crypto::TlsCertOptions o;
    o.common_name = "down";
    auto cert = crypto::self_signed_tls_certificate(key->get(), o, m_env.now());
    ASSERT_TRUE(cert.is_ok());
    add(testing::closed_loopback_address(), cert->pem());
    auto c = open();
    ASSERT_TRUE(c);
    std::vector<std::pair<uint64_t, hsm::PartitionId>> now;
    for (const auto& s : c->slots()) now.emplace_back(s->id, s->partition);
    EXPECT_EQ(now, local);
    ASSERT_EQ(c->servers().size(), 1u);
    EXPECT_FALSE(c->servers()[0].status.is_ok());
}

TEST_F(NetworkSlotsTest, SessionsOnANetworkSlotReachTheServersPartition) {
    start_server();
    add(m_server->address, m_server->cert_pem);
    auto c = open();
    ASSERT_TRUE(c);
    auto session = c->open_session(0, true);
    ASSERT_TRUE(session.is_ok()) << session.status().to_string();
    hsm::Device& dev = (*session)->dev();
    ASSERT_TRUE(dev.login((*session)->id(), hsm::Role::CryptoOfficer, "co-password-1").is_ok());
    auto info = dev.session_info((*session)->id());
    ASSERT_TRUE(info.is_ok()) << info.status().to_string();
    EXPECT_EQ(info->partition, m_server->partitions[2]);
    EXPECT_EQ(info->logged_in, hsm::Role::CryptoOfficer);
    EXPECT_TRUE(c->close_session((*session)->handle()).is_ok());
}

TEST_F(NetworkSlotsTest, ARefreshFindsAServerAddedSinceAndDropsOneDeleted) {
    start_server();
    auto c = open();
    ASSERT_TRUE(c);
    EXPECT_EQ(c->slots().size(), 3u);
    add(m_server->address, m_server->cert_pem);
    ASSERT_TRUE(c->refresh().is_ok());
    EXPECT_EQ(c->slots().size(), 5u);
    ASSERT_TRUE(delete_server(m_env, m_home, m_server->address).is_ok());
    ASSERT_TRUE(c->refresh().is_ok());
    EXPECT_EQ(c->slots().size(), 3u);
    EXPECT_TRUE(c->servers().empty());
}

}  // namespace
}  // namespace sr::client
