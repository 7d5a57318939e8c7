// The appliance home (BEHAVIOUR.md "Homes, devices, factory"; docs/design/appliance.md): one
// folder holding the appliance's network device, its TLS identity, its registered clients and
// the admin socket. The paths are the contract between `strongroom factory new-appliance`,
// strongroomd and srsh. Pure functions.
#pragma once

#include <filesystem>

namespace sr::appliance {

// <home>/devices/<serial>/: the one `network` device (the same device folder as a local device).
std::filesystem::path devices_dir(const std::filesystem::path& home);
// <home>/server.pem: the NTLS server certificate clients add with `clientconfig addserver`.
std::filesystem::path server_cert_path(const std::filesystem::path& home);
// <home>/server.key (mode 0600): its private key.
std::filesystem::path server_key_path(const std::filesystem::path& home);
// <home>/clients.json: registered clients (name, hostname, certificate) and their partition
// assignments, replaced atomically on every change.
std::filesystem::path clients_path(const std::filesystem::path& home);
// <home>/admin/ (mode 0700) and the socket in it (mode 0600) that srsh talks to.
std::filesystem::path admin_dir(const std::filesystem::path& home);
std::filesystem::path admin_socket_path(const std::filesystem::path& home);
// <home>/strongroomd.port: the TCP port, written once the daemon accepts connections.
std::filesystem::path port_file_path(const std::filesystem::path& home);
// <home>/strongroomd.lock: held (flock) by the one strongroomd serving the home.
std::filesystem::path lock_file_path(const std::filesystem::path& home);

}  // namespace sr::appliance
