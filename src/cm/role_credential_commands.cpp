// Role credentials from srcm (luna-reference §1.5, §4.1, §4.4): the Partition SO initializes the
// Crypto Officer, the Crypto Officer the Crypto User; a logged-in role changes its own password;
// resets follow the same authority (the CO's only with HSM policy 15). Challenge secrets belong
// to PED partitions, which this version emulates with passwords only.
#include "cm/role_credential_commands.h"

#include <fmt/format.h>

#include "cm/role_support.h"

namespace sr::cm {
namespace {

using shell::ValueKind;

// Who initializes and resets whom (the engine enforces the same table; this one names the login
// the operator needs in a refusal).
struct Authority {
    hsm::Role target;
    hsm::Role by;
};
constexpr Authority kAuthority[] = {
    {hsm::Role::CryptoOfficer, hsm::Role::PartitionSo},
    {hsm::Role::CryptoUser, hsm::Role::CryptoOfficer},
    {hsm::Role::LimitedCryptoOfficer, hsm::Role::CryptoOfficer},
    {hsm::Role::Auditor, hsm::Role::PartitionSo},
};

Result<hsm::Role> authority_over(const SlotContext& c, hsm::Role target) {
    for (const auto& a : kAuthority)
        if (a.target == target) return a.by;
    if (target == hsm::Role::PartitionSo)
        return error(Err::UserTypeInvalid,
                     "the Partition SO is set by 'partition init'; change its password with "
                     "'role changepw -name " +
                         typed_role_name(c.generation, target) + "'");
    return error(Err::UserTypeInvalid, std::string("the ") +
                                           std::string(hsm::role_display_name(target)) +
                                           " is not initialized or reset from a partition slot");
}

class RoleInit final : public Command {
public:
    const shell::CommandSpec& spec() const override { return m_spec; }
    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(SlotContext c, slot_context(in, SlotNeed::Partition));
        SR_ASSIGN_OR_RETURN(hsm::Role role,
                            resolve_role(c, *in.args.text("name"),
                                         "the HSM SO sets the owner's password at 'partition "
                                         "create'; log in with 'partition login'"));
        SR_ASSIGN_OR_RETURN(hsm::Role by, authority_over(c, role));
        const std::string display(hsm::role_display_name(role));
        SR_TRY(require_role(in, c, by, "initialize the " + display));
        SR_ASSIGN_OR_RETURN(std::string pw,
                            secret_option(in, "password", "password for " + display, true));
        SR_TRY(c.dev().init_role(c.sid(), role, pw));
        in.reply.line(
            fmt::format("        The {} is initialized on slot {}; it logs in with "
                        "'{}'.",
                        display, c.slot->id, login_command(c, role)));
        in.reply.data()["slot"] = c.slot->id;
        in.reply.data()["role"] = display;
        return {};
    }

private:
    const shell::CommandSpec m_spec{
        "role",
        "",
        "init",
        "",
        "Initialize a role (set its first password)",
        "The Partition SO initializes the Crypto Officer; the Crypto Officer initializes the "
        "Crypto User (and, on 7.7+, the Limited Crypto Officer). The password is asked for twice "
        "when not given. Pre-PPSO partitions have no roles to initialize.",
        {{"name", "n", ValueKind::Text, true, "<role>", "The role to initialize: co, cu, ..."},
         {"password", "p", ValueKind::Secret, false, "<password>",
          "Its first password (at least 8 characters)."}}};
};

class RoleChangePw final : public Command {
public:
    const shell::CommandSpec& spec() const override { return m_spec; }
    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(SlotContext c, slot_context(in, SlotNeed::Any));
        SR_ASSIGN_OR_RETURN(hsm::Role role,
                            resolve_role(c, *in.args.text("name"),
                                         "the owner's password is the HSM SO's to set "
                                         "('partition create' on the admin slot)"));
        const std::string display(hsm::role_display_name(role));
        SR_TRY(require_role(in, c, role, "change the " + display + "'s password"));
        SR_ASSIGN_OR_RETURN(std::string old_pw,
                            secret_option(in, "oldpw", "existing password for " + display, false));
        SR_ASSIGN_OR_RETURN(std::string new_pw,
                            secret_option(in, "newpw", "new password for " + display, true));
        SR_TRY(c.dev().change_password(c.sid(), role, old_pw, new_pw));
        in.reply.line(fmt::format("        The {}'s password is changed.", display));
        in.reply.data()["slot"] = c.slot->id;
        in.reply.data()["role"] = display;
        return {};
    }

private:
    const shell::CommandSpec m_spec{
        "role",
        "",
        "changepw",
        "",
        "Change the logged-in role's password",
        "The named role must be the one logged in on the current slot. The old password is "
        "asked for once, the new one twice, when not given.",
        {{"name", "n", ValueKind::Text, true, "<role>", "The role (the one logged in)."},
         {"oldpw", "", ValueKind::Secret, false, "<password>", "The current password."},
         {"newpw", "", ValueKind::Secret, false, "<password>", "The new password."}}};
};

