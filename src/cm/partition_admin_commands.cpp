// `partition create`, `partition delete` and `partition list` on a local device's admin slot,
// with the HSM SO logged in (luna-reference §2.3, the LunaSH syntax). Pre-PPSO firmware sets the
// partition owner's password and cloning domain at creation; PPSO and 7.x create the partition
// uninitialized, for `partition init` on its own slot.
#include <fmt/format.h>

#include "cm/commands.h"
#include "cm/hsm_admin.h"

namespace sr::cm {
namespace {

using admin::field;
using shell::ValueKind;

constexpr size_t kMaxName = 32;

// The slot the client numbered for a partition of this slot's device, if any.
std::optional<uint64_t> slot_of(State& state, const client::Slot& admin, hsm::PartitionId id) {
    for (const auto& s : state.client().slots())
        if (s->device == admin.device && s->partition == id) return s->id;
    return std::nullopt;
}

Result<hsm::PartitionInfo> partition_named(const SlotContext& c, const std::string& name) {
    SR_ASSIGN_OR_RETURN(auto parts, c.dev().partitions());
    for (auto& p : parts)
        if (p.name == name) return p;
    return error(Err::ContainerHandleInvalid,
                 "no partition named '" + name + "' on the HSM of slot " +
                     std::to_string(c.slot->id) + "; 'partition list' shows them");
}

std::string slot_text(std::optional<uint64_t> slot) {
    return slot ? std::to_string(*slot) : "-";
}

class PartitionCreate final : public admin::SpecCommand {
  public:
    PartitionCreate()
        : SpecCommand(
              {"partition",
               "par",
               "create",
               "",
               "Create a partition on the current HSM",
               "Creates an application partition on the HSM of the current admin slot; the HSM SO "
               "must be logged in. Pre-PPSO firmware (5.x, 6.0-6.21) sets the partition owner's "
               "password and the partition's cloning domain now (asked for, twice, when not "
               "given), and the partition is ready for 'partition login'. PPSO (6.22+) and 7.x "
               "firmware create it uninitialized: its Partition SO sets label, password and "
               "domain with 'partition init' on the new slot. Prints the new partition's serial "
               "number and slot.",
               {{"partition", "par", ValueKind::Text, true, "<name>",
                 "The partition name, 1 to 32 characters."},
                {"password", "", ValueKind::Secret, false, "<password>",
                 "Pre-PPSO only: the partition owner's password."},
                {"domain", "", ValueKind::Secret, false, "<domain>",
                 "Pre-PPSO only: the partition's cloning domain."},
                {"force", "f", ValueKind::Flag, false, "", "Do not ask for confirmation."}}}) {}

    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(SlotContext c, admin::admin_slot(in, "partition create"));
        const std::string name = *in.args.text("partition");
        if (name.empty() || name.size() > kMaxName)
            return error(Err::ArgumentsBad, "the partition name must be 1 to 32 characters");
        SR_TRY(admin::require_hsm_so(in, c, "partition create"));
        hsm::PartitionCreateParams params{name, {}, {}};
        const bool legacy = c.generation == hsm::Generation::PrePpso;
        if (legacy) {
            SR_ASSIGN_OR_RETURN(
                params.owner_password,
                secret_option(in, "password", "password for Partition Owner", true));
            if (!hsm::check_password_length(params.owner_password.size()))
                return error(Err::PinLenRange,
                             "the partition owner's password must be 8 to 255 characters");
            SR_ASSIGN_OR_RETURN(params.domain,
                                secret_option(in, "domain", "the domain name", true));
            if (params.domain.empty())
                return error(Err::ArgumentsBad, "the cloning domain is empty");
        } else if (in.args.has("password") || in.args.has("domain")) {
            return error(Err::ArgumentsBad,
                         "firmware " + c.device.firmware.to_string() +
                             " creates partitions uninitialized, so -password and -domain do not "
                             "apply: create it without them, then set the Partition SO password "
                             "and domain with 'partition init' on the new partition's slot");
        }
        SR_TRY(confirm(in, {"You are about to create partition '" + name + "' on HSM '" +
                            c.device.hsm_label + "'."}));
        SR_ASSIGN_OR_RETURN(hsm::PartitionId id,
                            c.dev().create_partition(c.slot->device->app, params));
        // Later slots are renumbered; every login follows its partition to its new number.
        SR_TRY(in.state.renumber());
        SR_ASSIGN_OR_RETURN(hsm::PartitionInfo p, c.dev().partition_info(id));
        const auto slot = slot_of(in.state, *c.slot, id);
        in.reply.line("        Partition '" + name + "' created.");
        in.reply.line();
        in.reply.line(field("Partition Name", p.name));
        in.reply.line(field("Serial Number", std::to_string(p.serial)));
        in.reply.line(field("Slot Id", slot_text(slot)));
        in.reply.line(field("Initialized", p.initialized ? "yes" : "no"));
        in.reply.line();
        if (slot && legacy)
            in.reply.line("        Its owner logs in with 'slot set -slot " +
                          std::to_string(*slot) + "' then 'partition login'.");
        else if (slot)
            in.reply.line("        Initialize it with 'slot set -slot " + std::to_string(*slot) +
                          "' then 'partition init -label <label>'.");
        in.reply.data() = {{"name", p.name},
                           {"serial", p.serial},
                           {"slot", slot ? nlohmann::json(*slot) : nlohmann::json()},
                           {"initialized", p.initialized}};
        return {};
    }
};

class PartitionDelete final : public admin::SpecCommand {
  public:
    PartitionDelete()
        : SpecCommand(
              {"partition",
               "par",
               "delete",
               "",
               "Delete a partition of the current HSM",
               "Deletes the named partition and every object in it; the HSM SO must be "
               "logged in on the admin slot. Asks for 'proceed' unless -force is given. "
               "Later slots are renumbered.",
               {{"partition", "par", ValueKind::Text, true, "<name>",
                 "The partition name ('partition list')."},
                {"force", "f", ValueKind::Flag, false, "", "Do not ask for confirmation."}}}) {}

    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(SlotContext c, admin::admin_slot(in, "partition delete"));
        SR_TRY(admin::require_hsm_so(in, c, "partition delete"));
        const std::string name = *in.args.text("partition");
        SR_ASSIGN_OR_RETURN(hsm::PartitionInfo p, partition_named(c, name));
        const std::string what =
            fmt::format("You are about to delete partition '{}' (serial {}, {} object{}).", name,
                        p.serial, p.object_count, p.object_count == 1 ? "" : "s");
        SR_TRY(confirm(in, {what, "All contents of the partition will be destroyed."}));
        SR_TRY(c.dev().delete_partition(c.slot->device->app, p.id));
        SR_TRY(in.state.renumber());
        in.reply.line("        Partition '" + name + "' (serial " + std::to_string(p.serial) +
                      ") deleted.");
        in.reply.data() = {{"name", name}, {"serial", p.serial}};
        return {};
    }
};

