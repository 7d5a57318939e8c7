// net::RemoteDevice against an in-process gRPC server (make_device_service over a factory-made
// LocalDevice) on 127.0.0.1 with real mutual TLS: the remote device is driven exactly like a
// local one, errors arrive with the engine's codes, cloning relays between a remote and a local
// partition, and a restarted server leaves old sessions invalid while the client carries on.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include "common/env.h"
#include "crypto/key.h"
#include "crypto/mechanism.h"
#include "crypto/x509.h"
#include "hsm/factory.h"
#include "hsm/local_device.h"
#include "net/device_service.h"
#include "net/remote_device.h"

namespace sr::net {
namespace {

namespace fs = std::filesystem;
namespace mech = crypto::mech;
using namespace sr::hsm;  // NOLINT: test brevity

constexpr const char* kCoPw = "co-password-1";
constexpr const char* kDomain = "remote-test-domain";

#define SR_ASSERT_OK(expr)                                                      \
    do {                                                                        \
        auto&& sr_assert_r_ = (expr);                                           \
        ASSERT_TRUE(sr_assert_r_.is_ok()) << sr_assert_r_.status().to_string(); \
    } while (0)

// A TLS identity: key and self-signed certificate (PEM), as NTLS server.pem / client certs are.
struct TlsIdentity {
    std::string cert_pem;
    SecretBytes key_pem;
};

// Servers name 127.0.0.1 in their certificate unless `dns_only` is given.
TlsIdentity make_identity(crypto::TlsRole role, const std::string& name,
                          const std::string& dns_only = {}) {
    auto key = crypto::generate_ec_key(crypto::EcCurve::P256);
    EXPECT_TRUE(key.is_ok());
    crypto::TlsCertOptions opts;
    opts.role = role;
    opts.common_name = name;
    if (!dns_only.empty()) {
        opts.dns_names = {dns_only};
    } else if (role == crypto::TlsRole::Server) {
        opts.ip_addresses = {"127.0.0.1"};
    }
    auto cert = crypto::self_signed_tls_certificate(key->get(), opts,
                                                    std::chrono::system_clock::now());
    EXPECT_TRUE(cert.is_ok()) << cert.status().to_string();
    auto pem = crypto::private_key_to_pem(key->get());
    EXPECT_TRUE(pem.is_ok());
    return {cert->pem(), std::move(*pem)};
}

// One registered client ("client1", by its exact certificate) assigned one partition.
class TestDirectory final : public ClientDirectory {
public:
    TestDirectory(const std::string& client_pem, PartitionId partition)
        : m_client_der(crypto::Certificate::from_pem(client_pem)->der()), m_partition(partition) {}
    Result<std::string> client_for_certificate(std::string_view peer_pem) const override {
        auto peer = crypto::Certificate::from_pem(peer_pem);
        if (!peer || peer->der() != m_client_der) return error(Err::NotFound, "unregistered");
        return std::string("client1");
    }
    std::vector<PartitionId> assigned_partitions(std::string_view client) const override {
        if (client == "client1") return {m_partition};
        return {};
    }

private:
    Bytes m_client_der;
    PartitionId m_partition;
};

// A grpc::Server serving one device the way strongroomd does: TLS listener (client certificate
// required, checked by the directory) or an admin unix socket (no directory).
class TestServer final {
public:
    // port 0 picks a free one; `port()` tells which.
    void start_tls(Device& device, const ClientDirectory& directory, const TlsIdentity& server,
                   int port) {
        m_service = make_device_service(device, &directory);
        grpc::SslServerCredentialsOptions ssl(
            GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_BUT_DONT_VERIFY);
        ssl.pem_key_cert_pairs.push_back({to_string(server.key_pem.span()), server.cert_pem});
        grpc::ServerBuilder builder;
        builder.AddListeningPort("127.0.0.1:" + std::to_string(port),
                                 grpc::SslServerCredentials(ssl), &m_port);
        finish(builder);
    }
    void start_unix(Device& device, const fs::path& socket) {
        m_service = make_device_service(device, nullptr);
        grpc::ServerBuilder builder;
        builder.AddListeningPort("unix:" + socket.string(), grpc::InsecureServerCredentials());
        finish(builder);
    }
    void stop() {
        if (m_server) {
            m_server->Shutdown(std::chrono::system_clock::now());
            m_server->Wait();
        }
        m_server.reset();
        m_service.reset();
    }
    ~TestServer() { stop(); }
    int port() const { return m_port; }
    bool running() const { return m_server != nullptr; }

private:
    void finish(grpc::ServerBuilder& builder) {
        builder.RegisterService(m_service.get());
        builder.SetMaxReceiveMessageSize(64 * 1024 * 1024);
        m_server = builder.BuildAndStart();
    }
    std::unique_ptr<::strongroom::v1::Device::Service> m_service;
    std::unique_ptr<grpc::Server> m_server;
    int m_port = 0;
};

AttributeSet aes_template(std::string_view label, bool token) {
    AttributeSet t;
    t.set_bool(attr::kToken, token);
    t.set_bool(attr::kPrivate, true);
    t.set_bool(attr::kSensitive, true);
    t.set_bool(attr::kEncrypt, true);
    t.set_bool(attr::kDecrypt, true);
    t.set_ulong(attr::kValueLen, 32);
    t.set_string(attr::kLabel, label);
    return t;
}

class RemoteDeviceTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        m_root = fs::temp_directory_path() /
                 ("srrd-" + std::to_string(::getpid()) + "-" + info->name());
        fs::remove_all(m_root);
        fs::create_directories(m_root);
        // The service is the same over any device (the factory makes network devices only as
        // whole appliances).
        m_device = make_local(500001, m_partition);
        ASSERT_NE(m_device, nullptr);
        m_server_id = make_identity(crypto::TlsRole::Server, "strongroomd test");
        m_client_id = make_identity(crypto::TlsRole::Client, "client1");
        m_directory = std::make_unique<TestDirectory>(m_client_id.cert_pem, m_partition);
        m_server.start_tls(*m_device, *m_directory, m_server_id, 0);
        ASSERT_TRUE(m_server.running());
        ASSERT_GT(m_server.port(), 0);
        auto remote = connect_remote(endpoint(m_client_id));
        ASSERT_TRUE(remote.is_ok()) << remote.status().to_string();
        m_remote = std::move(*remote);
    }
    void TearDown() override {
        m_remote.reset();
        m_server.stop();
        m_device.reset();
        fs::remove_all(m_root);
    }

