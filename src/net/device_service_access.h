// Who may use what through the Device service (docs/design/network-protocol.md "Identity",
// "Visibility", "Ids"): identifies the caller from its TLS certificate, turns engine app and
// session ids into wire ids carrying this instance's random boot prefix and back, and remembers
// which client owns each app and session. Thread-safe (a reader/writer lock over the maps).
#pragma once

#include <grpcpp/server_context.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/mutex.h"
#include "common/result.h"
#include "hsm/device.h"
#include "net/device_service.h"

namespace sr::net {

// The message of the error an app id from an earlier server run gets; net::RemoteDevice
// re-attaches on exactly this (Err::CryptokiNotInitialized).
inline constexpr const char* kUnknownAppMessage = "unknown application (the server restarted?)";

// The caller of one call: a registered client, or the admin socket (sees everything).
struct Caller {
    std::optional<std::string> client;
    bool admin() const noexcept { return !client.has_value(); }
};

class ServiceAccess final {
public:
    // directory == nullptr: the admin socket.
    explicit ServiceAccess(const ClientDirectory* directory);

    // The caller, looked up in the directory on every call so that deleting a client takes
    // effect at once. UserNotAuthorized for a missing or unregistered certificate.
    Result<Caller> identify(const grpc::ServerContextBase& ctx) const;

    // ---- Ids. Wire id = boot prefix (24 bits) << 40 | engine id.
    Result<uint64_t> app_to_wire(hsm::AppId app) const;
    Result<uint64_t> session_to_wire(hsm::SessionId s) const;
    // The engine app of a wire id the caller may use: an id from another run is
    // CryptokiNotInitialized (kUnknownAppMessage); another client's app is as absent.
    Result<hsm::AppId> app(const Caller& who, uint64_t wire) const;
    // The engine session of a wire id the caller may use; anything else SessionHandleInvalid.
    Result<hsm::SessionId> session(const Caller& who, uint64_t wire) const;

    // ---- Visibility. SlotIdInvalid (as for a partition that does not exist) unless the
    // partition is assigned to the caller; the admin partition never is.
    Status check_partition(const Caller& who, hsm::PartitionId p) const;
    // The caller's partitions in assignment order (nullopt: the admin socket, everything).
    std::optional<std::vector<hsm::PartitionId>> assigned(const Caller& who) const;
    // OperationNotAllowed for network clients: HSM administration belongs to srsh.
    Status refuse_for_clients(const Caller& who, std::string_view what) const;

    // ---- Ownership bookkeeping (no-ops for the admin socket).
    void adopt_app(const Caller& who, hsm::AppId app);
    void forget_app(hsm::AppId app);  // and its sessions
    void adopt_session(const Caller& who, hsm::SessionId s, hsm::AppId app, hsm::PartitionId p);
    void forget_session(hsm::SessionId s);
    void forget_sessions(hsm::AppId app, hsm::PartitionId p);
    // Passes `st` through; a session the engine no longer knows is dropped from the maps.
    Status observe(hsm::SessionId s, Status st);

    // How many distinct clients hold at least one attached application (`ntls show`'s
    // connected clients; the directory is told each change). An app a client never detached
    // (its process died) counts until the server restarts: the service sees calls, not
    // connections.
    size_t connected_clients() const;

private:
    struct SessionOwner {
        std::string client;
        hsm::AppId app = 0;
        hsm::PartitionId partition = 0;
    };

    std::optional<uint64_t> engine_id(uint64_t wire) const;
    // Keeps m_apps_per_client in step with one app gained (+1) or lost (-1) by `client`, and
    // tells the directory when the set of clients with apps changes.
    void count_app_locked(const std::string& client, int delta) SR_REQUIRES(m_mu);

    const ClientDirectory* m_directory;
    const uint64_t m_boot;
    mutable SharedMutex m_mu;
    std::unordered_map<hsm::AppId, std::string> m_apps SR_GUARDED_BY(m_mu);
    std::unordered_map<hsm::SessionId, SessionOwner> m_sessions SR_GUARDED_BY(m_mu);
    std::map<std::string, size_t> m_apps_per_client SR_GUARDED_BY(m_mu);  // no zero counts
};

}  // namespace sr::net
