// End to end: the guide's chapter 5 "Cloning" procedure (5.x/6.x PCIe or USB -> 7.x PCIe), typed
// into the real srcm binary as a script — the guide's commands copied as written, with only slot
// numbers, labels and passwords filled in, prompt answers on the lines after — for a PPSO and two
// pre-PPSO sources. Afterwards both partitions hold the same number of objects and every object's
// in-device fingerprint matches.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "client/client.h"
#include "client/clone.h"
#include "client/fill.h"
#include "hsm/factory.h"
#include "proof.h"

namespace sr::e2e {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDomain = "guide-domain-5";
constexpr const char* kOldCo = "old-co-password";
constexpr const char* kNewPo = "new-po-password";
constexpr const char* kNewCo = "new-co-password";

struct Source {
    const char* name;
    hsm::FormFactor form_factor;
    const char* firmware;
};

class GuideChapter5 : public ::testing::TestWithParam<Source> {
protected:
    void SetUp() override {
        std::string leaf = std::string("sr-e2e-ch5-") + std::to_string(::getpid()) + "-" +
                           GetParam().name;
        m_root = fs::temp_directory_path() / leaf;
        fs::remove_all(m_root);
        m_home = m_root / "home";
        fs::create_directories(m_home);
    }
    void TearDown() override { fs::remove_all(m_root); }

    // The old HSM (serial 100001: slots 0 and 1) with a filled partition, the new 7.x PCIe HSM
    // (serial 200001: slots 2 and 3) with an uninitialized partition.
    void make_hardware() {
        PosixEnv env;
        hsm::NewDeviceSpec old_hsm;
        old_hsm.home = m_home;
        old_hsm.serial = 100001;
        old_hsm.form_factor = GetParam().form_factor;
        old_hsm.firmware = *hsm::FirmwareVersion::parse(GetParam().firmware);
        old_hsm.hsm_label = "old-hsm";
        old_hsm.so_password = "old-so-password";
        old_hsm.partitions = {"oldpar"};
        old_hsm.domain = kDomain;
        if (hsm::generation(old_hsm.firmware) == hsm::Generation::Ppso)
            old_hsm.po_password = "old-po-password";
        old_hsm.co_password = kOldCo;
        ASSERT_TRUE(hsm::make_device(env, old_hsm).is_ok());
        hsm::NewDeviceSpec new_hsm;
        new_hsm.home = m_home;
        new_hsm.serial = 200001;
        new_hsm.firmware = {7, 8, 4};
        new_hsm.hsm_label = "new-hsm";
        new_hsm.so_password = "new-so-password";
        new_hsm.partitions = {"newpar"};
        ASSERT_TRUE(hsm::make_device(env, new_hsm).is_ok());

        auto c = client::Client::open(m_home);
        ASSERT_TRUE(c.is_ok());
        auto s = (*c)->open_session(1, true);
        ASSERT_TRUE(s.is_ok());
        ASSERT_TRUE((*s)->dev().login((*s)->id(), hsm::Role::CryptoOfficer, kOldCo).is_ok());
        client::FillSpec fill;
        fill.count = 10;
        fill.mix = client::default_fill_mix();
        auto r = client::fill_partition((*s)->dev(), (*s)->id(), fill);
        ASSERT_TRUE(r.is_ok()) << r.status().to_string();
        m_objects = r->objects;
    }

    // The procedure, steps 1-5 and the check after it, as the guide writes them.
    std::string script() const {
        const bool pre_ppso = hsm::generation(*hsm::FirmwareVersion::parse(GetParam().firmware)) ==
                              hsm::Generation::PrePpso;
        std::string s;
        auto l = [&](const std::string& line) { s += line + "\n"; };
        // 1. Run LunaCM, set the current slot to the 7.x partition, and initialize the Partition
        //    SO role.
        l("slot list");
        l("slot set -slot 3");
        l("partition init -label newpar7");
        l(kNewPo), l(kNewPo), l(kDomain), l(kDomain), l("proceed");
        // 2. Log in as the po and initialize the co role.
        l("role login -name po");
        l(kNewPo);
        l("role init -name co");
        l(kNewCo), l(kNewCo);
        // 3. Set the current slot to the source 5.x/6.x slot, log in as the Crypto Officer.
        l("slot set -slot 1");
        l(pre_ppso ? "partition login" : "role login -name Crypto Officer");
        l(kOldCo);
        // 4. Optional: verify the objects to be cloned.
        l("partition contents");
        // 5. Clone the objects to the 7.x partition slot.
        l("partition clone -objects 0 -slot 3");
        l("proceed");
        l(kNewCo);
        // Afterward: set the current slot to the 7.x partition and verify.
        l("slot set -slot 3");
        l(std::string("role login -name co -password ") + kNewCo);
        l("partition contents");
        return s;
    }

    // Runs srcm -e -f <script>; returns its exit status and output.
    int run_srcm(const std::string& text, std::string& output) {
        const fs::path file = m_root / "guide.srcm";
        std::ofstream(file) << text;
        const std::string cmd = std::string(SR_SRCM_BINARY) + " --home '" + m_home.string() +
                                "' -e -f '" + file.string() + "' 2>&1";
        FILE* p = ::popen(cmd.c_str(), "r");
        if (!p) return -1;
        std::array<char, 4096> buf{};
        size_t n = 0;
        while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) output.append(buf.data(), n);
        const int status = ::pclose(p);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

    fs::path m_root;
    fs::path m_home;
    uint64_t m_objects = 0;
};

TEST_P(GuideChapter5, CloningProcedureAsWrittenMovesAndProvesEveryObject) {
    make_hardware();
    std::string out;
    const int status = run_srcm(script(), out);
    ASSERT_EQ(status, 0) << out;
    ASSERT_NO_FATAL_FAILURE(expect_srcm_cloned_all(out, m_objects));
    expect_same_objects(m_home, 1, kOldCo, 3, kNewCo, m_objects);
}

INSTANTIATE_TEST_SUITE_P(
    Sources, GuideChapter5,
    ::testing::Values(Source{"pcie_6_22_ppso", hsm::FormFactor::Pcie, "6.22.0"},
                      Source{"pcie_6_21_pre_ppso", hsm::FormFactor::Pcie, "6.21.2"},
                      Source{"usb_5_4_pre_ppso", hsm::FormFactor::Usb, "5.4.7"}),
    [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace sr::e2e
