// RemoteDevice: connecting, the call helper's error context, applications (local AppIds mapped
// to the server's, re-attached after a server restart), administration, sessions, roles and
// policies. Objects and keys are in remote_device_ops.cpp, operation steps in
// remote_operations.cpp.
#include "net/remote_device.h"

#include <string.h>  // explicit_bzero

#include <utility>
#include <vector>

#include "common/log.h"
#include "net/channel.h"
#include "net/remote_device_impl.h"

namespace sr::net {

void wipe(std::string* s) noexcept {
    if (!s->empty()) explicit_bzero(s->data(), s->size());
    s->clear();
}

void wipe_secrets(pb::AttributeSet* set) noexcept {
    for (pb::Attribute& a : *set->mutable_attributes()) {
        if (a.secret()) wipe(a.mutable_value());
    }
}

pb::SessionRef session_ref(hsm::SessionId s) {
    pb::SessionRef ref;
    ref.set_session(s);
    return ref;
}

namespace {

pb::PolicyList policy_list(std::span<const hsm::PolicyValue> values) {
    pb::PolicyList out;
    for (const hsm::PolicyValue& v : values) {
        pb::PolicyValue* p = out.add_policies();
        p->set_id(v.id);
        p->set_value(v.value);
    }
    return out;
}

std::vector<hsm::PolicyValue> from_policy_list(const pb::PolicyList& in) {
    std::vector<hsm::PolicyValue> out;
    out.reserve(static_cast<size_t>(in.policies_size()));
    for (const pb::PolicyValue& p : in.policies()) out.push_back({p.id(), p.value()});
    return out;
}

hsm::PolicyChangeResult from_proto_change(const pb::PolicyChangeResult& in) {
    hsm::PolicyChangeResult out;
    out.destructive = in.destructive();
    out.destructive_ids.assign(in.destructive_ids().begin(), in.destructive_ids().end());
    return out;
}

pb::RoleRequest role_request(hsm::SessionId s, hsm::Role role, std::string_view password) {
    pb::RoleRequest req;
    req.set_session(s);
    req.set_role(role_to_wire(role));
    req.set_password(std::string(password));
    return req;
}

}  // namespace

Result<std::unique_ptr<hsm::Device>> connect_remote(const ServerEndpoint& server) {
    SR_ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> channel, tls_channel(server));
    return std::unique_ptr<hsm::Device>(
        std::make_unique<RemoteDevice>(std::move(channel), "strongroomd at " + server.address));
}

Result<std::unique_ptr<hsm::Device>> connect_admin_socket(const std::filesystem::path& socket) {
    if (socket.empty()) return error(Err::ArgumentsBad, "admin socket path is empty");
    return std::unique_ptr<hsm::Device>(std::make_unique<RemoteDevice>(
        admin_socket_channel(socket), "strongroomd admin socket " + socket.string()));
}

RemoteDevice::RemoteDevice(std::shared_ptr<grpc::Channel> channel, std::string peer)
    : m_channel(std::move(channel)), m_stub(pb::Device::NewStub(m_channel)),
      m_peer(std::move(peer)),
      m_streams(*m_stub, [this](const grpc::Status& st) { return transport_context(st); },
                kCallDeadline) {}

RemoteDevice::~RemoteDevice() {
    std::map<hsm::AppId, uint64_t> apps;
    {
        MutexLock lock(m_mu);
        apps.swap(m_apps);
    }
    // One bound for all of them: a dead server must not hold up the client's shutdown.
    auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(2);
    for (const auto& [local, server] : apps) {
        pb::AppRef ref;
        ref.set_app(server);
        Status st = call(&Stub::Detach, ref, deadline).status();
        if (!st) log::debug("{}: detaching app {} on close: {}", m_peer, local, st.to_string());
    }
}

