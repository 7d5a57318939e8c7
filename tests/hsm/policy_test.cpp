#include "hsm/policy.h"

#include <gtest/gtest.h>

#include <set>

namespace sr::hsm {
namespace {

constexpr FirmwareVersion kFw7{7, 8, 0};

using Changes = std::vector<std::pair<uint32_t, uint64_t>>;

TEST(PolicyTables, IdsAreUniqueAndAscendingWithNames) {
    for (auto table : {partition_policies(), hsm_policies()}) {
        std::set<uint32_t> ids;
        uint32_t last = 0;
        bool first = true;
        for (const PolicyDef& d : table) {
            EXPECT_TRUE(ids.insert(d.id).second) << d.id;
            if (!first) {
                EXPECT_GT(d.id, last);
            }
            first = false;
            last = d.id;
            EXPECT_FALSE(d.policy_name.empty()) << d.id;
            EXPECT_FALSE(d.capability_name.empty()) << d.id;
            EXPECT_LE(d.default_value, d.capability) << d.id;
            if (d.kind == PolicyKind::Bool) {
                EXPECT_LE(d.capability, 1u) << d.id;
            }
        }
    }
}

TEST(PolicyTables, PinnedPartitionRows) {
    const PolicyDef* p0 = find_policy(partition_policies(), 0);
    ASSERT_NE(p0, nullptr);
    EXPECT_EQ(p0->policy_name, "Allow private key cloning");
    EXPECT_EQ(p0->default_value, 1u);
    EXPECT_TRUE(p0->destructive_off_to_on);
    const PolicyDef* p1 = find_policy(partition_policies(), 1);
    ASSERT_NE(p1, nullptr);
    EXPECT_EQ(p1->default_value, 0u);
    EXPECT_TRUE(p1->destructive_off_to_on);
    const PolicyDef* p4 = find_policy(partition_policies(), 4);
    ASSERT_NE(p4, nullptr);
    EXPECT_EQ(p4->default_value, 1u);
    EXPECT_FALSE(p4->destructive_off_to_on);
    EXPECT_FALSE(p4->destructive_on_to_off);
    const PolicyDef* p20 = find_policy(partition_policies(), 20);
    ASSERT_NE(p20, nullptr);
    EXPECT_EQ(p20->kind, PolicyKind::Number);
    EXPECT_EQ(p20->default_value, 10u);
    EXPECT_EQ(find_policy(partition_policies(), 22)->default_value, 0u);
    EXPECT_EQ(find_policy(partition_policies(), 23)->default_value, 0u);
    EXPECT_EQ(find_policy(partition_policies(), 27), nullptr);  // obsolete
}

TEST(PolicyTables, PinnedHsmRows) {
    EXPECT_EQ(find_policy(hsm_policies(), 7)->default_value, 1u);
    EXPECT_EQ(find_policy(hsm_policies(), 16)->default_value, 1u);
    const PolicyDef* p15 = find_policy(hsm_policies(), 15);
    ASSERT_NE(p15, nullptr);
    EXPECT_EQ(p15->default_value, 0u);
    EXPECT_TRUE(p15->destructive_off_to_on);
}

TEST(PolicyTables, FirmwareDecidesWhichPoliciesExist) {
    const PolicyDef* p41 = find_policy(partition_policies(), 41);
    ASSERT_NE(p41, nullptr);
    EXPECT_FALSE(applies_to(*p41, {7, 3, 0}));
    EXPECT_TRUE(applies_to(*p41, {7, 7, 0}));
    EXPECT_FALSE(default_policy_values(partition_policies(), {6, 10, 0}).count(41));
    EXPECT_TRUE(default_policy_values(partition_policies(), {6, 10, 0}).count(0));
    const PolicyDef* ppso = find_policy(hsm_policies(), hsm_policy::kPerPartitionSo);
    EXPECT_FALSE(applies_to(*ppso, {6, 21, 2}));
    EXPECT_TRUE(applies_to(*ppso, {6, 22, 0}));
}

TEST(PolicyTables, HsmDefaultsFollowAuthType) {
    auto pw = default_hsm_policy_values(kFw7, AuthType::Password);
    EXPECT_EQ(pw[hsm_policy::kPinAuthentication], 1u);
    EXPECT_EQ(pw[hsm_policy::kPedAuthentication], 0u);
    auto ped = default_hsm_policy_values(kFw7, AuthType::Ped);
    EXPECT_EQ(ped[hsm_policy::kPinAuthentication], 0u);
    EXPECT_EQ(ped[hsm_policy::kPedAuthentication], 1u);
}

TEST(PlanPolicyChange, CloningAndWrappingCannotBothBeOn) {
    auto r = plan_policy_change(partition_policies(), {}, {{1, 1}}, kFw7);
    EXPECT_EQ(r.code(), Err::ConfigFailsDependencies);
    auto both = plan_policy_change(partition_policies(), {{0, 0}}, {{0, 1}, {1, 1}}, kFw7);
    EXPECT_EQ(both.code(), Err::ConfigFailsDependencies);
}

TEST(PlanPolicyChange, SwitchingToKeyExportModeInOneChangeIsAllowedAndDestructive) {
    auto r = plan_policy_change(partition_policies(), {}, {{0, 0}, {1, 1}}, kFw7);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    EXPECT_TRUE(r->destructive());
    EXPECT_EQ(r->destructive_ids, (std::vector<uint32_t>{1}));
    EXPECT_EQ(r->effective_changes, (Changes{{0, 0}, {1, 1}}));
    EXPECT_EQ(r->new_values.at(0), 0u);
    EXPECT_EQ(r->new_values.at(1), 1u);
}

TEST(PlanPolicyChange, TurningCloningBackOnIsDestructive) {
    auto r = plan_policy_change(partition_policies(), {{0, 0}, {1, 1}}, {{1, 0}, {0, 1}}, kFw7);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    EXPECT_EQ(r->destructive_ids, (std::vector<uint32_t>{0}));
}

TEST(PlanPolicyChange, TurningCloningOffIsNotDestructive) {
    auto r = plan_policy_change(partition_policies(), {}, {{0, 0}}, kFw7);
    ASSERT_TRUE(r.is_ok());
    EXPECT_FALSE(r->destructive());
}

TEST(PlanPolicyChange, NoOpChangeIsNeitherEffectiveNorDestructive) {
    auto r = plan_policy_change(partition_policies(), {{0, 1}}, {{0, 1}, {4, 1}}, kFw7);
    ASSERT_TRUE(r.is_ok());
    EXPECT_TRUE(r->effective_changes.empty());
    EXPECT_FALSE(r->destructive());
}

TEST(PlanPolicyChange, SecretKeyCloningToggleIsNotDestructive) {
    auto off = plan_policy_change(partition_policies(), {}, {{4, 0}}, kFw7);
    ASSERT_TRUE(off.is_ok());
    EXPECT_FALSE(off->destructive());
    auto on = plan_policy_change(partition_policies(), {{4, 0}}, {{4, 1}}, kFw7);
    ASSERT_TRUE(on.is_ok());
    EXPECT_FALSE(on->destructive());
}

TEST(PlanPolicyChange, MaxFailedLoginsMayBeLoweredNotRaised) {
    auto lower = plan_policy_change(partition_policies(), {}, {{20, 3}}, kFw7);
    ASSERT_TRUE(lower.is_ok());
    EXPECT_EQ(lower->new_values.at(20), 3u);
    EXPECT_EQ(plan_policy_change(partition_policies(), {}, {{20, 11}}, kFw7).code(),
              Err::OperationNotAllowed);
    EXPECT_EQ(plan_policy_change(partition_policies(), {}, {{20, 0}}, kFw7).code(),
              Err::OperationNotAllowed);
}

TEST(PlanPolicyChange, UnknownOrMalformedValuesAreRefused) {
    auto unknown = plan_policy_change(partition_policies(), {}, {{999, 1}}, kFw7);
    EXPECT_EQ(unknown.code(), Err::ArgumentsBad);
    EXPECT_NE(unknown.status().message().find("999"), std::string::npos);
    EXPECT_EQ(plan_policy_change(partition_policies(), {}, {{22, 2}}, kFw7).code(),
              Err::ArgumentsBad);
    // Exists, but not on this firmware.
    EXPECT_EQ(plan_policy_change(partition_policies(), {}, {{41, 1}}, {7, 3, 0}).code(),
              Err::ArgumentsBad);
}

TEST(PlanPolicyChange, LaterEntryForTheSameIdWins) {
    auto r = plan_policy_change(partition_policies(), {}, {{22, 1}, {22, 0}}, kFw7);
    ASSERT_TRUE(r.is_ok());
    EXPECT_TRUE(r->effective_changes.empty());
}

TEST(PlanPolicyChange, HsmSoResetPinIsDestructiveOnEnable) {
    auto on = plan_policy_change(hsm_policies(), {}, {{15, 1}}, kFw7);
    ASSERT_TRUE(on.is_ok());
    EXPECT_EQ(on->destructive_ids, (std::vector<uint32_t>{15}));
    auto off = plan_policy_change(hsm_policies(), {{15, 1}}, {{15, 0}}, kFw7);
    ASSERT_TRUE(off.is_ok());
    EXPECT_FALSE(off->destructive());
    auto cloning = plan_policy_change(hsm_policies(), {}, {{7, 0}}, kFw7);
    ASSERT_TRUE(cloning.is_ok());
    EXPECT_FALSE(cloning->destructive());
}

TEST(PlanPolicyChange, CombinedChangeReportsEveryDestructiveId) {
    auto r = plan_policy_change(hsm_policies(), {}, {{12, 0}, {15, 1}, {16, 0}}, kFw7);
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(r->destructive_ids, (std::vector<uint32_t>{12, 15}));
    EXPECT_EQ(r->effective_changes.size(), 3u);
}

}  // namespace
}  // namespace sr::hsm
