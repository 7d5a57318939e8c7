// Partition capabilities and policies from srcm (luna-reference §1.7, §3; BEHAVIOUR.md
// "Policies"): shown from the engine's tables, changed by the Partition SO on PPSO / 7.x and by
// the HSM SO on pre-PPSO firmware (the legacy `-partition <name>` form on the admin slot).
#include "cm/partition_policy_commands.h"

#include <fmt/format.h>

#include <charconv>

#include "cm/role_support.h"
#include "hsm/policy.h"

namespace sr::cm {
namespace {

using shell::ValueKind;

std::string destructive_note(const hsm::PolicyDef& d) {
    if (d.destructive_off_to_on && d.destructive_on_to_off)
        return " (destructive when enabled or disabled)";
    if (d.destructive_off_to_on) return " (destructive when enabled)";
    if (d.destructive_on_to_off) return " (destructive when disabled)";
    return " (not destructive)";
}

Result<std::map<uint32_t, uint64_t>> policy_values(hsm::Device& dev, hsm::PartitionId p,
                                                   const hsm::FirmwareVersion& fw) {
    auto values = hsm::default_policy_values(hsm::partition_policies(), fw);
    SR_ASSIGN_OR_RETURN(std::vector<hsm::PolicyValue> stored, dev.partition_policies(p));
    for (const auto& v : stored) values[v.id] = v.value;
    return values;
}

// `-partition <name>` on an admin slot (the HSM SO's legacy LunaSH form): the partition it names.
Result<hsm::PartitionInfo> named_partition(const SlotContext& c, const std::string& name) {
    SR_ASSIGN_OR_RETURN(auto parts, c.dev().partitions());
    for (auto& p : parts)
        if (p.name == name || (p.initialized && p.label == name)) return std::move(p);
    return error(Err::ArgumentsBad,
                 "this HSM has no partition named '" + name + "' (see 'partition list')");
}

class PartitionShowPolicies final : public Command {
public:
    const shell::CommandSpec& spec() const override { return m_spec; }
    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(SlotContext c, slot_context(in, SlotNeed::Any, in.args.number("slot")));
        hsm::PartitionId partition = c.slot->partition;
        const auto name = in.args.text("partition");
        if (c.slot->admin()) {
            if (!name)
                return error(Err::ArgumentsBad,
                             fmt::format("slot {} is an HSM admin slot: name the partition with "
                                         "-partition <name> ('hsm showpolicies' shows the HSM's "
                                         "own)\nUsage: {}",
                                         c.slot->id, shell::Grammar::usage(m_spec)));
            SR_ASSIGN_OR_RETURN(hsm::PartitionInfo p, named_partition(c, *name));
            partition = p.id;
        } else if (name) {
            return error(Err::ArgumentsBad,
                         "-partition is for an HSM admin slot; on a partition slot the command "
                         "shows the current slot's policies\nUsage: " +
                             shell::Grammar::usage(m_spec));
        }
        const hsm::FirmwareVersion fw = c.device.firmware;
        SR_ASSIGN_OR_RETURN(auto values, policy_values(c.dev(), partition, fw));
        const bool verbose = in.args.has("verbose");
        nlohmann::json caps = nlohmann::json::array();
        nlohmann::json pols = nlohmann::json::array();
        in.reply.line("        Partition Capabilities");
        for (const hsm::PolicyDef& d : hsm::partition_policies()) {
            if (!hsm::applies_to(d, fw)) continue;
            in.reply.line(
                fmt::format("                {}: {} : {}", d.id, d.capability_name, d.capability));
            caps.push_back({{"id", d.id}, {"name", d.capability_name}, {"value", d.capability}});
        }
        in.reply.line();
        in.reply.line("        Partition Policies");
        for (const hsm::PolicyDef& d : hsm::partition_policies()) {
            if (!hsm::applies_to(d, fw) || d.capability == 0) continue;
            const uint64_t v = values[d.id];
            in.reply.line(fmt::format("                {}: {} : {}{}", d.id, d.policy_name, v,
                                      verbose ? destructive_note(d) : ""));
            nlohmann::json j{{"id", d.id}, {"name", d.policy_name}, {"value", v}};
            if (verbose) {
                j["destructive_off_to_on"] = d.destructive_off_to_on;
                j["destructive_on_to_off"] = d.destructive_on_to_off;
            }
            pols.push_back(std::move(j));
        }
        in.reply.data()["slot"] = c.slot->id;
        in.reply.data()["capabilities"] = std::move(caps);
        in.reply.data()["policies"] = std::move(pols);
        return {};
    }

private:
    const shell::CommandSpec m_spec{
        "partition",
        "par",
        "showpolicies",
        "",
        "Show a partition's capabilities and policies",
        "Prints the capabilities, then the policies whose capability is non-zero, as "
        "'ID: Name : value'. -verbose adds whether changing a policy is destructive (erases "
        "every object of the partition) when it is enabled or disabled. Needs no login. On an "
        "HSM admin slot, -partition <name> names the partition.",
        {{"slot", "s", ValueKind::Number, false, "<slot>", "The slot (default: the current slot)."},
         {"verbose", "v", ValueKind::Flag, false, "", "Show the destructive flags."},
         {"partition", "par", ValueKind::Text, false, "<name>",
          "On an HSM admin slot: the partition to show (the HSM SO's view)."}}};
};

template <typename T>
Result<std::vector<T>> numbers(const std::vector<std::string>& words, std::string_view option) {
    std::vector<T> out;
    for (const std::string& w : words) {
        T v{};
        auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
        if (ec != std::errc() || end != w.data() + w.size())
            return error(Err::ArgumentsBad, fmt::format("-{}: '{}' is not a number", option, w));
        out.push_back(v);
    }
    return out;
}

// The partition a change applies to.
struct Target {
    hsm::PartitionId partition = 0;
    std::string partition_name;
};

class PartitionChangePolicy final : public Command {
public:
    const shell::CommandSpec& spec() const override { return m_spec; }
    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(SlotContext c, slot_context(in, SlotNeed::Any));
        SR_ASSIGN_OR_RETURN(auto changes, requested_changes(in));
        SR_ASSIGN_OR_RETURN(Target t, c.slot->admin() ? admin_target(in, c) : own_target(in, c));

