// The slot table: every slot this client host sees, numbered deterministically (BEHAVIOUR.md
// "Homes, devices, factory"; docs/design/client-config.md): network partitions first (servers in
// client.toml order, each server's partitions in assignment order), then local devices by serial
// (the device's admin slot, then its partitions in id order; a Backup HSM is one slot), then HA
// virtual slots (none yet). Slots are immutable values shared by pointer; a table is a snapshot.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/result.h"
#include "hsm/device.h"
#include "net/remote_device.h"

namespace sr::client {

// One opened device and this client's application on it. Owned by shared_ptr: slots and
// sessions keep it alive. Thread-safe (hsm::Device is).
struct DeviceHandle {
    std::filesystem::path folder;  // a local device's folder; empty for a network server
    std::string server;            // a network server's "host:port"; empty for a local device
    std::unique_ptr<hsm::Device> device;
    hsm::DeviceInfo info;   // as read when the device was opened
    hsm::AppId app = 0;

    DeviceHandle() = default;
    DeviceHandle(const DeviceHandle&) = delete;
    DeviceHandle& operator=(const DeviceHandle&) = delete;
    ~DeviceHandle();  // detaches the application
};

// Where a slot's token lives. HA virtual slots will join this list.
enum class SlotKind { LocalAdmin, LocalPartition, NetworkPartition };

struct Slot {
    uint64_t id = 0;
    SlotKind kind = SlotKind::LocalAdmin;
    std::shared_ptr<DeviceHandle> device;
    hsm::PartitionId partition = hsm::kAdminPartition;

    bool admin() const noexcept { return kind == SlotKind::LocalAdmin; }
    hsm::Device& dev() const noexcept { return *device->device; }
    hsm::SlotIdentity identity() const;
};

// Opens every device folder under <home>/devices (sorted by serial). Folders that do not open
// (an unfinished device, a foreign file) are skipped with a warning: one broken device must not
// hide the others.
Result<std::vector<std::shared_ptr<DeviceHandle>>> open_local_devices(Env& env,
                                                                     const std::filesystem::path& home);

// Makes the device of a network server: net::connect_remote, or a stand-in in tests.
using RemoteConnector =
    std::function<Result<std::unique_ptr<hsm::Device>>(const net::ServerEndpoint&)>;

// One [[server]] of client.toml and what this client last learned from it.
struct NetworkServer {
    std::string address;
    std::string server_cert_pem;  // the certificate the handle trusts
    std::string client_cert_pem;  // and the one it presents
    std::shared_ptr<DeviceHandle> handle;     // set once the server answered and attached us
    std::vector<hsm::PartitionId> partitions;  // assigned to this client, in assignment order
    Status status;  // ok while its partitions are listed; else why its slots are absent
};

// Reads client.toml and asks every server for this client's partitions (device info and attach
// on first contact). A server that cannot be reached, or whose certificate files are missing,
// keeps a failed status and a logged warning: one broken server must not hide the others. A
// server of `previous` with the same address and certificate keeps its handle (and so its
// application and the sessions on it). An unreadable client.toml is a warning and no servers.
std::vector<NetworkServer> reach_servers(Env& env, const std::filesystem::path& home,
                                         const RemoteConnector& connect,
                                         const std::vector<NetworkServer>& previous);

// Numbers the slots: the partitions of the reachable servers, then these devices (already
// sorted by serial), reading their partition lists.
Result<std::vector<std::shared_ptr<const Slot>>> number_slots(
    const std::vector<NetworkServer>& servers,
    const std::vector<std::shared_ptr<DeviceHandle>>& devices);
// Local devices only (tools that must not reach the network).
Result<std::vector<std::shared_ptr<const Slot>>> number_slots(
    const std::vector<std::shared_ptr<DeviceHandle>>& devices);

}  // namespace sr::client