class RoleResetPw final : public Command {
public:
    const shell::CommandSpec& spec() const override { return m_spec; }
    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(SlotContext c, slot_context(in, SlotNeed::Partition));
        SR_ASSIGN_OR_RETURN(hsm::Role role,
                            resolve_role(c, *in.args.text("name"),
                                         "a locked-out owner is the HSM SO's to recover"));
        SR_ASSIGN_OR_RETURN(hsm::Role by, authority_over(c, role));
        const std::string display(hsm::role_display_name(role));
        SR_TRY(require_role(in, c, by, "reset the " + display + "'s password"));
        SR_ASSIGN_OR_RETURN(std::string pw,
                            secret_option(in, "password", "new password for " + display, true));
        SR_TRY(c.dev().reset_password(c.sid(), role, pw));
        in.reply.line(
            fmt::format("        The {}'s password is reset and its lockout cleared; it "
                        "should change the password at its next login.",
                        display));
        in.reply.data()["slot"] = c.slot->id;
        in.reply.data()["role"] = display;
        return {};
    }

private:
    const shell::CommandSpec m_spec{
        "role",
        "",
        "resetpw",
        "",
        "Reset a role's password (and clear its lockout)",
        "The Crypto Officer resets the Crypto User at any time; the Partition SO resets the "
        "Crypto Officer only if HSM policy 15 was on before the partition was created.",
        {{"name", "n", ValueKind::Text, true, "<role>", "The role to reset."},
         {"password", "p", ValueKind::Secret, false, "<password>", "The new password."}}};
};

class RoleCreateChallenge final : public Command {
public:
    const shell::CommandSpec& spec() const override { return m_spec; }
    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(SlotContext c, slot_context(in, SlotNeed::Partition));
        SR_ASSIGN_OR_RETURN(hsm::Role role,
                            resolve_role(c, *in.args.text("name"),
                                         "legacy PED partitions used 'partition createchallenge', "
                                         "which this version does not have"));
        const std::string display(hsm::role_display_name(role));
        if (c.device.auth == hsm::AuthType::Password)
            return error(Err::FunctionNotSupported,
                         fmt::format("slot {} is password-authenticated: challenge secrets are for "
                                     "PED-authenticated partitions, and here the {}'s password is "
                                     "already what applications present. Nothing to do: skip this "
                                     "optional step ('role changepw -name {}' changes the "
                                     "password)",
                                     c.slot->id, display, typed_role_name(c.generation, role)));
        return error(Err::FunctionNotSupported,
                     fmt::format("slot {} is PED-authenticated, but this version emulates PED "
                                 "partitions with passwords only: there are no PED keys, challenge "
                                 "secrets or activation (policies 22/23 are stored but cache "
                                 "nothing). The {} logs in with its password: '{} -password "
                                 "<password>'",
                                 c.slot->id, display, login_command(c, role)));
    }

private:
    const shell::CommandSpec m_spec{
        "role",
        "",
        "createchallenge",
        "crc",
        "Set a role's challenge secret (PED partitions)",
        "On PED-authenticated partitions the challenge secret is what applications present once "
        "the role is activated. This version emulates PED partitions with passwords only, so the "
        "command explains what to do instead; on password partitions there is nothing to do.",
        {{"name", "n", ValueKind::Text, true, "<role>", "The role: co or cu."},
         {"challengesecret", "challenge", ValueKind::Secret, false, "<secret>",
          "The challenge secret."}}};
};

}  // namespace

Commands role_credential_commands() {
    Commands c;
    c.push_back(std::make_unique<RoleInit>());
    c.push_back(std::make_unique<RoleChangePw>());
    c.push_back(std::make_unique<RoleResetPw>());
    c.push_back(std::make_unique<RoleCreateChallenge>());
    return c;
}

}  // namespace sr::cm
