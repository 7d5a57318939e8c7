#include "hsm/personality.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "hsm/policy.h"

namespace sr::hsm {
namespace {

FirmwareVersion fw(std::string_view s) {
    auto r = FirmwareVersion::parse(s);
    EXPECT_TRUE(r.is_ok()) << s;
    return r.is_ok() ? *r : FirmwareVersion{};
}

bool contains(std::span<const Role> roles, Role r) {
    return std::find(roles.begin(), roles.end(), r) != roles.end();
}

TEST(FirmwareVersionTest, ParsesTwoOrThreeNumbers) {
    EXPECT_EQ(fw("7.3.0"), (FirmwareVersion{7, 3, 0}));
    EXPECT_EQ(fw("6.22"), (FirmwareVersion{6, 22, 0}));
    EXPECT_EQ(fw("6.21.2").to_string(), "6.21.2");
    EXPECT_EQ(fw("6.22").to_string(), "6.22.0");
}

TEST(FirmwareVersionTest, RejectsMalformedText) {
    for (std::string_view bad : {"", "7", "7.", ".7", "7..1", "7.3.0.1", "v7.3", " 7.3", "7.3 ",
                                 "7.-1", "7.+1", "7.a", "99999999999.0"}) {
        auto r = FirmwareVersion::parse(bad);
        EXPECT_EQ(r.code(), Err::ArgumentsBad) << "'" << bad << "'";
    }
}

TEST(FirmwareVersionTest, OrdersNumericallyNotLexically) {
    EXPECT_LT(fw("6.9.0"), fw("6.10.0"));
    EXPECT_LT(fw("6.21.2"), fw("6.22.0"));
    EXPECT_GT(fw("7.0.0"), fw("6.28.5"));
}

TEST(GenerationTest, BoundariesFollowTheReference) {
    EXPECT_EQ(generation(fw("5.4.1")), Generation::PrePpso);
    EXPECT_EQ(generation(fw("6.0.0")), Generation::PrePpso);
    EXPECT_EQ(generation(fw("6.21.2")), Generation::PrePpso);
    EXPECT_EQ(generation(fw("6.21.9")), Generation::PrePpso);
    EXPECT_EQ(generation(fw("6.22.0")), Generation::Ppso);
    EXPECT_EQ(generation(fw("6.28.0")), Generation::Ppso);
    EXPECT_EQ(generation(fw("7.0.0")), Generation::Luna7);
    EXPECT_EQ(generation(fw("7.8.4")), Generation::Luna7);
}

TEST(RoleNames, PrePpsoRefusesEveryNameAndPointsToPartitionLogin) {
    for (std::string_view name : {"co", "Crypto Officer", "po", "anything"}) {
        auto r = resolve_role_name(Generation::PrePpso, name);
        EXPECT_EQ(r.code(), Err::UserTypeInvalid);
        EXPECT_EQ(r.status().message(),
                  "pre-PPSO partitions have no roles to log in to by name; use 'partition login' "
                  "to log in as the partition owner");
    }
}

TEST(RoleNames, PpsoAcceptsOnlyExactFullNames) {
    EXPECT_EQ(*resolve_role_name(Generation::Ppso, "Crypto Officer"), Role::CryptoOfficer);
    EXPECT_EQ(*resolve_role_name(Generation::Ppso, "Partition SO"), Role::PartitionSo);
    EXPECT_EQ(*resolve_role_name(Generation::Ppso, "Crypto User"), Role::CryptoUser);
    auto co = resolve_role_name(Generation::Ppso, "co");
    EXPECT_EQ(co.code(), Err::UserTypeInvalid);
    EXPECT_EQ(co.status().message(),
              "role name 'co' is not accepted by PPSO firmware 6.x; use the full name "
              "'Crypto Officer' (names are case-sensitive)");
    auto lower = resolve_role_name(Generation::Ppso, "crypto officer");
    EXPECT_EQ(lower.code(), Err::UserTypeInvalid);
    EXPECT_NE(lower.status().message().find("'Crypto Officer'"), std::string::npos);
    EXPECT_EQ(resolve_role_name(Generation::Ppso, "Limited Crypto Officer").code(),
              Err::UserTypeInvalid);
}

TEST(RoleNames, Luna7AcceptsShortAndFullNamesInAnyCase) {
    EXPECT_EQ(*resolve_role_name(Generation::Luna7, "po"), Role::PartitionSo);
    EXPECT_EQ(*resolve_role_name(Generation::Luna7, "CO"), Role::CryptoOfficer);
    EXPECT_EQ(*resolve_role_name(Generation::Luna7, "cu"), Role::CryptoUser);
    EXPECT_EQ(*resolve_role_name(Generation::Luna7, "au"), Role::Auditor);
    EXPECT_EQ(*resolve_role_name(Generation::Luna7, "lco"), Role::LimitedCryptoOfficer);
    EXPECT_EQ(*resolve_role_name(Generation::Luna7, "crypto officer"), Role::CryptoOfficer);
    EXPECT_EQ(*resolve_role_name(Generation::Luna7, "Partition SO"), Role::PartitionSo);
    EXPECT_EQ(resolve_role_name(Generation::Luna7, "admin").code(), Err::UserTypeInvalid);
}

TEST(RoleNames, AdminSlotResolvesHsmRoles) {
    EXPECT_EQ(*resolve_role_name(Generation::Luna7, "SO", true), Role::HsmSo);
    EXPECT_EQ(*resolve_role_name(Generation::PrePpso, "so", true), Role::HsmSo);
    EXPECT_EQ(resolve_role_name(Generation::Luna7, "co", true).code(), Err::UserTypeInvalid);
}

TEST(Roles, PerGenerationSets) {
    EXPECT_TRUE(contains(partition_roles(fw("6.10.0")), Role::CryptoOfficer));
    EXPECT_FALSE(contains(partition_roles(fw("6.10.0")), Role::PartitionSo));
    EXPECT_TRUE(contains(partition_roles(fw("6.22.0")), Role::PartitionSo));
    EXPECT_FALSE(contains(partition_roles(fw("6.22.0")), Role::Auditor));
    EXPECT_FALSE(contains(partition_roles(fw("7.3.0")), Role::LimitedCryptoOfficer));
    EXPECT_TRUE(contains(partition_roles(fw("7.7.0")), Role::LimitedCryptoOfficer));
    EXPECT_TRUE(contains(hsm_roles(fw("7.3.0")), Role::HsmSo));
}

TEST(Roles, StoreIdsAndNamesRoundTrip) {
    for (Role r : {Role::HsmSo, Role::HsmAuditor, Role::PartitionSo, Role::CryptoOfficer,
                   Role::CryptoUser, Role::LimitedCryptoOfficer, Role::Auditor}) {
        EXPECT_EQ(from_role_id(to_role_id(r)), r);
        EXPECT_FALSE(role_display_name(r).empty());
    }
    EXPECT_EQ(to_role_id(Role::CryptoOfficer), store::RoleId::CryptoOfficer);
    EXPECT_EQ(role_display_name(Role::PartitionSo), "Partition SO");
    EXPECT_TRUE(is_hsm_role(Role::HsmSo));
    EXPECT_FALSE(is_hsm_role(Role::CryptoOfficer));
}

TEST(Roles, UserTypesMapPerSlotKind) {
    EXPECT_EQ(*role_from_user_type(fw("7.3.0"), cku::kSo, true), Role::HsmSo);
    EXPECT_EQ(*role_from_user_type(fw("7.3.0"), cku::kSo, false), Role::PartitionSo);
    EXPECT_EQ(*role_from_user_type(fw("7.3.0"), cku::kUser, false), Role::CryptoOfficer);
    EXPECT_EQ(*role_from_user_type(fw("7.3.0"), cku::kCryptoUserOld, false), Role::CryptoUser);
    EXPECT_EQ(*role_from_user_type(fw("6.10.0"), cku::kUser, false), Role::CryptoOfficer);
    EXPECT_EQ(role_from_user_type(fw("6.10.0"), cku::kSo, false).code(), Err::UserTypeInvalid);
    EXPECT_EQ(role_from_user_type(fw("7.3.0"), cku::kLimitedCryptoOfficer, false).code(),
              Err::UserTypeInvalid);
    EXPECT_EQ(*role_from_user_type(fw("7.7.0"), cku::kLimitedCryptoOfficer, false),
              Role::LimitedCryptoOfficer);
    EXPECT_EQ(user_type_of(Role::CryptoUser), cku::kCryptoUser);
}

TEST(Lockout, TableMatchesPinnedBehaviour) {
    EXPECT_EQ(lockout_rule(Role::HsmSo).action, LockoutAction::ZeroizeHsm);
    EXPECT_EQ(lockout_threshold(Role::HsmSo, {}), 3u);
    EXPECT_EQ(lockout_rule(Role::PartitionSo).action, LockoutAction::ZeroizePartition);
    EXPECT_EQ(lockout_threshold(Role::PartitionSo, {}), 10u);
    EXPECT_EQ(lockout_rule(Role::CryptoOfficer).action, LockoutAction::LockOfficerAndUser);
    EXPECT_EQ(lockout_rule(Role::CryptoUser).action, LockoutAction::LockUser);
    EXPECT_EQ(lockout_threshold(Role::CryptoOfficer, {}), 10u);
    EXPECT_EQ(lockout_threshold(Role::CryptoOfficer, {{policy::kMaxFailedUserLogins, 4}}), 4u);
    EXPECT_EQ(lockout_threshold(Role::CryptoUser, {{policy::kMaxFailedUserLogins, 4}}), 4u);
    EXPECT_EQ(lockout_threshold(Role::HsmSo, {{policy::kMaxFailedUserLogins, 4}}), 3u);
}

TEST(Passwords, LengthMustBeEightTo255) {
    EXPECT_EQ(check_password_length(7).code(), Err::PinLenRange);
    EXPECT_TRUE(check_password_length(8).is_ok());
    EXPECT_TRUE(check_password_length(255).is_ok());
    EXPECT_EQ(check_password_length(256).code(), Err::PinLenRange);
    EXPECT_EQ(check_password_length(0).code(), Err::PinLenRange);
}

TEST(CloneDirection, OldToNewAlwaysWorks) {
    EXPECT_TRUE(check_clone_direction({fw("5.4.1")}, {fw("7.3.0")}).is_ok());
    EXPECT_TRUE(check_clone_direction({fw("6.10.0")}, {fw("6.22.0")}).is_ok());
    EXPECT_TRUE(check_clone_direction({fw("6.22.0")}, {fw("7.8.0")}).is_ok());
}

TEST(CloneDirection, SameGenerationWorksBothWaysExceptOutOfV0V1) {
    EXPECT_TRUE(check_clone_direction({fw("7.3.0")}, {fw("7.0.0")}).is_ok());
    EXPECT_TRUE(check_clone_direction({fw("6.10.0")}, {fw("5.4.1")}).is_ok());
    auto r = check_clone_direction({fw("7.7.0")}, {fw("7.3.0")});
    EXPECT_EQ(r.code(), Err::OperationNotAllowed);
    EXPECT_TRUE(check_clone_direction({fw("7.7.0")}, {fw("7.8.0")}).is_ok());
}

TEST(CloneDirection, NewerToOlderGenerationIsRefused) {
    auto r = check_clone_direction({fw("7.3.0")}, {fw("6.22.0")});
    EXPECT_EQ(r.code(), Err::OperationNotAllowed);
    EXPECT_NE(r.status().message().find("7.3.0"), std::string::npos);
    EXPECT_NE(r.status().message().find("6.22.0"), std::string::npos);
    EXPECT_EQ(check_clone_direction({fw("6.22.0")}, {fw("6.10.0")}).code(),
              Err::OperationNotAllowed);
}

TEST(CloneDirection, BackupHsmTargetsNeedNewEnoughFirmwareFor77Sources) {
    const CloneEndpoint g5_old{fw("6.10.0"), FormFactor::Backup};
    const CloneEndpoint g5_new{fw("6.28.0"), FormFactor::Backup};
    const CloneEndpoint b7_old{fw("7.7.0"), FormFactor::Backup};
    const CloneEndpoint b7_new{fw("7.7.1"), FormFactor::Backup};
    EXPECT_TRUE(check_clone_direction({fw("7.3.0")}, g5_old).is_ok());
    EXPECT_EQ(check_clone_direction({fw("7.7.0")}, g5_old).code(), Err::OperationNotAllowed);
    EXPECT_TRUE(check_clone_direction({fw("7.7.0")}, g5_new).is_ok());
    EXPECT_EQ(check_clone_direction({fw("7.8.0")}, b7_old).code(), Err::OperationNotAllowed);
    EXPECT_TRUE(check_clone_direction({fw("7.8.0")}, b7_new).is_ok());
    // Restoring from a G5 Backup HSM into a 7.x partition is old -> new.
    EXPECT_TRUE(check_clone_direction(g5_new, {fw("7.8.0")}).is_ok());
}

TEST(SlotStrings, Luna7UserPartitionMatchesReference) {
    SlotIdentity s{FormFactor::Network, fw("7.3.0"), AuthType::Password, false};
    EXPECT_EQ(slot_configuration(s),
              "Luna User Partition With SO (PW) Key Export With Cloning Mode");
    EXPECT_EQ(model_name(s), "LunaSA 7.3.0");
    EXPECT_EQ(slot_description(s), "Net Token Slot");
}

TEST(SlotStrings, SlotSetEchoMatchesReference) {
    EXPECT_EQ(slot_set_description({FormFactor::Network, fw("7.0.1"), AuthType::Password, false}),
              "Luna User Slot 7.0.1 (PW) Signing With Cloning Mode");
    EXPECT_EQ(slot_set_description({FormFactor::Network, fw("6.22.0"), AuthType::Ped, false}),
              "Luna User Slot 6.22.0 (PED) Signing With Cloning Mode");
}

TEST(SlotStrings, LegacyAndAdminConfigurations) {
    EXPECT_EQ(slot_configuration({FormFactor::Pcie, fw("6.10.0"), AuthType::Ped, false}),
              "Luna PCI (PED) Signing With Cloning Mode");
    EXPECT_EQ(slot_configuration({FormFactor::Network, fw("6.22.0"), AuthType::Password, false}),
              "Luna User Partition With SO (PW) Signing With Cloning Mode");
    EXPECT_EQ(slot_configuration({FormFactor::Network, fw("5.4.1"), AuthType::Password, false}),
              "Luna User Partition (PW) Signing With Cloning Mode");
    EXPECT_EQ(slot_configuration({FormFactor::Pcie, fw("7.3.0"), AuthType::Password, true}),
              "Luna HSM Admin Partition (PW)");
    EXPECT_EQ(model_name({FormFactor::Pcie, fw("6.10.0"), AuthType::Password, false}), "K6 Base");
}

TEST(FormFactors, ParseAndName) {
    EXPECT_EQ(*parse_form_factor("pcie"), FormFactor::Pcie);
    EXPECT_EQ(form_factor_name(FormFactor::Backup), "backup");
    EXPECT_EQ(parse_form_factor("PCIe").code(), Err::ArgumentsBad);
    EXPECT_EQ(*parse_auth_type("ped"), AuthType::Ped);
    EXPECT_EQ(parse_auth_type("pin").code(), Err::ArgumentsBad);
}

}  // namespace
}  // namespace sr::hsm
