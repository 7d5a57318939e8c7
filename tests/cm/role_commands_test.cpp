// srcm's role commands per firmware personality: which names each generation accepts and what
// a refusal tells the operator to type, one login per slot (a second replaces the first), the
// policy-20 lockout, credentials (init, changepw, resetpw), and bad input.
#include <nlohmann/json.hpp>
#include <sstream>

#include "cm_fixture.h"

namespace sr::cm {
namespace {

constexpr const char* kDomain = "domain-alpha";

void ready(hsm::NewDeviceSpec& s) {
    s.domain = kDomain;
    s.po_password = "po-password-1";
    s.co_password = "co-password-1";
}
void legacy_ready(hsm::NewDeviceSpec& s) {
    s.domain = kDomain;
    s.co_password = "co-password-1";
}

class RoleCommandsTest : public testing::CmTest {
protected:
    // Slot 1: a ready 7.x partition.
    void make_luna7() { make(100001, {7, 3, 0}, {"p7"}, ready); }
};

TEST_F(RoleCommandsTest, EachGenerationAcceptsItsOwnRoleNames) {
    make(100001, {7, 3, 0}, {"p7"}, ready);
    make(100002, {6, 22, 0}, {"p622"}, ready);
    make(100003, {6, 21, 0}, {"p621"}, legacy_ready);
    make(100004, {5, 4, 0}, {"p54"}, legacy_ready);
    const std::string out =
        run("slot set -slot 1\n"
            "role login -name CO -password co-password-1\n"
            "slot set -slot 3\n"
            "role login -name co -password co-password-1\n"
            "role login -name crypto officer -password co-password-1\n"
            "role login -name Crypto Officer -password co-password-1\n"
            "slot set -slot 5\n"
            "role login -name co -password co-password-1\n"
            "slot set -slot 7\n"
            "role login -name Crypto Officer\n");
    EXPECT_TRUE(contains(out, "The Crypto Officer is logged in on slot 1.")) << out;
    EXPECT_TRUE(contains(out,
                         "role name 'co' is not accepted by PPSO firmware 6.x; use the full "
                         "name 'Crypto Officer' (names are case-sensitive)"))
        << out;
    EXPECT_TRUE(contains(out, "role name 'crypto officer' is not accepted")) << out;
    EXPECT_TRUE(contains(out, "The Crypto Officer is logged in on slot 3.")) << out;
    EXPECT_TRUE(contains(out,
                         "slot 5 is a pre-PPSO partition (firmware 6.21.0): it has no roles "
                         "by name, only its owner; log in as the owner with 'partition "
                         "login'"))
        << out;
    EXPECT_TRUE(contains(out, "slot 7 is a pre-PPSO partition (firmware 5.4.0)")) << out;
    size_t refused = 0;
    for (size_t at = out.find("(CKR_USER_TYPE_INVALID)"); at != std::string::npos;
         at = out.find("(CKR_USER_TYPE_INVALID)", at + 1))
        ++refused;
    EXPECT_EQ(refused, 4u) << out;
}

TEST_F(RoleCommandsTest, SecondLoginLogsTheFirstRoleOut) {
    make_luna7();
    const std::string out =
        run("slot set -slot 1\n"
            "role login -name po -password po-password-1\n"
            "role login -name co -password co-password-1\n"
            "role show -name po\n"
            "partition changepolicy -policy 20 -value 5\n");
    EXPECT_TRUE(contains(out,
                         "The Partition SO was logged out first.\n"
                         "        The Crypto Officer is logged in on slot 1."))
        << out;
    EXPECT_TRUE(contains(out, "        Role ->                     Partition SO\n")) << out;
    EXPECT_TRUE(contains(out, "        Logged in ->                no\n")) << out;
    EXPECT_TRUE(contains(out,
                         "only the Partition SO may change partition policies, and the Crypto "
                         "Officer is logged in on slot 1: type 'role login -name po'"))
        << out;
}

TEST_F(RoleCommandsTest, CryptoOfficerLocksOutAfterPolicy20Failures) {
    make_luna7();
    int exit = -1;
    const std::string out =
        run("slot set -slot 1\n"
            "role login -name po -password po-password-1\n"
            "partition changepolicy -policy 20 -value 3\n"
            "role login -name co -password wrong-password\n"
            "role login -name co -password wrong-password\n"
            "role login -name co -password wrong-password\n"
            "role login -name co -password co-password-1\n"
            "role show -name co\n",
            {}, &exit);
    EXPECT_TRUE(contains(out, "incorrect password (1 of 3 failed attempts)")) << out;
    EXPECT_TRUE(contains(out, "incorrect password (2 of 3 failed attempts)")) << out;
    EXPECT_TRUE(contains(out,
                         "too many failed logins: the Crypto Officer and Crypto User are "
                         "locked out. The Partition SO can unlock both with 'role "
                         "resetpw -name co' if HSM policy 15 was on"))
        << out;
    EXPECT_TRUE(contains(out, "the Crypto Officer is locked out")) << out;
    EXPECT_TRUE(contains(out, "Command Result : 0xa4 (CKR_PIN_LOCKED)")) << out;
    EXPECT_TRUE(contains(out, "        Locked out ->               yes\n")) << out;
    EXPECT_TRUE(contains(out, "        Failed login attempts ->    3 (lockout after 3)\n")) << out;
    EXPECT_EQ(exit, 1);
}

TEST_F(RoleCommandsTest, InitChangeAndResetFollowTheAuthorityRules) {
    make(100001, {7, 3, 0}, {"p7"}, ready);
    const std::string out =
        run("slot set -slot 1\n"
            "role init -name cu\n"  // nobody logged in
            "role login -name co -password co-password-1\n"
            "role init -name cu\n"
            "cu-password-1\ncu-password-2\n"  // entries differ
            "role init -name cu\n"
            "cu-password-1\ncu-password-1\n"
            "role changepw -name co -oldpw co-password-1 -newpw co-password-2\n"
            "role resetpw -name cu -password cu-password-9\n"
            "role login -name cu -password cu-password-9\n"
            "role show -name cu\n"
            "role login -name co -password co-password-2\n");
    EXPECT_TRUE(contains(out,
                         "the Crypto Officer must be logged in on slot 1 to initialize the "
                         "Crypto User: type 'role login -name co' first"))
        << out;
    EXPECT_TRUE(contains(out,
                         "Enter password for Crypto User: \nRe-enter password for Crypto "
                         "User: \n"))
        << out;
    EXPECT_TRUE(contains(out, "the two entries of the password for Crypto User do not match"))
        << out;
    EXPECT_TRUE(contains(out,
                         "The Crypto User is initialized on slot 1; it logs in with 'role "
                         "login -name cu'."))
        << out;
    EXPECT_TRUE(contains(out, "The Crypto Officer's password is changed.")) << out;
    EXPECT_TRUE(contains(out, "The Crypto User is logged in on slot 1.")) << out;
    EXPECT_TRUE(contains(out, "        Must change password ->     yes\n")) << out;
    EXPECT_TRUE(contains(out,
                         "The Crypto User was logged out first.\n        The Crypto Officer "
                         "is logged in on slot 1."))
        << out;
}

TEST_F(RoleCommandsTest, PartitionSoCannotResetTheOfficerWithoutHsmPolicy15) {
    make_luna7();
    const std::string out =
        run("slot set -slot 1\n"
            "role login -name po -password po-password-1\n"
            "role resetpw -name co -password co-password-9\n");
    EXPECT_TRUE(contains(out, "only when HSM policy 15 was on before the partition was created"))
        << out;
}

TEST_F(RoleCommandsTest, CreateChallengeOnAPasswordPartitionSaysThereIsNothingToDo) {
    make_luna7();
    const std::string out =
        run("slot set -slot 1\n"
            "role login -name po -password po-password-1\n"
            "role createchallenge -name co -challengeSecret secret-123\n");
    EXPECT_TRUE(contains(out,
                         "slot 1 is password-authenticated: challenge secrets are for "
                         "PED-authenticated partitions"))
        << out;
    EXPECT_TRUE(contains(out, "(CKR_FUNCTION_NOT_SUPPORTED)")) << out;
}

TEST_F(RoleCommandsTest, CreateChallengeOnAPedPartitionSaysWhatIsMissing) {
    make(100001, {7, 3, 0}, {"p7"}, [](hsm::NewDeviceSpec& s) {
        ready(s);
        s.auth = hsm::AuthType::Ped;
    });
    const std::string out = run("slot set -slot 1\nrole createchallenge -name co\n");
    EXPECT_TRUE(contains(out, "emulates PED partitions with passwords only")) << out;
    EXPECT_TRUE(contains(out, "'role login -name co -password <password>'")) << out;
}

TEST_F(RoleCommandsTest, RoleListShowsWhatToTypePerGeneration) {
    make(100001, {7, 3, 0}, {"p7"}, ready);
    make(100002, {6, 22, 0}, {"p622"}, ready);
    const std::string out = run("slot set -slot 1\nrole list\nslot set -slot 3\nrole list\n");
    EXPECT_TRUE(contains(out, "                Crypto Officer          role login -name co\n"))
        << out;
    EXPECT_TRUE(contains(out,
                         "                Crypto Officer          role login -name Crypto "
                         "Officer\n"))
        << out;
    EXPECT_TRUE(contains(out, "PPSO: type the full names, exactly as shown (case-sensitive)"))
        << out;
}

TEST_F(RoleCommandsTest, BadInputGivesAClearErrorTheUsageAndAResultLine) {
    make_luna7();
    int exit = -1;
    const std::string out =
        run("role login\n"
            "role login -name so -password so-password-1\n"  // slot 0, the admin slot: ok
            "role login -name co\n"                          // not a role of the admin slot
            "role frobnicate\n"
            "slot set -slot 1\n"
            "role logout\n",
            {}, &exit);
    EXPECT_TRUE(contains(out, "Usage: role login -name <role> [-password <password>]")) << out;
    EXPECT_TRUE(contains(out, "The HSM SO is logged in on slot 0.")) << out;
    EXPECT_TRUE(contains(out, "unknown role name 'co'; valid names: so, au")) << out;
    EXPECT_TRUE(contains(out, "'frobnicate' is not a 'role' command")) << out;
    EXPECT_TRUE(contains(out,
                         "nobody is logged in on slot 1\n\nCommand Result : 0x101 "
                         "(CKR_USER_NOT_LOGGED_IN)"))
        << out;
    EXPECT_TRUE(contains(out, "Command Result : 0x7 (CKR_ARGUMENTS_BAD)")) << out;
    EXPECT_EQ(exit, 1);
}

TEST_F(RoleCommandsTest, JsonCarriesTheRoleState) {
    make_luna7();
    ShellOptions options;
    options.json = true;
    const std::string out = run("slot set -slot 1\nrole show -name Crypto Officer\n", options);
    std::istringstream lines(out);
    std::string first, second;
    ASSERT_TRUE(std::getline(lines, first));
    ASSERT_TRUE(std::getline(lines, second));
    auto j = nlohmann::json::parse(second);
    EXPECT_TRUE(j["ok"].get<bool>()) << second;
    EXPECT_EQ(j["data"]["role"], "Crypto Officer");
    EXPECT_EQ(j["data"]["initialized"], true);
    EXPECT_EQ(j["data"]["lockout_threshold"], 10);
}

// HSM policy 15 on before the partition was created: the Partition SO can lift the Crypto
// Officer's lockout (hsm and partition create are hsm_commands.cpp /
// partition_admin_commands.cpp's).
TEST_F(RoleCommandsTest, PartitionSoResetsALockedOutOfficerWhenPolicy15WasOnAtCreation) {
    make(100001, {7, 3, 0}, {});
    const std::string out =
        run("slot set -slot 0\n"
            "hsm login -password so-password-1\n"
            "hsm changepolicy -policy 15 -value 1 -force\n"
            "partition create -partition p7 -force\n"
            "slot set -slot 1\n"
            "partition init -label p7 -password po-password-1 -domain domain-alpha -force\n"
            "role login -name po -password po-password-1\n"
            "role init -name co -password co-password-1\n"
            "partition changepolicy -policy 20 -value 1\n"
            "role login -name co -password wrong-password\n"
            "role login -name po -password po-password-1\n"
            "role resetpw -name co -password co-password-2\n"
            "role login -name co -password co-password-2\n");
    EXPECT_TRUE(contains(out, "the Crypto Officer and Crypto User are locked out")) << out;
    EXPECT_TRUE(contains(out, "The Crypto Officer's password is reset and its lockout cleared"))
        << out;
    EXPECT_TRUE(contains(out, "The Crypto Officer is logged in on slot 1.")) << out;
    size_t ok = 0;
    for (size_t at = out.find("Command Result : No Error"); at != std::string::npos;
         at = out.find("Command Result : No Error", at + 1))
        ++ok;
    EXPECT_EQ(ok, 12u) << out;
}

}  // namespace
}  // namespace sr::cm
