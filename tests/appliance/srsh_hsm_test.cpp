// srsh `hsm ...`: login state, init, show and HSM policies, with golden output where the
// reference pins the words (luna-reference §2.1, §2.2).
#include "hsm/version.h"
#include "srsh_fixture.h"

namespace sr::appliance::srsh::testing {
namespace {

using HsmCommands = SrshTest;

TEST_F(HsmCommands, LoginPrintsLunaShResultLines) {
    make();
    const std::string out = run(login());
    EXPECT_EQ(out, "\n'hsm login' successful.\n\nCommand Result : 0 (Success)\n\n");
}

TEST_F(HsmCommands, LoginPromptsForThePasswordWhenNotGiven) {
    make();
    const std::string out = run("hsm login\n" + std::string(kSoPassword) + "\n");
    EXPECT_TRUE(contains(out, "Please enter the HSM Administrators' password:\n> \n")) << out;
    EXPECT_TRUE(contains(out, "'hsm login' successful.")) << out;
}

TEST_F(HsmCommands, WrongPasswordIsAClearErrorWithAttemptsLeftAndExitStatusOne) {
    make();
    int exit = 0;
    const std::string out = run("hsm login -password wrong-password\n", {}, &exit);
    EXPECT_TRUE(contains(out,
                         "Error: 'hsm login' failed. incorrect HSM SO password; 2 attempts "
                         "left before the HSM is zeroized\n"))
        << out;
    EXPECT_TRUE(contains(out, "Command Result : 0xa0 (CKR_PIN_INCORRECT)")) << out;
    EXPECT_EQ(exit, 1);
}

TEST_F(HsmCommands, ThreeWrongPasswordsZeroizeTheHsmAndSaySo) {
    make({7, 8, 4}, {"par1"});
    const std::string out =
        run("hsm login -password wrong-pass-1\nhsm login -password "
            "wrong-pass-2\nhsm login -password wrong-pass-3\nhsm show\n"
            "hsm init -label again -password new-so-pass -domain d2 -force\n"
            "hsm login -password new-so-pass\n");
    EXPECT_TRUE(contains(out, "1 attempt left before the HSM is zeroized")) << out;
    EXPECT_TRUE(contains(out, "the HSM was ZEROIZED")) << out;
    EXPECT_TRUE(contains(out, "   HSM Initialized:                no\n")) << out;
    EXPECT_TRUE(contains(out, "'hsm init' successful.")) << out;
    EXPECT_TRUE(contains(out, "'hsm login' successful.")) << out;
    auto parts = m_device->partitions();
    ASSERT_TRUE(parts.is_ok());
    EXPECT_TRUE(parts->empty());
}

TEST_F(HsmCommands, ShowReportsLoginStatusAndPartitions) {
    make({7, 8, 4}, {"par1"});
    const std::string out = run("hsm show\n" + login() + "hsm show\n");
    const std::string expected_head =
        "\n   Appliance Details:\n"
        "   ==================\n"
        "   Software Version:               " +
        std::string(hsm::version()) +
        "\n\n"
        "   HSM Details:\n"
        "   ============\n"
        "   HSM Label:                      myhsm\n"
        "   Serial #:                       654321\n"
        "   Firmware:                       7.8.4\n";
    EXPECT_EQ(out.substr(0, expected_head.size()), expected_head) << out;
    EXPECT_TRUE(contains(out, "   HSM Admin login status:         Not Logged In\n")) << out;
    EXPECT_TRUE(contains(out, "   HSM Admin login status:         Logged In\n")) << out;
    EXPECT_TRUE(contains(out, "   HSM Admin login attempts left:  3 before HSM zeroization!\n"))
        << out;
    EXPECT_TRUE(contains(out, "   Number of partitions created:   1\n")) << out;
    EXPECT_TRUE(contains(out, ", Name: par1\n")) << out;
    EXPECT_TRUE(contains(out, "'hsm show' successful.")) << out;
}

TEST_F(HsmCommands, LogoutEndsTheLoginAndASecondLogoutFails) {
    make();
    int exit = 0;
    const std::string out = run(login() + "hsm logout\nhsm show\nhsm logout\n", {}, &exit);
    EXPECT_TRUE(contains(out, "'hsm logout' successful.")) << out;
    EXPECT_TRUE(contains(out, "Not Logged In")) << out;
    EXPECT_TRUE(contains(out, "Error: 'hsm logout' failed. the HSM SO is not logged in")) << out;
    EXPECT_EQ(exit, 1);
}

TEST_F(HsmCommands, HardInitAsksForPasswordDomainAndProceed) {
    make({7, 8, 4}, {}, /*initialized=*/false);
    const std::string out = run(
        "hsm init -label newhsm\nnew-so-password\nnew-so-password\nmydomain\nmydomain\nproceed\n"
        "hsm login -password new-so-password\n");
    EXPECT_TRUE(contains(out,
                         "Please enter a password for the HSM Administrator:\n> \n"
                         "Please re-enter password to confirm:\n> \n"))
        << out;
    EXPECT_TRUE(
        contains(out, "Type 'proceed' to initialize the HSM, or\n'quit' to quit now.\n> \n"))
        << out;
    EXPECT_TRUE(contains(out, "'hsm init' successful.")) << out;
    EXPECT_TRUE(contains(out, "'hsm login' successful.")) << out;
    auto info = m_device->info();
    ASSERT_TRUE(info.is_ok());
    EXPECT_EQ(info->hsm_label, "newhsm");
}

TEST_F(HsmCommands, QuitAtTheConfirmationKeepsTheHsm) {
    make({7, 8, 4}, {"par1"});
    int exit = 0;
    const std::string out = run(login() + "hsm init -label other\nquit\n", {}, &exit);
    EXPECT_TRUE(contains(out, "Command aborted")) << out;
    EXPECT_EQ(exit, 1);
    auto parts = m_device->partitions();
    ASSERT_TRUE(parts.is_ok());
    EXPECT_EQ(parts->size(), 1U);
}

TEST_F(HsmCommands, SoftInitNeedsTheSoAndErasesPartitions) {
    make({7, 8, 4}, {"par1"});
    const std::string refused = run("hsm init -label other -force\n");
    EXPECT_TRUE(contains(refused, "needs the HSM SO: log in with 'hsm login'")) << refused;
    const std::string out = run(login() + "hsm init -label other -force\nhsm show\n");
    EXPECT_TRUE(contains(out, "'hsm init' successful.")) << out;
    EXPECT_TRUE(contains(out, "The HSM SO was logged out: 'hsm login' again.")) << out;
    EXPECT_TRUE(contains(out, "   HSM Label:                      other\n")) << out;
    EXPECT_TRUE(contains(out, "   HSM Admin login status:         Not Logged In\n")) << out;
    auto parts = m_device->partitions();
    ASSERT_TRUE(parts.is_ok());
    EXPECT_TRUE(parts->empty());
}

TEST_F(HsmCommands, PromptShowsTheHsmLabel) {
    make();
    auto state = State::open(*m_device, m_appliance);
    ASSERT_TRUE(state.is_ok());
    std::istringstream in;
    std::ostringstream out;
    auto console = shell::stream_console(in, out);
    Shell shell(**state, *console, {});
    EXPECT_EQ(shell.prompt(), "[myhsm] srsh:> ");
}

TEST_F(HsmCommands, ShowPoliciesListsCapabilitiesThenPolicies) {
    make();
    const std::string out = run("hsm showpolicies\n");
    const auto caps = out.find("   HSM Capabilities\n");
    const auto pols = out.find("   HSM Policies\n");
    ASSERT_NE(caps, std::string::npos) << out;
    ASSERT_NE(pols, std::string::npos) << out;
    EXPECT_LT(caps, pols);
    EXPECT_TRUE(contains(out.substr(pols), "      7: ")) << out;
}

TEST_F(HsmCommands, ChangePolicyNeedsTheSoThenChangesTheValue) {
    make();
    const std::string refused = run("hsm changepolicy -policy 16 -value 0\n");
    EXPECT_TRUE(contains(refused, "needs the HSM SO")) << refused;
    const std::string out = run(login() + "hsm changepo -po 16 -v 0\n");
    EXPECT_TRUE(contains(out, "'hsm changepolicy' successful.")) << out;
    auto values = m_device->hsm_policies();
    ASSERT_TRUE(values.is_ok());
    bool found = false;
    for (const auto& v : *values)
        if (v.id == 16) found = v.value == 0;
    EXPECT_TRUE(found);
}

TEST_F(HsmCommands, DestructivePolicyChangeAsksForProceed) {
    make({7, 8, 4}, {"par1"});
    const std::string out = run(login() + "hsm changepolicy -policy 15 -value 1\nquit\n");
    EXPECT_TRUE(contains(out, "Type 'proceed' to change the policy")) << out;
    EXPECT_TRUE(contains(out, "Command aborted")) << out;
    auto parts = m_device->partitions();
    ASSERT_TRUE(parts.is_ok());
    EXPECT_EQ(parts->size(), 1U);
}

}  // namespace
}  // namespace sr::appliance::srsh::testing
