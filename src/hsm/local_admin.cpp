// LocalDevice: HSM init, partition create / delete / init, and HSM and partition policies.
#include <algorithm>

#include "hsm/local_device.h"
#include "hsm/policy.h"
#include "hsm/sealing.h"

namespace sr::hsm {
namespace {

constexpr size_t kMaxLabel = 32;

Status check_label(std::string_view what, std::string_view label) {
    if (label.empty() || label.size() > kMaxLabel)
        return error(Err::ArgumentsBad, std::string(what) + " must be 1 to 32 characters");
    return {};
}

int64_t unix_now(Env& env) {
    return std::chrono::duration_cast<std::chrono::seconds>(env.now().time_since_epoch()).count();
}

std::vector<PolicyValue> to_values(const std::map<uint32_t, uint64_t>& m) {
    std::vector<PolicyValue> out;
    for (const auto& [id, v] : m) out.push_back({id, v});
    return out;
}

Status write_policies(store::Txn& txn, PartitionId p, const std::map<uint32_t, uint64_t>& values) {
    for (const auto& [id, v] : values) SR_TRY(txn.put_policy({p, id, v}));
    return {};
}

Status delete_all_partitions(store::Txn& txn) {
    SR_ASSIGN_OR_RETURN(auto parts, txn.partitions());
    for (const auto& p : parts) SR_TRY(txn.delete_partition(p.id));
    return {};
}

// After a committed policy change: the partitions' runtimes re-read their policy values.
void forget_cached_policies(const std::vector<std::shared_ptr<PartitionRuntime>>& runtimes) {
    for (const auto& rt : runtimes) rt->forget_policy_values();
}

}  // namespace

Result<std::map<uint32_t, uint64_t>> LocalDevice::policy_values(store::Txn& txn, PartitionId p) {
    auto values = default_policy_values(p == kAdminPartition ? hsm::hsm_policies()
                                                             : hsm::partition_policies(),
                                        m_config.firmware);
    SR_ASSIGN_OR_RETURN(auto stored, txn.policies(p));
    for (const auto& rec : stored) values[rec.policy_id] = rec.value;
    if (p == kAdminPartition) {
        // The authentication type is the hardware's, fixed at manufacture (device.toml).
        values[hsm_policy::kPinAuthentication] = m_config.auth == AuthType::Password ? 1 : 0;
        values[hsm_policy::kPedAuthentication] = m_config.auth == AuthType::Ped ? 1 : 0;
    }
    return values;
}

Status LocalDevice::init_hsm(AppId app, const HsmInitParams& params) {
    SR_TRY(check_label("the HSM label", params.label));
    store::HsmRecord current;
    if (Status st_ = m_store->read([&](store::Txn& txn) -> Status {
        SR_ASSIGN_OR_RETURN(current, txn.hsm());
        return {};
    }); !st_) return st_;

    store::HsmRecord next;
    if (current.initialized) {
        // Soft init: the SO proves itself by being logged in; credential and domain stay.
        SR_TRY(require_login(app, kAdminPartition, Role::HsmSo));
        next = current;
    } else {
        SR_TRY(check_password_length(params.so_password.size()));
        SR_ASSIGN_OR_RETURN(next.so_credential, sealing::hash_password(params.so_password));
        std::string domain = params.domain;
        if (domain.empty()) {
            // No domain given: a random one nobody knows, so the admin partition clones nowhere.
            SR_ASSIGN_OR_RETURN(Bytes r, crypto::random_public(32));
            domain = to_hex(r);
        }
        SR_ASSIGN_OR_RETURN(auto sealed, sealing::seal_domain(m_master_key, kAdminPartition, domain));
        next.domain_key_sealed = std::move(sealed.key_sealed);
        next.domain_fingerprint = std::move(sealed.fingerprint);
    }
    next.label = params.label;
    next.initialized = true;
    next.so_failed_logins = 0;
    next.initialized_at = unix_now(m_env);
    if (Status st_ = m_store->write([&](store::Txn& txn) -> Status {
        SR_TRY(delete_all_partitions(txn));
        SR_TRY(txn.put_hsm(next));
        if (!current.initialized)
            SR_TRY(write_policies(txn, kAdminPartition,
                                  default_policy_values(hsm::hsm_policies(), m_config.firmware)));
        return txn.append_audit({0, 0, kAdminPartition, "HSM SO",
                                 current.initialized ? "hsm.init.soft" : "hsm.init.hard",
                                 "label=" + params.label, {}, {}});
    }); !st_) return st_;
    reset_partition_state(std::nullopt);
    return {};
}

Result<std::vector<PartitionInfo>> LocalDevice::partitions() {
    std::vector<PartitionInfo> out;
    if (Status st_ = m_store->read([&](store::Txn& txn) -> Status {
        SR_ASSIGN_OR_RETURN(auto parts, txn.partitions());
        for (const auto& rec : parts) {
            SR_ASSIGN_OR_RETURN(PartitionInfo info, to_info(rec));
            SR_ASSIGN_OR_RETURN(info.object_count, txn.count_objects(rec.id));
            out.push_back(std::move(info));
        }
        return {};
    }); !st_) return st_;
    return out;
}

Result<PartitionInfo> LocalDevice::partition_info(PartitionId id) {
    PartitionInfo out;
    if (Status st_ = m_store->read([&](store::Txn& txn) -> Status {
        SR_ASSIGN_OR_RETURN(auto rec, txn.partition(id));
        if (!rec) return error(Err::SlotIdInvalid, "no partition with id " + std::to_string(id));
        SR_ASSIGN_OR_RETURN(out, to_info(*rec));
        SR_ASSIGN_OR_RETURN(out.object_count, txn.count_objects(id));
        return {};
    }); !st_) return st_;
    return out;
}

Result<PartitionId> LocalDevice::create_partition(AppId app, const PartitionCreateParams& p) {
    SR_TRY(require_login(app, kAdminPartition, Role::HsmSo));
    SR_TRY(check_label("the partition name", p.name));
    const bool legacy = m_generation == Generation::PrePpso;
    std::string owner_hash;
    SecretBytes storage_key;
    if (legacy) {
        if (p.domain.empty())
            return error(Err::ArgumentsBad,
                         "pre-PPSO firmware: the HSM SO sets the partition domain at creation");
        SR_TRY(check_password_length(p.owner_password.size()));
        SR_ASSIGN_OR_RETURN(owner_hash, sealing::hash_password(p.owner_password));
        SR_ASSIGN_OR_RETURN(storage_key, sealing::new_storage_key());
    } else if (!p.owner_password.empty() || !p.domain.empty()) {
        return error(Err::ArgumentsBad,
                     "this firmware creates partitions uninitialized; use partition init");
    }

    PartitionId id = 0;
    if (Status st_ = m_store->write([&](store::Txn& txn) -> Status {
        SR_ASSIGN_OR_RETURN(auto existing, txn.partition_by_name(p.name));
        if (existing)
            return error(Err::AlreadyExists, "a partition named '" + p.name + "' exists");
        SR_ASSIGN_OR_RETURN(auto hsm_values, policy_values(txn, kAdminPartition));
        store::PartitionRecord rec;
        rec.name = p.name;
        rec.so_can_reset_pin = hsm_values[hsm_policy::kSoCanResetPin] != 0;
        rec.created_at = unix_now(m_env);
        SR_ASSIGN_OR_RETURN(id, txn.insert_partition(rec));
        rec.id = id;
        rec.serial = m_config.serial * 1000 + id;
        if (legacy) {
            rec.label = p.name;
            rec.initialized = true;
            SR_ASSIGN_OR_RETURN(rec.storage_key_sealed,
                                sealing::seal_storage_key(m_master_key, id, storage_key));
            SR_ASSIGN_OR_RETURN(auto dom, sealing::seal_domain(m_master_key, id, p.domain));
            rec.domain_key_sealed = std::move(dom.key_sealed);
            rec.domain_fingerprint = std::move(dom.fingerprint);
            store::RoleRecord owner;
            owner.partition_id = id;
            owner.role = to_role_id(Role::CryptoOfficer);
            owner.credential = owner_hash;
            SR_TRY(txn.put_role(owner));
        }
        SR_TRY(txn.update_partition(rec));
        SR_TRY(write_policies(txn, id,
                              default_policy_values(hsm::partition_policies(), m_config.firmware)));
        return txn.append_audit({0, 0, id, "HSM SO", "partition.create", "name=" + p.name, {}, {}});
    }); !st_) return st_;
    return id;
}

Status LocalDevice::delete_partition(AppId app, PartitionId id) {
    SR_TRY(require_login(app, kAdminPartition, Role::HsmSo));
    if (Status st_ = m_store->write([&](store::Txn& txn) -> Status {
        SR_ASSIGN_OR_RETURN(auto rec, txn.partition(id));
        if (!rec) return error(Err::SlotIdInvalid, "no partition with id " + std::to_string(id));
        SR_TRY(txn.delete_partition(id));
        return txn.append_audit({0, 0, id, "HSM SO", "partition.delete", "name=" + rec->name, {}, {}});
    }); !st_) return st_;
    reset_partition_state(id);
    return {};
}

Status LocalDevice::init_partition(AppId app, PartitionId id, const PartitionInitParams& p) {
    (void)app;
    if (m_generation == Generation::PrePpso)
        return error(Err::FunctionNotSupported,
                     "pre-PPSO partitions are set up by the HSM SO at partition create");
    SR_TRY(check_label("the partition label", p.label));
    SR_TRY(check_password_length(p.so_password.size()));
    if (p.domain.empty()) return error(Err::ArgumentsBad, "a cloning domain is required");

    std::optional<store::PartitionRecord> current;
    std::optional<store::RoleRecord> po;
    if (Status st_ = m_store->read([&](store::Txn& txn) -> Status {
        SR_ASSIGN_OR_RETURN(current, txn.partition(id));
        SR_ASSIGN_OR_RETURN(po, txn.role(id, to_role_id(Role::PartitionSo)));
        return {};
    }); !st_) return st_;
    if (!current) return error(Err::SlotIdInvalid, "no partition with id " + std::to_string(id));
    if (current->initialized && po && !po->credential.empty()) {
        // Re-init proves knowledge of the current Partition SO password.
        Status st = crypto::verify_password(p.so_password, po->credential);
        if (st.code() == Err::PinIncorrect) return record_failed_login(id, Role::PartitionSo);
        SR_TRY(st);
    }

    SR_ASSIGN_OR_RETURN(std::string po_hash, sealing::hash_password(p.so_password));
    SR_ASSIGN_OR_RETURN(SecretBytes storage_key, sealing::new_storage_key());
    SR_ASSIGN_OR_RETURN(auto dom, sealing::seal_domain(m_master_key, id, p.domain));
    SR_ASSIGN_OR_RETURN(Bytes storage_sealed,
                        sealing::seal_storage_key(m_master_key, id, storage_key));
    if (Status st_ = m_store->write([&](store::Txn& txn) -> Status {
        SR_ASSIGN_OR_RETURN(auto rec, txn.partition(id));
        if (!rec) return error(Err::SlotIdInvalid, "the partition was deleted");
        SR_TRY(txn.delete_objects(id));
        SR_TRY(txn.delete_roles(id));
        rec->label = p.label;
        rec->initialized = true;
        rec->storage_key_sealed = storage_sealed;
        rec->domain_key_sealed = dom.key_sealed;
        rec->domain_fingerprint = dom.fingerprint;
        SR_TRY(txn.update_partition(*rec));
        store::RoleRecord so;
        so.partition_id = id;
        so.role = to_role_id(Role::PartitionSo);
        so.credential = po_hash;
        SR_TRY(txn.put_role(so));
        SR_TRY(write_policies(txn, id,
                              default_policy_values(hsm::partition_policies(), m_config.firmware)));
        return txn.append_audit({0, 0, id, "Partition SO", "partition.init", "label=" + p.label, {}, {}});
    }); !st_) return st_;
    reset_partition_state(id);
    return {};
}

Result<SecretBytes> LocalDevice::domain_key(PartitionId p) {
    Bytes sealed;
    if (Status st_ = m_store->read([&](store::Txn& txn) -> Status {
            if (p == kAdminPartition) {
                SR_ASSIGN_OR_RETURN(auto hsm, txn.hsm());
                sealed = hsm.domain_key_sealed;
                return {};
            }
            SR_ASSIGN_OR_RETURN(auto rec, txn.partition(p));
            if (!rec) return error(Err::SlotIdInvalid, "no such partition");
            sealed = rec->domain_key_sealed;
            return {};
        });
        !st_)
        return st_;
    if (sealed.empty()) return error(Err::CloningParameterMissing, "no cloning domain is set");
    return sealing::open_domain_key(m_master_key, p, sealed);
}

Result<std::vector<PolicyValue>> LocalDevice::hsm_policies() {
    std::map<uint32_t, uint64_t> values;
    if (Status st_ = m_store->read([&](store::Txn& txn) -> Status {
        SR_ASSIGN_OR_RETURN(values, policy_values(txn, kAdminPartition));
        return {};
    }); !st_) return st_;
    return to_values(values);
}

Result<std::vector<PolicyValue>> LocalDevice::partition_policies(PartitionId partition) {
    if (partition == kAdminPartition) return hsm_policies();
    std::map<uint32_t, uint64_t> values;
    if (Status st_ = m_store->read([&](store::Txn& txn) -> Status {
        SR_ASSIGN_OR_RETURN(auto rec, txn.partition(partition));
        if (!rec) return error(Err::SlotIdInvalid, "no such partition");
        SR_ASSIGN_OR_RETURN(values, policy_values(txn, partition));
        return {};
    }); !st_) return st_;
    return to_values(values);
}

Result<PolicyChangeResult> LocalDevice::set_hsm_policies(AppId app,
                                                         std::span<const PolicyValue> changes) {
    SR_TRY(require_login(app, kAdminPartition, Role::HsmSo));
    std::vector<std::pair<uint32_t, uint64_t>> list;
    for (const auto& c : changes) {
        if (c.id == hsm_policy::kPinAuthentication || c.id == hsm_policy::kPedAuthentication)
            return error(Err::OperationNotAllowed,
                         "the authentication type is fixed when the device is made");
        list.emplace_back(c.id, c.value);
    }
    PolicyChangeResult result;
    if (Status st_ = m_store->write([&](store::Txn& txn) -> Status {
        SR_ASSIGN_OR_RETURN(auto current, policy_values(txn, kAdminPartition));
        SR_ASSIGN_OR_RETURN(auto plan, plan_policy_change(hsm::hsm_policies(), current, list,
                                                          m_config.firmware));
        // A destructive HSM policy change erases every partition first (luna-reference §3.1).
        if (plan.destructive()) SR_TRY(delete_all_partitions(txn));
        for (const auto& [id, v] : plan.effective_changes)
            SR_TRY(txn.put_policy({kAdminPartition, id, v}));
        result.destructive = plan.destructive();
        result.destructive_ids = plan.destructive_ids;
        return txn.append_audit({0, 0, kAdminPartition, "HSM SO", "hsm.policy",
                                 plan.destructive() ? "destructive" : "", {}, {}});
    }); !st_) return st_;
    if (result.destructive) reset_partition_state(std::nullopt, /*admin_logins=*/false);
    std::vector<std::shared_ptr<PartitionRuntime>> runtimes;
    {
        MutexLock lock(m_runtime_mu);
        for (const auto& [id, rt] : m_runtimes) runtimes.push_back(rt);
    }
    forget_cached_policies(runtimes);
    return result;
}

Result<PolicyChangeResult> LocalDevice::set_partition_policies(
    AppId app, PartitionId partition, std::span<const PolicyValue> changes) {
    if (partition == kAdminPartition) return set_hsm_policies(app, changes);
    // Pre-PPSO partitions have no SO of their own: the HSM SO changes their policies.
    if (m_generation == Generation::PrePpso)
        SR_TRY(require_login(app, kAdminPartition, Role::HsmSo));
    else
        SR_TRY(require_login(app, partition, Role::PartitionSo));
    std::vector<std::pair<uint32_t, uint64_t>> list;
    for (const auto& c : changes) list.emplace_back(c.id, c.value);
    PolicyChangeResult result;
    if (Status st_ = m_store->write([&](store::Txn& txn) -> Status {
        SR_ASSIGN_OR_RETURN(auto rec, txn.partition(partition));
        if (!rec) return error(Err::SlotIdInvalid, "no such partition");
        SR_ASSIGN_OR_RETURN(auto current, policy_values(txn, partition));
        SR_ASSIGN_OR_RETURN(auto plan, plan_policy_change(hsm::partition_policies(), current, list,
                                                          m_config.firmware));
        if (plan.destructive()) SR_TRY(txn.delete_objects(partition));
        for (const auto& [id, v] : plan.effective_changes)
            SR_TRY(txn.put_policy({partition, id, v}));
        result.destructive = plan.destructive();
        result.destructive_ids = plan.destructive_ids;
        return txn.append_audit({0, 0, partition, "Partition SO", "partition.policy",
                                 plan.destructive() ? "destructive" : "", {}, {}});
    }); !st_) return st_;
    if (result.destructive) {
        // Drop cached and session objects but keep sessions and logins.
        MutexLock lock(m_runtime_mu);
        m_runtimes.erase(partition);
    }
    std::vector<std::shared_ptr<PartitionRuntime>> runtimes;
    {
        MutexLock lock(m_runtime_mu);
        for (const auto& [id, rt] : m_runtimes) runtimes.push_back(rt);
    }
    forget_cached_policies(runtimes);
    return result;
}

}  // namespace sr::hsm
