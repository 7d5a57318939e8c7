#include "hsm/factory.h"

#include "crypto/primitives.h"
#include "hsm/device_folder.h"
#include "hsm/local_device.h"

namespace sr::hsm {
namespace fs = std::filesystem;
namespace {

constexpr uint64_t kMinSerial = 100000;
constexpr uint64_t kSerialRange = 900000;

Result<uint64_t> fresh_serial(Env& env, const fs::path& devices) {
    for (int attempt = 0; attempt < 100; ++attempt) {
        uint8_t b[8];
        SR_TRY(crypto::random_bytes(b));
        uint64_t v = 0;
        for (uint8_t x : b) v = (v << 8) | x;
        uint64_t serial = kMinSerial + v % kSerialRange;
        if (!env.exists(devices / std::to_string(serial))) return serial;
    }
    return error(Err::GeneralError, "could not find a free serial number");
}

// Sets up the device's HSM and partitions through its own Device interface, as an operator
// would after unpacking it.
Status hand_over(LocalDevice& dev, const NewDeviceSpec& spec, NewDeviceReport& report) {
    SR_ASSIGN_OR_RETURN(AppId app, dev.attach());
    SR_TRY(dev.init_hsm(app, {spec.hsm_label, spec.so_password, spec.domain}));
    report.hsm_initialized = true;
    SR_ASSIGN_OR_RETURN(SessionId admin, dev.open_session(app, kAdminPartition, true));
    SR_TRY(dev.login(admin, Role::HsmSo, spec.so_password));
    const bool legacy = generation(spec.firmware) == Generation::PrePpso;
    for (const auto& name : spec.partitions) {
        PartitionCreateParams create{name, {}, {}};
        if (legacy) create = {name, spec.co_password, spec.domain};
        SR_ASSIGN_OR_RETURN(PartitionId id, dev.create_partition(app, create));
        NewPartitionReport pr{id, name, 0, legacy, legacy};
        if (!legacy && !spec.domain.empty()) {
            SR_TRY(dev.init_partition(app, id, {name, spec.po_password, spec.domain}));
            pr.initialized = true;
            if (!spec.co_password.empty()) {
                SR_ASSIGN_OR_RETURN(SessionId s, dev.open_session(app, id, true));
                SR_TRY(dev.login(s, Role::PartitionSo, spec.po_password));
                SR_TRY(dev.init_role(s, Role::CryptoOfficer, spec.co_password));
                SR_TRY(dev.close_session(s));
                pr.crypto_officer = true;
            }
        }
        SR_ASSIGN_OR_RETURN(PartitionInfo info, dev.partition_info(id));
        pr.serial = info.serial;
        report.partitions.push_back(std::move(pr));
    }
    return dev.detach(app);
}

}  // namespace

fs::path default_factory_dir(const fs::path& home) {
    fs::path h = home.lexically_normal();
    if (!h.has_filename()) h = h.parent_path();
    return h.parent_path() / "factory";
}

fs::path devices_dir(const fs::path& home) { return home / "devices"; }

Result<crypto::ManufacturerRoot> load_or_create_root(Env& env, const fs::path& dir,
                                                     bool* created) {
    if (created) *created = false;
    auto loaded = crypto::ManufacturerRoot::load(env, dir);
    if (loaded || loaded.code() != Err::NotFound) return loaded;
    SR_ASSIGN_OR_RETURN(auto root, crypto::ManufacturerRoot::create(env, dir.filename().string()));
    SR_TRY(root.save(env, dir));
    if (created) *created = true;
    return root;
}

Status check_new_device_spec(const NewDeviceSpec& spec) {
    const bool legacy = generation(spec.firmware) == Generation::PrePpso;
    if (spec.home.empty()) return error(Err::ArgumentsBad, "--home is required");
    if (spec.form_factor == FormFactor::Network && !spec.network_appliance)
        return error(Err::ArgumentsBad,
                     "network devices are made with 'factory new-appliance', not new-device");
    if (spec.max_objects && *spec.max_objects == 0)
        return error(Err::ArgumentsBad, "--max-objects must be at least 1");
    if (spec.hsm_label.empty() != spec.so_password.empty())
        return error(Err::ArgumentsBad, "--hsm-label and --so-password go together");
    if (!spec.partitions.empty() && spec.hsm_label.empty())
        return error(Err::ArgumentsBad, "--partition needs --hsm-label and --so-password");
    if ((!spec.domain.empty() || !spec.po_password.empty() || !spec.co_password.empty()) &&
        spec.partitions.empty())
        return error(Err::ArgumentsBad,
                     "--domain, --po-password and --co-password need at least one --partition");
    if (legacy) {
        if (!spec.po_password.empty())
            return error(Err::ArgumentsBad, "pre-PPSO firmware " + spec.firmware.to_string() +
                                                " has no Partition SO: use --domain and "
                                                "--co-password to set the partition owner");
        if (!spec.partitions.empty() && (spec.domain.empty() || spec.co_password.empty()))
            return error(Err::ArgumentsBad,
                         "pre-PPSO firmware: partitions need --domain and --co-password (the "
                         "owner) at creation");
    } else {
        if (spec.domain.empty() != spec.po_password.empty())
            return error(Err::ArgumentsBad, "--domain and --po-password go together");
        if (!spec.co_password.empty() && spec.po_password.empty())
            return error(Err::ArgumentsBad, "--co-password needs --domain and --po-password");
    }
    for (const auto* pw : {&spec.so_password, &spec.po_password, &spec.co_password})
        if (!pw->empty()) SR_TRY(check_password_length(pw->size()));
    return {};
}

Result<NewDeviceReport> make_device(Env& env, const NewDeviceSpec& spec) {
    SR_TRY(check_new_device_spec(spec));
    NewDeviceReport report;
    report.factory = spec.factory.value_or(default_factory_dir(spec.home));
    SR_ASSIGN_OR_RETURN(auto root, load_or_create_root(env, report.factory, &report.root_created));
    const fs::path devices = devices_dir(spec.home);
    SR_TRY(env.create_dirs(devices));
    if (spec.serial) {
        if (*spec.serial == 0) return error(Err::ArgumentsBad, "the serial must be positive");
        report.serial = *spec.serial;
    } else {
        SR_ASSIGN_OR_RETURN(report.serial, fresh_serial(env, devices));
    }
    report.folder = devices / std::to_string(report.serial);
    if (env.exists(report.folder))
        return error(Err::AlreadyExists,
                     "a device with serial " + std::to_string(report.serial) + " exists in " +
                         devices.string());

    DeviceConfig config;
    config.serial = report.serial;
    config.form_factor = spec.form_factor;
    config.firmware = spec.firmware;
    config.auth = spec.auth;
    config.model = default_model(spec.form_factor, spec.firmware);
    config.max_objects = spec.max_objects.value_or(folder::kDefaultMaxObjects);
    Status made = create_device_folder(env, report.folder, config, root);
    if (made && !spec.hsm_label.empty()) {
        auto dev = LocalDevice::open(env, report.folder);
        made = dev ? hand_over(**dev, spec, report) : dev.status();
    }
    if (!made) {
        if (made.code() != Err::AlreadyExists) (void)env.remove_all(report.folder);
        return made;
    }
    return report;
}

}  // namespace sr::hsm
