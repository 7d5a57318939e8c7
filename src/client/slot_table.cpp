#include "client/slot_table.h"

#include <algorithm>

#include "client/home.h"
#include "common/log.h"
#include "hsm/local_device.h"

namespace sr::client {

DeviceHandle::~DeviceHandle() {
    if (device && app != 0) (void)device->detach(app);
}

hsm::SlotIdentity Slot::identity() const {
    hsm::SlotIdentity s;
    s.form_factor = device->info.form_factor;
    s.firmware = device->info.firmware;
    s.auth = device->info.auth;
    s.admin_slot = admin();
    return s;
}

Result<std::vector<std::shared_ptr<DeviceHandle>>> open_local_devices(
    Env& env, const std::filesystem::path& home) {
    std::vector<std::shared_ptr<DeviceHandle>> out;
    const auto dir = local_devices_dir(home);
    if (!env.exists(dir)) return out;
    SR_ASSIGN_OR_RETURN(auto names, env.list_dir(dir));
    for (const auto& name : names) {
        const auto folder = dir / name;
        auto dev = hsm::LocalDevice::open(env, folder);
        if (!dev) {
            log::warn("skipping device folder {}: {}", folder.string(), dev.status().to_string());
            continue;
        }
        auto handle = std::make_shared<DeviceHandle>();
        handle->folder = folder;
        handle->device = std::move(*dev);
        SR_ASSIGN_OR_RETURN(handle->info, handle->device->info());
        SR_ASSIGN_OR_RETURN(handle->app, handle->device->attach());
        out.push_back(std::move(handle));
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a->info.serial < b->info.serial; });
    return out;
}

Result<std::vector<std::shared_ptr<const Slot>>> number_slots(
    const std::vector<std::shared_ptr<DeviceHandle>>& devices) {
    std::vector<std::shared_ptr<const Slot>> out;
    auto add = [&](const std::shared_ptr<DeviceHandle>& d, SlotKind kind, hsm::PartitionId p) {
        auto s = std::make_shared<Slot>();
        s->id = out.size();
        s->kind = kind;
        s->device = d;
        s->partition = p;
        out.push_back(std::move(s));
    };
    for (const auto& d : devices) {
        add(d, SlotKind::LocalAdmin, hsm::kAdminPartition);
        if (d->info.form_factor == hsm::FormFactor::Backup) continue;
        SR_ASSIGN_OR_RETURN(auto parts, d->device->partitions());
        std::sort(parts.begin(), parts.end(),
                  [](const auto& a, const auto& b) { return a.id < b.id; });
        for (const auto& p : parts) add(d, SlotKind::LocalPartition, p.id);
    }
    return out;
}

}  // namespace sr::client
