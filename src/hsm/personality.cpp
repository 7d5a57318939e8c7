#include "hsm/personality.h"

// Skeleton: replaced by the personality tables.
namespace sr::hsm {

Result<FirmwareVersion> FirmwareVersion::parse(std::string_view) {
    return error(Err::NotImplemented, "FirmwareVersion::parse");
}
std::string FirmwareVersion::to_string() const {
    return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}
Generation generation(const FirmwareVersion& fw) noexcept {
    if (fw.major >= 7) return Generation::Luna7;
    if (fw.major == 6 && fw.minor >= 22) return Generation::Ppso;
    return Generation::PrePpso;
}
std::string_view generation_name(Generation) noexcept { return "?"; }
std::string_view form_factor_name(FormFactor) noexcept { return "?"; }
Result<FormFactor> parse_form_factor(std::string_view) { return error(Err::NotImplemented); }
std::string_view auth_type_name(AuthType) noexcept { return "?"; }
Result<AuthType> parse_auth_type(std::string_view) { return error(Err::NotImplemented); }
store::RoleId to_role_id(Role) noexcept { return store::RoleId::HsmSo; }
Role from_role_id(store::RoleId) noexcept { return Role::HsmSo; }
bool is_hsm_role(Role) noexcept { return false; }
std::string_view role_display_name(Role) noexcept { return "?"; }
std::string_view role_short_name(Role) noexcept { return "?"; }
std::span<const Role> partition_roles(const FirmwareVersion&) noexcept { return {}; }
std::span<const Role> hsm_roles(const FirmwareVersion&) noexcept { return {}; }
Result<Role> resolve_role_name(Generation, std::string_view, bool) {
    return error(Err::NotImplemented);
}
Result<Role> role_from_user_type(const FirmwareVersion&, uint64_t, bool) {
    return error(Err::NotImplemented);
}
uint64_t user_type_of(Role) noexcept { return 0; }
std::span<const LockoutRule> lockout_rules() noexcept { return {}; }
const LockoutRule& lockout_rule(Role) noexcept {
    static const LockoutRule kNone{Role::HsmSo, 3, std::nullopt, LockoutAction::ZeroizeHsm};
    return kNone;
}
uint32_t lockout_threshold(Role, const std::map<uint32_t, uint64_t>&) { return 10; }
Status check_password_length(size_t) { return error(Err::NotImplemented); }
Status check_clone_direction(const CloneEndpoint&, const CloneEndpoint&) {
    return error(Err::NotImplemented);
}
std::string slot_configuration(const SlotIdentity&) { return {}; }
std::string model_name(const SlotIdentity&) { return {}; }
std::string slot_description(const SlotIdentity&) { return {}; }
std::string slot_set_description(const SlotIdentity&) { return {}; }

}  // namespace sr::hsm
