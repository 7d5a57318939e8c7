// Luna policy entry points (luna-reference §3, §6.4): partition ("container") policies and HSM
// policies, read by slot and changed through a session whose application holds the right
// login (the engine checks it: Partition SO, or the HSM SO for pre-PPSO partitions and HSM
// policies). A container number is the partition's id on its device: a partition slot names
// only its own partition; the admin slot names any partition of its device.
#include <map>
#include <span>
#include <utility>
#include <vector>

#include "hsm/policy.h"
#include "pkcs11/entry.h"
#include "pkcs11/luna.h"

namespace sr::p11 {
namespace {

using client::Slot;

Result<std::shared_ptr<const Slot>> slot_of(CK_SLOT_ID id) {
    SR_ASSIGN_OR_RETURN(Module * m, Module::get());
    return m->client().slot(id);
}

Result<hsm::PartitionId> container_partition(const Slot& slot, CK_ULONG container) {
    if (!slot.admin()) {
        if (container != slot.partition)
            return error(Err::ContainerHandleInvalid, "container " + std::to_string(container) +
                                                          " is not this slot's partition (" +
                                                          std::to_string(slot.partition) + ")");
        return hsm::PartitionId{container};
    }
    if (container == hsm::kAdminPartition)
        return error(Err::ContainerHandleInvalid,
                     "the admin container has HSM policies, not partition policies");
    if (auto p = slot.dev().partition_info(container); !p)
        return error(Err::ContainerHandleInvalid,
                     "the device has no partition " + std::to_string(container));
    return hsm::PartitionId{container};
}

Result<std::vector<hsm::PolicyValue>> in_policy_changes(CK_ULONG count, const CK_ULONG* ids,
                                                        const CK_ULONG* values) {
    if (count == 0) return error(Err::ArgumentsBad, "no policy to change");
    if (count > kMaxTemplateCount) return error(Err::ArgumentsBad, "too many policies at once");
    SR_TRY(need(ids));
    SR_TRY(need(values));
    std::vector<hsm::PolicyValue> out;
    out.reserve(count);
    for (CK_ULONG i = 0; i < count; ++i) {
        if (ids[i] > UINT32_MAX) return error(Err::ArgumentsBad, "policy id out of range");
        out.push_back({static_cast<uint32_t>(ids[i]), values[i]});
    }
    return out;
}

// Parallel id/value arrays under the length-query rule: either array null -> both counts set,
// ok; either count too small -> both counts set, BufferTooSmall; else both filled.
Status out_policy_set(const std::vector<hsm::PolicyValue>& set, CK_ULONG_PTR ids,
                      CK_ULONG_PTR id_count, CK_ULONG_PTR values, CK_ULONG_PTR value_count) {
    SR_TRY(need(id_count));
    SR_TRY(need(value_count));
    const CK_ULONG n = set.size();
    const bool query = ids == nullptr || values == nullptr;
    const bool small = !query && (*id_count < n || *value_count < n);
    *id_count = n;
    *value_count = n;
    if (query) return {};
    if (small) return error(Err::BufferTooSmall);
    for (CK_ULONG i = 0; i < n; ++i) {
        ids[i] = set[i].id;
        values[i] = set[i].value;
    }
    return {};
}

Status out_policy_setting(const std::vector<hsm::PolicyValue>& set, CK_ULONG id,
                          CK_ULONG_PTR value) {
    SR_TRY(need(value));
    for (const auto& p : set) {
        if (p.id != id) continue;
        *value = p.value;
        return {};
    }
    return error(Err::ArgumentsBad, "no policy " + std::to_string(id) + " here");
}

Status set_container_policies(CK_SESSION_HANDLE session, CK_ULONG container, CK_ULONG count,
                              const CK_ULONG* ids, const CK_ULONG* values) {
    return with_session(session, [&](ClientSession& s) -> Status {
        SR_ASSIGN_OR_RETURN(auto changes, in_policy_changes(count, ids, values));
        SR_ASSIGN_OR_RETURN(hsm::PartitionId p, container_partition(s.slot(), container));
        return s.dev().set_partition_policies(s.slot().device->app, p, changes).status();
    });
}

Status get_container_policy_set(CK_SLOT_ID slot_id, CK_ULONG container, CK_ULONG_PTR ids,
                                CK_ULONG_PTR id_count, CK_ULONG_PTR values,
                                CK_ULONG_PTR value_count) {
    SR_ASSIGN_OR_RETURN(auto slot, slot_of(slot_id));
    SR_ASSIGN_OR_RETURN(hsm::PartitionId p, container_partition(*slot, container));
    SR_ASSIGN_OR_RETURN(auto set, slot->dev().partition_policies(p));
    return out_policy_set(set, ids, id_count, values, value_count);
}

Status get_container_policy_setting(CK_SLOT_ID slot_id, CK_ULONG container, CK_ULONG id,
                                    CK_ULONG_PTR value) {
    SR_ASSIGN_OR_RETURN(auto slot, slot_of(slot_id));
    SR_ASSIGN_OR_RETURN(hsm::PartitionId p, container_partition(*slot, container));
    SR_ASSIGN_OR_RETURN(auto set, slot->dev().partition_policies(p));
    return out_policy_setting(set, id, value);
}

// Luna separates destructive HSM policy changes (CA_SetDestructiveHSMPolicy): the plain calls
// refuse a change that would erase every partition, before anything is written.
Status set_hsm_policies(CK_SESSION_HANDLE session, CK_ULONG count, const CK_ULONG* ids,
                        const CK_ULONG* values, bool allow_destructive) {
    return with_session(session, [&](ClientSession& s) -> Status {
        SR_ASSIGN_OR_RETURN(auto changes, in_policy_changes(count, ids, values));
        auto& dev = s.dev();
        if (!allow_destructive) {
            SR_ASSIGN_OR_RETURN(auto info, dev.info());
            SR_ASSIGN_OR_RETURN(auto current, dev.hsm_policies());
            std::map<uint32_t, uint64_t> now;
            for (const auto& p : current) now[p.id] = p.value;
            std::vector<std::pair<uint32_t, uint64_t>> asked;
            for (const auto& c : changes) asked.emplace_back(c.id, c.value);
            SR_ASSIGN_OR_RETURN(
                auto plan, hsm::plan_policy_change(hsm::hsm_policies(), now, asked, info.firmware));
            if (plan.destructive())
                return error(
                    Err::OperationNotAllowed,
                    "HSM policy " + std::to_string(plan.destructive_ids.front()) +
                        " is destructive in this direction: use CA_SetDestructiveHSMPolicy");
        }
        return dev.set_hsm_policies(s.slot().device->app, changes).status();
    });
}

Status get_hsm_policy_set(CK_SLOT_ID slot_id, CK_ULONG_PTR ids, CK_ULONG_PTR id_count,
                          CK_ULONG_PTR values, CK_ULONG_PTR value_count) {
    SR_ASSIGN_OR_RETURN(auto slot, slot_of(slot_id));
    SR_ASSIGN_OR_RETURN(auto set, slot->dev().hsm_policies());
    return out_policy_set(set, ids, id_count, values, value_count);
}

Status get_hsm_policy_setting(CK_SLOT_ID slot_id, CK_ULONG id, CK_ULONG_PTR value) {
    SR_ASSIGN_OR_RETURN(auto slot, slot_of(slot_id));
    SR_ASSIGN_OR_RETURN(auto set, slot->dev().hsm_policies());
    return out_policy_setting(set, id, value);
}

// Capabilities are the ceilings of the policy tables (luna-reference §3.1) for the device's
// firmware: fixed at manufacture, the same for every partition of a device.
std::vector<hsm::PolicyValue> capabilities(std::span<const hsm::PolicyDef> table,
                                           const hsm::FirmwareVersion& fw) {
    std::vector<hsm::PolicyValue> out;
    for (const auto& def : table)
        if (hsm::applies_to(def, fw)) out.push_back({def.id, def.capability});
    return out;
}

Result<std::vector<hsm::PolicyValue>> container_capabilities(CK_SLOT_ID slot_id,
                                                             CK_ULONG container) {
    SR_ASSIGN_OR_RETURN(auto slot, slot_of(slot_id));
    SR_TRY(container_partition(*slot, container).status());
    return capabilities(hsm::partition_policies(), slot->device->info.firmware);
}

Result<std::vector<hsm::PolicyValue>> hsm_capabilities(CK_SLOT_ID slot_id) {
    SR_ASSIGN_OR_RETURN(auto slot, slot_of(slot_id));
    return capabilities(hsm::hsm_policies(), slot->device->info.firmware);
}

Status get_container_number(CK_SLOT_ID slot_id, CK_ULONG_PTR out) {
    SR_ASSIGN_OR_RETURN(auto slot, slot_of(slot_id));
    SR_TRY(need(out));
    *out = slot->partition;
    return {};
}

}  // namespace
}  // namespace sr::p11