        const hsm::FirmwareVersion fw = c.device.firmware;
        SR_ASSIGN_OR_RETURN(auto current, policy_values(c.dev(), t.partition, fw));
        auto plan = hsm::plan_policy_change(hsm::partition_policies(), current, changes, fw);
        if (!plan) return explain(plan.status());
        if (plan->effective_changes.empty()) {
            in.reply.line("        No policy changes: every value is already as given.");
            in.reply.data()["changed"] = nlohmann::json::array();
            return {};
        }
        if (plan->destructive())
            SR_TRY(confirm(in, {"You are about to change a destructive partition policy.",
                                "All partition objects will be destroyed."}));
        std::vector<hsm::PolicyValue> values;
        for (const auto& [id, v] : plan->effective_changes) values.push_back({id, v});
        SR_ASSIGN_OR_RETURN(
            hsm::PolicyChangeResult r,
            c.dev().set_partition_policies(c.slot->device->app, t.partition, values));
        nlohmann::json changed = nlohmann::json::array();
        for (const auto& [id, v] : plan->effective_changes) {
            const hsm::PolicyDef* d = hsm::find_policy(hsm::partition_policies(), id);
            in.reply.line(fmt::format("        Policy {} ({}) changed from {} to {}.", id,
                                      d->policy_name, current[id], v));
            changed.push_back({{"id", id}, {"from", current[id]}, {"to", v}});
        }
        if (r.destructive)
            in.reply.line("        Every object of the partition was erased (destructive change).");
        in.reply.data()["partition"] = t.partition_name;
        in.reply.data()["changed"] = std::move(changed);
        in.reply.data()["destructive"] = r.destructive;
        return {};
    }

private:
    Result<std::vector<std::pair<uint32_t, uint64_t>>> requested_changes(Invocation& in) const {
        SR_ASSIGN_OR_RETURN(auto ids, numbers<uint32_t>(in.args.list("policy"), "policy"));
        SR_ASSIGN_OR_RETURN(auto vs, numbers<uint64_t>(in.args.list("value"), "value"));
        if (ids.empty() || ids.size() != vs.size())
            return error(Err::ArgumentsBad,
                         fmt::format("-policy names {} policies and -value gives {} values; give "
                                     "one value per policy (-policy 0,4 -value 1,1)\nUsage: {}",
                                     ids.size(), vs.size(), shell::Grammar::usage(m_spec)));
        std::vector<std::pair<uint32_t, uint64_t>> out;
        for (size_t i = 0; i < ids.size(); ++i) out.emplace_back(ids[i], vs[i]);
        return out;
    }

