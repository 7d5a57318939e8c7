// strongroomd's TLS policy: TLS 1.3 only. gRPC 1.51's C++ API has no minimum-version option and
// sets TLS 1.2 as its context minimum itself, so the policy reaches OpenSSL as a configuration
// whose system_default disables every protocol but TLS 1.3 in each new SSL_CTX. Process-wide;
// call once, before anything in the process initializes OpenSSL.
#pragma once

#include <filesystem>
#include <string>

#include "common/result.h"

namespace sr::appliance {

// The OpenSSL configuration text the policy loads.
std::string tls13_only_openssl_config();

// Writes the configuration to `config_path` (mode 0600), loads it as the process's OpenSSL
// configuration, and checks that a new TLS context allows TLS 1.3 only. DeviceError when
// OpenSSL was already initialized with another configuration (the policy would silently not
// apply) or the file cannot be loaded.
Status enforce_tls13_only(const std::filesystem::path& config_path);

}  // namespace sr::appliance
