// `hsm showpolicies` / `hsm changepolicy` and `partition showpolicies` / `partition
// changepolicy` (luna-reference §2.4, §3; BEHAVIOUR.md "Policies"), from the engine's policy
// tables. HSM policies are the HSM SO's; partition policies are the HSM SO's on pre-PPSO
// firmware and the Partition SO's (-psopin) on PPSO and 7.x.
#include <fmt/format.h>

#include <charconv>
#include <map>

#include "appliance/srsh_commands.h"
#include "hsm/policy.h"

namespace sr::appliance::srsh {
namespace {

using shell::ValueKind;
using Changes = std::vector<std::pair<uint32_t, uint64_t>>;
using Values = std::map<uint32_t, uint64_t>;

std::string destructive_note(const hsm::PolicyDef& d) {
    if (d.destructive_off_to_on && d.destructive_on_to_off)
        return " (destructive when enabled or disabled)";
    if (d.destructive_off_to_on) return " (destructive when enabled)";
    if (d.destructive_on_to_off) return " (destructive when disabled)";
    return " (not destructive)";
}

// The authentication type is fixed when the device is made, so its capability is its value.
uint64_t capability_of(const hsm::PolicyDef& d, const Values& values, bool hsm_table) {
    if (hsm_table && (d.id == hsm::hsm_policy::kPinAuthentication ||
                      d.id == hsm::hsm_policy::kPedAuthentication)) {
        auto it = values.find(d.id);
        return it == values.end() ? d.capability : it->second;
    }
    return d.capability;
}

// `ID: Name : value` for the capabilities, then for the policies whose capability is non-zero.
void print_policies(Invocation& in, std::string_view title, std::span<const hsm::PolicyDef> table,
                    const Values& values, const hsm::FirmwareVersion& fw, bool hsm_table) {
    const bool verbose = in.args.has("verbose");
    nlohmann::json caps = nlohmann::json::array();
    nlohmann::json pols = nlohmann::json::array();
    in.reply.line(fmt::format("   {} Capabilities", title));
    for (const hsm::PolicyDef& d : table) {
        if (!hsm::applies_to(d, fw)) continue;
        const uint64_t cap = capability_of(d, values, hsm_table);
        in.reply.line(fmt::format("      {}: {} : {}", d.id, d.capability_name, cap));
        caps.push_back({{"id", d.id}, {"name", d.capability_name}, {"value", cap}});
    }
    in.reply.line();
    in.reply.line(fmt::format("   {} Policies", title));
    for (const hsm::PolicyDef& d : table) {
        if (!hsm::applies_to(d, fw) || capability_of(d, values, hsm_table) == 0) continue;
        auto it = values.find(d.id);
        const uint64_t v = it == values.end() ? d.default_value : it->second;
        in.reply.line(fmt::format("      {}: {} : {}{}", d.id, d.policy_name, v,
                                  verbose ? destructive_note(d) : ""));
        pols.push_back({{"id", d.id},
                        {"name", d.policy_name},
                        {"value", v},
                        {"destructive_off_to_on", d.destructive_off_to_on},
                        {"destructive_on_to_off", d.destructive_on_to_off}});
    }
    in.reply.data()["capabilities"] = std::move(caps);
    in.reply.data()["policies"] = std::move(pols);
}

Values to_values(std::span<const hsm::PolicyDef> table, const hsm::FirmwareVersion& fw,
                 const std::vector<hsm::PolicyValue>& stored) {
    Values v = hsm::default_policy_values(table, fw);
    for (const auto& p : stored) v[p.id] = p.value;
    return v;
}

Result<Changes> requested_changes(const shell::Arguments& args, std::string_view show_command) {
    const auto ids = args.list("policy");
    const auto values = args.list("value");
    if (ids.empty() || ids.size() != values.size())
        return error(Err::ArgumentsBad,
                     fmt::format("-policy names {} polic{} and -value gives {} value{}: give one "
                                 "value per policy, e.g. -policy 7,16 -value 1,1",
                                 ids.size(), ids.size() == 1 ? "y" : "ies", values.size(),
                                 values.size() == 1 ? "" : "s"));
    Changes out;
    for (size_t i = 0; i < ids.size(); ++i) {
        uint32_t id = 0;
        uint64_t v = 0;
        auto [e1, ec1] = std::from_chars(ids[i].data(), ids[i].data() + ids[i].size(), id);
        auto [e2, ec2] = std::from_chars(values[i].data(), values[i].data() + values[i].size(), v);
        if (ec1 != std::errc() || e1 != ids[i].data() + ids[i].size())
            return error(Err::ArgumentsBad, fmt::format("-policy: '{}' is not a policy id; '{}' "
                                                        "lists them",
                                                        ids[i], show_command));
        if (ec2 != std::errc() || e2 != values[i].data() + values[i].size())
            return error(Err::ArgumentsBad, fmt::format("-value: '{}' is not a number", values[i]));
        out.emplace_back(id, v);
    }
    return out;
}

// The plan, with the table's refusals explained in the operator's terms.
Result<hsm::PolicyChangePlan> plan(std::span<const hsm::PolicyDef> table, const Values& current,
                                   const Changes& changes, const hsm::FirmwareVersion& fw,
                                   std::string_view show_command) {
    auto p = hsm::plan_policy_change(table, current, changes, fw);
    if (p) return p;
    const Status& st = p.status();
    if (st.code() == Err::ArgumentsBad)
        return error(st.code(), st.message() + "; '" + std::string(show_command) + "' lists them");
    if (st.code() == Err::ConfigFailsDependencies)
        return error(st.code(), st.message() +
                                    ": a partition is in cloning mode (0=1, 1=0) or key-export "
                                    "mode (0=0, 1=1), never both; switch in one command, e.g. "
                                    "-policy 0,1 -value 0,1");
    return st;
}

void report_changes(Invocation& in, std::span<const hsm::PolicyDef> table, const Values& current,
                    const hsm::PolicyChangePlan& p, bool destructive) {
    nlohmann::json changed = nlohmann::json::array();
    for (const auto& [id, v] : p.effective_changes) {
        const hsm::PolicyDef* d = hsm::find_policy(table, id);
        const uint64_t from = current.count(id) ? current.at(id) : 0;
        in.reply.line(
            fmt::format("   Policy {} ({}) changed from {} to {}.", id, d->policy_name, from, v));
        changed.push_back({{"id", id}, {"from", from}, {"to", v}});
    }
    if (p.effective_changes.empty())
        in.reply.line("   No policy changes: every value is already as given.");
    in.reply.data()["changed"] = std::move(changed);
    in.reply.data()["destructive"] = destructive;
}

std::vector<hsm::PolicyValue> to_policy_values(const hsm::PolicyChangePlan& p) {
    std::vector<hsm::PolicyValue> out;
    for (const auto& [id, v] : p.effective_changes) out.push_back({id, v});
    return out;
}

shell::OptionSpec verbose_option() {
    return {"verbose", "v", ValueKind::Flag, false, "", "Show which changes are destructive."};
}
shell::OptionSpec policy_option() {
    return {"policy", "po", ValueKind::List, true, "<ids>", "Policy ids: 7, or 7,16."};
}
shell::OptionSpec value_option() {
    return {"value", "v", ValueKind::List, true, "<values>", "One value per id: 1, or 1,1."};
}

class HsmShowPolicies final : public SpecCommand {
  public:
    HsmShowPolicies()
        : SpecCommand({"hsm",
                       "",
                       "showpolicies",
                       "",
                       "Show the HSM's capabilities and policies",
                       "Prints the HSM capabilities, then the HSM policies whose capability is "
                       "not zero, as 'ID: Name : value'. -verbose adds whether changing each "
                       "policy is destructive (erases every partition) when enabled or disabled. "
                       "Needs no login.",
                       {verbose_option()}},
                      {"hsm showpolicies", "hsm showpolicies -verbose"}) {}

    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(hsm::DeviceInfo d, in.state.device().info());
        SR_ASSIGN_OR_RETURN(auto stored, in.state.device().hsm_policies());
        const Values values = to_values(hsm::hsm_policies(), d.firmware, stored);
        print_policies(in, "HSM", hsm::hsm_policies(), values, d.firmware, true);
        return {};
    }
};

class HsmChangePolicy final : public SpecCommand {
  public:
    HsmChangePolicy()
        : SpecCommand({"hsm",
                       "",
                       "changepolicy",
                       "changepo",
                       "Change HSM policies",
                       "Sets one or more HSM policies (comma-separated, one value per id; see "
                       "'hsm showpolicies'). The HSM SO must be logged in. A policy cannot be "
                       "set above its capability. A destructive change (turning on 15, SO can "
                       "reset partition PIN) erases every partition and its objects, so it asks "
                       "for 'proceed' unless -force is given.",
                       {policy_option(), value_option(), force_option()}},
                      {"hsm changepolicy -policy 16 -value 0", "hsm changepo -po 7,16 -v 1,1"}) {}

    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(Changes changes, requested_changes(in.args, "hsm showpolicies"));
        SR_TRY(require_hsm_so(in, "hsm changepolicy"));
        SR_ASSIGN_OR_RETURN(hsm::DeviceInfo d, in.state.device().info());
        SR_ASSIGN_OR_RETURN(auto stored, in.state.device().hsm_policies());
        const Values current = to_values(hsm::hsm_policies(), d.firmware, stored);
        SR_ASSIGN_OR_RETURN(
            auto p, plan(hsm::hsm_policies(), current, changes, d.firmware, "hsm showpolicies"));
        if (p.destructive())
            SR_TRY(confirm(in,
                           {"CAUTION: this policy change is destructive.",
                            "All partitions on the HSM and their contents will be erased."},
                           "change the policy"));
        hsm::PolicyChangeResult r;
        if (!p.effective_changes.empty()) {
            SR_ASSIGN_OR_RETURN(
                r, in.state.device().set_hsm_policies(in.state.app(), to_policy_values(p)));
        }
        report_changes(in, hsm::hsm_policies(), current, p, r.destructive);
        if (r.destructive) in.reply.line("   Every partition on the HSM was erased.");
        return {};
    }
};

