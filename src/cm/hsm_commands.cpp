// `hsm showinfo` / `show`, `hsm init`, `hsm login` / `logout` on a local device's admin slot
// (luna-reference §1.11, §2.2, §4.2). The policy commands are in hsm_policy_commands.cpp.
#include <fmt/format.h>

#include "cm/commands.h"
#include "cm/hsm_admin.h"
#include "hsm/policy.h"

namespace sr::cm {
namespace {

using admin::field;
using shell::ValueKind;

constexpr size_t kInfoWidth = 28;
constexpr size_t kMaxLabel = 32;

std::string yes_no(bool b) {
    return b ? "yes" : "no";
}

// LunaCM 7 has both `hsm show` and `hsm showinfo` with the same answer.
class HsmShowInfo final : public admin::SpecCommand {
  public:
    explicit HsmShowInfo(std::string verb)
        : SpecCommand({"hsm",
                       "",
                       std::move(verb),
                       "",
                       "Show the HSM of the current admin slot",
                       "Label, serial number, model, firmware, authentication, whether the HSM is "
                       "initialized, the HSM SO login of this shell, the partition count and the "
                       "fingerprint of the HSM's cloning domain (which compares domains without "
                       "revealing them). Works on an HSM admin slot; needs no login.",
                       {}}) {}

    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(SlotContext c, admin::admin_slot(in, spec().name()));
        const hsm::DeviceInfo& d = c.device;
        SR_ASSIGN_OR_RETURN(auto login, in.state.login_of(c.slot->id));
        const bool so = login == hsm::Role::HsmSo;
        const std::string model = hsm::model_name(c.slot->identity());
        const std::string auth = d.auth == hsm::AuthType::Password ? "Password" : "PED";
        const std::string domain =
            d.hsm_domain_fingerprint.empty() ? "(none)" : to_hex(d.hsm_domain_fingerprint);
        auto add = [&](std::string_view key, const std::string& value) {
            in.reply.line(field(key, value, kInfoWidth));
        };
        add("Slot Id", std::to_string(c.slot->id));
        add("HSM Label", d.hsm_initialized ? d.hsm_label : "(not initialized)");
        add("Serial Number", std::to_string(d.serial));
        add("Model", model);
        add("Form Factor", std::string(hsm::form_factor_name(d.form_factor)));
        add("Firmware Version", d.firmware.to_string());
        add("Firmware Generation", std::string(hsm::generation_name(c.generation)));
        add("Authentication", auth);
        add("HSM Initialized", yes_no(d.hsm_initialized));
        add("HSM Admin Login Status", so ? "HSM SO logged in" : "Not logged in");
        add("Partitions", std::to_string(d.partition_count));
        add("Domain Fingerprint", domain);
        in.reply.data() = {{"slot", c.slot->id},
                           {"label", d.hsm_label},
                           {"serial", d.serial},
                           {"model", model},
                           {"form_factor", hsm::form_factor_name(d.form_factor)},
                           {"firmware", d.firmware.to_string()},
                           {"generation", hsm::generation_name(c.generation)},
                           {"auth", hsm::auth_type_name(d.auth)},
                           {"initialized", d.hsm_initialized},
                           {"so_logged_in", so},
                           {"partitions", d.partition_count},
                           {"domain_fingerprint", to_hex(d.hsm_domain_fingerprint)}};
        return {};
    }
};

class HsmInit final : public admin::SpecCommand {
  public:
    HsmInit()
        : SpecCommand(
              {"hsm",
               "",
               "init",
               "",
               "Initialize the HSM (erases every partition)",
               "On an uninitialized HSM (hard init) sets the label, the HSM SO password and the "
               "HSM's cloning domain; the password and domain are asked for, twice, when not "
               "given. On an initialized HSM (soft init) the HSM SO must be logged in; the SO "
               "password and the domain are kept and only the label may change. Either way every "
               "partition and its objects are destroyed, so the command asks for 'proceed' "
               "unless -force is given. -defaultdomain uses the well-known domain '" +
                   std::string(admin::kDefaultDomain) +
                   "': deprecated and insecure, for tests and demonstrations only.",
               {{"label", "", ValueKind::Text, true, "<label>",
                 "The HSM label, 1 to 32 characters."},
                {"password", "", ValueKind::Secret, false, "<password>",
                 "The new HSM SO password (hard init), at least 8 characters."},
                {"domain", "", ValueKind::Secret, false, "<domain>",
                 "The HSM's cloning domain (hard init)."},
                {"defaultdomain", "", ValueKind::Flag, false, "",
                 "Use the well-known default domain (deprecated, insecure)."},
                {"force", "f", ValueKind::Flag, false, "", "Do not ask for confirmation."}}}) {}

    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(SlotContext c, admin::admin_slot(in, "hsm init"));
        const std::string label = *in.args.text("label");
        if (label.empty() || label.size() > kMaxLabel)
            return error(Err::ArgumentsBad, "the HSM label must be 1 to 32 characters");
        if (in.args.has("domain") && in.args.has("defaultdomain"))
            return error(Err::ArgumentsBad, "give -domain or -defaultdomain, not both");
        Status st = c.device.hsm_initialized ? soft_init(in, c, label) : hard_init(in, c, label);
        SR_TRY(st);
        in.reply.data()["label"] = label;
        in.reply.data()["slot"] = c.slot->id;
        // Every partition is gone: later slots are renumbered.
        return in.state.renumber();
    }

