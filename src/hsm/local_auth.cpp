// LocalDevice: logins, logouts, role init / change / reset, and the lockout rules
// (BEHAVIOUR.md "Roles, credentials, lockout"; luna-reference §4.2).
#include <algorithm>

#include "hsm/local_device.h"
#include "hsm/policy.h"
#include "hsm/sealing.h"

namespace sr::hsm {
namespace {

bool is_so_role(Role r) { return r == Role::HsmSo || r == Role::PartitionSo; }

// Who initializes (and may reset) whom. `needs_so_reset_policy`: the reset is allowed only when
// the partition was created with HSM policy 15 on.
struct RoleAuthority {
    Role target;
    Role by;
    bool needs_so_reset_policy;
};
constexpr RoleAuthority kRoleAuthority[] = {
    {Role::CryptoOfficer, Role::PartitionSo, true},
    {Role::CryptoUser, Role::CryptoOfficer, false},
    {Role::LimitedCryptoOfficer, Role::CryptoOfficer, false},
    {Role::Auditor, Role::PartitionSo, false},
};

const RoleAuthority* authority_for(Role target) {
    for (const auto& a : kRoleAuthority)
        if (a.target == target) return &a;
    return nullptr;
}

Status role_on_slot(std::span<const Role> roles, Role role) {
    if (std::find(roles.begin(), roles.end(), role) == roles.end())
        return error(Err::UserTypeInvalid, "this slot has no " +
                                               std::string(role_display_name(role)) + " role");
    return {};
}

enum class Outcome { Counted, HsmZeroized, PartitionZeroized, Locked };

// The lockout rule of a partition role whose failure count reached its threshold.
Result<Outcome> apply_lockout(store::Txn& txn, PartitionId p, Role role, store::RoleRecord& rec) {
    switch (lockout_rule(role).action) {
        case LockoutAction::ZeroizePartition: {
            SR_ASSIGN_OR_RETURN(auto part, txn.partition(p));
            if (!part) return error(Err::SlotIdInvalid);
            SR_TRY(txn.delete_objects(p));
            SR_TRY(txn.delete_roles(p));
            part->initialized = false;
            part->label.clear();
            part->storage_key_sealed.clear();
            part->domain_key_sealed.clear();
            part->domain_fingerprint.clear();
            SR_TRY(txn.update_partition(*part));
            SR_TRY(txn.append_audit({0, 0, p, "Partition SO", "partition.zeroize",
                                     "failed Partition SO logins", {}, {}}));
            return Outcome::PartitionZeroized;
        }
        case LockoutAction::LockOfficerAndUser:
            for (Role r : {Role::CryptoOfficer, Role::CryptoUser}) {
                SR_ASSIGN_OR_RETURN(auto locked, txn.role(p, to_role_id(r)));
                if (!locked) continue;
                locked->locked_out = true;
                SR_TRY(txn.put_role(*locked));
            }
            break;
        case LockoutAction::ZeroizeHsm:
        case LockoutAction::LockUser:
        case LockoutAction::LockRole:
            rec.locked_out = true;
            SR_TRY(txn.put_role(rec));
            break;
    }
    SR_TRY(txn.append_audit({0, 0, p, std::string(role_display_name(role)), "role.lockout", "",
                             {}, {}}));
    return Outcome::Locked;
}

}  // namespace

Status LocalDevice::login(SessionId s, Role role, std::string_view password) {
    SR_ASSIGN_OR_RETURN(auto session, find_session(s));
    const PartitionId p = session->partition();
    SR_TRY(role_on_slot(p == kAdminPartition ? hsm_roles(m_config.firmware)
                                             : partition_roles(m_config.firmware),
                        role));
    {
        MutexLock lock(m_mu);
        auto& logins = m_apps[session->app()].logins;
        auto it = logins.find(p);
        if (it != logins.end())
            return error(it->second == role ? Err::UserAlreadyLoggedIn
                                            : Err::UserAnotherAlreadyLoggedIn);
        if (is_so_role(role))
            for (const auto& [id, other] : m_sessions)
                if (other->app() == session->app() && other->partition() == p &&
                    !other->read_write())
                    return error(Err::SessionReadOnlyExists,
                                 "close the read-only sessions before the SO logs in");
    }

    std::string credential;
    uint32_t failed = 0;
    if (Status st_ = m_store->read([&](store::Txn& txn) -> Status {
        if (role == Role::HsmSo) {
            SR_ASSIGN_OR_RETURN(auto hsm, txn.hsm());
            if (!hsm.initialized) return error(Err::HsmNotInitialized, "the HSM is not initialized");
            credential = hsm.so_credential;
            failed = hsm.so_failed_logins;
            return {};
        }
        if (p != kAdminPartition) {
            SR_ASSIGN_OR_RETURN(auto part, txn.partition(p));
            if (!part || !part->initialized)
                return error(Err::PartitionNotInitialized, "the partition is not initialized");
        }
        SR_ASSIGN_OR_RETURN(auto rec, txn.role(p, to_role_id(role)));
        if (!rec || rec->credential.empty())
            return error(Err::UserPinNotInitialized,
                         "the " + std::string(role_display_name(role)) + " is not initialized");
        if (rec->locked_out)
            return error(Err::PinLocked,
                         "the " + std::string(role_display_name(role)) + " is locked out");
        credential = rec->credential;
        failed = rec->failed_logins;
        return {};
    }); !st_) return st_;

    Status verdict = crypto::verify_password(password, credential);
    if (verdict.code() == Err::PinIncorrect) return record_failed_login(p, role);
    SR_TRY(verdict);

    if (failed != 0) {
        if (Status st_ = m_store->write([&](store::Txn& txn) -> Status {
            if (role == Role::HsmSo) {
                SR_ASSIGN_OR_RETURN(auto hsm, txn.hsm());
                hsm.so_failed_logins = 0;
                return txn.put_hsm(hsm);
            }
            SR_ASSIGN_OR_RETURN(auto rec, txn.role(p, to_role_id(role)));
            if (!rec) return error(Err::UserPinNotInitialized);
            rec->failed_logins = 0;
            return txn.put_role(*rec);
        }); !st_) return st_;
    }
    MutexLock lock(m_mu);
    if (m_sessions.count(s) == 0) return error(Err::SessionClosed);
    auto [it, inserted] = m_apps[session->app()].logins.emplace(p, role);
    if (!inserted)
        return error(it->second == role ? Err::UserAlreadyLoggedIn
                                        : Err::UserAnotherAlreadyLoggedIn);
    return {};
}

Status LocalDevice::record_failed_login(PartitionId p, Role role) {
    Outcome outcome = Outcome::Counted;
    uint32_t count = 0;
    uint32_t threshold = 0;
    if (Status st_ = m_store->write([&](store::Txn& txn) -> Status {
        if (role == Role::HsmSo) {
            SR_ASSIGN_OR_RETURN(auto hsm, txn.hsm());
            count = ++hsm.so_failed_logins;
            threshold = lockout_threshold(role, {});
            if (count < threshold) {
                SR_TRY(txn.put_hsm(hsm));
                return txn.append_audit({0, 0, kAdminPartition, "HSM SO", "login.fail",
                                         std::to_string(count), {}, {}});
            }
            // Zeroize: every partition gone, the HSM back to its uninitialized state.
            SR_ASSIGN_OR_RETURN(auto parts, txn.partitions());
            for (const auto& part : parts) SR_TRY(txn.delete_partition(part.id));
            SR_TRY(txn.put_hsm(store::HsmRecord{}));
            outcome = Outcome::HsmZeroized;
            return txn.append_audit({0, 0, kAdminPartition, "HSM SO", "hsm.zeroize",
                                     "failed SO logins", {}, {}});
        }
        SR_ASSIGN_OR_RETURN(auto rec, txn.role(p, to_role_id(role)));
        if (!rec) return error(Err::UserPinNotInitialized);
        SR_ASSIGN_OR_RETURN(auto values, policy_values(txn, p));
        threshold = lockout_threshold(role, values);
        count = ++rec->failed_logins;
        SR_TRY(txn.put_role(*rec));
        if (count < threshold)
            return txn.append_audit({0, 0, p, std::string(role_display_name(role)), "login.fail",
                                     std::to_string(count), {}, {}});
        SR_ASSIGN_OR_RETURN(outcome, apply_lockout(txn, p, role, *rec));
        return {};
    }); !st_) return st_;
    const std::string counted = " (" + std::to_string(count) + " of " +
                                std::to_string(threshold) + " failed attempts)";
    switch (outcome) {
        case Outcome::Counted:
            return error(Err::PinIncorrect, "incorrect password" + counted);
        case Outcome::HsmZeroized:
            reset_partition_state(std::nullopt);
            return error(Err::SoLoginFailureThreshold,
                         "too many failed HSM SO logins: the HSM was zeroized");
        case Outcome::PartitionZeroized:
            reset_partition_state(p);
            return error(Err::PinLocked,
                         "too many failed Partition SO logins: the partition was zeroized");
        case Outcome::Locked:
            return error(Err::PinLocked, "too many failed logins: the " +
                                             std::string(role_display_name(role)) +
                                             (role == Role::CryptoOfficer ? " and Crypto User are"
                                                                          : " is") +
                                             " locked out");
    }
    return error(Err::GeneralError);
}

Status LocalDevice::logout(SessionId s) {
    SR_ASSIGN_OR_RETURN(auto session, find_session(s));
    {
        MutexLock lock(m_mu);
        auto& logins = m_apps[session->app()].logins;
        if (logins.erase(session->partition()) == 0) return error(Err::UserNotLoggedIn);
    }
    if (session->partition() != kAdminPartition)
        if (auto rt = runtime(session->partition()); rt)
            drop_session_objects(**rt, std::nullopt, session->app());
    return {};
}

Status LocalDevice::init_role(SessionId s, Role role, std::string_view password) {
    SR_ASSIGN_OR_RETURN(auto session, find_session(s));
    const PartitionId p = session->partition();
    if (m_generation == Generation::PrePpso)
        return error(Err::FunctionNotSupported,
                     "pre-PPSO partitions have only their owner, set at partition create");
    if (p == kAdminPartition) return error(Err::UserTypeInvalid, "no role init on the admin slot");
    SR_TRY(role_on_slot(partition_roles(m_config.firmware), role));
    const RoleAuthority* auth = authority_for(role);
    if (!auth) return error(Err::UserTypeInvalid, "this role is not initialized with role init");
    SR_TRY(require_login(session->app(), p, auth->by));
    SR_TRY(check_password_length(password.size()));
    SR_ASSIGN_OR_RETURN(std::string hash, sealing::hash_password(password));
    return m_store->write([&](store::Txn& txn) -> Status {
        SR_ASSIGN_OR_RETURN(auto existing, txn.role(p, to_role_id(role)));
        if (existing && !existing->credential.empty())
            return error(Err::AlreadyExists, "the " + std::string(role_display_name(role)) +
                                                 " is already initialized; use role resetpw");
        store::RoleRecord rec;
        rec.partition_id = p;
        rec.role = to_role_id(role);
        rec.credential = hash;
        rec.must_change_password = true;
        SR_TRY(txn.put_role(rec));
        return txn.append_audit({0, 0, p, std::string(role_display_name(auth->by)), "role.init",
                                 std::string(role_display_name(role)), {}, {}});
    });
}

Status LocalDevice::change_password(SessionId s, Role role, std::string_view old_password,
                                    std::string_view new_password) {
    SR_ASSIGN_OR_RETURN(auto session, find_session(s));
    const PartitionId p = session->partition();
    SR_TRY(require_login(session->app(), p, role));
    SR_TRY(check_password_length(new_password.size()));
    std::string credential;
    if (Status st_ = m_store->read([&](store::Txn& txn) -> Status {
        if (role == Role::HsmSo) {
            SR_ASSIGN_OR_RETURN(auto hsm, txn.hsm());
            credential = hsm.so_credential;
            return {};
        }
        SR_ASSIGN_OR_RETURN(auto rec, txn.role(p, to_role_id(role)));
        if (!rec) return error(Err::UserPinNotInitialized);
        credential = rec->credential;
        return {};
    }); !st_) return st_;
    Status verdict = crypto::verify_password(old_password, credential);
    if (verdict.code() == Err::PinIncorrect) return record_failed_login(p, role);
    SR_TRY(verdict);
    SR_ASSIGN_OR_RETURN(std::string hash, sealing::hash_password(new_password));
    return m_store->write([&](store::Txn& txn) -> Status {
        if (role == Role::HsmSo) {
            SR_ASSIGN_OR_RETURN(auto hsm, txn.hsm());
            hsm.so_credential = hash;
            hsm.so_failed_logins = 0;
            return txn.put_hsm(hsm);
        }
        SR_ASSIGN_OR_RETURN(auto rec, txn.role(p, to_role_id(role)));
        if (!rec) return error(Err::UserPinNotInitialized);
        rec->credential = hash;
        rec->failed_logins = 0;
        rec->must_change_password = false;
        return txn.put_role(*rec);
    });
}

Status LocalDevice::reset_password(SessionId s, Role role, std::string_view new_password) {
    SR_ASSIGN_OR_RETURN(auto session, find_session(s));
    const PartitionId p = session->partition();
    const RoleAuthority* auth = authority_for(role);
    if (!auth || p == kAdminPartition)
        return error(Err::UserTypeInvalid, "this role cannot be reset");
    SR_TRY(require_login(session->app(), p, auth->by));
    SR_TRY(check_password_length(new_password.size()));
    SR_ASSIGN_OR_RETURN(std::string hash, sealing::hash_password(new_password));
    return m_store->write([&](store::Txn& txn) -> Status {
        SR_ASSIGN_OR_RETURN(auto part, txn.partition(p));
        if (!part) return error(Err::SlotIdInvalid);
        if (auth->needs_so_reset_policy && !part->so_can_reset_pin)
            return error(Err::UserNotAuthorized,
                         "the Partition SO may reset the Crypto Officer only when HSM policy 15 "
                         "was on before the partition was created");
        SR_ASSIGN_OR_RETURN(auto rec, txn.role(p, to_role_id(role)));
        if (!rec || rec->credential.empty()) return error(Err::UserPinNotInitialized);
        rec->credential = hash;
        rec->failed_logins = 0;
        rec->locked_out = false;
        rec->must_change_password = true;
        SR_TRY(txn.put_role(*rec));
        // The CO lockout also locked the CU; resetting the CO lifts both.
        if (role == Role::CryptoOfficer) {
            SR_ASSIGN_OR_RETURN(auto cu, txn.role(p, to_role_id(Role::CryptoUser)));
            if (cu && cu->locked_out) {
                cu->locked_out = false;
                cu->failed_logins = 0;
                SR_TRY(txn.put_role(*cu));
            }
        }
        return txn.append_audit({0, 0, p, std::string(role_display_name(auth->by)), "role.reset",
                                 std::string(role_display_name(role)), {}, {}});
    });
}

Result<RoleState> LocalDevice::role_state(PartitionId partition, Role role) {
    RoleState out;
    out.role = role;
    if (Status st_ = m_store->read([&](store::Txn& txn) -> Status {
        if (role == Role::HsmSo) {
            SR_ASSIGN_OR_RETURN(auto hsm, txn.hsm());
            out.initialized = hsm.initialized;
            out.failed_logins = hsm.so_failed_logins;
            return {};
        }
        SR_ASSIGN_OR_RETURN(auto rec, txn.role(partition, to_role_id(role)));
        if (!rec) return {};
        out.initialized = !rec->credential.empty();
        out.failed_logins = rec->failed_logins;
        out.locked_out = rec->locked_out;
        out.must_change_password = rec->must_change_password;
        out.activated = rec->activated;
        return {};
    }); !st_) return st_;
    return out;
}

Status LocalDevice::check_password_policy(std::string_view password) const {
    return check_password_length(password.size());
}

}  // namespace sr::hsm
