// The slot table: every slot this client host sees, numbered deterministically (BEHAVIOUR.md
// "Homes, devices, factory"): network partitions first (none yet), then local devices by serial
// (the device's admin slot, then its partitions in id order; a Backup HSM is one slot), then HA
// virtual slots (none yet). Slots are immutable values shared by pointer; a table is a snapshot.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/result.h"
#include "hsm/device.h"

namespace sr::client {

// One opened device and this client's application on it. Owned by shared_ptr: slots and
// sessions keep it alive. Thread-safe (hsm::Device is).
struct DeviceHandle {
    std::filesystem::path folder;
    std::unique_ptr<hsm::Device> device;
    hsm::DeviceInfo info;   // as read when the device was opened
    hsm::AppId app = 0;

    DeviceHandle() = default;
    DeviceHandle(const DeviceHandle&) = delete;
    DeviceHandle& operator=(const DeviceHandle&) = delete;
    ~DeviceHandle();  // detaches the application
};

// Where a slot's token lives. Network and HA slots will join this list.
enum class SlotKind { LocalAdmin, LocalPartition };

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

// Numbers the slots of these devices (already sorted by serial), reading their partition lists.
Result<std::vector<std::shared_ptr<const Slot>>> number_slots(
    const std::vector<std::shared_ptr<DeviceHandle>>& devices);

}  // namespace sr::client
