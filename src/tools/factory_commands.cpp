// `strongroom factory new-device` and `new-appliance` (BEHAVIOUR.md "Homes, devices, factory").
#include <algorithm>
#include <ostream>

#include "appliance/appliance_factory.h"
#include "appliance/appliance_home.h"
#include "appliance/server_identity.h"
#include "client/client.h"
#include "client/slot_table.h"
#include "common/env.h"
#include "hsm/device_folder.h"
#include "hsm/factory.h"
#include "hsm/local_device.h"
#include "tools/command.h"

namespace sr::tools {
namespace {

namespace fs = std::filesystem;

// Slot numbers as a client of this home sees them (the client core numbers them, so the factory
// and libstrongroom.so always agree). Network partitions from client.toml would come first.
// The slot each local partition has on this client host — after the network partitions of the
// servers in its client.toml that answer, as srcm and the module number them.
std::map<std::pair<uint64_t, hsm::PartitionId>, uint64_t> local_slots(const fs::path& home) {
    std::map<std::pair<uint64_t, hsm::PartitionId>, uint64_t> slots;
    auto c = client::Client::open(home);
    if (!c) return slots;
    for (const auto& slot : (*c)->slots())
        if (slot->kind != client::SlotKind::NetworkPartition)
            slots[{slot->device->info.serial, slot->partition}] = slot->id;
    return slots;
}

class NewDevice final : public Command {
public:
    void declare(CLI::App& parent) override {
        m_cmd = parent.add_subcommand("new-device", "Make a new local HSM (PCIe, USB or Backup)");
        m_cmd->add_option("--home", m_home, "Client home whose devices/ receives the device")
            ->required();
        m_cmd->add_option("--form-factor", m_form_factor, "pcie, usb or backup")
            ->required()
            ->check(CLI::IsMember({"pcie", "usb", "backup"}));
        m_cmd->add_option("--firmware", m_firmware, "Firmware version X.Y.Z")->required();
        m_cmd->add_option("--auth", m_auth, "password or ped")
            ->required()
            ->check(CLI::IsMember({"password", "ped"}));
        m_cmd->add_option("--serial", m_serial, "Serial number (default: a fresh random one)");
        m_cmd->add_option("--factory", m_factory,
                          "Manufacturer folder (default: 'factory' beside the home)");
        m_cmd->add_option("--max-objects", m_max_objects,
                          "Token objects one partition may hold (default " +
                              std::to_string(hsm::folder::kDefaultMaxObjects) + ")");
        m_cmd->add_option("--hsm-label", m_spec.hsm_label, "Initialize the HSM with this label");
        m_cmd->add_option("--so-password", m_spec.so_password, "HSM SO password");
        m_cmd->add_option("--partition", m_spec.partitions, "Create a partition (repeatable)");
        m_cmd->add_option("--domain", m_spec.domain, "Cloning domain of the partitions");
        m_cmd->add_option("--po-password", m_spec.po_password, "Partition SO password");
        m_cmd->add_option("--co-password", m_spec.co_password,
                          "Crypto Officer password (pre-PPSO: the partition owner)");
    }
    bool chosen() const override { return m_cmd && m_cmd->parsed(); }

    int run(std::ostream& out, std::ostream& err) override {
        auto fw = hsm::FirmwareVersion::parse(m_firmware);
        if (!fw) return fail(err, "--firmware: " + fw.status().message());
        m_spec.home = m_home;
        m_spec.firmware = *fw;
        m_spec.form_factor = *hsm::parse_form_factor(m_form_factor);
        m_spec.auth = *hsm::parse_auth_type(m_auth);
        if (m_serial) m_spec.serial = *m_serial;
        if (m_max_objects) m_spec.max_objects = *m_max_objects;
        if (!m_factory.empty()) m_spec.factory = m_factory;
        PosixEnv env;
        auto report = hsm::make_device(env, m_spec);
        if (!report) return fail(err, report.status().message());
        print(out, *report);
        return 0;
    }

private:
    static int fail(std::ostream& err, const std::string& message) {
        err << "strongroom factory new-device: " << message << "\n";
        return 1;
    }

    void print(std::ostream& out, const hsm::NewDeviceReport& r) const {
        out << "Made " << m_form_factor << " device " << r.serial << " ("
            << hsm::default_model(m_spec.form_factor, m_spec.firmware) << ", firmware "
            << m_spec.firmware.to_string() << ", " << m_auth << " authentication)\n";
        if (m_spec.max_objects)
            out << "  Capacity:      " << *m_spec.max_objects << " objects per partition\n";
        out << "  Device folder: " << r.folder.string() << "\n";
        out << "  Factory:       " << r.factory.string()
            << (r.root_created ? " (new manufacturer root)" : "") << "\n";
        if (r.hsm_initialized) out << "  HSM label:     " << m_spec.hsm_label << "\n";
        if (r.partitions.empty()) return;
        auto slots = local_slots(m_spec.home);
        for (const auto& p : r.partitions) {
            out << "  Partition " << p.name << ": serial " << p.serial;
            auto slot = slots.find({r.serial, p.id});
            if (slot != slots.end()) out << ", slot " << slot->second;
            out << (p.initialized ? ", initialized" : ", not initialized")
                << (p.crypto_officer ? ", Crypto Officer set" : "") << "\n";
        }
    }

