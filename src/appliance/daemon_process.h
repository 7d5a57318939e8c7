// strongroomd as a child process, for whoever runs appliances on this host (the demo, the
// end-to-end and system tests): started on 127.0.0.1 with an ephemeral port for an appliance
// home, stopped (SIGTERM) or killed (SIGKILL, a crash), and stopped when the set goes away.
// Not thread-safe: one thread drives it (a test may kill from another while the first waits).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "common/result.h"

namespace sr::appliance {

// strongroomd for the running program: `explicit_path` when given, else the one beside the
// running executable, else the build tree's src/appliance/strongroomd next to its folder.
// NotFound naming where it looked.
Result<std::filesystem::path> find_strongroomd(const std::filesystem::path& explicit_path);

// Starts `args` (args[0] the program's path) with stdin from /dev/null and stdout and stderr
// into `log` (created 0600, truncated): the child's pid, or DeviceError naming the program.
Result<pid_t> spawn_logged(const std::vector<std::string>& args,
                           const std::filesystem::path& log);
// spawn_logged, then waits: the exit status, or -1 (not started, or ended by a signal).
int run_logged(const std::vector<std::string>& args, const std::filesystem::path& log);

class Daemons final {
public:
    explicit Daemons(std::filesystem::path binary) : m_binary(std::move(binary)) {}
    ~Daemons() { stop_all(); }
    Daemons(const Daemons&) = delete;
    Daemons& operator=(const Daemons&) = delete;

    // Starts strongroomd --home HOME --listen 127.0.0.1:0 (its log in LOG, stdin /dev/null)
    // and returns "127.0.0.1:<port>" once it serves (it writes strongroomd.port then);
    // DeviceError with the log's tail when it exits or does not serve within 30 s. A port file
    // left by a killed daemon is removed first, so the one read is the new daemon's.
    Result<std::string> start(const std::filesystem::path& home, const std::filesystem::path& log);

    // The running daemon started here for `home`, or 0.
    pid_t pid(const std::filesystem::path& home) const;
    // SIGTERM and wait: its exit status, or -1 (none running for `home`, or ended by a signal).
    int stop(const std::filesystem::path& home);
    // SIGKILL and wait, as a crash: the port file, admin socket and lock file stay behind.
    void kill(const std::filesystem::path& home);

    // Stops every daemon started here (SIGTERM, then waits for each).
    void stop_all();
    // Kills every daemon started here (SIGKILL, then waits for each).
    void kill_all();

private:
    struct Child {
        pid_t pid = 0;
        std::filesystem::path home;
    };
    void signal_all(int signal);

    std::filesystem::path m_binary;
    std::vector<Child> m_children;
};

}  // namespace sr::appliance
