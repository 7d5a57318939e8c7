#include "appliance/daemon_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "appliance/appliance_home.h"

extern char** environ;

namespace sr::appliance {

namespace fs = std::filesystem;

namespace {

std::string tail_of(const fs::path& log) {
    std::ifstream f(log);
    std::ostringstream s;
    s << f.rdbuf();
    std::string text = s.str();
    constexpr size_t kTail = 2000;
    return text.size() > kTail ? text.substr(text.size() - kTail) : text;
}

}  // namespace

Result<fs::path> find_strongroomd(const fs::path& explicit_path) {
    if (!explicit_path.empty()) {
        if (::access(explicit_path.c_str(), X_OK) == 0) return explicit_path;
        return error(Err::NotFound, explicit_path.string() + " is not an executable strongroomd");
    }
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (ec) return error(Err::NotFound, "cannot locate this executable to find strongroomd");
    const fs::path candidates[] = {self.parent_path() / "strongroomd",
                                   self.parent_path().parent_path() / "appliance" / "strongroomd"};
    for (const fs::path& c : candidates)
        if (::access(c.c_str(), X_OK) == 0) return c;
    return error(Err::NotFound, "strongroomd is neither at " + candidates[0].string() + " nor at " +
                                    candidates[1].string() +
                                    " (build it: cmake --build --preset release --target "
                                    "strongroomd, or pass --strongroomd PATH)");
}

void Daemons::stop_all() {
    for (pid_t pid : m_pids) ::kill(pid, SIGTERM);
    for (pid_t pid : m_pids) {
        int status = 0;
        ::waitpid(pid, &status, 0);
    }
    m_pids.clear();
}

Result<std::string> Daemons::start(const fs::path& home, const fs::path& log) {
    std::vector<std::string> words{m_binary.string(), "--home", home.string(), "--listen",
                                   "127.0.0.1:0"};
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return error(Err::DeviceError, "cannot start " + m_binary.string() + ": " +
                                           std::string(std::strerror(rc)));
    m_pids.push_back(pid);
    const fs::path port_file = port_file_path(home);
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    while (Clock::now() < deadline) {
        std::ifstream f(port_file);
        unsigned port = 0;
        if (f >> port && port > 0) return "127.0.0.1:" + std::to_string(port);
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            std::erase(m_pids, pid);
            return error(Err::DeviceError, "strongroomd for " + home.string() +
                                               " exited before serving:\n" + tail_of(log));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return error(Err::DeviceError,
                 "strongroomd for " + home.string() + " did not serve within 30 s:\n" +
                     tail_of(log));
}

}  // namespace sr::appliance
