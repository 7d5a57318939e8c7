#include "hsm/device_folder.h"

#include <toml++/toml.h>

#include <sstream>

#include "crypto/primitives.h"

namespace sr::hsm {
namespace fs = std::filesystem;

namespace {

struct ModelName {
    FormFactor form_factor;
    std::string_view prefix;
};
constexpr ModelName kModelNames[] = {
    {FormFactor::Pcie, "Strongroom PCIe HSM"},
    {FormFactor::Usb, "Strongroom USB HSM"},
    {FormFactor::Backup, "Strongroom Backup HSM"},
    {FormFactor::Network, "Strongroom Network HSM"},
};

constexpr std::string_view kMasterCheckLabel = "strongroom master key check v1";

Status corrupt(const fs::path& path, std::string_view what) {
    return error(Err::StoreCorrupt, "device folder " + path.string() + ": " + std::string(what));
}

}  // namespace

std::string default_model(FormFactor f, const FirmwareVersion& firmware) {
    std::string prefix = "Strongroom HSM";
    for (const auto& e : kModelNames)
        if (e.form_factor == f) prefix = std::string(e.prefix);
    return prefix + " " + std::to_string(firmware.major);
}

Result<DeviceConfig> parse_device_config(std::string_view toml_text) {
    toml::table tbl;
    try {
        tbl = toml::parse(toml_text);
    } catch (const toml::parse_error& e) {
        return error(Err::StoreCorrupt, std::string("device.toml: ") + std::string(e.description()));
    }
    auto format = tbl["format"].value<int64_t>();
    if (!format) return error(Err::StoreCorrupt, "device.toml: missing 'format'");
    if (*format != folder::kFolderFormat)
        return error(Err::StoreSchemaUnknown,
                     "device.toml: folder format " + std::to_string(*format) +
                         " is not supported by this version");
    auto serial = tbl["serial"].value<int64_t>();
    auto form = tbl["form_factor"].value<std::string>();
    auto firmware = tbl["firmware"].value<std::string>();
    auto auth = tbl["auth"].value<std::string>();
    auto model = tbl["model"].value<std::string>();
    if (!serial || *serial <= 0 || !form || !firmware || !auth || !model)
        return error(Err::StoreCorrupt,
                     "device.toml: needs serial, form_factor, firmware, auth and model");
    DeviceConfig c;
    c.serial = static_cast<uint64_t>(*serial);
    auto ff = parse_form_factor(*form);
    if (!ff) return error(Err::StoreCorrupt, "device.toml: " + ff.status().message());
    c.form_factor = *ff;
    auto ak = parse_auth_type(*auth);
    if (!ak) return error(Err::StoreCorrupt, "device.toml: " + ak.status().message());
    c.auth = *ak;
    auto fw = FirmwareVersion::parse(*firmware);
    if (!fw) return error(Err::StoreCorrupt, "device.toml: " + fw.status().message());
    c.firmware = *fw;
    c.model = *model;
    c.max_objects = folder::kDefaultMaxObjects;
    if (auto node = tbl["max_objects"]; node) {
        auto max = node.value<int64_t>();
        if (!max || *max <= 0 || !node.is_integer())
            return error(Err::StoreCorrupt,
                         "device.toml: 'max_objects' must be a positive integer");
        c.max_objects = static_cast<uint64_t>(*max);
    }
    return c;
}

std::string render_device_config(const DeviceConfig& c) {
    toml::table tbl{
        {"format", folder::kFolderFormat},
        {"serial", static_cast<int64_t>(c.serial)},
        {"form_factor", std::string(form_factor_name(c.form_factor))},
        {"firmware", c.firmware.to_string()},
        {"auth", std::string(auth_type_name(c.auth))},
        {"model", c.model},
        {"max_objects", static_cast<int64_t>(c.max_objects)},
    };
    std::ostringstream out;
    out << "# Strongroom device description (docs/design/device-folder.md). Fixed at manufacture.\n"
        << toml::toml_formatter(tbl) << "\n";
    return out.str();
}

Result<std::string> master_key_check(const SecretBytes& master) {
    SR_ASSIGN_OR_RETURN(Bytes mac, crypto::hmac(crypto::Hash::Sha256, master.span(),
                                                as_bytes(kMasterCheckLabel)));
    return to_hex(mac);
}

Status create_device_folder(Env& env, const fs::path& path, const DeviceConfig& config,
                            const crypto::ManufacturerRoot& root) {
    if (env.exists(path))
        return error(Err::AlreadyExists, "device folder " + path.string() + " already exists");
    SR_TRY(env.create_dirs(path));

    SR_ASSIGN_OR_RETURN(SecretBytes master, crypto::random_secret(folder::kMasterKeyBytes));
    SR_TRY(env.write_file_atomic(path / folder::kMasterKeyFile, master.span(), 0600));

    {
        store::StoreOptions opts;
        opts.create_if_missing = true;
        SR_ASSIGN_OR_RETURN(auto st, store::Store::open(path / folder::kStoreFile, env, opts));
        SR_ASSIGN_OR_RETURN(std::string check, master_key_check(master));
        if (Status st_ = st->write([&](store::Txn& txn) -> Status {
            return txn.put_meta(folder::kMasterCheckMeta, check);
        }); !st_) return st_;
    }
    // Sealed material only, but still nobody else's business; SQLite gives -wal/-shm the same.
    std::error_code ec;
    fs::permissions(path / folder::kStoreFile, fs::perms::owner_read | fs::perms::owner_write, ec);

    SR_ASSIGN_OR_RETURN(auto identity, crypto::generate_ec_key(crypto::EcCurve::P256));
    SR_ASSIGN_OR_RETURN(SecretBytes key_pem, crypto::private_key_to_pem(identity.get()));
    SR_TRY(env.write_file_atomic(path / folder::kIdentityKeyFile, key_pem.span(), 0600));
    crypto::DeviceProfile profile{config.model, std::to_string(config.serial),
                                  std::string(form_factor_name(config.form_factor)),
                                  config.firmware.to_string()};
    SR_ASSIGN_OR_RETURN(auto cert, root.issue_device(env, identity.get(), profile));
    std::string cert_pem = cert.pem();
    SR_TRY(env.write_file_atomic(path / folder::kIdentityCertFile, as_bytes(cert_pem), 0644));
    std::string root_pem = root.certificate().pem();
    SR_TRY(env.write_file_atomic(path / folder::kManufacturerRootFile, as_bytes(root_pem), 0644));

    std::string toml_text = render_device_config(config);
    return env.write_file_atomic(path / folder::kConfigFile, as_bytes(toml_text), 0644);
}

Result<OpenedFolder> open_device_folder(Env& env, const fs::path& path) {
    if (!env.exists(path))
        return error(Err::NotFound, "no device folder at " + path.string());
    auto toml_bytes = env.read_file(path / folder::kConfigFile);
    if (!toml_bytes)
        return corrupt(path, "device.toml is missing or unreadable (unfinished or damaged device)");
    auto config = parse_device_config(to_string(*toml_bytes));
    if (!config) return config.status().with_context("device folder " + path.string());

    auto master_bytes = env.read_file(path / folder::kMasterKeyFile);
    if (!master_bytes) return corrupt(path, "master.key is missing or unreadable");
    if (master_bytes->size() != folder::kMasterKeyBytes)
        return corrupt(path, "master.key has the wrong size");
    SecretBytes master(*master_bytes);
    std::fill(master_bytes->begin(), master_bytes->end(), uint8_t{0});

    if (!env.exists(path / folder::kStoreFile)) return corrupt(path, "store.db is missing");
    store::StoreOptions opts;
    opts.create_if_missing = false;
    auto st = store::Store::open(path / folder::kStoreFile, env, opts);
    if (!st) return st.status().with_context("device folder " + path.string());

    SR_ASSIGN_OR_RETURN(std::string expected, master_key_check(master));
    std::optional<std::string> stored;
    if (Status st_ = (*st)->read([&](store::Txn& txn) -> Status {
        SR_ASSIGN_OR_RETURN(stored, txn.get_meta(folder::kMasterCheckMeta));
        return {};
    }); !st_) return st_;
    if (!stored) return corrupt(path, "store.db has no master key check value");
    if (!equal_ct(as_bytes(*stored), as_bytes(expected)))
        return error(Err::MasterKeyWrong, "device folder " + path.string() +
                                              ": master.key does not open this store");

    OpenedFolder out;
    out.path = path;
    out.config = std::move(*config);
    out.master_key = std::move(master);
    out.store = std::move(*st);
    return out;
}

Result<crypto::Certificate> load_identity_certificate(Env& env, const fs::path& path) {
    SR_ASSIGN_OR_RETURN(Bytes pem, env.read_file(path / folder::kIdentityCertFile));
    return crypto::Certificate::from_pem(ByteView(pem));
}

Result<crypto::PkeyPtr> load_identity_key(Env& env, const fs::path& path) {
    SR_ASSIGN_OR_RETURN(Bytes pem, env.read_file(path / folder::kIdentityKeyFile));
    SecretBytes secret(pem);
    std::fill(pem.begin(), pem.end(), uint8_t{0});
    return crypto::private_key_from_pem(secret.span());
}

Result<crypto::Certificate> load_manufacturer_root(Env& env, const fs::path& path) {
    SR_ASSIGN_OR_RETURN(Bytes pem, env.read_file(path / folder::kManufacturerRootFile));
    return crypto::Certificate::from_pem(ByteView(pem));
}

}  // namespace sr::hsm
