// `strongroom demo` in-process: the whole migration runs, every object is proved by fingerprint,
// and nothing is left behind unless asked.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "client/client.h"
#include "tools/demo.h"

namespace sr::tools {
namespace {

namespace fs = std::filesystem;

DemoOptions options() {
    DemoOptions o;
    o.strongroomd = SR_STRONGROOMD_BINARY;
    return o;
}

TEST(Demo, MigratesEveryLegacyPartitionLocalAndNetworkAndProvesEveryObject) {
    DemoOptions o = options();
    o.keys_per_partition = 4;
    std::ostringstream out;
    auto r = run_demo(o, out);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string() << "\n" << out.str();
    EXPECT_TRUE(r->ok()) << out.str();
    ASSERT_EQ(r->migrations.size(), 3u);
    EXPECT_EQ(r->migrations[2].source, "legacy Network HSM appliance, firmware 6.22.0 (PPSO)");
    EXPECT_EQ(r->migrations[2].target, "new Network HSM appliance 7.8.4");
    // Network partitions are numbered first: the guide's chapter 2 slots 0 and 1.
    EXPECT_EQ(r->migrations[2].source_slot, 0u);
    EXPECT_EQ(r->migrations[2].target_slot, 1u);
    for (const DemoMigration& m : r->migrations) {
        EXPECT_GT(m.source_objects, 4u);  // key pairs count twice
        EXPECT_EQ(m.target_objects, m.source_objects);
        EXPECT_EQ(m.fingerprints_matched, m.source_objects);
        EXPECT_TRUE(m.mismatches.empty());
    }
    EXPECT_NE(out.str().find("Result: every object migrated and proved."), std::string::npos);
    EXPECT_FALSE(fs::exists(r->folder)) << "the temporary folder was left behind";
}

TEST(Demo, KeepLeavesAHomeThatSrcmCanOpen) {
    const fs::path keep = fs::temp_directory_path() /
                          ("sr-demo-keep-" + std::to_string(::getpid()));
    fs::remove_all(keep);
    DemoOptions o = options();
    o.keys_per_partition = 2;
    o.keep = keep;
    o.transcript = true;
    std::ostringstream out;
    auto r = run_demo(o, out);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    EXPECT_TRUE(r->ok());
    // The transcript shows the guide's commands as typed.
    EXPECT_NE(out.str().find("srcm:> partition clone -objects 0 -slot 7"), std::string::npos)
        << out.str();
    EXPECT_NE(out.str().find("srcm:> partition clone -objects 0 -slot 1"), std::string::npos);
    EXPECT_NE(out.str().find("srsh:> client assignpartition -client demo-client -partition web7"),
              std::string::npos);
    EXPECT_NE(out.str().find("srcm:> clientconfig addserver -server 127.0.0.1:"),
              std::string::npos);
    EXPECT_NE(out.str().find("srcm:> role login -name Crypto Officer"), std::string::npos);
    EXPECT_NE(out.str().find("srcm:> partition login"), std::string::npos);
    // The appliances' daemons stopped with the demo: their slots are absent, the local ones
    // stay.
    auto c = client::Client::open(keep / "home");
    ASSERT_TRUE(c.is_ok());
    EXPECT_EQ((*c)->slots().size(), 7u);
    EXPECT_TRUE(fs::exists(keep / "legacy-appliance" / "server.pem"));
    EXPECT_TRUE(fs::exists(keep / "new-appliance" / "server.pem"));
    fs::remove_all(keep);
}

TEST(Demo, RefusesToKeepIntoAFolderThatIsNotEmpty) {
    const fs::path keep = fs::temp_directory_path() /
                          ("sr-demo-busy-" + std::to_string(::getpid()));
    fs::create_directories(keep / "something");
    DemoOptions o = options();
    o.keep = keep;
    std::ostringstream out;
    auto r = run_demo(o, out);
    EXPECT_EQ(r.code(), Err::ArgumentsBad);
    EXPECT_TRUE(fs::exists(keep / "something"));
    fs::remove_all(keep);
}

}  // namespace
}  // namespace sr::tools
