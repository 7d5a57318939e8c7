// What srsh asks of the appliance beyond its HSM (service Appliance in
// proto/strongroom/v1/device.proto): registered clients, their partition assignments and the
// NTLS server certificate. An interface so srsh's commands run against strongroomd's admin socket
// (srsh_appliance_grpc.cpp) or, in tests, against an in-memory double. Implementations are used
// from one shell thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"

namespace sr::appliance {

struct ClientRecord {
    std::string name;
    std::string hostname;                 // informational (LunaSH -hostname / -ip)
    std::string certificate_fingerprint;  // SHA-256, hex with colons
    std::vector<std::string> partitions;  // names, in assignment order
};

struct NtlsStatus {
    std::string listen;  // host:port actually bound
    std::string server_certificate_fingerprint;
    std::string server_certificate_subject;
    std::string tls_versions;  // "TLSv1.3"
    uint64_t connected_clients = 0;
};

class ApplianceAdmin {
  public:
    virtual ~ApplianceAdmin() = default;

    virtual Result<ClientRecord> register_client(const std::string& name,
                                                 const std::string& certificate_pem,
                                                 const std::string& hostname) = 0;
    virtual Status delete_client(const std::string& name) = 0;
    virtual Result<std::vector<ClientRecord>> list_clients() = 0;
    virtual Result<ClientRecord> show_client(const std::string& name) = 0;
    // Partitions by name (PartitionInfo::name).
    virtual Result<ClientRecord> assign_partition(const std::string& client,
                                                  const std::string& partition) = 0;
    virtual Result<ClientRecord> revoke_partition(const std::string& client,
                                                  const std::string& partition) = 0;
    virtual Result<NtlsStatus> ntls_show() = 0;
    // A new server key and certificate for `hostnames` (empty: the daemon's default names);
    // clients must add the new server.pem. In force for connections after a daemon restart.
    virtual Result<NtlsStatus> regen_cert(const std::vector<std::string>& hostnames) = 0;
};

// The Appliance service on strongroomd's admin socket (a unix domain socket path). Does not
// contact the daemon; the first call does, and an unreachable daemon is DeviceError.
Result<std::unique_ptr<ApplianceAdmin>> connect_appliance_admin(
    const std::filesystem::path& socket);

}  // namespace sr::appliance
