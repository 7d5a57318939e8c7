// Test fixture for the Device service: a factory-made 7.x device (partitions p1, p2, p3, each
// with a PO and a CO), a ClientDirectory the test edits, and one in-process grpc::Server on
// 127.0.0.1 (ephemeral port) with real mutual TLS, plus an admin server on a unix socket.
// Clients call the generated stub directly.
#pragma once

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/mutex.h"
#include "crypto/key.h"
#include "crypto/x509.h"
#include "hsm/factory.h"
#include "hsm/local_device.h"
#include "net/device_service.h"
#include "net/status.h"

namespace sr::net::test {

namespace pb = ::strongroom::v1;
inline constexpr const char* kCoPw = "co-password-1";
inline constexpr const char* kPoPw = "po-password-1";

struct TlsIdentity {
    std::string cert_pem;
    std::string key_pem;
};

inline TlsIdentity make_identity(crypto::TlsRole role, const std::string& name) {
    auto key = crypto::generate_ec_key(crypto::EcCurve::P256);
    EXPECT_TRUE(key.is_ok());
    crypto::TlsCertOptions opts;
    opts.role = role;
    opts.common_name = name;
    if (role == crypto::TlsRole::Server) opts.ip_addresses = {"127.0.0.1"};
    auto cert =
        crypto::self_signed_tls_certificate(key->get(), opts, std::chrono::system_clock::now());
    EXPECT_TRUE(cert.is_ok());
    auto pem = crypto::private_key_to_pem(key->get());
    EXPECT_TRUE(pem.is_ok());
    return {cert->pem(), to_string(pem->span())};
}

// Clients registered by exact certificate; assignments in order. Thread-safe (the server
// threads read it while the test edits it).
class TestDirectory final : public ClientDirectory {
public:
    void add(const std::string& name, const std::string& pem) {
        MutexLock lock(m_mu);
        m_clients[name] = crypto::Certificate::from_pem(pem)->der();
    }
    void remove(const std::string& name) {
        MutexLock lock(m_mu);
        m_clients.erase(name);
        m_assigned.erase(name);
    }
    void assign(const std::string& name, hsm::PartitionId p) {
        MutexLock lock(m_mu);
        m_assigned[name].push_back(p);
    }
    void revoke(const std::string& name, hsm::PartitionId p) {
        MutexLock lock(m_mu);
        std::erase(m_assigned[name], p);
    }
    Result<std::string> client_for_certificate(std::string_view peer_pem) const override {
        ++m_lookups;
        auto peer = crypto::Certificate::from_pem(peer_pem);
        if (!peer) return error(Err::NotFound, "unparseable certificate");
        MutexLock lock(m_mu);
        for (const auto& [name, der] : m_clients)
            if (der == peer->der()) return name;
        return error(Err::NotFound, "unregistered");
    }
    std::vector<hsm::PartitionId> assigned_partitions(std::string_view client) const override {
        MutexLock lock(m_mu);
        auto it = m_assigned.find(std::string(client));
        return it == m_assigned.end() ? std::vector<hsm::PartitionId>{} : it->second;
    }

