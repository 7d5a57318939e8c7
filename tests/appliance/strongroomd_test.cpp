// strongroomd as a real process on 127.0.0.1:0 over a factory-made appliance home: TLS 1.3 only,
// registered client certificates only, the health check, the admin socket, signals and the lock.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <future>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <sstream>

#include "appliance/appliance_home.h"
#include "appliance/client_registry.h"
#include "appliance/daemon_process.h"
#include "appliance_fixture.h"
#include "hsm/local_device.h"
#include "net/remote_device.h"
#include "net/status.h"
#include "strongroom/v1/device.grpc.pb.h"

namespace sr::appliance {
namespace {

namespace fs = std::filesystem;
namespace pb = ::strongroom::v1;
using testing::ClientIdentity;
using testing::make_client_identity;

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}


class StrongroomdTest : public testing::ApplianceHomeTest {
protected:
    void SetUp() override {
        ApplianceHomeTest::SetUp();
        if (HasFatalFailure()) return;
        m_alice = make_client_identity("alice");
        // Registered the way srsh would, before the daemon owns the device.
        auto dev = hsm::LocalDevice::open(m_env, m_device_folder);
        ASSERT_TRUE(dev.is_ok());
        auto reg = ClientRegistry::open(m_env, clients_path(m_home), **dev);
        ASSERT_TRUE(reg.is_ok());
        ASSERT_TRUE((*reg)->register_client("alice", "alice.example", m_alice.cert_pem).is_ok());
        ASSERT_TRUE((*reg)->assign("alice", "p2").is_ok());
    }

    void TearDown() override {
        m_daemons.kill_all();
        ApplianceHomeTest::TearDown();
    }

    // Starts the daemon and waits (bounded) for it to serve.
    void start() {
        m_log = m_root / "strongroomd.log";
        auto address = m_daemons.start(m_home, m_log);
        ASSERT_TRUE(address.is_ok()) << address.status().to_string();
        m_port = std::stoi(address->substr(address->rfind(':') + 1));
        ASSERT_GT(m_port, 0);
    }

    // The exit status after SIGTERM, or -1.
    int stop() { return m_daemons.stop(m_home); }

    // strongroomd run to completion on `home` (one expected to refuse to start): its exit
    // status, its output in `log`.
    int run_daemon(const fs::path& home, const fs::path& log) {
        return run_logged(
            {SR_STRONGROOMD_BINARY, "--home", home.string(), "--listen", "127.0.0.1:0"}, log);
    }

    std::shared_ptr<grpc::Channel> tls_channel(const ClientIdentity& id) const {
        grpc::SslCredentialsOptions ssl;
        ssl.pem_root_certs = slurp(server_cert_path(m_home));
        ssl.pem_private_key = id.key_pem;
        ssl.pem_cert_chain = id.cert_pem;
        return grpc::CreateChannel("127.0.0.1:" + std::to_string(m_port),
                                   grpc::SslCredentials(ssl));
    }

    // grpc.health.v1.Health/Check with an empty service name; the reply's status field.
    static grpc::Status health_check(const std::shared_ptr<grpc::Channel>& channel,
                                     std::string* reply) {
        grpc::GenericStub stub(channel);
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        grpc::Slice nothing(std::string{});  // HealthCheckRequest{} encodes to no bytes
        grpc::ByteBuffer request(&nothing, 1);
        grpc::ByteBuffer response;
        std::promise<grpc::Status> done;
        stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request,
                       &response, [&](grpc::Status st) { done.set_value(std::move(st)); });
        grpc::Status st = done.get_future().get();
        std::vector<grpc::Slice> slices;
        if (st.ok() && response.Dump(&slices).ok()) {
            for (const auto& s : slices)
                reply->append(reinterpret_cast<const char*>(s.begin()), s.size());
        }
        return st;
    }

    // openssl s_client with the registered client's certificate; exit status and output.
    int s_client(const std::string& version, std::string* output) {
        const fs::path cert = m_root / "alice.pem", key = m_root / "alice-key.pem";
        std::ofstream(cert) << m_alice.cert_pem;
        std::ofstream(key) << m_alice.key_pem;
        const fs::path log = m_root / ("s_client" + version + ".log");
        const int rc = run_logged({SR_OPENSSL_BINARY, "s_client", "-connect",
                                    "127.0.0.1:" + std::to_string(m_port), version, "-cert",
                                    cert.string(), "-key", key.string()},
                                   log);
        *output = slurp(log);
        return rc;
    }