    // A device of the shared factory with one initialized partition and a Crypto Officer.
    std::unique_ptr<LocalDevice> make_local(uint64_t serial, PartitionId& part) {
        NewDeviceSpec spec;
        spec.home = m_root / ("home-" + std::to_string(serial));
        spec.factory = m_root / "factory";
        spec.serial = serial;
        spec.hsm_label = "hsm";
        spec.so_password = "so-password-1";
        spec.partitions = {"p1"};
        spec.domain = kDomain;
        spec.po_password = "po-password-1";
        spec.co_password = kCoPw;
        auto report = make_device(m_env, spec);
        EXPECT_TRUE(report.is_ok()) << report.status().to_string();
        if (!report) return nullptr;
        part = report->partitions.at(0).id;
        auto dev = LocalDevice::open(m_env, report->folder);
        EXPECT_TRUE(dev.is_ok()) << dev.status().to_string();
        return dev ? std::move(*dev) : nullptr;
    }

    ServerEndpoint endpoint(const TlsIdentity& client) const {
        return {"127.0.0.1:" + std::to_string(m_server.port()), m_server_id.cert_pem,
                client.cert_pem, client.key_pem.clone()};
    }

    // A read-write Crypto Officer session on the remote partition.
    SessionId co_session(AppId* app_out = nullptr) {
        auto app = m_remote->attach();
        EXPECT_TRUE(app.is_ok()) << app.status().to_string();
        auto s = m_remote->open_session(*app, m_partition, true);
        EXPECT_TRUE(s.is_ok()) << s.status().to_string();
        Status st = m_remote->login(*s, Role::CryptoOfficer, kCoPw);
        EXPECT_TRUE(st.is_ok()) << st.to_string();
        if (app_out) *app_out = *app;
        return s ? *s : 0;
    }

