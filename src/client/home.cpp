#include "client/home.h"

#include <cstdlib>

namespace sr::client {

std::filesystem::path client_home() {
    if (const char* h = std::getenv("STRONGROOM_HOME"); h != nullptr && *h != '\0') return h;
    if (const char* u = std::getenv("HOME"); u != nullptr && *u != '\0')
        return std::filesystem::path(u) / ".local" / "share" / "strongroom";
    return std::filesystem::path(".strongroom");
}

std::filesystem::path local_devices_dir(const std::filesystem::path& home) {
    return home / "devices";
}

}  // namespace sr::client
