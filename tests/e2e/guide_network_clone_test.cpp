// End to end: the guide's "Cloning" procedures of chapter 2 (Network 5.x/6.x -> Network 7.x),
// chapter 3 (USB 5.x/6.x -> Network 7.x) and chapter 4 (PCIe 5.x/6.x -> Network 7.x), with the
// new HSM — and in chapter 2 the old one too — a real strongroomd on 127.0.0.1 with an
// ephemeral port. The appliance administrator's part is srsh on the admin socket (partition
// create, client register, client assignpartition, as in luna-reference §10); the client's part
// is srcm (clientconfig createcert / addserver, then the guide's commands copied as written, only
// slots, labels and passwords filled in). Afterwards every object's in-device fingerprint matches.
#include <gtest/gtest.h>

#include <map>

#include "appliance/appliance_factory.h"
#include "client/client.h"
#include "client/clone.h"
#include "client/fill.h"
#include "hsm/factory.h"
#include "proof.h"
#include "network_fixture.h"

namespace sr::e2e {
namespace {

constexpr const char* kDomain = "guide-domain-net";
constexpr const char* kOldSo = "old-so-password";
constexpr const char* kOldPo = "old-po-password";
constexpr const char* kOldCo = "old-co-password";
constexpr const char* kNewSo = "new-so-password";
constexpr const char* kNewPo = "new-po-password";
constexpr const char* kNewCo = "new-co-password";
constexpr const char* kClientName = "migration-host";
constexpr uint64_t kFill = 10;  // fill_partition items (a key pair is two objects)

struct Source {
    const char* name;
    hsm::FormFactor form_factor;  // Network: chapter 2; Usb: chapter 3; Pcie: chapter 4
    const char* firmware;
};

bool pre_ppso(const Source& s) {
    return hsm::generation(*hsm::FirmwareVersion::parse(s.firmware)) == hsm::Generation::PrePpso;
}

class GuideNetworkCloning : public NetworkE2e, public ::testing::WithParamInterface<Source> {
protected:
    // The old HSM's spec: HSM initialized, partition "oldpar" initialized in the shared domain
    // with its Crypto Officer (on pre-PPSO firmware the owner), as the guide's source is.
    hsm::NewDeviceSpec old_spec(const fs::path& home) const {
        hsm::NewDeviceSpec s;
        s.home = home;
        s.serial = 100001;
        s.form_factor = GetParam().form_factor;
        s.firmware = *hsm::FirmwareVersion::parse(GetParam().firmware);
        s.hsm_label = "old-hsm";
        s.so_password = kOldSo;
        s.partitions = {"oldpar"};
        s.domain = kDomain;
        if (!pre_ppso(GetParam())) s.po_password = kOldPo;
        s.co_password = kOldCo;
        return s;
    }

    // Fills the old partition (opened in-process before any daemon serves it).
    void fill_old(const fs::path& home, uint64_t slot) {
        auto c = client::Client::open(home);
        ASSERT_TRUE(c.is_ok()) << c.status().to_string();
        auto s = (*c)->open_session(slot, true);
        ASSERT_TRUE(s.is_ok()) << s.status().to_string();
        ASSERT_TRUE((*s)->dev().login((*s)->id(), hsm::Role::CryptoOfficer, kOldCo).is_ok());
        client::FillSpec fill;
        fill.count = kFill;
        fill.mix = client::default_fill_mix();
        auto r = client::fill_partition((*s)->dev(), (*s)->id(), fill);
        ASSERT_TRUE(r.is_ok()) << r.status().to_string();
        m_objects = r->objects;
    }

    // The hardware: the new 7.x appliance (HSM initialized, no partition yet) and the old HSM —
    // an appliance in chapter 2, a USB or PCIe HSM plugged into the client host otherwise.
    void make_hardware() {
        PosixEnv env;
        m_new = m_root / "new-appliance";
        appliance::NewApplianceSpec fresh;
        fresh.device.home = m_new;
        fresh.device.serial = 200001;
        fresh.device.firmware = {7, 8, 4};
        fresh.device.hsm_label = "new-hsm";
        fresh.device.so_password = kNewSo;
        auto made = appliance::make_appliance(env, std::move(fresh));
        ASSERT_TRUE(made.is_ok()) << made.status().to_string();
        if (network_source()) {
            m_old = m_root / "old-appliance";
            appliance::NewApplianceSpec old;
            old.device = old_spec(m_old);
            auto r = appliance::make_appliance(env, std::move(old));
            ASSERT_TRUE(r.is_ok()) << r.status().to_string();
            fill_old(m_old, 1);  // the appliance's own admin slot is 0, its partition 1
        } else {
            auto r = hsm::make_device(env, old_spec(m_client_home));
            ASSERT_TRUE(r.is_ok()) << r.status().to_string();
            fill_old(m_client_home, 1);  // before any server is configured: admin 0, part 1
        }
    }

