#include "net/device_service_access.h"

#include <array>
#include <random>

#include "common/log.h"
#include "crypto/primitives.h"

namespace sr::net {
namespace {

constexpr unsigned kEngineBits = 40;
constexpr uint64_t kEngineMask = (uint64_t{1} << kEngineBits) - 1;
constexpr uint64_t kBootMask = (uint64_t{1} << (64 - kEngineBits)) - 1;

// The prefix of this service's wire ids, drawn anew for every service instance (every server
// start): engine ids restart at 1 when the device is reopened, and the prefix makes an id handed
// out by an earlier run foreign rather than silently naming a new app or session. Never 0, so a
// bare engine id is never valid on the wire. Not a secret; only has to differ between runs.
uint64_t new_boot_id() {
    uint64_t v = 0;
    while (v == 0) {
        std::array<uint8_t, 8> b{};
        if (!crypto::random_bytes(b).is_ok()) {
            std::random_device rd;
            for (auto& x : b) x = static_cast<uint8_t>(rd());
        }
        for (uint8_t x : b) v = (v << 8) | x;
        v &= kBootMask;
    }
    return v;
}

Status no_such_partition(hsm::PartitionId p) {
    // The engine's words for a partition that does not exist, so the two cannot be told apart.
    return error(Err::SlotIdInvalid, "no partition with id " + std::to_string(p));
}

}  // namespace

ServiceAccess::ServiceAccess(const ClientDirectory* directory)
    : m_directory(directory), m_boot(new_boot_id()) {}

Result<Caller> ServiceAccess::identify(const grpc::ServerContextBase& ctx) const {
    if (m_directory == nullptr) return Caller{};
    auto auth = ctx.auth_context();
    std::vector<grpc::string_ref> pems;
    if (auth) pems = auth->FindPropertyValues("x509_pem_cert");
    if (pems.empty()) return error(Err::UserNotAuthorized, "a client certificate is required");
    std::string_view pem(pems.front().data(), pems.front().size());
    Result<std::string> client = m_directory->client_for_certificate(pem);
    if (!client) {
        if (client.code() != Err::NotFound) return client.status();
        log::warn("net: refused a call from an unregistered client certificate ({})", ctx.peer());
        return error(Err::UserNotAuthorized,
                     "the client certificate is not registered with this appliance");
    }
    return Caller{std::move(*client)};
}

Result<uint64_t> ServiceAccess::app_to_wire(hsm::AppId app) const {
    if (app > kEngineMask) return error(Err::HostMemory, "application id beyond the wire range");
    return (m_boot << kEngineBits) | app;
}

Result<uint64_t> ServiceAccess::session_to_wire(hsm::SessionId s) const {
    if (s > kEngineMask) return error(Err::SessionCount, "session id beyond the wire range");
    return (m_boot << kEngineBits) | s;
}

std::optional<uint64_t> ServiceAccess::engine_id(uint64_t wire) const {
    if ((wire >> kEngineBits) != m_boot) return std::nullopt;
    return wire & kEngineMask;
}

Result<hsm::AppId> ServiceAccess::app(const Caller& who, uint64_t wire) const {
    std::optional<uint64_t> id = engine_id(wire);
    if (!id) return error(Err::CryptokiNotInitialized, kUnknownAppMessage);
    if (who.admin()) return *id;
    ReaderLock lock(m_mu);
    auto it = m_apps.find(*id);
    // The engine's answer for an app it does not know: another client's app is absent.
    if (it == m_apps.end() || it->second != *who.client)
        return error(Err::ArgumentsBad, "unknown application");
    return *id;
}

Result<hsm::SessionId> ServiceAccess::session(const Caller& who, uint64_t wire) const {
    std::optional<uint64_t> id = engine_id(wire);
    if (!id) return error(Err::SessionHandleInvalid);
    if (who.admin()) return *id;
    ReaderLock lock(m_mu);
    auto it = m_sessions.find(*id);
    if (it == m_sessions.end() || it->second.client != *who.client)
        return error(Err::SessionHandleInvalid);
    return *id;
}

std::optional<std::vector<hsm::PartitionId>> ServiceAccess::assigned(const Caller& who) const {
    if (who.admin()) return std::nullopt;
    std::vector<hsm::PartitionId> out;
    for (hsm::PartitionId p : m_directory->assigned_partitions(*who.client)) {
        if (p == hsm::kAdminPartition) continue;
        if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
    }
    return out;
}

Status ServiceAccess::check_partition(const Caller& who, hsm::PartitionId p) const {
    auto mine = assigned(who);
    if (!mine || std::find(mine->begin(), mine->end(), p) != mine->end()) return {};
    return no_such_partition(p);
}

Status ServiceAccess::refuse_for_clients(const Caller& who, std::string_view what) const {
    if (who.admin()) return {};
    return error(Err::OperationNotAllowed,
                 std::string(what) + " is HSM administration: use srsh on the appliance");
}

void ServiceAccess::adopt_app(const Caller& who, hsm::AppId app) {
    if (who.admin()) return;
    WriterLock lock(m_mu);
    auto [it, added] = m_apps.try_emplace(app, *who.client);
    if (!added) {
        if (it->second == *who.client) return;
        count_app_locked(it->second, -1);
        it->second = *who.client;
    }
    count_app_locked(*who.client, +1);
}

void ServiceAccess::forget_app(hsm::AppId app) {
    WriterLock lock(m_mu);
    if (auto it = m_apps.find(app); it != m_apps.end()) {
        count_app_locked(it->second, -1);
        m_apps.erase(it);
    }
    std::erase_if(m_sessions, [&](const auto& kv) { return kv.second.app == app; });
}

void ServiceAccess::adopt_session(const Caller& who, hsm::SessionId s, hsm::AppId app,
                                  hsm::PartitionId p) {
    if (who.admin()) return;
    WriterLock lock(m_mu);
    m_sessions[s] = SessionOwner{*who.client, app, p};
}

void ServiceAccess::forget_session(hsm::SessionId s) {
    WriterLock lock(m_mu);
    m_sessions.erase(s);
}

void ServiceAccess::forget_sessions(hsm::AppId app, hsm::PartitionId p) {
    WriterLock lock(m_mu);
    std::erase_if(m_sessions,
                  [&](const auto& kv) { return kv.second.app == app && kv.second.partition == p; });
}

void ServiceAccess::count_app_locked(const std::string& client, int delta) {
    auto it = m_apps_per_client.find(client);
    if (delta > 0) {
        if (it != m_apps_per_client.end()) {
            ++it->second;
            return;
        }
        m_apps_per_client.emplace(client, 1);
    } else {
        if (it == m_apps_per_client.end()) return;
        if (--it->second > 0) return;
        m_apps_per_client.erase(it);
    }
    if (m_directory == nullptr) return;
    std::vector<std::string> clients;
    clients.reserve(m_apps_per_client.size());
    for (const auto& kv : m_apps_per_client) clients.push_back(kv.first);
    m_directory->attached_clients_changed(clients);
}

size_t ServiceAccess::connected_clients() const {
    ReaderLock lock(m_mu);
    return m_apps_per_client.size();
}

Status ServiceAccess::observe(hsm::SessionId s, Status st) {
    // The engine closes sessions on its own too (partition init, detach, zeroization).
    if (st.code() == Err::SessionHandleInvalid || st.code() == Err::SessionClosed)
        forget_session(s);
    return st;
}

}  // namespace sr::net
