# Engine sources: Device, LocalDevice, device folder, factory, sessions, roles.
target_sources(sr_hsm PRIVATE
  device_folder.cpp
  sealing.cpp
  local_device.cpp
  local_admin.cpp
  local_auth.cpp
  local_objects.cpp
  local_keys.cpp
  local_crypto.cpp
  local_crypto_extra.cpp
  factory.cpp)
target_link_libraries(sr_hsm PRIVATE PkgConfig::TOMLPP)
