// `role list`, `role login`, `role logout` and `role show` (luna-reference §1.5, §4; BEHAVIOUR.md
// "Firmware personalities"): who may log in on a slot and under which name, one login per slot.
// The credential commands (init, changepw, resetpw, createchallenge) are in
// role_credential_commands.cpp.
#include <fmt/format.h>

#include "cm/commands.h"
#include "cm/role_credential_commands.h"
#include "cm/role_support.h"
#include "hsm/policy.h"

namespace sr::cm {
namespace {

using shell::ValueKind;

std::string yes_no(bool b) {
    return b ? "yes" : "no";
}

std::span<const hsm::Role> slot_roles(const SlotContext& c) {
    return c.slot->admin() ? hsm::hsm_roles(c.device.firmware)
                           : hsm::partition_roles(c.device.firmware);
}

std::string naming_rule(const SlotContext& c) {
    if (c.slot->admin()) return "log in to the admin slot with 'hsm login'";
    switch (c.generation) {
        case hsm::Generation::PrePpso:
            return "pre-PPSO: the partition owner only; log in with 'partition login'";
        case hsm::Generation::Ppso:
            return "PPSO: type the full names, exactly as shown (case-sensitive)";
        case hsm::Generation::Luna7:
            return "7.x: short or full names, in any case";
    }
    return {};
}

class RoleList final : public Command {
public:
    const shell::CommandSpec& spec() const override { return m_spec; }
    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(SlotContext c, slot_context(in, SlotNeed::Any));
        in.reply.line(fmt::format("        Roles of slot {} (firmware {}; {}):", c.slot->id,
                                  c.device.firmware.to_string(), naming_rule(c)));
        nlohmann::json roles = nlohmann::json::array();
        for (hsm::Role r : slot_roles(c)) {
            if (c.slot->admin() && hsm::role_short_name(r).empty()) continue;
            const std::string display(hsm::role_display_name(r));
            const std::string how = login_command(c, r);
            in.reply.line(fmt::format("                {:<24}{}", display, how));
            roles.push_back({{"role", display}, {"login", how}});
        }
        in.reply.data()["slot"] = c.slot->id;
        in.reply.data()["roles"] = std::move(roles);
        return {};
    }

private:
    const shell::CommandSpec m_spec{
        "role",
        "",
        "list",
        "",
        "List the roles of the current slot",
        "Shows each role the current slot has and the command that logs it in, per firmware: "
        "pre-PPSO partitions have only their owner ('partition login'), PPSO 6.22+ full names "
        "only, 7.x short or full names.",
        {}};
};

class RoleLogin final : public Command {
public:
    const shell::CommandSpec& spec() const override { return m_spec; }
    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(SlotContext c, slot_context(in, SlotNeed::Any));
        SR_ASSIGN_OR_RETURN(
            hsm::Role role,
            resolve_role(c, *in.args.text("name"), "log in as the owner with 'partition login'"));
        const std::string display(hsm::role_display_name(role));
        SR_ASSIGN_OR_RETURN(std::string pw,
                            secret_option(in, "password", "password for " + display, false));
        std::optional<hsm::Role> replaced;
        SR_TRY(login_replacing(in, c, role, pw, &replaced));
        if (replaced)
            in.reply.line(fmt::format("        The {} was logged out first.",
                                      hsm::role_display_name(*replaced)));
        in.reply.line(fmt::format("        The {} is logged in on slot {}.", display, c.slot->id));
        SR_ASSIGN_OR_RETURN(hsm::RoleState st, c.dev().role_state(c.slot->partition, role));
        if (st.must_change_password)
            in.reply.line(
                fmt::format("        Its password was set by another role: change it "
                            "with 'role changepw -name {}'.",
                            typed_role_name(c.generation, role)));
        in.reply.data()["slot"] = c.slot->id;
        in.reply.data()["role"] = display;
        in.reply.data()["replaced"] =
            replaced ? nlohmann::json(std::string(hsm::role_display_name(*replaced)))
                     : nlohmann::json();
        in.reply.data()["must_change_password"] = st.must_change_password;
        return {};
    }

private:
    const shell::CommandSpec m_spec{
        "role",
        "",
        "login",
        "",
        "Log a role in on the current slot",
        "Logs the named role in on the current slot; whoever was logged in there is logged out "
        "first (each slot keeps one login). Names: PPSO 6.22+ full names only ('Crypto "
        "Officer'), 7.x also po/co/cu/lco/au in any case; pre-PPSO partitions use 'partition "
        "login'. The password is asked for when not given.",
        {{"name", "n", ValueKind::Text, true, "<role>",
          "The role: po, co, cu, Crypto Officer, ..."},
         {"password", "p", ValueKind::Secret, false, "<password>", "The role's password."}}};
};

