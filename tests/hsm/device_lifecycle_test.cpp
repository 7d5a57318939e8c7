// Device lifecycle through the Device interface: HSM init, partitions, partition init, roles,
// logins, lockout, and persistence across reopening.
#include <algorithm>
#include <map>

#include "engine_test_util.h"

namespace sr::hsm::test {
namespace {

using DeviceLifecycle = EngineFixture;

TEST_F(DeviceLifecycle, FreshDeviceIsUninitializedAndHardInitNeedsNoLogin) {
    NewDeviceSpec spec;
    spec.home = m_home;
    spec.serial = 777001;
    make(spec);
    auto info = dev().info();
    SR_ASSERT_OK(info);
    EXPECT_FALSE(info->hsm_initialized);
    EXPECT_EQ(info->serial, 777001u);
    EXPECT_FALSE(info->identity_certificate_der.empty());
    AppId a = app();
    SR_ASSERT_OK(dev().init_hsm(a, {"myhsm", kSoPw, "hsm-domain"}));
    info = dev().info();
    EXPECT_TRUE(info->hsm_initialized);
    EXPECT_EQ(info->hsm_label, "myhsm");
    EXPECT_FALSE(info->hsm_domain_fingerprint.empty());
}

TEST_F(DeviceLifecycle, SoftInitNeedsSoLoginKeepsPasswordAndErasesPartitions) {
    make(ready_spec());
    AppId a = app();
    SR_EXPECT_ERR(dev().init_hsm(a, {"again", "whatever-pw", ""}), Err::UserNotLoggedIn);
    SessionId admin = session(a, kAdminPartition);
    SR_ASSERT_OK(dev().login(admin, Role::HsmSo, kSoPw));
    SR_ASSERT_OK(dev().init_hsm(a, {"again", "ignored-pw", ""}));
    EXPECT_EQ(dev().partitions()->size(), 0u);
    EXPECT_EQ(dev().info()->hsm_label, "again");
    SessionId admin2 = session(a, kAdminPartition);
    SR_ASSERT_OK(dev().login(admin2, Role::HsmSo, kSoPw));
}

TEST_F(DeviceLifecycle, PartitionsAreCreatedUninitializedListedAndDeleted) {
    make(ready_spec());
    AppId a = app();
    SessionId admin = session(a, kAdminPartition);
    SR_EXPECT_ERR(dev().create_partition(a, {"p2", {}, {}}), Err::UserNotLoggedIn);
    SR_ASSERT_OK(dev().login(admin, Role::HsmSo, kSoPw));
    auto id = dev().create_partition(a, {"p2", {}, {}});
    SR_ASSERT_OK(id);
    SR_EXPECT_ERR(dev().create_partition(a, {"p2", {}, {}}), Err::AlreadyExists);
    SR_EXPECT_ERR(dev().create_partition(a, {"p3", kCoPw, kDomain}), Err::ArgumentsBad);
    auto info = dev().partition_info(*id);
    SR_ASSERT_OK(info);
    EXPECT_FALSE(info->initialized);
    EXPECT_EQ(info->name, "p2");
    EXPECT_EQ(dev().partitions()->size(), 2u);
    SR_ASSERT_OK(dev().delete_partition(a, *id));
    EXPECT_EQ(dev().partitions()->size(), 1u);
    SR_EXPECT_ERR(dev().partition_info(*id), Err::SlotIdInvalid);
}

TEST_F(DeviceLifecycle, PartitionInitSetsLabelDomainAndPartitionSo) {
    make(ready_spec());
    AppId a = app();
    SessionId admin = session(a, kAdminPartition);
    SR_ASSERT_OK(dev().login(admin, Role::HsmSo, kSoPw));
    PartitionId p = *dev().create_partition(a, {"p2", {}, {}});
    SessionId s = session(a, p);
    SR_EXPECT_ERR(dev().login(s, Role::PartitionSo, kPoPw), Err::PartitionNotInitialized);
    SR_ASSERT_OK(dev().init_partition(a, p, {"label2", kPoPw, kDomain}));
    auto info = dev().partition_info(p);
    EXPECT_TRUE(info->initialized);
    EXPECT_EQ(info->label, "label2");
    EXPECT_EQ(info->domain_fingerprint, dev().partition_info(partition_named("p1"))->domain_fingerprint);
    s = session(a, p);
    SR_ASSERT_OK(dev().login(s, Role::PartitionSo, kPoPw));
    // Re-init needs the current PO password.
    SR_EXPECT_ERR(dev().init_partition(a, p, {"label3", "wrong-po-password", "other-domain"}),
                  Err::PinIncorrect);
    SR_ASSERT_OK(dev().init_partition(a, p, {"label3", kPoPw, "other-domain"}));
    EXPECT_NE(dev().partition_info(p)->domain_fingerprint,
              dev().partition_info(partition_named("p1"))->domain_fingerprint);
}

TEST_F(DeviceLifecycle, LoginRulesFollowPkcs11) {
    make(ready_spec());
    PartitionId p = partition_named("p1");
    AppId a = app();
    SessionId s = session(a, p);
    SR_ASSERT_OK(dev().login(s, Role::CryptoOfficer, kCoPw));
    SR_EXPECT_ERR(dev().login(s, Role::CryptoOfficer, kCoPw), Err::UserAlreadyLoggedIn);
    SR_EXPECT_ERR(dev().login(s, Role::PartitionSo, kPoPw), Err::UserAnotherAlreadyLoggedIn);
    // The login covers the app's other sessions on the partition.
    SessionId s2 = session(a, p, false);
    EXPECT_EQ(dev().session_info(s2)->logged_in, Role::CryptoOfficer);
    SR_ASSERT_OK(dev().logout(s));
    EXPECT_FALSE(dev().session_info(s2)->logged_in.has_value());
    SR_EXPECT_ERR(dev().login(s, Role::PartitionSo, kPoPw), Err::SessionReadOnlyExists);
    SR_EXPECT_ERR(dev().login(s, Role::HsmSo, kSoPw), Err::UserTypeInvalid);
    // Another app has its own login state.
    AppId b = app();
    SessionId t = session(b, p);
    EXPECT_FALSE(dev().session_info(t)->logged_in.has_value());
    // Closing the last session logs the app out.
    SR_ASSERT_OK(dev().login(t, Role::CryptoOfficer, kCoPw));
    SR_ASSERT_OK(dev().close_session(t));
    SessionId t2 = session(b, p);
    EXPECT_FALSE(dev().session_info(t2)->logged_in.has_value());
}

TEST_F(DeviceLifecycle, RoleInitChangeAndResetFollowTheAuthorityTable) {
    make(ready_spec());
    PartitionId p = partition_named("p1");
    AppId a = app();
    SessionId s = session(a, p);
    SR_EXPECT_ERR(dev().init_role(s, Role::CryptoUser, kCuPw), Err::UserNotLoggedIn);
    SR_ASSERT_OK(dev().login(s, Role::CryptoOfficer, kCoPw));
    SR_EXPECT_ERR(dev().init_role(s, Role::CryptoUser, "short"), Err::PinLenRange);
    SR_ASSERT_OK(dev().init_role(s, Role::CryptoUser, kCuPw));
    SR_EXPECT_ERR(dev().init_role(s, Role::CryptoUser, kCuPw), Err::AlreadyExists);
    SR_ASSERT_OK(dev().change_password(s, Role::CryptoOfficer, kCoPw, "co-password-2"));
    SR_ASSERT_OK(dev().reset_password(s, Role::CryptoUser, "cu-password-2"));
    SR_ASSERT_OK(dev().logout(s));
    SR_EXPECT_ERR(dev().login(s, Role::CryptoOfficer, kCoPw), Err::PinIncorrect);
    SR_ASSERT_OK(dev().login(s, Role::CryptoOfficer, "co-password-2"));
    SR_ASSERT_OK(dev().logout(s));
    SR_ASSERT_OK(dev().login(s, Role::CryptoUser, "cu-password-2"));
    SR_ASSERT_OK(dev().logout(s));
    // HSM policy 15 was off when p1 was made: the PO may not reset the CO.
    SR_ASSERT_OK(dev().login(s, Role::PartitionSo, kPoPw));
    SR_EXPECT_ERR(dev().reset_password(s, Role::CryptoOfficer, "co-password-3"),
                  Err::UserNotAuthorized);
}

TEST_F(DeviceLifecycle, EverythingSurvivesReopening) {
    make(ready_spec());
    PartitionId p = partition_named("p1");
    {
        AppId a = app();
        SessionId s = session(a, p);
        SR_EXPECT_ERR(dev().login(s, Role::CryptoOfficer, "wrong-password"), Err::PinIncorrect);
        SR_ASSERT_OK(dev().login(s, Role::PartitionSo, kPoPw));
        SR_ASSERT_OK(dev().set_partition_policies(a, p, std::vector<PolicyValue>{{20, 5}}));
    }
    reopen();
    EXPECT_EQ(dev().role_state(p, Role::CryptoOfficer)->failed_logins, 1u);
    auto policies = dev().partition_policies(p);
    SR_ASSERT_OK(policies);
    bool found = false;
    for (const auto& v : *policies)
        if (v.id == 20) found = v.value == 5;
    EXPECT_TRUE(found);
    EXPECT_TRUE(dev().partition_info(p)->initialized);
    EXPECT_EQ(dev().info()->hsm_label, "hsm");
    AppId a = app();
    SessionId s = session(a, p);
    SR_ASSERT_OK(dev().login(s, Role::CryptoOfficer, kCoPw));
    EXPECT_EQ(dev().role_state(p, Role::CryptoOfficer)->failed_logins, 0u);
}

TEST_F(DeviceLifecycle, ThreeWrongSoLoginsZeroizeTheHsm) {
    make(ready_spec());
    AppId a = app();
    SessionId admin = session(a, kAdminPartition);
    SR_EXPECT_ERR(dev().login(admin, Role::HsmSo, "wrong-pass-1"), Err::PinIncorrect);
    reopen();  // the counter survives a restart
    a = app();
    admin = session(a, kAdminPartition);
    EXPECT_EQ(dev().role_state(kAdminPartition, Role::HsmSo)->failed_logins, 1u);
    SR_EXPECT_ERR(dev().login(admin, Role::HsmSo, "wrong-pass-2"), Err::PinIncorrect);
    EXPECT_EQ(dev().partitions()->size(), 1u);
    SR_EXPECT_ERR(dev().login(admin, Role::HsmSo, "wrong-pass-3"), Err::SoLoginFailureThreshold);
    EXPECT_FALSE(dev().info()->hsm_initialized);
    EXPECT_EQ(dev().partitions()->size(), 0u);
    SR_EXPECT_ERR(dev().login(admin, Role::HsmSo, kSoPw), Err::HsmNotInitialized);
}

TEST_F(DeviceLifecycle, SuccessfulSoLoginResetsTheCounter) {
    make(ready_spec());
    AppId a = app();
    SessionId admin = session(a, kAdminPartition);
    for (int i = 0; i < 2; ++i)
        SR_EXPECT_ERR(dev().login(admin, Role::HsmSo, "wrong-password"), Err::PinIncorrect);
    SR_ASSERT_OK(dev().login(admin, Role::HsmSo, kSoPw));
    SR_ASSERT_OK(dev().logout(admin));
    for (int i = 0; i < 2; ++i)
        SR_EXPECT_ERR(dev().login(admin, Role::HsmSo, "wrong-password"), Err::PinIncorrect);
    EXPECT_TRUE(dev().info()->hsm_initialized);
}

TEST_F(DeviceLifecycle, TenWrongPartitionSoLoginsZeroizeThePartition) {
    make(ready_spec());
    PartitionId p = partition_named("p1");
    AppId a = app();
    SessionId s = session(a, p);
    for (int i = 0; i < 9; ++i)
        SR_EXPECT_ERR(dev().login(s, Role::PartitionSo, "wrong-password"), Err::PinIncorrect);
    reopen();
    a = app();
    s = session(a, p);
    EXPECT_EQ(dev().role_state(p, Role::PartitionSo)->failed_logins, 9u);
    SR_EXPECT_ERR(dev().login(s, Role::PartitionSo, "wrong-password"), Err::PinLocked);
    auto info = dev().partition_info(p);
    SR_ASSERT_OK(info);
    EXPECT_FALSE(info->initialized);
    EXPECT_TRUE(info->domain_fingerprint.empty());
    EXPECT_FALSE(dev().role_state(p, Role::CryptoOfficer)->initialized);
    SR_EXPECT_ERR(dev().session_info(s), Err::SessionHandleInvalid);
}

TEST_F(DeviceLifecycle, WrongCryptoOfficerLoginsUpToPolicy20LockOfficerAndUser) {
    make(ready_spec());
    PartitionId p = partition_named("p1");
    AppId a = app();
    SessionId s = session(a, p);
    SR_ASSERT_OK(dev().login(s, Role::CryptoOfficer, kCoPw));
    SR_ASSERT_OK(dev().init_role(s, Role::CryptoUser, kCuPw));
    SR_ASSERT_OK(dev().logout(s));
    SR_ASSERT_OK(dev().login(s, Role::PartitionSo, kPoPw));
    SR_ASSERT_OK(dev().set_partition_policies(a, p, std::vector<PolicyValue>{{20, 3}}));
    SR_ASSERT_OK(dev().logout(s));
    SR_EXPECT_ERR(dev().login(s, Role::CryptoOfficer, "wrong-password"), Err::PinIncorrect);
    SR_EXPECT_ERR(dev().login(s, Role::CryptoOfficer, "wrong-password"), Err::PinIncorrect);
    SR_EXPECT_ERR(dev().login(s, Role::CryptoOfficer, "wrong-password"), Err::PinLocked);
    reopen();
    a = app();
    s = session(a, p);
    EXPECT_TRUE(dev().role_state(p, Role::CryptoOfficer)->locked_out);
    EXPECT_TRUE(dev().role_state(p, Role::CryptoUser)->locked_out);
    SR_EXPECT_ERR(dev().login(s, Role::CryptoOfficer, kCoPw), Err::PinLocked);
    SR_EXPECT_ERR(dev().login(s, Role::CryptoUser, kCuPw), Err::PinLocked);
}

TEST_F(DeviceLifecycle, PartitionSoResetsLockedOfficerWhenPolicy15WasOnAtCreation) {
    NewDeviceSpec spec = ready_spec();
    spec.partitions.clear();
    spec.domain.clear();
    spec.po_password.clear();
    spec.co_password.clear();
    make(spec);
    AppId a = app();
    SessionId admin = session(a, kAdminPartition);
    SR_ASSERT_OK(dev().login(admin, Role::HsmSo, kSoPw));
    auto changed = dev().set_hsm_policies(a, std::vector<PolicyValue>{{15, 1}});
    SR_ASSERT_OK(changed);
    EXPECT_TRUE(changed->destructive);
    PartitionId p = *dev().create_partition(a, {"p1", {}, {}});
    EXPECT_TRUE(dev().partition_info(p)->so_can_reset_pin);
    SR_ASSERT_OK(dev().init_partition(a, p, {"p1", kPoPw, kDomain}));
    SessionId s = session(a, p);
    SR_ASSERT_OK(dev().login(s, Role::PartitionSo, kPoPw));
    SR_ASSERT_OK(dev().init_role(s, Role::CryptoOfficer, kCoPw));
    SR_ASSERT_OK(dev().logout(s));
    for (int i = 0; i < 10; ++i) (void)dev().login(s, Role::CryptoOfficer, "wrong-password");
    EXPECT_TRUE(dev().role_state(p, Role::CryptoOfficer)->locked_out);
    SR_ASSERT_OK(dev().login(s, Role::PartitionSo, kPoPw));
    SR_ASSERT_OK(dev().reset_password(s, Role::CryptoOfficer, "co-password-9"));
    SR_ASSERT_OK(dev().logout(s));
    SR_ASSERT_OK(dev().login(s, Role::CryptoOfficer, "co-password-9"));
}

TEST_F(DeviceLifecycle, PrePpsoPartitionsGetTheirOwnerAtCreation) {
    make(ready_spec("6.2.1"));
    PartitionId p = partition_named("p1");
    auto info = dev().partition_info(p);
    EXPECT_TRUE(info->initialized);
    EXPECT_EQ(info->label, "p1");
    AppId a = app();
    SessionId s = session(a, p);
    SR_EXPECT_ERR(dev().login(s, Role::PartitionSo, kPoPw), Err::UserTypeInvalid);
    SR_ASSERT_OK(dev().login(s, Role::CryptoOfficer, kCoPw));
    SR_EXPECT_ERR(dev().init_partition(a, p, {"x", kPoPw, kDomain}), Err::FunctionNotSupported);
    // Policies of a pre-PPSO partition are the HSM SO's to change.
    SR_EXPECT_ERR(dev().set_partition_policies(a, p, std::vector<PolicyValue>{{20, 4}}),
                  Err::UserNotLoggedIn);
    SessionId admin = session(a, kAdminPartition);
    SR_ASSERT_OK(dev().login(admin, Role::HsmSo, kSoPw));
    SR_ASSERT_OK(dev().set_partition_policies(a, p, std::vector<PolicyValue>{{20, 4}}));
}

TEST_F(DeviceLifecycle, AdministrativeEventsAndFailedLoginsAreAudited) {
    make(ready_spec());
    AppId a = app();
    SessionId s = session(a, partition_named("p1"));
    SR_EXPECT_ERR(dev().login(s, Role::CryptoOfficer, "wrong-password"), Err::PinIncorrect);
    SR_ASSERT_OK(dev().store().verify_audit_chain());
    auto tail = dev().store().audit_tail(50);
    SR_ASSERT_OK(tail);
    std::vector<std::string> events;
    for (const auto& r : *tail) events.push_back(r.event);
    for (const char* e : {"hsm.init.hard", "partition.create", "partition.init", "role.init",
                          "login.fail"})
        EXPECT_NE(std::find(events.begin(), events.end(), e), events.end()) << e;
}

TEST_F(DeviceLifecycle, HsmPoliciesReflectTheAuthTypeWhichCannotChange) {
    NewDeviceSpec spec = ready_spec();
    spec.auth = AuthType::Ped;
    make(spec);
    auto values = dev().hsm_policies();
    SR_ASSERT_OK(values);
    std::map<uint32_t, uint64_t> m;
    for (const auto& v : *values) m[v.id] = v.value;
    EXPECT_EQ(m.at(0), 0u);
    EXPECT_EQ(m.at(1), 1u);
    AppId a = app();
    SessionId admin = session(a, kAdminPartition);
    SR_ASSERT_OK(dev().login(admin, Role::HsmSo, kSoPw));
    SR_EXPECT_ERR(dev().set_hsm_policies(a, std::vector<PolicyValue>{{0, 1}}),
                  Err::OperationNotAllowed);
    auto r = dev().set_hsm_policies(a, std::vector<PolicyValue>{{16, 0}});
    SR_ASSERT_OK(r);
    EXPECT_FALSE(r->destructive);
    EXPECT_EQ(dev().partitions()->size(), 1u);
}

}  // namespace
}  // namespace sr::hsm::test