    CLI::App* m_cmd = nullptr;
    std::string m_home, m_form_factor, m_firmware, m_auth, m_factory;
    std::optional<uint64_t> m_serial;
    std::optional<uint64_t> m_max_objects;
    hsm::NewDeviceSpec m_spec;
};

class NewAppliance final : public Command {
public:
    void declare(CLI::App& parent) override {
        m_cmd = parent.add_subcommand("new-appliance", "Make a network HSM appliance");
        m_cmd->add_option("--home", m_home, "Appliance home (receives devices/, server.pem, ...)")
            ->required();
        m_cmd->add_option("--firmware", m_firmware, "Firmware version X.Y.Z")->required();
        m_cmd->add_option("--auth", m_auth, "password or ped")
            ->required()
            ->check(CLI::IsMember({"password", "ped"}));
        m_cmd->add_option("--serial", m_serial, "Serial number (default: a fresh random one)");
        m_cmd->add_option("--hostname", m_spec.extra_hostnames,
                          "Another name or address for server.pem (repeatable)");
        m_cmd->add_option("--factory", m_factory,
                          "Manufacturer folder (default: 'factory' beside the home)");
        m_cmd->add_option("--max-objects", m_max_objects, "Token objects one partition may hold");
        auto& d = m_spec.device;
        m_cmd->add_option("--hsm-label", d.hsm_label, "Initialize the HSM with this label");
        m_cmd->add_option("--so-password", d.so_password, "HSM SO password");
        m_cmd->add_option("--partition", d.partitions, "Create a partition (repeatable)");
        m_cmd->add_option("--domain", d.domain, "Cloning domain of the partitions");
        m_cmd->add_option("--po-password", d.po_password, "Partition SO password");
        m_cmd->add_option("--co-password", d.co_password,
                          "Crypto Officer password (pre-PPSO: the partition owner)");
    }
    bool chosen() const override { return m_cmd && m_cmd->parsed(); }

    int run(std::ostream& out, std::ostream& err) override {
        auto fw = hsm::FirmwareVersion::parse(m_firmware);
        if (!fw) return fail(err, "--firmware: " + fw.status().message());
        auto& d = m_spec.device;
        d.home = m_home;
        d.firmware = *fw;
        d.auth = *hsm::parse_auth_type(m_auth);
        if (m_serial) d.serial = *m_serial;
        if (m_max_objects) d.max_objects = *m_max_objects;
        if (!m_factory.empty()) d.factory = m_factory;
        PosixEnv env;
        auto report = appliance::make_appliance(env, m_spec);
        if (!report) return fail(err, report.status().message());
        print(out, env, *report);
        return 0;
    }

private:
    static int fail(std::ostream& err, const std::string& message) {
        err << "strongroom factory new-appliance: " << message << "\n";
        return 1;
    }

    void print(std::ostream& out, Env& env, const hsm::NewDeviceReport& r) const {
        const auto& d = m_spec.device;
        out << "Made network appliance " << r.serial << " ("
            << hsm::default_model(hsm::FormFactor::Network, d.firmware) << ", firmware "
            << d.firmware.to_string() << ", " << m_auth << " authentication)\n";
        out << "  Device folder: " << r.folder.string() << "\n";
        out << "  Factory:       " << r.factory.string()
            << (r.root_created ? " (new manufacturer root)" : "") << "\n";
        out << "  Server cert:   " << appliance::server_cert_path(m_home).string();
        if (auto id = appliance::read_server_identity(env, m_home))
            out << " (SHA-256 " << id->fingerprint << ")";
        out << "\n";
        if (r.hsm_initialized) out << "  HSM label:     " << d.hsm_label << "\n";
        // Clients see a partition as a slot once it is assigned to them (srsh client
        // assignpartition); the appliance itself has no slot numbers.
        for (const auto& p : r.partitions) {
            out << "  Partition " << p.name << ": serial " << p.serial
                << (p.initialized ? ", initialized" : ", not initialized")
                << (p.crypto_officer ? ", Crypto Officer set" : "") << "\n";
        }
    }

    CLI::App* m_cmd = nullptr;
    std::string m_home, m_firmware, m_auth, m_factory;
    std::optional<uint64_t> m_serial;
    std::optional<uint64_t> m_max_objects;
    appliance::NewApplianceSpec m_spec;
};

}  // namespace

std::vector<std::unique_ptr<Command>> factory_commands() {
    std::vector<std::unique_ptr<Command>> out;
    out.push_back(std::make_unique<NewDevice>());
    out.push_back(std::make_unique<NewAppliance>());
    return out;
}

}  // namespace sr::tools
