// The on-disk folder of one device (docs/design/device-folder.md): device.toml, store.db,
// master.key, identity-key.pem and identity.pem. Creating writes device.toml last, so a folder
// without it is an unfinished device; opening checks every piece and changes nothing on error.
// Plain functions and value types; thread-compatible.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "common/env.h"
#include "common/result.h"
#include "common/secret.h"
#include "crypto/x509.h"
#include "hsm/personality.h"
#include "store/store.h"

namespace sr::hsm {

namespace folder {
// Partition capacity when device.toml has no `max_objects`: above every test and benchmark.
inline constexpr uint64_t kDefaultMaxObjects = 1'000'000;
}  // namespace folder

// What device.toml says about the device. Fixed at manufacture.
struct DeviceConfig {
    uint64_t serial = 0;
    FormFactor form_factor = FormFactor::Pcie;
    FirmwareVersion firmware;
    AuthType auth = AuthType::Password;
    std::string model;     // "Strongroom PCIe HSM 7"
    // The most token objects one partition may hold (device.toml `max_objects`, optional:
    // folders without it get kDefaultMaxObjects). Beyond it, storing a token object fails with
    // MaxObjectCountExceeded. Session objects do not count (docs/design/device-folder.md).
    uint64_t max_objects = folder::kDefaultMaxObjects;
};

// The model name a form factor and firmware line are sold as.
std::string default_model(FormFactor f, const FirmwareVersion& firmware);

namespace folder {
inline constexpr std::string_view kConfigFile = "device.toml";
inline constexpr std::string_view kStoreFile = "store.db";
inline constexpr std::string_view kMasterKeyFile = "master.key";
inline constexpr std::string_view kIdentityKeyFile = "identity-key.pem";
inline constexpr std::string_view kIdentityCertFile = "identity.pem";
// The certificate of the manufacturer root that issued identity.pem: the device's trust anchor
// for peers (cloning trusts exactly the devices of the same factory).
inline constexpr std::string_view kManufacturerRootFile = "manufacturer-root.pem";
inline constexpr int kFolderFormat = 1;  // device.toml `format`
inline constexpr size_t kMasterKeyBytes = 32;
// Store meta key holding the master-key check value.
inline constexpr std::string_view kMasterCheckMeta = "master_key_check";
}  // namespace folder

Result<DeviceConfig> parse_device_config(std::string_view toml_text);
std::string render_device_config(const DeviceConfig& config);

// The check value stored in the store meta: HMAC-SHA256(master, fixed label), hex. Reveals
// nothing about the key; a mismatch means the master key does not belong to this store.
Result<std::string> master_key_check(const SecretBytes& master);

// Everything an opened device folder yields. Move-only.
struct OpenedFolder {
    std::filesystem::path path;
    DeviceConfig config;
    SecretBytes master_key;
    std::unique_ptr<store::Store> store;
};

// Makes a new device folder at `path` (which must not exist): master key, store with its check
// value, identity key and certificate issued by `root`, and finally device.toml.
Status create_device_folder(Env& env, const std::filesystem::path& path,
                            const DeviceConfig& config, const crypto::ManufacturerRoot& root);

// Opens an existing folder. Errors: NotFound (no folder), StoreCorrupt (device.toml missing or
// malformed, master.key malformed, store.db garbage), StoreSchemaUnknown, MasterKeyWrong.
// On any error nothing in the folder has changed.
Result<OpenedFolder> open_device_folder(Env& env, const std::filesystem::path& path);

// The device certificate (identity.pem) and identity private key (identity-key.pem).
Result<crypto::Certificate> load_identity_certificate(Env& env, const std::filesystem::path& path);
Result<crypto::PkeyPtr> load_identity_key(Env& env, const std::filesystem::path& path);
// The manufacturer root certificate (manufacturer-root.pem). NotFound for folders made before
// the file existed.
Result<crypto::Certificate> load_manufacturer_root(Env& env, const std::filesystem::path& path);

}  // namespace sr::hsm