using namespace sr;
using namespace sr::p11;

SR_P11_EXPORT CK_RV SR_GetContainerNumber(CK_SLOT_ID slot, CK_ULONG_PTR container) {
    return guard("SR_GetContainerNumber", [&] { return get_container_number(slot, container); });
}

SR_P11_EXPORT CK_RV CA_SetContainerPolicy(CK_SESSION_HANDLE session, CK_ULONG container,
                                          CK_ULONG id, CK_ULONG value) {
    return guard("CA_SetContainerPolicy",
                 [&] { return set_container_policies(session, container, 1, &id, &value); });
}

SR_P11_EXPORT CK_RV CA_SetContainerPolicies(CK_SESSION_HANDLE session, CK_ULONG container,
                                            CK_ULONG count, CK_ULONG_PTR ids, CK_ULONG_PTR values) {
    return guard("CA_SetContainerPolicies",
                 [&] { return set_container_policies(session, container, count, ids, values); });
}

SR_P11_EXPORT CK_RV CA_GetContainerPolicySet(CK_SLOT_ID slot, CK_ULONG container, CK_ULONG_PTR ids,
                                             CK_ULONG_PTR id_count, CK_ULONG_PTR values,
                                             CK_ULONG_PTR value_count) {
    return guard("CA_GetContainerPolicySet", [&] {
        return get_container_policy_set(slot, container, ids, id_count, values, value_count);
    });
}

