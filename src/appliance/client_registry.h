// The appliance's registered clients and their partition assignments (clients.json, format in
// docs/design/appliance.md): the net::ClientDirectory strongroomd's TLS listener consults, and
// the data behind srsh's `client ...` commands. Thread-safe (one lock; every change is written
// with Env::write_file_atomic before it becomes visible; per-call lookups read memory only).
// The device must outlive the registry.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/env.h"
#include "common/mutex.h"
#include "common/result.h"
#include "hsm/device.h"
#include "net/device_service.h"

namespace sr::appliance {

// One registered client as shown to the administrator.
struct ClientView {
    std::string name;
    std::string hostname;
    std::string certificate_fingerprint;  // SHA-256 of the DER, uppercase hex with colons
    std::vector<std::string> partitions;  // names of existing partitions, in assignment order
};

class ClientRegistry final : public net::ClientDirectory {
public:
    // Loads `path` (absent means no clients yet). DataInvalid when the file is not a registry.
    static Result<std::unique_ptr<ClientRegistry>> open(Env& env, std::filesystem::path path,
                                                        hsm::Device& device);

    // AlreadyExists for a taken name or an already registered certificate; ArgumentsBad for an
    // empty or odd name, or a certificate that does not parse.
    Result<ClientView> register_client(std::string_view name, std::string_view hostname,
                                       std::string_view certificate_pem);
    // NotFound for an unknown client.
    Status delete_client(std::string_view name);
    std::vector<ClientView> list() const;
    Result<ClientView> show(std::string_view name) const;
    // NotFound for an unknown client or partition; AlreadyExists if already assigned.
    Result<ClientView> assign(std::string_view client, std::string_view partition);
    // NotFound for an unknown client or a partition not assigned to it.
    Result<ClientView> revoke(std::string_view client, std::string_view partition);

    // net::ClientDirectory: exact DER equality of the presented certificate with a registered one.
    Result<std::string> client_for_certificate(std::string_view peer_pem) const override;
    std::vector<hsm::PartitionId> assigned_partitions(std::string_view client) const override;
    void attached_clients_changed(const std::vector<std::string>& clients) const override;

    // `ntls show`'s connected clients: the registered clients that hold at least one attached
    // application on the Device service (a deleted client's leftover apps do not count).
    size_t connected_clients() const;

    // A fingerprint in the form ClientView uses (also for the server certificate).
    static std::string colon_fingerprint(ByteView der);

private:
    // Partition ids are never reused by the store, so an assignment keeps its id: a deleted
    // partition re-created under the same name is a different partition, not assigned.
    struct Assignment {
        std::string name;
        hsm::PartitionId id = 0;
    };
    struct Record {
        std::string name;
        std::string hostname;
        std::string certificate_pem;  // as registered
        std::string canonical_pem;    // re-encoded from the DER: the form gRPC reports peers in
        Bytes certificate_der;
        std::vector<Assignment> partitions;
    };

    ClientRegistry(Env& env, std::filesystem::path path, hsm::Device& device)
        : m_env(env), m_path(std::move(path)), m_device(device) {}

    // The device's partitions; empty on a device error (nothing is then visible).
    std::vector<hsm::PartitionInfo> device_partitions() const;
    // Drops assignments of partitions that no longer exist, persisting the change. Runs on the
    // administrator's calls only: per-call lookups answer from memory, and the service never
    // shows a partition the device no longer has.
    void prune_locked(const std::vector<hsm::PartitionInfo>& parts) const SR_REQUIRES(m_mu);
    static Result<Record> record_from_json(const nlohmann::json& c,
                                           const std::vector<hsm::PartitionInfo>& parts);
    Status persist_locked(const std::vector<Record>& records) const SR_REQUIRES(m_mu);
    const Record* find_locked(std::string_view name) const SR_REQUIRES(m_mu);
    static ClientView view_of(const Record& r);

    Env& m_env;
    const std::filesystem::path m_path;
    hsm::Device& m_device;
    mutable Mutex m_mu;
    // Mutable: lookups prune assignments of deleted partitions.
    mutable std::vector<Record> m_records SR_GUARDED_BY(m_mu);
    // Its own lock: the service reports under its bookkeeping lock, never while holding m_mu.
    mutable Mutex m_attached_mu;
    mutable std::vector<std::string> m_attached SR_GUARDED_BY(m_attached_mu);
};

}  // namespace sr::appliance
