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

void Daemons::signal_all(int signal) {
    for (const Child& c : m_children) ::kill(c.pid, signal);
    for (const Child& c : m_children) {
        int status = 0;
        ::waitpid(c.pid, &status, 0);
    }
    m_children.clear();
}

void Daemons::stop_all() { signal_all(SIGTERM); }

void Daemons::kill_all() { signal_all(SIGKILL); }

pid_t Daemons::pid(const fs::path& home) const {
    for (const Child& c : m_children)
        if (c.home == home) return c.pid;
    return 0;
}

int Daemons::stop(const fs::path& home) {
    const pid_t child = pid(home);
    if (child == 0) return -1;
    ::kill(child, SIGTERM);
    int status = 0;
    const pid_t done = ::waitpid(child, &status, 0);
    std::erase_if(m_children, [&](const Child& c) { return c.pid == child; });
    return (done == child && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
}

void Daemons::kill(const fs::path& home) {
    const pid_t child = pid(home);
    if (child == 0) return;
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    std::erase_if(m_children, [&](const Child& c) { return c.pid == child; });
}

Result<pid_t> spawn_logged(const std::vector<std::string>& args, const fs::path& log) {
    if (args.empty()) return error(Err::ArgumentsBad, "no program to start");
    std::vector<std::string> words = args;  // posix_spawn takes non-const strings
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t child = 0;
    const int rc = posix_spawn(&child, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return error(Err::DeviceError,
                     "cannot start " + args.front() + ": " + std::string(std::strerror(rc)));
    return child;
}

int run_logged(const std::vector<std::string>& args, const fs::path& log) {
    Result<pid_t> child = spawn_logged(args, log);
    if (!child) return -1;
    int status = 0;
    if (::waitpid(*child, &status, 0) != *child || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

Result<std::string> Daemons::start(const fs::path& home, const fs::path& log) {
    const fs::path port_file = port_file_path(home);
    std::error_code ec;
    fs::remove(port_file, ec);  // a killed daemon's: the new one writes its own once serving
    SR_ASSIGN_OR_RETURN(pid_t child,
                        spawn_logged({m_binary.string(), "--home", home.string(), "--listen",
                                      "127.0.0.1:0"},
                                     log));
    m_children.push_back({child, home});
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    while (Clock::now() < deadline) {
        std::ifstream f(port_file);
        unsigned port = 0;
        if (f >> port && port > 0) return "127.0.0.1:" + std::to_string(port);
        int status = 0;
        if (::waitpid(child, &status, WNOHANG) == child) {
            std::erase_if(m_children, [&](const Child& c) { return c.pid == child; });
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
