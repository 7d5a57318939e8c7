// srcm's shell over factory-made devices in a temporary home: golden output for the slot
// commands, the result line of a failing command, scripts with -e semantics, JSON results.
#include <sstream>

#include "nlohmann/json.hpp"
#include "cm_fixture.h"

namespace sr::cm {
namespace {

class ShellTest : public testing::CmTest {
protected:
    void make(uint64_t serial, hsm::FirmwareVersion fw, std::vector<std::string> partitions) {
        CmTest::make(serial, fw, std::move(partitions));
    }
};

TEST_F(ShellTest, SlotListPrintsLunaBlocksForAdminAndPartitionSlots) {
    make(123456, {7, 3, 0}, {"par0"});
    EXPECT_EQ(run("slot list\n"),
              "\n"
              "        Slot Id ->              0\n"
              "        Label ->                hsm123456\n"
              "        Serial Number ->        123456\n"
              "        Model ->                Luna K7 7.3.0\n"
              "        Firmware Version ->     7.3.0\n"
              "        Configuration ->        Luna HSM Admin Partition (PW)\n"
              "        Slot Description ->     Admin Token Slot\n"
              "\n"
              "        Slot Id ->              1\n"
              "        Label ->                par0\n"
              "        Serial Number ->        123456001\n"
              "        Model ->                Luna K7 7.3.0\n"
              "        Firmware Version ->     7.3.0\n"
              "        Configuration ->        Luna User Partition With SO (PW) Key Export With "
              "Cloning Mode\n"
              "        Slot Description ->     User Token Slot\n"
              "\n"
              "Command Result : No Error\n"
              "\n");
}

TEST_F(ShellTest, SlotSetEchoesTheSlotDescription) {
    make(123456, {7, 0, 1}, {"par0"});
    EXPECT_EQ(run("slot set -slot 1\n"),
              "\n"
              "        Current Slot Id:    1     (Luna User Slot 7.0.1 (PW) Signing With Cloning "
              "Mode)\n"
              "\n"
              "Command Result : No Error\n"
              "\n");
}

TEST_F(ShellTest, FailingCommandExplainsThenPrintsTheResultLine) {
    make(123456, {7, 0, 1}, {"par0"});
    int exit = -1;
    EXPECT_EQ(run("slot set -slot 7\n", {}, &exit),
              "\n"
              "slot 7 does not exist\n"
              "\n"
              "Command Result : 0x3 (CKR_SLOT_ID_INVALID)\n"
              "\n");
    EXPECT_EQ(exit, 1);
}

TEST_F(ShellTest, UnknownCommandGivesUsageErrorAndExitTwo) {
    int exit = -1;
    const std::string out = run("slot frob\n", {}, &exit);
    EXPECT_NE(out.find("'frob' is not a 'slot' command"), std::string::npos) << out;
    EXPECT_NE(out.find("Command Result : 0x7 (CKR_ARGUMENTS_BAD)"), std::string::npos) << out;
    EXPECT_EQ(exit, 2);
}

TEST_F(ShellTest, MissingValueShowsTheUsageLine) {
    const std::string out = run("slot set -slot\n");
    EXPECT_NE(out.find("option -slot needs a value\nUsage: slot set -slot <slot>"),
              std::string::npos)
        << out;
}

TEST_F(ShellTest, StopOnErrorEndsTheScriptAtTheFirstFailure) {
    make(123456, {7, 0, 1}, {"par0"});
    ShellOptions options;
    options.stop_on_error = true;
    const std::string out = run("slot set -slot 9\nslot list\n", options);
    EXPECT_EQ(out.find("Slot Id ->"), std::string::npos) << out;
    const std::string without = run("slot set -slot 9\nslot list\n");
    EXPECT_NE(without.find("Slot Id ->"), std::string::npos) << without;
}

TEST_F(ShellTest, LaterGroupsParseAndSayTheyAreNotAvailable) {
    const std::string out =
        run("partition archive backup -slot 5 -partition mybackup -append\n"
            "hagroup creategroup -label grp -slots 0,1\n");
    EXPECT_NE(out.find("'partition archive backup' is not available in this version"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("'hagroup creategroup' is not available in this version"),
              std::string::npos);
    EXPECT_NE(out.find("Command Result : 0x54 (CKR_FUNCTION_NOT_SUPPORTED)"), std::string::npos);
}

TEST_F(ShellTest, JsonPrintsOneObjectPerCommand) {
    make(123456, {7, 0, 1}, {"par0"});
    ShellOptions options;
    options.json = true;
    const std::string out = run("slot list\nslot set -slot 4\n", options);
    std::istringstream lines(out);
    std::string first, second;
    ASSERT_TRUE(std::getline(lines, first));
    ASSERT_TRUE(std::getline(lines, second));
    auto a = nlohmann::json::parse(first);
    EXPECT_TRUE(a["ok"].get<bool>());
    ASSERT_EQ(a["data"]["slots"].size(), 2u);
    EXPECT_EQ(a["data"]["slots"][1]["label"], "par0");
    auto b = nlohmann::json::parse(second);
    EXPECT_FALSE(b["ok"].get<bool>());
    EXPECT_EQ(b["result"], "0x3 (CKR_SLOT_ID_INVALID)");
    EXPECT_EQ(b["code"], "0x3");
}

TEST_F(ShellTest, HelpIsGeneratedForEveryCommand) {
    const std::string out = run("help\nslot set ?\n");
    EXPECT_NE(out.find("slot list"), std::string::npos);
    EXPECT_NE(out.find("SYNOPSIS\n    slot set -slot <slot>"), std::string::npos) << out;
}

TEST_F(ShellTest, ExitEndsTheScript) {
    make(123456, {7, 0, 1}, {"par0"});
    const std::string out = run("exit\nslot list\n");
    EXPECT_EQ(out.find("Slot Id"), std::string::npos) << out;
}

}  // namespace
}  // namespace sr::cm