SR_P11_EXPORT CK_RV CA_GetContainerPolicySetting(CK_SLOT_ID slot, CK_ULONG container, CK_ULONG id,
                                                 CK_ULONG_PTR value) {
    return guard("CA_GetContainerPolicySetting",
                 [&] { return get_container_policy_setting(slot, container, id, value); });
}

SR_P11_EXPORT CK_RV CA_GetHSMPolicySet(CK_SLOT_ID slot, CK_ULONG_PTR ids, CK_ULONG_PTR id_count,
                                       CK_ULONG_PTR values, CK_ULONG_PTR value_count) {
    return guard("CA_GetHSMPolicySet",
                 [&] { return get_hsm_policy_set(slot, ids, id_count, values, value_count); });
}

SR_P11_EXPORT CK_RV CA_GetHSMPolicySetting(CK_SLOT_ID slot, CK_ULONG id, CK_ULONG_PTR value) {
    return guard("CA_GetHSMPolicySetting", [&] { return get_hsm_policy_setting(slot, id, value); });
}

SR_P11_EXPORT CK_RV CA_SetHSMPolicy(CK_SESSION_HANDLE session, CK_ULONG id, CK_ULONG value) {
    return guard("CA_SetHSMPolicy",
                 [&] { return set_hsm_policies(session, 1, &id, &value, false); });
}

SR_P11_EXPORT CK_RV CA_SetHSMPolicies(CK_SESSION_HANDLE session, CK_ULONG count, CK_ULONG_PTR ids,
                                      CK_ULONG_PTR values) {
    return guard("CA_SetHSMPolicies",
                 [&] { return set_hsm_policies(session, count, ids, values, false); });
}

SR_P11_EXPORT CK_RV CA_SetDestructiveHSMPolicy(CK_SESSION_HANDLE session, CK_ULONG id,
                                               CK_ULONG value) {
    return guard("CA_SetDestructiveHSMPolicy",
                 [&] { return set_hsm_policies(session, 1, &id, &value, true); });
}

SR_P11_EXPORT CK_RV CA_SetDestructiveHSMPolicies(CK_SESSION_HANDLE session, CK_ULONG count,
                                                 CK_ULONG_PTR ids, CK_ULONG_PTR values) {
    return guard("CA_SetDestructiveHSMPolicies",
                 [&] { return set_hsm_policies(session, count, ids, values, true); });
}

SR_P11_EXPORT CK_RV CA_GetContainerCapabilitySet(CK_SLOT_ID slot, CK_ULONG container,
                                                 CK_ULONG_PTR ids, CK_ULONG_PTR id_count,
                                                 CK_ULONG_PTR values, CK_ULONG_PTR value_count) {
    return guard("CA_GetContainerCapabilitySet", [&]() -> Status {
        SR_ASSIGN_OR_RETURN(auto set, container_capabilities(slot, container));
        return out_policy_set(set, ids, id_count, values, value_count);
    });
}

SR_P11_EXPORT CK_RV CA_GetContainerCapabilitySetting(CK_SLOT_ID slot, CK_ULONG container,
                                                     CK_ULONG id, CK_ULONG_PTR value) {
    return guard("CA_GetContainerCapabilitySetting", [&]() -> Status {
        SR_ASSIGN_OR_RETURN(auto set, container_capabilities(slot, container));
        return out_policy_setting(set, id, value);
    });
}

SR_P11_EXPORT CK_RV CA_GetHSMCapabilitySet(CK_SLOT_ID slot, CK_ULONG_PTR ids, CK_ULONG_PTR id_count,
                                           CK_ULONG_PTR values, CK_ULONG_PTR value_count) {
    return guard("CA_GetHSMCapabilitySet", [&]() -> Status {
        SR_ASSIGN_OR_RETURN(auto set, hsm_capabilities(slot));
        return out_policy_set(set, ids, id_count, values, value_count);
    });
}

SR_P11_EXPORT CK_RV CA_GetHSMCapabilitySetting(CK_SLOT_ID slot, CK_ULONG id, CK_ULONG_PTR value) {
    return guard("CA_GetHSMCapabilitySetting", [&]() -> Status {
        SR_ASSIGN_OR_RETURN(auto set, hsm_capabilities(slot));
        return out_policy_setting(set, id, value);
    });
}
