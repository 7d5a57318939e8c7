// strongroomd as a child process, for whoever runs appliances on this host (the demo, the
// end-to-end tests): started on 127.0.0.1 with an ephemeral port for an appliance home, and
// stopped (SIGTERM, then waited for) when the set goes away. Not thread-safe.
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

class Daemons final {
public:
    explicit Daemons(std::filesystem::path binary) : m_binary(std::move(binary)) {}
    ~Daemons() { stop_all(); }
    Daemons(const Daemons&) = delete;
    Daemons& operator=(const Daemons&) = delete;

    // Starts strongroomd --home HOME --listen 127.0.0.1:0 (its log in LOG) and returns
    // "127.0.0.1:<port>" once it serves (it writes strongroomd.port then); DeviceError with the
    // log's tail when it exits or does not serve within 30 s.
    Result<std::string> start(const std::filesystem::path& home, const std::filesystem::path& log);

    // Stops every daemon started here (SIGTERM, then waits for each).
    void stop_all();

private:
    std::filesystem::path m_binary;
    std::vector<pid_t> m_pids;
};

}  // namespace sr::appliance
