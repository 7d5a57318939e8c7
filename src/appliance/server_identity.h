// The appliance's NTLS server identity: server.key (EC P-256, mode 0600) and the self-signed
// server.pem clients pin (`clientconfig addserver`). Made by the factory and by `sysconf
// regencert`; read by strongroomd. Plain functions; thread-compatible.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/result.h"

namespace sr::appliance {

// Subject alternative names of a new server certificate: localhost, 127.0.0.1, ::1, this
// machine's host name, then `extra_hostnames` (IP literals become iPAddress entries).
std::vector<std::string> server_names(const std::vector<std::string>& extra_hostnames);

// Replaces server.key and server.pem with a fresh pair. A crash leaves either the old pair or
// (after recover_server_identity) the new one, never a key with another key's certificate.
Status write_server_identity(Env& env, const std::filesystem::path& home,
                             const std::vector<std::string>& extra_hostnames);
// Finishes or discards a switch to a new pair that a crash interrupted (strongroomd calls it at
// start). Nothing to do is Ok.
Status recover_server_identity(Env& env, const std::filesystem::path& home);

struct ServerIdentityInfo {
    std::string fingerprint;  // SHA-256 of the DER, uppercase hex with colons
    std::string subject;      // "CN=<name>, O=Strongroom"
};
// Reads server.pem; NotFound when absent, CertificateInvalid when malformed.
Result<ServerIdentityInfo> read_server_identity(Env& env, const std::filesystem::path& home);

}  // namespace sr::appliance
