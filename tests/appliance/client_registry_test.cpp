// ClientRegistry: clients.json persistence, refusals, assignment order, revocation, deleted
// partitions, and the per-call lookups the Device service makes.
#include "appliance/client_registry.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "appliance/appliance_home.h"
#include "appliance_fixture.h"
#include "common/fault_env.h"
#include "hsm/local_device.h"

namespace sr::appliance {
namespace {

using testing::make_client_identity;

class ClientRegistryTest : public testing::ApplianceHomeTest {
protected:
    void SetUp() override {
        ApplianceHomeTest::SetUp();
        if (HasFatalFailure()) return;
        auto dev = hsm::LocalDevice::open(m_env, m_device_folder);
        ASSERT_TRUE(dev.is_ok()) << dev.status().to_string();
        m_device = std::move(*dev);
        m_registry = open_registry(m_env);
        ASSERT_NE(m_registry, nullptr);
    }

    std::unique_ptr<ClientRegistry> open_registry(Env& env) {
        auto reg = ClientRegistry::open(env, clients_path(m_home), *m_device);
        EXPECT_TRUE(reg.is_ok()) << reg.status().to_string();
        return reg ? std::move(*reg) : nullptr;
    }

    hsm::PartitionId partition_id(const std::string& name) {
        auto parts = m_device->partitions();
        EXPECT_TRUE(parts.is_ok());
        for (const auto& p : *parts)
            if (p.name == name) return p.id;
        ADD_FAILURE() << "no partition " << name;
        return 0;
    }

    // As srsh does over the admin socket: HSM SO on the admin partition.
    hsm::AppId so_app() {
        auto app = m_device->attach();
        EXPECT_TRUE(app.is_ok());
        auto s = m_device->open_session(*app, hsm::kAdminPartition, true);
        EXPECT_TRUE(s.is_ok());
        EXPECT_TRUE(m_device->login(*s, hsm::Role::HsmSo, testing::kSoPassword).is_ok());
        return *app;
    }

    std::string file_text() {
        auto bytes = m_env.read_file(clients_path(m_home));
        EXPECT_TRUE(bytes.is_ok());
        return bytes ? to_string(*bytes) : std::string{};
    }

