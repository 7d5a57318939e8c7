// Firmware personalities as data (BEHAVIOUR.md "Firmware personalities", luna-reference §4):
// versions and generations, roles and their names per generation, lockout rules, password
// rules, the cloning-direction rule and the slot strings a device shows. Pure; thread-safe.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "store/store.h"

namespace sr::hsm {

struct FirmwareVersion {
    uint32_t major = 0;
    uint32_t minor = 0;
    uint32_t patch = 0;

    // Two or three dot-separated decimal numbers ("7.3.0", "6.22" = 6.22.0); ArgumentsBad else.
    static Result<FirmwareVersion> parse(std::string_view text);
    std::string to_string() const;  // always "M.m.p"
    auto operator<=>(const FirmwareVersion&) const = default;
    bool operator==(const FirmwareVersion&) const = default;
};

enum class Generation { PrePpso, Ppso, Luna7 };
// 5.x and 6.0–6.21.x: PrePpso; 6.22.0+: Ppso; 7.x (and later majors): Luna7.
Generation generation(const FirmwareVersion& fw) noexcept;
std::string_view generation_name(Generation g) noexcept;  // "pre-PPSO", "PPSO", "Luna 7"

enum class FormFactor { Network, Pcie, Usb, Backup };
enum class AuthType { Password, Ped };
std::string_view form_factor_name(FormFactor f) noexcept;  // "network", "pcie", "usb", "backup"
Result<FormFactor> parse_form_factor(std::string_view name);  // ArgumentsBad
std::string_view auth_type_name(AuthType a) noexcept;       // "password", "ped"
Result<AuthType> parse_auth_type(std::string_view name);

// Engine-level roles. The pre-PPSO partition owner is CryptoOfficer (CKU_USER), shown as
// "Crypto Officer" in role listings; the legacy shell calls its login `partition login`.
enum class Role { HsmSo, HsmAuditor, PartitionSo, CryptoOfficer, CryptoUser, LimitedCryptoOfficer,
                  Auditor };
store::RoleId to_role_id(Role r) noexcept;
Role from_role_id(store::RoleId id) noexcept;
bool is_hsm_role(Role r) noexcept;  // HsmSo, HsmAuditor (partition_id 0)
// "HSM SO", "HSM Auditor", "Partition SO", "Crypto Officer", "Crypto User",
// "Limited Crypto Officer", "Auditor".
std::string_view role_display_name(Role r) noexcept;
// Short name used by 7.x shells ("so", "po", "co", "cu", "lco", "au"); empty for HsmAuditor.
std::string_view role_short_name(Role r) noexcept;

// Roles a partition (resp. the HSM admin slot) of this firmware has.
std::span<const Role> partition_roles(const FirmwareVersion& fw) noexcept;
std::span<const Role> hsm_roles(const FirmwareVersion& fw) noexcept;

// `role login -name <name>` (and role init/show/...) on a partition slot. Pre-PPSO: every name
// is refused with a message naming `partition login`; PPSO: full names only, case-sensitive,
// an abbreviation is refused with a message naming the full form; 7.x: short or full names,
// case-insensitive. `admin_slot` resolves on the HSM admin slot ("so", "HSM SO", "au").
// Error: UserTypeInvalid.
Result<Role> resolve_role_name(Generation g, std::string_view name, bool admin_slot = false);

// PKCS#11 / Luna user types (CKU_*) and the role they mean on this kind of slot.
namespace cku {
inline constexpr uint64_t kSo = 0;
inline constexpr uint64_t kUser = 1;  // = CKU_CRYPTO_OFFICER
inline constexpr uint64_t kContextSpecific = 2;
inline constexpr uint64_t kCryptoUser = 0x80000001;  // CKU_LIMITED_USER
inline constexpr uint64_t kCryptoUserOld = 0x8000001;
inline constexpr uint64_t kAudit = 0x80000002;
inline constexpr uint64_t kLimitedCryptoOfficer = 0x80000003;
}  // namespace cku
// UserTypeInvalid for a user type the slot's generation does not have.
Result<Role> role_from_user_type(const FirmwareVersion& fw, uint64_t user_type, bool admin_slot);
uint64_t user_type_of(Role r) noexcept;

// ---- Lockout (BEHAVIOUR.md "Roles, credentials, lockout").
enum class LockoutAction { ZeroizeHsm, ZeroizePartition, LockOfficerAndUser, LockUser, LockRole };
struct LockoutRule {
    Role role;
    uint32_t fixed_threshold;          // used when policy_id is nullopt
    std::optional<uint32_t> policy_id;  // partition policy holding the threshold (20)
    LockoutAction action;
};
std::span<const LockoutRule> lockout_rules() noexcept;
const LockoutRule& lockout_rule(Role r) noexcept;
// The number of consecutive failures that triggers the rule, reading the partition policy
// values (default from the policy table when absent).
uint32_t lockout_threshold(Role r, const std::map<uint32_t, uint64_t>& partition_policy_values);

// ---- Passwords: 8..255 characters (PinLenRange otherwise).
inline constexpr size_t kMinPasswordLength = 8;
inline constexpr size_t kMaxPasswordLength = 255;
Status check_password_length(size_t length);

// ---- Cloning direction. Objects move from older to newer generations and within a
// generation; newer → older generation is refused except towards a Backup HSM whose firmware
// the reference lists as able to hold the source's objects (7.7+ sources need a Backup HSM 7
// ≥ 7.7.1 or G5 ≥ 6.28.0). Within 7.x, a 7.7+ source refuses a pre-7.7 target (V0/V1 objects
// carry data older firmware cannot hold). Backup HSMs as source are checked against the target
// like any device. Error: OperationNotAllowed naming both versions.
struct CloneEndpoint {
    FirmwareVersion firmware;
    FormFactor form_factor = FormFactor::Network;
};
Status check_clone_direction(const CloneEndpoint& source, const CloneEndpoint& target);

// ---- Slot strings (luna-reference §1.2).
struct SlotIdentity {
    FormFactor form_factor = FormFactor::Network;
    FirmwareVersion firmware;
    AuthType auth = AuthType::Password;
    bool admin_slot = false;  // the HSM admin partition rather than a user partition
};
// `Configuration ->`: e.g. "Luna User Partition With SO (PW) Key Export With Cloning Mode".
std::string slot_configuration(const SlotIdentity& s);
// `Model ->`: e.g. "LunaSA 7.3.0".
std::string model_name(const SlotIdentity& s);
// `Slot Description ->`: e.g. "Net Token Slot".
std::string slot_description(const SlotIdentity& s);
// The parenthesised text `slot set` echoes: "Luna User Slot 7.0.1 (PW) Signing With Cloning Mode".
std::string slot_set_description(const SlotIdentity& s);

}  // namespace sr::hsm
