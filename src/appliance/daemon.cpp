#include "appliance/daemon.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <grpc/grpc_security_constants.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/security/auth_metadata_processor.h>

#include "appliance/appliance_home.h"
#include "appliance/appliance_service.h"
#include "appliance/client_registry.h"
#include "appliance/server_identity.h"
#include "common/log.h"
#include "hsm/local_device.h"
#include "net/device_service.h"

namespace sr::appliance {

namespace fs = std::filesystem;

namespace {

constexpr int kMaxMessageBytes = 64 << 20;  // as net::RemoteDevice's channel
constexpr size_t kMaxUnixPath = 107;        // sockaddr_un::sun_path minus the NUL

// Refuses every call whose TLS peer did not present a registered certificate, before any
// service sees it (the health check included): with
// GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_BUT_DONT_VERIFY the handshake proves
// possession of the key, and this pins the certificate itself.
class RegisteredClientsOnly final : public grpc::AuthMetadataProcessor {
public:
    explicit RegisteredClientsOnly(const ClientRegistry& registry) : m_registry(registry) {}
    bool IsBlocking() const override { return false; }
    grpc::Status Process(const InputMetadata&, grpc::AuthContext* context, OutputMetadata*,
                         OutputMetadata*) override {
        auto pems = context->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME);
        if (pems.empty())
            return {grpc::StatusCode::UNAUTHENTICATED, "a client certificate is required"};
        std::string_view pem(pems.front().data(), pems.front().size());
        if (m_registry.client_for_certificate(pem)) return grpc::Status::OK;
        log::warn("strongroomd: refused a TLS client whose certificate is not registered");
        return {grpc::StatusCode::UNAUTHENTICATED,
                "the client certificate is not registered with this appliance"};
    }

private:
    const ClientRegistry& m_registry;
};

Result<std::string> read_text(Env& env, const fs::path& path) {
    SR_ASSIGN_OR_RETURN(Bytes b, env.read_file(path));
    return to_string(b);
}

// The one device in <home>/devices/.
Result<std::unique_ptr<hsm::LocalDevice>> open_the_device(Env& env, const fs::path& home) {
    const fs::path dir = devices_dir(home);
    if (!env.exists(dir)) return error(Err::NotFound, dir.string() + " does not exist");
    SR_ASSIGN_OR_RETURN(auto names, env.list_dir(dir));
    if (names.size() != 1)
        return error(Err::DataInvalid, dir.string() + " must hold exactly one device, not " +
                                           std::to_string(names.size()));
    return hsm::LocalDevice::open(env, dir / names.front());
}

// "HOST:PORT" with the bound port in place of the requested one.
std::string with_port(const std::string& listen, int port) {
    const auto colon = listen.rfind(':');
    return (colon == std::string::npos ? listen : listen.substr(0, colon)) + ":" +
           std::to_string(port);
}

Result<int> take_lock(const fs::path& path) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return error(Err::DeviceError, "cannot open " + path.string());
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        return error(Err::AlreadyExists,
                     "another strongroomd serves this home (" + path.string() + " is locked)");
    }
    return fd;
}

void apply_limits(grpc::ServerBuilder& b) {
    b.SetMaxReceiveMessageSize(kMaxMessageBytes);
    b.SetMaxSendMessageSize(kMaxMessageBytes);
}

}  // namespace

struct Daemon::State {
    Env* env = nullptr;
    fs::path home;
    int lock_fd = -1;
    int port = 0;
    bool stopped = false;
    std::unique_ptr<hsm::LocalDevice> device;
    std::unique_ptr<ClientRegistry> registry;
    std::unique_ptr<::strongroom::v1::Device::Service> client_device_service;
    std::unique_ptr<::strongroom::v1::Device::Service> admin_device_service;
    std::unique_ptr<::strongroom::v1::Appliance::Service> appliance_service;
    std::unique_ptr<grpc::Server> tls_server;
    std::unique_ptr<grpc::Server> admin_server;

    Status start_tls(const std::string& listen);
    Status start_admin(const std::string& bound);
};

fs::path tls_config_path(const fs::path& home) { return admin_dir(home) / "openssl-tls.cnf"; }

Status check_appliance_home(Env& env, const fs::path& home) {
    if (!env.exists(devices_dir(home)) ||
        (!env.exists(server_cert_path(home)) &&
         !env.exists(fs::path(server_cert_path(home).string() + ".new"))))
        return error(Err::NotFound, home.string() +
                                        " is not an appliance home (make one with strongroom "
                                        "factory new-appliance)");
    return {};
}

Status make_admin_dir(const fs::path& home) {
    const fs::path dir = admin_dir(home);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return error(Err::DeviceError, "cannot create " + dir.string() + ": " + ec.message());
    if (::chmod(dir.c_str(), 0700) != 0)
        return error(Err::DeviceError, "cannot restrict " + dir.string() + " to mode 0700");
    return {};
}

