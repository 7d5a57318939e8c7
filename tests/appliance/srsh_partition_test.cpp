// srsh `partition ...`: create/delete/list/show and partition policies, on 7.x (uninitialized
// partitions, policies by the Partition SO) and pre-PPSO firmware (owner password and domain at
// creation, policies by the HSM SO) — BEHAVIOUR.md "Firmware personalities".
#include "srsh_fixture.h"

namespace sr::appliance::srsh::testing {
namespace {

using PartitionCommands = SrshTest;

std::optional<hsm::PartitionInfo> find(hsm::Device& dev, const std::string& name) {
    auto parts = dev.partitions();
    if (!parts) return std::nullopt;
    for (auto& p : *parts)
        if (p.name == name) return p;
    return std::nullopt;
}

uint64_t policy(hsm::Device& dev, hsm::PartitionId p, uint32_t id) {
    auto values = dev.partition_policies(p);
    if (values)
        for (const auto& v : *values)
            if (v.id == id) return v.value;
    return UINT64_MAX;
}

TEST_F(PartitionCommands, CreateAsksForProceedAsLunaShDoes) {
    make();
    const std::string out = run(login() + "partition create -partition par1\nproceed\n");
    EXPECT_TRUE(contains(out,
                         "\nType 'proceed' to create the partition, or\n'quit' to quit now.\n"
                         "> \n"))
        << out;
    EXPECT_TRUE(contains(out, "   Partition Name:                 par1\n")) << out;
    EXPECT_TRUE(contains(out, "   Initialized:                    no\n")) << out;
    EXPECT_TRUE(contains(out, "\n'partition create' successful.\n\nCommand Result : 0 (Success)\n"))
        << out;
    auto p = find(*m_device, "par1");
    ASSERT_TRUE(p);
    EXPECT_FALSE(p->initialized);
}

TEST_F(PartitionCommands, CreateNeedsTheHsmSo) {
    make();
    int exit = 0;
    const std::string out = run("par create -par par1 -force\n", {}, &exit);
    EXPECT_TRUE(contains(out,
                         "Error: 'partition create' failed. 'partition create' needs the "
                         "HSM SO: log in with 'hsm login'"))
        << out;
    EXPECT_EQ(exit, 1);
    EXPECT_FALSE(find(*m_device, "par1"));
}

TEST_F(PartitionCommands, SevenXRefusesOwnerPasswordAtCreation) {
    make();
    const std::string out =
        run(login() + "partition create -partition par1 -password owner-pass-1 -force\n");
    EXPECT_TRUE(contains(out, "creates partitions uninitialized")) << out;
    EXPECT_FALSE(find(*m_device, "par1"));
}

TEST_F(PartitionCommands, PrePpsoCreateSetsOwnerPasswordAndDomain) {
    make({6, 10, 2});
    const std::string out = run(login() +
                                "partition create -partition legacy\nowner-pass-1\nowner-pass-1\n"
                                "legacy-domain\nlegacy-domain\nproceed\n");
    EXPECT_TRUE(contains(out,
                         "Please enter a password for the partition:\n> \n"
                         "Please re-enter password to confirm:\n> \n"))
        << out;
    EXPECT_TRUE(contains(out, "'partition create' successful.")) << out;
    auto p = find(*m_device, "legacy");
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->initialized);
    // The owner logs in with the password srsh set.
    auto app = m_device->attach();
    ASSERT_TRUE(app.is_ok());
    auto s = m_device->open_session(*app, p->id, true);
    ASSERT_TRUE(s.is_ok());
    EXPECT_TRUE(m_device->login(*s, hsm::Role::CryptoOfficer, "owner-pass-1").is_ok());
    (void)m_device->detach(*app);
}

TEST_F(PartitionCommands, ListShowsEveryPartitionWithoutLogin) {
    make({7, 8, 4}, {"par1", "par2"});
    const std::string out = run("partition list\n");
    EXPECT_TRUE(contains(out, " par1 ")) << out;
    EXPECT_TRUE(contains(out, " par2 ")) << out;
    EXPECT_TRUE(contains(out, "   2 partitions\n")) << out;
    EXPECT_TRUE(contains(out, "'partition list' successful.")) << out;
}

TEST_F(PartitionCommands, ShowOneOrAll) {
    make({7, 8, 4}, {"par1", "par2"});
    const std::string one = run("partition show -partition par2\n");
    EXPECT_TRUE(contains(one, "   Partition Name:                 par2\n")) << one;
    EXPECT_FALSE(contains(one, "par1")) << one;
    EXPECT_TRUE(contains(one, "   Partition Initialized:          no\n")) << one;
    const std::string all = run("partition show\n");
    EXPECT_TRUE(contains(all, "par1") && contains(all, "par2")) << all;
    const std::string missing = run("partition show -partition nope\n");
    EXPECT_TRUE(contains(missing,
                         "no partition named 'nope' on this HSM; 'partition list' "
                         "shows them"))
        << missing;
}

TEST_F(PartitionCommands, DeleteAsksThenErases) {
    make({7, 8, 4}, {"par1"});
    const std::string kept = run(login() + "partition delete -partition par1\nquit\n");
    EXPECT_TRUE(contains(kept, "Type 'proceed' to delete the partition")) << kept;
    EXPECT_TRUE(find(*m_device, "par1"));
    const std::string out = run(login() + "partition delete -partition par1\nproceed\n");
    EXPECT_TRUE(contains(out, "'partition delete' successful.")) << out;
    EXPECT_FALSE(find(*m_device, "par1"));
}

TEST_F(PartitionCommands, ShowPoliciesPrintsIdNameValue) {
    make({7, 8, 4}, {"par1"});
    const std::string out = run("partition showpolicies -partition par1 -verbose\n");
    EXPECT_TRUE(contains(out, "   Partition Capabilities\n")) << out;
    EXPECT_TRUE(contains(out, "   Partition Policies\n")) << out;
    EXPECT_TRUE(contains(out, "      0: Allow private key cloning : 1")) << out;
    EXPECT_TRUE(contains(out, "(destructive when enabled)")) << out;
}

TEST_F(PartitionCommands, PrePpsoPolicyChangeIsTheHsmSos) {
    hsm::FirmwareVersion legacy{6, 10, 2};
    make(legacy);
    (void)run(login() +
              "partition create -partition legacy -password owner-pass-1 -domain d1 "
              "-force\n");
    auto p = find(*m_device, "legacy");
    ASSERT_TRUE(p);
    const std::string refused =
        run("partition changepolicy -partition legacy -policy 23 -value 1\n");
    EXPECT_TRUE(contains(refused, "needs the HSM SO")) << refused;
    const std::string out = run(login() + "par changepo -par legacy -po 23 -v 1\n");
    EXPECT_TRUE(contains(out, "   Policy 23 (Allow auto-activation) changed from 0 to 1.")) << out;
    EXPECT_TRUE(contains(out, "'partition changepolicy' successful.")) << out;
    EXPECT_EQ(policy(*m_device, p->id, 23), 1U);
}

TEST_F(PartitionCommands, SevenXPolicyChangeNeedsThePartitionSo) {
    make({7, 8, 4}, {"par1"});
    auto p = find(*m_device, "par1");
    ASSERT_TRUE(p);
    const std::string uninit =
        run("partition changepolicy -partition par1 -policy 23 -value 1 -psopin po-password-1\n");
    EXPECT_TRUE(contains(uninit, "is not initialized")) << uninit;
    auto app = m_device->attach();
    ASSERT_TRUE(app.is_ok());
    ASSERT_TRUE(m_device->init_partition(*app, p->id, {"par1", "po-password-1", "dom"}).is_ok());
    (void)m_device->detach(*app);
    const std::string wrong =
        run("partition changepolicy -partition par1 -policy 23 -value 1 -psopin wrong-pass-1\n");
    EXPECT_TRUE(contains(wrong, "CKR_PIN_INCORRECT")) << wrong;
    const std::string out =
        run("partition changepolicy -partition par1 -policy 23 -value 1\npo-password-1\n");
    EXPECT_TRUE(contains(out, "Please enter the Partition SO password:\n> \n")) << out;
    EXPECT_TRUE(contains(out, "'partition changepolicy' successful.")) << out;
    EXPECT_EQ(policy(*m_device, p->id, 23), 1U);
}

TEST_F(PartitionCommands, PolicyZeroAndOneTogetherAreRefused) {
    make({6, 10, 2});
    (void)run(login() +
              "partition create -partition legacy -password owner-pass-1 -domain d1 "
              "-force\n");
    const std::string out =
        run(login() + "partition changepolicy -partition legacy -policy 1 -value 1 -force\n");
    EXPECT_TRUE(contains(out, "CKR_CONFIG_FAILS_DEPENDENCIES")) << out;
    EXPECT_TRUE(contains(out, "never both")) << out;
}

}  // namespace
}  // namespace sr::appliance::srsh::testing
