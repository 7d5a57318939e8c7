#include "appliance/appliance_home.h"

namespace sr::appliance {

std::filesystem::path devices_dir(const std::filesystem::path& home) { return home / "devices"; }
std::filesystem::path server_cert_path(const std::filesystem::path& home) {
    return home / "server.pem";
}
std::filesystem::path server_key_path(const std::filesystem::path& home) {
    return home / "server.key";
}
std::filesystem::path clients_path(const std::filesystem::path& home) {
    return home / "clients.json";
}
std::filesystem::path admin_dir(const std::filesystem::path& home) { return home / "admin"; }
std::filesystem::path admin_socket_path(const std::filesystem::path& home) {
    return admin_dir(home) / "admin.sock";
}
std::filesystem::path port_file_path(const std::filesystem::path& home) {
    return home / "strongroomd.port";
}
std::filesystem::path lock_file_path(const std::filesystem::path& home) {
    return home / "strongroomd.lock";
}

}  // namespace sr::appliance
