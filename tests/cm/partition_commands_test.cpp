// srcm's partition commands over factory-made devices: the guide's chapter 5 steps 1-4 typed as
// written for a PPSO 6.22 source, a pre-PPSO 6.21 source and a 7.x target; golden output for
// `partition contents` and `partition showpolicies`; policy changes per personality.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cm_fixture.h"
#include "hsm/local_device.h"

namespace sr::cm {
namespace {

constexpr const char* kDomain = "domain-alpha";
constexpr const char* kPo = "po-password-1";
constexpr const char* kCo = "co-password-1";

void ppso_ready(hsm::NewDeviceSpec& s) {
    s.domain = kDomain;
    s.po_password = kPo;
    s.co_password = kCo;
}
// Pre-PPSO: the HSM SO sets the owner (Crypto Officer) password and domain at creation.
void legacy_ready(hsm::NewDeviceSpec& s) {
    s.domain = kDomain;
    s.co_password = kCo;
}

size_t count(const std::string& haystack, const std::string& needle) {
    size_t n = 0;
    for (size_t at = haystack.find(needle); at != std::string::npos;
         at = haystack.find(needle, at + needle.size()))
        ++n;
    return n;
}

class PartitionCommandsTest : public testing::CmTest {
protected:
    // Three objects with fixed labels and OUIDs, made through the engine by the Crypto Officer.
    void add_objects(const hsm::NewDeviceReport& r) {
        auto dev = hsm::LocalDevice::open(m_env, r.folder);
        ASSERT_TRUE(dev.is_ok()) << dev.status().to_string();
        auto app = (*dev)->attach();
        ASSERT_TRUE(app.is_ok());
        auto s = (*dev)->open_session(*app, r.partitions.at(0).id, true);
        ASSERT_TRUE(s.is_ok());
        ASSERT_TRUE((*dev)->login(*s, hsm::Role::CryptoOfficer, kCo).is_ok());
        std::vector<hsm::AttributeSet> objs;
        for (int i = 0; i < 3; ++i) {
            hsm::AttributeSet a;
            a.set_bool(hsm::attr::kToken, true);
            a.set_bool(hsm::attr::kPrivate, true);
            Bytes ouid(12, static_cast<uint8_t>(0xa0 + i));
            a.set_bytes(hsm::attr::kOuid, ouid);
            if (i < 2) {
                a.set_string(hsm::attr::kLabel, "aes-key-" + std::to_string(i + 1));
                a.set_ulong(hsm::attr::kClass, hsm::cls::kSecretKey);
                a.set_ulong(hsm::attr::kKeyType, hsm::ckk::kAes);
                a.set_bool(hsm::attr::kEncrypt, true);
                a.set_ulong(hsm::attr::kValueLen, 32);
                a.set_secret(hsm::attr::kValue, SecretBytes(Bytes(32, static_cast<uint8_t>(i))));
            } else {
                a.set_string(hsm::attr::kLabel, "app-config");
                a.set_ulong(hsm::attr::kClass, hsm::cls::kData);
                a.set_bytes(hsm::attr::kValue, Bytes{1, 2, 3});
            }
            objs.push_back(std::move(a));
        }
        auto out = (*dev)->import_objects(*s, std::move(objs));
        ASSERT_TRUE(out.is_ok()) << out.status().to_string();
        for (const auto& o : *out) ASSERT_TRUE(o.is_ok()) << o.status().to_string();
        (void)(*dev)->detach(*app);
    }

    Bytes domain_fingerprint(const hsm::NewDeviceReport& r) {
        auto dev = hsm::LocalDevice::open(m_env, r.folder);
        EXPECT_TRUE(dev.is_ok());
        if (!dev.is_ok()) return {};
        auto info = (*dev)->partition_info(r.partitions.at(0).id);
        EXPECT_TRUE(info.is_ok());
        return info.is_ok() ? info->domain_fingerprint : Bytes{};
    }