Status RemoteDevice::transport_context(const grpc::Status& st) const {
    Status mapped = from_grpc(st);
    // Details name the engine's error; without them the call never reached the engine
    // (unreachable, TLS refused, deadline): say which server, and what a failed verify means.
    if (!st.error_details().empty()) return mapped;
    const std::string& why = st.error_message();
    // OpenSSL's wording, and BoringSSL's for gRPC builds that bundle it.
    if (why.find("certificate verify failed") != std::string::npos ||
        why.find("CERTIFICATE_VERIFY_FAILED") != std::string::npos) {
        return Status(Err::DeviceError,
                      m_peer + ": its certificate is not the server.pem this client trusts (" +
                          mapped.message() + ")");
    }
    return mapped.with_context(m_peer);
}

// ---------------------------------------------------------------- applications

Result<uint64_t> RemoteDevice::server_app(hsm::AppId local) const {
    MutexLock lock(m_mu);
    auto it = m_apps.find(local);
    if (it == m_apps.end()) return error(Err::ArgumentsBad, "unknown application");
    return it->second;
}

hsm::AppId RemoteDevice::local_app(uint64_t server_app) const {
    MutexLock lock(m_mu);
    for (const auto& [local, server] : m_apps) {
        if (server == server_app) return local;
    }
    return 0;  // not one of this client's apps
}

Result<uint64_t> RemoteDevice::reattach(hsm::AppId local, uint64_t stale) {
    Invalidation invalidation(*this);
    SR_ASSIGN_OR_RETURN(pb::AppRef fresh, call(&Stub::Attach, pb::Empty{}));
    uint64_t result = fresh.app();
    bool surplus = false;
    {
        MutexLock lock(m_mu);
        auto it = m_apps.find(local);
        if (it == m_apps.end()) {
            surplus = true;  // detached meanwhile
        } else if (it->second != stale) {
            surplus = true;  // another thread re-attached first: use its app
            result = it->second;
        } else {
            it->second = result;
        }
    }
    if (surplus) {
        (void)call(&Stub::Detach, fresh);
        if (result == fresh.app()) return error(Err::ArgumentsBad, "unknown application");
    } else {
        log::info("{}: the server no longer knows app {} (restarted); attached anew", m_peer,
                  local);
    }
    return result;
}

Result<hsm::AppId> RemoteDevice::attach() {
    SR_ASSIGN_OR_RETURN(pb::AppRef ref, call(&Stub::Attach, pb::Empty{}));
    MutexLock lock(m_mu);
    hsm::AppId local = m_next_app++;
    m_apps.emplace(local, ref.app());
    return local;
}

Status RemoteDevice::detach(hsm::AppId app) {
    Invalidation invalidation(*this);
    SR_ASSIGN_OR_RETURN(uint64_t server, server_app(app));
    pb::AppRef ref;
    ref.set_app(server);
    Status st = call_status(&Stub::Detach, ref);
    // A server that restarted has already forgotten the app, its sessions and its logins.
    if (st.code() == Err::CryptokiNotInitialized) st = Status::ok();
    if (st) {
        MutexLock lock(m_mu);
        m_apps.erase(app);
    }
    return st;
}

// ---------------------------------------------------------------- device and administration

Result<hsm::DeviceInfo> RemoteDevice::info() {
    SR_ASSIGN_OR_RETURN(pb::DeviceInfo reply, call(&Stub::Info, pb::Empty{}));
    return from_proto(reply);
}

Result<std::vector<hsm::MechanismDescription>> RemoteDevice::mechanisms() {
    SR_ASSIGN_OR_RETURN(pb::MechanismList reply, call(&Stub::Mechanisms, pb::Empty{}));
    std::vector<hsm::MechanismDescription> out;
    out.reserve(static_cast<size_t>(reply.mechanisms_size()));
    for (const pb::MechanismDescription& m : reply.mechanisms()) {
        out.push_back({m.id(), m.flags(), m.min_key_size(), m.max_key_size()});
    }
    return out;
}

Status RemoteDevice::init_hsm(hsm::AppId app, const hsm::HsmInitParams& params) {
    Invalidation invalidation(*this);
    return with_app(app, [&](uint64_t server) {
        pb::HsmInitRequest req;
        req.set_app(server);
        req.set_label(params.label);
        req.set_so_password(params.so_password);
        req.set_domain(params.domain);
        Status st = call_status(&Stub::InitHsm, req);
        wipe(req.mutable_so_password());
        wipe(req.mutable_domain());
        return st;
    });
}