    PosixEnv m_env;
    fs::path m_root;
    PartitionId m_partition = 0;
    std::unique_ptr<LocalDevice> m_device;
    TlsIdentity m_server_id, m_client_id;
    std::unique_ptr<TestDirectory> m_directory;
    TestServer m_server;
    std::unique_ptr<Device> m_remote;
};

TEST_F(RemoteDeviceTest, InfoAndPartitionsMatchTheServedDeviceAsTheClientSeesIt) {
    auto local = m_device->info();
    auto remote = m_remote->info();
    SR_ASSERT_OK(remote);
    EXPECT_EQ(remote->serial, local->serial);
    EXPECT_EQ(remote->model, local->model);
    EXPECT_EQ(remote->form_factor, local->form_factor);
    EXPECT_EQ(remote->identity_certificate_der, local->identity_certificate_der);
    auto parts = m_remote->partitions();
    SR_ASSERT_OK(parts);
    ASSERT_EQ(parts->size(), 1u);  // the assigned one; never the admin partition
    EXPECT_EQ((*parts)[0].id, m_partition);
    EXPECT_TRUE((*parts)[0].initialized);
    auto mechs = m_remote->mechanisms();
    SR_ASSERT_OK(mechs);
    EXPECT_EQ(mechs->size(), m_device->mechanisms()->size());
}

TEST_F(RemoteDeviceTest, AesKeyEncryptsAndDecryptsAndStaysSensitive) {
    AppId app = 0;
    SessionId s = co_session(&app);
    auto info = m_remote->session_info(s);
    SR_ASSERT_OK(info);
    EXPECT_EQ(info->app, app);  // the client's own AppId, not the server's
    EXPECT_EQ(info->partition, m_partition);
    EXPECT_EQ(info->logged_in, Role::CryptoOfficer);

    auto key = m_remote->generate_key(s, {mech::kAesKeyGen, crypto::NoParams{}},
                                      aes_template("aes", false));
    SR_ASSERT_OK(key);
    crypto::Mechanism gcm{mech::kAesGcm, crypto::GcmParams{Bytes(12, 0x01), to_bytes("aad"), 128}};
    const Bytes plain = to_bytes("attack at dawn");
    SR_ASSERT_OK(m_remote->encrypt_init(s, gcm, *key));
    auto ct = m_remote->encrypt(s, plain);
    SR_ASSERT_OK(ct);
    EXPECT_NE(*ct, plain);
    SR_ASSERT_OK(m_remote->decrypt_init(s, gcm, *key));
    auto back = m_remote->decrypt(s, *ct);
    SR_ASSERT_OK(back);
    EXPECT_EQ(Bytes(back->span().begin(), back->span().end()), plain);

    auto attrs = m_remote->get_attributes(s, *key, std::vector<AttrType>{attr::kValue, attr::kLabel});
    SR_ASSERT_OK(attrs);
    EXPECT_FALSE(attrs->values.has(attr::kValue));
    ASSERT_EQ(attrs->unavailable.count(attr::kValue), 1u);
    EXPECT_EQ(attrs->unavailable.at(attr::kValue), Readable::Sensitive);
    auto label = attrs->values.get(attr::kLabel);
    ASSERT_TRUE(label.has_value());
    EXPECT_EQ(to_string(*label), "aes");
}

// gRPC's default limit is 4 MiB per received message; clone batches need more.
TEST_F(RemoteDeviceTest, MessagesBeyondGrpcsDefaultLimitTravelBothWays) {
    SessionId s = co_session();
    auto key = m_remote->generate_key(s, {mech::kAesKeyGen, crypto::NoParams{}},
                                      aes_template("big", false));
    SR_ASSERT_OK(key);
    const Bytes big(6 * 1024 * 1024, 0x5A);
    crypto::Mechanism gcm{mech::kAesGcm, crypto::GcmParams{Bytes(12, 0x03), {}, 128}};
    SR_ASSERT_OK(m_remote->encrypt_init(s, gcm, *key));
    auto ct = m_remote->encrypt(s, big);
    SR_ASSERT_OK(ct);
    EXPECT_EQ(ct->size(), big.size() + 16);
}

