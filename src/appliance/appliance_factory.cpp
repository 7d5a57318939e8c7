#include "appliance/appliance_factory.h"

#include "appliance/appliance_home.h"
#include "appliance/server_identity.h"

namespace sr::appliance {

Result<hsm::NewDeviceReport> make_appliance(Env& env, NewApplianceSpec spec) {
    const auto& home = spec.device.home;
    if (home.empty()) return error(Err::ArgumentsBad, "--home is required");
    const auto devices = devices_dir(home);
    if (env.exists(devices)) {
        SR_ASSIGN_OR_RETURN(auto names, env.list_dir(devices));
        if (!names.empty())
            return error(Err::AlreadyExists,
                         home.string() + " already holds a device: an appliance hosts exactly one");
    }
    if (env.exists(server_cert_path(home)) || env.exists(server_key_path(home)))
        return error(Err::AlreadyExists, home.string() + " already holds a server identity");

    spec.device.form_factor = hsm::FormFactor::Network;
    spec.device.network_appliance = true;
    SR_ASSIGN_OR_RETURN(auto report, hsm::make_device(env, spec.device));
    Status st = write_server_identity(env, home, spec.extra_hostnames);
    if (st) st = env.write_file_atomic(clients_path(home), as_bytes("{\"clients\": []}\n"), 0600);
    if (!st) {
        (void)env.remove_all(report.folder);
        (void)env.remove_all(server_cert_path(home));
        (void)env.remove_all(server_key_path(home));
        (void)env.remove_all(clients_path(home));
        return st;
    }
    return report;
}

}  // namespace sr::appliance
