// The built `strongroom` binary: `factory new-device` makes device folders that open and hold
// what the options asked for; bad options give a clear message and a non-zero exit.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "crypto/x509.h"
#include "hsm/device_folder.h"
#include "hsm/local_device.h"

namespace sr::tools::test {
namespace {

namespace fs = std::filesystem;

struct CommandRun {
    int status = -1;
    std::string out;
    std::string err;
};

class FactoryCommand : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        m_root = fs::temp_directory_path() /
                 ("sr-tools-" + std::to_string(::getpid()) + "-" + info->name());
        fs::remove_all(m_root);
        fs::create_directories(m_root);
        m_home = m_root / "home";
    }
    void TearDown() override { fs::remove_all(m_root); }

    CommandRun run(const std::string& args) {
        const fs::path out = m_root / "out.txt";
        const fs::path err = m_root / "err.txt";
        std::string cmd = std::string(SR_STRONGROOM_BINARY) + " " + args + " >" + out.string() +
                          " 2>" + err.string();
        int raw = std::system(cmd.c_str());
        CommandRun r;
        r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
        r.out = slurp(out);
        r.err = slurp(err);
        return r;
    }
    static std::string slurp(const fs::path& p) {
        std::ifstream in(p);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }
    std::string home_arg() const { return "--home " + m_home.string(); }

    fs::path m_root;
    fs::path m_home;
};

TEST_F(FactoryCommand, NewDeviceMakesAFolderThatOpensWithItsIdentity) {
    CommandRun r = run("factory new-device " + home_arg() +
                " --form-factor usb --firmware 7.3.0 --auth password --serial 4242");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("Made usb device 4242"), std::string::npos) << r.out;
    const fs::path folder = m_home / "devices" / "4242";
    for (auto f : {"device.toml", "store.db", "master.key", "identity.pem", "identity-key.pem"})
        EXPECT_TRUE(fs::exists(folder / f)) << f;
    for (auto f : {"master.key", "identity-key.pem", "store.db"})
        EXPECT_EQ(fs::status(folder / f).permissions() & fs::perms::all,
                  fs::perms::owner_read | fs::perms::owner_write)
            << f;
    PosixEnv env;
    auto dev = hsm::LocalDevice::open(env, folder);
    ASSERT_TRUE(dev.is_ok()) << dev.status().to_string();
    EXPECT_EQ((*dev)->config().form_factor, hsm::FormFactor::Usb);
    EXPECT_EQ((*dev)->config().firmware.to_string(), "7.3.0");
    EXPECT_FALSE((*dev)->info()->hsm_initialized);
    // The certificate chains to the factory's root, which by default sits beside the home.
    auto root = crypto::ManufacturerRoot::load(env, m_root / "factory");
    ASSERT_TRUE(root.is_ok()) << root.status().to_string();
    auto cert = hsm::load_identity_certificate(env, folder);
    ASSERT_TRUE(cert.is_ok());
    EXPECT_TRUE(crypto::verify_certificate(*cert, root->certificate(), env.now()).is_ok());
}

TEST_F(FactoryCommand, ReadyDeviceHasInitializedPartitionsWithCryptoOfficer) {
    CommandRun r = run("factory new-device " + home_arg() +
                " --form-factor pcie --firmware 7.8.4 --auth password --serial 5000"
                " --hsm-label myhsm --so-password sopassword1 --partition alpha --partition beta"
                " --domain mydomain --po-password popassword1 --co-password copassword1");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("Partition alpha"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("slot 1"), std::string::npos) << r.out;
    PosixEnv env;
    auto dev = hsm::LocalDevice::open(env, m_home / "devices" / "5000");
    ASSERT_TRUE(dev.is_ok());
    auto parts = (*dev)->partitions();
    ASSERT_EQ(parts->size(), 2u);
    EXPECT_EQ((*parts)[0].label, "alpha");
    EXPECT_TRUE((*parts)[0].initialized);
    auto a = (*dev)->attach();
    auto s = (*dev)->open_session(*a, (*parts)[1].id, true);
    EXPECT_TRUE((*dev)->login(*s, hsm::Role::CryptoOfficer, "copassword1").is_ok());
}

TEST_F(FactoryCommand, PartitionsWithoutDomainStayUninitialized) {
    CommandRun r = run("factory new-device " + home_arg() +
                " --form-factor pcie --firmware 7.8.4 --auth ped --serial 5001"
                " --hsm-label myhsm --so-password sopassword1 --partition gamma");
    ASSERT_EQ(r.status, 0) << r.err;
    PosixEnv env;
    auto dev = hsm::LocalDevice::open(env, m_home / "devices" / "5001");
    ASSERT_TRUE(dev.is_ok());
    EXPECT_EQ((*dev)->config().auth, hsm::AuthType::Ped);
    auto parts = (*dev)->partitions();
    ASSERT_EQ(parts->size(), 1u);
    EXPECT_FALSE((*parts)[0].initialized);
    EXPECT_EQ((*parts)[0].name, "gamma");
}

