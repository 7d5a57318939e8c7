#include "tools/demo_network.h"

#include <sstream>

#include "appliance/appliance_factory.h"
#include "appliance/appliance_home.h"
#include "appliance/srsh_appliance.h"
#include "appliance/srsh_shell.h"
#include "appliance/srsh_state.h"
#include "cm/console.h"
#include "net/remote_device.h"

namespace sr::tools {

Status make_demo_appliance(Env& env, const DemoAppliance& a) {
    appliance::NewApplianceSpec spec;
    spec.device.home = a.home;
    spec.device.serial = a.serial;
    SR_ASSIGN_OR_RETURN(spec.device.firmware, hsm::FirmwareVersion::parse(a.firmware));
    spec.device.hsm_label = a.hsm_label;
    spec.device.so_password = a.so_password;
    if (!a.partition.empty()) {
        spec.device.partitions = {a.partition};
        spec.device.domain = a.domain;
        spec.device.po_password = a.po_password;
        spec.device.co_password = a.co_password;
    }
    return appliance::make_appliance(env, std::move(spec)).status();
}

Result<std::string> run_srsh(const std::filesystem::path& appliance_home,
                             const std::string& script) {
    const std::filesystem::path socket = appliance::admin_socket_path(appliance_home);
    SR_ASSIGN_OR_RETURN(auto device, net::connect_admin_socket(socket));
    SR_ASSIGN_OR_RETURN(auto admin, appliance::connect_appliance_admin(socket));
    SR_ASSIGN_OR_RETURN(auto state, appliance::srsh::State::open(*device, *admin));
    std::istringstream in(script);
    std::ostringstream out;
    auto console = cm::stream_console(in, out, /*echo=*/true);
    appliance::srsh::ShellOptions options;
    options.stop_on_error = true;
    appliance::srsh::Shell shell(*state, *console, options);
    if (shell.run(false) != 0)
        return error(Err::FunctionFailed, "the appliance administration failed in srsh:\n" +
                                              out.str());
    return out.str();
}

}  // namespace sr::tools
