// The factory: makes new devices in a home's devices/ folder, each with an identity certificate
// from the factory's manufacturer root, and optionally hands them over ready to use (HSM
// initialized, partitions created / initialized, Crypto Officer set) as BEHAVIOUR.md "Homes,
// devices, factory" describes. Plain functions; thread-compatible.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/result.h"
#include "crypto/x509.h"
#include "hsm/device.h"
#include "hsm/personality.h"

namespace sr::hsm {

struct NewDeviceSpec {
    std::filesystem::path home;
    FormFactor form_factor = FormFactor::Pcie;
    FirmwareVersion firmware{7, 8, 4};
    AuthType auth = AuthType::Password;
    std::optional<uint64_t> serial;               // default: a fresh random 6-digit serial
    std::optional<std::filesystem::path> factory;  // default: default_factory_dir(home)
    // Token objects one partition may hold (device.toml `max_objects`); default
    // folder::kDefaultMaxObjects. Must be positive.
    std::optional<uint64_t> max_objects;
    // Set only by appliance::make_appliance: the one maker of `network` devices.
    bool network_appliance = false;
    // Optional hand-over state.
    std::string hsm_label;
    std::string so_password;
    std::vector<std::string> partitions;
    std::string domain;
    std::string po_password;
    std::string co_password;
};

struct NewPartitionReport {
    PartitionId id = 0;
    std::string name;
    uint64_t serial = 0;
    bool initialized = false;
    bool crypto_officer = false;
};

struct NewDeviceReport {
    uint64_t serial = 0;
    std::filesystem::path folder;
    std::filesystem::path factory;
    bool root_created = false;   // this run created the manufacturer root
    bool hsm_initialized = false;
    std::vector<NewPartitionReport> partitions;
};

// `<home>/../factory`: beside the home, so every home under one parent shares one root and the
// devices it makes trust each other.
std::filesystem::path default_factory_dir(const std::filesystem::path& home);
std::filesystem::path devices_dir(const std::filesystem::path& home);

// Loads the manufacturer root from `dir`, creating and saving a new one if there is none.
Result<crypto::ManufacturerRoot> load_or_create_root(Env& env, const std::filesystem::path& dir,
                                                     bool* created = nullptr);

// Checks the spec's combination of options (ArgumentsBad naming the missing or extra option).
Status check_new_device_spec(const NewDeviceSpec& spec);

// Makes the device. On failure the half-made device folder is removed.
Result<NewDeviceReport> make_device(Env& env, const NewDeviceSpec& spec);

}  // namespace sr::hsm
