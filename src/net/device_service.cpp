// Device service: the device, applications, HSM and partition administration, sessions,
// roles and policies.
#include "net/device_service.h"

#include <algorithm>

#include "net/device_service_impl.h"

namespace sr::net {

std::unique_ptr<pb::Device::Service> make_device_service(hsm::Device& device,
                                                         const ClientDirectory* directory) {
    return std::make_unique<DeviceService>(device, directory);
}

void drain_device_service(pb::Device::Service& service) {
    static_cast<DeviceService&>(service).drain();
}

std::string wire_bytes(ByteView b) {
    return std::string(b.begin(), b.end());
}
ByteView view(const std::string& s) {
    return as_bytes(s);
}

Status put(pb::BytesValue* out, Result<Bytes> r) {
    if (!r) return r.status();
    out->set_value(wire_bytes(*r));
    return {};
}
Status put(pb::BytesValue* out, Result<SecretBytes> r) {
    if (!r) return r.status();
    out->set_value(wire_bytes(r->span()));
    return {};
}
Status put(pb::HandleValue* out, Result<hsm::ObjectHandle> r) {
    if (!r) return r.status();
    out->set_handle(*r);
    return {};
}

namespace {

std::vector<hsm::PolicyValue> policy_changes(
    const google::protobuf::RepeatedPtrField<pb::PolicyValue>& in) {
    std::vector<hsm::PolicyValue> out;
    out.reserve(static_cast<size_t>(in.size()));
    for (const auto& v : in) out.push_back({v.id(), v.value()});
    return out;
}

Status put_policies(pb::PolicyList* out, Result<std::vector<hsm::PolicyValue>> r) {
    if (!r) return r.status();
    for (const auto& v : *r) {
        auto* p = out->add_policies();
        p->set_id(v.id);
        p->set_value(v.value);
    }
    return {};
}

Status put_change(pb::PolicyChangeResult* out, Result<hsm::PolicyChangeResult> r) {
    if (!r) return r.status();
    out->set_destructive(r->destructive);
    for (uint32_t id : r->destructive_ids) out->add_destructive_ids(id);
    return {};
}

// The partitions a client sees, in assignment order; assigned ids that no longer exist are
// left out.
std::vector<hsm::PartitionInfo> visible_partitions(std::vector<hsm::PartitionInfo> all,
                                                   const std::vector<hsm::PartitionId>& mine) {
    std::vector<hsm::PartitionInfo> out;
    for (hsm::PartitionId id : mine) {
        auto it = std::find_if(all.begin(), all.end(), [&](const auto& p) { return p.id == id; });
        if (it != all.end()) out.push_back(std::move(*it));
    }
    return out;
}

}  // namespace

// ---------------------------------------------------------------- device and applications

grpc::Status DeviceService::Info(Ctx* c, const pb::Empty*, pb::DeviceInfo* out) {
    return serve(c, [&](const Caller& who) -> Status {
        SR_ASSIGN_OR_RETURN(hsm::DeviceInfo info, m_device.info());
        if (auto mine = m_access.assigned(who)) {
            SR_ASSIGN_OR_RETURN(auto all, m_device.partitions());
            info.partition_count = visible_partitions(std::move(all), *mine).size();
        }
        to_proto(info, out);
        return {};
    });
}

grpc::Status DeviceService::Mechanisms(Ctx* c, const pb::Empty*, pb::MechanismList* out) {
    return serve(c, [&](const Caller&) -> Status {
        SR_ASSIGN_OR_RETURN(auto list, m_device.mechanisms());
        for (const auto& m : list) {
            auto* d = out->add_mechanisms();
            d->set_id(m.id);
            d->set_flags(m.flags);
            d->set_min_key_size(m.min_key_size);
            d->set_max_key_size(m.max_key_size);
        }
        return {};
    });
}

grpc::Status DeviceService::Attach(Ctx* c, const pb::Empty*, pb::AppRef* out) {
    return serve(c, [&](const Caller& who) -> Status {
        SR_ASSIGN_OR_RETURN(hsm::AppId app, m_device.attach());
        Result<uint64_t> wire = m_access.app_to_wire(app);
        if (!wire) {
            (void)m_device.detach(app);
            return wire.status();
        }
        m_access.adopt_app(who, app);
        out->set_app(*wire);
        return {};
    });
}

grpc::Status DeviceService::Detach(Ctx* c, const pb::AppRef* rq, pb::Empty*) {
    return serve(c, [&](const Caller& who) -> Status {
        SR_ASSIGN_OR_RETURN(hsm::AppId app, m_access.app(who, rq->app()));
        Status st = m_device.detach(app);
        m_access.forget_app(app);  // the engine closed its sessions (or never knew it)
        return st;
    });
}

// ---------------------------------------------------------------- HSM administration

grpc::Status DeviceService::InitHsm(Ctx* c, const pb::HsmInitRequest* rq, pb::Empty*) {
    return serve(c, [&](const Caller& who) -> Status {
        SR_TRY(m_access.refuse_for_clients(who, "HSM init"));
        SR_ASSIGN_OR_RETURN(hsm::AppId app, m_access.app(who, rq->app()));
        return m_device.init_hsm(app, {rq->label(), rq->so_password(), rq->domain()});
    });
}

grpc::Status DeviceService::Partitions(Ctx* c, const pb::Empty*, pb::PartitionList* out) {
    return serve(c, [&](const Caller& who) -> Status {
        SR_ASSIGN_OR_RETURN(auto all, m_device.partitions());
        if (auto mine = m_access.assigned(who)) all = visible_partitions(std::move(all), *mine);
        for (const auto& p : all) to_proto(p, out->add_partitions());
        return {};
    });
}

grpc::Status DeviceService::GetPartitionInfo(Ctx* c, const pb::PartitionRef* rq,
                                             pb::PartitionInfo* out) {
    return serve(c, [&](const Caller& who) -> Status {
        SR_TRY(m_access.check_partition(who, rq->partition()));
        SR_ASSIGN_OR_RETURN(hsm::PartitionInfo info, m_device.partition_info(rq->partition()));
        to_proto(info, out);
        return {};
    });
}

grpc::Status DeviceService::CreatePartition(Ctx* c, const pb::CreatePartitionRequest* rq,
                                            pb::PartitionRef* out) {
    return serve(c, [&](const Caller& who) -> Status {
        SR_TRY(m_access.refuse_for_clients(who, "partition create"));
        SR_ASSIGN_OR_RETURN(hsm::AppId app, m_access.app(who, rq->app()));
        SR_ASSIGN_OR_RETURN(
            hsm::PartitionId id,
            m_device.create_partition(app, {rq->name(), rq->owner_password(), rq->domain()}));
        out->set_partition(id);
        return {};
    });
}

grpc::Status DeviceService::DeletePartition(Ctx* c, const pb::DeletePartitionRequest* rq,
                                            pb::Empty*) {
    return serve(c, [&](const Caller& who) -> Status {
        SR_TRY(m_access.refuse_for_clients(who, "partition delete"));
        SR_ASSIGN_OR_RETURN(hsm::AppId app, m_access.app(who, rq->app()));
        return m_device.delete_partition(app, rq->partition());
    });
}

grpc::Status DeviceService::InitPartition(Ctx* c, const pb::InitPartitionRequest* rq, pb::Empty*) {
    return serve(c, [&](const Caller& who) -> Status {
        SR_ASSIGN_OR_RETURN(hsm::AppId app, m_access.app(who, rq->app()));
        SR_TRY(m_access.check_partition(who, rq->partition()));
        return m_device.init_partition(app, rq->partition(),
                                       {rq->label(), rq->so_password(), rq->domain()});
    });
}

// ---------------------------------------------------------------- sessions

grpc::Status DeviceService::OpenSession(Ctx* c, const pb::OpenSessionRequest* rq,
                                        pb::SessionRef* out) {
    return serve(c, [&](const Caller& who) -> Status {
        SR_ASSIGN_OR_RETURN(hsm::AppId app, m_access.app(who, rq->app()));
        // Checked on every open: a revoked assignment refuses new sessions at once.
        SR_TRY(m_access.check_partition(who, rq->partition()));
        SR_ASSIGN_OR_RETURN(hsm::SessionId s,
                            m_device.open_session(app, rq->partition(), rq->read_write()));
        Result<uint64_t> wire = m_access.session_to_wire(s);
        if (!wire) {
            (void)m_device.close_session(s);
            return wire.status();
        }
        m_access.adopt_session(who, s, app, rq->partition());
        out->set_session(*wire);
        return {};
    });
}

grpc::Status DeviceService::CloseSession(Ctx* c, const pb::SessionRef* rq, pb::Empty*) {
    return on_session(c, rq->session(), [&](hsm::SessionId s) {
        Status st = m_device.close_session(s);
        m_access.forget_session(s);
        return st;
    });
}

grpc::Status DeviceService::CloseAllSessions(Ctx* c, const pb::CloseAllSessionsRequest* rq,
                                             pb::Empty*) {
    return serve(c, [&](const Caller& who) -> Status {
        SR_ASSIGN_OR_RETURN(hsm::AppId app, m_access.app(who, rq->app()));
        SR_TRY(m_access.check_partition(who, rq->partition()));
        Status st = m_device.close_all_sessions(app, rq->partition());
        m_access.forget_sessions(app, rq->partition());
        return st;
    });
}

grpc::Status DeviceService::GetSessionInfo(Ctx* c, const pb::SessionRef* rq, pb::SessionInfo* out) {
    return on_session(c, rq->session(), [&](hsm::SessionId s) -> Status {
        SR_ASSIGN_OR_RETURN(hsm::SessionInfo info, m_device.session_info(s));
        SR_ASSIGN_OR_RETURN(info.app, m_access.app_to_wire(info.app));
        to_proto(info, out);
        return {};
    });
}

// ---------------------------------------------------------------- roles

grpc::Status DeviceService::Login(Ctx* c, const pb::LoginRequest* rq, pb::Empty*) {
    return on_session(c, rq->session(), [&](hsm::SessionId s) -> Status {
        SR_ASSIGN_OR_RETURN(hsm::Role role, role_from_wire(rq->role()));
        return m_device.login(s, role, rq->password());
    });
}

grpc::Status DeviceService::Logout(Ctx* c, const pb::SessionRef* rq, pb::Empty*) {
    return on_session(c, rq->session(), [&](hsm::SessionId s) { return m_device.logout(s); });
}

grpc::Status DeviceService::InitRole(Ctx* c, const pb::RoleRequest* rq, pb::Empty*) {
    return on_session(c, rq->session(), [&](hsm::SessionId s) -> Status {
        SR_ASSIGN_OR_RETURN(hsm::Role role, role_from_wire(rq->role()));
        return m_device.init_role(s, role, rq->password());
    });
}

grpc::Status DeviceService::ChangePassword(Ctx* c, const pb::ChangePasswordRequest* rq,
                                           pb::Empty*) {
    return on_session(c, rq->session(), [&](hsm::SessionId s) -> Status {
        SR_ASSIGN_OR_RETURN(hsm::Role role, role_from_wire(rq->role()));
        return m_device.change_password(s, role, rq->old_password(), rq->new_password());
    });
}

grpc::Status DeviceService::ResetPassword(Ctx* c, const pb::RoleRequest* rq, pb::Empty*) {
    return on_session(c, rq->session(), [&](hsm::SessionId s) -> Status {
        SR_ASSIGN_OR_RETURN(hsm::Role role, role_from_wire(rq->role()));
        return m_device.reset_password(s, role, rq->password());
    });
}

grpc::Status DeviceService::GetRoleState(Ctx* c, const pb::RoleStateRequest* rq,
                                         pb::RoleState* out) {
    return serve(c, [&](const Caller& who) -> Status {
        SR_TRY(m_access.check_partition(who, rq->partition()));
        SR_ASSIGN_OR_RETURN(hsm::Role role, role_from_wire(rq->role()));
        SR_ASSIGN_OR_RETURN(hsm::RoleState state, m_device.role_state(rq->partition(), role));
        to_proto(state, out);
        return {};
    });
}

// ---------------------------------------------------------------- policies

grpc::Status DeviceService::HsmPolicies(Ctx* c, const pb::Empty*, pb::PolicyList* out) {
    return serve(c, [&](const Caller& who) -> Status {
        SR_TRY(m_access.refuse_for_clients(who, "reading HSM policies"));
        return put_policies(out, m_device.hsm_policies());
    });
}

grpc::Status DeviceService::PartitionPolicies(Ctx* c, const pb::PartitionRef* rq,
                                              pb::PolicyList* out) {
    return serve(c, [&](const Caller& who) -> Status {
        SR_TRY(m_access.check_partition(who, rq->partition()));
        return put_policies(out, m_device.partition_policies(rq->partition()));
    });
}

grpc::Status DeviceService::SetHsmPolicies(Ctx* c, const pb::SetHsmPoliciesRequest* rq,
                                           pb::PolicyChangeResult* out) {
    return serve(c, [&](const Caller& who) -> Status {
        SR_TRY(m_access.refuse_for_clients(who, "changing HSM policies"));
        SR_ASSIGN_OR_RETURN(hsm::AppId app, m_access.app(who, rq->app()));
        auto changes = policy_changes(rq->changes());
        return put_change(out, m_device.set_hsm_policies(app, changes));
    });
}

grpc::Status DeviceService::SetPartitionPolicies(Ctx* c, const pb::SetPartitionPoliciesRequest* rq,
                                                 pb::PolicyChangeResult* out) {
    return serve(c, [&](const Caller& who) -> Status {
        SR_ASSIGN_OR_RETURN(hsm::AppId app, m_access.app(who, rq->app()));
        SR_TRY(m_access.check_partition(who, rq->partition()));
        auto changes = policy_changes(rq->changes());
        return put_change(out, m_device.set_partition_policies(app, rq->partition(), changes));
    });
}

}  // namespace sr::net
