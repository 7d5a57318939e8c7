#include "client/slot_table.h"

#include <algorithm>

#include "client/client_config.h"
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

namespace {

Result<net::ServerEndpoint> endpoint_of(Env& env, const std::filesystem::path& home,
                                        const ClientCredentials& creds, const ServerEntry& entry) {
    net::ServerEndpoint e;
    e.address = entry.address;
    auto cert = env.read_file(in_home(home, entry.certfile));
    if (!cert)
        return error(cert.code(), "its certificate " + entry.certfile + " cannot be read: " +
                                      cert.status().message());
    e.server_cert_pem = to_string(*cert);
    e.client_cert_pem = creds.cert_pem;
    e.client_key_pem = creds.key_pem.clone();
    return e;
}

// First contact: the device's info and an application for this client.
Result<std::shared_ptr<DeviceHandle>> attach_server(const RemoteConnector& connect,
                                                    const net::ServerEndpoint& endpoint) {
    auto handle = std::make_shared<DeviceHandle>();
    handle->server = endpoint.address;
    SR_ASSIGN_OR_RETURN(handle->device, connect(endpoint));
    SR_ASSIGN_OR_RETURN(handle->info, handle->device->info());
    SR_ASSIGN_OR_RETURN(handle->app, handle->device->attach());
    return handle;
}

Status list_partitions(NetworkServer& server) {
    SR_ASSIGN_OR_RETURN(auto parts, server.handle->device->partitions());
    server.partitions.clear();
    // The server lists only this client's partitions, already in assignment order.
    for (const auto& p : parts) server.partitions.push_back(p.id);
    return {};
}

void reach(Env& env, const std::filesystem::path& home, const RemoteConnector& connect,
           const Result<ClientCredentials>& creds, const ServerEntry& entry,
           const std::vector<NetworkServer>& previous, NetworkServer& server) {
    server.address = entry.address;
    Status st = creds.status();
    if (st) {
        auto endpoint = endpoint_of(env, home, *creds, entry);
        st = endpoint.status();
        if (endpoint) {
            server.server_cert_pem = endpoint->server_cert_pem;
            server.client_cert_pem = endpoint->client_cert_pem;
            for (const auto& p : previous)
                if (p.address == entry.address && p.server_cert_pem == server.server_cert_pem &&
                    p.client_cert_pem == server.client_cert_pem)
                    server.handle = p.handle;
            if (!server.handle) {
                auto handle = attach_server(connect, *endpoint);
                st = handle.status();
                if (handle) server.handle = std::move(*handle);
            }
        }
    }
    if (st && server.handle) st = list_partitions(server);
    if (!st) {
        server.partitions.clear();
        log::warn("network server {}: {} (its slots are absent)", entry.address, st.message());
    }
    server.status = std::move(st);
}

}  // namespace

std::vector<NetworkServer> reach_servers(Env& env, const std::filesystem::path& home,
                                         const RemoteConnector& connect,
                                         const std::vector<NetworkServer>& previous) {
    std::vector<NetworkServer> out;
    auto config = load_client_config(env, home);
    if (!config) {
        log::warn("no network slots: {}", config.status().message());
        return out;
    }
    if (config->servers.empty()) return out;
    const Result<ClientCredentials> creds = read_client_credentials(env, home, *config);
    out.resize(config->servers.size());
    for (size_t i = 0; i < out.size(); ++i)
        reach(env, home, connect, creds, config->servers[i], previous, out[i]);
    return out;
}

Result<std::vector<std::shared_ptr<const Slot>>> number_slots(
    const std::vector<std::shared_ptr<DeviceHandle>>& devices) {
    return number_slots({}, devices);
}

Result<std::vector<std::shared_ptr<const Slot>>> number_slots(
    const std::vector<NetworkServer>& servers,
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
    for (const auto& server : servers) {
        if (!server.status || !server.handle) continue;
        for (hsm::PartitionId p : server.partitions)
            add(server.handle, SlotKind::NetworkPartition, p);
    }
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
