// `partition create`, `delete`, `list` and `show` on the appliance's HSM (luna-reference §2.3;
// BEHAVIOUR.md "Firmware personalities"): the HSM SO creates partitions; pre-PPSO firmware sets
// the owner password and cloning domain at creation, PPSO and 7.x leave the partition
// uninitialized for `partition init` from a client. Policies are in srsh_policy_commands.cpp.
#include <fmt/format.h>

#include "appliance/srsh_commands.h"

namespace sr::appliance::srsh {
namespace {

using shell::ValueKind;

constexpr size_t kMaxName = 32;

shell::OptionSpec partition_option(bool required) {
    return {"partition", "par",    ValueKind::Text,
            required,    "<name>", "The partition name ('partition list')."};
}

std::string yes_no(bool b) {
    return b ? "yes" : "no";
}

nlohmann::json to_json(const hsm::PartitionInfo& p) {
    return {{"name", p.name},
            {"label", p.label},
            {"serial", p.serial},
            {"initialized", p.initialized},
            {"objects", p.object_count},
            {"domain_fingerprint", to_hex(p.domain_fingerprint)}};
}

class PartitionCreate final : public SpecCommand {
  public:
    PartitionCreate()
        : SpecCommand(
              {"partition",
               "par",
               "create",
               "",
               "Create a partition",
               "Creates an application partition on the HSM; the HSM SO must be logged in. On "
               "PPSO (6.22+) and 7.x firmware the partition is created uninitialized: its "
               "Partition SO sets its label, password and cloning domain from a client with "
               "'partition init' once the partition is assigned ('client assignpartition'). On "
               "pre-PPSO firmware (5.x, 6.0-6.21) the HSM SO sets the partition owner's "
               "password and the partition's cloning domain now (asked for, twice, when not "
               "given) and the partition is ready for 'partition login'. Asks for 'proceed' "
               "unless -force is given.",
               {partition_option(true),
                {"password", "", ValueKind::Secret, false, "<password>",
                 "Pre-PPSO only: the partition owner's password, 8 to 255 characters."},
                {"domain", "", ValueKind::Secret, false, "<domain>",
                 "Pre-PPSO only: the partition's cloning domain."},
                force_option()}},
              {"partition create -partition par1",
               "partition create -partition par5 -password <owner_password> -domain <domain>   "
               "(pre-PPSO)"}) {}

    Status run(Invocation& in) override {
        const std::string name = *in.args.text("partition");
        if (name.empty() || name.size() > kMaxName)
            return error(Err::ArgumentsBad, "the partition name must be 1 to 32 characters");
        SR_TRY(require_hsm_so(in, "partition create"));
        SR_ASSIGN_OR_RETURN(hsm::DeviceInfo d, in.state.device().info());
        hsm::PartitionCreateParams params{name, {}, {}};
        const bool legacy = hsm::generation(d.firmware) == hsm::Generation::PrePpso;
        if (legacy) {
            SR_ASSIGN_OR_RETURN(
                params.owner_password,
                secret_option(in, "password", "Please enter a password for the partition:", true));
            if (!hsm::check_password_length(params.owner_password.size()))
                return error(Err::PinLenRange,
                             "the partition owner's password must be 8 to 255 characters");
            SR_ASSIGN_OR_RETURN(
                params.domain,
                secret_option(in, "domain",
                              "Please enter the cloning domain for the partition:", true));
            if (params.domain.empty())
                return error(Err::ArgumentsBad, "the cloning domain is empty");
        } else if (in.args.has("password") || in.args.has("domain")) {
            return error(Err::ArgumentsBad,
                         "firmware " + d.firmware.to_string() +
                             " creates partitions uninitialized, so -password and -domain do "
                             "not apply: create it without them; its Partition SO sets the "
                             "password and domain with 'partition init' from a client");
        }
        SR_TRY(confirm(in, {}, "create the partition"));
        SR_ASSIGN_OR_RETURN(hsm::PartitionId id,
                            in.state.device().create_partition(in.state.app(), params));
        SR_ASSIGN_OR_RETURN(hsm::PartitionInfo p, in.state.device().partition_info(id));
        in.reply.line(field("Partition Name", p.name));
        in.reply.line(field("Partition SN", std::to_string(p.serial)));
        in.reply.line(field("Initialized", yes_no(p.initialized)));
        in.reply.data() = to_json(p);
        return {};
    }
};

class PartitionDelete final : public SpecCommand {
  public:
    PartitionDelete()
        : SpecCommand({"partition",
                       "par",
                       "delete",
                       "",
                       "Delete a partition and everything in it",
                       "Deletes the named partition and every object in it; clients it was "
                       "assigned to no longer see it. The HSM SO must be logged in. Asks for "
                       "'proceed' unless -force is given.",
                       {partition_option(true), force_option()}},
                      {"partition delete -partition par1", "par delete -par par1 -force"}) {}