class RoleLogout final : public Command {
public:
    const shell::CommandSpec& spec() const override { return m_spec; }
    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(SlotContext c, slot_context(in, SlotNeed::Any));
        SR_ASSIGN_OR_RETURN(std::optional<hsm::Role> who, current_login(in, c));
        if (!who)
            return error(Err::UserNotLoggedIn,
                         fmt::format("nobody is logged in on slot {}", c.slot->id));
        SR_TRY(c.dev().logout(c.sid()));
        in.reply.line(fmt::format("        The {} is logged out of slot {}.",
                                  hsm::role_display_name(*who), c.slot->id));
        in.reply.data()["slot"] = c.slot->id;
        in.reply.data()["role"] = std::string(hsm::role_display_name(*who));
        return {};
    }

private:
    const shell::CommandSpec m_spec{
        "role", "", "logout", "", "Log out whoever is logged in on the current slot", "", {}};
};

class RoleShow final : public Command {
public:
    const shell::CommandSpec& spec() const override { return m_spec; }
    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(SlotContext c, slot_context(in, SlotNeed::Any));
        SR_ASSIGN_OR_RETURN(
            hsm::Role role,
            resolve_role(c, *in.args.text("name"), "'partition showinfo' shows the owner's state"));
        SR_ASSIGN_OR_RETURN(hsm::RoleState st, c.dev().role_state(c.slot->partition, role));
        std::map<uint32_t, uint64_t> values;
        if (!c.slot->admin()) {
            SR_ASSIGN_OR_RETURN(auto stored, c.dev().partition_policies(c.slot->partition));
            for (const auto& v : stored) values[v.id] = v.value;
        }
        const uint32_t threshold = hsm::lockout_threshold(role, values);
        SR_ASSIGN_OR_RETURN(std::optional<hsm::Role> who, current_login(in, c));
        const std::string display(hsm::role_display_name(role));
        in.reply.line(arrow_line("Role", display, 28));
        in.reply.line(arrow_line("Initialized", yes_no(st.initialized), 28));
        in.reply.line(arrow_line("Failed login attempts",
                                 fmt::format("{} (lockout after {})", st.failed_logins, threshold),
                                 28));
        in.reply.line(arrow_line("Locked out", yes_no(st.locked_out), 28));
        in.reply.line(arrow_line("Must change password", yes_no(st.must_change_password), 28));
        in.reply.line(arrow_line("Logged in", yes_no(who == role), 28));
        nlohmann::json& d = in.reply.data();
        d["slot"] = c.slot->id;
        d["role"] = display;
        d["initialized"] = st.initialized;
        d["failed_logins"] = st.failed_logins;
        d["lockout_threshold"] = threshold;
        d["locked_out"] = st.locked_out;
        d["must_change_password"] = st.must_change_password;
        d["logged_in"] = who == role;
        return {};
    }

private:
    const shell::CommandSpec m_spec{
        "role",
        "",
        "show",
        "",
        "Show a role's state",
        "Whether the role is initialized, its consecutive failed logins and the lockout "
        "threshold (partition policy 20 for the Crypto Officer and Crypto User), whether it is "
        "locked out, whether its password must be changed, and whether it is logged in here.",
        {{"name", "n", ValueKind::Text, true, "<role>", "The role."}}};
};

}  // namespace

Commands role_commands() {
    Commands c;
    c.push_back(std::make_unique<RoleList>());
    c.push_back(std::make_unique<RoleLogin>());
    c.push_back(std::make_unique<RoleLogout>());
    for (auto& r : role_credential_commands()) c.push_back(std::move(r));
    c.push_back(std::make_unique<RoleShow>());
    return c;
}

}  // namespace sr::cm