    ClientIdentity m_alice;
    Daemons m_daemons{SR_STRONGROOMD_BINARY};
    int m_port = 0;
    fs::path m_log;
};

TEST_F(StrongroomdTest, RefusesTls12AndHandshakesTls13) {
    ASSERT_NO_FATAL_FAILURE(start());
    std::string out;
    EXPECT_NE(s_client("-tls1_2", &out), 0) << out;
    EXPECT_NE(out.find("Cipher is (NONE)"), std::string::npos) << out;
    EXPECT_EQ(out.find("New, TLSv1.2"), std::string::npos) << out;
    // The exit status of a completed handshake depends on who closes first (gRPC hangs up on a
    // peer that speaks no HTTP/2): the handshake summary is the evidence.
    (void)s_client("-tls1_3", &out);
    EXPECT_NE(out.find("New, TLSv1.3, Cipher is TLS_"), std::string::npos) << out;
}

TEST_F(StrongroomdTest, RegisteredClientPassesTheHealthCheckAndSeesItsPartition) {
    ASSERT_NO_FATAL_FAILURE(start());
    auto channel = tls_channel(m_alice);
    std::string reply;
    grpc::Status st = health_check(channel, &reply);
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(reply, std::string("\x08\x01", 2));  // status: SERVING

    auto stub = pb::Device::NewStub(channel);
    grpc::ClientContext ctx;
    pb::PartitionList parts;
    st = stub->Partitions(&ctx, pb::Empty(), &parts);
    ASSERT_TRUE(st.ok()) << st.error_message();
    ASSERT_EQ(parts.partitions_size(), 1);
    EXPECT_EQ(parts.partitions(0).name(), "p2");
}

constexpr const char* kNotRegistered =
    "the client certificate is not registered with this appliance";

TEST_F(StrongroomdTest, UnregisteredClientCertificateIsRefused) {
    ASSERT_NO_FATAL_FAILURE(start());
    std::string reply;
    grpc::Status st = health_check(tls_channel(make_client_identity("mallory")), &reply);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED) << st.error_message();
    Status mapped = net::from_grpc(st);
    EXPECT_EQ(mapped.code(), Err::UserNotAuthorized) << mapped.to_string();
    EXPECT_EQ(mapped.message(), kNotRegistered);
}

// What a client program sees: UserNotAuthorized (CKR_USER_NOT_AUTHORIZED) naming the server,
// not a transport DeviceError.
TEST_F(StrongroomdTest, AnUnregisteredRemoteDeviceGetsUserNotAuthorizedNamingTheServer) {
    ASSERT_NO_FATAL_FAILURE(start());
    const ClientIdentity mallory = make_client_identity("mallory");
    net::ServerEndpoint ep;
    ep.address = "127.0.0.1:" + std::to_string(m_port);
    ep.server_cert_pem = slurp(server_cert_path(m_home));
    ep.client_cert_pem = mallory.cert_pem;
    ep.client_key_pem = SecretBytes(as_bytes(mallory.key_pem));
    auto remote = net::connect_remote(ep);
    ASSERT_TRUE(remote.is_ok()) << remote.status().to_string();
    Status st = (*remote)->attach().status();
    EXPECT_EQ(st.code(), Err::UserNotAuthorized) << st.to_string();
    EXPECT_NE(st.message().find(kNotRegistered), std::string::npos) << st.message();
    EXPECT_NE(st.message().find(ep.address), std::string::npos) << st.message();
}