    bool network_source() const { return GetParam().form_factor == hsm::FormFactor::Network; }

    // Appliance side: what the administrator does on each appliance in LunaSH.
    void administer(const fs::path& appliance, const char* so_password, const char* partition,
                    bool create) {
        std::string s = std::string("hsm login -password ") + so_password + "\n";
        if (create) s += std::string("partition create -partition ") + partition + " -force\n";
        s += std::string("client register -client ") + kClientName + " -certfile " +
             (m_client_home / "cert" / "client" / (std::string(kClientName) + ".pem")).string() +
             " -hostname localhost\n";
        s += std::string("client assignpartition -client ") + kClientName + " -partition " +
             partition + "\n";
        auto [out, status] = srsh(appliance, s);
        ASSERT_EQ(status, 0) << out;
    }

    // Network trust and visibility, then the servers in slot order (the old server first, so
    // slot 0 is the source as in chapter 2's example).
    void connect_client() {
        auto [cert, status] = srcm(std::string("clientconfig createcert -name ") + kClientName +
                                   "\n");
        ASSERT_EQ(status, 0) << cert;
        std::string add;
        if (network_source()) {
            const std::string old_address = start_daemon(m_old);
            ASSERT_FALSE(old_address.empty());
            administer(m_old, kOldSo, "oldpar", false);
            add += "clientconfig addserver -server " + old_address + " -certfile " +
                   appliance::server_cert_path(m_old).string() + "\n";
        }
        const std::string new_address = start_daemon(m_new);
        ASSERT_FALSE(new_address.empty());
        administer(m_new, kNewSo, "newpar", true);
        add += "clientconfig addserver -server " + new_address + " -certfile " +
               appliance::server_cert_path(m_new).string() + "\n";
        add += "clientconfig verify\n";
        auto [out, added] = srcm(add);
        ASSERT_EQ(added, 0) << out;
    }

    // Chapter 2: slot 0 the old network partition, slot 1 the new. Chapters 3 and 4: network
    // slots come first, so slot 0 is the new partition and the local HSM's partition is slot 2.
    uint64_t source_slot() const { return network_source() ? 0 : 2; }
    uint64_t target_slot() const { return network_source() ? 1 : 0; }

    // The guide's "To clone cryptographic keys from a 5.x/6.x partition to a 7.x partition",
    // steps 1-5 and the check after it.
    std::string procedure() const {
        const std::string src = std::to_string(source_slot());
        const std::string dst = std::to_string(target_slot());
        std::string s;
        auto l = [&](const std::string& line) { s += line + "\n"; };
        l("slot list");
        l("slot set -slot " + dst);
        l("partition init -label newpar7");
        l(kNewPo), l(kNewPo), l(kDomain), l(kDomain), l("proceed");
        l("role login -name po");
        l(kNewPo);
        l("role init -name co");
        l(kNewCo), l(kNewCo);
        l("slot set -slot " + src);
        l(pre_ppso(GetParam()) ? "partition login" : "role login -name Crypto Officer");
        l(kOldCo);
        l("partition contents");
        l("partition clone -objects 0 -slot " + dst);
        l("proceed");
        l(kNewCo);
        l("slot set -slot " + dst);
        l(std::string("role login -name co -password ") + kNewCo);
        l("partition contents");
        return s;
    }

    fs::path m_old;
    fs::path m_new;
    uint64_t m_objects = 0;  // token objects on the old partition
};

TEST_P(GuideNetworkCloning, CloningProcedureAsWrittenMovesAndProvesEveryObject) {
    ASSERT_NO_FATAL_FAILURE(make_hardware());
    ASSERT_NO_FATAL_FAILURE(connect_client());
    auto [out, status] = srcm(procedure());
    ASSERT_EQ(status, 0) << out;
    ASSERT_NO_FATAL_FAILURE(expect_srcm_cloned_all(out, m_objects));
    expect_same_objects(m_client_home, source_slot(), kOldCo, target_slot(), kNewCo, m_objects);
}

INSTANTIATE_TEST_SUITE_P(
    Sources, GuideNetworkCloning,
    ::testing::Values(Source{"ch2_network_6_22_ppso", hsm::FormFactor::Network, "6.22.0"},
                      Source{"ch2_network_6_21_pre_ppso", hsm::FormFactor::Network, "6.21.2"},
                      Source{"ch3_usb_5_4_pre_ppso", hsm::FormFactor::Usb, "5.4.7"},
                      Source{"ch4_pcie_6_22_ppso", hsm::FormFactor::Pcie, "6.22.0"}),
    [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace sr::e2e
