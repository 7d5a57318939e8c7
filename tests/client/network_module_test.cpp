// libstrongroom.so sees network slots without change: a client home with one local HSM and one
// server entry (a server in a child process, network_test_server, assigning p3 then p1) gives the
// module the network partitions first, with the appliance's slot and token information, and a
// session works there. This binary must not link the protobuf code (the module has its own, and
// one process cannot register it twice), so the child also writes the client's certificate and
// client.toml.
#include <dlfcn.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <gtest/gtest.h>
#include <p11-kit/pkcs11.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <string>
#include <vector>

#include "hsm/factory.h"

extern char** environ;

namespace sr::client {
namespace {

namespace fs = std::filesystem;

std::string trimmed(const unsigned char* field, size_t n) {
    std::string s(reinterpret_cast<const char*>(field), n);
    return s.substr(0, s.find_last_not_of(' ') + 1);
}

class NetworkModuleTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        m_root = fs::temp_directory_path() /
                 ("sr-netp11-" + std::to_string(::getpid()) + "-" + info->name());
        fs::remove_all(m_root);
        m_home = m_root / "home";
        fs::create_directories(m_home);
        hsm::NewDeviceSpec local;
        local.home = m_home;
        local.serial = 20;
        local.factory = m_root / "factory";
        local.hsm_label = "local";
        local.so_password = "so-password-1";
        local.partitions = {"a"};
        ASSERT_TRUE(hsm::make_device(m_env, local).is_ok());
        start_server();
        ASSERT_FALSE(HasFatalFailure());

        ::setenv("STRONGROOM_HOME", m_home.c_str(), 1);
        m_lib = dlopen(SR_P11_MODULE, RTLD_NOW | RTLD_LOCAL);
        ASSERT_NE(m_lib, nullptr) << dlerror();
        auto get = reinterpret_cast<CK_C_GetFunctionList>(dlsym(m_lib, "C_GetFunctionList"));
        ASSERT_NE(get, nullptr);
        ASSERT_EQ(get(&m_p11), CKR_OK);
        ASSERT_EQ(m_p11->C_Initialize(nullptr), CKR_OK);
    }
    void start_server() {
        const std::string root = m_root.string();
        const std::string home = m_home.string();
        std::vector<char*> args{const_cast<char*>(SR_TEST_SERVER), const_cast<char*>(root.c_str()),
                                const_cast<char*>(home.c_str()), nullptr};
        ASSERT_EQ(posix_spawn(&m_child, SR_TEST_SERVER, nullptr, nullptr, args.data(), environ), 0);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (!fs::exists(m_root / "address")) {
            int status = 0;
            ASSERT_EQ(waitpid(m_child, &status, WNOHANG), 0) << "the server exited";
            ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the server never got ready";
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    void TearDown() override {
        if (m_p11) (void)m_p11->C_Finalize(nullptr);
        if (m_lib) dlclose(m_lib);
        if (m_child > 0) {
            ::kill(m_child, SIGKILL);
            ::waitpid(m_child, nullptr, 0);
        }
        ::unsetenv("STRONGROOM_HOME");
        fs::remove_all(m_root);
    }

    PosixEnv m_env;
    fs::path m_root;
    fs::path m_home;
    pid_t m_child = 0;
    void* m_lib = nullptr;
    CK_FUNCTION_LIST_PTR m_p11 = nullptr;
};

TEST_F(NetworkModuleTest, NetworkPartitionsAreTheFirstSlotsWithTheAppliancesInformation) {
    CK_ULONG n = 0;
    ASSERT_EQ(m_p11->C_GetSlotList(CK_TRUE, nullptr, &n), CKR_OK);
    ASSERT_EQ(n, 4u);  // p3, p1, then the local admin slot and partition a
    std::vector<CK_SLOT_ID> slots(n);
    ASSERT_EQ(m_p11->C_GetSlotList(CK_TRUE, slots.data(), &n), CKR_OK);

    CK_TOKEN_INFO t{};
    ASSERT_EQ(m_p11->C_GetTokenInfo(slots[0], &t), CKR_OK);
    EXPECT_EQ(trimmed(t.label, sizeof t.label), "p3");
    EXPECT_EQ(trimmed(t.serialNumber, sizeof t.serialNumber), "654321003");
    ASSERT_EQ(m_p11->C_GetTokenInfo(slots[1], &t), CKR_OK);
    EXPECT_EQ(trimmed(t.label, sizeof t.label), "p1");
    ASSERT_EQ(m_p11->C_GetTokenInfo(slots[2], &t), CKR_OK);
    EXPECT_EQ(trimmed(t.label, sizeof t.label), "local");

    CK_SLOT_INFO s{};
    ASSERT_EQ(m_p11->C_GetSlotInfo(slots[0], &s), CKR_OK);
    EXPECT_EQ(s.firmwareVersion.major, 7);
    EXPECT_EQ(s.flags & CKF_REMOVABLE_DEVICE, 0u);

    CK_SESSION_HANDLE h = 0;
    ASSERT_EQ(m_p11->C_OpenSession(slots[0], CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr,
                                   nullptr, &h),
              CKR_OK);
    std::string pin = "co-password-1";
    EXPECT_EQ(m_p11->C_Login(h, CKU_USER, reinterpret_cast<CK_UTF8CHAR_PTR>(pin.data()),
                             pin.size()),
              CKR_OK);
    CK_BYTE random[16] = {};
    EXPECT_EQ(m_p11->C_GenerateRandom(h, random, sizeof random), CKR_OK);
    EXPECT_EQ(m_p11->C_CloseSession(h), CKR_OK);
}

}  // namespace
}  // namespace sr::client
