// `hsm login`, `hsm logout`, `hsm init` and `hsm show` on the appliance's HSM
// (luna-reference §2.2, §1.11, §4.2). The policy commands are in srsh_policy_commands.cpp.
#include <fmt/format.h>

#include "appliance/srsh_commands.h"
#include "hsm/version.h"

namespace sr::appliance::srsh {
namespace {

using shell::ValueKind;

constexpr size_t kMaxLabel = 32;
constexpr uint32_t kSoLoginAttempts = 3;  // BEHAVIOUR.md "Roles, credentials, lockout"

class HsmLogin final : public SpecCommand {
  public:
    HsmLogin()
        : SpecCommand(
              {"hsm",
               "",
               "login",
               "",
               "Log in as the HSM SO (HSM Administrator)",
               "Logs this shell in as the HSM SO on the appliance's HSM; the login lasts until "
               "'hsm logout' or the end of srsh. The password is asked for (masked) when "
               "-password is not given. Three consecutive wrong HSM SO passwords zeroize the HSM: "
               "every partition and every object on it is destroyed (luna-reference 4.2); a "
               "successful login resets the count.",
               {{"password", "", ValueKind::Secret, false, "<password>", "The HSM SO password."}}},
              {"hsm login", "hsm login -password <password>"}) {}

    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(hsm::DeviceInfo d, in.state.device().info());
        if (!d.hsm_initialized)
            return error(Err::HsmNotInitialized,
                         "the HSM is not initialized: 'hsm init -label <label>' first");
        SR_ASSIGN_OR_RETURN(bool so, in.state.hsm_so_logged_in());
        if (so)
            return error(Err::UserAlreadyLoggedIn,
                         "the HSM SO is already logged in ('hsm logout' ends the login)");
        SR_ASSIGN_OR_RETURN(
            std::string password,
            secret_option(in, "password", "Please enter the HSM Administrators' password:", false));
        SR_ASSIGN_OR_RETURN(hsm::SessionId s, in.state.admin_session());
        Status st = in.state.device().login(s, hsm::Role::HsmSo, password);
        if (st.code() == Err::PinIncorrect) {
            auto role = in.state.device().role_state(hsm::kAdminPartition, hsm::Role::HsmSo);
            const uint32_t failed = role ? role->failed_logins : 0;
            const uint32_t left = failed < kSoLoginAttempts ? kSoLoginAttempts - failed : 0;
            in.reply.data()["attempts_left"] = left;
            return error(Err::PinIncorrect,
                         fmt::format("incorrect HSM SO password; {} attempt{} left before the "
                                     "HSM is zeroized",
                                     left, left == 1 ? "" : "s"));
        }
        if (st.code() == Err::SoLoginFailureThreshold)
            return error(Err::SoLoginFailureThreshold,
                         "3 consecutive wrong HSM SO passwords: the HSM was ZEROIZED. Every "
                         "partition and every object on it is destroyed; initialize it again "
                         "with 'hsm init -label <label>'.");
        SR_TRY(st);
        in.reply.data()["role"] = "HSM SO";
        return {};
    }
};

class HsmLogout final : public SpecCommand {
  public:
    HsmLogout()
        : SpecCommand({"hsm",
                       "",
                       "logout",
                       "",
                       "Log the HSM SO out",
                       "Ends this shell's HSM SO login.",
                       {}},
                      {"hsm logout"}) {}

    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(bool so, in.state.hsm_so_logged_in());
        if (!so) return error(Err::UserNotLoggedIn, "the HSM SO is not logged in");
        SR_ASSIGN_OR_RETURN(hsm::SessionId s, in.state.admin_session());
        return in.state.device().logout(s);
    }
};

class HsmInit final : public SpecCommand {
  public:
    HsmInit()
        : SpecCommand(
              {"hsm",
               "",
               "init",
               "",
               "Initialize the HSM (erases every partition)",
               "On a new or zeroized HSM (hard init) sets the label, the HSM SO password and the "
               "HSM's cloning domain; the password and the domain are asked for, twice, when not "
               "given. On an initialized HSM (soft init) the HSM SO must be logged in; the SO "
               "password and the domain are kept and only the label may change. Either way every "
               "partition and its objects are destroyed, so the command asks for 'proceed' "
               "unless -force is given; 'quit' keeps the data.",
               {{"label", "l", ValueKind::Text, true, "<label>",
                 "The HSM label, 1 to 32 characters."},
                {"password", "", ValueKind::Secret, false, "<password>",
                 "Hard init: the new HSM SO password, 8 to 255 characters."},
                {"domain", "", ValueKind::Secret, false, "<domain>",
                 "Hard init: the HSM's cloning domain."},
                force_option()}},
              {"hsm init -label myhsm",
               "hsm init -label myhsm -password <password> -domain <domain> -force"}) {}