    // How often the service identified a caller: once per unary call and per batch entry
    // (and once when a stream opens), so tests can count what reached the server.
    uint64_t lookups() const { return m_lookups.load(); }

private:
    mutable std::atomic<uint64_t> m_lookups{0};
    mutable Mutex m_mu;
    std::map<std::string, Bytes> m_clients SR_GUARDED_BY(m_mu);
    std::map<std::string, std::vector<hsm::PartitionId>> m_assigned SR_GUARDED_BY(m_mu);
};

class ServiceFixture : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        // Short: the admin socket's path must fit sockaddr_un (107 bytes) whatever the test
        // is called.
        const std::string test = std::string(info->test_suite_name()) + "." + info->name();
        m_root = std::filesystem::temp_directory_path() /
                 ("sr-net-" + std::to_string(::getpid()) + "-" +
                  std::to_string(std::hash<std::string>{}(test) % 1000000007));
        std::filesystem::remove_all(m_root);
        std::filesystem::create_directories(m_root);
        make_device();
        if (HasFatalFailure()) return;
        m_server_id = make_identity(crypto::TlsRole::Server, "appliance");
        m_a = make_identity(crypto::TlsRole::Client, "client-a");
        m_b = make_identity(crypto::TlsRole::Client, "client-b");
        m_directory.add("a", m_a.cert_pem);
        m_directory.add("b", m_b.cert_pem);
        m_directory.assign("a", m_p1);
        m_directory.assign("b", m_p3);
        m_directory.assign("b", m_p2);
        start_servers();
    }
    void TearDown() override {
        stop_servers();
        m_device.reset();
        std::filesystem::remove_all(m_root);
    }

    void stop_servers() {
        // As strongroomd does: clients' idle batch streams end first.
        for (auto* s : {m_tls_service.get(), m_admin_service.get()})
            if (s) drain_device_service(*s);
        for (auto* s : {m_tls_server.get(), m_admin_server.get()})
            if (s) s->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
        m_tls_server.reset();
        m_admin_server.reset();
        m_tls_service.reset();
        m_admin_service.reset();
    }

    // What a daemon restart does: servers stopped, device closed and reopened, servers started
    // anew (the TLS port changes; make new stubs).
    void restart() {
        stop_servers();
        m_device.reset();
        auto dev = hsm::LocalDevice::open(m_env, m_folder);
        ASSERT_TRUE(dev.is_ok()) << dev.status().to_string();
        m_device = std::move(*dev);
        start_servers();
    }

    void make_device() {
        hsm::NewDeviceSpec spec;
        spec.home = m_root / "home";
        // The service is the same over any device; the factory makes network devices only as
        // whole appliances (new-appliance).
        spec.form_factor = hsm::FormFactor::Pcie;
        spec.serial = 654321;
        spec.hsm_label = "appliance";
        spec.so_password = "so-password-1";
        spec.partitions = {"p1", "p2", "p3"};
        spec.domain = "net-test-domain";
        spec.po_password = kPoPw;
        spec.co_password = kCoPw;
        auto report = hsm::make_device(m_env, spec);
        ASSERT_TRUE(report.is_ok()) << report.status().to_string();
        m_folder = report->folder;
        auto dev = hsm::LocalDevice::open(m_env, m_folder);
        ASSERT_TRUE(dev.is_ok()) << dev.status().to_string();
        m_device = std::move(*dev);
        m_p1 = report->partitions.at(0).id;
        m_p2 = report->partitions.at(1).id;
        m_p3 = report->partitions.at(2).id;
    }

    void start_servers() {
        m_tls_service = make_device_service(*m_device, &m_directory);
        grpc::SslServerCredentialsOptions ssl(
            GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_BUT_DONT_VERIFY);
        ssl.pem_key_cert_pairs.push_back({m_server_id.key_pem, m_server_id.cert_pem});
        grpc::ServerBuilder tls;
        tls.AddListeningPort("127.0.0.1:0", grpc::SslServerCredentials(ssl), &m_port);
        tls.RegisterService(m_tls_service.get());
        m_tls_server = tls.BuildAndStart();
        ASSERT_TRUE(m_tls_server) << "TLS server did not start";
        ASSERT_GT(m_port, 0);

        m_admin_service = make_device_service(*m_device, nullptr);
        m_admin_socket = "unix:" + (m_root / "admin.sock").string();
        grpc::ServerBuilder admin;
        admin.AddListeningPort(m_admin_socket, grpc::InsecureServerCredentials());
        admin.RegisterService(m_admin_service.get());
        m_admin_server = admin.BuildAndStart();
        ASSERT_TRUE(m_admin_server) << "admin server did not start";
    }

    std::unique_ptr<pb::Device::Stub> stub(const TlsIdentity& client) const {
        grpc::SslCredentialsOptions o;
        o.pem_root_certs = m_server_id.cert_pem;
        o.pem_private_key = client.key_pem;
        o.pem_cert_chain = client.cert_pem;
        return pb::Device::NewStub(
            grpc::CreateChannel("127.0.0.1:" + std::to_string(m_port), grpc::SslCredentials(o)));
    }
    std::unique_ptr<pb::Device::Stub> admin_stub() const {
        return pb::Device::NewStub(
            grpc::CreateChannel(m_admin_socket, grpc::InsecureChannelCredentials()));
    }

    // A context with a deadline, so a hung server fails the test instead of blocking CI.
    static std::unique_ptr<grpc::ClientContext> ctx() {
        auto c = std::make_unique<grpc::ClientContext>();
        c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
        return c;
    }

    // ---- Short forms of common calls; they fail the test on error.
    uint64_t attach(pb::Device::Stub& s) {
        pb::AppRef out;
        grpc::Status st = s.Attach(ctx().get(), pb::Empty{}, &out);
        EXPECT_TRUE(st.ok()) << st.error_message();
        return out.app();
    }
    // The session, or the error code of the refusal.
    Result<uint64_t> open(pb::Device::Stub& s, uint64_t app, hsm::PartitionId p) {
        pb::OpenSessionRequest rq;
        rq.set_app(app);
        rq.set_partition(p);
        rq.set_read_write(true);
        pb::SessionRef out;
        Status st = from_grpc(s.OpenSession(ctx().get(), rq, &out));
        if (!st) return st;
        return out.session();
    }
    Status login(pb::Device::Stub& s, uint64_t session, const std::string& role,
                 const std::string& pw) {
        pb::LoginRequest rq;
        rq.set_session(session);
        rq.set_role(role);
        rq.set_password(pw);
        pb::Empty out;
        return from_grpc(s.Login(ctx().get(), rq, &out));
    }
    Status session_info(pb::Device::Stub& s, uint64_t session, pb::SessionInfo* out = nullptr) {
        pb::SessionRef rq;
        rq.set_session(session);
        pb::SessionInfo tmp;
        return from_grpc(s.GetSessionInfo(ctx().get(), rq, out ? out : &tmp));
    }
    std::vector<uint64_t> partition_ids(pb::Device::Stub& s) {
        pb::PartitionList out;
        grpc::Status st = s.Partitions(ctx().get(), pb::Empty{}, &out);
        EXPECT_TRUE(st.ok()) << st.error_message();
        std::vector<uint64_t> ids;
        for (const auto& p : out.partitions()) ids.push_back(p.id());
        return ids;
    }

    PosixEnv m_env;
    std::filesystem::path m_root;
    std::filesystem::path m_folder;
    std::unique_ptr<hsm::LocalDevice> m_device;
    hsm::PartitionId m_p1 = 0, m_p2 = 0, m_p3 = 0;
    TlsIdentity m_server_id, m_a, m_b;
    TestDirectory m_directory;
    std::unique_ptr<pb::Device::Service> m_tls_service, m_admin_service;
    std::unique_ptr<grpc::Server> m_tls_server, m_admin_server;
    std::string m_admin_socket;
    int m_port = 0;
};

}  // namespace sr::net::test
