// srcm's partition administration on a local device's admin slot: golden `partition list`,
// create on pre-PPSO firmware (owner password and domain, prompted) and on 7.x (uninitialized,
// in `slot list` under the slot it reports), delete behind `proceed`, and the refusals.
#include <sstream>

#include "cm_fixture.h"
#include "nlohmann/json.hpp"

namespace sr::cm {
namespace {

class PartitionAdminTest : public testing::CmTest {
  protected:
    std::vector<hsm::PartitionInfo> partitions_of(uint64_t admin_slot) {
        auto client = client::Client::open(m_home);
        EXPECT_TRUE(client.is_ok());
        auto slot = (*client)->slot(admin_slot);
        EXPECT_TRUE(slot.is_ok());
        auto parts = (*slot)->dev().partitions();
        EXPECT_TRUE(parts.is_ok());
        return parts.is_ok() ? *parts : std::vector<hsm::PartitionInfo>{};
    }
};

constexpr const char* kLogin = "hsm login -password so-password-1\n";

TEST_F(PartitionAdminTest, ListPrintsEveryPartitionWithItsSlot) {
    make(123456, {7, 3, 0}, {"par0", "par1"});
    EXPECT_EQ(run(std::string(kLogin) + "partition list\n"),
              "\n"
              "        HSM SO logged in on slot 0.\n"
              "\n"
              "Command Result : No Error\n"
              "\n"
              "\n"
              "        Partition Name ->       par0\n"
              "        Label ->                (not initialized)\n"
              "        Serial Number ->        123456001\n"
              "        Initialized ->          no\n"
              "        Objects ->              0\n"
              "        Slot Id ->              1\n"
              "\n"
              "        Partition Name ->       par1\n"
              "        Label ->                (not initialized)\n"
              "        Serial Number ->        123456002\n"
              "        Initialized ->          no\n"
              "        Objects ->              0\n"
              "        Slot Id ->              2\n"
              "\n"
              "Command Result : No Error\n"
              "\n");
}

TEST_F(PartitionAdminTest, EveryCommandNeedsTheHsmSoAndTheAdminSlot) {
    make(123456, {7, 3, 0}, {"par0"});
    const std::string out =
        run("partition list\n"
            "partition create -partition p2 -force\n"
            "partition delete -partition par0 -force\n"
            "slot set -slot 1\n"
            "partition create -partition p2 -force\n");
    EXPECT_TRUE(contains(out,
                         "'partition list' needs the HSM SO logged in on slot 0: log in "
                         "first with 'hsm login'"))
        << out;
    EXPECT_TRUE(contains(out, "'partition create' needs the HSM SO"));
    EXPECT_TRUE(contains(out, "'partition delete' needs the HSM SO"));
    EXPECT_TRUE(contains(out,
                         "slot 1 is a partition slot; 'partition create' works on its HSM's "
                         "admin slot: use 'slot set -slot 0' first"));
    EXPECT_EQ(partitions_of(0).size(), 1u);
}

TEST_F(PartitionAdminTest, PrePpsoCreateSetsOwnerAndDomainAndTheOwnerCanLogIn) {
    make(621000, {6, 21, 0}, {}, [](hsm::NewDeviceSpec& s) { s.partitions.clear(); });
    const std::string out = run(std::string(kLogin) +
                                "partition create -partition legacy1\n"
                                "owner-pass-1\nowner-pass-1\n"
                                "legacy-domain\nlegacy-domain\n"
                                "proceed\n");
    EXPECT_TRUE(contains(out,
                         "Enter password for Partition Owner: \n"
                         "Re-enter password for Partition Owner: \n"))
        << out;
    EXPECT_TRUE(contains(out, "Enter the domain name: \nRe-enter the domain name: \n"));
    EXPECT_TRUE(contains(out,
                         "        Partition 'legacy1' created.\n\n"
                         "        Partition Name ->       legacy1\n"
                         "        Serial Number ->        621000001\n"
                         "        Slot Id ->              1\n"
                         "        Initialized ->          yes\n"));
    EXPECT_TRUE(contains(out, "'slot set -slot 1' then 'partition login'"));

    // The owner logs in through the engine, as `partition login` would.
    auto client = client::Client::open(m_home);
    ASSERT_TRUE(client.is_ok());
    auto session = (*client)->open_session(1, true);
    ASSERT_TRUE(session.is_ok()) << session.status().to_string();
    EXPECT_TRUE((*session)
                    ->dev()
                    .login((*session)->id(), hsm::Role::CryptoOfficer, "owner-pass-1")
                    .is_ok());
    auto parts = (*session)->dev().partitions();
    ASSERT_TRUE(parts.is_ok());
    ASSERT_EQ(parts->size(), 1u);
    EXPECT_TRUE((*parts)[0].initialized);
    EXPECT_FALSE((*parts)[0].domain_fingerprint.empty());
}

TEST_F(PartitionAdminTest, PrePpsoCreateRefusesAShortOwnerPassword) {
    make(621000, {6, 21, 0}, {}, [](hsm::NewDeviceSpec& s) { s.partitions.clear(); });
    const std::string out = run(
        std::string(kLogin) + "partition create -partition l1 -password short -domain d -force\n");
    EXPECT_TRUE(contains(out, "the partition owner's password must be 8 to 255 characters")) << out;
    EXPECT_TRUE(partitions_of(0).empty());
}

TEST_F(PartitionAdminTest, Luna7CreateIsUninitializedAndListedUnderTheReportedSlot) {
    make(111111, {7, 3, 0}, {"a"});
    make(222222, {7, 3, 0}, {});
    const std::string out = run(std::string(kLogin) +
                                "partition create -partition par9\nproceed\n"
                                "partition create -partition par10 -force\n"
                                "slot list\n");
    EXPECT_TRUE(contains(out, "You are about to create partition 'par9' on HSM 'hsm111111'."))
        << out;
    EXPECT_TRUE(contains(out,
                         "        Partition Name ->       par9\n"
                         "        Serial Number ->        111111002\n"
                         "        Slot Id ->              2\n"
                         "        Initialized ->          no\n"));
    EXPECT_TRUE(contains(out, "'slot set -slot 2' then 'partition init -label <label>'"));
    // The HSM SO stayed logged in: the second create needed no new login.
    EXPECT_TRUE(contains(out,
                         "        Slot Id ->              3\n"
                         "        Initialized ->          no\n"));
    EXPECT_TRUE(contains(out,
                         "        Slot Id ->              2\n"
                         "        Label ->                par9\n"))
        << out;
    // The second device's admin slot moved behind the new partitions.
    EXPECT_TRUE(contains(out,
                         "        Slot Id ->              4\n"
                         "        Label ->                hsm222222\n"));
    EXPECT_FALSE(contains(out, "Command Result : 0x"));
}

TEST_F(PartitionAdminTest, PpsoCreateIsUninitializedLikeLuna7) {
    make(622000, {6, 22, 0}, {}, [](hsm::NewDeviceSpec& s) { s.partitions.clear(); });
    const std::string out = run(std::string(kLogin) +
                                "partition create -partition ppso1 -domain d -force\n"
                                "partition create -partition ppso1 -force\n");
    EXPECT_TRUE(contains(out, "firmware 6.22.0 creates partitions uninitialized")) << out;
    EXPECT_TRUE(contains(out,
                         "        Slot Id ->              1\n"
                         "        Initialized ->          no\n"));
    const auto parts = partitions_of(0);
    ASSERT_EQ(parts.size(), 1u);
    EXPECT_FALSE(parts[0].initialized);
}

TEST_F(PartitionAdminTest, LoginsFollowTheirPartitionsToTheirNewSlotNumbers) {
    make(111111, {7, 3, 0}, {"a"});
    make(222222, {7, 3, 0}, {"b"}, [](hsm::NewDeviceSpec& s) {
        s.domain = "dom-b";
        s.po_password = "po-password-1";
        s.co_password = "co-password-1";
    });
    // Slots: 0 = hsm111111, 1 = a, 2 = hsm222222, 3 = b. The Crypto Officer logs in on b, then
    // a partition created on the first HSM moves b to slot 4.
    const std::string out =
        run("slot set -slot 3\nrole login -name co -password co-password-1\n"
            "slot set -slot 0\n" +
            std::string(kLogin) +
            "partition create -partition new -force\n"
            "slot set -slot 4\nrole logout\nrole logout\n");
    EXPECT_TRUE(contains(out, "        Slot Id ->              2\n")) << out;
    // The first logout finds the Crypto Officer's login; the second finds none.
    const auto first_failure = out.find("Command Result : 0x");
    ASSERT_NE(first_failure, std::string::npos) << out;
    EXPECT_EQ(out.find("Command Result : 0x", first_failure + 1), std::string::npos) << out;
    EXPECT_TRUE(contains(out.substr(first_failure), "(CKR_USER_NOT_LOGGED_IN)")) << out;
}

TEST_F(PartitionAdminTest, Luna7CreateRefusesOwnerOptionsNamingPartitionInit) {
    make(111111, {7, 3, 0}, {});
    const std::string out = run(std::string(kLogin) +
                                "partition create -partition p -password owner-pass-1 -force\n"
                                "partition create -partition\n"
                                "partition create -partition 012345678901234567890123456789xyz"
                                " -force\n");
    EXPECT_TRUE(contains(out, "firmware 7.3.0 creates partitions uninitialized")) << out;
    EXPECT_TRUE(contains(out, "'partition init' on the new partition's slot"));
    EXPECT_TRUE(contains(out, "option -partition needs a value"));
    EXPECT_TRUE(contains(out, "the partition name must be 1 to 32 characters"));
    EXPECT_TRUE(partitions_of(0).empty());
}

TEST_F(PartitionAdminTest, DeleteAsksProceedAndRemovesThePartition) {
    make(123456, {7, 3, 0}, {"par0", "par1"});
    const std::string quit = run(std::string(kLogin) + "partition delete -partition par0\nquit\n");
    EXPECT_TRUE(contains(quit,
                         "You are about to delete partition 'par0' (serial 123456001, 0 "
                         "objects).\nAll contents of the partition will be destroyed.\n"))
        << quit;
    EXPECT_TRUE(contains(quit, "(CKR_CANCEL)"));
    EXPECT_EQ(partitions_of(0).size(), 2u);

    const std::string out = run(std::string(kLogin) +
                                "partition delete -partition par0\nproceed\n"
                                "partition delete -partition nosuch -force\n"
                                "slot list\n");
    EXPECT_TRUE(contains(out, "Partition 'par0' (serial 123456001) deleted.")) << out;
    EXPECT_TRUE(contains(out,
                         "no partition named 'nosuch' on the HSM of slot 0; 'partition "
                         "list' shows them"));
    EXPECT_TRUE(contains(out,
                         "        Slot Id ->              1\n"
                         "        Label ->                par1\n"));
    EXPECT_FALSE(contains(out, "Slot Id ->              2"));
    const auto parts = partitions_of(0);
    ASSERT_EQ(parts.size(), 1u);
    EXPECT_EQ(parts[0].name, "par1");
}

TEST_F(PartitionAdminTest, JsonCarriesTheNewSlotAndTheList) {
    make(123456, {7, 3, 0}, {"par0"});
    ShellOptions options;
    options.json = true;
    const std::string out = run(
        std::string(kLogin) + "partition create -partition par1 -force\npartition list\n", options);
    std::istringstream lines(out);
    std::string login, create, list;
    ASSERT_TRUE(std::getline(lines, login));
    ASSERT_TRUE(std::getline(lines, create));
    ASSERT_TRUE(std::getline(lines, list));
    auto c = nlohmann::json::parse(create);
    EXPECT_TRUE(c["ok"].get<bool>()) << create;
    EXPECT_EQ(c["data"]["slot"], 2);
    EXPECT_EQ(c["data"]["serial"], 123456002u);
    EXPECT_FALSE(c["data"]["initialized"].get<bool>());
    auto l = nlohmann::json::parse(list);
    ASSERT_EQ(l["data"]["partitions"].size(), 2u);
    EXPECT_EQ(l["data"]["partitions"][1]["name"], "par1");
    EXPECT_EQ(l["data"]["partitions"][1]["slot"], 2);
}

TEST_F(PartitionAdminTest, HelpDescribesTheAdminCommands) {
    const std::string out = run("help hsm\npartition create ?\n");
    EXPECT_TRUE(contains(out, "hsm changepolicy")) << out;
    EXPECT_TRUE(contains(out, "hsm showinfo"));
    EXPECT_TRUE(contains(out, "SYNOPSIS\n    partition create -partition <name>")) << out;
}

}  // namespace
}  // namespace sr::cm