Result<std::vector<hsm::PartitionInfo>> RemoteDevice::partitions() {
    SR_ASSIGN_OR_RETURN(pb::PartitionList reply, call(&Stub::Partitions, pb::Empty{}));
    std::vector<hsm::PartitionInfo> out;
    out.reserve(static_cast<size_t>(reply.partitions_size()));
    for (const pb::PartitionInfo& p : reply.partitions()) out.push_back(from_proto(p));
    return out;
}

Result<hsm::PartitionInfo> RemoteDevice::partition_info(hsm::PartitionId id) {
    pb::PartitionRef ref;
    ref.set_partition(id);
    SR_ASSIGN_OR_RETURN(pb::PartitionInfo reply, call(&Stub::GetPartitionInfo, ref));
    return from_proto(reply);
}

Result<hsm::PartitionId> RemoteDevice::create_partition(hsm::AppId app,
                                                        const hsm::PartitionCreateParams& p) {
    return with_app(app, [&](uint64_t server) -> Result<hsm::PartitionId> {
        pb::CreatePartitionRequest req;
        req.set_app(server);
        req.set_name(p.name);
        req.set_owner_password(p.owner_password);
        req.set_domain(p.domain);
        auto reply = call(&Stub::CreatePartition, req);
        wipe(req.mutable_owner_password());
        wipe(req.mutable_domain());
        if (!reply) return std::move(reply).status();
        return reply->partition();
    });
}

Status RemoteDevice::delete_partition(hsm::AppId app, hsm::PartitionId id) {
    Invalidation invalidation(*this);
    return with_app(app, [&](uint64_t server) {
        pb::DeletePartitionRequest req;
        req.set_app(server);
        req.set_partition(id);
        return call_status(&Stub::DeletePartition, req);
    });
}

Status RemoteDevice::init_partition(hsm::AppId app, hsm::PartitionId id,
                                    const hsm::PartitionInitParams& p) {
    Invalidation invalidation(*this);
    return with_app(app, [&](uint64_t server) {
        pb::InitPartitionRequest req;
        req.set_app(server);
        req.set_partition(id);
        req.set_label(p.label);
        req.set_so_password(p.so_password);
        req.set_domain(p.domain);
        Status st = call_status(&Stub::InitPartition, req);
        wipe(req.mutable_so_password());
        wipe(req.mutable_domain());
        return st;
    });
}

// ---------------------------------------------------------------- sessions

Result<hsm::SessionId> RemoteDevice::open_session(hsm::AppId app, hsm::PartitionId partition,
                                                  bool read_write) {
    return with_app(app, [&](uint64_t server) -> Result<hsm::SessionId> {
        pb::OpenSessionRequest req;
        req.set_app(server);
        req.set_partition(partition);
        req.set_read_write(read_write);
        SR_ASSIGN_OR_RETURN(pb::SessionRef reply, call(&Stub::OpenSession, req));
        return reply.session();
    });
}

Status RemoteDevice::close_session(hsm::SessionId s) {
    // Closing ends the session's operations: an init deferred there need not be sent.
    m_deferred.drop(s);
    return call_status(&Stub::CloseSession, session_ref(s));
}

Status RemoteDevice::close_all_sessions(hsm::AppId app, hsm::PartitionId partition) {
    Invalidation invalidation(*this);
    return with_app(app, [&](uint64_t server) {
        pb::CloseAllSessionsRequest req;
        req.set_app(server);
        req.set_partition(partition);
        return call_status(&Stub::CloseAllSessions, req);
    });
}

Result<hsm::SessionInfo> RemoteDevice::session_info(hsm::SessionId s) {
    SR_ASSIGN_OR_RETURN(pb::SessionInfo reply, call(&Stub::GetSessionInfo, session_ref(s)));
    SR_ASSIGN_OR_RETURN(hsm::SessionInfo out, from_proto(reply));
    out.app = local_app(out.app);
    return out;
}

// ---------------------------------------------------------------- roles

