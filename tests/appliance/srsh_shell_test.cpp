// The srsh shell around the commands: bad input, help, -e, --json, exit status (BEHAVIOUR.md
// "Shell grammar").
#include <nlohmann/json.hpp>

#include "srsh_fixture.h"

namespace sr::appliance::srsh::testing {
namespace {

using SrshShell = SrshTest;

TEST_F(SrshShell, UnknownCommandIsAUsageErrorWithExitStatusTwo) {
    make();
    int exit = 0;
    const std::string out = run("hsm frobnicate\n", {}, &exit);
    EXPECT_TRUE(contains(out, "Error: ")) << out;
    EXPECT_TRUE(contains(out, "frobnicate")) << out;
    EXPECT_TRUE(contains(out, "Command Result : 0x")) << out;
    EXPECT_EQ(exit, 2);
}

TEST_F(SrshShell, MissingRequiredOptionNamesIt) {
    make();
    int exit = 0;
    const std::string out = run("partition create\n", {}, &exit);
    EXPECT_TRUE(contains(out, "-partition")) << out;
    EXPECT_TRUE(contains(out, "CKR_ARGUMENTS_BAD")) << out;
    EXPECT_EQ(exit, 2);
}

TEST_F(SrshShell, CommandWordsAndOptionsAreCaseInsensitive) {
    make({7, 8, 4}, {"par1"});
    const std::string out = run("HSM Login -Password " + std::string(kSoPassword) +
                                "\npartition showPolicies -Partition par1\n");
    EXPECT_TRUE(contains(out, "'hsm login' successful.")) << out;
    EXPECT_TRUE(contains(out, "'partition showpolicies' successful.")) << out;
}

TEST_F(SrshShell, HelpListsEveryGroupAndOneCommandInDetail) {
    make();
    const std::string index = run("help\n");
    for (const char* word : {"hsm login", "partition create", "client register",
                             "client assignpartition", "ntls show", "sysconf regencert"})
        EXPECT_TRUE(contains(index, word)) << word << "\n" << index;
    const std::string one = run("partition create ?\n");
    EXPECT_TRUE(contains(one, "-partition")) << one;
    EXPECT_TRUE(contains(one, "pre-PPSO")) << one;
    EXPECT_TRUE(contains(one, "\nEXAMPLES\n    partition create -partition par1\n")) << one;
    EXPECT_TRUE(contains(one, "Command Result : 0 (Success)")) << one;
}

TEST_F(SrshShell, StopOnErrorStopsAtTheFirstFailure) {
    make();
    int exit = 0;
    const std::string out =
        run("hsm login -password wrong-password\nhsm show\n", {false, true}, &exit);
    EXPECT_TRUE(contains(out, "CKR_PIN_INCORRECT")) << out;
    EXPECT_FALSE(contains(out, "'hsm show' successful.")) << out;
    EXPECT_EQ(exit, 1);
    const std::string go_on = run("hsm login -password wrong-password\nhsm show\n");
    EXPECT_TRUE(contains(go_on, "'hsm show' successful.")) << go_on;
}

TEST_F(SrshShell, JsonPrintsOneObjectPerCommand) {
    make({7, 8, 4}, {"par1"});
    int exit = 0;
    const std::string out =
        run(login() + "partition list\nhsm login -password x\n", {true, false}, &exit);
    std::istringstream lines(out);
    std::vector<nlohmann::json> objects;
    for (std::string line; std::getline(lines, line);) {
        if (line.empty()) continue;
        objects.push_back(nlohmann::json::parse(line));
    }
    ASSERT_EQ(objects.size(), 3U) << out;
    EXPECT_EQ(objects[0]["command"], "hsm login");
    EXPECT_EQ(objects[0]["ok"], true);
    EXPECT_EQ(objects[0]["code"], "0x0");
    EXPECT_EQ(objects[1]["command"], "partition list");
    EXPECT_EQ(objects[1]["data"]["partitions"][0]["name"], "par1");
    EXPECT_EQ(objects[1]["data"]["partitions"][0]["initialized"], false);
    EXPECT_EQ(objects[2]["ok"], false);
    EXPECT_EQ(objects[2]["result"], "0x100 (CKR_USER_ALREADY_LOGGED_IN)");
    EXPECT_TRUE(objects[2]["message"].is_string());
    EXPECT_EQ(exit, 1);
}

TEST_F(SrshShell, JsonRefusesToPromptForASecretOrProceed) {
    make({7, 8, 4}, {"par1"});
    const std::string secret = run("hsm login\n", {true, false});
    EXPECT_TRUE(contains(secret, "-password is required with --json")) << secret;
    const std::string proceed = run(login() + "partition delete -partition par1\n", {true, false});
    EXPECT_TRUE(contains(proceed, "-force is required with --json")) << proceed;
}

TEST_F(SrshShell, LoginLastsForTheShellOnly) {
    make({7, 8, 4}, {"par1"});
    (void)run(login());
    const std::string out = run("partition delete -partition par1 -force\n");
    EXPECT_TRUE(contains(out, "needs the HSM SO")) << out;
}

}  // namespace
}  // namespace sr::appliance::srsh::testing