    // A partition slot: PPSO / 7.x policies are its Partition SO's; pre-PPSO ones the HSM SO's.
    Result<Target> own_target(Invocation& in, const SlotContext& c) const {
        if (in.args.has("partition"))
            return error(Err::ArgumentsBad,
                         "-partition is for the HSM SO on an admin slot; on a partition slot the "
                         "command changes the current slot's policies\nUsage: " +
                             shell::Grammar::usage(m_spec));
        if (c.generation == hsm::Generation::PrePpso) {
            SR_ASSIGN_OR_RETURN(hsm::PartitionInfo p, c.dev().partition_info(c.slot->partition));
            return error(Err::UserNotAuthorized,
                         fmt::format("slot {} is a pre-PPSO partition (firmware {}): its policies "
                                     "are the HSM SO's. Type 'slot set -slot {}', 'hsm login', "
                                     "then 'partition changepolicy -partition {} -policy ... "
                                     "-value ...'",
                                     c.slot->id, c.device.firmware.to_string(),
                                     admin_slot_id(in, c), p.name));
        }
        SR_TRY(require_role(in, c, hsm::Role::PartitionSo, "change partition policies"));
        return Target{c.slot->partition, std::to_string(c.slot->id)};
    }

    // The admin slot: the legacy LunaSH form, `-partition <name>` with the HSM SO logged in.
    Result<Target> admin_target(Invocation& in, const SlotContext& c) const {
        auto name = in.args.text("partition");
        if (!name)
            return error(Err::ArgumentsBad,
                         "on an HSM admin slot, name the partition: -partition <name>\nUsage: " +
                             shell::Grammar::usage(m_spec));
        SR_ASSIGN_OR_RETURN(hsm::PartitionInfo found, named_partition(c, *name));
        if (c.generation != hsm::Generation::PrePpso)
            return error(
                Err::UserNotAuthorized,
                fmt::format("on firmware {} partition policies are the Partition SO's: "
                            "type 'slot set -slot {}', 'role login -name {}', then "
                            "'partition changepolicy -policy ... -value ...'",
                            c.device.firmware.to_string(), partition_slot_id(in, c, found.id),
                            typed_role_name(c.generation, hsm::Role::PartitionSo)));
        SR_TRY(require_role(in, c, hsm::Role::HsmSo, "change a pre-PPSO partition's policies"));
        return Target{found.id, found.name};
    }

    static Status explain(const Status& st) {
        if (st.code() != Err::ConfigFailsDependencies) return st;
        return error(st.code(),
                     st.message() +
                         ": a partition is in cloning mode (0=1, 1=0) or key-export mode (0=0, "
                         "1=1), never both; switch in one command, e.g. -policy 0,1 -value 0,1");
    }

    const shell::CommandSpec m_spec{
        "partition",
        "par",
        "changepolicy",
        "changepo",
        "Change partition policies",
        "Sets one or more partition policies (-policy 33,37,40 -value 0,1,1). PPSO and 7.x: the "
        "Partition SO must be logged in on the partition slot. Pre-PPSO: the HSM SO changes them "
        "from the HSM's admin slot with -partition <name>. A destructive change erases every "
        "object of the partition and asks for 'proceed' unless -force is given. Policies 0 and 1 "
        "cannot both be 1 (CKR_CONFIG_FAILS_DEPENDENCIES).",
        {{"policy", "p", ValueKind::List, true, "<ids>", "Policy ids, comma-separated."},
         {"value", "v", ValueKind::List, true, "<values>", "One value per policy id."},
         {"partition", "par", ValueKind::Text, false, "<name>",
          "Admin slot, pre-PPSO only: the partition whose policies the HSM SO changes."},
         {"force", "f", ValueKind::Flag, false, "", "Do not ask for confirmation."}}};
};

}  // namespace

Commands partition_policy_commands() {
    Commands c;
    c.push_back(std::make_unique<PartitionShowPolicies>());
    c.push_back(std::make_unique<PartitionChangePolicy>());
    return c;
}

}  // namespace sr::cm
