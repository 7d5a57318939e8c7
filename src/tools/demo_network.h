// The demo's network part (the guide's chapter 2): the two appliances it makes beside the client
// home, and srsh run in-process on an appliance's admin socket, as the appliance administrator
// types it. Plain functions.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "common/env.h"
#include "common/result.h"

namespace sr::tools {

struct DemoAppliance {
    std::filesystem::path home;
    uint64_t serial = 0;
    std::string firmware;        // "6.22.0"
    std::string hsm_label;
    std::string so_password;
    std::string partition;       // made initialized with its officers when non-empty
    std::string domain;
    std::string po_password;
    std::string co_password;
};

// `strongroom factory new-appliance` for one of them (same factory as the client home's devices
// when the homes share a parent folder).
Status make_demo_appliance(Env& env, const DemoAppliance& a);

// Runs `script` in srsh against the strongroomd serving `appliance_home` (stop at the first
// failing command); returns what srsh printed, or FunctionFailed with it.
Result<std::string> run_srsh(const std::filesystem::path& appliance_home,
                             const std::string& script);

}  // namespace sr::tools