TEST_F(RemoteDeviceTest, EcKeySignsVerifiesAndIsFoundByLabel) {
    SessionId s = co_session();
    AttributeSet pub;
    pub.set_bool(attr::kToken, true);
    pub.set_bool(attr::kVerify, true);
    pub.set_string(attr::kLabel, "ec-remote");
    pub.set_bytes(attr::kEcParams, *crypto::curve_params_der("P-256"));
    AttributeSet prv;
    prv.set_bool(attr::kToken, true);
    prv.set_bool(attr::kPrivate, true);
    prv.set_bool(attr::kSensitive, true);
    prv.set_bool(attr::kSign, true);
    prv.set_string(attr::kLabel, "ec-remote");
    auto pair = m_remote->generate_key_pair(s, {mech::kEcKeyPairGen, crypto::NoParams{}}, pub, prv);
    SR_ASSERT_OK(pair);

    const Bytes data = to_bytes("message to sign");
    crypto::Mechanism ecdsa{mech::kEcdsaSha256, crypto::NoParams{}};
    SR_ASSERT_OK(m_remote->sign_init(s, ecdsa, pair->private_key));
    auto sig = m_remote->sign(s, data);
    SR_ASSERT_OK(sig);
    SR_ASSERT_OK(m_remote->verify_init(s, ecdsa, pair->public_key));
    SR_ASSERT_OK(m_remote->verify(s, data, *sig));
    Bytes bad = *sig;
    bad[bad.size() / 2] ^= 0x01;
    SR_ASSERT_OK(m_remote->verify_init(s, ecdsa, pair->public_key));
    EXPECT_EQ(m_remote->verify(s, data, bad).code(), Err::SignatureInvalid);

    AttributeSet find;
    find.set_string(attr::kLabel, "ec-remote");
    SR_ASSERT_OK(m_remote->find_init(s, find));
    auto found = m_remote->find_next(s, 10);
    SR_ASSERT_OK(found);
    SR_ASSERT_OK(m_remote->find_final(s));
    std::vector<ObjectHandle> expect{pair->public_key, pair->private_key};
    std::sort(found->begin(), found->end());
    std::sort(expect.begin(), expect.end());
    EXPECT_EQ(*found, expect);
}

TEST_F(RemoteDeviceTest, ErrorsArriveWithTheEnginesCodes) {
    auto app = m_remote->attach();
    SR_ASSERT_OK(app);
    auto s = m_remote->open_session(*app, m_partition, true);
    SR_ASSERT_OK(s);
    Status wrong = m_remote->login(*s, Role::CryptoOfficer, "not-the-password");
    EXPECT_EQ(wrong.code(), Err::PinIncorrect) << wrong.to_string();
    EXPECT_EQ(m_remote->session_info(*s + 1000).code(), Err::SessionHandleInvalid);
    // Not assigned to this client: it does not exist for it.
    EXPECT_EQ(m_remote->open_session(*app, kAdminPartition, true).code(), Err::SlotIdInvalid);
    auto key = m_remote->generate_key(*s, {mech::kAesKeyGen, crypto::NoParams{}},
                                      aes_template("aes", false));
    EXPECT_EQ(key.code(), Err::UserNotLoggedIn) << key.status().to_string();
    // An AppId this client never had is refused like the local device refuses it.
    EXPECT_EQ(m_remote->open_session(*app + 77, m_partition, true).code(),
              m_device->open_session(*app + 77, m_partition, true).code());
    SR_ASSERT_OK(m_remote->detach(*app));
    EXPECT_EQ(m_remote->session_info(*s).code(), Err::SessionHandleInvalid);
}

