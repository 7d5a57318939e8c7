// The client host folder (BEHAVIOUR.md "Homes, devices, factory"): STRONGROOM_HOME, or
// ~/.local/share/strongroom when unset. Pure functions reading the process environment.
#pragma once

#include <filesystem>

namespace sr::client {

// $STRONGROOM_HOME, else $HOME/.local/share/strongroom (else ./.strongroom when HOME is unset).
std::filesystem::path client_home();
// <home>/devices: one folder per local device plugged into this host.
std::filesystem::path local_devices_dir(const std::filesystem::path& home);

}  // namespace sr::client
