// `partition init`, `partition login` / `logout` (pre-PPSO), `partition contents` and
// `partition showinfo` on partition slots (luna-reference §1.3, §1.4, §1.6), answering per
// firmware personality; the policy commands are in partition_policy_commands.cpp.
#include <fmt/format.h>

#include <algorithm>

#include "cm/commands.h"
#include "cm/hsm_admin.h"
#include "cm/partition_policy_commands.h"
#include "cm/role_support.h"

namespace sr::cm {
namespace {

using shell::ValueKind;

std::string yes_no(bool b) {
    return b ? "yes" : "no";
}

std::string object_type_name(std::optional<uint64_t> cls) {
    if (!cls) return "Unknown";
    switch (*cls) {
        case hsm::cls::kData:
            return "Data";
        case hsm::cls::kCertificate:
            return "Certificate";
        case hsm::cls::kPublicKey:
            return "Public Key";
        case hsm::cls::kPrivateKey:
            return "Private Key";
        case hsm::cls::kSecretKey:
            return "Symmetric Key";
        default:
            return fmt::format("Vendor Object (0x{:x})", *cls);
    }
}

class PartitionInit final : public Command {
public:
    const shell::CommandSpec& spec() const override { return m_spec; }
    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(SlotContext c, slot_context(in, SlotNeed::Partition));
        if (c.generation == hsm::Generation::PrePpso)
            return error(
                Err::FunctionNotSupported,
                fmt::format("slot {} is a pre-PPSO partition (firmware {}): it has no "
                            "Partition SO and is not initialized from the client. The HSM "
                            "SO creates legacy partitions with their owner password and "
                            "cloning domain ('partition create' on the HSM's admin slot, "
                            "slot {}); log in to it with 'partition login'",
                            c.slot->id, c.device.firmware.to_string(), admin_slot_id(in, c)));
        if (in.args.has("domain") && in.args.has("defaultdomain"))
            return error(Err::ArgumentsBad,
                         "give either -domain or -defaultdomain, not both\n"
                         "Usage: " +
                             shell::Grammar::usage(m_spec));
        hsm::PartitionInitParams params;
        params.label = *in.args.text("label");
        SR_ASSIGN_OR_RETURN(params.so_password,
                            secret_option(in, "password", "password for Partition SO", true));
        if (in.args.has("defaultdomain")) {
            params.domain = admin::kDefaultDomain;
            in.reply.line(
                "        Using the default cloning domain: it is public and insecure; "
                "use -domain for real keys.");
        } else {
            SR_ASSIGN_OR_RETURN(params.domain,
                                secret_option(in, "domain", "the domain name", true));
        }
        SR_TRY(confirm(in, {"You are about to initialize the partition.",
                            "All contents of the partition will be destroyed."}));
        SR_ASSIGN_OR_RETURN(hsm::PartitionInfo before, c.dev().partition_info(c.slot->partition));
        Status st = c.dev().init_partition(c.slot->device->app, c.slot->partition, params);
        if (!st && before.initialized && st.code() == Err::PinIncorrect)
            return error(st.code(), st.message() +
                                        ". The partition is initialized: re-initializing it needs "
                                        "its current Partition SO password (-password)");
        SR_TRY(st);
        // Init ends every role and login the partition had; start the slot afresh.
        in.state.drop_session(c.slot->id);
        in.reply.line(
            fmt::format("        Partition on slot {} initialized with label '{}'; "
                        "next: '{}'.",
                        c.slot->id, params.label, login_command(c, hsm::Role::PartitionSo)));
        in.reply.data()["slot"] = c.slot->id;
        in.reply.data()["label"] = params.label;
        return {};
    }

private:
    const shell::CommandSpec m_spec{
        "partition",
        "par",
        "init",
        "",
        "Initialize a partition: label, Partition SO and domain",
        "Sets the partition's label, its Partition SO password and its cloning domain (PPSO "
        "6.22.0+ and 7.x). Destroys all contents of the partition; asks for 'proceed' unless "
        "-force is given. The password and the domain are asked for twice when not given. "
        "Pre-PPSO partitions are set up by the HSM SO at 'partition create'.",
        {{"label", "l", ValueKind::Text, true, "<label>", "The partition label (1-32 characters)."},
         {"password", "", ValueKind::Secret, false, "<password>",
          "The Partition SO password (at least 8 characters)."},
         {"domain", "", ValueKind::Secret, false, "<domain>",
          "The cloning domain; partitions clone only within one domain."},
         {"defaultdomain", "", ValueKind::Flag, false, "",
          "Use the public default domain (insecure; for tests)."},
         {"force", "f", ValueKind::Flag, false, "", "Do not ask for confirmation."}}};
};

class PartitionLogin final : public Command {
public:
    const shell::CommandSpec& spec() const override { return m_spec; }
    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(SlotContext c, slot_context(in, SlotNeed::Partition));
        if (c.generation != hsm::Generation::PrePpso)
            return error(Err::FunctionNotSupported,
                         fmt::format("slot {} (firmware {}) has per-partition roles: log in with "
                                     "'role login -name {}' (or -name {} for the Partition SO)",
                                     c.slot->id, c.device.firmware.to_string(),
                                     typed_role_name(c.generation, hsm::Role::CryptoOfficer),
                                     typed_role_name(c.generation, hsm::Role::PartitionSo)));
        SR_ASSIGN_OR_RETURN(std::string pw,
                            secret_option(in, "password", "the partition owner's password", false));
        std::optional<hsm::Role> replaced;
        SR_TRY(login_replacing(in, c, hsm::Role::CryptoOfficer, pw, &replaced));
        in.reply.line(
            fmt::format("        The partition owner ('Crypto Officer') is logged in "
                        "on slot {}.",
                        c.slot->id));
        in.reply.data()["slot"] = c.slot->id;
        in.reply.data()["role"] = "Crypto Officer";
        return {};
    }

private:
    const shell::CommandSpec m_spec{
        "partition",
        "par",
        "login",
        "",
        "Log in to a pre-PPSO partition as its owner",
        "Pre-PPSO firmware (5.x, 6.0-6.21.2) only: logs the partition owner (the Crypto Officer) "
        "in on the current slot. PPSO and 7.x partitions use 'role login'.",
        {{"password", "p", ValueKind::Secret, false, "<password>", "The partition password."}}};
};

