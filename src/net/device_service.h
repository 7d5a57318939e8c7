// The server side of service strongroom.v1.Device: every call decoded, checked against what the
// caller may see, and passed to one hsm::Device (docs/design/network-protocol.md "Visibility").
// Over TLS the caller is the registered client whose certificate the peer presented; it sees
// only its assigned partitions (never the admin partition) and only its own apps and sessions —
// anything else does not exist for it (SlotIdInvalid / SessionHandleInvalid). Over the admin
// socket (directory == nullptr) the caller sees everything. Thread-safe; the device must
// outlive the service.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "hsm/device.h"
#include "strongroom/v1/device.grpc.pb.h"

namespace sr::net {

// Who may see what: the appliance's client registry implements it (src/appliance). The
// service asks on every call, from its worker threads at once: implementations must be
// thread-safe, and should answer from memory (no file reads per call).
class ClientDirectory {
public:
    virtual ~ClientDirectory() = default;
    // The registered client whose certificate is exactly `peer_pem` (the TLS peer's leaf
    // certificate as gRPC reports it, PEM), or NotFound.
    virtual Result<std::string> client_for_certificate(std::string_view peer_pem) const = 0;
    // The partitions assigned to `client`, in assignment order (empty when none or unknown).
    virtual std::vector<hsm::PartitionId> assigned_partitions(std::string_view client) const = 0;
    // Told the clients holding at least one attached application (sorted, distinct) each time
    // that set changes: `ntls show` counts them. Const because the service holds the directory
    // const; called under the service's bookkeeping lock, so it must be quick and must not call
    // into the service. Default: ignored.
    virtual void attached_clients_changed(const std::vector<std::string>& clients) const {
        (void)clients;
    }
};

// Makes the service. The returned object is registered with a grpc::ServerBuilder.
std::unique_ptr<::strongroom::v1::Device::Service> make_device_service(
    hsm::Device& device, const ClientDirectory* directory);

// Ends the service's idle Batch streams at once and the busy ones after their current entry,
// and refuses new ones: clients keep streams open between calls, and grpc::Server::Shutdown
// would otherwise wait its whole grace period for them. Call right before Shutdown; `service`
// must come from make_device_service.
void drain_device_service(::strongroom::v1::Device::Service& service);

}  // namespace sr::net