    Status run(Invocation& in) override {
        const std::string label = *in.args.text("label");
        if (label.empty() || label.size() > kMaxLabel)
            return error(Err::ArgumentsBad, "the HSM label must be 1 to 32 characters");
        SR_ASSIGN_OR_RETURN(hsm::DeviceInfo d, in.state.device().info());
        hsm::HsmInitParams params{label, {}, {}};
        if (d.hsm_initialized) {
            SR_TRY(require_hsm_so(in, "hsm init"));
            if (in.args.has("password") || in.args.has("domain"))
                in.reply.line(
                    "Soft init: the HSM SO password and the cloning domain are kept; "
                    "-password and -domain were not used.");
        } else {
            SR_ASSIGN_OR_RETURN(
                params.so_password,
                secret_option(in, "password",
                              "Please enter a password for the HSM Administrator:", true));
            if (!hsm::check_password_length(params.so_password.size()))
                return error(Err::PinLenRange, "the HSM SO password must be 8 to 255 characters");
            SR_ASSIGN_OR_RETURN(
                params.domain,
                secret_option(in, "domain", "Please enter the cloning domain for the HSM:", true));
            if (params.domain.empty())
                return error(Err::ArgumentsBad, "the cloning domain is empty");
        }
        SR_TRY(confirm(in,
                       {"CAUTION: Are you sure you wish to re-initialize this HSM?",
                        "All partitions and data will be erased."},
                       "initialize the HSM"));
        SR_TRY(in.state.device().init_hsm(in.state.app(), params));
        in.reply.data() = {{"label", label}, {"init", d.hsm_initialized ? "soft" : "hard"}};
        if (d.hsm_initialized) in.reply.line("The HSM SO was logged out: 'hsm login' again.");
        return {};
    }
};

class HsmShow final : public SpecCommand {
  public:
    HsmShow()
        : SpecCommand({"hsm",
                       "",
                       "show",
                       "",
                       "Show the appliance's HSM",
                       "Label, serial number, firmware, model, authentication, whether the HSM "
                       "is initialized, this shell's HSM Admin login status and the attempts "
                       "left before a wrong-password zeroization, and the partitions created on "
                       "the HSM. Needs no login.",
                       {}},
                      {"hsm show"}) {}

    Status run(Invocation& in) override {
        hsm::Device& dev = in.state.device();
        SR_ASSIGN_OR_RETURN(hsm::DeviceInfo d, dev.info());
        SR_ASSIGN_OR_RETURN(bool so, in.state.hsm_so_logged_in());
        SR_ASSIGN_OR_RETURN(auto parts, dev.partitions());
        uint32_t failed = 0;
        if (d.hsm_initialized) {
            SR_ASSIGN_OR_RETURN(auto role, dev.role_state(hsm::kAdminPartition, hsm::Role::HsmSo));
            failed = role.failed_logins;
        }
        const uint32_t left = failed < kSoLoginAttempts ? kSoLoginAttempts - failed : 0;
        const std::string auth = d.auth == hsm::AuthType::Password ? "Password" : "PED keys";
        Reply& r = in.reply;
        r.line("   Appliance Details:");
        r.line("   ==================");
        r.line(field("Software Version", hsm::version()));
        r.line();
        r.line("   HSM Details:");
        r.line("   ============");
        r.line(field("HSM Label", d.hsm_initialized ? d.hsm_label : "(not initialized)"));
        r.line(field("Serial #", std::to_string(d.serial)));
        r.line(field("Firmware", d.firmware.to_string()));
        r.line(field("Firmware Generation",
                     std::string(hsm::generation_name(hsm::generation(d.firmware)))));
        r.line(field("Hardware Model", d.model));
        r.line(field("Authentication Method", auth));
        r.line(field("HSM Initialized", d.hsm_initialized ? "yes" : "no"));
        r.line(field("HSM Admin login status", so ? "Logged In" : "Not Logged In"));
        if (d.hsm_initialized)
            r.line(field("HSM Admin login attempts left",
                         fmt::format("{} before HSM zeroization!", left)));
        r.line();
        r.line("   Partitions created on HSM:");
        r.line("   ==========================");
        nlohmann::json list = nlohmann::json::array();
        for (const auto& p : parts) {
            r.line(fmt::format("   Partition: {}, Name: {}", p.serial, p.name));
            list.push_back({{"name", p.name}, {"serial", p.serial}});
        }
        r.line();
        r.line(field("Number of partitions created", std::to_string(parts.size())));
        r.data() = {{"label", d.hsm_label},
                    {"serial", d.serial},
                    {"firmware", d.firmware.to_string()},
                    {"generation", hsm::generation_name(hsm::generation(d.firmware))},
                    {"model", d.model},
                    {"auth", hsm::auth_type_name(d.auth)},
                    {"initialized", d.hsm_initialized},
                    {"so_logged_in", so},
                    {"login_attempts_left", left},
                    {"partitions", std::move(list)}};
        return {};
    }
};

}  // namespace

Commands hsm_commands() {
    Commands c;
    c.push_back(std::make_unique<HsmLogin>());
    c.push_back(std::make_unique<HsmLogout>());
    c.push_back(std::make_unique<HsmInit>());
    c.push_back(std::make_unique<HsmShow>());
    return c;
}

}  // namespace sr::appliance::srsh