class PartitionLogout final : public Command {
public:
    const shell::CommandSpec& spec() const override { return m_spec; }
    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(SlotContext c, slot_context(in, SlotNeed::Partition));
        if (c.generation != hsm::Generation::PrePpso)
            return error(Err::FunctionNotSupported,
                         fmt::format("slot {} (firmware {}) has per-partition roles: log out with "
                                     "'role logout'",
                                     c.slot->id, c.device.firmware.to_string()));
        SR_ASSIGN_OR_RETURN(std::optional<hsm::Role> who, current_login(in, c));
        if (!who)
            return error(Err::UserNotLoggedIn,
                         fmt::format("nobody is logged in on slot {}", c.slot->id));
        SR_TRY(c.dev().logout(c.sid()));
        in.reply.line(fmt::format("        Logged out of slot {}.", c.slot->id));
        in.reply.data()["slot"] = c.slot->id;
        return {};
    }

private:
    const shell::CommandSpec m_spec{
        "partition",
        "par",
        "logout",
        "",
        "Log the partition owner out (pre-PPSO)",
        "Pre-PPSO firmware only; PPSO and 7.x partitions use 'role logout'.",
        {}};
};

struct ObjectRow {
    hsm::ObjectHandle handle = 0;
    std::string label;
    std::string type;
    std::string ouid;
};

