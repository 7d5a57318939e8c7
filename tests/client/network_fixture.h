// A network server for client-side tests: a factory-made 7.x network device (partitions p1, p2,
// p3, initialized with those labels) served in-process by net::make_device_service on
// 127.0.0.1 (ephemeral port) over mutual TLS, with a directory the test edits. A closed port
// stands for a server that is down.
#pragma once

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "crypto/x509.h"
#include "hsm/factory.h"
#include "hsm/local_device.h"
#include "net/device_service.h"

namespace sr::client::testing {

// Clients registered by exact certificate, partitions assigned in order. Thread-safe.
class Directory final : public net::ClientDirectory {
  public:
    void add(const std::string& name, const std::string& pem) {
        auto cert = crypto::Certificate::from_pem(pem);
        ASSERT_TRUE(cert.is_ok());
        MutexLock lock(m_mu);
        m_clients[name] = cert->der();
    }
    void assign(const std::string& name, hsm::PartitionId p) {
        MutexLock lock(m_mu);
        m_assigned[name].push_back(p);
    }
    Result<std::string> client_for_certificate(std::string_view peer_pem) const override {
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

  private:
    mutable Mutex m_mu;
    std::map<std::string, Bytes> m_clients SR_GUARDED_BY(m_mu);
    std::map<std::string, std::vector<hsm::PartitionId>> m_assigned SR_GUARDED_BY(m_mu);
};

class NetworkServer final {
  public:
    // Makes the appliance's device under `root` and starts serving it.
    void start(Env& env, const std::filesystem::path& root, uint64_t serial) {
        hsm::NewDeviceSpec spec;
        spec.home = root / "appliance";
        spec.form_factor = hsm::FormFactor::Network;
        spec.network_appliance = true;  // what appliance::make_appliance sets
        spec.serial = serial;
        spec.factory = root / "factory";
        spec.hsm_label = "appliance";
        spec.so_password = "so-password-1";
        spec.partitions = {"p1", "p2", "p3"};
        spec.domain = "net-domain";
        spec.po_password = "po-password-1";
        spec.co_password = "co-password-1";
        auto report = hsm::make_device(env, spec);
        ASSERT_TRUE(report.is_ok()) << report.status().to_string();
        for (const auto& p : report->partitions) partitions.push_back(p.id);
        auto dev = hsm::LocalDevice::open(env, report->folder);
        ASSERT_TRUE(dev.is_ok()) << dev.status().to_string();
        m_device = std::move(*dev);

        auto key = crypto::generate_ec_key(crypto::EcCurve::P256);
        ASSERT_TRUE(key.is_ok());
        crypto::TlsCertOptions o;
        o.common_name = "appliance";
        o.ip_addresses = {"127.0.0.1"};
        auto cert = crypto::self_signed_tls_certificate(key->get(), o, env.now());
        ASSERT_TRUE(cert.is_ok());
        auto key_pem = crypto::private_key_to_pem(key->get());
        ASSERT_TRUE(key_pem.is_ok());
        cert_pem = cert->pem();

        m_service = net::make_device_service(*m_device, &directory);
        grpc::SslServerCredentialsOptions ssl(
            GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_BUT_DONT_VERIFY);
        ssl.pem_key_cert_pairs.push_back({to_string(key_pem->span()), cert_pem});
        grpc::ServerBuilder builder;
        int port = 0;
        builder.AddListeningPort("127.0.0.1:0", grpc::SslServerCredentials(ssl), &port);
        builder.RegisterService(m_service.get());
        m_server = builder.BuildAndStart();
        ASSERT_TRUE(m_server) << "server did not start";
        ASSERT_GT(port, 0);
        address = "127.0.0.1:" + std::to_string(port);
    }
    ~NetworkServer() {
        if (m_server) m_server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(100));
    }

    std::string address;
    std::string cert_pem;
    std::vector<hsm::PartitionId> partitions;  // p1, p2, p3
    Directory directory;

  private:
    std::unique_ptr<hsm::LocalDevice> m_device;
    std::unique_ptr<::strongroom::v1::Device::Service> m_service;
    std::unique_ptr<grpc::Server> m_server;
};

// A loopback port nobody listens on (bound, then released).
inline std::string closed_loopback_address() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    EXPECT_GE(fd, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
    ::close(fd);
    return "127.0.0.1:" + std::to_string(ntohs(a.sin_port));
}

}  // namespace sr::client::testing
