// The demo's steps: make the hardware, fill the legacy partitions, type the guide's procedure
// into srcm, prove the result with fingerprints, summarise.
#include "tools/demo.h"

#include <fmt/format.h>
#include <stdlib.h>

#include <chrono>
#include <map>
#include <ostream>
#include <sstream>

#include "appliance/appliance_home.h"
#include "appliance/daemon_process.h"
#include "client/clone.h"
#include "client/fill.h"
#include "cm/shell.h"
#include "hsm/factory.h"
#include "tools/demo_network.h"

namespace sr::tools {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSoPassword = "demo-so-password";
constexpr const char* kPoPassword = "demo-po-password";
constexpr const char* kCoPassword = "demo-co-password";
constexpr const char* kDomain = "demo-cloning-domain";

// One legacy partition and the new partition it moves to.
struct Route {
    std::string source_name;        // "legacy PCIe HSM, firmware 6.22.0 (PPSO)"
    uint64_t source_serial = 0;
    std::string source_partition;
    hsm::Generation source_generation = hsm::Generation::Ppso;
    uint64_t target_serial = 0;
    std::string target_name;        // "new PCIe HSM 7.8.4"
    std::string target_partition;   // created uninitialized, as the guide's preconditions say
    std::string target_label;
    std::string chapter;            // "chapter 5"
};

constexpr uint64_t kLegacyNetworkSerial = 450001;
constexpr uint64_t kNewNetworkSerial = 550001;
constexpr const char* kClientName = "demo-client";

Result<fs::path> make_folder(const DemoOptions& o) {
    if (o.keep) {
        std::error_code ec;
        fs::create_directories(*o.keep, ec);
        if (ec) return error(Err::DeviceError, "cannot create " + o.keep->string() + ": " +
                                                   ec.message());
        if (!fs::is_empty(*o.keep))
            return error(Err::ArgumentsBad, o.keep->string() + " is not empty: the demo keeps "
                                                               "its folder only in a new one");
        return *o.keep;
    }
    std::string tmpl = (fs::temp_directory_path() / "strongroom-demo-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr)
        return error(Err::DeviceError, "cannot create a temporary folder");
    return fs::path(tmpl);
}

Status make_hardware(Env& env, const fs::path& home, const std::vector<Route>& routes) {
    struct Device {
        uint64_t serial;
        hsm::FormFactor form_factor;
        const char* firmware;
        const char* label;
    };
    const Device devices[] = {{150001, hsm::FormFactor::Pcie, "6.22.0", "legacy-pcie"},
                              {250001, hsm::FormFactor::Usb, "5.4.7", "legacy-usb"},
                              {350001, hsm::FormFactor::Pcie, "7.8.4", "new-pcie"}};
    for (const Device& d : devices) {
        hsm::NewDeviceSpec spec;
        spec.home = home;
        spec.serial = d.serial;
        spec.form_factor = d.form_factor;
        SR_ASSIGN_OR_RETURN(spec.firmware, hsm::FirmwareVersion::parse(d.firmware));
        spec.hsm_label = d.label;
        spec.so_password = kSoPassword;
        for (const Route& r : routes) {
            if (r.source_serial == d.serial) spec.partitions.push_back(r.source_partition);
            if (r.target_serial == d.serial) spec.partitions.push_back(r.target_partition);
        }
        if (hsm::generation(spec.firmware) != hsm::Generation::Luna7) {
            // The legacy partitions exist, in the shared domain, with their officer (pre-PPSO:
            // the owner) — what the guide starts from.
            spec.domain = kDomain;
            spec.co_password = kCoPassword;
            if (hsm::generation(spec.firmware) == hsm::Generation::Ppso)
                spec.po_password = kPoPassword;
        }
        SR_TRY(hsm::make_device(env, spec).status());
    }
    return {};
}

Result<uint64_t> slot_of(client::Client& c, uint64_t serial, const std::string& partition) {
    for (const auto& s : c.slots()) {
        if (s->admin() || s->device->info.serial != serial) continue;
        SR_ASSIGN_OR_RETURN(hsm::PartitionInfo p, s->dev().partition_info(s->partition));
        if (p.name == partition) return s->id;
    }
    return error(Err::SlotIdInvalid, "no slot for partition " + partition);
}

// A Crypto Officer session on a slot, closed with the client.
Result<std::shared_ptr<client::ClientSession>> officer(client::Client& c, uint64_t slot) {
    SR_ASSIGN_OR_RETURN(auto s, c.open_session(slot, true));
    SR_TRY(s->dev().login(s->id(), hsm::Role::CryptoOfficer, kCoPassword));
    return s;
}

Result<uint64_t> fill(client::Client& c, uint64_t slot, uint64_t keys, const std::string& prefix) {
    SR_ASSIGN_OR_RETURN(auto s, officer(c, slot));
    client::FillSpec spec;
    spec.count = keys;
    spec.mix = client::default_fill_mix();
    spec.label_prefix = prefix;
    SR_ASSIGN_OR_RETURN(client::FillReport r, client::fill_partition(s->dev(), s->id(), spec));
    SR_TRY(c.close_session(s->handle()));
    return r.objects;
}

// The guide's chapter 5 "To clone cryptographic keys from a 5.x/6.x partition to a 7.x
// partition", as typed: commands as written with slots, labels and passwords filled in;
// prompt answers on the lines after the command that asks.
std::string guide_script(const Route& r, uint64_t source_slot, uint64_t target_slot) {
    std::string s;
    auto line = [&](const std::string& l) { s += l + "\n"; };
    line("slot list");
    line(fmt::format("slot set -slot {}", target_slot));
    line("partition init -label " + r.target_label);
    line(kPoPassword);
    line(kPoPassword);
    line(kDomain);
    line(kDomain);
    line("proceed");
    line("role login -name po");
    line(kPoPassword);
    line("role init -name co");
    line(kCoPassword);
    line(kCoPassword);
    line(fmt::format("slot set -slot {}", source_slot));
    if (r.source_generation == hsm::Generation::PrePpso) {
        line("partition login");
    } else {
        line("role login -name Crypto Officer");
    }
    line(kCoPassword);
    line("partition contents");
    line(fmt::format("partition clone -objects 0 -slot {}", target_slot));
    line("proceed");
    line(kCoPassword);
    line(fmt::format("slot set -slot {}", target_slot));
    line(fmt::format("role login -name co -password {}", kCoPassword));
    line("partition contents");
    return s;
}

Result<std::string> run_srcm(const fs::path& home, const std::string& script) {
    SR_ASSIGN_OR_RETURN(auto c, client::Client::open(home));
    cm::State state(std::move(c));
    std::istringstream in(script);
    std::ostringstream out;
    auto console = cm::stream_console(in, out, /*echo=*/true);
    cm::ShellOptions options;
    options.stop_on_error = true;
    cm::Shell shell(state, *console, options);
    if (shell.run(false) != 0)
        return error(Err::FunctionFailed, "the guide's procedure failed in srcm:\n" + out.str());
    return out.str();
}

// Source and target fingerprints, compared by OUID.
Status prove(const fs::path& home, uint64_t source_slot, uint64_t target_slot, DemoMigration& m) {
    SR_ASSIGN_OR_RETURN(auto c, client::Client::open(home));
    SR_ASSIGN_OR_RETURN(auto src, officer(*c, source_slot));
    SR_ASSIGN_OR_RETURN(auto dst, officer(*c, target_slot));
    SR_ASSIGN_OR_RETURN(auto src_handles, client::list_token_objects(src->dev(), src->id()));
    SR_ASSIGN_OR_RETURN(auto dst_handles, client::list_token_objects(dst->dev(), dst->id()));
    SR_ASSIGN_OR_RETURN(auto src_prints, src->dev().object_fingerprints(src->id(), src_handles));
    SR_ASSIGN_OR_RETURN(auto dst_prints, dst->dev().object_fingerprints(dst->id(), dst_handles));
    m.source_objects = src_prints.size();
    m.target_objects = dst_prints.size();
    std::map<Bytes, const hsm::ObjectFingerprint*> by_ouid;
    for (const auto& f : dst_prints) by_ouid[f.ouid] = &f;
    for (const auto& f : src_prints) {
        auto it = by_ouid.find(f.ouid);
        if (it == by_ouid.end()) {
            m.mismatches.push_back("'" + f.label + "' is missing on the target");
            continue;
        }
        const hsm::ObjectFingerprint& t = *it->second;
        if (t.attributes_digest != f.attributes_digest || t.value_mac != f.value_mac)
            m.mismatches.push_back("'" + f.label + "' differs on the target");
        else
            ++m.fingerprints_matched;
    }
    return {};
}

DemoAppliance legacy_appliance(const fs::path& folder) {
    DemoAppliance a;
    a.home = folder / "legacy-appliance";
    a.serial = kLegacyNetworkSerial;
    a.firmware = "6.22.0";
    a.hsm_label = "legacy-net";
    a.so_password = kSoPassword;
    a.partition = "web";
    a.domain = kDomain;
    a.po_password = kPoPassword;
    a.co_password = kCoPassword;
    return a;
}

DemoAppliance new_appliance(const fs::path& folder) {
    DemoAppliance a;
    a.home = folder / "new-appliance";
    a.serial = kNewNetworkSerial;
    a.firmware = "7.8.4";
    a.hsm_label = "new-net";
    a.so_password = kSoPassword;
    return a;
}

// The administrators' part on each appliance (LunaSH habits, luna-reference §10): log in,
// create the new partition, register this client's certificate and assign the partition.
std::string appliance_script(const fs::path& client_cert, const std::string& partition,
                             bool create) {
    std::string s = fmt::format("hsm login -password {}\n", kSoPassword);
    if (create) s += fmt::format("partition create -partition {} -force\n", partition);
    s += fmt::format("client register -client {} -certfile {} -hostname localhost\n",
                     kClientName, client_cert.string());
    s += fmt::format("client assignpartition -client {} -partition {}\n", kClientName,
                     partition);
    return s;
}

// Both appliances served by strongroomd on loopback, this client registered on each with its
// partition assigned, and both servers added to the client's config (the legacy one first, so
// its partition is slot 0 as in the guide's chapter 2).
Status connect_appliances(appliance::Daemons& daemons, const fs::path& folder,
                          const DemoOptions& o, std::ostream& out) {
    const fs::path home = folder / "home";
    const DemoAppliance legacy = legacy_appliance(folder);
    const DemoAppliance fresh = new_appliance(folder);
    SR_ASSIGN_OR_RETURN(std::string legacy_address,
                        daemons.start(legacy.home, folder / "legacy-appliance.log"));
    SR_ASSIGN_OR_RETURN(std::string new_address,
                        daemons.start(fresh.home, folder / "new-appliance.log"));
    out << fmt::format("  strongroomd serves the legacy appliance on {} and the new one on {} "
                       "(TLS 1.3, client certificates required)\n",
                       legacy_address, new_address);
    SR_ASSIGN_OR_RETURN(std::string cert,
                        run_srcm(home, fmt::format("clientconfig createcert -name {}\n",
                                                   kClientName)));
    const fs::path client_cert = home / "cert" / "client" / (std::string(kClientName) + ".pem");
    SR_ASSIGN_OR_RETURN(std::string a1,
                        run_srsh(legacy.home, appliance_script(client_cert, "web", false)));
    SR_ASSIGN_OR_RETURN(std::string a2,
                        run_srsh(fresh.home, appliance_script(client_cert, "web7", true)));
    SR_ASSIGN_OR_RETURN(
        std::string added,
        run_srcm(home, fmt::format("clientconfig addserver -server {} -certfile {}\n"
                                   "clientconfig addserver -server {} -certfile {}\n"
                                   "clientconfig verify\n",
                                   legacy_address,
                                   appliance::server_cert_path(legacy.home).string(),
                                   new_address, appliance::server_cert_path(fresh.home).string())));
    out << "  this client's certificate is registered on both appliances with srsh, and both "
           "servers are in its config (clientconfig addserver)\n";
    if (o.transcript) out << cert << a1 << a2 << added;
    return {};
}

std::vector<Route> routes() {
    Route pcie;
    pcie.source_name = "legacy PCIe HSM, firmware 6.22.0 (PPSO)";
    pcie.source_serial = 150001;
    pcie.source_partition = "payments";
    pcie.source_generation = hsm::Generation::Ppso;
    pcie.target_serial = 350001;
    pcie.target_name = "new PCIe HSM 7.8.4";
    pcie.chapter = "chapter 5";
    pcie.target_partition = "payments7";
    pcie.target_label = "payments7";
    Route usb;
    usb.source_name = "legacy USB HSM, firmware 5.4.7 (pre-PPSO)";
    usb.source_serial = 250001;
    usb.source_partition = "signing";
    usb.source_generation = hsm::Generation::PrePpso;
    usb.target_serial = 350001;
    usb.target_name = "new PCIe HSM 7.8.4";
    usb.chapter = "chapter 5";
    usb.target_partition = "signing7";
    usb.target_label = "signing7";
    Route net;
    net.source_name = "legacy Network HSM appliance, firmware 6.22.0 (PPSO)";
    net.source_serial = kLegacyNetworkSerial;
    net.source_partition = "web";
    net.source_generation = hsm::Generation::Ppso;
    net.target_serial = kNewNetworkSerial;
    net.target_name = "new Network HSM appliance 7.8.4";
    net.chapter = "chapter 2";
    net.target_partition = "web7";
    net.target_label = "web7";
    return {pcie, usb, net};
}

Status migrate(const fs::path& home, const Route& r, const DemoOptions& o, std::ostream& out,
               DemoReport& report) {
    DemoMigration m;
    m.source = r.source_name;
    {
        SR_ASSIGN_OR_RETURN(auto c, client::Client::open(home));
        SR_ASSIGN_OR_RETURN(m.source_slot, slot_of(*c, r.source_serial, r.source_partition));
        SR_ASSIGN_OR_RETURN(m.target_slot, slot_of(*c, r.target_serial, r.target_partition));
    }
    m.target = r.target_name;
    out << fmt::format("Migrating the {} (slot {}) to the {} (slot {}), as the guide's {} "
                       "types it into srcm ...\n",
                       r.source_name, m.source_slot, r.target_name, m.target_slot, r.chapter);
    const auto start = std::chrono::steady_clock::now();
    SR_ASSIGN_OR_RETURN(std::string transcript,
                        run_srcm(home, guide_script(r, m.source_slot, m.target_slot)));
    m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (o.transcript) out << transcript;
    SR_TRY(prove(home, m.source_slot, m.target_slot, m));
    report.migrations.push_back(std::move(m));
    return {};
}

void summarise(const DemoReport& r, const DemoOptions& o, std::ostream& out) {
    out << "\nSummary\n";
    for (const DemoMigration& m : r.migrations) {
        out << fmt::format("  {} -> {}: {} of {} objects arrived, {} proved equal by "
                           "fingerprint ({:.2f} s in srcm)\n",
                           m.source, m.target, m.target_objects, m.source_objects,
                           m.fingerprints_matched, m.seconds);
        for (const std::string& x : m.mismatches) out << "    NOT PROVED: " << x << "\n";
    }
    out << "  Fingerprints are computed inside each HSM (SHA-256 of the lasting attributes, "
           "HMAC of the key value under a key of the cloning domain): no key left an HSM in "
           "plaintext.\n";
    out << (r.ok() ? "  Result: every object migrated and proved.\n"
                   : "  Result: FAILED — some objects did not migrate (listed above).\n");
    if (o.keep)
        out << "  The HSMs are kept in " << r.folder.string()
            << ": STRONGROOM_HOME=" << (r.folder / "home").string()
            << " srcm (the appliances' slots appear once strongroomd serves them again on the "
               "ports in the client's client.toml: strongroomd --home "
            << (r.folder / "legacy-appliance").string() << " --listen 127.0.0.1:<port>)\n";
}

}  // namespace

bool DemoReport::ok() const {
    if (migrations.empty()) return false;
    for (const auto& m : migrations)
        if (!m.mismatches.empty() || m.fingerprints_matched != m.source_objects ||
            m.source_objects == 0)
            return false;
    return true;
}

Result<DemoReport> run_demo(const DemoOptions& options, std::ostream& out) {
    SR_ASSIGN_OR_RETURN(fs::path folder, make_folder(options));
    DemoReport report;
    report.folder = folder;
    const fs::path home = folder / "home";
    auto body = [&]() -> Status {
        PosixEnv env;
        const std::vector<Route> rs = routes();
        out << "Making the hardware: a legacy PCIe HSM (6.22.0, PPSO), a legacy USB HSM (5.4.7, "
               "pre-PPSO) and a new PCIe HSM (7.8.4) in this client host, one factory, one "
               "cloning domain ...\n";
        SR_TRY(make_hardware(env, home, rs));
        out << "Making two network HSM appliances beside this client host: a legacy one "
               "(6.22.0, PPSO) and a new one (7.8.4), same factory ...\n";
        SR_TRY(make_demo_appliance(env, legacy_appliance(folder)));
        SR_TRY(make_demo_appliance(env, new_appliance(folder)));
        for (const Route& r : rs) {
            // Legacy partitions are filled in place: local ones from the client host, the
            // appliance's from its own home before its daemon serves it.
            const bool network = r.source_serial == kLegacyNetworkSerial;
            const fs::path where = network ? legacy_appliance(folder).home : home;
            SR_ASSIGN_OR_RETURN(auto c, client::Client::open(where));
            SR_ASSIGN_OR_RETURN(uint64_t slot, slot_of(*c, r.source_serial, r.source_partition));
            SR_ASSIGN_OR_RETURN(uint64_t objects,
                                fill(*c, slot, options.keys_per_partition, r.source_partition));
            out << fmt::format("  {} partition '{}': {} keys, {} objects\n", r.source_name,
                               r.source_partition, options.keys_per_partition, objects);
        }
        SR_ASSIGN_OR_RETURN(fs::path strongroomd, appliance::find_strongroomd(options.strongroomd));
        appliance::Daemons daemons(strongroomd);
        SR_TRY(connect_appliances(daemons, folder, options, out));
        for (const Route& r : rs) SR_TRY(migrate(home, r, options, out, report));
        return {};
    };
    Status st = body();
    if (st.is_ok()) summarise(report, options, out);
    if (!options.keep) fs::remove_all(folder);
    if (!st.is_ok()) return st;
    return report;
}

}  // namespace sr::tools