Status Daemon::State::start_tls(const std::string& listen) {
    SR_ASSIGN_OR_RETURN(std::string cert, read_text(*env, server_cert_path(home)));
    SR_ASSIGN_OR_RETURN(std::string key, read_text(*env, server_key_path(home)));
    grpc::SslServerCredentialsOptions ssl(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_BUT_DONT_VERIFY);
    ssl.pem_key_cert_pairs.push_back({key, cert});
    auto creds = grpc::SslServerCredentials(ssl);
    creds->SetAuthMetadataProcessor(std::make_shared<RegisteredClientsOnly>(*registry));

    client_device_service = net::make_device_service(*device, registry.get());
    grpc::ServerBuilder b;
    apply_limits(b);
    b.AddListeningPort(listen, creds, &port);
    b.RegisterService(client_device_service.get());
    tls_server = b.BuildAndStart();
    if (!tls_server || port == 0)
        return error(Err::DeviceError, "cannot listen on " + listen);
    return {};
}

Status Daemon::State::start_admin(const std::string& bound) {
    const fs::path socket = admin_socket_path(home);
    if (socket.string().size() > kMaxUnixPath)
        return error(Err::ArgumentsBad, "the admin socket path " + socket.string() +
                                            " is too long for a unix socket");
    std::error_code ec;
    fs::remove(socket, ec);  // a stale socket of a killed daemon: the lock says it is ours
    admin_device_service = net::make_device_service(*device, nullptr);
    appliance_service = make_appliance_service(*registry, *env, home, bound);
    grpc::ServerBuilder b;
    apply_limits(b);
    b.AddListeningPort("unix:" + socket.string(), grpc::InsecureServerCredentials());
    b.RegisterService(admin_device_service.get());
    b.RegisterService(appliance_service.get());
    admin_server = b.BuildAndStart();
    if (!admin_server) return error(Err::DeviceError, "cannot listen on " + socket.string());
    // The directory (0700) already keeps others out while the socket has the umask's mode.
    if (::chmod(socket.c_str(), 0600) != 0)
        return error(Err::DeviceError, "cannot restrict " + socket.string() + " to mode 0600");
    return {};
}

Result<std::unique_ptr<Daemon>> Daemon::start(Env& env, const DaemonOptions& options) {
    auto st = std::make_unique<State>();
    st->env = &env;
    st->home = options.home;
    SR_TRY(check_appliance_home(env, options.home));
    SR_ASSIGN_OR_RETURN(st->lock_fd, take_lock(lock_file_path(options.home)));
    std::unique_ptr<Daemon> daemon(new Daemon(std::move(st)));
    State& s = *daemon->m_state;
    SR_TRY(make_admin_dir(s.home));
    SR_TRY(recover_server_identity(env, s.home));
    SR_ASSIGN_OR_RETURN(s.device, open_the_device(env, s.home));
    SR_ASSIGN_OR_RETURN(s.registry, ClientRegistry::open(env, clients_path(s.home), *s.device));
    grpc::EnableDefaultHealthCheckService(true);
    SR_TRY(s.start_tls(options.listen));
    const std::string bound = with_port(options.listen, s.port);
    SR_TRY(s.start_admin(bound));
    SR_TRY(env.write_file_atomic(port_file_path(s.home), as_bytes(std::to_string(s.port) + "\n"),
                                 0644));
    log::info("strongroomd: serving {} on {} (TLS 1.3, registered clients), admin socket {}",
              s.device->folder().filename().string(), bound,
              admin_socket_path(s.home).string());
    return daemon;
}

Daemon::Daemon(std::unique_ptr<State> state) : m_state(std::move(state)) {}

Daemon::~Daemon() { shutdown(std::chrono::milliseconds(0)); }

int Daemon::port() const noexcept { return m_state->port; }

void Daemon::shutdown(std::chrono::milliseconds grace) {
    State& s = *m_state;
    if (s.stopped) return;
    s.stopped = true;
    const auto deadline = std::chrono::system_clock::now() + grace;
    // Clients keep batch streams open between calls; the grace is for calls in flight.
    for (auto* service : {s.client_device_service.get(), s.admin_device_service.get()})
        if (service) net::drain_device_service(*service);
    if (s.tls_server) s.tls_server->Shutdown(deadline);
    if (s.admin_server) s.admin_server->Shutdown(deadline);
    s.tls_server.reset();
    s.admin_server.reset();
    s.appliance_service.reset();
    s.admin_device_service.reset();
    s.client_device_service.reset();
    s.registry.reset();
    s.device.reset();
    std::error_code ec;
    if (s.port != 0) {
        fs::remove(port_file_path(s.home), ec);
        fs::remove(admin_socket_path(s.home), ec);
    }
    if (s.lock_fd >= 0) {
        ::close(s.lock_fd);
        s.lock_fd = -1;
    }
}

}  // namespace sr::appliance