TEST_F(StrongroomdTest, SameSubjectFromAnotherAuthorityIsRefused) {
    ASSERT_NO_FATAL_FAILURE(start());
    auto ca = crypto::create_self_signed_ca({.common_name = "Other CA"},
                                            std::chrono::system_clock::now());
    ASSERT_TRUE(ca.is_ok());
    auto key = crypto::generate_ec_key(crypto::EcCurve::P256);
    ASSERT_TRUE(key.is_ok());
    crypto::TlsCertOptions options;
    options.role = crypto::TlsRole::Client;
    options.common_name = "alice";
    auto cert = crypto::issue_tls_certificate(*ca, key->get(), options,
                                              std::chrono::system_clock::now());
    ASSERT_TRUE(cert.is_ok());
    auto key_pem = crypto::private_key_to_pem(key->get());
    ASSERT_TRUE(key_pem.is_ok());
    ClientIdentity impostor{cert->pem() + ca->certificate.pem(),
                            std::string(key_pem->span().begin(), key_pem->span().end())};
    std::string reply;
    grpc::Status st = health_check(tls_channel(impostor), &reply);
    // The TLS layer does not verify client chains: the registry refuses the certificate.
    EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED) << st.error_message();
    Status mapped = net::from_grpc(st);
    EXPECT_EQ(mapped.code(), Err::UserNotAuthorized) << mapped.to_string();
    EXPECT_EQ(mapped.message(), kNotRegistered);
}

TEST_F(StrongroomdTest, AdminSocketIsPrivateAndServesTheApplianceService) {
    ASSERT_NO_FATAL_FAILURE(start());
    struct stat dir {}, sock {};
    ASSERT_EQ(::stat(admin_dir(m_home).c_str(), &dir), 0);
    ASSERT_EQ(::stat(admin_socket_path(m_home).c_str(), &sock), 0);
    EXPECT_EQ(dir.st_mode & 0777, 0700u);
    EXPECT_EQ(sock.st_mode & 0777, 0600u);
    EXPECT_TRUE(S_ISSOCK(sock.st_mode));

    auto channel = grpc::CreateChannel("unix:" + admin_socket_path(m_home).string(),
                                       grpc::InsecureChannelCredentials());
    auto admin = pb::Appliance::NewStub(channel);
    grpc::ClientContext c1;
    pb::ClientList clients;
    ASSERT_TRUE(admin->ListClients(&c1, pb::Empty(), &clients).ok());
    ASSERT_EQ(clients.clients_size(), 1);
    EXPECT_EQ(clients.clients(0).name(), "alice");
    EXPECT_EQ(clients.clients(0).partitions_size(), 1);

    grpc::ClientContext c2;
    pb::NtlsInfo ntls;
    ASSERT_TRUE(admin->NtlsShow(&c2, pb::Empty(), &ntls).ok());
    EXPECT_EQ(ntls.listen(), "127.0.0.1:" + std::to_string(m_port));
    EXPECT_EQ(ntls.tls_versions(), "TLSv1.3");
    EXPECT_EQ(ntls.server_certificate_fingerprint().size(), 32u * 3 - 1);

    grpc::ClientContext c3;
    pb::ClientInfo info;
    pb::AssignmentRequest req;
    req.set_client("alice");
    req.set_partition("nope");
    grpc::Status st = admin->AssignPartition(&c3, req, &info);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND) << st.error_message();
}

TEST_F(StrongroomdTest, SigtermExitsZeroAndRemovesThePortFileAndSocket) {
    ASSERT_NO_FATAL_FAILURE(start());
    EXPECT_EQ(stop(), 0) << slurp(m_log);
    EXPECT_FALSE(fs::exists(port_file_path(m_home)));
    EXPECT_FALSE(fs::exists(admin_socket_path(m_home)));
}

TEST_F(StrongroomdTest, ASecondDaemonOnTheSameHomeRefusesToStart) {
    ASSERT_NO_FATAL_FAILURE(start());
    const fs::path log2 = m_root / "second.log";
    EXPECT_EQ(run_daemon(m_home, log2), 1);
    EXPECT_NE(slurp(log2).find("another strongroomd serves this home"), std::string::npos)
        << slurp(log2);
    // The first one is unharmed.
    EXPECT_EQ(std::stoi(slurp(port_file_path(m_home))), m_port);
    std::string reply;
    EXPECT_TRUE(health_check(tls_channel(m_alice), &reply).ok());
    EXPECT_EQ(stop(), 0);
}

TEST_F(StrongroomdTest, RefusesAFolderThatIsNotAnApplianceHomeAndCreatesNothing) {
    const fs::path not_home = m_root / "not-a-home";
    const fs::path log = m_root / "not-a-home.log";
    EXPECT_EQ(run_daemon(not_home, log), 1);
    EXPECT_NE(slurp(log).find("not an appliance home"), std::string::npos) << slurp(log);
    EXPECT_FALSE(fs::exists(not_home));
}

}  // namespace
}  // namespace sr::appliance
