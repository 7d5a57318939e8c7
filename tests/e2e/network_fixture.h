// End-to-end plumbing for the network chapters: appliances in their own homes, real strongroomd
// processes on 127.0.0.1 with ephemeral ports, and the real shells (srsh on an appliance's admin
// socket, srcm on a client home) run on scripts. Each test owns one temporary root named with
// its pid; every daemon it started is stopped (SIGTERM, then waited) at teardown.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "appliance/appliance_home.h"
#include "appliance/daemon_process.h"

namespace sr::e2e {

namespace fs = std::filesystem;

inline std::string slurp(const fs::path& p) {
    std::ifstream f(p);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}


class NetworkE2e : public ::testing::Test {
protected:
    void SetUp() override {
        // Short: the admin socket's path inside it must fit a unix socket address (107 bytes).
        static int counter = 0;
        m_root = fs::temp_directory_path() /
                 ("srn-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
        fs::remove_all(m_root);
        fs::create_directories(m_root);
        m_client_home = m_root / "client";
        fs::create_directories(m_client_home);
    }

    void TearDown() override {
        m_daemons.stop_all();
        fs::remove_all(m_root);
    }

    // Starts strongroomd on `home` at 127.0.0.1:0 and returns "127.0.0.1:<port>" once it
    // serves; empty (with the failure recorded) when it does not.
    std::string start_daemon(const fs::path& home) {
        auto address = m_daemons.start(home, m_root / (home.filename().string() + ".log"));
        EXPECT_TRUE(address.is_ok()) << address.status().to_string();
        return address.is_ok() ? *address : std::string();
    }

    // `srsh --home <appliance> -e -f <script>`.
    std::pair<std::string, int> srsh(const fs::path& appliance, const std::string& script) {
        return shell(SR_SRSH_BINARY, appliance, script, "srsh");
    }
    // `srcm --home <client home> -e -f <script>`.
    std::pair<std::string, int> srcm(const std::string& script) {
        return shell(SR_SRCM_BINARY, m_client_home, script, "srcm");
    }

    fs::path m_root;
    fs::path m_client_home;
    appliance::Daemons m_daemons{SR_STRONGROOMD_BINARY};

private:
    std::pair<std::string, int> shell(const char* binary, const fs::path& home,
                                      const std::string& script, const std::string& name) {
        const fs::path file = m_root / (name + ".script");
        std::ofstream(file) << script;
        const fs::path out = m_root / (name + ".out");
        const int status = appliance::run_logged(
            {binary, "--home", home.string(), "-e", "-f", file.string()}, out);
        return {slurp(out), status};
    }
};

}  // namespace sr::e2e