TEST_F(FactoryCommand, PrePpsoFirmwareSetsTheOwnerAtCreation) {
    CommandRun r = run("factory new-device " + home_arg() +
                " --form-factor pcie --firmware 6.2.1 --auth password --serial 5002"
                " --hsm-label old --so-password sopassword1 --partition legacy"
                " --domain dom --co-password copassword1");
    ASSERT_EQ(r.status, 0) << r.err;
    CommandRun bad = run("factory new-device " + home_arg() +
                  " --form-factor pcie --firmware 6.2.1 --auth password --serial 5003"
                  " --hsm-label old --so-password sopassword1 --partition legacy"
                  " --domain dom --po-password popassword1");
    EXPECT_NE(bad.status, 0);
    EXPECT_NE(bad.err.find("Partition SO"), std::string::npos) << bad.err;
    EXPECT_FALSE(fs::exists(m_home / "devices" / "5003"));
}

TEST_F(FactoryCommand, BadOptionsGiveAClearErrorAndNonZeroExit) {
    CommandRun r = run("factory new-device " + home_arg() + " --form-factor floppy --firmware 7.0.0 --auth password");
    EXPECT_NE(r.status, 0);
    EXPECT_NE(r.err.find("floppy"), std::string::npos) << r.err;
    r = run("factory new-device " + home_arg() + " --form-factor pcie --firmware seven --auth password");
    EXPECT_NE(r.status, 0);
    EXPECT_NE(r.err.find("--firmware"), std::string::npos) << r.err;
    r = run("factory new-device " + home_arg() + " --form-factor pcie --firmware 7.0.0");
    EXPECT_NE(r.status, 0);
    EXPECT_NE(r.err.find("--auth"), std::string::npos) << r.err;
    r = run("factory new-device " + home_arg() +
            " --form-factor pcie --firmware 7.0.0 --auth password --partition p");
    EXPECT_NE(r.status, 0);
    EXPECT_NE(r.err.find("--hsm-label"), std::string::npos) << r.err;
    r = run("factory new-device " + home_arg() +
            " --form-factor pcie --firmware 7.0.0 --auth password --hsm-label h --so-password short");
    EXPECT_NE(r.status, 0);
    EXPECT_FALSE(fs::exists(m_home / "devices") && !fs::is_empty(m_home / "devices"));
    // The same serial twice is refused and leaves the first device alone.
    ASSERT_EQ(run("factory new-device " + home_arg() +
                  " --form-factor pcie --firmware 7.0.0 --auth password --serial 9").status, 0);
    r = run("factory new-device " + home_arg() + " --form-factor pcie --firmware 7.0.0 --auth password --serial 9");
    EXPECT_NE(r.status, 0);
    EXPECT_NE(r.err.find("exists"), std::string::npos) << r.err;
    EXPECT_TRUE(fs::exists(m_home / "devices" / "9" / "device.toml"));
}

TEST_F(FactoryCommand, NewApplianceMakesOneNetworkDeviceAndTheServerIdentity) {
    const fs::path app = m_root / "appliance";
    CommandRun r = run("factory new-appliance --home " + app.string() +
                       " --firmware 7.8.4 --auth password --serial 31");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(fs::exists(app / "devices" / "31" / "device.toml"));
    EXPECT_TRUE(fs::exists(app / "server.pem"));
    EXPECT_TRUE(fs::exists(app / "clients.json"));
    // An appliance hosts exactly one device.
    r = run("factory new-appliance --home " + app.string() + " --firmware 7.8.4 --auth password");
    EXPECT_NE(r.status, 0);
}

TEST_F(FactoryCommand, MaxObjectsSetsThePartitionCapacityTheDeviceOpensWith) {
    CommandRun r = run("factory new-device " + home_arg() +
                       " --form-factor pcie --firmware 7.8.4 --auth password --serial 77 "
                       "--max-objects 500");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("500 objects per partition"), std::string::npos) << r.out;
    PosixEnv env;
    auto dev = hsm::LocalDevice::open(env, m_home / "devices" / "77");
    ASSERT_TRUE(dev.is_ok()) << dev.status().to_string();
    EXPECT_EQ((*dev)->config().max_objects, 500u);

    r = run("factory new-device " + home_arg() +
            " --form-factor pcie --firmware 7.8.4 --auth password --serial 78 --max-objects 0");
    EXPECT_NE(r.status, 0);
    EXPECT_NE(r.err.find("--max-objects"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(m_home / "devices" / "78"));
}

}  // namespace
}  // namespace sr::tools::test