  private:
    static Status soft_init(Invocation& in, const SlotContext& c, const std::string& label) {
        SR_TRY(admin::require_hsm_so(in, c, "hsm init"));
        SR_TRY(confirm(in, {"You are about to re-initialize the HSM (soft init).",
                            "All partitions and their contents will be destroyed.",
                            "The HSM SO password and the cloning domain are kept."}));
        SR_TRY(c.dev().init_hsm(c.slot->device->app, {label, {}, {}}));
        if (in.args.has("password") || in.args.has("domain") || in.args.has("defaultdomain"))
            in.reply.line(
                "        Soft init: the HSM SO password and cloning domain were kept; "
                "-password/-domain were not used.");
        in.reply.line("        The HSM was re-initialized with label '" + label +
                      "'; every partition was destroyed.");
        in.reply.line("        The HSM SO was logged out: log in again with 'hsm login'.");
        in.reply.data()["init"] = "soft";
        return {};
    }

    static Status hard_init(Invocation& in, const SlotContext& c, const std::string& label) {
        const bool default_domain = in.args.has("defaultdomain");
        if (default_domain && c.device.auth != hsm::AuthType::Password)
            return error(Err::ArgumentsBad, "-defaultdomain works on password HSMs only");
        SR_ASSIGN_OR_RETURN(std::string password,
                            secret_option(in, "password", "password for HSM SO", true));
        if (!hsm::check_password_length(password.size()))
            return error(Err::PinLenRange, "the HSM SO password must be 8 to 255 characters");
        std::string domain;
        if (default_domain) {
            domain = std::string(admin::kDefaultDomain);
            in.reply.line(
                "        Warning: -defaultdomain is deprecated and insecure: every HSM "
                "initialized with it shares the same cloning domain.");
        } else {
            SR_ASSIGN_OR_RETURN(domain, secret_option(in, "domain", "the domain name", true));
            if (domain.empty()) return error(Err::ArgumentsBad, "the cloning domain is empty");
        }
        SR_TRY(confirm(in, {"You are about to initialize the HSM.",
                            "All partitions and data on the HSM will be destroyed."}));
        SR_TRY(c.dev().init_hsm(c.slot->device->app, {label, password, domain}));
        in.reply.line("        The HSM was initialized with label '" + label + "'.");
        in.reply.line("        Log in as HSM SO with 'hsm login' to create partitions.");
        in.reply.data()["init"] = "hard";
        in.reply.data()["default_domain"] = default_domain;
        return {};
    }
};

class HsmLogin final : public admin::SpecCommand {
  public:
    HsmLogin()
        : SpecCommand(
              {"hsm",
               "",
               "login",
               "",
               "Log the HSM SO in on the current admin slot",
               "The password is asked for when not given. Three consecutive wrong HSM SO "
               "passwords zeroize the HSM: every partition and every object on it is destroyed "
               "(luna-reference 4.2). A successful login resets the count.",
               {{"password", "", ValueKind::Secret, false, "<password>",
                 "The HSM SO password."}}}) {}

    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(SlotContext c, admin::admin_slot(in, "hsm login"));
        SR_TRY(admin::require_initialized(c));
        SR_ASSIGN_OR_RETURN(auto login, in.state.login_of(c.slot->id));
        if (login == hsm::Role::HsmSo)
            return error(Err::UserAlreadyLoggedIn, "the HSM SO is already logged in on slot " +
                                                       std::to_string(c.slot->id) +
                                                       " ('hsm logout' ends the login)");
        SR_ASSIGN_OR_RETURN(std::string password,
                            secret_option(in, "password", "password for HSM SO", false));
        Status st = c.dev().login(c.sid(), hsm::Role::HsmSo, password);
        if (st.code() == Err::PinIncorrect)
            return error(Err::PinIncorrect,
                         st.message() +
                             ". Careful: 3 consecutive wrong HSM SO passwords "
                             "zeroize the HSM and destroy every partition on it.");
        if (st.code() == Err::SoLoginFailureThreshold) {
            // Every partition is gone (the admin session stays open, logged out): renumber.
            (void)in.state.renumber();
            return error(Err::SoLoginFailureThreshold,
                         "3 consecutive wrong HSM SO passwords: the HSM was ZEROIZED. Every "
                         "partition and every object on it is destroyed, and the HSM is "
                         "uninitialized; initialize it again with 'hsm init -label <label>'.");
        }
        SR_TRY(st);
        in.reply.line("        HSM SO logged in on slot " + std::to_string(c.slot->id) + ".");
        in.reply.data()["slot"] = c.slot->id;
        in.reply.data()["role"] = "HSM SO";
        return {};
    }
};

class HsmLogout final : public admin::SpecCommand {
  public:
    HsmLogout()
        : SpecCommand({"hsm",
                       "",
                       "logout",
                       "",
                       "Log the HSM SO out of the current admin slot",
                       "Ends this shell's HSM SO login on the admin slot.",
                       {}}) {}

    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(SlotContext c, admin::admin_slot(in, "hsm logout"));
        SR_ASSIGN_OR_RETURN(auto login, in.state.login_of(c.slot->id));
        if (!login)
            return error(Err::UserNotLoggedIn,
                         "nobody is logged in on slot " + std::to_string(c.slot->id));
        SR_TRY(c.dev().logout(c.sid()));
        in.reply.line("        " + std::string(hsm::role_display_name(*login)) +
                      " logged out of slot " + std::to_string(c.slot->id) + ".");
        in.reply.data()["slot"] = c.slot->id;
        return {};
    }
};

}  // namespace

Commands hsm_commands() {
    Commands c;
    c.push_back(std::make_unique<HsmShowInfo>("showinfo"));
    c.push_back(std::make_unique<HsmShowInfo>("show"));
    c.push_back(std::make_unique<HsmInit>());
    c.push_back(std::make_unique<HsmLogin>());
    c.push_back(std::make_unique<HsmLogout>());
    for (auto& p : admin::hsm_policy_commands()) c.push_back(std::move(p));
    return c;
}

}  // namespace sr::cm