Status RemoteDevice::login(hsm::SessionId s, hsm::Role role, std::string_view password) {
    Invalidation invalidation(*this);
    pb::LoginRequest req;
    req.set_session(s);
    req.set_role(role_to_wire(role));
    req.set_password(std::string(password));
    Status st = call_status(&Stub::Login, req);
    wipe(req.mutable_password());
    return st;
}

Status RemoteDevice::logout(hsm::SessionId s) {
    Invalidation invalidation(*this);
    return call_status(&Stub::Logout, session_ref(s));
}

Status RemoteDevice::init_role(hsm::SessionId s, hsm::Role role, std::string_view password) {
    Invalidation invalidation(*this);
    pb::RoleRequest req = role_request(s, role, password);
    Status st = call_status(&Stub::InitRole, req);
    wipe(req.mutable_password());
    return st;
}

Status RemoteDevice::change_password(hsm::SessionId s, hsm::Role role,
                                     std::string_view old_password,
                                     std::string_view new_password) {
    Invalidation invalidation(*this);
    pb::ChangePasswordRequest req;
    req.set_session(s);
    req.set_role(role_to_wire(role));
    req.set_old_password(std::string(old_password));
    req.set_new_password(std::string(new_password));
    Status st = call_status(&Stub::ChangePassword, req);
    wipe(req.mutable_old_password());
    wipe(req.mutable_new_password());
    return st;
}

Status RemoteDevice::reset_password(hsm::SessionId s, hsm::Role role,
                                    std::string_view new_password) {
    Invalidation invalidation(*this);
    pb::RoleRequest req = role_request(s, role, new_password);
    Status st = call_status(&Stub::ResetPassword, req);
    wipe(req.mutable_password());
    return st;
}

Result<hsm::RoleState> RemoteDevice::role_state(hsm::PartitionId partition, hsm::Role role) {
    pb::RoleStateRequest req;
    req.set_partition(partition);
    req.set_role(role_to_wire(role));
    SR_ASSIGN_OR_RETURN(pb::RoleState reply, call(&Stub::GetRoleState, req));
    return from_proto(reply);
}

// ---------------------------------------------------------------- policies

Result<std::vector<hsm::PolicyValue>> RemoteDevice::hsm_policies() {
    SR_ASSIGN_OR_RETURN(pb::PolicyList reply, call(&Stub::HsmPolicies, pb::Empty{}));
    return from_policy_list(reply);
}

Result<std::vector<hsm::PolicyValue>> RemoteDevice::partition_policies(
    hsm::PartitionId partition) {
    pb::PartitionRef ref;
    ref.set_partition(partition);
    SR_ASSIGN_OR_RETURN(pb::PolicyList reply, call(&Stub::PartitionPolicies, ref));
    return from_policy_list(reply);
}

Result<hsm::PolicyChangeResult> RemoteDevice::set_hsm_policies(
    hsm::AppId app, std::span<const hsm::PolicyValue> changes) {
    Invalidation invalidation(*this);
    return with_app(app, [&](uint64_t server) -> Result<hsm::PolicyChangeResult> {
        pb::SetHsmPoliciesRequest req;
        req.set_app(server);
        *req.mutable_changes() = policy_list(changes).policies();
        SR_ASSIGN_OR_RETURN(pb::PolicyChangeResult reply, call(&Stub::SetHsmPolicies, req));
        return from_proto_change(reply);
    });
}

Result<hsm::PolicyChangeResult> RemoteDevice::set_partition_policies(
    hsm::AppId app, hsm::PartitionId partition, std::span<const hsm::PolicyValue> changes) {
    Invalidation invalidation(*this);
    return with_app(app, [&](uint64_t server) -> Result<hsm::PolicyChangeResult> {
        pb::SetPartitionPoliciesRequest req;
        req.set_app(server);
        req.set_partition(partition);
        *req.mutable_changes() = policy_list(changes).policies();
        SR_ASSIGN_OR_RETURN(pb::PolicyChangeResult reply, call(&Stub::SetPartitionPolicies, req));
        return from_proto_change(reply);
    });
}

}  // namespace sr::net