    static void expect_all_ok(const std::string& out, size_t commands) {
        EXPECT_EQ(count(out, "Command Result : No Error"), commands) << out;
        EXPECT_EQ(count(out, "Command Result : 0x"), 0u) << out;
    }
};

// Guide chapter 5, "Cloning", steps 1-4 (ours), then 5 and the check (partition clone is
// clone_commands.cpp's): slot 1 is the 7.x target, slot 3 the PPSO source.
TEST_F(PartitionCommandsTest, GuideChapter5FromPpsoSourceRunsAsWritten) {
    auto dst = make(100001, {7, 3, 0}, {"dst"});
    auto src = make(100002, {6, 22, 0}, {"src"}, ppso_ready);
    add_objects(src);
    const std::string out =
        run("slot list\n"
            "slot set -slot 1\n"
            "partition init -label dst7\n"
            "po-password-1\npo-password-1\ndomain-alpha\ndomain-alpha\nproceed\n"
            "role login -name po\n"
            "po-password-1\n"
            "role init -name co\n"
            "co-password-1\nco-password-1\n"
            "slot set -slot 3\n"
            "role login -name Crypto Officer\n"
            "co-password-1\n"
            "partition contents\n"
            // Steps 5 and after (partition clone is clone_commands.cpp's): the full procedure.
            "partition clone -objects 0 -slot 1\n"
            "proceed\nco-password-1\n"
            "slot set -slot 1\n"
            "role login -name co -password co-password-1\n"
            "partition contents\n");
    expect_all_ok(out, 12);
    EXPECT_EQ(count(out, "Number of objects:  3"), 2u) << out;
    EXPECT_EQ(count(out, "Object UID:   a2a2a2a2a2a2a2a2a2a2a2a2"), 2u) << out;
    EXPECT_TRUE(contains(out, "Type 'proceed' to continue, or 'quit' to quit now ->")) << out;
    EXPECT_TRUE(contains(out,
                         "Enter password for Partition SO: \nRe-enter password for "
                         "Partition SO: \nEnter the domain name: \nRe-enter the domain name: "))
        << out;
    EXPECT_TRUE(contains(out, "The 'Crypto Officer' is currently logged in.")) << out;
    EXPECT_TRUE(contains(out, "Label:        app-config")) << out;
    EXPECT_TRUE(contains(out, "Number of objects:  3")) << out;
    // The domain typed at the prompts is the source's: the two partitions can clone.
    EXPECT_FALSE(domain_fingerprint(dst).empty());
    EXPECT_EQ(domain_fingerprint(src), domain_fingerprint(dst));
}

// The same procedure from a pre-PPSO 6.21 source (`partition login`); on the target the guide's
// `role login -name co -password ...` replaces the Partition SO's login.
TEST_F(PartitionCommandsTest, GuideChapter5FromPrePpsoSourceRunsAsWritten) {
    auto dst = make(100001, {7, 3, 0}, {"dst"});
    auto src = make(100002, {6, 21, 0}, {"legacy"}, legacy_ready);
    add_objects(src);
    const std::string out =
        run("slot list\n"
            "slot set -slot 1\n"
            "partition init -label dst7\n"
            "po-password-1\npo-password-1\ndomain-alpha\ndomain-alpha\nproceed\n"
            "role login -name po\n"
            "po-password-1\n"
            "role init -name co\n"
            "co-password-1\nco-password-1\n"
            "slot set -slot 3\n"
            "partition login\n"
            "co-password-1\n"
            "partition contents\n"
            "partition clone -objects 0 -slot 1\n"
            "proceed\nco-password-1\n"
            "slot set -slot 1\n"
            "role login -name co -password co-password-1\n"
            "partition contents\n");
    expect_all_ok(out, 12);
    EXPECT_TRUE(contains(out, "Enter the partition owner's password: ")) << out;
    EXPECT_TRUE(contains(out, "The Partition SO was logged out first.")) << out;
    EXPECT_EQ(count(out, "Number of objects:  3"), 2u) << out;
    EXPECT_EQ(count(out, "Object UID:   a1a1a1a1a1a1a1a1a1a1a1a1"), 2u) << out;
    EXPECT_EQ(domain_fingerprint(src), domain_fingerprint(dst));
}

TEST_F(PartitionCommandsTest, ContentsGolden) {
    auto src = make(100002, {6, 22, 0}, {"src"}, ppso_ready);
    add_objects(src);
    EXPECT_EQ(run("partition contents -slot 1 -password co-password-1\n"),
              "\n"
              "        The 'Crypto Officer' is currently logged in. Looking for objects\n"
              "        accessible to the 'Crypto Officer'.\n"
              "\n"
              "        Object list:\n"
              "\n"
              "        Label:        aes-key-1\n"
              "        Handle:       1\n"
              "        Object Type:  Symmetric Key\n"
              "        Object UID:   a0a0a0a0a0a0a0a0a0a0a0a0\n"
              "\n"
              "        Label:        aes-key-2\n"
              "        Handle:       2\n"
              "        Object Type:  Symmetric Key\n"
              "        Object UID:   a1a1a1a1a1a1a1a1a1a1a1a1\n"
              "\n"
              "        Label:        app-config\n"
              "        Handle:       3\n"
              "        Object Type:  Data\n"
              "        Object UID:   a2a2a2a2a2a2a2a2a2a2a2a2\n"
              "\n"
              "        Number of objects:  3\n"
              "\n"
              "Command Result : No Error\n"
              "\n");
    // Nobody logged in: only public objects, and these are private.
    const std::string nobody = run("slot set -slot 1\npartition contents\n");
    EXPECT_TRUE(contains(nobody,
                         "\n        No one is currently logged in. Looking for public "
                         "objects.\n\n        Object list:\n\n        Number of objects:  "
                         "0\n\nCommand Result : No Error\n"))
        << nobody;
}

TEST_F(PartitionCommandsTest, ShowPoliciesGolden) {
    make(100002, {6, 22, 0}, {"src"}, ppso_ready);
    EXPECT_EQ(run("partition showpolicies -slot 1\n"),
              "\n"
              "        Partition Capabilities\n"
              "                0: Enable private key cloning : 1\n"
              "                1: Enable private key wrapping : 1\n"
              "                2: Enable private key unwrapping : 1\n"
              "                3: Enable private key masking : 1\n"
              "                4: Enable secret key cloning : 1\n"
              "                5: Enable secret key wrapping : 1\n"
              "                6: Enable secret key unwrapping : 1\n"
              "                7: Enable secret key masking : 1\n"
              "                10: Enable multipurpose keys : 1\n"
              "                11: Enable changing key attributes : 1\n"
              "                15: Enable failed challenge responses : 1\n"
              "                16: Enable operate without RSA blinding : 1\n"
              "                17: Enable signing with non-local keys : 1\n"
              "                18: Enable raw RSA operations : 1\n"
              "                20: Max failed user logins allowed : 10\n"
              "                21: Enable high availability recovery : 1\n"
              "                22: Enable activation : 1\n"
              "                23: Enable auto-activation : 1\n"
              "                24: Enable indirect login : 1\n"
              "                25: Minimum pin length (inverted: 255 - min) : 247\n"
              "                26: Maximum pin length : 255\n"
              "                28: Enable Key Management Functions : 1\n"
              "                29: Enable RSA signing without confirmation : 1\n"
              "                30: Enable remote authentication : 1\n"
              "                31: Enable private key unmasking : 1\n"
              "                32: Enable secret key unmasking : 1\n"
              "                33: Enable RSA PKCS mechanism : 1\n"
              "                34: Enable CBC-PAD (un)wrap keys of any size : 1\n"
              "                35: Enable private key SFF backup/restore : 1\n"
              "                36: Enable secret key SFF backup/restore : 1\n"
              "                39: Enable start/end date attributes : 1\n"
              "\n"
              "        Partition Policies\n"
              "                0: Allow private key cloning : 1\n"
              "                1: Allow private key wrapping : 0\n"
              "                2: Allow private key unwrapping : 1\n"
              "                3: Allow private key masking : 0\n"
              "                4: Allow secret key cloning : 1\n"
              "                5: Allow secret key wrapping : 1\n"
              "                6: Allow secret key unwrapping : 1\n"
              "                7: Allow secret key masking : 0\n"
              "                10: Allow multipurpose keys : 1\n"
              "                11: Allow changing key attributes : 1\n"
              "                15: Ignore failed challenge responses : 1\n"
              "                16: Operate without RSA blinding : 1\n"
              "                17: Allow signing with non-local keys : 1\n"
              "                18: Allow raw RSA operations : 1\n"
              "                20: Max failed user logins allowed : 10\n"
              "                21: Allow high availability recovery : 1\n"
              "                22: Allow activation : 0\n"
              "                23: Allow auto-activation : 0\n"
              "                24: Allow indirect login : 0\n"
              "                25: Minimum pin length (inverted: 255 - min) : 247\n"
              "                26: Maximum pin length : 255\n"
              "                28: Allow Key Management Functions : 1\n"
              "                29: Perform RSA signing without confirmation : 1\n"
              "                30: Allow remote authentication : 1\n"
              "                31: Allow private key unmasking : 1\n"
              "                32: Allow secret key unmasking : 1\n"
              "                33: Allow RSA PKCS mechanism : 1\n"
              "                34: Allow CBC-PAD (un)wrap keys of any size : 1\n"
              "                35: Allow private key SFF backup/restore : 1\n"
              "                36: Allow secret key SFF backup/restore : 1\n"
              "                39: Enforce start/end date attributes : 0\n"
              "\n"
              "Command Result : No Error\n"
              "\n");
}

TEST_F(PartitionCommandsTest, ShowPoliciesVerboseNamesDestructiveChanges) {
    make(100001, {7, 3, 0}, {"p7"}, ppso_ready);
    const std::string out = run("par showpolicies -s 1 -v\n");
    EXPECT_TRUE(contains(out,
                         "                0: Allow private key cloning : 1 (destructive when "
                         "enabled)\n"))
        << out;
    EXPECT_TRUE(
        contains(out, "                4: Allow secret key cloning : 1 (not destructive)\n"))
        << out;
}

TEST_F(PartitionCommandsTest, CloningAndWrappingCannotBothBeOn) {
    make(100001, {7, 3, 0}, {"p7"}, ppso_ready);
    const std::string out =
        run("slot set -slot 1\n"
            "role login -name po -password po-password-1\n"
            "partition changepolicy -policy 1 -value 1\n"
            "par changepo -p 0,1 -v 0,1 -force\n"
            "partition showpolicies\n");
    EXPECT_TRUE(contains(out,
                         "policy 0 (Allow private key cloning) and policy 1 cannot both be "
                         "enabled: a partition is in cloning mode (0=1, 1=0) or key-export "
                         "mode (0=0, 1=1), never both"))
        << out;
    EXPECT_TRUE(contains(out, "Command Result : 0x")) << out;
    EXPECT_TRUE(contains(out, "(CKR_CONFIG_FAILS_DEPENDENCIES)")) << out;
    EXPECT_TRUE(contains(out,
                         "Policy 0 (Allow private key cloning) changed from 1 to 0.\n"
                         "        Policy 1 (Allow private key wrapping) changed from 0 to 1.\n"))
        << out;
    EXPECT_TRUE(contains(out, "                1: Allow private key wrapping : 1\n")) << out;
}

TEST_F(PartitionCommandsTest, DestructiveChangeAsksProceedAndQuitKeepsTheObjects) {
    auto p = make(100001, {7, 3, 0}, {"p7"}, ppso_ready);
    add_objects(p);
    const std::string out =
        run("slot set -slot 1\n"
            "role login -name po -password po-password-1\n"
            "partition changepolicy -policy 0 -value 0\n"
            "partition changepolicy -policy 0 -value 1\n"
            "quit\n"
            "partition showinfo\n"
            "partition changepolicy -policy 0 -value 1\n"
            "proceed\n"
            "partition showinfo\n");
    EXPECT_TRUE(contains(out,
                         "You are about to change a destructive partition policy.\n"
                         "All partition objects will be destroyed.\n"))
        << out;
    EXPECT_TRUE(contains(out, "Command aborted.\n\nCommand Result : 0x1 (CKR_CANCEL)")) << out;
    const size_t first = out.find("Number of objects ->");
    ASSERT_NE(first, std::string::npos) << out;
    EXPECT_EQ(out.substr(first, 30), "Number of objects ->        3\n") << out;
    EXPECT_TRUE(contains(out, "Every object of the partition was erased (destructive change)."))
        << out;
    const size_t second = out.find("Number of objects ->", first + 1);
    ASSERT_NE(second, std::string::npos) << out;
    EXPECT_EQ(out.substr(second, 30), "Number of objects ->        0\n") << out;
}

TEST_F(PartitionCommandsTest, PrePpsoPoliciesAreChangedByTheHsmSoFromTheAdminSlot) {
    make(100002, {6, 21, 0}, {"legacy"}, legacy_ready);
    const std::string out =
        run("slot set -slot 1\n"
            "partition changepolicy -policy 20 -value 5\n"
            "slot set -slot 0\n"
            "partition changepolicy -partition legacy -policy 20 -value 5\n"
            "hsm login -password so-password-1\n"
            "partition changepolicy -partition legacy -policy 20 -value 5\n"
            "partition showpolicies -slot 1\n"
            "partition showpolicies -partition legacy\n"
            "partition showpolicies\n");
    EXPECT_TRUE(contains(out,
                         "slot 0 is an HSM admin slot: name the partition with -partition "
                         "<name> ('hsm showpolicies' shows the HSM's own)"))
        << out;
    EXPECT_EQ(count(out, "                20: Max failed user logins allowed : 5\n"), 2u) << out;
    EXPECT_TRUE(contains(out,
                         "slot 1 is a pre-PPSO partition (firmware 6.21.0): its policies are "
                         "the HSM SO's. Type 'slot set -slot 0', 'hsm login', then 'partition "
                         "changepolicy -partition legacy -policy ... -value ...'"))
        << out;
    EXPECT_TRUE(contains(out,
                         "the HSM SO must be logged in on slot 0 to change a pre-PPSO "
                         "partition's policies: type 'hsm login' first"))
        << out;
    EXPECT_TRUE(contains(out, "Policy 20 (Max failed user logins allowed) changed from 10 to 5."))
        << out;
}

TEST_F(PartitionCommandsTest, EachRefusalNamesWhatToTypeInstead) {
    make(100001, {7, 3, 0}, {"p7"}, ppso_ready);
    make(100002, {6, 22, 0}, {"p622"}, ppso_ready);
    make(100003, {6, 21, 0}, {"legacy"}, legacy_ready);
    const std::string out =
        run("slot set -slot 1\n"
            "partition login -password co-password-1\n"
            "partition logout\n"
            "slot set -slot 3\n"
            "partition login\n"
            "slot set -slot 5\n"
            "partition init -label newlabel\n"
            "role init -name co\n"
            "partition logout\n"
            "slot set -slot 0\n"
            "partition contents\n");
    EXPECT_TRUE(contains(out,
                         "slot 1 (firmware 7.3.0) has per-partition roles: log in with 'role "
                         "login -name co' (or -name po for the Partition SO)"))
        << out;
    EXPECT_TRUE(contains(out, "log out with 'role logout'")) << out;
    EXPECT_TRUE(contains(out,
                         "log in with 'role login -name Crypto Officer' (or -name Partition SO "
                         "for the Partition SO)"))
        << out;
    EXPECT_TRUE(contains(out,
                         "The HSM SO creates legacy partitions with their owner password and "
                         "cloning domain ('partition create' on the HSM's admin slot, slot 4)"))
        << out;
    EXPECT_TRUE(contains(out, "the HSM SO sets the owner's password at 'partition create'")) << out;
    EXPECT_TRUE(contains(out, "nobody is logged in on slot 5")) << out;
    EXPECT_TRUE(
        contains(out, "slot 0 is an HSM admin slot; this command works on a partition slot"))
        << out;
}

TEST_F(PartitionCommandsTest, InitBadInputAndQuitChangeNothing) {
    make(100001, {7, 3, 0}, {"p7"});
    const std::string out =
        run("slot set -slot 1\n"
            "partition init\n"
            "partition init -label x -domain a -defaultdomain\n"
            "partition init -label newlabel\n"
            "po-password-1\npo-password-2\n"
            "partition init -label newlabel -password po-password-1 -domain domain-alpha\n"
            "quit\n"
            "partition showinfo\n");
    EXPECT_TRUE(contains(out, "Usage: partition init -label <label>")) << out;
    EXPECT_TRUE(contains(out, "give either -domain or -defaultdomain, not both")) << out;
    EXPECT_TRUE(contains(out, "the two entries of the password for Partition SO do not match"))
        << out;
    EXPECT_TRUE(contains(out, "Command aborted.")) << out;
    EXPECT_TRUE(contains(out, "        Initialized ->              no\n")) << out;
}

TEST_F(PartitionCommandsTest, ShowInfoGivesLabelDomainObjectsAndRoles) {
    auto p = make(100002, {6, 22, 0}, {"src"}, ppso_ready);
    add_objects(p);
    const std::string out = run("slot set -slot 1\npartition showinfo\n");
    EXPECT_TRUE(contains(out, "        Partition Label ->          src\n")) << out;
    EXPECT_TRUE(contains(out, "        Firmware Version ->         6.22.0\n")) << out;
    EXPECT_TRUE(contains(out, "        Personality ->              PPSO\n")) << out;
    EXPECT_TRUE(contains(
        out, "        Domain Fingerprint ->       " + to_hex(domain_fingerprint(p)) + "\n"))
        << out;
    EXPECT_TRUE(contains(out, "        Number of objects ->        3\n")) << out;
    EXPECT_TRUE(contains(out, "                Crypto Officer:         initialized")) << out;
    EXPECT_TRUE(contains(out, "                Crypto User:            not initialized\n")) << out;
}

TEST_F(PartitionCommandsTest, ContentsInJsonListsTheObjectsAndAMissingSlotIsAnError) {
    auto p = make(100002, {6, 22, 0}, {"src"}, ppso_ready);
    add_objects(p);
    ShellOptions options;
    options.json = true;
    const std::string out =
        run("partition contents -slot 1 -password co-password-1\npartition contents -slot 9\n",
            options);
    std::istringstream lines(out);
    std::string first, second;
    ASSERT_TRUE(std::getline(lines, first));
    ASSERT_TRUE(std::getline(lines, second));
    auto a = nlohmann::json::parse(first);
    EXPECT_TRUE(a["ok"].get<bool>()) << first;
    EXPECT_EQ(a["data"]["logged_in"], "Crypto Officer");
    ASSERT_EQ(a["data"]["objects"].size(), 3u);
    EXPECT_EQ(a["data"]["objects"][2]["label"], "app-config");
    EXPECT_EQ(a["data"]["objects"][2]["type"], "Data");
    EXPECT_EQ(a["data"]["objects"][0]["ouid"], "a0a0a0a0a0a0a0a0a0a0a0a0");
    auto b = nlohmann::json::parse(second);
    EXPECT_FALSE(b["ok"].get<bool>());
    EXPECT_EQ(b["message"], "slot 9 does not exist");
}

TEST_F(PartitionCommandsTest, ReinitNeedsTheCurrentPartitionSoPassword) {
    make(100001, {7, 3, 0}, {"p7"});
    const std::string out =
        run("slot set -slot 1\n"
            "partition init -label first -password po-password-1 -defaultdomain -force\n"
            "partition init -label second -password po-password-X -domain domain-alpha -force\n"
            "partition init -label second -password po-password-1 -domain domain-alpha -force\n"
            "partition showinfo\n");
    EXPECT_TRUE(contains(out, "Using the default cloning domain: it is public and insecure"))
        << out;
    EXPECT_TRUE(contains(out,
                         "incorrect password (1 of 10 failed attempts). The partition is "
                         "initialized: re-initializing it needs its current Partition SO "
                         "password (-password)"))
        << out;
    EXPECT_TRUE(contains(out, "        Partition Label ->          second\n")) << out;
    EXPECT_EQ(count(out, "Command Result : No Error"), 4u) << out;
}

}  // namespace
}  // namespace sr::cm
