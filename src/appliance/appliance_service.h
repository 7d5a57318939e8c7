// Service strongroom.v1.Appliance, served on the admin socket only: srsh's `client ...`,
// `ntls show` and `sysconf regencert` (luna-reference.md §2.5). Thread-safe (the registry is;
// the rest is read-only). Registry and env must outlive the service.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "appliance/client_registry.h"
#include "common/env.h"
#include "strongroom/v1/device.grpc.pb.h"

namespace sr::appliance {

// `listen` is the TCP address actually bound ("127.0.0.1:40123"), shown by NtlsShow.
std::unique_ptr<::strongroom::v1::Appliance::Service> make_appliance_service(
    ClientRegistry& registry, Env& env, std::filesystem::path home, std::string listen);

}  // namespace sr::appliance
