// Policy tables (luna-reference §3.2 / §3.3; pinned rows per BEHAVIOUR.md "Policies").
// Rows marked "chosen" are values the reference leaves open ([R] / ?); they are Strongroom's
// decision, summarised in docs/design/object-model.md.
#include "hsm/policy.h"

#include <algorithm>
#include <string>

namespace sr::hsm {
namespace {

constexpr FirmwareVersion kAny{0, 0, 0};
constexpr FirmwareVersion kFw622{6, 22, 0};
constexpr FirmwareVersion kFw7{7, 0, 0};
constexpr FirmwareVersion kFw77{7, 7, 0};
constexpr FirmwareVersion kFw78{7, 8, 0};

// A boolean policy whose capability allows it (ceiling 1).
constexpr PolicyDef b(uint32_t id, std::string_view cap, std::string_view pol, uint64_t def,
                      bool off_to_on = false, bool on_to_off = false,
                      FirmwareVersion since = kAny, int64_t exclusive_with = -1) {
    return PolicyDef{id, cap, pol, def, 1, off_to_on, on_to_off, PolicyKind::Bool, 0, since,
                     exclusive_with};
}
// A numeric policy in [floor, ceiling].
constexpr PolicyDef n(uint32_t id, std::string_view cap, std::string_view pol, uint64_t def,
                      uint64_t ceiling, uint64_t floor, FirmwareVersion since = kAny) {
    return PolicyDef{id, cap, pol, def, ceiling, false, false, PolicyKind::Number, floor, since, -1};
}

// clang-format off
const PolicyDef kPartitionPolicies[] = {
    // Pinned: 0 and 1 exclusive; turning either on is destructive (mode switch erases objects).
    b(0, "Enable private key cloning", "Allow private key cloning", 1, true, false, kAny, 1),
    b(1, "Enable private key wrapping", "Allow private key wrapping", 0, true, false, kAny, 0),
    b(2, "Enable private key unwrapping", "Allow private key unwrapping", 1),
    b(3, "Enable private key masking", "Allow private key masking", 0),           // chosen: not destructive
    b(4, "Enable secret key cloning", "Allow secret key cloning", 1),             // pinned: not destructive
    b(5, "Enable secret key wrapping", "Allow secret key wrapping", 1),
    b(6, "Enable secret key unwrapping", "Allow secret key unwrapping", 1),
    b(7, "Enable secret key masking", "Allow secret key masking", 0),             // chosen
    b(10, "Enable multipurpose keys", "Allow multipurpose keys", 1),              // chosen: not destructive
    b(11, "Enable changing key attributes", "Allow changing key attributes", 1),  // chosen
    b(15, "Enable failed challenge responses", "Ignore failed challenge responses", 1),  // chosen
    b(16, "Enable operate without RSA blinding", "Operate without RSA blinding", 1),     // chosen
    b(17, "Enable signing with non-local keys", "Allow signing with non-local keys", 1), // chosen
    b(18, "Enable raw RSA operations", "Allow raw RSA operations", 1),            // chosen
    // 19 (key storage space) is a capability only, not an adjustable policy.
    n(20, "Max failed user logins allowed", "Max failed user logins allowed", 10, 10, 1),
    b(21, "Enable high availability recovery", "Allow high availability recovery", 1),  // chosen
    b(22, "Enable activation", "Allow activation", 0),
    b(23, "Enable auto-activation", "Allow auto-activation", 0),
    b(24, "Enable indirect login", "Allow indirect login", 0),                    // chosen
    // 25 is stored inverted (255 - minimum length) so that lower means stricter, like every
    // other ceiling: default minimum 8 → 247.
    n(25, "Minimum pin length (inverted: 255 - min)", "Minimum pin length (inverted: 255 - min)", 247, 247, 0),
    n(26, "Maximum pin length", "Maximum pin length", 255, 255, 8),
    b(28, "Enable Key Management Functions", "Allow Key Management Functions", 1),
    b(29, "Enable RSA signing without confirmation", "Perform RSA signing without confirmation", 1),  // chosen
    b(30, "Enable remote authentication", "Allow remote authentication", 1),      // chosen
    b(31, "Enable private key unmasking", "Allow private key unmasking", 1),
    b(32, "Enable secret key unmasking", "Allow secret key unmasking", 1),
    b(33, "Enable RSA PKCS mechanism", "Allow RSA PKCS mechanism", 1),
    b(34, "Enable CBC-PAD (un)wrap keys of any size", "Allow CBC-PAD (un)wrap keys of any size", 1),
    b(35, "Enable private key SFF backup/restore", "Allow private key SFF backup/restore", 1),  // chosen
    b(36, "Enable secret key SFF backup/restore", "Allow secret key SFF backup/restore", 1),    // chosen
    b(37, "Enable Secure Trusted Channel", "Force Secure Trusted Channel", 0, false, false, kFw7),  // chosen: 7.x
    b(38, "Enable FastPath / offload", "Allow FastPath / offload", 0, false, false, kFw7),          // chosen
    b(39, "Enable start/end date attributes", "Enforce start/end date attributes", 0),
    b(40, "Enable per-key authorization", "Allow per-key authorization", 0, false, false, kFw77),
    // Partition version V0 (0) / V1 (1); going back V1 → V0 erases the partition.
    b(41, "Enable partition version", "Partition version", 0, false, true, kFw77),
    b(43, "Enable non-FIPS algorithms", "Allow non-FIPS algorithms", 1, false, false, kFw78),  // chosen default 1
    b(44, "Enable Extended Domain Management", "Allow Extended Domain Management", 0, false, false, kFw78),
};

const PolicyDef kHsmPolicies[] = {
    // 0 / 1 are set from the device's auth type (default_hsm_policy_values).
    b(0, "Enable PIN-based authentication", "Allow PIN-based authentication", 1),
    b(1, "Enable PED-based authentication", "Allow PED-based authentication", 0),
    n(2, "Performance level", "Performance level", 15, 15, 0),                      // chosen
    b(3, "Enable M of N", "Allow M of N", 0),                                       // chosen
    b(6, "Enable masking", "Allow masking", 1),                                     // chosen
    b(7, "Enable cloning", "Allow cloning", 1),
    b(8, "Enable special cloning", "Allow special cloning", 0),                     // chosen
    b(9, "Enable non-backup token", "Allow non-backup token", 0),                   // chosen
    b(11, "Enable ECC", "Allow ECC", 1),
    // Reference [R]: changing FIPS mode is destructive; chosen: both directions.
    b(12, "Enable non-FIPS algorithms", "Allow non-FIPS algorithms", 1, true, true),
    b(13, "Enable MofN auto-activation", "Allow MofN auto-activation", 0),          // chosen
    // Pinned: destructive when turned on (erases all partitions).
    b(15, "Enable SO reset of partition PIN", "SO can reset partition PIN", 0, true, false),
    b(16, "Enable network replication", "Allow network replication", 1),
    b(18, "FIPS evaluated", "FIPS evaluated", 0),                                   // chosen
    b(20, "Enable remote authentication", "Allow remote authentication", 1),        // chosen
    b(21, "Enable forcing user PIN change", "Force user PIN change after set/reset", 1),  // chosen
    b(22, "Enable offboard storage", "Allow offboard storage", 1),                  // chosen
    b(23, "Enable partition groups", "Allow partition groups", 0),                  // chosen
    b(25, "Enable Remote PED usage", "Allow Remote PED usage", 0),                  // chosen
    b(26, "Enable MTK split stored externally", "Store MTK split externally", 0),   // chosen
    b(30, "Enable unmasking", "Allow unmasking", 1),                                // chosen
    b(31, "Enable FW5 compatibility", "Allow FW5 compatibility", 0),                // chosen
    n(33, "Max partitions", "Max partitions", 100, 100, 1),                         // chosen (6.x: up to 100)
    b(35, "Enable single domain", "Allow single domain", 0),                        // chosen
    b(36, "Enable unified PED key", "Allow unified PED key", 0),                    // chosen
    b(37, "Enable MofN", "Allow MofN", 0),                                          // chosen
    b(38, "Enable small form factor backup/restore", "Allow small form factor backup/restore", 0),  // chosen
    b(39, "Enable Secure Trusted Channel", "Allow Secure Trusted Channel", 0, false, false, kFw7),  // chosen
    b(40, "Enable decommission on tamper", "Decommission on tamper", 0),            // chosen
    b(41, "Enable per-partition SO", "Allow per-partition SO", 1, false, false, kFw622),
    b(42, "Enable partition re-initialize", "Allow partition re-initialize", 0, false, false, kFw7),
    b(44, "Enable FIPS level 4 support", "Allow FIPS level 4 support", 0, false, false, kFw7),
    b(45, "Enable FastPath", "Allow FastPath", 0, false, false, kFw7),
    b(46, "Enable disabling decommission", "Disable decommission", 0, false, false, kFw7),
    b(48, "Enable controlled tamper recovery", "Allow controlled tamper recovery", 1, false, false, kFw7),
    b(49, "Enable partition utilization metrics", "Allow partition utilization metrics", 0, false, false, kFw7),
};
// clang-format on

uint64_t value_or_default(const std::map<uint32_t, uint64_t>& values, const PolicyDef& def) {
    auto it = values.find(def.id);
    return it == values.end() ? def.default_value : it->second;
}

std::string describe(const PolicyDef& def) {
    return "policy " + std::to_string(def.id) + " (" + std::string(def.policy_name) + ")";
}

Status check_value(const PolicyDef& def, uint64_t v) {
    if (def.kind == PolicyKind::Bool && v > 1) {
        return error(Err::ArgumentsBad, describe(def) + " takes 0 or 1, not " + std::to_string(v));
    }
    if (v > def.capability) {
        return error(Err::OperationNotAllowed,
                     describe(def) + " cannot be set above its capability (" +
                         std::to_string(def.capability) + ")");
    }
    if (def.kind == PolicyKind::Number && v < def.min_value) {
        return error(Err::OperationNotAllowed, describe(def) + " cannot be set below " +
                                                   std::to_string(def.min_value));
    }
    return Status::ok();
}

bool is_destructive(const PolicyDef& def, uint64_t before, uint64_t after) {
    if (before == after) return false;
    if (before == 0 && after != 0) return def.destructive_off_to_on;
    if (before != 0 && after == 0) return def.destructive_on_to_off;
    return false;  // numeric change between non-zero values
}

}  // namespace

std::span<const PolicyDef> partition_policies() noexcept { return kPartitionPolicies; }
std::span<const PolicyDef> hsm_policies() noexcept { return kHsmPolicies; }

const PolicyDef* find_policy(std::span<const PolicyDef> table, uint32_t id) noexcept {
    auto it = std::find_if(table.begin(), table.end(),
                           [id](const PolicyDef& d) { return d.id == id; });
    return it == table.end() ? nullptr : &*it;
}

bool applies_to(const PolicyDef& def, const FirmwareVersion& fw) noexcept {
    return fw >= def.min_firmware;
}

std::map<uint32_t, uint64_t> default_policy_values(std::span<const PolicyDef> table,
                                                   const FirmwareVersion& fw) {
    std::map<uint32_t, uint64_t> out;
    for (const PolicyDef& d : table) {
        if (applies_to(d, fw)) out.emplace(d.id, d.default_value);
    }
    return out;
}

std::map<uint32_t, uint64_t> default_hsm_policy_values(const FirmwareVersion& fw, AuthType auth) {
    auto out = default_policy_values(hsm_policies(), fw);
    out[hsm_policy::kPinAuthentication] = auth == AuthType::Password ? 1 : 0;
    out[hsm_policy::kPedAuthentication] = auth == AuthType::Ped ? 1 : 0;
    return out;
}

Result<PolicyChangePlan> plan_policy_change(
    std::span<const PolicyDef> table, const std::map<uint32_t, uint64_t>& current,
    const std::vector<std::pair<uint32_t, uint64_t>>& changes, const FirmwareVersion& fw) {
    PolicyChangePlan plan;
    for (const PolicyDef& d : table) {
        if (applies_to(d, fw)) plan.new_values[d.id] = value_or_default(current, d);
    }
    for (const auto& [id, value] : changes) {
        const PolicyDef* def = find_policy(table, id);
        if (def == nullptr || !applies_to(*def, fw)) {
            return error(Err::ArgumentsBad, "no policy with id " + std::to_string(id) +
                                                " on firmware " + fw.to_string());
        }
        SR_TRY(check_value(*def, value));
        plan.new_values[id] = value;
    }
    // Dependencies are judged on the combined result, so "0=0,1=1" in one change is fine.
    for (const PolicyDef& d : table) {
        if (d.exclusive_with < 0 || !applies_to(d, fw)) continue;
        const auto other = static_cast<uint32_t>(d.exclusive_with);
        auto mine = plan.new_values.find(d.id);
        auto theirs = plan.new_values.find(other);
        if (mine != plan.new_values.end() && theirs != plan.new_values.end() &&
            mine->second != 0 && theirs->second != 0) {
            return error(Err::ConfigFailsDependencies,
                         describe(d) + " and policy " + std::to_string(other) +
                             " cannot both be enabled");
        }
    }
    for (const PolicyDef& d : table) {
        if (!applies_to(d, fw)) continue;
        const uint64_t before = value_or_default(current, d);
        const uint64_t after = plan.new_values[d.id];
        if (before == after) continue;
        plan.effective_changes.emplace_back(d.id, after);
        if (is_destructive(d, before, after)) plan.destructive_ids.push_back(d.id);
    }
    std::sort(plan.effective_changes.begin(), plan.effective_changes.end());
    std::sort(plan.destructive_ids.begin(), plan.destructive_ids.end());
    return plan;
}

}  // namespace sr::hsm
