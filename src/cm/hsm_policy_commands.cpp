// `hsm showpolicies [-verbose]` and `hsm changepolicy -policy <ids> -value <values> [-force]`
// (luna-reference §1.7, §2.4, §3.3): HSM capabilities and policies from the engine's tables.
#include <fmt/format.h>

#include <charconv>

#include "cm/hsm_admin.h"
#include "hsm/policy.h"

namespace sr::cm::admin {
namespace {

using shell::ValueKind;

std::map<uint32_t, uint64_t> to_map(const std::vector<hsm::PolicyValue>& values) {
    std::map<uint32_t, uint64_t> m;
    for (const auto& v : values) m[v.id] = v.value;
    return m;
}

// The authentication type is fixed when the device is made, so its capability is its value.
uint64_t capability_of(const hsm::PolicyDef& def, const std::map<uint32_t, uint64_t>& values) {
    if (def.id == hsm::hsm_policy::kPinAuthentication ||
        def.id == hsm::hsm_policy::kPedAuthentication) {
        auto it = values.find(def.id);
        return it == values.end() ? def.capability : it->second;
    }
    return def.capability;
}

std::string destructive_note(const hsm::PolicyDef& def) {
    return fmt::format(" (destructive when enabled: {}, when disabled: {})",
                       def.destructive_off_to_on ? "yes" : "no",
                       def.destructive_on_to_off ? "yes" : "no");
}

class HsmShowPolicies final : public SpecCommand {
  public:
    HsmShowPolicies()
        : SpecCommand(
              {"hsm",
               "",
               "showpolicies",
               "",
               "Show the HSM's capabilities and policies",
               "Prints the HSM capabilities, then the HSM policies, as 'ID: Name : value'. A "
               "policy can be set at most as permissive as its capability; only policies whose "
               "capability is not zero are listed. -verbose adds whether changing each policy "
               "is destructive (erases every partition) when enabled or when disabled.",
               {{"verbose", "v", ValueKind::Flag, false, "",
                 "Show which changes are destructive."}}}) {}

    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(SlotContext c, admin_slot(in, "hsm showpolicies"));
        SR_ASSIGN_OR_RETURN(auto values_list, c.dev().hsm_policies());
        const auto values = to_map(values_list);
        const bool verbose = in.args.has("verbose");
        nlohmann::json caps = nlohmann::json::array();
        nlohmann::json pols = nlohmann::json::array();
        in.reply.line("        HSM Capabilities");
        std::vector<const hsm::PolicyDef*> listed;
        for (const hsm::PolicyDef& def : hsm::hsm_policies()) {
            if (!hsm::applies_to(def, c.device.firmware)) continue;
            const uint64_t cap = capability_of(def, values);
            in.reply.line(
                fmt::format("                {}: {} : {}", def.id, def.capability_name, cap));
            caps.push_back({{"id", def.id}, {"name", def.capability_name}, {"value", cap}});
            if (cap != 0) listed.push_back(&def);
        }
        in.reply.line();
        in.reply.line("        HSM Policies");
        for (const hsm::PolicyDef* def : listed) {
            auto it = values.find(def->id);
            const uint64_t v = it == values.end() ? def->default_value : it->second;
            in.reply.line(fmt::format("                {}: {} : {}{}", def->id, def->policy_name, v,
                                      verbose ? destructive_note(*def) : ""));
            pols.push_back({{"id", def->id},
                            {"name", def->policy_name},
                            {"value", v},
                            {"destructive_off_to_on", def->destructive_off_to_on},
                            {"destructive_on_to_off", def->destructive_on_to_off}});
        }
        in.reply.data() = {{"slot", c.slot->id}, {"capabilities", caps}, {"policies", pols}};
        return {};
    }
};

Result<uint64_t> parse_number(const std::string& text, std::string_view what) {
    uint64_t v = 0;
    const char* end = text.data() + text.size();
    auto [p, ec] = std::from_chars(text.data(), end, v);
    if (text.empty() || ec != std::errc() || p != end)
        return error(Err::ArgumentsBad,
                     "'" + text + "' is not a " + std::string(what) + " (a decimal number)");
    return v;
}

Result<std::vector<std::pair<uint32_t, uint64_t>>> requested_changes(const shell::Arguments& a) {
    const auto ids = a.list("policy");
    const auto values = a.list("value");
    if (ids.size() != values.size())
        return error(Err::ArgumentsBad,
                     fmt::format("-policy names {} polic{} but -value gives {} value{}: give one "
                                 "value per policy, e.g. -policy 7,16 -value 1,1",
                                 ids.size(), ids.size() == 1 ? "y" : "ies", values.size(),
                                 values.size() == 1 ? "" : "s"));
    std::vector<std::pair<uint32_t, uint64_t>> out;
    for (size_t i = 0; i < ids.size(); ++i) {
        SR_ASSIGN_OR_RETURN(uint64_t id, parse_number(ids[i], "policy id"));
        SR_ASSIGN_OR_RETURN(uint64_t v, parse_number(values[i], "policy value"));
        if (id > UINT32_MAX)
            return error(Err::ArgumentsBad,
                         "no policy with id " + ids[i] + "; 'hsm showpolicies' lists them");
        out.emplace_back(static_cast<uint32_t>(id), v);
    }
    return out;
}

class HsmChangePolicy final : public SpecCommand {
  public:
    HsmChangePolicy()
        : SpecCommand(
              {"hsm",
               "",
               "changepolicy",
               "changepo",
               "Change HSM policies",
               "Sets one or more HSM policies (comma-separated lists, one value per id; see "
               "'hsm showpolicies'). The HSM SO must be logged in. A policy cannot be set above "
               "its capability. A destructive change (e.g. turning on 15, SO can reset partition "
               "PIN) erases every partition and its objects, so it asks for 'proceed' unless "
               "-force is given.",
               {{"policy", "p", ValueKind::List, true, "<ids>", "Policy ids: 7 or 7,16."},
                {"value", "v", ValueKind::List, true, "<values>", "New values: 1 or 1,1."},
                {"force", "f", ValueKind::Flag, false, "", "Do not ask for confirmation."}}}) {}

    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(SlotContext c, admin_slot(in, "hsm changepolicy"));
        SR_ASSIGN_OR_RETURN(auto changes, requested_changes(in.args));
        SR_TRY(require_hsm_so(in, c, "hsm changepolicy"));
        SR_ASSIGN_OR_RETURN(auto current_list, c.dev().hsm_policies());
        const auto current = to_map(current_list);
        auto plan =
            hsm::plan_policy_change(hsm::hsm_policies(), current, changes, c.device.firmware);
        if (!plan) {
            const Status& st = plan.status();
            if (st.code() == Err::ArgumentsBad)
                return error(st.code(), st.message() + "; 'hsm showpolicies' lists them");
            return st;
        }
        if (plan->destructive()) {
            std::string which;
            for (uint32_t id : plan->destructive_ids) {
                const hsm::PolicyDef* def = hsm::find_policy(hsm::hsm_policies(), id);
                which += fmt::format("{}{} ({}) {} -> {}", which.empty() ? "" : ", ", id,
                                     def->policy_name, current.count(id) ? current.at(id) : 0,
                                     plan->new_values.at(id));
            }
            const std::string first =
                "You are about to change destructive HSM policies: " + which + ".";
            SR_TRY(confirm(in, {first,
                                "All partitions on the HSM and their contents will be "
                                "erased."}));
        }
        std::vector<hsm::PolicyValue> values;
        for (const auto& [id, v] : changes) values.push_back({id, v});
        SR_ASSIGN_OR_RETURN(auto result, c.dev().set_hsm_policies(c.slot->device->app, values));
        nlohmann::json set = nlohmann::json::array();
        for (const auto& [id, v] : changes) {
            const hsm::PolicyDef* def = hsm::find_policy(hsm::hsm_policies(), id);
            in.reply.line(fmt::format("        Policy {} ({}) set to {}", id, def->policy_name, v));
            set.push_back({{"id", id}, {"value", v}});
        }
        in.reply.data() = {
            {"slot", c.slot->id}, {"changed", set}, {"destructive", result.destructive}};
        if (!result.destructive) return {};
        in.reply.line("        Every partition on the HSM and its contents were erased.");
        return in.state.renumber();
    }
};

}  // namespace

std::vector<std::unique_ptr<Command>> hsm_policy_commands() {
    std::vector<std::unique_ptr<Command>> c;
    c.push_back(std::make_unique<HsmShowPolicies>());
    c.push_back(std::make_unique<HsmChangePolicy>());
    return c;
}

}  // namespace sr::cm::admin