class PartitionList final : public admin::SpecCommand {
  public:
    PartitionList()
        : SpecCommand({"partition",
                       "par",
                       "list",
                       "",
                       "List the partitions of the current HSM",
                       "One block per partition of the HSM of the current admin slot: name, "
                       "label, serial number, whether it is initialized, its object count and "
                       "the slot it has. The HSM SO must be logged in.",
                       {}}) {}

    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(SlotContext c, admin::admin_slot(in, "partition list"));
        SR_TRY(admin::require_hsm_so(in, c, "partition list"));
        SR_ASSIGN_OR_RETURN(auto parts, c.dev().partitions());
        nlohmann::json list = nlohmann::json::array();
        for (const auto& p : parts) {
            const auto slot = slot_of(in.state, *c.slot, p.id);
            if (!list.empty()) in.reply.line();
            in.reply.line(field("Partition Name", p.name));
            in.reply.line(field("Label", p.initialized ? p.label : "(not initialized)"));
            in.reply.line(field("Serial Number", std::to_string(p.serial)));
            in.reply.line(field("Initialized", p.initialized ? "yes" : "no"));
            in.reply.line(field("Objects", std::to_string(p.object_count)));
            in.reply.line(field("Slot Id", slot_text(slot)));
            list.push_back({{"name", p.name},
                            {"label", p.label},
                            {"serial", p.serial},
                            {"initialized", p.initialized},
                            {"objects", p.object_count},
                            {"slot", slot ? nlohmann::json(*slot) : nlohmann::json()}});
        }
        if (parts.empty())
            in.reply.line("        No partitions on HSM '" + c.device.hsm_label +
                          "': create one with 'partition create -partition <name>'.");
        in.reply.data() = {{"slot", c.slot->id}, {"partitions", std::move(list)}};
        return {};
    }
};

}  // namespace

Commands partition_admin_commands() {
    Commands c;
    c.push_back(std::make_unique<PartitionCreate>());
    c.push_back(std::make_unique<PartitionDelete>());
    c.push_back(std::make_unique<PartitionList>());
    return c;
}

}  // namespace sr::cm