TEST_F(RemoteDeviceTest, ClonesBetweenARemoteAndALocalPartitionBothWays) {
    SessionId rs = co_session();
    PartitionId local_part = 0;
    auto local = make_local(500002, local_part);
    ASSERT_NE(local, nullptr);
    AppId la = *local->attach();
    SessionId ls = *local->open_session(la, local_part, true);
    SR_ASSERT_OK(local->login(ls, Role::CryptoOfficer, kCoPw));

    auto remote_key = m_remote->generate_key(rs, {mech::kAesKeyGen, crypto::NoParams{}},
                                             aes_template("to-local", true));
    SR_ASSERT_OK(remote_key);
    auto local_key =
        local->generate_key(ls, {mech::kAesKeyGen, crypto::NoParams{}}, aes_template("to-remote", true));
    SR_ASSERT_OK(local_key);

    // Remote -> local: the client relays the hello and the sealed message.
    auto hello = local->clone_hello(ls);
    SR_ASSERT_OK(hello);
    auto sealed = m_remote->clone_source(rs, *hello, std::vector<ObjectHandle>{*remote_key});
    SR_ASSERT_OK(sealed);
    EXPECT_EQ(sealed->sent.size(), 1u);
    auto imported = local->clone_target(ls, sealed->sealed);
    SR_ASSERT_OK(imported);
    ASSERT_EQ(imported->imported.size(), 1u);
    ObjectHandle copy_on_local = imported->imported[0].handle;

    // Local -> remote.
    auto rhello = m_remote->clone_hello(rs);
    SR_ASSERT_OK(rhello);
    auto lsealed = local->clone_source(ls, *rhello, std::vector<ObjectHandle>{*local_key});
    SR_ASSERT_OK(lsealed);
    auto rimported = m_remote->clone_target(rs, lsealed->sealed);
    SR_ASSERT_OK(rimported);
    ASSERT_EQ(rimported->imported.size(), 1u);
    EXPECT_EQ(rimported->imported[0].label, "to-remote");

    // The same key on both sides: what the remote encrypts, the local clone decrypts.
    crypto::Mechanism gcm{mech::kAesGcm, crypto::GcmParams{Bytes(12, 0x02), {}, 128}};
    SR_ASSERT_OK(m_remote->encrypt_init(rs, gcm, *remote_key));
    auto ct = m_remote->encrypt(rs, to_bytes("cloned"));
    SR_ASSERT_OK(ct);
    SR_ASSERT_OK(local->decrypt_init(ls, gcm, copy_on_local));
    auto pt = local->decrypt(ls, *ct);
    SR_ASSERT_OK(pt);
    EXPECT_EQ(to_string(pt->span()), "cloned");
}

