#include "hsm/policy.h"

// Skeleton: replaced by the policy tables.
namespace sr::hsm {

std::span<const PolicyDef> partition_policies() noexcept { return {}; }
std::span<const PolicyDef> hsm_policies() noexcept { return {}; }
const PolicyDef* find_policy(std::span<const PolicyDef>, uint32_t) noexcept { return nullptr; }
bool applies_to(const PolicyDef&, const FirmwareVersion&) noexcept { return false; }
std::map<uint32_t, uint64_t> default_policy_values(std::span<const PolicyDef>,
                                                   const FirmwareVersion&) {
    return {};
}
Result<PolicyChangePlan> plan_policy_change(std::span<const PolicyDef>,
                                            const std::map<uint32_t, uint64_t>&,
                                            const std::vector<std::pair<uint32_t, uint64_t>>&,
                                            const FirmwareVersion&) {
    return error(Err::NotImplemented, "plan_policy_change");
}

}  // namespace sr::hsm
