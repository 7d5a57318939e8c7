// strongroomd's body: holds the home's lock, opens its one network device and client registry,
// and serves service Device over mutual TLS (registered client certificates only) and services
// Device (full access) + Appliance on the admin socket (docs/design/appliance.md). Start and
// shutdown from one thread; the servers run on gRPC's threads.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "common/env.h"
#include "common/result.h"

namespace sr::appliance {

struct DaemonOptions {
    std::filesystem::path home;
    std::string listen;  // HOST:PORT; port 0 picks a free one
};

class Daemon final {
public:
    // Everything up to "accepting connections": the port file is written last. AlreadyExists
    // when another strongroomd serves the home. Call enforce_tls13_only first (main does).
    static Result<std::unique_ptr<Daemon>> start(Env& env, const DaemonOptions& options);
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    int port() const noexcept;
    // Stops accepting, lets running calls finish until the deadline, cancels the rest, closes
    // the device and removes the port file and the socket. Idempotent.
    void shutdown(std::chrono::milliseconds grace);

    struct State;  // daemon.cpp

private:
    explicit Daemon(std::unique_ptr<State> state);
    std::unique_ptr<State> m_state;
};

// <home>/admin/openssl-tls.cnf: where main writes the TLS policy before starting.
std::filesystem::path tls_config_path(const std::filesystem::path& home);
// NotFound unless `home` holds devices/ and server.pem (made by factory new-appliance): nothing
// is created in a folder that is not an appliance home.
Status check_appliance_home(Env& env, const std::filesystem::path& home);
// Creates <home>/admin with mode 0700 (tightening it if it exists).
Status make_admin_dir(const std::filesystem::path& home);

}  // namespace sr::appliance
