// net::RemoteDevice: an hsm::Device whose calls travel to a strongroomd over gRPC — TLS 1.3
// with this client's certificate for a network server, or the appliance's local admin socket
// for srsh. Errors come back as the engine gave them (net/status.h); an unreachable server is
// DeviceError. After the server restarts, sessions and logins made before are gone
// (SessionHandleInvalid), and the next attach-bound call re-attaches transparently, so new
// sessions work without reopening the device. Thread-safe.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "common/result.h"
#include "common/secret.h"
#include "hsm/device.h"

namespace sr::net {

// A network server as the client config names it.
struct ServerEndpoint {
    std::string address;           // "host:port"
    std::string server_cert_pem;   // the server.pem this client trusts (exactly that certificate)
    std::string client_cert_pem;   // this client's certificate
    SecretBytes client_key_pem;    // and its private key
};

// Opens a channel to a network server; does not contact it (the first call does).
Result<std::unique_ptr<hsm::Device>> connect_remote(const ServerEndpoint& server);

// Opens a channel to an appliance's admin socket (unix domain socket path).
Result<std::unique_ptr<hsm::Device>> connect_admin_socket(const std::filesystem::path& socket);

}  // namespace sr::net