    Status run(Invocation& in) override {
        SR_TRY(require_hsm_so(in, "partition delete"));
        const std::string name = *in.args.text("partition");
        SR_ASSIGN_OR_RETURN(hsm::PartitionInfo p, partition_named(in, name));
        SR_TRY(confirm(in,
                       {fmt::format("CAUTION: Are you sure you wish to delete the partition "
                                    "named: {} ({} object{})?",
                                    name, p.object_count, p.object_count == 1 ? "" : "s"),
                        "All data will be erased."},
                       "delete the partition"));
        SR_TRY(in.state.device().delete_partition(in.state.app(), p.id));
        in.reply.data() = {{"name", name}, {"serial", p.serial}};
        return {};
    }
};

class PartitionList final : public SpecCommand {
  public:
    PartitionList()
        : SpecCommand({"partition",
                       "par",
                       "list",
                       "",
                       "List the HSM's partitions",
                       "One line per partition: serial number, name, label (blank while "
                       "uninitialized), whether it is initialized, and its object count. Needs "
                       "no login.",
                       {}},
                      {"partition list"}) {}

    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(auto parts, in.state.device().partitions());
        const std::string row = "   {:<14} {:<32} {:<32} {:<5} {}";
        in.reply.line(
            fmt::format(fmt::runtime(row), "Partition", "Name", "Label", "Init", "Objects"));
        in.reply.line("   " + std::string(95, '='));
        nlohmann::json list = nlohmann::json::array();
        for (const auto& p : parts) {
            in.reply.line(fmt::format(fmt::runtime(row), p.serial, p.name, p.label,
                                      yes_no(p.initialized), p.object_count));
            list.push_back(to_json(p));
        }
        in.reply.line();
        in.reply.line(fmt::format("   {} partition{}", parts.size(), parts.size() == 1 ? "" : "s"));
        in.reply.data() = {{"partitions", std::move(list)}};
        return {};
    }
};

class PartitionShow final : public SpecCommand {
  public:
    PartitionShow()
        : SpecCommand({"partition",
                       "par",
                       "show",
                       "",
                       "Show partitions in detail",
                       "Name, serial number, label, whether it is initialized, the fingerprint "
                       "of its cloning domain (compares domains without revealing them), whether "
                       "its Partition SO may reset the Crypto Officer, and its object count; "
                       "for the named partition, or for every partition. Needs no login.",
                       {partition_option(false)}},
                      {"partition show", "partition show -partition par1"}) {}

    Status run(Invocation& in) override {
        std::vector<hsm::PartitionInfo> parts;
        if (auto name = in.args.text("partition")) {
            SR_ASSIGN_OR_RETURN(hsm::PartitionInfo p, partition_named(in, *name));
            parts.push_back(std::move(p));
        } else {
            SR_ASSIGN_OR_RETURN(parts, in.state.device().partitions());
        }
        nlohmann::json list = nlohmann::json::array();
        for (const auto& p : parts) {
            if (!list.empty()) in.reply.line();
            in.reply.line(field("Partition Name", p.name));
            in.reply.line(field("Partition SN", std::to_string(p.serial)));
            in.reply.line(field("Partition Label", p.initialized ? p.label : ""));
            in.reply.line(field("Partition Initialized", yes_no(p.initialized)));
            in.reply.line(field("Domain Fingerprint", p.domain_fingerprint.empty()
                                                          ? "(none)"
                                                          : to_hex(p.domain_fingerprint)));
            in.reply.line(field("SO can reset Crypto Officer", yes_no(p.so_can_reset_pin)));
            in.reply.line(field("Partition Objects", std::to_string(p.object_count)));
            list.push_back(to_json(p));
        }
        if (parts.empty()) in.reply.line("   No partitions: 'partition create -partition <name>'.");
        in.reply.data() = {{"partitions", std::move(list)}};
        return {};
    }
};

}  // namespace

Commands partition_commands() {
    Commands c;
    c.push_back(std::make_unique<PartitionCreate>());
    c.push_back(std::make_unique<PartitionDelete>());
    c.push_back(std::make_unique<PartitionList>());
    c.push_back(std::make_unique<PartitionShow>());
    return c;
}

}  // namespace sr::appliance::srsh