// Waits (bounded) until the client reaches the restarted server again.
bool reconnects(Device& d) {
    for (int i = 0; i < 100; ++i) {
        if (d.info().is_ok()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

TEST_F(RemoteDeviceTest, AfterAServerRestartOldSessionsAreInvalidAndTheSameAppWorksAgain) {
    AppId app = 0;
    SessionId old = co_session(&app);
    int port = m_server.port();

    m_server.stop();
    Status down = m_remote->info().status();
    EXPECT_EQ(down.code(), Err::DeviceError) << down.to_string();
    EXPECT_NE(down.message().find("127.0.0.1:" + std::to_string(port)), std::string::npos)
        << down.message();
    EXPECT_EQ(m_remote->open_session(app, m_partition, true).code(), Err::DeviceError);

    m_server.start_tls(*m_device, *m_directory, m_server_id, port);  // a new boot
    ASSERT_TRUE(m_server.running());
    ASSERT_TRUE(reconnects(*m_remote));
    EXPECT_EQ(m_remote->session_info(old).code(), Err::SessionHandleInvalid);
    EXPECT_EQ(m_remote->login(old, Role::CryptoOfficer, kCoPw).code(), Err::SessionHandleInvalid);

    auto fresh = m_remote->open_session(app, m_partition, true);  // re-attaches underneath
    SR_ASSERT_OK(fresh);
    SR_ASSERT_OK(m_remote->login(*fresh, Role::CryptoOfficer, kCoPw));
    auto info = m_remote->session_info(*fresh);
    SR_ASSERT_OK(info);
    EXPECT_EQ(info->app, app);
    EXPECT_EQ(info->logged_in, Role::CryptoOfficer);
    // Later calls use the new server app directly.
    SR_ASSERT_OK(m_remote->close_all_sessions(app, m_partition));
    SR_ASSERT_OK(m_remote->detach(app));
}

// Operation steps travel on batch streams the client keeps open; one that was open across the
// restart is replaced, so the step reaches the new server and gets the code a real HSM gives.
TEST_F(RemoteDeviceTest, AfterAServerRestartAStepOnAnOldSessionIsSessionHandleInvalid) {
    AppId app = 0;
    SessionId old = co_session(&app);
    const crypto::Mechanism sha256{mech::kSha256, crypto::NoParams{}};
    SR_ASSERT_OK(m_remote->digest_init(old, sha256));
    SR_ASSERT_OK(m_remote->digest(old, to_bytes("opens a stream")));
    const int port = m_server.port();
    m_server.stop();
    m_server.start_tls(*m_device, *m_directory, m_server_id, port);
    ASSERT_TRUE(m_server.running());
    ASSERT_TRUE(reconnects(*m_remote));
    EXPECT_EQ(m_remote->digest(old, to_bytes("x")).code(), Err::SessionHandleInvalid);
    EXPECT_EQ(m_remote->digest_init(old, sha256).code(), Err::SessionHandleInvalid);

    auto fresh = m_remote->open_session(app, m_partition, false);
    SR_ASSERT_OK(fresh);
    SR_ASSERT_OK(m_remote->digest_init(*fresh, sha256));
    auto d = m_remote->digest(*fresh, to_bytes("abc"));
    SR_ASSERT_OK(d);
    EXPECT_EQ(to_hex(*d), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(RemoteDeviceTest, ThreadsReattachingOneAppAfterARestartShareOneServerApp) {
    AppId app = 0;
    (void)co_session(&app);
    int port = m_server.port();
    m_server.stop();
    m_server.start_tls(*m_device, *m_directory, m_server_id, port);
    ASSERT_TRUE(reconnects(*m_remote));

    constexpr int kThreads = 4;
    std::vector<Result<SessionId>> opened(kThreads, Status(Err::GeneralError, "not run"));
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back([&, i] { opened[i] = m_remote->open_session(app, m_partition, true); });
    }
    for (auto& t : threads) t.join();
    for (const auto& s : opened) SR_ASSERT_OK(s);
    // One login covers every session of the app on the partition: they all share one app.
    SR_ASSERT_OK(m_remote->login(*opened[0], Role::CryptoOfficer, kCoPw));
    for (const auto& s : opened) {
        auto info = m_remote->session_info(*s);
        SR_ASSERT_OK(info);
        EXPECT_EQ(info->app, app);
        EXPECT_EQ(info->logged_in, Role::CryptoOfficer);
    }
}

TEST_F(RemoteDeviceTest, ThreadsWorkInParallelThroughOneRemoteDevice) {
    constexpr int kThreads = 4;
    std::vector<Status> results(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back([&, i] {
            results[i] = [&]() -> Status {
                SR_ASSIGN_OR_RETURN(AppId a, m_remote->attach());
                SR_ASSIGN_OR_RETURN(SessionId s, m_remote->open_session(a, m_partition, true));
                SR_TRY(m_remote->login(s, Role::CryptoOfficer, kCoPw));
                SR_ASSIGN_OR_RETURN(ObjectHandle k,
                                    m_remote->generate_key(s, {mech::kAesKeyGen, crypto::NoParams{}},
                                                           aes_template("t", false)));
                crypto::Mechanism gcm{mech::kAesGcm,
                                      crypto::GcmParams{Bytes(12, uint8_t(i)), {}, 128}};
                for (int n = 0; n < 10; ++n) {
                    Bytes msg = to_bytes("thread " + std::to_string(i) + " message " +
                                         std::to_string(n));
                    SR_TRY(m_remote->encrypt_init(s, gcm, k));
                    SR_ASSIGN_OR_RETURN(Bytes ct, m_remote->encrypt(s, msg));
                    SR_TRY(m_remote->decrypt_init(s, gcm, k));
                    SR_ASSIGN_OR_RETURN(SecretBytes pt, m_remote->decrypt(s, ct));
                    if (to_string(pt.span()) != to_string(msg))
                        return error(Err::GeneralError, "round trip changed the data");
                }
                return m_remote->detach(a);
            }();
        });
    }
    for (auto& t : threads) t.join();
    for (const Status& st : results) EXPECT_TRUE(st.is_ok()) << st.to_string();
}

TEST_F(RemoteDeviceTest, AServerWhoseCertificateIsNotTheTrustedOneIsRefusedAsDeviceError) {
    ServerEndpoint wrong = endpoint(m_client_id);
    wrong.server_cert_pem = make_identity(crypto::TlsRole::Server, "impostor").cert_pem;
    auto remote = connect_remote(wrong);
    SR_ASSERT_OK(remote);
    Status st = (*remote)->info().status();
    EXPECT_EQ(st.code(), Err::DeviceError);
    EXPECT_NE(st.message().find("strongroomd at " + wrong.address), std::string::npos)
        << st.message();
    EXPECT_NE(st.message().find("not the server.pem this client trusts"), std::string::npos)
        << st.message();
}

// The pinned server.pem is what the client trusts (NTLS); an address the certificate does not
// name (127.0.0.1 against a certificate naming only appliance.example) does not stand in the way.
TEST_F(RemoteDeviceTest, TheServerIsTrustedByItsPinnedCertificateUnderAnyAddress) {
    TlsIdentity named = make_identity(crypto::TlsRole::Server, "appliance", "appliance.example");
    TestServer other;
    other.start_tls(*m_device, *m_directory, named, 0);
    ASSERT_TRUE(other.running());
    ServerEndpoint ep = endpoint(m_client_id);
    ep.address = "127.0.0.1:" + std::to_string(other.port());
    ep.server_cert_pem = named.cert_pem;
    auto remote = connect_remote(ep);
    SR_ASSERT_OK(remote);
    auto info = (*remote)->info();
    SR_ASSERT_OK(info);
    EXPECT_EQ(info->serial, m_device->info()->serial);
}

TEST_F(RemoteDeviceTest, AnUnregisteredClientCertificateIsRefused) {
    TlsIdentity stranger = make_identity(crypto::TlsRole::Client, "stranger");
    auto remote = connect_remote(endpoint(stranger));
    SR_ASSERT_OK(remote);
    EXPECT_EQ((*remote)->partitions().code(), Err::UserNotAuthorized);
    EXPECT_EQ((*remote)->attach().code(), Err::UserNotAuthorized);
}

TEST_F(RemoteDeviceTest, MalformedCertificatesAreRefusedBeforeConnecting) {
    ServerEndpoint bad = endpoint(m_client_id);
    bad.server_cert_pem = "not a certificate";
    EXPECT_EQ(connect_remote(bad).code(), Err::CertificateInvalid);
    ServerEndpoint no_key = endpoint(m_client_id);
    no_key.client_key_pem = SecretBytes();
    EXPECT_EQ(connect_remote(no_key).code(), Err::ArgumentsBad);
}

TEST_F(RemoteDeviceTest, TheAdminSocketSeesTheWholeDevice) {
    fs::path socket = m_root / "admin.sock";
    TestServer admin;
    admin.start_unix(*m_device, socket);
    ASSERT_TRUE(admin.running());
    auto remote = connect_admin_socket(socket);
    SR_ASSERT_OK(remote);
    auto parts = (*remote)->partitions();
    SR_ASSERT_OK(parts);
    EXPECT_EQ(parts->size(), m_device->partitions()->size());
    auto app = (*remote)->attach();
    SR_ASSERT_OK(app);
    SR_ASSERT_OK((*remote)->open_session(*app, kAdminPartition, false));
}

}  // namespace
}  // namespace sr::net
