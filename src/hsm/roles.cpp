// Roles per firmware generation as data: store ids, display and short names, PKCS#11 user types,
// which roles exist where, the name table of `role login -name`, and the lockout rules.
#include <algorithm>
#include <cctype>

#include "hsm/personality.h"
#include "hsm/policy.h"

namespace sr::hsm {
namespace {

struct RoleInfo {
    Role role;
    store::RoleId id;
    std::string_view display;
    std::string_view short_name;
    uint64_t user_type;
    bool hsm_level;
};

constexpr RoleInfo kRoles[] = {
    {Role::HsmSo, store::RoleId::HsmSo, "HSM SO", "so", cku::kSo, true},
    {Role::HsmAuditor, store::RoleId::HsmAuditor, "HSM Auditor", "", cku::kAudit, true},
    {Role::PartitionSo, store::RoleId::PartitionSo, "Partition SO", "po", cku::kSo, false},
    {Role::CryptoOfficer, store::RoleId::CryptoOfficer, "Crypto Officer", "co", cku::kUser, false},
    {Role::CryptoUser, store::RoleId::CryptoUser, "Crypto User", "cu", cku::kCryptoUser, false},
    {Role::LimitedCryptoOfficer, store::RoleId::LimitedCryptoOfficer, "Limited Crypto Officer",
     "lco", cku::kLimitedCryptoOfficer, false},
    {Role::Auditor, store::RoleId::Auditor, "Auditor", "au", cku::kAudit, false},
};

const RoleInfo& info(Role r) noexcept {
    for (const auto& i : kRoles) {
        if (i.role == r) return i;
    }
    return kRoles[0];
}

constexpr FirmwareVersion kFirstLco{7, 7, 0};

constexpr Role kPrePpsoPartition[] = {Role::CryptoOfficer};
constexpr Role kPpsoPartition[] = {Role::PartitionSo, Role::CryptoOfficer, Role::CryptoUser};
constexpr Role kLuna7Partition[] = {Role::PartitionSo, Role::CryptoOfficer, Role::CryptoUser,
                                    Role::Auditor};
constexpr Role kLuna77Partition[] = {Role::PartitionSo, Role::CryptoOfficer, Role::CryptoUser,
                                     Role::LimitedCryptoOfficer, Role::Auditor};
constexpr Role kHsmRoles[] = {Role::HsmSo, Role::HsmAuditor};

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

Status unknown_name(std::string_view name, std::string_view valid) {
    return error(Err::UserTypeInvalid,
                 "unknown role name '" + std::string(name) + "'; valid names: " + std::string(valid));
}

Result<Role> resolve_admin_name(std::string_view name) {
    if (iequals(name, "so") || iequals(name, "HSM SO")) return Role::HsmSo;
    if (iequals(name, "au") || iequals(name, "Auditor") || iequals(name, "HSM Auditor")) {
        return Role::HsmAuditor;
    }
    return unknown_name(name, "so, au");
}

// PPSO 6.x: full names, exactly as written.
Result<Role> resolve_ppso_name(std::string_view name) {
    for (Role r : kPpsoPartition) {
        if (name == info(r).display) return r;
    }
    for (Role r : kPpsoPartition) {
        const RoleInfo& i = info(r);
        if (iequals(name, i.short_name) || iequals(name, i.display)) {
            return error(Err::UserTypeInvalid,
                         "role name '" + std::string(name) +
                             "' is not accepted by PPSO firmware 6.x; use the full name '" +
                             std::string(i.display) + "' (names are case-sensitive)");
        }
    }
    return unknown_name(name, "Partition SO, Crypto Officer, Crypto User");
}

Result<Role> resolve_luna7_name(std::string_view name) {
    for (Role r : kLuna77Partition) {
        const RoleInfo& i = info(r);
        if (iequals(name, i.short_name) || iequals(name, i.display)) return r;
    }
    return unknown_name(name, "po, co, cu, lco, au (or Partition SO, Crypto Officer, Crypto User, "
                              "Limited Crypto Officer, Auditor)");
}

// Lockout (BEHAVIOUR.md "Roles, credentials, lockout"; luna-reference §4.2). Auditor
// thresholds are [R] in the reference; 10 with a lock of the role alone is chosen.
constexpr LockoutRule kLockout[] = {
    {Role::HsmSo, 3, std::nullopt, LockoutAction::ZeroizeHsm},
    {Role::HsmAuditor, 10, std::nullopt, LockoutAction::LockRole},
    {Role::PartitionSo, 10, std::nullopt, LockoutAction::ZeroizePartition},
    {Role::CryptoOfficer, 0, policy::kMaxFailedUserLogins, LockoutAction::LockOfficerAndUser},
    {Role::CryptoUser, 0, policy::kMaxFailedUserLogins, LockoutAction::LockUser},
    {Role::LimitedCryptoOfficer, 0, policy::kMaxFailedUserLogins, LockoutAction::LockRole},
    {Role::Auditor, 10, std::nullopt, LockoutAction::LockRole},
};

}  // namespace

store::RoleId to_role_id(Role r) noexcept { return info(r).id; }

Role from_role_id(store::RoleId id) noexcept {
    for (const auto& i : kRoles) {
        if (i.id == id) return i.role;
    }
    return Role::HsmSo;
}

bool is_hsm_role(Role r) noexcept { return info(r).hsm_level; }
std::string_view role_display_name(Role r) noexcept { return info(r).display; }
std::string_view role_short_name(Role r) noexcept { return info(r).short_name; }
uint64_t user_type_of(Role r) noexcept { return info(r).user_type; }

std::span<const Role> partition_roles(const FirmwareVersion& fw) noexcept {
    switch (generation(fw)) {
        case Generation::PrePpso: return kPrePpsoPartition;
        case Generation::Ppso: return kPpsoPartition;
        case Generation::Luna7: break;
    }
    if (fw >= kFirstLco) return kLuna77Partition;
    return kLuna7Partition;
}

std::span<const Role> hsm_roles(const FirmwareVersion&) noexcept { return kHsmRoles; }

Result<Role> resolve_role_name(Generation g, std::string_view name, bool admin_slot) {
    if (admin_slot) return resolve_admin_name(name);
    switch (g) {
        case Generation::PrePpso:
            return error(Err::UserTypeInvalid,
                         "pre-PPSO partitions have no roles to log in to by name; use "
                         "'partition login' to log in as the partition owner");
        case Generation::Ppso: return resolve_ppso_name(name);
        case Generation::Luna7: return resolve_luna7_name(name);
    }
    return unknown_name(name, "");
}

Result<Role> role_from_user_type(const FirmwareVersion& fw, uint64_t user_type, bool admin_slot) {
    const uint64_t t = user_type == cku::kCryptoUserOld ? cku::kCryptoUser : user_type;
    const std::span<const Role> roles = admin_slot ? hsm_roles(fw) : partition_roles(fw);
    for (Role r : roles) {
        if (info(r).user_type == t) return r;
    }
    return error(Err::UserTypeInvalid, "user type " + std::to_string(user_type) +
                                           " is not a role of this slot (firmware " +
                                           fw.to_string() + ")");
}

std::span<const LockoutRule> lockout_rules() noexcept { return kLockout; }

const LockoutRule& lockout_rule(Role r) noexcept {
    for (const auto& l : kLockout) {
        if (l.role == r) return l;
    }
    return kLockout[0];
}

uint32_t lockout_threshold(Role r, const std::map<uint32_t, uint64_t>& partition_policy_values) {
    const LockoutRule& rule = lockout_rule(r);
    if (!rule.policy_id) return rule.fixed_threshold;
    if (auto it = partition_policy_values.find(*rule.policy_id); it != partition_policy_values.end()) {
        return static_cast<uint32_t>(std::min<uint64_t>(it->second, UINT32_MAX));
    }
    const PolicyDef* def = find_policy(partition_policies(), *rule.policy_id);
    return def ? static_cast<uint32_t>(def->default_value) : 10;
}

}  // namespace sr::hsm
