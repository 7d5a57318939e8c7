// srcm's shell over factory-made devices in a temporary home: golden output for the slot
// commands, the result line of a failing command, scripts with -e semantics, JSON results.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "cm/shell.h"
#include "hsm/factory.h"
#include "nlohmann/json.hpp"

namespace sr::cm {
namespace {

class ShellTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        m_root = std::filesystem::temp_directory_path() /
                 ("sr-cm-" + std::to_string(::getpid()) + "-" + info->name());
        std::filesystem::remove_all(m_root);
        m_home = m_root / "home";
        std::filesystem::create_directories(m_home);
    }
    void TearDown() override { std::filesystem::remove_all(m_root); }

    void make(uint64_t serial, hsm::FirmwareVersion fw, std::vector<std::string> partitions) {
        hsm::NewDeviceSpec spec;
        spec.home = m_home;
        spec.serial = serial;
        spec.firmware = fw;
        spec.hsm_label = "hsm" + std::to_string(serial);
        spec.so_password = "so-password-1";
        spec.partitions = std::move(partitions);
        auto r = hsm::make_device(m_env, spec);
        ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    }

    // Runs `script` (commands and prompt answers, one per line) and returns what was printed.
    std::string run(const std::string& script, ShellOptions options = {}, int* exit = nullptr) {
        auto client = client::Client::open(m_home);
        EXPECT_TRUE(client.is_ok()) << client.status().to_string();
        State state(std::move(*client));
        std::istringstream in(script);
        std::ostringstream out;
        auto console = stream_console(in, out);
        Shell shell(state, *console, options);
        const int status = shell.run(false);
        if (exit) *exit = status;
        return out.str();
    }

    PosixEnv m_env;
    std::filesystem::path m_root;
    std::filesystem::path m_home;
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