    std::unique_ptr<hsm::LocalDevice> m_device;
    std::unique_ptr<ClientRegistry> m_registry;
};

TEST_F(ClientRegistryTest, RegisteredClientsAndAssignmentOrderSurviveReopening) {
    const auto alice = make_client_identity("alice");
    ASSERT_TRUE(m_registry->register_client("alice", "alice.example", alice.cert_pem).is_ok());
    ASSERT_TRUE(m_registry->assign("alice", "p3").is_ok());
    ASSERT_TRUE(m_registry->assign("alice", "p1").is_ok());

    auto doc = nlohmann::json::parse(file_text());
    ASSERT_EQ(doc["clients"].size(), 1u);
    EXPECT_EQ(doc["clients"][0]["name"], "alice");
    EXPECT_EQ(doc["clients"][0]["hostname"], "alice.example");
    EXPECT_EQ(doc["clients"][0]["certificate_pem"], alice.cert_pem);
    EXPECT_EQ(doc["clients"][0]["partitions"], nlohmann::json::array({"p3", "p1"}));

    auto reopened = open_registry(m_env);
    ASSERT_NE(reopened, nullptr);
    auto shown = reopened->show("alice");
    ASSERT_TRUE(shown.is_ok());
    EXPECT_EQ(shown->partitions, (std::vector<std::string>{"p3", "p1"}));
    EXPECT_EQ(shown->hostname, "alice.example");
    EXPECT_EQ(shown->certificate_fingerprint.size(), 32u * 3 - 1);
    EXPECT_EQ(reopened->assigned_partitions("alice"),
              (std::vector<hsm::PartitionId>{partition_id("p3"), partition_id("p1")}));
}

TEST_F(ClientRegistryTest, RefusesDuplicateNamesAndCertificates) {
    const auto alice = make_client_identity("alice");
    ASSERT_TRUE(m_registry->register_client("alice", "", alice.cert_pem).is_ok());
    EXPECT_EQ(m_registry->register_client("alice", "", make_client_identity("x").cert_pem).code(),
              Err::AlreadyExists);
    EXPECT_EQ(m_registry->register_client("bob", "", alice.cert_pem).code(), Err::AlreadyExists);
    EXPECT_EQ(m_registry->list().size(), 1u);
}

TEST_F(ClientRegistryTest, RefusesMalformedCertificatesAndNames) {
    EXPECT_EQ(m_registry->register_client("alice", "", "not a certificate").code(),
              Err::ArgumentsBad);
    const auto pem = make_client_identity("c").cert_pem;
    EXPECT_EQ(m_registry->register_client("", "", pem).code(), Err::ArgumentsBad);
    EXPECT_EQ(m_registry->register_client("a b", "", pem).code(), Err::ArgumentsBad);
    EXPECT_TRUE(m_registry->list().empty());
}

TEST_F(ClientRegistryTest, AssignRefusesUnknownNamesAndRepeats) {
    ASSERT_TRUE(m_registry->register_client("alice", "", make_client_identity("a").cert_pem).is_ok());
    EXPECT_EQ(m_registry->assign("alice", "nope").code(), Err::NotFound);
    EXPECT_EQ(m_registry->assign("nobody", "p1").code(), Err::NotFound);
    ASSERT_TRUE(m_registry->assign("alice", "p1").is_ok());
    EXPECT_EQ(m_registry->assign("alice", "p1").code(), Err::AlreadyExists);
    EXPECT_EQ(m_registry->show("alice")->partitions, std::vector<std::string>{"p1"});
}

TEST_F(ClientRegistryTest, RevokeAndDeleteTakeEffectAndRefuseUnknowns) {
    const auto alice = make_client_identity("alice");
    ASSERT_TRUE(m_registry->register_client("alice", "", alice.cert_pem).is_ok());
    ASSERT_TRUE(m_registry->assign("alice", "p1").is_ok());
    ASSERT_TRUE(m_registry->assign("alice", "p2").is_ok());
    EXPECT_EQ(m_registry->revoke("alice", "p3").code(), Err::NotFound);
    EXPECT_EQ(m_registry->revoke("nobody", "p1").code(), Err::NotFound);
    ASSERT_TRUE(m_registry->revoke("alice", "p1").is_ok());
    EXPECT_EQ(m_registry->assigned_partitions("alice"),
              std::vector<hsm::PartitionId>{partition_id("p2")});

    EXPECT_EQ(m_registry->delete_client("nobody").code(), Err::NotFound);
    ASSERT_TRUE(m_registry->delete_client("alice").is_ok());
    EXPECT_EQ(m_registry->client_for_certificate(alice.cert_pem).code(), Err::NotFound);
    EXPECT_TRUE(m_registry->assigned_partitions("alice").empty());
    EXPECT_TRUE(open_registry(m_env)->list().empty());
}

TEST_F(ClientRegistryTest, CertificateMatchIsExactDerNotSubject) {
    const auto alice = make_client_identity("alice");
    ASSERT_TRUE(m_registry->register_client("alice", "", alice.cert_pem).is_ok());
    EXPECT_EQ(*m_registry->client_for_certificate(alice.cert_pem), "alice");
    // The same PEM with CRLF line ends is the same certificate.
    std::string crlf;
    for (char c : alice.cert_pem) crlf += (c == '\n') ? std::string("\r\n") : std::string(1, c);
    EXPECT_EQ(*m_registry->client_for_certificate(crlf), "alice");
    // Same subject, another key: another certificate.
    EXPECT_EQ(m_registry->client_for_certificate(make_client_identity("alice").cert_pem).code(),
              Err::NotFound);
    EXPECT_EQ(m_registry->client_for_certificate("garbage").code(), Err::NotFound);
}

TEST_F(ClientRegistryTest, DeletedPartitionDisappearsAndARecreatedNameIsNotInherited) {
    ASSERT_TRUE(m_registry->register_client("alice", "", make_client_identity("a").cert_pem).is_ok());
    ASSERT_TRUE(m_registry->assign("alice", "p1").is_ok());
    ASSERT_TRUE(m_registry->assign("alice", "p2").is_ok());
    const hsm::PartitionId old_p1 = partition_id("p1");
    const hsm::AppId app = so_app();
    ASSERT_TRUE(m_device->delete_partition(app, old_p1).is_ok());
    hsm::PartitionCreateParams params;
    params.name = "p1";
    auto recreated = m_device->create_partition(app, params);
    ASSERT_TRUE(recreated.is_ok()) << recreated.status().to_string();
    ASSERT_NE(*recreated, old_p1);

    EXPECT_EQ(m_registry->show("alice")->partitions, std::vector<std::string>{"p2"});
    EXPECT_EQ(m_registry->assigned_partitions("alice"),
              std::vector<hsm::PartitionId>{partition_id("p2")});
    auto doc = nlohmann::json::parse(file_text());
    EXPECT_EQ(doc["clients"][0]["partitions"], nlohmann::json::array({"p2"}));
}

// The service reports the clients with attached apps; only those still registered count.
TEST_F(ClientRegistryTest, ConnectedClientsCountsOnlyRegisteredClientsTheServiceReports) {
    EXPECT_EQ(m_registry->connected_clients(), 0u);
    ASSERT_TRUE(
        m_registry->register_client("alice", "", make_client_identity("alice").cert_pem).is_ok());
    ASSERT_TRUE(
        m_registry->register_client("bob", "", make_client_identity("bob").cert_pem).is_ok());
    m_registry->attached_clients_changed({"alice", "bob"});
    EXPECT_EQ(m_registry->connected_clients(), 2u);
    ASSERT_TRUE(m_registry->delete_client("bob").is_ok());
    EXPECT_EQ(m_registry->connected_clients(), 1u);
    m_registry->attached_clients_changed({});
    EXPECT_EQ(m_registry->connected_clients(), 0u);
}

TEST_F(ClientRegistryTest, AFailedWriteChangesNothing) {
    FaultInjectionEnv faulty(m_env);
    auto reg = open_registry(faulty);
    ASSERT_NE(reg, nullptr);
    ASSERT_TRUE(reg->register_client("alice", "", make_client_identity("a").cert_pem).is_ok());
    const std::string before = file_text();
    faulty.fail_writes_after(0);
    EXPECT_FALSE(reg->register_client("bob", "", make_client_identity("b").cert_pem).is_ok());
    EXPECT_FALSE(reg->assign("alice", "p1").is_ok());
    EXPECT_FALSE(reg->delete_client("alice").is_ok());
    EXPECT_EQ(file_text(), before);
    ASSERT_EQ(reg->list().size(), 1u);
    EXPECT_TRUE(reg->show("alice")->partitions.empty());
    EXPECT_TRUE(reg->show("bob").code() == Err::NotFound);
}

TEST_F(ClientRegistryTest, RefusesAFileThatIsNotARegistry) {
    ASSERT_TRUE(m_env.write_file_atomic(clients_path(m_home), as_bytes("{\"clients\": 3}"), 0600)
                    .is_ok());
    EXPECT_EQ(ClientRegistry::open(m_env, clients_path(m_home), *m_device).code(),
              Err::DataInvalid);
}

TEST_F(ClientRegistryTest, ConcurrentRegistrationsAndLookupsAllLand) {
    constexpr int kThreads = 4;
    std::vector<testing::ClientIdentity> ids;
    for (int i = 0; i < kThreads; ++i) ids.push_back(make_client_identity("c" + std::to_string(i)));
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back([&, i] {
            const std::string name = "c" + std::to_string(i);
            EXPECT_TRUE(m_registry->register_client(name, "", ids[i].cert_pem).is_ok());
            EXPECT_TRUE(m_registry->assign(name, "p2").is_ok());
            EXPECT_EQ(*m_registry->client_for_certificate(ids[i].cert_pem), name);
            EXPECT_EQ(m_registry->assigned_partitions(name).size(), 1u);
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(open_registry(m_env)->list().size(), static_cast<size_t>(kThreads));
}

}  // namespace
}  // namespace sr::appliance
