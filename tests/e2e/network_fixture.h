// End-to-end plumbing for the network chapters: appliances in their own homes, real strongroomd
// processes on 127.0.0.1 with ephemeral ports, and the real shells (srsh on an appliance's admin
// socket, srcm on a client home) run on scripts. Each test owns one temporary root named with
// its pid; every daemon it started is stopped (SIGTERM, then waited) at teardown.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
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

extern char** environ;

namespace sr::e2e {

namespace fs = std::filesystem;

inline std::string slurp(const fs::path& p) {
    std::ifstream f(p);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

// Runs `words` with stdout and stderr into `out_file`; returns the exit status (-1 if killed).
inline int run_program(const std::vector<std::string>& words, const fs::path& out_file) {
    std::vector<std::string> copy = words;
    std::vector<char*> argv;
    for (auto& w : copy) argv.push_back(w.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) return -1;
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
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
        const int status =
            run_program({binary, "--home", home.string(), "-e", "-f", file.string()}, out);
        return {slurp(out), status};
    }
};

}  // namespace sr::e2e