Result<std::vector<ObjectRow>> list_objects(const SlotContext& c) {
    std::vector<hsm::ObjectHandle> handles;
    SR_TRY(c.dev().find_init(c.sid(), hsm::AttributeSet()));
    for (;;) {
        auto batch = c.dev().find_next(c.sid(), 512);
        if (!batch) {
            (void)c.dev().find_final(c.sid());
            return batch.status();
        }
        if (batch->empty()) break;
        handles.insert(handles.end(), batch->begin(), batch->end());
    }
    SR_TRY(c.dev().find_final(c.sid()));
    std::sort(handles.begin(), handles.end());
    std::vector<ObjectRow> rows;
    const hsm::AttrType wanted[] = {hsm::attr::kLabel, hsm::attr::kClass, hsm::attr::kOuid};
    for (hsm::ObjectHandle h : handles) {
        SR_ASSIGN_OR_RETURN(hsm::AttributeReadout r, c.dev().get_attributes(c.sid(), h, wanted));
        ObjectRow row;
        row.handle = h;
        if (auto label = r.values.get(hsm::attr::kLabel))
            row.label.assign(reinterpret_cast<const char*>(label->data()), label->size());
        row.type = object_type_name(r.values.get_ulong(hsm::attr::kClass));
        if (auto ouid = r.values.get(hsm::attr::kOuid)) row.ouid = to_hex(*ouid);
        rows.push_back(std::move(row));
    }
    return rows;
}

class PartitionContents final : public Command {
public:
    const shell::CommandSpec& spec() const override { return m_spec; }
    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(SlotContext c,
                            slot_context(in, SlotNeed::Partition, in.args.number("slot")));
        SR_ASSIGN_OR_RETURN(std::optional<hsm::Role> who, current_login(in, c));
        // -password logs the Crypto Officer in for this listing only, when nobody is.
        bool temporary = false;
        if (!who && in.args.has("password")) {
            SR_TRY(login_replacing(in, c, hsm::Role::CryptoOfficer, *in.args.text("password"),
                                   nullptr));
            who = hsm::Role::CryptoOfficer;
            temporary = true;
        }
        auto rows = list_objects(c);
        if (temporary) (void)c.dev().logout(c.sid());
        if (!rows) return rows.status();
        if (who) {
            const std::string name(hsm::role_display_name(*who));
            in.reply.line("        The '" + name + "' is currently logged in. Looking for objects");
            in.reply.line("        accessible to the '" + name + "'.");
        } else {
            in.reply.line("        No one is currently logged in. Looking for public objects.");
        }
        in.reply.line();
        in.reply.line("        Object list:");
        in.reply.line();
        nlohmann::json objects = nlohmann::json::array();
        for (const ObjectRow& r : *rows) {
            in.reply.line("        Label:        " + r.label);
            in.reply.line("        Handle:       " + std::to_string(r.handle));
            in.reply.line("        Object Type:  " + r.type);
            in.reply.line("        Object UID:   " + r.ouid);
            in.reply.line();
            objects.push_back(
                {{"label", r.label}, {"handle", r.handle}, {"type", r.type}, {"ouid", r.ouid}});
        }
        in.reply.line("        Number of objects:  " + std::to_string(rows->size()));
        in.reply.data()["slot"] = c.slot->id;
        in.reply.data()["logged_in"] =
            who ? nlohmann::json(std::string(hsm::role_display_name(*who))) : nlohmann::json();
        in.reply.data()["objects"] = std::move(objects);
        return {};
    }

private:
    const shell::CommandSpec m_spec{
        "partition",
        "par",
        "contents",
        "",
        "List the objects of a partition",
        "Lists the objects the logged-in role can see (public objects when nobody is logged in): "
        "label, handle, type and Object UID (OUID, kept by cloning).",
        {{"slot", "s", ValueKind::Number, false, "<slot>", "The slot (default: the current slot)."},
         {"password", "", ValueKind::Secret, false, "<password>",
          "Log the Crypto Officer in for this listing when nobody is logged in."}}};
};

