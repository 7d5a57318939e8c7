// `strongroom factory new-appliance`: a new appliance home holding one `network` device (made
// by hsm::make_device, trusted by every device of the same factory), the NTLS server identity
// and an empty client registry. Plain function; thread-compatible.
#pragma once

#include <string>
#include <vector>

#include "common/env.h"
#include "common/result.h"
#include "hsm/factory.h"

namespace sr::appliance {

struct NewApplianceSpec {
    hsm::NewDeviceSpec device;                 // home, firmware, auth, hand-over options
    std::vector<std::string> extra_hostnames;  // more subjectAltNames for server.pem
};

// AlreadyExists when the home already holds a device or a server identity (an appliance hosts
// exactly one device). On failure nothing new is left behind in the home.
Result<hsm::NewDeviceReport> make_appliance(Env& env, NewApplianceSpec spec);

}  // namespace sr::appliance
