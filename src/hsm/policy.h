// HSM and partition capabilities / policies as data tables (luna-reference §3, BEHAVIOUR.md
// "Policies") and the validation of a set of policy changes evaluated as a whole.
// Pure; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "hsm/personality.h"

namespace sr::hsm {

enum class PolicyKind : uint8_t { Bool, Number };

struct PolicyDef {
    uint32_t id;
    std::string_view capability_name;  // "Enable private key cloning"
    std::string_view policy_name;      // "Allow private key cloning"
    uint64_t default_value;
    uint64_t capability;  // ceiling: the policy may be set to at most this value
    bool destructive_off_to_on;
    bool destructive_on_to_off;
    PolicyKind kind;
    uint64_t min_value = 0;                 // Number policies: the floor
    FirmwareVersion min_firmware = {0, 0, 0};  // first firmware that has the policy
    int64_t exclusive_with = -1;  // id of a policy that may not be on at the same time (-1: none)
};

// Partition-level (CONTAINER_CONFIG_*) and HSM-level (HSM_CONFIG_*) tables, ascending by id.
std::span<const PolicyDef> partition_policies() noexcept;
std::span<const PolicyDef> hsm_policies() noexcept;
const PolicyDef* find_policy(std::span<const PolicyDef> table, uint32_t id) noexcept;
bool applies_to(const PolicyDef& def, const FirmwareVersion& fw) noexcept;
// The defaults of every policy of `table` that applies to `fw`.
std::map<uint32_t, uint64_t> default_policy_values(std::span<const PolicyDef> table,
                                                   const FirmwareVersion& fw);
// HSM policy defaults for a device: as the table, with 0 (PIN) / 1 (PED) from the auth type.
std::map<uint32_t, uint64_t> default_hsm_policy_values(const FirmwareVersion& fw, AuthType auth);

// Well-known ids.
namespace policy {
inline constexpr uint32_t kPrivateKeyCloning = 0;
inline constexpr uint32_t kPrivateKeyWrapping = 1;
inline constexpr uint32_t kPrivateKeyUnwrapping = 2;
inline constexpr uint32_t kSecretKeyCloning = 4;
inline constexpr uint32_t kSecretKeyWrapping = 5;
inline constexpr uint32_t kSecretKeyUnwrapping = 6;
inline constexpr uint32_t kChangeKeyAttributes = 11;
inline constexpr uint32_t kMaxFailedUserLogins = 20;
inline constexpr uint32_t kActivation = 22;
inline constexpr uint32_t kAutoActivation = 23;
inline constexpr uint32_t kKeyManagementFunctions = 28;
}  // namespace policy
namespace hsm_policy {
inline constexpr uint32_t kPinAuthentication = 0;
inline constexpr uint32_t kPedAuthentication = 1;
inline constexpr uint32_t kCloning = 7;
inline constexpr uint32_t kNonFipsAlgorithms = 12;
inline constexpr uint32_t kSoCanResetPin = 15;
inline constexpr uint32_t kNetworkReplication = 16;
inline constexpr uint32_t kPerPartitionSo = 41;
}  // namespace hsm_policy

struct PolicyChangePlan {
    // The full set of values after the change (current values, missing ones at their default).
    std::map<uint32_t, uint64_t> new_values;
    // Only the policies whose value actually changes, ascending by id.
    std::vector<std::pair<uint32_t, uint64_t>> effective_changes;
    // Ids whose transition is destructive; non-empty means the engine erases all objects of
    // the partition (partition table) or all partitions (HSM table) before applying.
    std::vector<uint32_t> destructive_ids;
    bool destructive() const noexcept { return !destructive_ids.empty(); }
};

// Validates `changes` against `table` as a whole (later entries for the same id win):
// unknown or not-applicable id → ArgumentsBad; a Bool value other than 0/1 → ArgumentsBad;
// above the capability ceiling or below the floor → OperationNotAllowed; the resulting values
// with 0 and 1 both on (partition table) → ConfigFailsDependencies.
Result<PolicyChangePlan> plan_policy_change(std::span<const PolicyDef> table,
                                            const std::map<uint32_t, uint64_t>& current,
                                            const std::vector<std::pair<uint32_t, uint64_t>>& changes,
                                            const FirmwareVersion& fw = {7, 99, 0});

}  // namespace sr::hsm
