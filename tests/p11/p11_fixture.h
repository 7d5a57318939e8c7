// Black-box fixture: loads a PKCS#11 module by path (SR_P11_MODULE, default: the built
// libstrongroom.so) with dlopen and uses only its function list. For Strongroom each test gets a
// fresh STRONGROOM_HOME holding a factory-made device; for SoftHSM2 (SR_P11_MODULE naming
// libsofthsm2.so) a fresh SOFTHSM2_CONF with a token initialized by softhsm2-util. Either way
// the token under test is labelled "p1" with the PINs below.
#pragma once

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <p11-kit/pkcs11.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/env.h"
#include "hsm/factory.h"

namespace sr::p11test {

inline constexpr const char* kSoPin = "so-password-1";
inline constexpr const char* kPoPin = "po-password-1";
inline constexpr const char* kCoPin = "co-password-1";
inline constexpr const char* kCuPin = "cu-password-1";
inline constexpr const char* kTokenLabel = "p1";
inline constexpr CK_USER_TYPE kCryptoUser = 0x80000001UL;

inline std::string module_path() {
    if (const char* m = std::getenv("SR_P11_MODULE"); m != nullptr && *m != '\0') return m;
    return SR_P11_DEFAULT_MODULE;
}
inline bool testing_softhsm() { return module_path().find("softhsm") != std::string::npos; }

inline CK_UTF8CHAR_PTR pin(const char* p) {
    return reinterpret_cast<CK_UTF8CHAR_PTR>(const_cast<char*>(p));
}
inline CK_ULONG pin_len(const char* p) { return std::char_traits<char>::length(p); }

inline std::string trim(const unsigned char* field, size_t n) {
    std::string s(reinterpret_cast<const char*>(field), n);
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
}

class P11Test : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        m_root = std::filesystem::temp_directory_path() /
                 ("sr-p11-" + std::to_string(::getpid()) + "-" + info->test_suite_name() + "-" +
                  info->name());
        std::filesystem::remove_all(m_root);
        std::filesystem::create_directories(m_root);
        m_home = m_root / "home";
        if (testing_softhsm())
            make_softhsm_token();
        else
            make_strongroom_device(ready_spec());
        load();
        initialize();
    }

    void TearDown() override {
        if (m_fl != nullptr) (void)m_fl->C_Finalize(nullptr);
        if (m_lib != nullptr) dlclose(m_lib);
        std::filesystem::remove_all(m_root);
    }

    // A 7.x device: HSM initialized, partition "p1" initialized with a PO and a CO.
    hsm::NewDeviceSpec ready_spec(uint64_t serial = 123456) {
        hsm::NewDeviceSpec spec;
        spec.home = m_home;
        spec.firmware = *hsm::FirmwareVersion::parse("7.8.4");
        spec.serial = serial;
        spec.hsm_label = "hsm";
        spec.so_password = kSoPin;
        spec.partitions = {kTokenLabel};
        spec.domain = "domain-alpha";
        spec.po_password = kPoPin;
        spec.co_password = kCoPin;
        return spec;
    }

    void make_strongroom_device(const hsm::NewDeviceSpec& spec) {
        ::setenv("STRONGROOM_HOME", m_home.c_str(), 1);
        auto report = hsm::make_device(m_env, spec);
        ASSERT_TRUE(report.is_ok()) << report.status().to_string();
    }

    void make_softhsm_token() {
        std::filesystem::create_directories(m_root / "tokens");
        const auto conf = m_root / "softhsm2.conf";
        std::ofstream(conf) << "directories.tokendir = " << (m_root / "tokens").string()
                            << "\nobjectstore.backend = file\nlog.level = ERROR\n";
        ::setenv("SOFTHSM2_CONF", conf.c_str(), 1);
        const std::string cmd = std::string("softhsm2-util --init-token --free --label ") +
                                kTokenLabel + " --so-pin " + kPoPin + " --pin " + kCoPin +
                                " > /dev/null 2>&1";
        ASSERT_EQ(std::system(cmd.c_str()), 0);
    }

    void load() {
        m_lib = dlopen(module_path().c_str(), RTLD_NOW | RTLD_LOCAL);
        ASSERT_NE(m_lib, nullptr) << dlerror();
        auto get = reinterpret_cast<CK_C_GetFunctionList>(dlsym(m_lib, "C_GetFunctionList"));
        ASSERT_NE(get, nullptr);
        ASSERT_EQ(get(&m_fl), CKR_OK);
    }
    void initialize() { ASSERT_EQ(m_fl->C_Initialize(nullptr), CKR_OK); }
    // Re-reads the home (e.g. after the test made another device).
    void reinitialize() {
        ASSERT_EQ(m_fl->C_Finalize(nullptr), CKR_OK);
        ASSERT_EQ(m_fl->C_Initialize(nullptr), CKR_OK);
    }

    std::vector<CK_SLOT_ID> slots() {
        CK_ULONG n = 0;
        EXPECT_EQ(m_fl->C_GetSlotList(CK_TRUE, nullptr, &n), CKR_OK);
        std::vector<CK_SLOT_ID> out(n);
        EXPECT_EQ(m_fl->C_GetSlotList(CK_TRUE, out.data(), &n), CKR_OK);
        out.resize(n);
        return out;
    }
    // The slot whose token has this label.
    CK_SLOT_ID slot_labelled(const std::string& label) {
        for (CK_SLOT_ID s : slots()) {
            CK_TOKEN_INFO ti{};
            if (m_fl->C_GetTokenInfo(s, &ti) == CKR_OK && trim(ti.label, 32) == label) return s;
        }
        ADD_FAILURE() << "no token labelled " << label;
        return ~CK_SLOT_ID{0};
    }
    CK_SLOT_ID token_slot() { return slot_labelled(kTokenLabel); }

    CK_SESSION_HANDLE open(bool rw = true) {
        CK_SESSION_HANDLE h = 0;
        CK_FLAGS flags = CKF_SERIAL_SESSION | (rw ? CKF_RW_SESSION : 0);
        EXPECT_EQ(m_fl->C_OpenSession(token_slot(), flags, nullptr, nullptr, &h), CKR_OK);
        return h;
    }
    // A read-write session with the Crypto Officer (PKCS#11 user) logged in.
    CK_SESSION_HANDLE user_session() {
        CK_SESSION_HANDLE h = open();
        EXPECT_EQ(m_fl->C_Login(h, CKU_USER, pin(kCoPin), pin_len(kCoPin)), CKR_OK);
        return h;
    }

    PosixEnv m_env;
    std::filesystem::path m_root;
    std::filesystem::path m_home;
    void* m_lib = nullptr;
    CK_FUNCTION_LIST_PTR m_fl = nullptr;
};

// Bad input: Strongroom must answer exactly the spec's code; other modules only have to refuse
// (SoftHSM2 picks other codes for several of these cases).
#define EXPECT_REFUSED(call, expected)                              \
    do {                                                            \
        const CK_RV sr_rv_ = (call);                                \
        if (::sr::p11test::testing_softhsm()) {                     \
            EXPECT_NE(sr_rv_, static_cast<CK_RV>(CKR_OK));          \
        } else {                                                    \
            EXPECT_EQ(sr_rv_, static_cast<CK_RV>(expected));        \
        }                                                           \
    } while (0)

#define SKIP_ON_SOFTHSM(why) \
    if (::sr::p11test::testing_softhsm()) GTEST_SKIP() << (why)

}  // namespace sr::p11test
