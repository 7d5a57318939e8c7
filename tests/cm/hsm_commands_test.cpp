// srcm's hsm group on a local device's admin slot: golden `hsm showinfo` / `hsm showpolicies`,
// hard init through prompts, soft init behind the HSM SO login, `proceed` refusals that change
// nothing, the 3-strike zeroize, and bad input that ends in a clear refusal and a result line.
#include "cm_fixture.h"
#include "common/bytes.h"

namespace sr::cm {
namespace {

class HsmCommandsTest : public testing::CmTest {
  protected:
    // A device whose HSM has never been initialized.
    void make_blank(uint64_t serial, hsm::FirmwareVersion fw) {
        make(serial, fw, {}, [](hsm::NewDeviceSpec& s) {
            s.hsm_label.clear();
            s.so_password.clear();
        });
    }
    hsm::DeviceInfo info_of_first_device() {
        auto client = client::Client::open(m_home);
        EXPECT_TRUE(client.is_ok());
        auto slot = (*client)->slot(0);
        EXPECT_TRUE(slot.is_ok());
        auto info = (*slot)->dev().info();
        EXPECT_TRUE(info.is_ok());
        return info.is_ok() ? *info : hsm::DeviceInfo{};
    }
};

constexpr const char* kLogin = "hsm login -password so-password-1\n";

TEST_F(HsmCommandsTest, ShowInfoPrintsTheHsmInLunaLayout) {
    make(123456, {7, 3, 0}, {"par0"});
    const std::string fingerprint = to_hex(info_of_first_device().hsm_domain_fingerprint);
    ASSERT_FALSE(fingerprint.empty());
    EXPECT_EQ(run("hsm showinfo\n"),
              "\n"
              "        Slot Id ->                  0\n"
              "        HSM Label ->                hsm123456\n"
              "        Serial Number ->            123456\n"
              "        Model ->                    Luna K7 7.3.0\n"
              "        Form Factor ->              pcie\n"
              "        Firmware Version ->         7.3.0\n"
              "        Firmware Generation ->      Luna 7\n"
              "        Authentication ->           Password\n"
              "        HSM Initialized ->          yes\n"
              "        HSM Admin Login Status ->   Not logged in\n"
              "        Partitions ->               1\n"
              "        Domain Fingerprint ->       " +
                  fingerprint +
                  "\n"
                  "\n"
                  "Command Result : No Error\n"
                  "\n");
    // `hsm show` is the same command under LunaCM 7's other name; the login shows.
    const std::string out = run(std::string(kLogin) + "hsm show\n");
    EXPECT_TRUE(contains(out, "HSM Admin Login Status ->   HSM SO logged in\n")) << out;
}

TEST_F(HsmCommandsTest, ShowPoliciesListsCapabilitiesThenPolicies) {
    make(222222, {5, 4, 7}, {}, [](hsm::NewDeviceSpec& s) { s.partitions.clear(); });
    const std::string out = run("hsm showpolicies\n");
    EXPECT_EQ(out,
              "\n"
              "        HSM Capabilities\n"
              "                0: Enable PIN-based authentication : 1\n"
              "                1: Enable PED-based authentication : 0\n"
              "                2: Performance level : 15\n"
              "                3: Enable M of N : 1\n"
              "                6: Enable masking : 1\n"
              "                7: Enable cloning : 1\n"
              "                8: Enable special cloning : 1\n"
              "                9: Enable non-backup token : 1\n"
              "                11: Enable ECC : 1\n"
              "                12: Enable non-FIPS algorithms : 1\n"
              "                13: Enable MofN auto-activation : 1\n"
              "                15: Enable SO reset of partition PIN : 1\n"
              "                16: Enable network replication : 1\n"
              "                18: FIPS evaluated : 1\n"
              "                20: Enable remote authentication : 1\n"
              "                21: Enable forcing user PIN change : 1\n"
              "                22: Enable offboard storage : 1\n"
              "                23: Enable partition groups : 1\n"
              "                25: Enable Remote PED usage : 1\n"
              "                26: Enable MTK split stored externally : 1\n"
              "                30: Enable unmasking : 1\n"
              "                31: Enable FW5 compatibility : 1\n"
              "                33: Max partitions : 100\n"
              "                35: Enable single domain : 1\n"
              "                36: Enable unified PED key : 1\n"
              "                37: Enable MofN : 1\n"
              "                38: Enable small form factor backup/restore : 1\n"
              "                40: Enable decommission on tamper : 1\n"
              "\n"
              "        HSM Policies\n"
              "                0: Allow PIN-based authentication : 1\n"
              "                2: Performance level : 15\n"
              "                3: Allow M of N : 0\n"
              "                6: Allow masking : 1\n"
              "                7: Allow cloning : 1\n"
              "                8: Allow special cloning : 0\n"
              "                9: Allow non-backup token : 0\n"
              "                11: Allow ECC : 1\n"
              "                12: Allow non-FIPS algorithms : 1\n"
              "                13: Allow MofN auto-activation : 0\n"
              "                15: SO can reset partition PIN : 0\n"
              "                16: Allow network replication : 1\n"
              "                18: FIPS evaluated : 0\n"
              "                20: Allow remote authentication : 1\n"
              "                21: Force user PIN change after set/reset : 1\n"
              "                22: Allow offboard storage : 1\n"
              "                23: Allow partition groups : 0\n"
              "                25: Allow Remote PED usage : 0\n"
              "                26: Store MTK split externally : 0\n"
              "                30: Allow unmasking : 1\n"
              "                31: Allow FW5 compatibility : 0\n"
              "                33: Max partitions : 100\n"
              "                35: Allow single domain : 0\n"
              "                36: Allow unified PED key : 0\n"
              "                37: Allow MofN : 0\n"
              "                38: Allow small form factor backup/restore : 0\n"
              "                40: Decommission on tamper : 0\n"
              "\n"
              "Command Result : No Error\n"
              "\n");
    const std::string verbose = run("hsm showpolicies -verbose\n");
    EXPECT_TRUE(contains(verbose,
                         "                15: SO can reset partition PIN : 0 "
                         "(destructive when enabled: yes, when disabled: no)\n"))
        << verbose;
    EXPECT_TRUE(contains(verbose,
                         "                7: Allow cloning : 1 "
                         "(destructive when enabled: no, when disabled: no)\n"));
}

TEST_F(HsmCommandsTest, HardInitAsksPasswordAndDomainTwiceThenProceed) {
    make_blank(333333, {7, 3, 0});
    const std::string out =
        run("hsm init -label fresh-hsm\n"
            "new-so-password\nnew-so-password\n"
            "my-domain\nmy-domain\n"
            "proceed\n"
            "hsm showinfo\n"
            "hsm login -password new-so-password\n");
    EXPECT_TRUE(contains(out, "Enter password for HSM SO: \nRe-enter password for HSM SO: \n"))
        << out;
    EXPECT_TRUE(contains(out, "Enter the domain name: \nRe-enter the domain name: \n"));
    EXPECT_TRUE(contains(out,
                         "You are about to initialize the HSM.\n"
                         "All partitions and data on the HSM will be destroyed.\n"));
    EXPECT_TRUE(contains(out, "The HSM was initialized with label 'fresh-hsm'."));
    EXPECT_TRUE(contains(out, "HSM Label ->                fresh-hsm\n"));
    EXPECT_TRUE(contains(out, "HSM SO logged in on slot 0."));
    EXPECT_FALSE(contains(out, "Command Result : 0x")) << out;
    EXPECT_FALSE(info_of_first_device().hsm_domain_fingerprint.empty());
}

TEST_F(HsmCommandsTest, HardInitRefusedAtProceedOrMismatchLeavesTheHsmBlank) {
    make_blank(333333, {7, 3, 0});
    const std::string quit =
        run("hsm init -label fresh-hsm -password new-so-password -domain d1\nquit\n");
    EXPECT_TRUE(contains(quit, "Command aborted.\n\nCommand Result : 0x1 (CKR_CANCEL)")) << quit;
    EXPECT_FALSE(info_of_first_device().hsm_initialized);

    const std::string mismatch =
        run("hsm init -label fresh-hsm -domain d1 -force\nnew-so-password\nother-password\n");
    EXPECT_TRUE(contains(mismatch, "the two entries of the password for HSM SO do not match"))
        << mismatch;
    EXPECT_FALSE(info_of_first_device().hsm_initialized);

    const std::string short_pw = run("hsm init -label x -password short -domain d1 -force\n");
    EXPECT_TRUE(contains(short_pw, "the HSM SO password must be 8 to 255 characters"));
    EXPECT_FALSE(info_of_first_device().hsm_initialized);
}

TEST_F(HsmCommandsTest, DefaultDomainWorksWithADeprecationWarning) {
    make_blank(333333, {7, 3, 0});
    const std::string both =
        run("hsm init -label h -password new-so-password -domain d -defaultdomain -force\n");
    EXPECT_TRUE(contains(both, "give -domain or -defaultdomain, not both")) << both;
    const std::string out =
        run("hsm init -label h -password new-so-password -defaultdomain -force\n");
    EXPECT_TRUE(contains(out, "Warning: -defaultdomain is deprecated and insecure")) << out;
    EXPECT_TRUE(contains(out, "Command Result : No Error"));
    EXPECT_TRUE(info_of_first_device().hsm_initialized);
}

TEST_F(HsmCommandsTest, SoftInitNeedsTheSoAndKeepsPasswordAndDomain) {
    make(444444, {7, 3, 0}, {"par0", "par1"});
    const Bytes domain_before = info_of_first_device().hsm_domain_fingerprint;
    const std::string refused = run("hsm init -label relabeled -force\n");
    EXPECT_TRUE(contains(refused,
                         "'hsm init' needs the HSM SO logged in on slot 0: log in first "
                         "with 'hsm login'"))
        << refused;
    EXPECT_TRUE(contains(refused, "Command Result : 0x101 (CKR_USER_NOT_LOGGED_IN)"));
    EXPECT_EQ(info_of_first_device().partition_count, 2u);

    const std::string out = run(std::string(kLogin) +
                                "hsm init -label relabeled\nproceed\n"
                                "hsm login -password so-password-1\n"
                                "slot list\n");
    EXPECT_TRUE(contains(out, "re-initialize the HSM (soft init)")) << out;
    EXPECT_TRUE(contains(out, "HSM SO logged in on slot 0."));
    EXPECT_FALSE(contains(out, "Command Result : 0x")) << out;
    EXPECT_FALSE(contains(out, "Slot Id ->              1")) << out;
    const hsm::DeviceInfo after = info_of_first_device();
    EXPECT_EQ(after.hsm_label, "relabeled");
    EXPECT_EQ(after.partition_count, 0u);
    EXPECT_EQ(after.hsm_domain_fingerprint, domain_before);
}

TEST_F(HsmCommandsTest, ThreeWrongSoPasswordsZeroizeTheHsmAndSaySo) {
    make(555555, {6, 10, 0}, {}, [](hsm::NewDeviceSpec& s) { s.partitions.clear(); });
    make(666666, {7, 3, 0}, {"par0"});
    const std::string out =
        run("hsm login -password wrong-pass-1\n"
            "hsm login -password wrong-pass-2\n"
            "hsm login -password wrong-pass-3\n"
            "hsm showinfo\n");
    EXPECT_TRUE(contains(out,
                         "incorrect password (1 of 3 failed attempts). Careful: 3 "
                         "consecutive wrong HSM SO passwords zeroize the HSM"))
        << out;
    EXPECT_TRUE(contains(out, "Command Result : 0xa0 (CKR_PIN_INCORRECT)"));
    EXPECT_TRUE(contains(out,
                         "the HSM was ZEROIZED. Every partition and every object on it is "
                         "destroyed"));
    EXPECT_TRUE(contains(out, "(CKR_SO_LOGIN_FAILURE_THRESHOLD)"));
    EXPECT_TRUE(contains(out, "HSM Initialized ->          no\n"));
    // The other device is untouched; a later login on the zeroized HSM says what to do.
    const std::string later =
        run("hsm login -password so-password-1\nslot set -slot 1\n"
            "hsm login -password so-password-1\n");
    EXPECT_TRUE(contains(later,
                         "is not initialized: initialize it first with 'hsm init -label "
                         "<label>'"))
        << later;
    EXPECT_TRUE(contains(later, "HSM SO logged in on slot 1."));
}

TEST_F(HsmCommandsTest, LoginAndLogoutAnswerEveryState) {
    make(777777, {7, 3, 0}, {"par0"});
    const std::string out = run("hsm logout\n" + std::string(kLogin) + kLogin +
                                "hsm logout\nhsm login\nso-password-1\n");
    EXPECT_TRUE(contains(out, "nobody is logged in on slot 0")) << out;
    EXPECT_TRUE(contains(out,
                         "the HSM SO is already logged in on slot 0 ('hsm logout' ends the "
                         "login)\n\nCommand Result : 0x100 (CKR_USER_ALREADY_LOGGED_IN)"));
    EXPECT_TRUE(contains(out, "HSM SO logged out of slot 0."));
    EXPECT_TRUE(contains(out, "Enter password for HSM SO: \n"));
}

TEST_F(HsmCommandsTest, PartitionSlotIsRefusedNamingTheAdminSlot) {
    make(888888, {7, 3, 0}, {"par0"});
    const std::string out = run("slot set -slot 1\nhsm login -password so-password-1\n");
    EXPECT_TRUE(contains(out,
                         "slot 1 is a partition slot; 'hsm login' works on its HSM's admin "
                         "slot: use 'slot set -slot 0' first"))
        << out;
    EXPECT_TRUE(contains(out, "Command Result : 0x3 (CKR_SLOT_ID_INVALID)"));
}

TEST_F(HsmCommandsTest, ChangePolicyChecksLoginIdsValuesAndCounts) {
    make(999999, {7, 3, 0}, {"par0"});
    const std::string before = run("hsm changepolicy -policy 7 -value 0\n");
    EXPECT_TRUE(contains(before, "log in first with 'hsm login'")) << before;
    const std::string out = run(std::string(kLogin) +
                                "hsm changepolicy -policy 99 -value 1\n"
                                "hsm changepolicy -policy 7 -value 2\n"
                                "hsm changepolicy -policy 33 -value 500\n"
                                "hsm changepolicy -policy 7,16 -value 0\n"
                                "hsm changepolicy -policy x -value 0\n"
                                "hsm changepolicy -policy\n"
                                "hsm changepo -p 7,16 -v 0,0\n"
                                "hsm showpolicies\n");
    EXPECT_TRUE(contains(out,
                         "no policy with id 99 on firmware 7.3.0; 'hsm showpolicies' lists "
                         "them"))
        << out;
    EXPECT_TRUE(contains(out, "policy 7 (Allow cloning) takes 0 or 1, not 2"));
    EXPECT_TRUE(contains(out, "cannot be set above its capability (100)"));
    EXPECT_TRUE(contains(out, "-policy names 2 policies but -value gives 1 value"));
    EXPECT_TRUE(contains(out, "'x' is not a policy id"));
    EXPECT_TRUE(contains(out, "option -policy needs a value"));
    EXPECT_TRUE(contains(out,
                         "Policy 7 (Allow cloning) set to 0\n"
                         "        Policy 16 (Allow network replication) set to 0\n"));
    EXPECT_TRUE(contains(out, "                7: Allow cloning : 0\n"));
    EXPECT_TRUE(contains(out, "                16: Allow network replication : 0\n"));
}

TEST_F(HsmCommandsTest, DestructivePolicyChangeAsksAndErasesOnlyAfterProceed) {
    make(121212, {7, 3, 0}, {"par0"});
    const std::string quit =
        run(std::string(kLogin) + "hsm changepolicy -policy 15 -value 1\nquit\n");
    EXPECT_TRUE(contains(quit,
                         "You are about to change destructive HSM policies: 15 (SO can "
                         "reset partition PIN) 0 -> 1.\n"
                         "All partitions on the HSM and their contents will be erased.\n"))
        << quit;
    EXPECT_TRUE(contains(quit, "(CKR_CANCEL)"));
    EXPECT_EQ(info_of_first_device().partition_count, 1u);

    const std::string out = run(std::string(kLogin) +
                                "hsm changepolicy -policy 15 -value 1\nproceed\n"
                                "partition list\n");
    EXPECT_TRUE(contains(out, "Every partition on the HSM and its contents were erased.")) << out;
    // The SO stays logged in after the erase.
    EXPECT_TRUE(contains(out, "No partitions on HSM 'hsm121212'"));
    EXPECT_EQ(info_of_first_device().partition_count, 0u);
}

}  // namespace
}  // namespace sr::cm