std::string role_summary(const hsm::RoleState& st) {
    if (!st.initialized) return "not initialized";
    std::string s = "initialized";
    if (st.failed_logins != 0) s += fmt::format(", {} failed logins", st.failed_logins);
    if (st.locked_out) s += ", locked out";
    if (st.must_change_password) s += ", must change password";
    return s;
}

class PartitionShowInfo final : public Command {
public:
    const shell::CommandSpec& spec() const override { return m_spec; }
    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(SlotContext c, slot_context(in, SlotNeed::Partition));
        SR_ASSIGN_OR_RETURN(hsm::PartitionInfo p, c.dev().partition_info(c.slot->partition));
        SR_ASSIGN_OR_RETURN(std::optional<hsm::Role> who, current_login(in, c));
        const std::string fingerprint =
            p.domain_fingerprint.empty() ? "(none: not initialized)" : to_hex(p.domain_fingerprint);
        const std::string logged_in = who ? std::string(hsm::role_display_name(*who)) : "nobody";
        const std::pair<std::string, std::string> facts[] = {
            {"Slot Id", std::to_string(c.slot->id)},
            {"Partition Label", p.initialized ? p.label : "(not initialized)"},
            {"Partition Name", p.name},
            {"Partition Serial Number", std::to_string(p.serial)},
            {"Firmware Version", c.device.firmware.to_string()},
            {"Personality", std::string(hsm::generation_name(c.generation))},
            {"Authentication", c.device.auth == hsm::AuthType::Password ? "Password" : "PED"},
            {"Initialized", yes_no(p.initialized)},
            {"Domain Fingerprint", fingerprint},
            {"Number of objects", std::to_string(p.object_count)},
            {"Logged in", logged_in},
        };
        nlohmann::json& d = in.reply.data();
        for (const auto& [k, v] : facts) in.reply.line(arrow_line(k, v, 28));
        d["slot"] = c.slot->id;
        d["label"] = p.label;
        d["name"] = p.name;
        d["serial"] = p.serial;
        d["firmware"] = c.device.firmware.to_string();
        d["personality"] = std::string(hsm::generation_name(c.generation));
        d["initialized"] = p.initialized;
        d["domain_fingerprint"] = p.domain_fingerprint.empty() ? "" : fingerprint;
        d["object_count"] = p.object_count;
        d["logged_in"] = who ? nlohmann::json(logged_in) : nlohmann::json();
        in.reply.line();
        in.reply.line("        Roles:");
        nlohmann::json roles = nlohmann::json::array();
        for (hsm::Role r : hsm::partition_roles(c.device.firmware)) {
            SR_ASSIGN_OR_RETURN(hsm::RoleState st, c.dev().role_state(c.slot->partition, r));
            std::string name(hsm::role_display_name(r));
            if (c.generation == hsm::Generation::PrePpso) name = "Partition owner";
            in.reply.line(fmt::format("                {:<24}{}", name + ":", role_summary(st)));
            roles.push_back({{"role", name},
                             {"initialized", st.initialized},
                             {"failed_logins", st.failed_logins},
                             {"locked_out", st.locked_out},
                             {"must_change_password", st.must_change_password}});
        }
        d["roles"] = std::move(roles);
        return {};
    }

private:
    const shell::CommandSpec m_spec{
        "partition",
        "par",
        "showinfo",
        "",
        "Show a partition's facts and its roles",
        "Label, name, serial number, firmware and personality, whether it is initialized, the "
        "fingerprint of its cloning domain (equal fingerprints mean the same domain), the number "
        "of objects, who is logged in, and the state of each role.",
        {}};
};

}  // namespace

Commands partition_commands() {
    Commands c;
    c.push_back(std::make_unique<PartitionInit>());
    c.push_back(std::make_unique<PartitionLogin>());
    c.push_back(std::make_unique<PartitionLogout>());
    c.push_back(std::make_unique<PartitionContents>());
    c.push_back(std::make_unique<PartitionShowInfo>());
    for (auto& p : partition_policy_commands()) c.push_back(std::move(p));
    return c;
}

}  // namespace sr::cm