class PartitionShowPolicies final : public SpecCommand {
  public:
    PartitionShowPolicies()
        : SpecCommand({"partition",
                       "par",
                       "showpolicies",
                       "",
                       "Show a partition's capabilities and policies",
                       "Prints the partition's capabilities, then its policies whose capability "
                       "is not zero, as 'ID: Name : value'. -verbose adds whether changing each "
                       "policy is destructive (erases every object of the partition) when "
                       "enabled or disabled. Needs no login.",
                       {{"partition", "par", ValueKind::Text, true, "<name>",
                         "The partition name ('partition list')."},
                        verbose_option()}},
                      {"partition showpolicies -partition par1 -verbose"}) {}

    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(hsm::PartitionInfo p, partition_named(in, *in.args.text("partition")));
        SR_ASSIGN_OR_RETURN(hsm::DeviceInfo d, in.state.device().info());
        SR_ASSIGN_OR_RETURN(auto stored, in.state.device().partition_policies(p.id));
        const Values values = to_values(hsm::partition_policies(), d.firmware, stored);
        in.reply.data()["partition"] = p.name;
        print_policies(in, "Partition", hsm::partition_policies(), values, d.firmware, false);
        return {};
    }
};

class PartitionChangePolicy final : public SpecCommand {
  public:
    PartitionChangePolicy()
        : SpecCommand(
              {"partition",
               "par",
               "changepolicy",
               "changepo",
               "Change a partition's policies",
               "Sets one or more policies of the named partition (-policy 0,4 -value 1,1; see "
               "'partition showpolicies'). Pre-PPSO firmware (5.x, 6.0-6.21): the HSM SO makes "
               "the change and must be logged in ('hsm login'). PPSO and 7.x: the change is the "
               "Partition SO's, whose password is -psopin (asked for when not given); the HSM "
               "SO login is not needed. A destructive change erases every object of the "
               "partition and asks for 'proceed' unless -force is given. Policies 0 and 1 can "
               "never both be 1 (CKR_CONFIG_FAILS_DEPENDENCIES).",
               {{"partition", "par", ValueKind::Text, true, "<name>",
                 "The partition name ('partition list')."},
                policy_option(),
                value_option(),
                {"psopin", "ps", ValueKind::Secret, false, "<password>",
                 "PPSO and 7.x: the Partition SO password."},
                force_option()}},
              {"partition changepolicy -partition par5 -policy 23 -value 1   (pre-PPSO, HSM SO "
               "logged in)",
               "par changepo -par par1 -po 0,1 -v 0,1 -psopin <password>   (7.x: key-export "
               "mode)"}) {}

    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(Changes changes, requested_changes(in.args, "partition showpolicies"));
        SR_ASSIGN_OR_RETURN(hsm::PartitionInfo p, partition_named(in, *in.args.text("partition")));
        SR_ASSIGN_OR_RETURN(hsm::DeviceInfo d, in.state.device().info());
        const bool legacy = hsm::generation(d.firmware) == hsm::Generation::PrePpso;
        if (legacy && in.args.has("psopin"))
            return error(Err::ArgumentsBad,
                         "pre-PPSO partitions have no Partition SO: their policies are the HSM "
                         "SO's ('hsm login'), so -psopin does not apply");
        if (legacy) SR_TRY(require_hsm_so(in, "partition changepolicy"));
        if (!legacy && !p.initialized)
            return error(Err::PartitionNotInitialized,
                         "partition '" + p.name +
                             "' is not initialized: it has no Partition SO "
                             "yet ('partition init' from a client sets one)");
        SR_ASSIGN_OR_RETURN(auto stored, in.state.device().partition_policies(p.id));
        const Values current = to_values(hsm::partition_policies(), d.firmware, stored);
        SR_ASSIGN_OR_RETURN(auto pl, plan(hsm::partition_policies(), current, changes, d.firmware,
                                          "partition showpolicies"));
        if (pl.destructive())
            SR_TRY(confirm(in,
                           {"CAUTION: this policy change is destructive.",
                            "All objects in partition '" + p.name + "' will be erased."},
                           "change the policy"));
        hsm::PolicyChangeResult r;
        if (!pl.effective_changes.empty()) {
            if (legacy) {
                SR_ASSIGN_OR_RETURN(r, in.state.device().set_partition_policies(
                                           in.state.app(), p.id, to_policy_values(pl)));
            } else {
                SR_ASSIGN_OR_RETURN(r, as_partition_so(in, p, to_policy_values(pl)));
            }
        }
        in.reply.data()["partition"] = p.name;
        report_changes(in, hsm::partition_policies(), current, pl, r.destructive);
        if (r.destructive) in.reply.line("   Every object of the partition was erased.");
        return {};
    }

  private:
    // A session of this shell's app on the partition, logged in as its Partition SO for the
    // one change; closing it ends that login.
    static Result<hsm::PolicyChangeResult> as_partition_so(
        Invocation& in, const hsm::PartitionInfo& p, const std::vector<hsm::PolicyValue>& values) {
        SR_ASSIGN_OR_RETURN(
            std::string pin,
            secret_option(in, "psopin", "Please enter the Partition SO password:", false));
        hsm::Device& dev = in.state.device();
        SR_ASSIGN_OR_RETURN(hsm::SessionId s, dev.open_session(in.state.app(), p.id, true));
        Status st = dev.login(s, hsm::Role::PartitionSo, pin);
        Result<hsm::PolicyChangeResult> r =
            st.is_ok() ? dev.set_partition_policies(in.state.app(), p.id, values)
                       : Result<hsm::PolicyChangeResult>(st);
        (void)dev.close_session(s);
        return r;
    }
};

}  // namespace

Commands hsm_policy_commands() {
    Commands c;
    c.push_back(std::make_unique<HsmShowPolicies>());
    c.push_back(std::make_unique<HsmChangePolicy>());
    return c;
}

Commands partition_policy_commands() {
    Commands c;
    c.push_back(std::make_unique<PartitionShowPolicies>());
    c.push_back(std::make_unique<PartitionChangePolicy>());
    return c;
}

}  // namespace sr::appliance::srsh
