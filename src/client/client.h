// Client core: the slot table of this host and the sessions an application holds on its slots.
// Both faces (libstrongroom.so, srcm) are thin over it. Thread-safe: the slot table is under one
// short-held lock, the session table is sharded (a lookup takes no client-wide lock); each
// session has its own lock that callers hold for one call on it (PKCS#11 sessions are serial),
// so calls on different sessions run in parallel.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "client/slot_table.h"
#include "common/env.h"
#include "common/mutex.h"
#include "common/secret.h"
#include "common/sharded_index.h"

namespace sr::client {

// The call whose result a session keeps for the PKCS#11 length-query rule (v2.40 §5.2): a
// single-part call that produced output the caller's buffer could not take is answered again,
// without recomputing, when the caller repeats it with a big enough buffer.
enum class PendingCall : uint8_t {
    Encrypt, EncryptUpdate, EncryptFinal, Decrypt, DecryptUpdate, DecryptFinal,
    Sign, SignFinal, Digest, DigestFinal, WrapKey,
    // Dual-function updates (src/pkcs11/dual.cpp) and signatures with recovery.
    DigestEncryptUpdate, DecryptDigestUpdate, SignEncryptUpdate, DecryptVerifyUpdate,
    SignRecover, VerifyRecover,
    // Luna vendor calls (src/pkcs11/ca_*.cpp): a hello or sealed object must not be made twice.
    CloneHello, CloneSource, ExtractMasked,
};

struct PendingOutput {
    PendingCall call = PendingCall::Encrypt;
    uint64_t request = 0;  // tells apart repeats of one call with other arguments (C_WrapKey)
    SecretBytes bytes;
};

class ClientSession final {
public:
    ClientSession(uint64_t handle, std::shared_ptr<const Slot> slot, hsm::SessionId id, bool rw)
        : m_handle(handle), m_slot(std::move(slot)), m_id(id), m_rw(rw) {}

    uint64_t handle() const noexcept { return m_handle; }
    const Slot& slot() const noexcept { return *m_slot; }
    hsm::SessionId id() const noexcept { return m_id; }
    bool read_write() const noexcept { return m_rw; }
    hsm::Device& dev() const noexcept { return m_slot->dev(); }

    Mutex mu;
    std::optional<PendingOutput> pending SR_GUARDED_BY(mu);

private:
    const uint64_t m_handle;
    const std::shared_ptr<const Slot> m_slot;
    const hsm::SessionId m_id;
    const bool m_rw;
};

// What `clientconfig verify` reports of one network server.
struct ServerReport {
    std::string address;
    Status status;  // ok when its partitions are slots
    size_t partitions = 0;
};

class Client final {
public:
    // Opens the local devices of `home`, reaches the network servers of its client.toml
    // (net::connect_remote) and numbers their slots.
    static Result<std::unique_ptr<Client>> open(const std::filesystem::path& home);
    static Result<std::unique_ptr<Client>> open(const std::filesystem::path& home,
                                                RemoteConnector connect);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    const std::filesystem::path& home() const noexcept { return m_home; }

    std::vector<std::shared_ptr<const Slot>> slots() const SR_EXCLUDES(m_mu);
    // SlotIdInvalid for an unknown slot number.
    Result<std::shared_ptr<const Slot>> slot(uint64_t id) const SR_EXCLUDES(m_mu);
    // Renumbers the slots from the devices' current partition lists (partitions created or
    // deleted since) and client.toml's servers, asked again (servers added or removed, a server
    // down or back). Open sessions keep the slot they were opened on.
    Status refresh() SR_EXCLUDES(m_mu, m_refresh_mu);
    // The network servers as the last open or refresh found them, in client.toml order.
    std::vector<ServerReport> servers() const SR_EXCLUDES(m_mu);

    Result<std::shared_ptr<ClientSession>> open_session(uint64_t slot, bool read_write)
        SR_EXCLUDES(m_mu);
    // SessionHandleInvalid for an unknown handle.
    Result<std::shared_ptr<ClientSession>> session(uint64_t handle) const SR_EXCLUDES(m_mu);
    Status close_session(uint64_t handle) SR_EXCLUDES(m_mu);
    Status close_all_sessions(uint64_t slot) SR_EXCLUDES(m_mu);

    struct SessionCounts {
        uint64_t all = 0;
        uint64_t read_write = 0;
    };
    SessionCounts session_counts(uint64_t slot) const SR_EXCLUDES(m_mu);

private:
    Client(std::filesystem::path home, RemoteConnector connect)
        : m_home(std::move(home)), m_connect(std::move(connect)) {}

    PosixEnv m_env;
    const std::filesystem::path m_home;
    const RemoteConnector m_connect;
    std::vector<std::shared_ptr<DeviceHandle>> m_devices;  // fixed after open

    // Serializes refreshes, which talk to servers without holding m_mu (taken before m_mu).
    Mutex m_refresh_mu;
    std::vector<NetworkServer> m_servers SR_GUARDED_BY(m_refresh_mu);

    mutable Mutex m_mu;
    std::vector<std::shared_ptr<const Slot>> m_slots SR_GUARDED_BY(m_mu);
    std::vector<ServerReport> m_reports SR_GUARDED_BY(m_mu);
    uint64_t m_next_handle SR_GUARDED_BY(m_mu) = 1;
    // Looked up on every session call, by every thread.
    ShardedIndex<std::shared_ptr<ClientSession>> m_sessions;
};

}  // namespace sr::client
