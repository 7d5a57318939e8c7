// srcm `partition clone` and `partition fill`: the guide's clone line clones everything, asks
// for the target officer's password, skips what the target holds, lists what a policy keeps.
#include "cm_fixture.h"
#include "nlohmann/json.hpp"

namespace sr::cm {
namespace {

class CloneCommandsTest : public testing::CmTest {
protected:
    // Two 7.x devices of one factory, each with one initialized partition in one domain:
    // slots 0/1 (source) and 2/3 (target).
    void SetUp() override {
        CmTest::SetUp();
        auto ready = [](hsm::NewDeviceSpec& s) {
            s.domain = "clone-domain";
            s.po_password = "po-password-1";
            s.co_password = "co-password-1";
        };
        make(100001, {7, 8, 4}, {"src"}, ready);
        make(200001, {7, 8, 4}, {"dst"}, ready);
    }

    static constexpr const char* kFill =
        "slot set -slot 1\n"
        "role login -name co -password co-password-1\n"
        "partition fill -count 5 -types aes,p256\n";
};

TEST_F(CloneCommandsTest, CloneAllAsksForTheTargetOfficerAndClonesEveryObject) {
    int exit = -1;
    const std::string out = run(std::string(kFill) +
                                    "partition clone -objects 0 -slot 3\n"
                                    "proceed\n"
                                    "co-password-1\n",
                                {}, &exit);
    EXPECT_EQ(exit, 0) << out;
    EXPECT_TRUE(contains(out, "Generated 5 keys (7 objects) on slot 1.")) << out;
    EXPECT_TRUE(contains(out, "You are about to clone 7 object(s) from slot 1 to slot 3."));
    EXPECT_TRUE(contains(out, "Enter the target partition's Crypto Officer password: "));
    EXPECT_TRUE(contains(out, "7 of 7 objects cloned, 0 skipped (already on the target), 0 not "
                              "cloned."))
        << out;
    const std::string target = run("slot set -slot 3\nrole login -name co -password "
                                   "co-password-1\npartition contents\n");
    EXPECT_TRUE(contains(target, "Number of objects:  7")) << target;
}

TEST_F(CloneCommandsTest, SecondCloneSkipsEverythingAndDuplicatesNothing) {
    const std::string clone = "partition clone -objects 0 -slot 3 -password co-password-1 -force\n";
    run(std::string(kFill) + clone);
    const std::string again =
        run("slot set -slot 1\nrole login -name co -password co-password-1\n" + clone);
    EXPECT_TRUE(contains(again, "0 of 7 objects cloned, 7 skipped (already on the target)"))
        << again;
    EXPECT_TRUE(contains(again, "Command Result : No Error"));
    const std::string target = run("slot set -slot 3\nrole login -name co -password "
                                   "co-password-1\npartition contents\n");
    EXPECT_TRUE(contains(target, "Number of objects:  7")) << target;
}

TEST_F(CloneCommandsTest, ChosenHandlesOnly) {
    const std::string out = run(std::string(kFill) +
                                "partition clone -objects 1,2 -slot 3 -password co-password-1 "
                                "-force\n");
    EXPECT_TRUE(contains(out, "2 of 2 objects cloned")) << out;
}

TEST_F(CloneCommandsTest, PrivateKeyPolicyOffListsThePrivateKeysAndClonesTheRest) {
    int exit = -1;
    const std::string out =
        run(std::string(kFill) +
                "role login -name po -password po-password-1\n"
                "partition changepolicy -policy 0 -value 0 -force\n"
                "role login -name co -password co-password-1\n"
                "partition clone -objects 0 -slot 3 -password co-password-1 -force\n",
            {}, &exit);
    // 5 keys: aes, p256, aes, p256, aes -> 3 secret keys, 2 pairs; the 2 private keys stay.
    EXPECT_TRUE(contains(out, "5 of 7 objects cloned, 0 skipped (already on the target), 2 not "
                              "cloned."))
        << out;
    EXPECT_TRUE(contains(out, "partition policy 0 (Allow private key cloning) is off"));
    EXPECT_TRUE(contains(out, "Command Result : 0x80000106 (CKR_FAILED_TO_CLONE_AN_OBJECT)"));
    EXPECT_EQ(exit, 1);
}

TEST_F(CloneCommandsTest, SourceOfficerMustBeLoggedIn) {
    const std::string out = run("slot set -slot 1\npartition clone -objects 0 -slot 3 -force\n");
    EXPECT_TRUE(contains(out, "the Crypto Officer of slot 1 must be logged in: type 'role login "
                              "-name co'"))
        << out;
    EXPECT_TRUE(contains(out, "Command Result : 0x101 (CKR_USER_NOT_LOGGED_IN)"));
}

TEST_F(CloneCommandsTest, WrongTargetPasswordClonesNothing) {
    const std::string out = run(std::string(kFill) +
                                "partition clone -objects 0 -slot 3 -password wrong-password-9 "
                                "-force\n");
    EXPECT_TRUE(contains(out, "cannot log in to the target partition (slot 3) as its Crypto "
                              "Officer"))
        << out;
    EXPECT_TRUE(contains(out, "Command Result : 0xa0 (CKR_PIN_INCORRECT)"));
    const std::string target = run("slot set -slot 3\nrole login -name co -password "
                                   "co-password-1\npartition contents\n");
    EXPECT_TRUE(contains(target, "Number of objects:  0")) << target;
}

TEST_F(CloneCommandsTest, AnswerOtherThanProceedAbortsTheClone) {
    const std::string out = run(std::string(kFill) +
                                "partition clone -objects 0 -slot 3 -password co-password-1\n"
                                "quit\n");
    EXPECT_TRUE(contains(out, "Command aborted.")) << out;
    EXPECT_FALSE(contains(out, "objects cloned"));
}

TEST_F(CloneCommandsTest, BadTargetsAndHandlesAreRefusedClearly) {
    const std::string out = run(std::string(kFill) +
                                "partition clone -objects 0 -slot 1 -force\n"
                                "partition clone -objects 0 -slot 2 -force\n"
                                "partition clone -objects 0 -slot 9 -force\n"
                                "partition clone -objects a,b -slot 3 -force\n"
                                "partition fill -count 1 -types rsa1024\n");
    EXPECT_TRUE(contains(out, "the target slot is the current slot")) << out;
    EXPECT_TRUE(contains(out, "slot 2 is an HSM admin slot: clone to a partition slot"));
    EXPECT_TRUE(contains(out, "slot 9 does not exist"));
    EXPECT_TRUE(contains(out, "'a' is not a handle"));
    EXPECT_TRUE(contains(out, "'rsa1024' is not a key type; known types: aes, des3"));
}

TEST_F(CloneCommandsTest, JsonReportListsEveryClonedObject) {
    ShellOptions options;
    options.json = true;
    const std::string out = run(std::string(kFill) +
                                    "partition clone -objects 0 -slot 3 -password co-password-1 "
                                    "-force\n",
                                options);
    std::istringstream lines(out);
    std::string line, last;
    while (std::getline(lines, line))
        if (!line.empty()) last = line;
    auto j = nlohmann::json::parse(last);
    EXPECT_EQ(j["command"], "partition clone");
    EXPECT_TRUE(j["ok"].get<bool>());
    EXPECT_EQ(j["data"]["cloned"].size(), 7u);
    EXPECT_EQ(j["data"]["requested"], 7);
    EXPECT_EQ(j["data"]["cloned"][0]["ouid"].get<std::string>().size(), 24u);
}

}  // namespace
}  // namespace sr::cm
